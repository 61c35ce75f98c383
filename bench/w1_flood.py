"""W1 under a neighbour's flood: one studio's timetable while another studio's integration floods the API.

Two studios in a database of this benchmark's own (nexphys_bench_flood) and Redis database 11 (the other
benchmarks use nexphys_bench and 12/13, so neither run disturbs the other), each with the W1 data
set's week (bench.dataset.load_tenant):
  gym-001 (A, the flooder) on the starter plan (an API key may make 120 requests a minute, the studio 600);
  gym-002 (B, the neighbour) on a plan whose rates W1 never reaches, so B's requests are counted and carry
          the RateLimit headers but are never refused (any plan's rate would refuse a benchmark's load).
nexphys runs twice under gunicorn with nexphys/gunicorn_conf.py (4 sync workers): limits enforced, and
limits off (NEXPHYS_API_RATE_LIMITS=off) for contrast. In front of each, the edge as docker-compose.yml
runs it (nginx with nexphys/security/edge.nginx.conf, nexphys.security.edge): pacing each API caller at 20 requests
a second (a burst of 40 waits its turn) in front of the enforcing app, pacing nobody (a rate no one
reaches) in front of the other. Only one phase runs at a time.

B's W1 is `GET /api/v1/classes?date=2026-01-07`, anonymous, under wrk with B_CONNECTIONS connections
after a short warm-up. W7 (WORKLOAD.md): A's key sends the same request as fast as it is answered, with
A_CONNECTIONS wrk connections, started a second before B's run and ended after it. Phases, each one wrk
run of B:
  alone           B alone, through the edge (limits enforced)
  flooded         B while A floods, both through the edge: A paced there, refused by the app
  alone-off       B alone, edge pacing nobody, app limits off
  flooded-off     B while A floods, nothing paced or refused (what the layers spare B)
  alone-direct    B alone, straight to the enforcing app (no edge)
  flooded-direct  B while A floods, both straight to the enforcing app: the app's limits alone
A round runs every phase once; rounds alternate the order (forward, then backward), so a drift of the
machine's load weighs on both sides. Ratios are taken within a round, and the figures are medians.

    python -m bench.w1_flood            # 3 rounds of 20 s, writes its section of docs/benchmarks.md
    python -m bench.w1_flood --quick    # one round of 5 s, prints only
"""

from __future__ import annotations

import argparse
import threading
import time

from bench import common, dataset, serve
from bench.common import median, say
from nexphys.security import edge

DATABASE = "nexphys_bench_flood"
REDIS_DB = 11
PATH = "/api/v1/classes?date=2026-01-07"
SECONDS = 20
WARM_UP = 2
ROUNDS = 3
B_CONNECTIONS = 4
A_CONNECTIONS = 8
GOAL_P99_RATIO = 1.15  # "unchanged within noise", read as at most 15% more (rounds of B alone differ by more here)
FLOOD_LEAD = 1.0  # A starts this long before B's run and ends this long after it
FLOODER, NEIGHBOUR = "gym-001", "gym-002"
FLOODER_PLAN = "starter"
ROOMY_PLAN = "bench-roomy"  # B's plan: rates no benchmark reaches
ROOMY_RATE = 100_000_000
EDGE_RATE, EDGE_BURST = "20r/s", 40  # docker-compose.yml's defaults
EDGE_NO_PACE = "100000r/s"
# phase: (label, where B and A go)
PHASES = {
    "alone": ("B alone", "edge"),
    "flooded": ("B while A floods", "edge"),
    "alone-off": ("B alone, limits off", "edge-off"),
    "flooded-off": ("B while A floods, limits off", "edge-off"),
    "alone-direct": ("B alone, no edge (app limits only)", "direct"),
    "flooded-direct": ("B while A floods, no edge (app limits only)", "direct"),
}


def urls() -> tuple[str, str]:
    """(SQLAlchemy URL of this benchmark's database, its Redis URL), on the servers the others use."""
    from sqlalchemy.engine import make_url

    database_url, redis_url = common.service_urls()
    base = redis_url.rsplit("/", 1)[0]
    return make_url(database_url).set(database=DATABASE).render_as_string(hide_password=False), f"{base}/{REDIS_DB}"


def host(slug: str) -> dict[str, str]:
    return {"Host": f"{slug}.localhost"}


# --- the two studios ----------------------------------------------------------------------------


