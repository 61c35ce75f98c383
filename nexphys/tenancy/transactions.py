"""Work that must wait for the request's (or job's) transaction to commit, such as pushing jobs that read
the rows just written. Dropped if the transaction rolls back.

A callback that raises is logged and skipped: the commit has happened, and the request that made it
must not be told it failed. Callbacks are best effort by design (what must happen is recorded in
the transaction itself, as the job outbox does).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from nexphys.extensions import db

_KEY = "nexphys_after_commit"
log = logging.getLogger(__name__)


def after_commit(callback: Callable[[], object]) -> None:
    db.session().info.setdefault(_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop(_KEY, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("an after-commit step failed (the commit stands)")


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, _previous_transaction) -> None:
    if not session.in_transaction():
        session.info.pop(_KEY, None)
