"""W3 with the spare-schema pool: one tenant end to end when a spare schema is ready.

    python -m bench.w3_pool [--tenants 50] [--runs 3]

Fills the pool with as many spares as tenants (not timed: the pool is refilled in the background in
production), then times register + provision for each tenant, as `bench.w3_provisioning` does, and
records p50/p95 in docs/benchmarks.md (section w3pool). Uses the bench database, recreated per run.
"""

from __future__ import annotations

import argparse
import statistics

from bench import common


def one_run(tenants: int) -> list[float]:
    from nexphys.extensions import db
    from nexphys.tenancy.pool import refill

    app = common.fresh_app(*common.service_urls())
    with app.app_context():
        refill(db.engine, tenants)
    timings = common.create_tenants(app, [common.slug(n) for n in range(1, tenants + 1)])
    common.dispose(app)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="10 tenants, one run, print only")
    args = parser.parse_args()
    if args.quick:
        args.tenants, args.runs = 10, 1
    runs = [one_run(args.tenants) for _ in range(args.runs)]
    p50s = [statistics.median(r) * 1000 for r in runs]
    p95s = [statistics.quantiles(r, n=20)[18] * 1000 for r in runs]
    fmt = lambda values: ", ".join(f"{v:.1f} ms" for v in values)  # noqa: E731
    info = common.machine_info(common.service_urls()[0])
    body = (f"## W3 with the spare-schema pool\n\n_{common.machine_line(info)}_\n\n"
            f"`python -m bench.w3_pool`: the pool filled with {args.tenants} spare schemas first (untimed; in "
            f"production the scheduler keeps NEXPHYS_SCHEMA_POOL_SIZE spares ready), then {args.tenants} tenants "
            f"created end to end as in W3, each claiming a spare by `ALTER SCHEMA … RENAME`. "
            f"Median of {args.runs} runs.\n\n"
            f"| figure | nexphys |\n|---|---|\n"
            f"| p50 | **{statistics.median(p50s):.1f} ms** ({fmt(p50s)}) |\n"
            f"| p95 | **{statistics.median(p95s):.1f} ms** ({fmt(p95s)}) |\n")
    print(body)
    if not args.quick:
        common.update_section("w3pool", body)


if __name__ == "__main__":
    main()
