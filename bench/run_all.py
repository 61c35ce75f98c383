"""Run every benchmark (`make bench`), each in its own process, and record the machine in the doc.

    python -m bench.run_all            # full sizes; every script rewrites its section of docs/benchmarks.md
    python -m bench.run_all --quick    # small counts, one run each, nothing written
    python -m bench.run_all w1 w2      # only some (w1, w2, w3, w3pool, w4, soak)

soak (bench.soak) runs last: W1 + W2 for ~3 minutes through a Redis and a PostgreSQL restart, on servers of
its own (it touches neither the bench database nor the shared servers).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from bench import common

BENCHMARKS = {  # W1 and W2 first: they reuse their data set, which W3 and W4 drop with the bench database
    "w1": "bench.w1_schedule",
    "w2": "bench.w2_booking",
    "w3": "bench.w3_provisioning",
    "w3pool": "bench.w3_pool",
    "w4": "bench.w4_migration",
    "soak": "bench.soak",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__.split("\n")[0])
    parser.add_argument("only", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default all: {', '.join(BENCHMARKS)})")
    parser.add_argument("--quick", action="store_true", help="small counts, one run, print only")
    args = parser.parse_args(argv)
    names = args.only or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")

    database_url, _redis_url = common.service_urls()
    info = common.machine_info(database_url)
    failed = []
    started = time.perf_counter()
    for name in names:
        common.say(f"== {name}: python -m {BENCHMARKS[name]}{' --quick' if args.quick else ''}")
        code = subprocess.call([sys.executable, "-m", BENCHMARKS[name], *(["--quick"] if args.quick else [])],
                               cwd=common.ROOT)
        if code:
            failed.append(name)
    minutes = (time.perf_counter() - started) / 60
    if not args.quick:
        outcome = f"; failed or warned: {', '.join(failed)} (see its section)" if failed else ""
        common.update_section("machine", f"Last `make bench`: {common.machine_line(info)}; "
                                         f"{', '.join(names)} in {minutes:.0f} min{outcome}.")
    common.say(f"done in {minutes:.1f} min" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