def build(database_url: str, redis_url: str) -> str:
    """Fresh database and Redis db, the two studios with the W1 week; returns A's API key."""
    import redis
    from flask_migrate import upgrade

    from nexphys.devservers import recreate_database

    recreate_database(database_url)
    redis.Redis.from_url(redis_url).flushdb()
    app = common.make_app(database_url, redis_url)
    try:
        with app.app_context():
            upgrade()
            _add_roomy_plan()
            ids = {slug: _studio(slug, plan) for slug, plan in ((FLOODER, FLOODER_PLAN), (NEIGHBOUR, ROOMY_PLAN))}
        secret = _api_key(app, ids[FLOODER])
    finally:
        common.dispose(app)
    conn = dataset.pg_connect(database_url)
    try:
        for tenant in dataset.tenants(database_url):
            dataset.load_tenant(conn, tenant)
        conn.commit()
        conn.autocommit = True
        with conn.cursor() as cur:
            for tenant in dataset.tenants(database_url):
                for table in ("users", "class_types", "class_sessions", "bookings"):
                    cur.execute(f'ANALYZE "{tenant.schema}".{table}')
    finally:
        conn.close()
    redis.Redis.from_url(redis_url).flushdb()  # no cached registry entry from before the rows were loaded
    return secret


def _add_roomy_plan() -> None:
    from nexphys.extensions import db
    from nexphys.tenancy.models import Plan

    db.session.add(Plan(code=ROOMY_PLAN, name="Bench (rates W1 never reaches)", features={},
                        api_requests_per_minute_per_key=ROOMY_RATE, api_requests_per_minute_per_studio=ROOMY_RATE))
    db.session.commit()


def _studio(slug: str, plan: str) -> int:
    from nexphys.extensions import db
    from nexphys.tenancy import services

    tenant = services.register_tenant(slug, f"Gym {slug[4:]}", plan_code=plan)
    db.session.commit()
    services.provision_tenant_now(tenant.id)
    return tenant.id


def _api_key(app, tenant_id: int) -> str:
    from nexphys.api_keys.services import create_api_key
    from nexphys.extensions import db
    from nexphys.tenancy.context import tenant_bound
    from nexphys.tenancy.resolver import load_tenant

    with app.app_context():
        with tenant_bound(load_tenant("id", str(tenant_id))):
            _key, secret = create_api_key("flooding integration", ["classes:read"], None)
            db.session.commit()
    return secret


# --- servers and runs ---------------------------------------------------------------------------


def start_servers(database_url: str, redis_url: str) -> dict:
    """The two apps and their edges: {"on", "off": serve.Server, "edge", "edge-off": edge.Edge}."""
    base = {"DATABASE_URL": f"{database_url}?application_name=bench-flood", "REDIS_URL": redis_url,
            "SECRET_KEY": common.SECRET, "NEXPHYS_BASE_DOMAIN": "localhost", "NEXPHYS_TRUSTED_PROXIES": "1"}
    started: dict = {}
    try:
        started["on"] = serve.Server("nexphys-limits", "wsgi:app",
                                     env={**base, "NEXPHYS_API_RATE_LIMITS": "enforce"}).start()
        started["off"] = serve.Server("nexphys-no-limits", "wsgi:app",
                                      env={**base, "NEXPHYS_API_RATE_LIMITS": "off"}).start()
        started["edge"] = edge.Edge(started["on"].port, EDGE_RATE, EDGE_BURST).start()
        started["edge-off"] = edge.Edge(started["off"].port, EDGE_NO_PACE, EDGE_BURST).start()
    except Exception:
        stop_servers(started)
        raise
    return started


def stop_servers(servers: dict) -> None:
    for name in ("edge", "edge-off", "on", "off"):
        if name in servers:
            servers[name].stop()


def port_of(servers: dict, where: str) -> int:
    return servers["on" if where == "direct" else where].port


def check_answers(servers: dict[str, serve.Server], secret: str) -> None:
    """B answers 200 with the headers (enforced) and without them (off); A's key works, then is refused."""
    import http.client

    for name, server in (("on", servers["on"]), ("off", servers["off"])):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", PATH, headers=host(NEIGHBOUR))
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200, (name, answer.status)
        assert (answer.getheader("RateLimit-Limit") is not None) == (name == "on"), (name, answer.getheaders())
        connection.close()
    status, body = serve.get(servers["on"].port, PATH, headers={**host(FLOODER), "X-API-Key": secret})
    assert status in (200, 429), (status, body[:300])
    assert status == 200 or b"/problems/rate_limited" in body, body[:300]


def flood(port: int, secret: str, seconds: float, out: dict) -> None:
    request = serve.Req(PATH, {**host(FLOODER), "X-API-Key": secret})
    out["result"] = serve.run_wrk(port, [request], seconds, A_CONNECTIONS)


