"""A local stand-in for the Mastodon, Bluesky AppView, X API v2 and an RSS feed, serving the
real JSON shapes (Link-header paging, cursors, since_id, pagination_token), with knobs for a
429 with Retry-After, a malformed item and a deleted account."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
#: Recent, so that open cases are inside the thread-check window; only the order matters.
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)


def iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


class FakeSocial:
    def __init__(self) -> None:
        self.masto: dict[str, dict[str, Any]] = {}  # username -> {"id", "followers", "statuses"}
        self.bsky: dict[str, dict[str, Any]] = {}  # handle -> {"did", "followers", "feed"}
        self.x_users: dict[str, dict[str, Any]] = {}  # username -> {"id", "followers", "tweets", "media"}
        self.rss: dict[str, str] = {}  # path -> xml
        self.contexts: dict[str, list[dict[str, Any]]] = {}  # mastodon status id -> descendants
        self.threads: dict[str, list[dict[str, Any]]] = {}  # bluesky post uri -> reply post views
        self.gone: set[str] = set()  # mastodon usernames / bsky handles / x usernames that are deleted
        self.throttle: dict[str, int] = defaultdict(int)  # path prefix -> number of 429s left
        self.retry_after = "0"
        self.throttle_status = 429
        self.throttle_headers: dict[str, str] = {}
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> FakeSocial:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- data builders -------------------------------------------------------------------

    def add_mastodon(self, username: str, n: int, *, followers: int = 1000, start: int = 1) -> None:
        acc = self.masto.setdefault(username, {"id": str(100 + len(self.masto)), "followers": followers,
                                               "statuses": []})
        for i in range(start, start + n):
            acc["statuses"].insert(0, self.status(username, acc, i))

    def status(self, username: str, acc: dict[str, Any], i: int, **over: Any) -> dict[str, Any]:
        sid = str(110000000000000000 + i)
        s: dict[str, Any] = {
            "id": sid, "uri": f"{self.url}/users/{username}/statuses/{sid}",
            "url": f"{self.url}/@{username}/{sid}", "created_at": iso(T0 + timedelta(minutes=i)),
            "content": f"<p>Post {i} <a href=\"{self.url}/@acme\" class=\"u-url mention\">@<span>acme</span></a> "
                       f"<a href=\"https://www.example-news.fr/a/{i}\" rel=\"nofollow noopener\">"
                       f"<span class=\"invisible\">https://www.</span>example-news.fr/a/{i}</a></p>",
            "language": "fr", "in_reply_to_id": None, "in_reply_to_account_id": None, "reblog": None,
            "spoiler_text": "", "visibility": "public", "replies_count": 1, "reblogs_count": 2,
            "favourites_count": 3,
            "account": {"id": acc["id"], "username": username, "acct": username, "followers_count": acc["followers"]},
            "mentions": [{"id": "9", "username": "acme", "acct": "acme", "url": f"{self.url}/@acme"}],
            "tags": [], "media_attachments": [], "card": None,
        }
        s.update(over)
        return s

    # -- HTTP ----------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake.requests.append(self.path)
                parts = urlsplit(self.path)
                q = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                for prefix, left in list(fake.throttle.items()):
                    if left > 0 and parts.path.startswith(prefix):
                        fake.throttle[prefix] -= 1
                        headers = fake.throttle_headers or {"Retry-After": fake.retry_after}
                        self._send(fake.throttle_status, {"error": "Too many requests"}, headers)
                        return
                try:
                    fake.route(self, parts.path, q)
                except Exception as exc:
                    self._send(500, {"error": repr(exc)})

            def _send(self, code: int, body: Any, headers: dict[str, str] | None = None,
                      ctype: str = "application/json") -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def route(self, h: Any, path: str, q: dict[str, str]) -> None:
        if path.startswith("/img/"):
            h._send(200, PNG, ctype="image/png")
            return
        if path.startswith("/api/v1/statuses/") and path.endswith("/context"):
            sid = path.split("/")[4]
            if sid not in self.contexts:
                h._send(404, {"error": "Record not found"})
                return
            h._send(200, {"ancestors": [], "descendants": self.contexts[sid]})
            return
        if path == "/xrpc/app.bsky.feed.getPostThread":
            uri = q.get("uri", "")
            if uri not in self.threads:
                h._send(400, {"error": "NotFound", "message": f"Post not found: {uri}"})
                return
            h._send(200, {"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": {"uri": uri},
                                     "replies": [{"$type": "app.bsky.feed.defs#threadViewPost", "post": p,
                                                  "replies": []} for p in self.threads[uri]]}})
            return
        if path == "/api/v1/accounts/lookup":
            user = q.get("acct", "").split("@")[0]
            if user in self.gone:
                h._send(410, {"error": "Gone"})
                return
            acc = self.masto.get(user)
            if acc is None:
                h._send(404, {"error": "Record not found"})
                return
            h._send(200, {"id": acc["id"], "username": user, "acct": user, "display_name": user.title(),
                          "followers_count": acc["followers"]})
            return
        if path.startswith("/api/v1/accounts/") and path.endswith("/statuses"):
            acc_id = path.split("/")[4]
            found: tuple[str | None, dict[str, Any] | None] = next(
                ((u, a) for u, a in self.masto.items() if a["id"] == acc_id), (None, None))
            owner, acc = found
            if acc is None or owner in self.gone:
                h._send(404, {"error": "Record not found"})
                return
            items = acc["statuses"]  # newest first
            key = lambda s: (len(str(s.get("id", ""))), str(s.get("id", "")))  # noqa: E731
            if "max_id" in q:
                items = [s for s in items if key(s) < (len(q["max_id"]), q["max_id"])]
            if "since_id" in q:
                items = [s for s in items if key(s) > (len(q["since_id"]), q["since_id"])]
            limit = int(q.get("limit", 20))
            page = items[:limit]
            headers = {}
            if len(items) > limit and page:
                headers["Link"] = (f'<{self.url}/api/v1/accounts/{acc_id}/statuses?max_id={page[-1]["id"]}>; '
                                   f'rel="next", <{self.url}/api/v1/accounts/{acc_id}/statuses?min_id='
                                   f'{page[0]["id"]}>; rel="prev"')
            h._send(200, page, headers)
            return
        if path == "/xrpc/app.bsky.actor.getProfile":
            actor = q.get("actor", "")
            prof = self.bsky.get(actor) or next((p for p in self.bsky.values() if p["did"] == actor), None)
            if actor in self.gone or prof is None:
                h._send(400, {"error": "InvalidRequest", "message": "Profile not found"})
                return
            h._send(200, {"did": prof["did"], "handle": actor, "displayName": actor.split(".")[0],
                          "followersCount": prof["followers"]})
            return
        if path == "/xrpc/app.bsky.feed.getAuthorFeed":
            actor = q.get("actor", "")
            prof = self.bsky.get(actor) or next((p for p in self.bsky.values() if p["did"] == actor), None)
            if prof is None:
                h._send(400, {"error": "InvalidRequest", "message": "Profile not found"})
                return
            start = int(q.get("cursor") or 0)
            limit = int(q.get("limit", 50))
            feed = prof["feed"][start:start + limit]
            body: dict[str, Any] = {"feed": feed}
            if start + limit < len(prof["feed"]):
                body["cursor"] = str(start + limit)
            h._send(200, body)
            return
        if path.startswith("/2/users/by/username/"):
            user = path.rsplit("/", 1)[-1]
            u = self.x_users.get(user)
            if u is None or user in self.gone:
                h._send(200, {"errors": [{"detail": f"Could not find user with username: [{user}].",
                                          "title": "Not Found Error"}]})
                return
            h._send(200, {"data": {"id": u["id"], "name": user, "username": user,
                                   "public_metrics": {"followers_count": u["followers"]}}})
            return
        if path.startswith("/2/users/") and path.endswith("/tweets"):
            uid = path.split("/")[3]
            u = next((x for x in self.x_users.values() if x["id"] == uid), None)
            if u is None:
                h._send(404, {"title": "Not Found"})
                return
            items = u["tweets"]
            if "since_id" in q:
                items = [t for t in items if (len(t["id"]), t["id"]) > (len(q["since_id"]), q["since_id"])]
            start = int(q.get("pagination_token") or 0)
            limit = int(q.get("max_results", 10))
            page = items[start:start + limit]
            meta: dict[str, Any] = {"result_count": len(page)}
            if page:
                meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
            if start + limit < len(items):
                meta["next_token"] = str(start + limit)
            body = {"meta": meta}
            if page:
                body["data"] = page
                body["includes"] = {"media": u.get("media", [])}
            h._send(200, body)
            return
        if path in self.rss:
            h._send(200, self.rss[path].encode(), ctype="application/rss+xml")
            return
        h._send(404, {"error": "not found"})
