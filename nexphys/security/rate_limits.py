"""API rate limits: every /api/v1/ request counted per caller and per studio, at the studio's plan's rates.

One-minute fixed windows, each starting at its count's first request (as Flask-Limiter's fixed windows
do), counted by a before_request hook after the tenant is bound and before access is enforced, so
requests that are then refused (401, 403, 404) are counted too:

- **per caller**: an API key or a bearer access token by its secret's SHA-256 (`{t<tenant>}:key:<hash>`,
  `{t<tenant>}:token:<hash>`: counted, and refused, before anything is decoded or read, and nobody can
  spend another's allowance without its secret; each token of a person counts on its own); a person
  signed in to the pages by session cookie (`{t<tenant>}:user:<id>`); anyone else by client address
  (`{t<tenant>}:ip:<address>`,
  the visitor's behind TRUSTED_PROXY_HOPS). On the apex host `{platform}:admin:<id>` or
  `{platform}:ip:<address>`, and no studio count.
- **per studio**: all of a studio's callers together (`{t<tenant>}`), so one studio's heavy integration
  cannot take its neighbours' capacity. A request its caller's own limit refuses is not counted for the
  studio: a runaway key spends its own allowance, not its colleagues'.

The rates are the plan's `api_requests_per_minute_per_key` and `api_requests_per_minute_per_studio`
(public.plans; NULL: API_REQUESTS_PER_MINUTE_PER_KEY / _PER_STUDIO from the config, which also apply on
the apex host; 0: no API), read through the tenant cache (`cached_tenant_value`, keyed by the plan code):
no query per request. A studio moved to another plan gets its rates once its cached details change
(within half a second); a plan edited in place is seen within TENANT_REDIS_CACHE_SECONDS. A count
carries over a change of rate.

Cost: both counts are one Lua script on the app's Redis client (nexphys.kv), one round trip. A count
found over its rate is remembered by the process until its window ends (or its rate changes), and the
requests it refuses meanwhile cost no round trip and no query, only the work of answering (so a count
deleted in Redis to let a caller back in takes effect at the end of its window). Flask-Limiter,
which keeps the sign-in limits (nexphys.auth.throttle), would take six round trips here (a hit per
limit, two reads per limit for the headers): a visible share of W1 on a busy host (docs/benchmarks.md,
"W1 while another studio floods the API").

Answers: over a limit, 429 problem+json (`/problems/rate_limited`, saying whose limit and when to retry)
with Retry-After. Every counted answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset
(draft-ietf-httpapi-ratelimit-headers: Reset in seconds from now) of the limit nearest to running out.
The sign-in limits get the same headers from here: Flask-Limiter's own are off in the config, since it
would send an epoch time as RateLimit-Reset. Not counted: the OpenAPI document, and /health (not under
/api/v1).

**When Redis is down** (an error, or the app's Redis breaker open after one), each process counts in its
own memory (limits' MemoryStorage, the store of Flask-Limiter's in-memory fallback, which the sign-in
limits use then: RATELIMIT_IN_MEMORY_FALLBACK_ENABLED) until Redis answers again. Limits then hold per
gunicorn worker, so a caller may make up to (workers × its rate) a minute, and each count starts from
zero. The log says so once when it happens and once when Redis is back.

API_RATE_LIMITS (env NEXPHYS_API_RATE_LIMITS): "enforce" (the default); "report" counts and sends the
headers but refuses nothing (to see who would be refused before enforcing, and for benchmarks that drive
one studio far past any plan); "off" counts nothing.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

import redis
import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request
from flask_limiter import RateLimitExceeded
from limits.storage import MemoryStorage
from werkzeug.exceptions import HTTPException, TooManyRequests

from nexphys.extensions import db, limiter
from nexphys.kv import breaker, get_redis
from nexphys.tenancy.cache import cached_tenant_value
from nexphys.tenancy.context import current_tenant
from nexphys.tenancy.models import Plan
from nexphys.web.access import current_principal
from nexphys.web.errors import handle_http_error, problem

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1/"
UNCOUNTED_ENDPOINTS = frozenset({"web_api.openapi_document"})
MODES = ("enforce", "report", "off")
WINDOW_SECONDS = 60
KEY_PART = {"api_key": "key", "user": "user", "platform_admin": "admin"}
EXTENSION = "nexphys_api_rate_limits"
# KEYS: the caller's count[, the studio's]; ARGV: window (ms), the caller's rate. Returns {count, ms left}
# for the caller and, unless it is over its rate, for the studio. The studio's name is the keys' hash
# tag ({t7}), so both live in one slot of a Redis Cluster.
COUNT_SCRIPT = """
local function hit(key)
  local count = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  return {count, ttl}
