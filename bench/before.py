"""Before and after a change, in one sitting: nexphys served from another checkout (a git worktree of an
older commit) beside this tree's, on the same data set, servers and gunicorn settings.

    git worktree add /work/base10 <commit>
    python -m bench.w1_schedule --pairs 6 --before /work/base10
    python -m bench.w2_booking --pairs 8 --before /work/base10

The 'before' server imports nexphys from the other checkout only (checked: `check_checkout`), with this
venv and nexphys/gunicorn_conf.py, and a Redis database of its own (its keys may differ from ours). Older
code runs on the data set this tree built: later migrations only add tables and columns with defaults.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from bench import common, serve

BEFORE_REDIS_DB = 12  # the other checkout's own: its Redis keys (caches, stamps) may differ from ours


def nexphys_server(database_url: str, redis_url: str, app_name: str, checkout: Path | None = None,
                   env: dict[str, str] | None = None) -> serve.Server:
    """nexphys under gunicorn; with `checkout`, the code of that other tree (this venv, these gunicorn settings)."""
    env = {"DATABASE_URL": f"{database_url}?application_name={app_name}", "REDIS_URL": redis_url,
           "SECRET_KEY": common.SECRET, "NEXPHYS_BASE_DOMAIN": "localhost", **(env or {})}
    if checkout is not None:
        # --chdir puts the checkout first on sys.path, ahead of this tree (gunicorn's cwd), so wsgi:app and
        # nexphys are imported from it (nexphys is not installed in the venv). Not PYTHONPATH as well: gunicorn
        # inserts the directory only if sys.path lacks it, which would leave this tree first.
        env.update(GUNICORN_CMD_ARGS=f"--chdir {checkout}")
        # Bytecode written under a prefix of its own shows which files were imported (check_checkout).
        env.update(PYTHONPYCACHEPREFIX=tempfile.mkdtemp(prefix="bench-before-pycache-"), PYTHONDONTWRITEBYTECODE="")
    return serve.Server("nexphys-before" if checkout else "nexphys", "wsgi:app", env=env)


def checkout_commit(checkout: Path) -> str:
    """The other checkout's commit (read only), with a mark when its tree has changes."""

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(checkout), *args], capture_output=True, text=True).stdout.strip()

    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return (git("rev-parse", "--short", "HEAD") or "?") + (" (+ uncommitted changes)" if dirty else "")


def check_checkout(server: serve.Server, checkout: Path) -> None:
    """The 'before' server imported nexphys from the other checkout, none of it from this tree."""
    prefix = Path(server.env["PYTHONPYCACHEPREFIX"])

    def imported(tree: Path) -> list[str]:
        # Not the gunicorn settings: those are this tree's on purpose (serve.GUNICORN_CONF), loaded by path.
        return [str(f) for f in (prefix / tree.relative_to("/") / "nexphys").rglob("*.pyc")
                if not f.name.startswith("gunicorn_conf.")]

    theirs, ours = imported(checkout), imported(common.ROOT)
    if not theirs or ours:
        raise SystemExit(f"the 'before' server imported {len(theirs)} nexphys modules from {checkout} and "
                         f"{len(ours)} from {common.ROOT} ({', '.join(ours[:3])}): it must run the other "
                         "checkout's code only")


def before_redis(redis_url: str) -> str:
    """Redis database 12 of the bench's Redis server, emptied: the 'before' code's own."""
    import redis

    url = f"{redis_url.rsplit('/', 1)[0]}/{BEFORE_REDIS_DB}"
    redis.Redis.from_url(url).flushdb()
    return url
