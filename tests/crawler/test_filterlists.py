"""Filter lists: loading (plain, .gz, URL), versions, `vigie lists update`, the engine cache, and
EasyList matching on real requests from ../shared/data."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from crawler.filterlists import AdEngine, FilterList, installed_lists, load_list, update_lists, version_label
from tests.crawler.webserver import TestWeb
from vigie.errors import UserError

MINI = "[Adblock Plus 2.0]\n! Title: mini\n! Version: 202601010000\n||ads.example^\n##.promo-box\n"


def test_load_plain_gz_and_own(tmp_path: Path) -> None:
    plain = tmp_path / "mini.txt"
    plain.write_text(MINI)
    gz = tmp_path / "mini2.txt.gz"
    gz.write_bytes(gzip.compress(MINI.encode()))
    a, b = load_list(str(plain)), load_list(str(gz))
    assert a.text == b.text and a.version == "202601010000" and a.name == "mini"
    own = load_list("vigie")
    assert own.name == "vigie-ads" and own.version
    assert version_label([own, a]) == f"vigie-ads@{own.version}+mini@202601010000"


def test_bad_filter_list_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        load_list(str(tmp_path / "missing.txt"))
    bad = tmp_path / "bad.txt.gz"
    bad.write_bytes(b"\x1f\x8bnot gzip at all")
    with pytest.raises(UserError, match="gzip"):
        load_list(str(bad))


def test_list_without_version_header_gets_date_and_hash(tmp_path: Path) -> None:
    fl = FilterList.from_text("x", "||a.example^\n", "x")
    assert fl.version.endswith(fl.sha256[:12])


def test_lists_update_from_local_server(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    routes = {f"127.0.0.1/lists/{name}.txt": (200, {"Content-Type": "text/plain"},
                                               MINI.replace("mini", name).encode())
              for name in ("easylist", "easyprivacy", "liste_fr")}
    with TestWeb(routes) as web:  # type: ignore[arg-type]
        monkeypatch.setenv("VIGIE_LISTS_BASE_URL", f"{web.url}/lists")
        got = update_lists(data_dir / "lists")
        again = update_lists(data_dir / "lists")
    assert [g.name for g in got] == ["easylist", "easyprivacy", "liste_fr"]
    assert [g.version for g in again] == [g.version for g in got]
    installed = installed_lists(data_dir / "lists")
    assert set(installed) == {"easylist", "easyprivacy", "liste_fr"}
    assert installed["easylist"].name == "easylist-202601010000.txt"
    manifest = json.loads((data_dir / "lists" / "current.json").read_text())
    assert manifest["lists"]["liste_fr"]["url"].endswith("/lists/liste_fr.txt")
    assert load_list("easylist").version == "202601010000"


def test_engine_cache_round_trip(tmp_path: Path) -> None:
    lists = [FilterList.from_text("mini", MINI, "mem")]
    first = AdEngine(lists, tmp_path)
    assert list(tmp_path.glob("*.dat"))
    second = AdEngine(lists, tmp_path)  # deserialized
    for engine in (first, second):
        assert engine.check("http://ads.example/x.js", "http://news.example/", "script") == "||ads.example^"
        assert engine.check("http://news.example/x.js", "http://news.example/", "script") is None


def test_easylist_matching_on_real_requests(easylist_engine: AdEngine, shared_data: Path) -> None:
    """adblock-rust's real-request set names the EasyList rules each request should hit. The set
    is older than our lists, so we score the requests whose expected rules all still exist in
    today's lists: the engine must block those with a blocking rule and pass the excepted ones."""
    with gzip.open(shared_data / "requests" / "matching-test-requests.json.gz", "rt") as fh:
        requests = json.load(fh)
    sample = [r for r in random.Random(7).sample(requests, 4000)
              if r["filters"] and all(easylist_engine.engine.filter_exists(f) for f in r["filters"])]
    agree = blocked = 0
    for req in sample:
        want = (any(not f.startswith("@@") for f in req["filters"])
                and not any(f.startswith("@@") for f in req["filters"]))
        got = easylist_engine.check(req["url"], req["sourceUrl"], req["type"]) is not None
        blocked += got
        agree += want == got
    rate = agree / len(sample)
    print(f"\n[easylist matching] {agree}/{len(sample)} sampled real requests agree with their expected "
          f"EasyList verdict ({rate:.3f}); {blocked} blocked")
    assert len(sample) > 300
    assert rate >= 0.97
