"""gunicorn settings for `make run` and the container: 4 sync workers on $PORT, the app loaded once in the master."""

import gc
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
timeout = 30
# gunicorn would take the scheme from X-Forwarded-Proto of any local client; the app's one trusted-proxy
# setting (NEXPHYS_TRUSTED_PROXIES, Werkzeug's ProxyFix) decides that instead.
forwarded_allow_ips = ""
accesslog = "-" if os.environ.get("NEXPHYS_ACCESS_LOG", "0") == "1" else None
# gunicorn's control socket has one default path per user, so two instances (a second checkout, the
# benchmarks' three apps) would take each other's; nothing here uses it.
control_socket_disable = True

# Import and build the app (wsgi:app) once, in the master; each forked worker shares those pages
# (about 85 MiB: the libraries, models, blueprints) copy-on-write instead of building its own copy.
# Safe because create_app opens no connection: PostgreSQL and Redis are first reached by a worker's
# requests. Had the master opened one, a child would not use or close it anyway: the engine's pool
# is dropped after fork (nexphys.tenancy.binding) and redis-py pools start afresh on a new pid.
# An app that fails to import now stops gunicorn at start instead of workers failing to boot.
preload_app = True


def pre_fork(server, worker):
    """In the master, just before each fork (respawns too): freeze what the master holds.

    gc.freeze() moves every object the garbage collector tracks into a permanent generation that
    no collection visits. Without it each worker's full collections would write to (and so copy)
    every shared page holding a container object, giving back most of what preloading saves.
    """
    gc.freeze()
