"""Follow a click chain by hand through the proxy: HTTP redirects, meta refresh and JS
``location`` pages, recording the kind of every hop."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

import httpx

META_RE = re.compile(r'<meta[^>]+http-equiv="refresh"[^>]+content="\d+;\s*url=([^"]+)"', re.I)
JS_RE = re.compile(r'(?:window\.)?location(?:\.href)?\s*=\s*"([^"]+)"')


def follow(client: httpx.Client, url: str, max_hops: int = 30) -> tuple[str, httpx.Response, list[str], bool]:
    """(final URL, final response, hop kinds, looped)."""
    kinds: list[str] = []
    seen = {url}
    while True:
        resp = client.get(url)
        nxt = None
        kind = ""
        if resp.status_code in (301, 302, 303, 307, 308):
            nxt, kind = urljoin(url, resp.headers["location"]), "302"
        elif resp.status_code == 200 and resp.headers["content-type"].startswith("text/html"):
            if m := META_RE.search(resp.text):
                nxt, kind = urljoin(url, html.unescape(m.group(1))), "meta"
            elif (m := JS_RE.search(resp.text)) and "<script>" in resp.text:
                nxt, kind = urljoin(url, m.group(1)), "js"
        if nxt is None:
            return url, resp, kinds, False
        kinds.append(kind)
        if nxt in seen or len(kinds) > max_hops:
            return nxt, resp, kinds, True
        seen.add(nxt)
        url = nxt