end
local caller = hit(KEYS[1])
if #KEYS == 1 or caller[1] > tonumber(ARGV[2]) then
  return caller
end
local studio = hit(KEYS[2])
return {caller[1], caller[2], studio[1], studio[2]}
"""


@dataclass(frozen=True)
class Count:
    """One limit's state after this request: its rate, the requests counted and the seconds until reset."""

    whose: str  # "caller" | "studio" | "sign-in"
    rate: int
    used: int
    reset: int

    @property
    def over(self) -> bool:
        return self.used > self.rate

    @property
    def remaining(self) -> int:
        return max(0, self.rate - self.used)


class ApiRateLimited(TooManyRequests):
    """Over the caller's or the studio's API rate (answered as problem+json by nexphys.web.errors)."""

    problem_type = "rate_limited"


# --- who is counted, at what rate ------------------------------------------------------------------


def studio_key() -> str:
    """The studio's count, or the apex host's; in braces: the hash tag that its callers' counts share."""
    tenant = current_tenant()
    return f"{{t{tenant.id}}}" if tenant else "{platform}"


def caller_key() -> str:
    """The caller's count (see the module's docstring): the studio's key, then who is calling."""
    where, credential = studio_key(), _presented_credential()
    if credential is not None:
        # An API key or an access token by its hash: no token decoded, no database read before a refusal
        # (a request with a bearer token costs what an anonymous one does), and nobody can spend another's
        # allowance without its secret. A person's tokens are counted each on its own; new ones come only
        # from the throttled sign-in, and the studio's count bounds them all.
        part = "token" if credential.count(".") == 2 else "key"
        return f"{where}:{part}:{hashlib.sha256(credential.encode()).hexdigest()[:16]}"
    principal = _authenticated_caller() if _may_be_signed_in() else None
    if principal is None:
        return f"{where}:ip:{request.remote_addr or 'unknown'}"
    return f"{where}:{KEY_PART.get(principal.kind, principal.kind)}:{principal.id}"


def _presented_credential() -> str | None:
    """The bearer token or API key sent, read as nexphys.auth reads it (this core package names no domain)."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.headers.get("X-API-Key") or None


def _may_be_signed_in() -> bool:
    """Whether a session or remember-me cookie came: without one, nobody is signed in (no need to ask)."""
    cookies = request.cookies
    return bool(cookies) and (current_app.config["SESSION_COOKIE_NAME"] in cookies
                              or current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies)


def _authenticated_caller():
    try:
        return current_principal()
    except HTTPException:
        # A token that does not authenticate is counted by address; access control answers its 401.
        return None


def rates() -> tuple[int, int]:
    """Requests a minute per caller and per studio: the studio's plan's, else the platform's defaults."""
    config = current_app.config
    per_caller, per_studio = None, None
    tenant = current_tenant()
    if tenant is not None and tenant.plan_code is not None:
        per_caller, per_studio = cached_tenant_value(f"api-rates:{tenant.plan_code}",
                                                     lambda: _plan_rates(tenant.plan_code))
    return (per_caller if per_caller is not None else config["API_REQUESTS_PER_MINUTE_PER_KEY"],
            per_studio if per_studio is not None else config["API_REQUESTS_PER_MINUTE_PER_STUDIO"])


def _plan_rates(plan_code: str) -> tuple[int | None, int | None]:
    row = db.session.execute(
        sa.select(Plan.api_requests_per_minute_per_key, Plan.api_requests_per_minute_per_studio)
        .where(Plan.code == plan_code)).one_or_none()
    return (row[0], row[1]) if row is not None else (None, None)