def run_phase(phase: str, servers: dict, secret: str, seconds: float) -> dict:
    """One wrk run of B's W1 (flooded: with A's flood around it); B's result and A's."""
    port = port_of(servers, PHASES[phase][1])
    b_request = [serve.Req(PATH, host(NEIGHBOUR))]
    serve.run_wrk(port, b_request, WARM_UP, B_CONNECTIONS)
    flooder: dict = {}
    thread = None
    if phase.startswith("flooded"):
        thread = threading.Thread(target=flood, args=(port, secret, seconds + 2 * FLOOD_LEAD, flooder))
        thread.start()
        time.sleep(FLOOD_LEAD)
    b = serve.run_wrk(port, b_request, seconds, B_CONNECTIONS)
    if thread is not None:
        thread.join()
    return {"b": b, "a": flooder.get("result")}


# --- the doc ------------------------------------------------------------------------------------


def _ratio(rounds: list[dict], a: str, b: str, field: str) -> list[float]:
    return [getattr(r[a]["b"], field) / getattr(r[b]["b"], field) for r in rounds
            if a in r and b in r and getattr(r[b]["b"], field)]


def _flooder_cell(results: list[dict]) -> str:
    floods = [x["a"] for x in results if x["a"] is not None]
    if not floods:
        return "–"
    refused = sum(f.statuses.get(429, 0) for f in floods)
    total = sum(f.requests for f in floods)
    other = sum(f.non_2xx for f in floods) - refused
    return (f"{median([f.rps for f in floods]):.0f} req/s, {refused / total:.1%} answered 429"
            + (f", {other} other non-2xx" if other else ""))


def render(info: dict, rounds: list[dict], seconds: float, load: str) -> str:
    lines = [
        "### W1 while another studio floods the API (W7, issue 10)",
        "",
        f"_{common.machine_line(info)} · {load}_",
        "",
        f"`python -m bench.w1_flood`: studio B's W1 (`GET {PATH}`, anonymous) under wrk with {B_CONNECTIONS} "
        f"connections, {seconds:g} s a run after a {WARM_UP} s warm-up, alone and while studio A's integration "
        f"sends the same request with its API key as fast as it is answered, on {A_CONNECTIONS} connections "
        f"(W7; A's key may make 120 a minute, its starter plan's rate). B is on a plan whose rates W1 never "
        f"reaches: counted, never refused. nexphys under gunicorn (`nexphys/gunicorn_conf.py`, 4 sync workers) "
        f"with the limits enforced, and again with them off; in front of each the edge of docker-compose.yml "
        f"(nginx, `nexphys/security/edge.nginx.conf`, one worker process): pacing each API caller at "
        f"{EDGE_RATE} (a burst of {EDGE_BURST} waits) before the enforcing app, pacing nobody before the "
        f"other; and straight to the enforcing app without the edge. wrk, nginx, PostgreSQL, Redis and both "
        f"loads share the machine's {info['cores']} cores. {len(rounds)} round(s), each running every phase "
        f"once, in alternating order; figures are medians of the rounds (each round's in brackets).",
        "",
        "| phase | B requests/s | B p50 | B p99 | B non-2xx | A, the flooder |",
        "|---|---|---|---|---|---|",
    ]
    for phase, (label, _where) in PHASES.items():
        results = [r[phase] for r in rounds if phase in r]
        bs = [x["b"] for x in results]
        lines.append(
            f"| {label} | **{median([x.rps for x in bs]):.0f}** ({', '.join(f'{x.rps:.0f}' for x in bs)}) "
            f"| {median([x.p50_ms for x in bs]):.1f} ms | **{median([x.p99_ms for x in bs]):.1f} ms** "
            f"({', '.join(f'{x.p99_ms:.1f}' for x in bs)}) | {sum(x.non_2xx for x in bs)} | {_flooder_cell(results)} |")
    lines += ["", "Ratios within each round (median; each round's in brackets):", ""]
    for a, b, field, label in (
            ("flooded", "alone", "p99_ms", "**B's p99, flooded ÷ alone (edge and limits)**"),
            ("flooded", "alone", "p50_ms", "B's p50, flooded ÷ alone (edge and limits)"),
            ("flooded", "alone", "rps", "B's requests/s, flooded ÷ alone (edge and limits)"),
            ("flooded-off", "alone-off", "p99_ms", "B's p99, flooded ÷ alone, nothing paced or refused"),
            ("flooded-direct", "alone-direct", "p99_ms", "B's p99, flooded ÷ alone, app limits only (no edge)"),
            ("flooded-direct", "alone-direct", "rps", "B's requests/s, flooded ÷ alone, app limits only"),
            ("alone", "alone-direct", "rps", "B's requests/s alone, through the edge ÷ straight to the app "
                                             "(what the edge costs)"),
            ("alone", "alone-off", "rps", "B's requests/s alone, limits enforced ÷ off (what counting costs)")):
        values = _ratio(rounds, a, b, field)
        if values:
            lines.append(f"- {label}: **{median(values):.2f}** ({', '.join(f'{v:.2f}' for v in values)})")
    return "\n".join([*lines, "", *reading(rounds)])


