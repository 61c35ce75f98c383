"""What the soak's answers and its database say afterwards: errors and their windows, recovery, losses.

Pure functions over the recorded answers, the faults, the monitor's samples and rows read back from
the spare database; each "must be 0" figure is named in MUST_BE_ZERO.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bench.soak_setup import CLASS_PREFIX, Dataset
from bench.soak_traffic import Answer, Fault, Sample

GRACE_SECONDS = 5.0  # errors must fall between a fault's start and this long after its server is back
LIVE = ("confirmed", "waitlisted")
MAIL_KIND = {"confirmed": "booking_confirmed", "waitlisted": "waitlisted"}
MUST_BE_ZERO = ("server_errors", "errors_outside_faults", "bookings_lost", "bookings_mismatched",
                "committed_but_told_failed", "mails_missing", "mails_pending", "mails_failed", "mails_duplicated",
                "mails_orphaned", "invariants_broken", "outbox_not_drained", "outbox_failed", "processes_died",
                "unhandled_errors_logged")


@dataclass(frozen=True)
class BookingRow:
    id: int
    session_id: int
    member_id: int
    status: str


@dataclass(frozen=True)
class MailRow:
    id: int
    to_address: str
    subject: str
    kind: str
    status: str


def read_back(database_url: str, data: Dataset) -> tuple[list[BookingRow], list[MailRow], list[dict]]:
    """Every booking and mail of the studio (all made during the run: the data set has none), and the jobs
    still in the job outbox."""
    from bench.dataset import pg_connect

    conn = pg_connect(database_url)
    s = f'"{data.schema}"'
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT id, session_id, member_id, status FROM {s}.bookings ORDER BY id")
            bookings = [BookingRow(*row) for row in cur.fetchall()]
            cur.execute(f"SELECT id, to_address, subject, kind, status FROM {s}.outbox ORDER BY id")
            mails = [MailRow(*row) for row in cur.fetchall()]
            cur.execute("SELECT id, func, args, created_at, pushes, failed_at, last_error FROM public.job_outbox "
                        "ORDER BY id")
            names = [c.name for c in cur.description]
            jobs = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        conn.close()
    return bookings, mails, jobs


# --- answers ---------------------------------------------------------------------------------------------

def bucket(status: int) -> str:
    return str(status) if status in (200, 201, 409, 503) else "connection error" if status == 0 else "other"


def statuses(answers: list[Answer]) -> dict[str, dict[str, int]]:
    """Answers by status bucket, for W1, W2 and both."""
    out = {kind: dict(Counter(bucket(a.status) for a in answers if a.kind == kind)) for kind in ("w1", "w2")}
    out["all"] = dict(Counter(bucket(a.status) for a in answers))
    return out


def is_outage_error(answer: Answer) -> bool:
    return answer.status in (0, 503)


def error_windows(answers: list[Answer], faults: list[Fault]) -> tuple[dict[str, dict], list[Answer]]:
    """503s and connection errors per fault (first and last, seconds after it began), and those outside any."""
    per: dict[str, dict] = {}
    outside = []
    for answer in (a for a in answers if is_outage_error(a)):
        fault = next((f for f in faults if f.began <= answer.ended <= f.started + GRACE_SECONDS), None)
        if fault is None:
            outside.append(answer)
            continue
        entry = per.setdefault(fault.name, {"count": Counter(), "first": None, "last": None})
        entry["count"][f"{answer.kind} {bucket(answer.status)}"] += 1
        after = answer.ended - fault.began
        entry["first"] = after if entry["first"] is None else min(entry["first"], after)
        entry["last"] = after if entry["last"] is None else max(entry["last"], after)
    for entry in per.values():
        entry["count"] = dict(entry["count"])
    return per, outside


def _first(answers: list[Answer], after: float, kind: str, status: int) -> float | None:
    ends = [a.ended for a in answers if a.kind == kind and a.status == status and a.ended >= after]
    return min(ends) - after if ends else None


def recovery(answers: list[Answer], fault: Fault, samples: list[Sample]) -> dict:
    """Seconds from the server being back to the first W1 200, the first 201, and the outbox catching up."""
    after = [s for s in samples if s.at >= fault.started and s.waiting is not None]
    # Caught up: no job recorded before the restart still waits (the outage's backlog has run).
    caught_up = next((s.at for s in after if s.oldest is None or s.oldest >= fault.started), None)
    empty = next((s.at for s in after if s.waiting == 0), None)
    until = caught_up or fault.started
    during = [s for s in samples if fault.began <= s.at <= until and s.waiting is not None]
    # The job that finished last of those from before the restart: the oldest one just before caught up.
    last = [s for s in during if s.oldest is not None and s.oldest < fault.started]
    return {"w1_ok": _first(answers, fault.started, "w1", 200), "w2_created": _first(answers, fault.started, "w2", 201),
            "outbox_caught_up": caught_up - fault.started if caught_up is not None else None,
            "outbox_empty": empty - fault.started if empty is not None else None,
            "outbox_peak": max((s.waiting for s in during), default=None),
            "held_by": {"id": last[-1].oldest_id, "recorded": last[-1].oldest} if last and caught_up else None,
            "down_seconds": fault.starting - fault.stopped}


def longest_wait(samples: list[Sample]) -> dict | None:
    """The job that waited longest in the outbox (as the monitor saw it): its id, when recorded, how long."""
    waits = [(s.at - s.oldest, s) for s in samples if s.oldest is not None]
    if not waits:
        return None
    seconds, sample = max(waits, key=lambda w: w[0])
    return {"id": sample.oldest_id, "recorded": sample.oldest, "seconds": seconds}


# --- bookings and mails ------------------------------------------------------------------------------------

def bookings(answers: list[Answer], rows: list[BookingRow]) -> dict:
    """Every 201 in the database (same session and member, live); every database booking seen as a 201."""
    told = {a.booking_id: a for a in answers if a.status == 201}
    held = {row.id: row for row in rows}
    lost = [i for i in told if i not in held or held[i].status not in LIVE]
    mismatched = [i for i, a in told.items() if i in held and (held[i].session_id, held[i].member_id)
                  != (a.session_id, a.member_id)]
    unseen = [row for row in rows if row.id not in told]
    retried = [a for a in answers if a.kind == "w2" and a.attempt == 2]
    finals = _final_answers(answers)
    return {"created": len(rows), "by_status": dict(Counter(r.status for r in rows)), "lost": lost,
            "mismatched": mismatched, "committed_but_told_failed": [r.__dict__ for r in unseen],
            "told_failed": sum(1 for a in finals if is_outage_error(a)),
            "retried": len(retried), "retries_by_status": dict(Counter(bucket(a.status) for a in retried)),
            "replayed": sum(1 for a in answers if a.replayed)}


def _final_answers(answers: list[Answer]) -> list[Answer]:
    """Each booking request's last attempt: what its client was finally told."""
    last: dict[str, Answer] = {}
    for answer in answers:
        if answer.kind == "w2" and (answer.key not in last or answer.attempt > last[answer.key].attempt):
            last[answer.key] = answer
    return list(last.values())