# --- counting ------------------------------------------------------------------------------------


def counts(keys: list[str], limits: list[tuple[str, int]]) -> list[Count]:
    """This request counted against `keys` ((whose, rate) of each): from what this process knows is over
    its rate until its window ends (no round trip: a flood of refusals costs Redis nothing), else in Redis."""
    state = current_app.extensions[EXTENSION]
    known = _known_over(state["over"], keys, limits)
    if known is not None:
        return [known]
    counted = []
    for key, (whose, rate), (used, ms) in zip(keys, limits, _count(state, keys, limits[0][1]), strict=False):
        counted.append(Count(whose, rate, used, math.ceil(ms / 1000)))
        if used > rate:
            _remember_over(state["over"], key, counted[-1], ms)
    return counted


def _known_over(over: dict, keys: list[str], limits: list[tuple[str, int]]) -> Count | None:
    now = time.monotonic()
    for key, (_whose, rate) in zip(keys, limits, strict=False):
        entry = over.get(key)
        if entry is None:
            continue
        until, known = entry
        if until <= now or known.rate != rate:  # the window ended, or the plan's rate changed
            over.pop(key, None)
            continue
        return Count(known.whose, rate, known.used, math.ceil(until - now))
    return None


def _remember_over(over: dict, key: str, counted: Count, ms: int) -> None:
    if len(over) > 10_000:  # a sweep of ended windows now and then keeps the table small
        now = time.monotonic()
        for stale in [k for k, (until, _c) in list(over.items()) if until <= now]:  # (list: the dev server is threaded)
            over.pop(stale, None)
    over[key] = (time.monotonic() + ms / 1000, counted)


def _count(state: dict, keys: list[str], caller_rate: int) -> list[tuple[int, int]]:
    """(requests counted, ms until reset) for each of `keys` counted: in Redis, or in memory without it."""
    app = current_app._get_current_object()
    full = [f"nexphys:api-rate:{key}" for key in keys]
    if breaker(app).available:
        try:
            raw = _run_script(app, state["script"], full, caller_rate)
            if state.pop("in_memory", False):
                log.warning("API rate limits: Redis answers again, counting there")
            return [(int(raw[i]), int(raw[i + 1])) for i in range(0, len(raw), 2)]
        except redis.RedisError:
            breaker(app).failed()
    if not state.get("in_memory"):
        state["in_memory"] = True
        log.warning("API rate limits: Redis unavailable, counting in this process's memory until it answers")
    return _count_in_memory(state["memory"], full, caller_rate)


def _run_script(app: Flask, script: redis.commands.core.Script, keys: list[str], caller_rate: int) -> list:
    # EVALSHA straight away (a third cheaper in CPU than calling the Script); a Redis that lost the script
    # (restarted, flushed) gets it again.
    client, args = get_redis(app), [*keys, WINDOW_SECONDS * 1000, caller_rate]
    try:
        return client.execute_command("EVALSHA", script.sha, len(keys), *args)
    except redis.exceptions.NoScriptError:
        return script(keys=keys, args=args[len(keys):])


def _count_in_memory(memory: MemoryStorage, keys: list[str], caller_rate: int) -> list[tuple[int, int]]:
    counted = []
    for key in keys:
        used = memory.incr(key, WINDOW_SECONDS)
        counted.append((used, max(0, int((memory.get_expiry(key) - time.time()) * 1000))))
        if used > caller_rate:
            break  # as the script: a caller over its rate is not counted for its studio
    return counted


def count_api_request() -> None:
    """before_request: count an API request against its caller and its studio; 429 over either rate."""
    if not request.path.startswith(API_PREFIX) or request.endpoint in UNCOUNTED_ENDPOINTS:
        return
    mode = current_app.config["API_RATE_LIMITS"]
    if mode == "off":
        return
    caller_rate, studio_rate = rates()
    g._api_caller = caller_key()
    if current_tenant() is None:
        g._api_counts = counts([g._api_caller], [("caller", caller_rate)])
    else:
        g._api_counts = counts([g._api_caller, studio_key()], [("caller", caller_rate), ("studio", studio_rate)])
    refused = next((c for c in g._api_counts if c.over), None)
    if refused is not None and mode == "enforce":
        raise ApiRateLimited(description=_refusal(refused, g._api_caller))


