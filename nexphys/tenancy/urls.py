"""A studio's address, for links made outside its own requests (emails from jobs, the CLI, the platform)."""

from __future__ import annotations

from flask import current_app


def studio_url(slug: str, custom_domain: str | None = None, scheme: str | None = None,
               port: str | int | None = None) -> str:
    """The studio's home URL: its custom domain, else `<slug>.<base domain>`, with the given port.

    Without a scheme or port (a CLI or a job, not a request), the configured ones are used; the port is
    left out in production, where a proxy serves the standard ports. With FORCE_HTTPS on, the link says
    https whatever scheme is given: plain HTTP would only be redirected.
    """
    config = current_app.config
    scheme = "https" if config.get("FORCE_HTTPS") else scheme or config["PREFERRED_URL_SCHEME"]
    if port is None and config["NEXPHYS_ENV"] != "production":
        port = config["PUBLIC_PORT"]
    if str(port) in ("", "80" if scheme == "http" else "443"):
        port = None
    host = custom_domain or f"{slug}.{config['NEXPHYS_BASE_DOMAIN']}"
    return f"{scheme}://{host}{f':{port}' if port else ''}/"
