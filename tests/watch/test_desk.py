"""The response desk end to end: an activist post becomes a case, checked against our crawls,
drafted in French with those facts, approved by an analyst, answered by the brand's reply."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import (
    ActivistPost,
    Brand,
    BrandDomain,
    Case,
    ExclusionEntry,
    ExclusionList,
    Page,
    Placement,
    RecrawlRequest,
    Site,
)
from tests.watch.fakesocial import FakeSocial
from watch import desk, service
from watch.corroboration import corroborate
from watch.http import HttpClient


def seed_registry(s: Session) -> Brand:
    brand = Brand(name="Maison Verdier", aliases=["Verdier"], handles={"mastodon": "maisonverdier@127.0.0.1"})
    brand.domains.append(BrandDomain(domain="maisonverdier.fr"))
    bv = Site(domain="bvoltaire.fr", name="Boulevard Voltaire", aliases=[], worst_tier="high")
    other = Site(domain="fdesouche.com", name="Fdesouche", aliases=[])
    s.add_all([brand, bv, other])
    s.flush()
    page = Page(site_id=bv.id, url="https://www.bvoltaire.fr/article-1")
    s.add(page)
    s.flush()
    s.add(Placement(page_id=page.id, site_id=bv.id, brand_id=brand.id, fingerprint="f1",
                    screenshot_path="evidence/ads/f1.png", first_seen=datetime(2026, 11, 10, tzinfo=UTC),
                    last_seen=datetime(2026, 11, 18, 9, tzinfo=UTC)))
    excl = ExclusionList(brand_id=brand.id, kind="exclusion")
    excl.entries.append(ExclusionEntry(domain="fdesouche.com", status="approved"))
    s.add(excl)
    s.flush()
    return brand


def test_post_to_approved_french_answer_then_brand_reply(fake: FakeSocial, wsession: Session) -> None:
    brand = seed_registry(wsession)
    fake.add_mastodon("giants", 0, followers=25000)
    giants = fake.masto["giants"]
    status = fake.status("giants", giants, 1, content=(
        '<p>Bonjour <a href="x" class="u-url mention">@<span>maisonverdier</span></a>, saviez-vous que votre '
        'publicité finance <a href="https://www.bvoltaire.fr/article-1">bvoltaire.fr/article-1</a> et '
        'fdesouche.com ? Voici la capture.</p>'),
        mentions=[{"id": "77", "username": "maisonverdier", "acct": "maisonverdier", "url": "x"}],
        media_attachments=[{"id": "1", "type": "image", "url": f"{fake.url}/img/shot.png",
                            "preview_url": f"{fake.url}/img/shot-small.png", "description": "capture"}])
    giants["statuses"].insert(0, status)
    activist, _ = service.add_account(wsession, f"mastodon:{fake.url}/@giants")
    with HttpClient(retries=0) as http:
        report = service.poll_account(wsession, activist, http)
    assert (report.new, report.cases, report.recrawls) == (1, 1, 2)
    post = wsession.scalar(select(ActivistPost))
    assert post is not None
    assert post.brand_ids == [brand.id] and sorted(post.site_domains) == ["bvoltaire.fr", "fdesouche.com"]
    assert post.tactic == "proof" and post.lang == "fr" and post.reach == 25000
    assert post.media[0]["path"].startswith("evidence/posts/mastodon-")

    claims = {c.site: c for c in corroborate(wsession, post)}
    assert claims["bvoltaire.fr"].seen and claims["bvoltaire.fr"].screenshot_path == "evidence/ads/f1.png"
    assert claims["bvoltaire.fr"].page_url == "https://www.bvoltaire.fr/article-1"
    assert not claims["fdesouche.com"].seen
    reqs = wsession.scalars(select(RecrawlRequest).order_by(RecrawlRequest.site_domain)).all()
    assert [(r.site_domain, r.url, r.status) for r in reqs] == [
        ("bvoltaire.fr", "https://www.bvoltaire.fr/article-1", "pending"), ("fdesouche.com", None, "pending")]

    case = wsession.scalar(select(Case))
    assert case is not None and case.status == "new" and case.lang == "fr"
    assert case.deadline is not None
    assert (desk._aware(case.deadline) - desk._aware(post.created_at)).total_seconds() == 86400
    desk.assign(wsession, case.id, "alice", "camille")
    desk.draft(wsession, case.id, "camille")
    text = case.draft or ""
    print("\n--- draft ---\n" + text)
    assert text.startswith("@giants@127.0.0.1 Bonjour")
    assert "Boulevard Voltaire (bvoltaire.fr) pour la dernière fois le 18/11/2026" in text
    assert "Fdesouche (fdesouche.com) figure déjà sur la liste d'exclusion de Maison Verdier" in text
    assert case.status == "drafted"

    with pytest.raises(desk.PermissionDenied):
        desk.approve(wsession, case.id, "victor", "viewer")
    desk.edit(wsession, case.id, "camille", text + "\nMerci de votre vigilance.")
    desk.approve(wsession, case.id, "alice", "analyst", "ok")
    assert case.status == "approved" and case.draft.endswith("Merci de votre vigilance.")
    assert [h["action"] for h in case.history] == ["opened", "assigned", "drafted", "edited", "approved"]
    view = desk.case_dict(wsession, case)
    assert view["status"] == "approved" and view["post"]["evidence"] == [post.media[0]["path"]]
    assert {c["site"]: c["seen"] for c in view["claims"]} == {"bvoltaire.fr": True, "fdesouche.com": False}
    assert view["excluded"] == {"bvoltaire.fr": False, "fdesouche.com": True}

    # the brand answers from its own account; a poll of that account sees it
    fake.add_mastodon("maisonverdier", 0)
    mv = fake.masto["maisonverdier"]
    mv["statuses"].insert(0, fake.status("maisonverdier", mv, 2, content="<p>@giants merci, c'est corrigé.</p>",
                                         in_reply_to_id=status["id"], in_reply_to_account_id=giants["id"],
                                         mentions=[{"id": giants["id"], "username": "giants", "acct": "giants"}]))
    brand_acc, _ = service.add_account(wsession, f"mastodon:{fake.url}/@maisonverdier")
    with HttpClient(retries=0) as http:
        r = service.poll_account(wsession, brand_acc, http)
    assert r.answered == 1 and r.new == 0
    assert case.status == "answered" and case.history[-1]["action"] == "answered"


def test_english_template_and_unseen_site(wsession: Session) -> None:
    brand = seed_registry(wsession)
    post = ActivistPost(source="x", external_id="1", author="slpng_giants", created_at=datetime.now(UTC),
                        text="Did you know?", lang="en", brand_ids=[brand.id], site_domains=["unknown-site.net"])
    wsession.add(post)
    wsession.flush()
    case, created = desk.open_case(wsession, post, brand.id, hours=4)
    assert created and desk.open_case(wsession, post, brand.id)[1] is False
    desk.draft(wsession, case.id, "sam")
    text = case.draft or ""
    assert "Our crawls have not seen a Maison Verdier ad on unknown-site.net so far" in text
    assert text.startswith("@slpng_giants Hello")
    with pytest.raises(desk.UserError):
        desk.approve(wsession, 999, "a", "admin")


def test_brand_reply_found_under_the_post_answers_the_case(fake: FakeSocial, watch_db: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Without watching the brand's account: the reply is found in the post's thread."""
    from store.db import session_scope
    from tests.watch.test_sources import bsky_item

    monkeypatch.setenv("VIGIE_BSKY_APPVIEW", fake.url)
    with session_scope(watch_db) as s:
        brand = Brand(name="Acme", aliases=[], handles={"mastodon": "acme@127.0.0.1", "bluesky": "acme.bsky.social"})
        brand.domains.append(BrandDomain(domain="acme.fr"))
        s.add(brand)
        service.add_account(s, f"mastodon:{fake.url}/@giants")
        service.add_account(s, "bluesky:giants.bsky.social")
    fake.add_mastodon("giants", 2)  # both mention @acme
    item = bsky_item(1, text="Hé @acme.bsky.social ?")
    raw = item["post"]["record"]["text"].encode()
    item["post"]["record"]["facets"] = [{"index": {"byteStart": raw.index(b"@"), "byteEnd": len(raw) - 2},
                                         "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "x"}]}]
    fake.bsky["giants.bsky.social"] = {"did": "did:plc:giants", "followers": 5, "feed": [item]}
    with HttpClient(retries=0) as http:
        service.poll_all(watch_db, http=http)
        with session_scope(watch_db) as s:
            assert [c.status for c in s.scalars(select(Case)).all()] == ["new"] * 3
        fake.add_mastodon("acme", 0)
        acme = fake.masto["acme"]
        target = fake.masto["giants"]["statuses"][0]
        fake.contexts[target["id"]] = [fake.status("acme", acme, 50, content="<p>@giants on corrige.</p>",
                                                   in_reply_to_id=target["id"],
                                                   in_reply_to_account_id=fake.masto["giants"]["id"],
                                                   mentions=[{"id": fake.masto["giants"]["id"], "acct": "giants"}])]
        reply = bsky_item(2, text="@giants.bsky.social merci, c'est fait", handle="acme.bsky.social")["post"]
        reply["record"]["reply"] = {"parent": {"uri": item["post"]["uri"], "cid": "c"},
                                    "root": {"uri": item["post"]["uri"], "cid": "c"}}
        fake.threads[item["post"]["uri"]] = [reply]
        reports = service.poll_all(watch_db, http=http)
    assert reports[-1].account == "threads" and reports[-1].answered == 2
    with session_scope(watch_db) as s:
        by_post = {c.post.external_id: c.status for c in s.scalars(select(Case)).all()}
    assert by_post[target["id"]] == "answered" and by_post[item["post"]["uri"]] == "answered"
    assert sorted(by_post.values()) == ["answered", "answered", "new"]