# --- answers -------------------------------------------------------------------------------------


def write_headers(response: Response) -> Response:
    """after_request: the RateLimit-* headers of the limit nearest to running out; Retry-After on a 429."""
    shown = _nearest()
    if shown is None:
        return response
    response.headers["RateLimit-Limit"] = str(shown.rate)
    response.headers["RateLimit-Remaining"] = str(shown.remaining)
    response.headers["RateLimit-Reset"] = str(shown.reset)
    if response.status_code == 429:
        response.headers["Retry-After"] = str(max(shown.reset, 1))
    return response


def _nearest() -> Count | None:
    """This request's limit that is over, else the one with the fewest requests left (API or sign-in)."""
    counts = [*g.get("_api_counts", ()), *_sign_in_counts()]
    return min(counts, key=lambda c: (not c.over, c.remaining, c.reset)) if counts else None


def _sign_in_counts() -> list[Count]:
    """The sign-in limits Flask-Limiter checked in this request (POST /login, /api/v1/auth/token)."""
    counts = []
    try:
        for limit in limiter.current_limits:
            reset_time, remaining = limit.window
            used = limit.limit.amount + 1 if limit.breached else limit.limit.amount - remaining
            counts.append(Count("sign-in", limit.limit.amount, used, max(0, math.ceil(reset_time - time.time()))))
    except Exception:
        # Flask-Limiter's storage went away mid-request: an answer without these headers beats none.
        log.warning("rate limits: could not read the sign-in counters for the RateLimit headers", exc_info=True)
    return counts


def answer_sign_in_limited(exc: RateLimitExceeded):
    """A sign-in limit (Flask-Limiter's): problem+json of our kind on the API, the error page elsewhere."""
    if not request.path.startswith("/api/"):
        return handle_http_error(exc)
    shown = _nearest()
    seconds = max(1, shown.reset) if shown else 1
    return problem(429, "Too Many Requests", f"Too many sign-in attempts: at most {exc.limit.limit.amount} "
                   f"{_per(exc.limit.limit.GRANULARITY.name, exc.limit.limit.multiples)}. {_retry(seconds)}",
                   "rate_limited")


def _refusal(refused: Count, caller: str) -> str:
    per, retry = _per("minute", 1), _retry(max(1, refused.reset))
    if refused.whose == "studio":
        return f"This studio's API callers together have made {refused.rate} requests {per}, all its plan allows. " \
               f"{retry}"
    who = "This API key has" if ":key:" in caller else "This address has" if ":ip:" in caller else "You have"
    return f"{who} made {refused.rate} requests {per}, all one caller may make. {retry}"


def _per(granularity: str, multiples: int) -> str:
    return f"a {granularity}" if multiples == 1 else f"per {multiples} {granularity}s"


def _retry(seconds: int) -> str:
    return f"Try again in {seconds} second{'s' if seconds != 1 else ''}."


def init_app(app: Flask) -> None:
    """Count API requests (call after the tenant resolver, before access), write the headers, answer 429s."""
    mode = app.config.get("API_RATE_LIMITS")
    if mode not in MODES:
        raise RuntimeError(f"API_RATE_LIMITS must be one of {', '.join(MODES)}, not {mode!r}")
    if mode != "enforce":
        log.warning("API rate limits are %s: no API request is refused for its rate", mode)
    # register_script only hashes the script: no I/O until the first request.
    app.extensions[EXTENSION] = {"script": get_redis(app).register_script(COUNT_SCRIPT), "memory": MemoryStorage(),
                                 "over": {}}
    app.before_request(count_api_request)
    app.after_request(write_headers)
    app.register_error_handler(RateLimitExceeded, answer_sign_in_limited)
