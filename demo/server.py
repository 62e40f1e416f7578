"""The demo web's HTTP forward proxy: one local server answering for every demo host name.

Clients (Scrapy, Chromium, httpx) are configured with this server as their HTTP proxy and send
absolute-URI requests (``GET http://patriote-eveille.fr/ HTTP/1.1``), exactly as they would to
a real proxy, so crawler code does not change between the demo and the real web. Origin-form
requests fall back to the ``Host`` header. Unknown hosts get 502, ``CONNECT`` gets 405 (so
browsers fall back to plain http).

Run it alone with ``python -m demo.server --seed 7 --port 8899``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from demo import catalog as C
from demo.world import Response, World, build_world, route_key

SupplyFiles = dict[tuple[str, str], tuple[int, dict[str, str], bytes]]


def _load_supply(world: World) -> SupplyFiles:
    """ads.txt / app-ads.txt / sellers.json from ``demo.supply`` when that module exists
    (owned by the supply-path area); the world's own simple files are used otherwise."""
    try:
        mod = importlib.import_module("demo.supply")
    except ImportError:
        return {}
    fn = getattr(mod, "supply_files", None)
    if fn is None:
        return {}
    files: SupplyFiles = fn(world)
    return files


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # small header + body writes would otherwise wait ~40 ms each
    server_version = "VigieDemo/1.0"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the crawler logs what matters."""

    def _target(self) -> tuple[str, str, str]:
        raw = self.path
        if raw.startswith(("http://", "https://")):
            parts = urlsplit(raw)
            host = parts.hostname or ""
        else:
            parts = urlsplit(raw if raw.startswith("/") else "/" + raw)
            host = (self.headers.get("Host") or "").split(":", 1)[0]
        return host.lower().rstrip("."), parts.path or "/", parts.query

    def _send(self, resp: Response, head: bool = False) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for k, v in resp.headers:
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(resp.body)

    def _answer(self, head: bool = False) -> None:
        host, path, query = self._target()
        resp = self.server.respond(host, path, query)
        # discard any request body so keep-alive stays in sync
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._send(resp, head)

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_POST(self) -> None:
        self._answer()

    def do_CONNECT(self) -> None:
        body = b"CONNECT is not supported by the Vigie demo proxy: use plain http:// URLs.\n"
        self._send(Response(405, "text/plain; charset=utf-8", body, (("Allow", "GET, HEAD"),)))
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, addr: tuple[str, int], world: World, supply: SupplyFiles) -> None:
        super().__init__(addr, _Handler)
        self.world = world
        self.supply = {route_key(h, p): v for (h, p), v in supply.items()}

    def respond(self, host: str, path: str, query: str) -> Response:
        w = self.world
        sup = self.supply.get(route_key(host, path))
        if sup is not None:
            status, headers, body = sup
            ctype = next((v for k, v in headers.items() if k.lower() == "content-type"),
                         "text/plain; charset=utf-8")
            extra = tuple((k, v) for k, v in headers.items() if k.lower() not in ("content-type", "content-length"))
            return Response(status, ctype, body, extra)
        if host in (C.MASTODON_HOST, C.BSKY_HOST) and w.social is not None:
            api = w.social.handle(host, path, query)
            if api is not None:
                return api
        found = w.lookup(host, path, query)
        if found is not None:
            return found
        if w.knows_host(host) or host in self.supply_hosts:
            return Response(404, "text/html; charset=utf-8",
                            f"<html><body><h1>404 Not Found</h1><p>{host}{path}</p></body></html>".encode())
        return Response(502, "text/plain; charset=utf-8",
                        f"502 Bad Gateway: the Vigie demo proxy does not serve host {host!r} "
                        f"(offline demo web; only demo hosts are answered).\n".encode())

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients (browsers, crawlers) drop connections all the time: stay quiet about it."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    @property
    def supply_hosts(self) -> set[str]:
        return {k.split("/", 1)[0] for k in self.supply}


class DemoWeb:
    """The demo web served on ``host:port`` (port 0 picks a free one) as an HTTP proxy."""

    def __init__(self, world: World, host: str = "127.0.0.1", port: int = 0) -> None:
        self.world = world
        self._server = _Server((host, port), world, _load_supply(world))
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def proxy_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> DemoWeb:
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                            name="vigie-demo-web", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._server.serve_forever(poll_interval=0.2)

    def __enter__(self) -> DemoWeb:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.server", description="Serve the Vigie demo web.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8899)
    parser.add_argument("--write", metavar="DIR", help="also write brands.yaml, sites.yaml, seeds.txt, "
                        "activists.txt and ground_truth.json into DIR")
    args = parser.parse_args(argv)
    world = build_world(args.seed)
    if args.write:
        for path in world.write_files(args.write).values():
            print(f"wrote {path}")
    web = DemoWeb(world, args.host, args.port)
    print(f"Vigie demo web (seed {args.seed}) on proxy {web.proxy_url} — Ctrl-C to stop", flush=True)
    try:
        web.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        web._server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
