"""Check an activist's claim against Vigie's own crawls: for each (brand, site) a post names,
did our crawls see that brand's ads on that site, when, and with which screenshot; and queue a
targeted recrawl so the claim is checked again now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import ActivistPost, Brand, Placement, RecrawlRequest, Site
from vigie.domains import registrable_domain


@dataclass
class Claim:
    brand_id: int
    brand: str
    site: str
    site_id: int | None
    seen: bool
    placements: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    screenshot_path: str | None = None
    page_url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"brand_id": self.brand_id, "brand": self.brand, "site": self.site, "site_id": self.site_id,
                "seen": self.seen, "placements": self.placements,
                "first_seen": self.first_seen.isoformat() if self.first_seen else None,
                "last_seen": self.last_seen.isoformat() if self.last_seen else None,
                "screenshot_path": self.screenshot_path, "page_url": self.page_url}


def check_claim(session: Session, brand_id: int, site_domain: str) -> Claim:
    """What our crawls say about one (brand, site) pair."""
    brand = session.get(Brand, brand_id)
    site = session.scalar(select(Site).where(Site.domain == site_domain))
    name = brand.name if brand else str(brand_id)
    if site is None:
        return Claim(brand_id=brand_id, brand=name, site=site_domain, site_id=None, seen=False)
    count, first, last = session.execute(
        select(func.count(Placement.id), func.min(Placement.first_seen), func.max(Placement.last_seen))
        .where(Placement.brand_id == brand_id, Placement.site_id == site.id)).one()
    if not count:
        return Claim(brand_id=brand_id, brand=name, site=site_domain, site_id=site.id, seen=False)
    latest = session.scalars(
        select(Placement).where(Placement.brand_id == brand_id, Placement.site_id == site.id)
        .order_by(Placement.screenshot_path.is_(None), Placement.last_seen.desc(), Placement.id.desc())
        .limit(1)).first()
    return Claim(brand_id=brand_id, brand=name, site=site_domain, site_id=site.id, seen=True, placements=int(count),
                 first_seen=first, last_seen=last, screenshot_path=latest.screenshot_path if latest else None,
                 page_url=latest.page.url if latest is not None else None)


def corroborate(session: Session, post: ActivistPost) -> list[Claim]:
    """Every (brand, site) pair the post claims, with what our crawls saw."""
    return [check_claim(session, int(bid), str(dom)) for bid in post.brand_ids or [] for dom in post.site_domains or []]


def _claimed_url(post: ActivistPost, domain: str) -> str | None:
    """The post's own link to the called-out page, when it gave one."""
    for link in post.links or []:
        if registrable_domain(str(link)) == domain:
            return str(link)
    return None


def queue_recrawls(session: Session, post: ActivistPost) -> list[RecrawlRequest]:
    """One pending recrawl per called-out site (the linked page when the post has one, else
    the site), unless the same one is already pending."""
    made = []
    for domain in post.site_domains or []:
        url = _claimed_url(post, str(domain))
        pending = session.scalar(select(RecrawlRequest).where(
            RecrawlRequest.status == "pending", RecrawlRequest.site_domain == domain,
            (RecrawlRequest.url == url) if url else RecrawlRequest.url.is_(None)))
        if pending is not None:
            continue
        brands = list(post.brand_ids or [])
        req = RecrawlRequest(url=url, site_domain=str(domain), brand_id=int(brands[0]) if len(brands) == 1 else None,
                             post_id=post.id, status="pending",
                             reason=f"activist post {post.url or post.external_id} claims "
                                    f"brand ads on {domain}"[:500])
        session.add(req)
        made.append(req)
    session.flush()
    return made
