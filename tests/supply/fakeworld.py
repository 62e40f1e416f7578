"""A stand-in for ``demo.world.World`` that follows the documented contract (``ground_truth()``
with ``sites[].domain`` and ``ads[].page_url/network``), so the supply tests do not depend on
how the demo world is generated."""

from __future__ import annotations

from typing import Any

NETWORKS = ["Google Ad Manager", "Criteo", "Xandr", "Taboola", "Outbrain", "Equativ"]


class FakeWorld:
    def __init__(self, n_sites: int = 14) -> None:
        self.domains = [f"site{i:02d}-{name}.fr" for i, name in enumerate(
            ["lequotidien", "monjournal", "recettes", "sportinfo", "techno", "voyages", "haine",
             "complots", "armes", "tabac", "piratage", "adulte", "crime", "spam", "news", "blog"][:n_sites])]

    def ground_truth(self) -> dict[str, Any]:
        ads = []
        for i, domain in enumerate(self.domains):
            for j in range(1 + i % 3):
                ads.append({"page_url": f"http://{domain}/article-{j}.html",
                            "network": NETWORKS[(i + j) % len(NETWORKS)]})
        ads.append({"page_url": f"http://www.{self.domains[0]}/", "network": "Unknown Network"})
        return {"sites": [{"domain": d} for d in self.domains], "ads": ads}
