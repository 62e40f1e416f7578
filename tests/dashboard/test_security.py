"""Dashboard security: nothing readable signed out, roles enforced, CSRF on every form,
untrusted text escaped everywhere, evidence files served without path traversal."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.seed import XSS, World
from tests.dashboard.conftest import BASE, csrf_of


def pages(world: World) -> list[str]:
    return ["/", "/exposures", f"/exposures/{world.ids['placement']}", f"/exposures/{world.ids['unknown']}",
            "/sites", f"/sites/{world.ids['hate']}", "/brands", f"/brands/{world.ids['acme']}", "/desk",
            f"/desk/{world.ids['case']}", f"/desk/{world.ids['case2']}", "/exclusions", "/crawl-runs",
            f"/crawl-runs/{world.ids['run']}", "/rules", "/docs", "/evidence/run1/page.png",
            f"/exposures?brand={world.ids['acme']}"]


def test_no_page_without_login(app: FastAPI, world: World) -> None:
    with TestClient(app, base_url=BASE) as c:
        for path in pages(world):
            r = c.get(path, follow_redirects=False)
            assert r.status_code == 303, path
            assert r.headers["location"].startswith("/login?next="), path
        assert c.get("/login").status_code == 200
        assert c.get("/static/vigie.css").status_code == 200
        assert c.get("/healthz").status_code == 200
        # a forged cookie is no session
        c.cookies.set("vigie_session", "eyJ1aWQiOjF9.forged.sig")
        assert c.get("/", follow_redirects=False).status_code == 303


def test_login_rejects_wrong_password_and_open_redirects(app: FastAPI, world: World) -> None:
    with TestClient(app, base_url=BASE) as c:
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"username": "admin", "password": "wrong", "csrf_token": token})
        assert r.status_code == 401 and "role=\"alert\"" in r.text
        r = c.post("/login", data={"username": "admin", "password": "correct horse battery staple",
                                   "csrf_token": token, "next": "//evil.example/"}, follow_redirects=False)
        assert r.headers["location"] == "/"


def test_session_cookie_flags(app: FastAPI, world: World) -> None:
    with TestClient(app, base_url="https://vigie.example") as c:
        r = c.get("/login")
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    with TestClient(app, base_url=BASE) as c:  # plain http on loopback: the local demo
        assert "secure" not in c.get("/login").headers["set-cookie"].lower()


def test_every_page_renders_and_escapes_untrusted_text(login: Callable[[str], TestClient], world: World) -> None:
    c = login("admin")
    seen_escaped = set()
    for path in pages(world):
        r = c.get(path)
        assert r.status_code == 200, (path, r.text[:500])
        if not r.headers["content-type"].startswith("text/html"):
            continue
        assert XSS not in r.text, path
        assert "<script" not in r.text.lower(), path
        assert not re.search(r'href="\s*javascript:', r.text, re.I), path
        if "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text:
            seen_escaped.add(path)
        assert "Content-Security-Policy" in r.headers
    # the brand name, the page title and the post were all shown, escaped
    assert {"/brands", f"/exposures/{world.ids['placement']}", f"/desk/{world.ids['case']}"} <= seen_escaped
    r = c.get(f"/exposures/{world.ids['placement']}")
    assert "Ils nous envahissent &lt;script&gt;" in r.text  # page title
    assert "javascript:alert(3)" in r.text  # shown as text, never as a link
    r = c.get(f"/desk/{world.ids['case']}")
    assert "financez-vous hate-news.example ? &lt;script&gt;" in r.text  # the post


def test_viewer_cannot_approve_or_export(login: Callable[[str], TestClient], world: World) -> None:
    c = login("viewer")
    token = csrf_of(c.get("/exclusions").text)
    assert "/download?format=" not in c.get("/exclusions").text
    r = c.post(f"/exclusions/entries/{world.ids['entry']}/review", data={"action": "approve", "csrf_token": token})
    assert r.status_code == 403
    assert c.get(f"/exclusions/{world.ids['list']}/download?format=google-ads").status_code == 403
    assert c.get("/api/v1/placements/export?format=csv").status_code == 403
    r = c.post(f"/desk/{world.ids['case']}/draft", data={"draft": "x", "csrf_token": token})
    assert r.status_code == 403
    r = c.post(f"/desk/{world.ids['case']}/action", data={"action": "approve", "csrf_token": token})
    assert r.status_code == 403
    r = c.post(f"/brands/{world.ids['acme']}/suitability", data={"cat_adult": "all", "csrf_token": token})
    assert r.status_code == 403


def test_forms_without_csrf_are_refused(login: Callable[[str], TestClient], app: FastAPI, world: World) -> None:
    with TestClient(app, base_url=BASE) as anon:
        anon.get("/login")
        r = anon.post("/login", data={"username": "admin", "password": "correct horse battery staple"})
        assert r.status_code == 403
    c = login("admin")
    for path, data in [(f"/exclusions/entries/{world.ids['entry']}/review", {"action": "approve"}),
                       (f"/desk/{world.ids['case']}/draft", {"draft": "Bonjour"}),
                       (f"/desk/{world.ids['case']}/action", {"action": "approve"}),
                       (f"/brands/{world.ids['acme']}/suitability", {"cat_adult": "all"}),
                       ("/rules", {"text": "bonjour"}), ("/logout", {})]:
        assert c.post(path, data=data).status_code == 403, path
        assert c.post(path, data={**data, "csrf_token": "forged"}).status_code == 403, path
    assert c.get("/").status_code == 200  # still signed in


def test_buyer_approves_and_downloads(login: Callable[[str], TestClient], world: World) -> None:
    c = login("buyer")
    token = csrf_of(c.get("/exclusions").text)
    r = c.post(f"/exclusions/entries/{world.ids['entry']}/review",
               data={"action": "approve", "note": "vu", "csrf_token": token, "next": "https://evil.example/"},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    r = c.get(f"/exclusions/{world.ids['list']}/download?format=google-ads")
    assert r.status_code == 200 and "hate-news.example" in r.text
    assert c.get(f"/exclusions/{world.ids['list']}/download?format=nope").status_code == 422


def test_evidence_never_leaves_the_evidence_folder(login: Callable[[str], TestClient], world: World) -> None:
    c = login("viewer")
    r = c.get("/evidence/run1/page.png")
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG") and r.headers["content-type"] == "image/png"
    for path in ["/evidence/%2e%2e/secret.png", "/evidence/..%2fsecret.png", "/evidence/run1/..%2f..%2fsecret.png",
                 "/evidence/%2fetc%2fpasswd", "/evidence/vigie.db", "/evidence/run1/missing.png", "/evidence/"]:
        assert c.get(path).status_code == 404, path
    # the placement whose screenshot path points outside evidence/ shows no image
    r = c.get(f"/exposures/{world.ids['unknown']}")
    assert "secret.png" not in r.text and "No screenshot" in r.text


def test_language_switch_and_accept_language(login: Callable[[str], TestClient], app: FastAPI, world: World) -> None:
    with TestClient(app, base_url=BASE, headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}) as c:
        assert "Se connecter" in c.get("/login").text
    with TestClient(app, base_url=BASE, headers={"Accept-Language": "en-GB"}) as c:
        assert "Sign in" in c.get("/login").text
        r = c.get("/lang/fr?next=/login", follow_redirects=True)
        assert "Se connecter" in r.text
        assert c.get("/lang/fr?next=https://evil.example", follow_redirects=False).headers["location"] == "/"
    c2 = login("admin")
    assert "Exposures" in c2.get("/exposures").text
    c2.get("/lang/fr")
    assert "Expositions" in c2.get("/exposures").text


def test_exposures_page_filters_and_pages(login: Callable[[str], TestClient], world: World) -> None:
    c = login("viewer")
    r = c.get("/exposures")
    assert r.text.count('class="evidence-link"') == 50
    nxt = re.search(r'rel="next" href="([^"]+)"', r.text)
    assert nxt
    r2 = c.get(nxt.group(1).replace("&amp;", "&"))
    assert r2.text.count('class="evidence-link"') == 11
    r = c.get("/exposures", params={"network": "Xandr"})
    assert r.text.count('class="evidence-link"') == 1
    r = c.get("/exposures", params={"category": "hate_speech", "since": "2000-01-01", "until": "2999-01-01"})
    assert r.text.count('class="evidence-link"') == 30
    assert c.get("/exposures", params={"since": "not a date"}).status_code == 422
    assert c.get("/exposures/99999").status_code == 404


def test_desk_flow_and_running_crawl_refresh(login: Callable[[str], TestClient], world: World) -> None:
    c = login("analyst")
    url = f"/desk/{world.ids['case']}"
    token = csrf_of(c.get(url).text)
    c.post(url + "/draft", data={"draft": "Merci, nous avons retiré nos annonces.", "lang": "fr", "csrf_token": token})
    r = c.post(url + "/action", data={"action": "approve", "csrf_token": token})
    assert r.status_code == 200 and "approved" in r.text and "Merci, nous avons" in r.text
    assert '<meta http-equiv="refresh"' in c.get("/crawl-runs").text
    assert '<meta http-equiv="refresh"' in c.get(f"/crawl-runs/{world.ids['running']}").text
    assert '<meta http-equiv="refresh"' not in c.get(f"/crawl-runs/{world.ids['run']}").text
