"""Soak: W1 and W2 mixed for a few minutes, with a Redis restart and a PostgreSQL restart in the middle.

On a PostgreSQL and a Redis of its own (embedded servers on spare ports, data in a temporary dir:
restarting them disturbs nobody), with one studio made by the platform's provisioning (200 members,
140 classes of 20 seats one an hour from two hours ahead, the members' access tokens), the app runs as
`make run` starts it: gunicorn (nexphys/gunicorn_conf.py), one `flask worker`, one `flask scheduler`.
CLIENTS threads send W1 reads and W2 bookings (about 4:1; bench.soak_traffic). At a third of the run
Redis is stopped for DOWN_SECONDS and started again (same port and data); at two thirds PostgreSQL
(pg_ctl -m fast). Afterwards the job outbox and RQ's queues are left to drain, and the answers are
checked against the database (bench.soak_checks): no 500s, errors only inside the outages, no booking
lost or committed behind a client's back, every booking's email kept once.

    python -m bench.soak            # ~3 minutes; writes its section of docs/benchmarks.md
    python -m bench.soak --quick    # ~40 s, prints only (development)

Exits non-zero when a "must be 0" figure is not 0 (the report is printed all the same).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from bench import common, soak_checks, soak_setup, soak_traffic
from bench.common import say

SECONDS = 180
QUICK_SECONDS = 40
DOWN_SECONDS = 5.0
DRAIN_SECONDS = 180  # RQ re-runs a job abandoned by a worker that lost Redis after 1.5-2.5 min
SECTION = "soak"
TITLE = "Soak: W1 + W2 through a Redis and a PostgreSQL restart"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--seconds", type=float, default=SECONDS, help=f"seconds of traffic ({SECONDS})")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SECONDS} s of traffic, prints only")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--keep-logs", action="store_true", help="keep the processes' logs even when all is well")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = QUICK_SECONDS
    return args


def traffic(spares: soak_setup.Spares, processes: dict, data: soak_setup.Dataset, seconds: float) -> dict:
    """The load for `seconds`, Redis restarted at 1/3 and PostgreSQL at 2/3, then the drain."""
    zero = time.monotonic()
    wall_at_zero = time.time()

    def clock() -> float:
        return time.monotonic() - zero

    monitor = soak_traffic.Monitor(spares.database_url, spares.redis_url, processes, clock, wall_at_zero).start()
    load = soak_traffic.Load(soak_setup.web_port(processes), data, clock)
    load.start()
    faults = []
    try:
        for fraction, name, server in ((1 / 3, "redis", spares.redis), (2 / 3, "postgres", spares.postgres)):
            time.sleep(max(0.0, seconds * fraction - clock()))
            say(f"  {clock():5.1f} s: stopping {name} for {DOWN_SECONDS:g} s")
            faults.append(soak_traffic.inject(name, server, DOWN_SECONDS, clock))
            say(f"  {clock():5.1f} s: {name} is back")
        time.sleep(max(0.0, seconds - clock()))
    finally:
        load.stop()
    ended = clock()
    say(f"  {ended:5.1f} s: traffic stopped ({len(load.answers)} requests); draining the job outbox")
    drained, drain_seconds, last = soak_traffic.drain(monitor, DRAIN_SECONDS)
    monitor.stop()
    return {"answers": load.answers, "faults": faults, "samples": monitor.samples, "seconds": ended,
            "drained": drained, "drain_seconds": drain_seconds, "last_sample": last}


def wait_quiet(spares: soak_setup.Spares, processes: dict) -> None:
    """Before the traffic: the jobs provisioning recorded have run (the run starts from an empty outbox)."""
    monitor = soak_traffic.Monitor(spares.database_url, spares.redis_url, processes, time.monotonic, 0.0).start()
    try:
        drained, _seconds, last = soak_traffic.drain(monitor, 60)
    finally:
        monitor.stop()
    if not drained:
        raise RuntimeError(f"the job outbox did not drain before the run ({last}):\n{soak_setup.tails(processes)}")


def analyse(run: dict, data: soak_setup.Dataset, spares: soak_setup.Spares, processes: dict) -> dict:
    """Every figure of the report, from the answers, the samples, the database and the logs."""
    from bench.w2_booking import check_sessions

    answers, faults = run["answers"], run["faults"]
    rows, messages, leftover = soak_checks.read_back(spares.database_url, data)
    windows, outside = soak_checks.error_windows(answers, faults)
    bookings = soak_checks.bookings(answers, rows)
    mails = soak_checks.mails(rows, messages, data)
    invariants = check_sessions(spares.database_url, data.schema, list(data.sessions))
    logs = {name: soak_checks.log_counts(p.log_text()) for name, p in processes.items()}
    died = sorted({name for s in run["samples"] for name in s.dead})
    last = run["last_sample"]
    server_errors = [a for a in answers if a.status >= 500 and a.status != 503]
    zero = {"server_errors": len(server_errors), "errors_outside_faults": len(outside),
            "bookings_lost": len(bookings["lost"]), "bookings_mismatched": len(bookings["mismatched"]),
            "committed_but_told_failed": len(bookings["committed_but_told_failed"]),
            "mails_missing": len(mails["missing"]), "mails_pending": mails["pending"], "mails_failed": mails["failed"],
            "mails_duplicated": len(mails["duplicated"]), "mails_orphaned": len(mails["orphaned"]),
            "invariants_broken": invariants["booked_count_wrong"] + invariants["over_capacity"]
            + invariants["double_bookings"],
            "outbox_not_drained": 0 if run["drained"] else 1, "outbox_failed": (last.failed or 0) if last else 0,
            "processes_died": len(died), "unhandled_errors_logged": sum(c["unhandled"] for c in logs.values())}
    return {"requests": len(answers), "seconds": run["seconds"], "statuses": soak_checks.statuses(answers),
            "faults": [f.as_dict() for f in faults], "windows": windows,
            "outside": [a.__dict__ for a in outside], "server_errors": [a.__dict__ for a in server_errors],
            "recovery": {f.name: soak_checks.recovery(answers, f, run["samples"]) for f in faults},
            "longest_wait": soak_checks.longest_wait(run["samples"]),
            "bookings": bookings, "mails": mails, "invariants": invariants, "logs": logs, "died": died,
            "drained": run["drained"], "drain_seconds": run["drain_seconds"], "leftover_jobs": leftover,
            "zero": zero}


# --- the report ---------------------------------------------------------------------------------------------

def _s(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


def _held(held: dict | None) -> str:
    return f", the last being #{held['id']} recorded at {held['recorded']:.1f} s" if held else ""


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "none"


def render(info: dict, figures: dict, load: str) -> str:
    st = figures["statuses"]
    lines = [
        f"## {TITLE}", "",
        f"_{common.machine_line(info)} · {load}_", "",
        f"`python -m bench.soak`: one studio on a PostgreSQL and a Redis of the benchmark's own (200 members, 140 "
        f"classes of 20 seats, one an hour from two hours ahead); gunicorn (`nexphys/gunicorn_conf.py`), one "
        f"`flask worker` and one `flask scheduler`, as `make run` starts them. {soak_traffic.CLIENTS} client threads "
        f"send W1 (`GET /api/v1/classes?date=…`) and W2 (`POST /api/v1/bookings`, a random member on a random class, "
        f"an Idempotency-Key each) about {soak_traffic.W1_SHARE * 100:.0f}:{100 - soak_traffic.W1_SHARE * 100:.0f}, "
        f"{soak_traffic.THINK_SECONDS * 1000:.0f} ms apart, for {figures['seconds']:.0f} s. At a third Redis is "
        f"stopped for {DOWN_SECONDS:g} s and started again (same port and data), at two thirds PostgreSQL "
        "(`pg_ctl -m fast`). "
        f"A booking answered 503 or lost to a connection error is sent once more after "
        f"{soak_traffic.RETRY_SECONDS:g} s with the same key. One run (a soak is a check, not a median). Differs from "
        "W6 in WORKLOAD.md: one studio, not 10, and 5 s outages, not 20 s.", "",
        "| figure | value |", "|---|---|",
        f"| requests served / requests/s | {figures['requests']} / {figures['requests'] / figures['seconds']:.1f} |",
        f"| W1 answers | {_counts(st['w1'])} |",
        f"| W2 answers (retries included) | {_counts(st['w2'])} |",
        f"| 5xx other than 503 (must be 0) | **{figures['zero']['server_errors']}** |",
    ]
    lines += _fault_rows(figures)
    lines += _loss_rows(figures)
    return "\n".join(lines + _notes(figures))


def _fault_rows(figures: dict) -> list[str]:
    rows = []
    for fault in figures["faults"]:
        name = fault["name"]
        window = figures["windows"].get(name)
        errors = (f"{_counts(window['count'])}; first {window['first']:.1f} s, last {window['last']:.1f} s after "
                  "the stop" if window else "none")
        rec = figures["recovery"][name]
        rows += [f"| {name}: down (stop → start) | {fault['started'] - fault['began']:.1f} s from "
                 f"{fault['began']:.1f} s (process gone after {fault['stopped'] - fault['began']:.1f} s, start took "
                 f"{fault['started'] - fault['starting']:.1f} s) |",
                 f"| {name}: 503s and connection errors | {errors} |",
                 f"| {name}: back → first W1 200 / first 201 | {_s(rec['w1_ok'])} / {_s(rec['w2_created'])} |",
                 f"| {name}: back → outbox caught up (no job from before it waits) / empty | "
                 f"{_s(rec['outbox_caught_up'])}{_held(rec['held_by'])} / {_s(rec['outbox_empty'])} "
                 f"(peak {rec['outbox_peak']} waiting) |"]
    wait = figures["longest_wait"]
    if wait:
        rows.append(f"| longest a job waited in the job outbox | {wait['seconds']:.1f} s (#{wait['id']}, recorded at "
                    f"{wait['recorded']:.1f} s) |")
    rows.append(f"| errors outside the outages (+ {soak_checks.GRACE_SECONDS:g} s) (must be 0) | "
                f"**{figures['zero']['errors_outside_faults']}** |")
    return rows


def _loss_rows(figures: dict) -> list[str]:
    b, m, z = figures["bookings"], figures["mails"], figures["zero"]
    return [
        f"| bookings made (database) | {b['created']} ({_counts(b['by_status'])}) |",
        f"| booking retries (same key) / answered by replay | {b['retried']} ({_counts(b['retries_by_status'])}) / "
        f"{b['replayed']} |",
        f"| clients finally told 503 / connection error | {b['told_failed']} |",
        f"| bookings lost: a 201 the database does not hold live (must be 0) | **{z['bookings_lost']}** "
        f"(wrong session or member: {z['bookings_mismatched']}) |",
        f"| committed but told failed: a booking no client saw as 201 (must be 0) | "
        f"**{z['committed_but_told_failed']}** |",
        f"| booking invariants (booked_count exact, capacity, one live booking per member and class) (must be 0) | "
        f"**{z['invariants_broken']}** broken |",
        f"| booking emails: expected / found | {m['expected']} / {m['found']} ({_counts(m['by_status'])}) |",
        f"| emails missing / pending / failed / duplicated / without a booking (must be 0) | "
        f"**{z['mails_missing']}** / **{z['mails_pending']}** / **{z['mails_failed']}** / "
        f"**{z['mails_duplicated']}** / **{z['mails_orphaned']}** |",
        f"| job outbox after the traffic | {'empty' if figures['drained'] else '**NOT EMPTY**'} after "
        f"{figures['drain_seconds']:.1f} s; failed jobs **{z['outbox_failed']}** |",
        f"| app processes that died (must be 0) / unhandled errors logged (must be 0) | **{z['processes_died']}** / "
        f"**{z['unhandled_errors_logged']}** |",
        f"| gunicorn workers booted / worker timeouts / RQ worker restarts after Redis errors | "
        f"{figures['logs']['web']['worker_boots']} / {figures['logs']['web']['worker_timeouts']} / "
        f"{figures['logs']['worker']['rq_restarts']} |",
        "| exit codes on SIGTERM at the end (-9: still running after 20 s, killed) | "
        + ", ".join(f"{name} {code}" for name, code in figures.get("exit_codes", {}).items()) + " |",
    ]


def _notes(figures: dict) -> list[str]:
    failing = [name for name in soak_checks.MUST_BE_ZERO if figures["zero"][name]]
    notes = ["", f"**Result: {'every must-be-0 figure is 0' if not failing else 'FAILED: ' + ', '.join(failing)}.**"]
    for answer in figures["server_errors"][:5]:
        notes.append(f"- {answer['kind']} {answer['status']} at {answer['ended']:.1f} s: `{answer['error'][:160]}`")
    for answer in figures["outside"][:5]:
        notes.append(f"- outside the outages: {answer['kind']} {answer['status'] or 'connection error'} at "
                     f"{answer['ended']:.1f} s {answer['error'][:120]}")
    for job in figures["leftover_jobs"][:5]:
        notes.append(f"- still in the job outbox: #{job['id']} {job['func']}({job['args']}) recorded "
                     f"{job['created_at']:%H:%M:%S}, pushed again {job['pushes']} times, failed: {job['failed_at']} "
                     f"{job['last_error'] or ''}")
    for row in figures["bookings"]["committed_but_told_failed"][:5]:
        notes.append(f"- committed but told failed: booking {row['id']} (class {row['session_id']}, member "
                     f"{row['member_id']}, {row['status']})")
    return notes


# --- main -----------------------------------------------------------------------------------------------------

def soak(seconds: float) -> tuple[dict, dict, str, Path]:
    """Servers, data, processes, the traffic and the checks; (info, figures, load, logs dir). Stops everything."""
    logs = Path(tempfile.mkdtemp(prefix="nexphys-soak-logs-"))
    say("starting a spare PostgreSQL and Redis")
    spares = soak_setup.start_spares()
    processes: dict = {}
    try:
        info = common.machine_info(spares.database_url)
        say(f"  PostgreSQL :{spares.postgres.port}, Redis :{spares.redis.port}; building the data set")
        data = soak_setup.build_dataset(spares)
        processes = soak_setup.start_processes(spares, logs)
        say(f"  web :{soak_setup.web_port(processes)}, worker and scheduler up (logs in {logs})")
        wait_quiet(spares, processes)
        load_before = common.load_average()
        say(f"traffic for {seconds:g} s")
        run = traffic(spares, processes, data, seconds)
        figures = analyse(run, data, spares, processes)
        figures["raw"] = {"answers": [a.__dict__ for a in run["answers"]],
                          "samples": [s.__dict__ for s in run["samples"]]}
    except BaseException:
        if processes:
            print(soak_setup.tails(processes), flush=True)
        say(f"the soak stopped on an error; the processes' logs are kept in {logs}")
        raise
    finally:
        codes = soak_setup.stop_processes(processes)
        spares.stop()
    figures["exit_codes"] = codes
    load = f"load average {load_before} at start, {common.load_average()} at end"
    return info, figures, load, logs


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    write = not (args.no_doc or args.quick or args.seconds < SECONDS)
    info, figures, load, logs = soak(args.seconds)
    body = render(info, figures, load)
    print(body)
    failed = any(figures["zero"].values())
    if failed:
        for name in ("web", "worker", "scheduler"):
            path = logs / f"{name}.log"
            tail = path.read_text(errors="replace").splitlines()[-40:] if path.exists() else []
            print(f"--- {name} log ({path}), last {len(tail)} lines:\n" + "\n".join(tail))
    elif not args.keep_logs:
        shutil.rmtree(logs, ignore_errors=True)
    saved = common.save_results("soak", {"info": info, "load": load, "seconds": args.seconds, **figures})
    kept = f"; logs kept in {logs}" if failed or args.keep_logs else ""
    say(f"raw results in {saved.relative_to(common.ROOT)}{kept}")
    if write:
        common.update_section(SECTION, body)
        say(f"wrote the soak section of {common.DOC.relative_to(common.ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