_CLASS = re.compile(rf"\b{CLASS_PREFIX} \d{{3}}\b")


def mails(rows: list[BookingRow], messages: list[MailRow], data: Dataset) -> dict:
    """Each live booking's email (kind by its status) in the outbox, kept or sent; none twice, none extra."""
    expected = Counter((data.emails[r.member_id], data.sessions[r.session_id], MAIL_KIND[r.status])
                       for r in rows if r.status in LIVE)
    found: dict[tuple, list[MailRow]] = {}
    for message in messages:
        if message.kind in MAIL_KIND.values():
            name = _CLASS.search(message.subject)
            found.setdefault((message.to_address, name.group(0) if name else "?", message.kind), []).append(message)
    missing = [k for k in expected if k not in found]
    duplicated = [k for k, got in found.items() if len(got) > expected.get(k, 0) and k in expected]
    orphaned = [k for k in found if k not in expected]
    matched = [m for k in expected for m in found.get(k, [])]
    by_status = Counter(m.status for m in matched)
    return {"expected": sum(expected.values()), "found": len(matched), "by_status": dict(by_status),
            "missing": [list(k) for k in missing], "duplicated": [list(k) for k in duplicated],
            "orphaned": [list(k) for k in orphaned], "pending": by_status.get("pending", 0),
            "failed": by_status.get("failed", 0), "all_kinds": dict(Counter(m.kind for m in messages))}


# --- logs ---------------------------------------------------------------------------------------------------

LOG_PATTERNS = {"tracebacks": "Traceback (most recent call last)", "unhandled": "unhandled error",
                "worker_timeouts": "WORKER TIMEOUT", "worker_boots": "Booting worker",
                "rq_restarts": "starting a new worker when Redis answers"}


def log_counts(text: str) -> dict[str, int]:
    return {name: text.count(pattern) for name, pattern in LOG_PATTERNS.items()}