def _flooder_rate(rounds: list[dict], phase: str) -> float:
    floods = [r[phase]["a"] for r in rounds if r[phase]["a"] is not None]
    return median([a.rps for a in floods]) if floods else 0.0


def reading(rounds: list[dict]) -> list[str]:
    """What the figures say, in words (the numbers are this run's)."""
    p99 = median(_ratio(rounds, "flooded", "alone", "p99_ms"))
    direct = median(_ratio(rounds, "flooded-direct", "alone-direct", "p99_ms"))
    paced, unpaced = _flooder_rate(rounds, "flooded"), _flooder_rate(rounds, "flooded-direct")
    met = p99 <= GOAL_P99_RATIO
    verdict = "within noise of its p99 alone" if met else f"{p99:.2f}× its p99 alone"
    return [
        f"Goal (issue 10: B's p99 unchanged within noise, taken as flooded ÷ alone ≤ {GOAL_P99_RATIO:.2f}, "
        f"through the edge as deployed): **{'met' if met else 'NOT met'}**.",
        "",
        f"Reading it: through the edge, while A floods, B's p99 is {verdict}. The edge holds A's requests "
        f"in line (nginx's event loop: a waiting request costs bytes, not a worker) and lets "
        f"{paced:.0f} a second through, which the app refuses for A's plan from its memory. Without the "
        f"edge the app's limits still refuse A's requests ({unpaced:.0f} a second, each before any query), "
        f"but every refusal takes a turn of one of the 4 sync workers, and a client that retries as fast "
        f"as it is answered takes as many turns as B's requests: B's p99 is then {direct:.2f}× its p99 "
        f"alone. So the app's limits decide who is refused, at the plan's rates, and the edge keeps a "
        f"runaway caller's retries from taking the workers.",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.w1_flood", description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--seconds", type=float, default=SECONDS, help=f"seconds per wrk run ({SECONDS})")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"rounds ({ROUNDS})")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--quick", action="store_true", help="5 s runs, one round, prints only")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds = 5, 1
    write = not (args.no_doc or args.quick or args.seconds < SECONDS or args.rounds < ROUNDS)
    serve.wrk_path()
    if edge.nginx_path() is None:
        raise SystemExit("nginx is not installed: `apt-get install -y nginx-light` (Debian); W7 runs the edge "
                         "(nexphys/security/edge.nginx.conf) in front of the app.")
    database_url, redis_url = urls()
    load_before = common.load_average()
    info = common.machine_info(database_url=None)
    say(f"W1 flood: building {FLOODER} and {NEIGHBOUR} in {DATABASE}, Redis db {REDIS_DB}")
    secret = build(database_url, redis_url)
    info["postgres"] = common.postgres_version(database_url)
    servers = start_servers(database_url, redis_url)
    rounds: list[dict] = []
    try:
        check_answers(servers, secret)
        for n in range(args.rounds):
            order = tuple(PHASES) if n % 2 == 0 else tuple(reversed(PHASES))
            results = {}
            for phase in order:
                results[phase] = run_phase(phase, servers, secret, args.seconds)
                b, a = results[phase]["b"], results[phase]["a"]
                say(f"  round {n + 1} {phase:14} B {b.rps:6.0f} req/s p50 {b.p50_ms:6.1f} ms p99 {b.p99_ms:6.1f} ms "
                    f"non-2xx {b.non_2xx}" + (f" | A {a.rps:6.0f} req/s {a.statuses}" if a else "")
                    + f" | load {common.load_average()}")
            rounds.append(results)
    finally:
        stop_servers(servers)
    load = f"load average {load_before} at start, {common.load_average()} at end"
    body = render(info, rounds, args.seconds, load)
    print(body)
    if write:
        common.save_results("w1_flood", {"info": info, "load": load, "rounds": [
            {phase: {k: (v.as_dict() if v else None) for k, v in r.items()} for phase, r in x.items()}
            for x in rounds]})
        common.update_section("w1-flood", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
