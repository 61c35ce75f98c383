"""Idempotency-Key for POST API views: a retried request gets the first answer, and does nothing twice.

The decorated view does not commit; `idempotent` owns the transaction:
  1. With a key, it first claims (caller, key) with INSERT … ON CONFLICT DO NOTHING RETURNING id. A
     concurrent request with the same key waits on the unique index until the first one commits, then
     finds its stored answer and replays it: one booking, the same answer, however the retries race.
  2. It runs the view inside a SAVEPOINT, so a refusal (e.g. a 409 "full") rolls back the view's
     work but its answer is still stored and replayed.
  3. It stores the status, the JSON body and the Location, and commits once.
Without a key the view just runs and the decorator commits. 5xx answers are never stored: the whole
transaction (claim included) is rolled back, so a retry runs again.

Keys are scoped to the caller ("user:<id>" or "api_key:<id>") inside the studio's schema; the same
key with a different method, path or body is a 422. Stored answers are purged after a day
(`purge_idempotent_requests`, run periodically per studio).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Response, current_app, jsonify, request
from sqlalchemy.dialects.postgresql import insert
from werkzeug.exceptions import BadRequest, HTTPException, UnprocessableEntity

from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.web.access import require_principal
from nexphys.web.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEEP_FOR = timedelta(hours=24)
_STORED_HEADERS = ("Location",)
_CLAIMED = 0  # status_code of a claimed row whose answer is not stored yet (never visible to others)


class KeyReused(UnprocessableEntity):
    problem_type = "idempotency-key-reused"
    description = f"This {HEADER} was already used with a different request; use a new key for a new request."


def _fingerprint() -> str:
    """SHA-256 of method, path and body; JSON bodies are compared by content, not by spacing or key order."""
    body = request.get_data()
    with contextlib.suppress(ValueError):  # not JSON: compare the bytes
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def _key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise BadRequest(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.")
    return key


def _caller() -> str:
    principal = require_principal()
    return f"{principal.kind}:{principal.id}"


def _claim(caller: str, key: str, fingerprint: str) -> int | None:
    """Our row's id if we claimed the key; None if it is taken (waits for a concurrent claimer to finish)."""
    return db.session.scalar(
        insert(IdempotentRequest)
        .values(caller=caller, key=key, fingerprint=fingerprint, status_code=_CLAIMED, response={},
                created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["caller", "key"])
        .returning(IdempotentRequest.id)
    )


def _replay(caller: str, key: str, fingerprint: str) -> Response:
    stored = db.session.execute(
        sa.select(IdempotentRequest.fingerprint, IdempotentRequest.status_code, IdempotentRequest.response)
        .where(IdempotentRequest.caller == caller, IdempotentRequest.key == key)
    ).one()
    db.session.rollback()  # nothing to write: end the transaction before answering
    if stored.fingerprint != fingerprint:
        raise KeyReused()
    answer = stored.response
    response = jsonify(answer.get("body"))
    response.status_code = stored.status_code
    response.mimetype = answer.get("mimetype") or "application/json"
    for name, value in (answer.get("headers") or {}).items():
        response.headers[name] = value
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _answers_specifically(exc: Exception) -> bool:
    """Whether the app has a specific answer for this error (HTTP errors, domain errors mapped on the
    blueprint), as opposed to the catch-all 500 handler."""
    if isinstance(exc, HTTPException):
        return True
    handler = current_app._find_error_handler(exc, request.blueprints)
    catch_all = current_app.error_handler_spec.get(None, {}).get(None, {}).get(Exception)
    return handler is not None and handler is not catch_all


def _run_in_savepoint(view: Callable, args: tuple, kwargs: dict) -> Response:
    """The view's answer; its work is rolled back (to the savepoint) if it raised."""
    nested = db.session.begin_nested()
    try:
        response = current_app.make_response(view(*args, **kwargs))
    except Exception as exc:
        nested.rollback()
        if not _answers_specifically(exc):
            db.session.rollback()  # nothing stored: a retry runs the request again
            raise
        return current_app.make_response(current_app.handle_user_exception(exc))
    nested.commit()
    return response


def _store(claim_id: int, response: Response) -> None:
    body = response.get_json(silent=True)
    answer = {"body": body if body is not None else response.get_data(as_text=True),
              "mimetype": response.mimetype,
              "headers": {name: response.headers[name] for name in _STORED_HEADERS if name in response.headers}}
    db.session.execute(sa.update(IdempotentRequest).where(IdempotentRequest.id == claim_id)
                       .values(status_code=response.status_code, response=answer))


def idempotent(view: Callable) -> Callable:
    """Honour Idempotency-Key on a POST API view that leaves committing to this decorator."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = _key()
        if key is None:
            response = current_app.make_response(view(*args, **kwargs))
            db.session.commit()
            return response
        caller, fingerprint = _caller(), _fingerprint()
        claim_id = _claim(caller, key, fingerprint)
        if claim_id is None:
            return _replay(caller, key, fingerprint)
        response = _run_in_savepoint(view, args, kwargs)
        if response.status_code >= 500:
            db.session.rollback()
            return response
        _store(claim_id, response)
        db.session.commit()
        return response

    return wrapper


def purge_idempotent_requests(older_than: timedelta = KEEP_FOR, now: datetime | None = None) -> int:
    """Delete stored answers older than `older_than` in the bound studio; returns how many. Caller commits."""
    cutoff = (now or utcnow()) - older_than
    result = db.session.execute(sa.delete(IdempotentRequest).where(IdempotentRequest.created_at < cutoff))
    return result.rowcount
