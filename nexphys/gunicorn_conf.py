"""gunicorn settings for `make run` and the container: 4 sync workers on $PORT."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
timeout = 30
accesslog = "-" if os.environ.get("NEXPHYS_ACCESS_LOG", "0") == "1" else None
