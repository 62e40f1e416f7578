"""A tiny threaded HTTP server for crawler tests: answers as an origin (``Host`` header) and as
a forward proxy (absolute-URI requests), so tests can use made-up host names."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Route = tuple[int, dict[str, str], bytes] | Callable[[], tuple[int, dict[str, str], bytes]]


def html(body: str, status: int = 200) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8")


def redirect(location: str, status: int = 302) -> tuple[int, dict[str, str], bytes]:
    return status, {"Location": location, "Content-Type": "text/html"}, b""


class TestWeb:
    __test__ = False
    """``routes`` maps ``host/path?query`` (no scheme, no port) to a response."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.hits: list[str] = []
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                raw = self.path
                if raw.startswith("http://"):
                    parts = urlsplit(raw)
                    host = parts.hostname or ""
                else:
                    parts = urlsplit(raw)
                    host = (self.headers.get("Host") or "").split(":")[0]
                key = f"{host}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
                web.hits.append(key)
                route = web.routes.get(key)
                if route is None and parts.path == "/robots.txt":
                    route = (404, {"Content-Type": "text/plain"}, b"")
                if route is None:
                    route = (404, {"Content-Type": "text/html"}, b"<html><body>not found</body></html>")
                status, headers, body = route() if callable(route) else route
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> TestWeb:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
