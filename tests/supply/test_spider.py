"""The adstxt spider against a local forward proxy: spec 3.1 redirects, content type, 401,
errors keeping the last good data, caching, sellers.json fetch and http fallback."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import AdsTxtFile, Seller, SellersJsonFile

ROOT = Path(__file__).resolve().parents[2]
TEXT = {"Content-Type": "text/plain"}

Routes = dict[str, tuple[int, dict[str, str], bytes]]


class Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: Routes = {}
        self.log: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Proxy
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_CONNECT(self) -> None:
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.close_connection = True

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        key = f"{parts.hostname}{parts.path}"
        self.server.log.append(key)
        status, headers, body = self.server.routes.get(key, (404, {"Content-Type": "text/html"}, b"nope"))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    server = Proxy()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def crawl(proxy: Proxy, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, VIGIE_DATABASE_URL=database_url)
    done = subprocess.run(
        [sys.executable, "-c", "from vigie.cli import main; main()", "crawl", "adstxt", "--proxy", proxy.url,
         "--kind", "ads.txt", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.mark.slow
def test_spec_fetch_rules_end_to_end(proxy: Proxy, database_url: str, session: Session) -> None:
    proxy.routes = {
        # one hop out of the root domain is a valid delegation
        "delegated.com/ads.txt": (301, {"Location": "http://adstxt-host.net/delegated.txt"}, b""),
        "adstxt-host.net/delegated.txt": (200, TEXT, b"ssp.com, 1, DIRECT\n"),
        # the third party redirecting again is an error
        "twohops.com/ads.txt": (302, {"Location": "http://adstxt-host.net/hop"}, b""),
        "adstxt-host.net/hop": (302, {"Location": "http://adstxt-host.net/final.txt"}, b""),
        "adstxt-host.net/final.txt": (200, TEXT, b"ssp.com, 2, DIRECT\n"),
        # inside the root domain: any number of hops, relative Location too
        "inside.com/ads.txt": (301, {"Location": "http://www.inside.com/ads.txt"}, b""),
        "www.inside.com/ads.txt": (307, {"Location": "/files/ads.txt"}, b""),
        "www.inside.com/files/ads.txt": (200, {"Content-Type": "text/plain; charset=utf-8",
                                               "Cache-Control": "max-age=0"}, b"ssp.com, 3, RESELLER\n"),
        "html.com/ads.txt": (200, {"Content-Type": "text/html"}, b"<html>ssp.com, 4, DIRECT</html>"),
        "locked.com/ads.txt": (401, TEXT, b""),
        "ssp.com/sellers.json": (200, {"Content-Type": "application/json"},
                                 b'{"version": "1.0", "sellers": [{"seller_id": "1", "seller_type": "PUBLISHER",'
                                 b' "name": "Delegated", "domain": "delegated.com"}]}'),
    }
    done = crawl(proxy, database_url, "delegated.com", "twohops.com", "www.inside.com", "html.com",
                 "locked.com", "absent.com")
    s = session
    files = {f.domain: f for f in s.scalars(select(AdsTxtFile))}
    assert files["delegated.com"].status == "ok"
    assert files["delegated.com"].url == "http://adstxt-host.net/delegated.txt"
    assert [r.account_id for r in files["delegated.com"].records] == ["1"]
    assert files["twohops.com"].status == "error" and "third party" in files["twohops.com"].errors[0]["reason"]
    assert files["inside.com"].status == "ok" and files["inside.com"].url == "http://www.inside.com/files/ads.txt"
    assert files["html.com"].status == "error" and "text/plain" in files["html.com"].errors[0]["reason"]
    assert files["locked.com"].status == "restricted"
    assert files["absent.com"].status == "absent"
    # https was tried first for every site (refused by the proxy), then http
    assert "adstxt-host.net/final.txt" not in proxy.log
    assert s.scalars(select(SellersJsonFile)).one().ad_system == "ssp.com"
    assert [x.name for x in s.scalars(select(Seller))] == ["Delegated"]
    assert "delegated.com\tads.txt\tok" in done.stdout

    # second crawl: fresh files are skipped (7-day default, max-age=0 refetched); a 500 keeps data
    proxy.log.clear()
    proxy.routes["www.inside.com/files/ads.txt"] = (500, TEXT, b"")
    crawl(proxy, database_url, "delegated.com", "inside.com", "absent.com")
    assert "delegated.com/ads.txt" not in proxy.log and "absent.com/ads.txt" not in proxy.log
    assert "ssp.com/sellers.json" not in proxy.log
    s.expire_all()
    inside = s.scalars(select(AdsTxtFile).where(AdsTxtFile.domain == "inside.com")).one()
    assert inside.status == "ok" and [r.account_id for r in inside.records] == ["3"]
    assert "HTTP 500" in inside.errors[-1]["reason"]

    # --force refetches everything
    proxy.log.clear()
    crawl(proxy, database_url, "--force", "delegated.com")
    assert "delegated.com/ads.txt" in proxy.log and "ssp.com/sellers.json" in proxy.log


@pytest.mark.slow
def test_subdomain_and_inventory_partner_referrals(proxy: Proxy, database_url: str,
                                                   session: Session) -> None:
    proxy.routes = {
        "example.com/ads.txt": (200, TEXT, b"ssp.com, 1, DIRECT\nsubdomain=divisionone.example.com\n"
                                           b"subdomain=elsewhere.org\ninventorypartnerdomain=programmerA.com\n"),
        "divisionone.example.com/ads.txt": (200, TEXT, b"ssp.com, 5569, DIRECT\nsubdomain=deeper.example.com\n"
                                                       b"inventorypartnerdomain=second-hop.com\n"),
        "programmera.com/ads.txt": (200, TEXT, b"ssp.com, abcde, DIRECT\ninventorypartnerdomain=third.com\n"),
    }
    crawl(proxy, database_url, "--no-sellers", "example.com")
    files = {f.domain: [r.account_id for r in f.records] for f in session.scalars(select(AdsTxtFile))}
    assert files == {"example.com": ["1"], "divisionone.example.com": ["5569"], "programmera.com": ["abcde"]}
    assert not any(h.startswith(("deeper.", "second-hop.", "third.", "elsewhere.")) for h in proxy.log)
