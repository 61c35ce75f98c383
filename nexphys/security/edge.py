"""The edge (nginx with edge.nginx.conf) run locally in front of an app, for tests and benchmarks.

Production runs the same file as docker-compose.yml's `proxy` service, its ${NEXPHYS_EDGE_*} names filled in
by the nginx image from the environment. Here they are filled in by `render`, and the result wrapped in a
main config of its own (one worker process, no access log, every path under a temporary prefix), so it
needs no root and touches nothing of the system's nginx. nginx comes from Debian's `nginx-light` package.
"""

from __future__ import annotations

import http.client
import shutil
import signal
import socket
import string
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).with_name("edge.nginx.conf")
MAIN = """\
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/edge.conf;
}}
"""


def nginx_path() -> str | None:
    """nginx's path (Debian installs it in /usr/sbin, often not on a user's PATH), or None."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def render(listen: int, upstream: str, rate: str, burst: int) -> str:
    """edge.nginx.conf with its ${NEXPHYS_EDGE_*} names filled in (nginx's own $variables untouched)."""
    return string.Template(TEMPLATE.read_text()).safe_substitute(
        NEXPHYS_EDGE_LISTEN=f"127.0.0.1:{listen}", NEXPHYS_EDGE_UPSTREAM=upstream,
        NEXPHYS_EDGE_API_RATE=rate, NEXPHYS_EDGE_API_BURST=str(burst))


@dataclass
class Edge:
    """nginx on a free port of 127.0.0.1 in front of 127.0.0.1:`upstream_port`, pacing API callers at `rate`."""

    upstream_port: int
    rate: str = "20r/s"
    burst: int = 40
    port: int = 0
    process: subprocess.Popen | None = None
    prefix: Path | None = None

    def start(self, ready_path: str = "/health/live") -> Edge:
        nginx = nginx_path()
        if nginx is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install -y nginx-light)")
        self.port = self.port or _free_port()
        self.prefix = Path(tempfile.mkdtemp(prefix="bench-edge-"))
        (self.prefix / "edge.conf").write_text(render(self.port, f"127.0.0.1:{self.upstream_port}", self.rate,
                                                      self.burst))
        (self.prefix / "nginx.conf").write_text(MAIN.format(prefix=self.prefix))
        self.process = subprocess.Popen([nginx, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"),
                                         "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited at start: {self.process.stderr.read().decode(errors='replace')}")
            try:
                if _status(self.port, ready_path) == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("nginx did not become ready")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.prefix is not None:
            shutil.rmtree(self.prefix, ignore_errors=True)
