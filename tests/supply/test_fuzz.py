"""Fuzzing: neither parser raises, whatever it is given."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supply.adstxt import parse_adstxt
from supply.sellers import parse_sellers

ADSTXT_ALPHABET = st.sampled_from([
    *"abc.,;#= \t\r\n\ufeff\x00DIRECTRESELLERdirect-_/é😀",
    "google.com", ", DIRECT", ", RESELLER", "OWNERDOMAIN=", "MANAGERDOMAIN=", "contact=",
    "placeholder.example.com, placeholder, DIRECT, placeholder", "\r\n",
])
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text())
def test_adstxt_never_raises_on_text(text: str) -> None:
    result = parse_adstxt(text)
    assert all(e.line >= 0 for e in result.errors)
    assert all(r.relationship in ("DIRECT", "RESELLER") for r in result.records)


@FUZZ
@given(st.lists(ADSTXT_ALPHABET, max_size=60).map("".join), st.sampled_from([None, "example.com"]))
def test_adstxt_never_raises_on_ads_like_text(text: str, domain: str | None) -> None:
    result = parse_adstxt(text, domain)
    for r in result.records:
        assert r.ad_system and r.account_id and r.line >= 1
    parse_adstxt(text.encode("utf-8", "surrogatepass"), domain)


@FUZZ
@given(st.binary())
def test_adstxt_never_raises_on_bytes(data: bytes) -> None:
    parse_adstxt(data)


@FUZZ
@given(st.binary(), st.integers(min_value=1, max_value=64))
def test_sellers_never_raises_on_bytes(data: bytes, chunk: int) -> None:
    doc = parse_sellers(data, chunk_size=chunk)
    assert not doc.ok or doc.saw_sellers


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["seller_id", "seller_type", "name", "domain", "is_confidential", "sellers", "x"]),
        children, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(JSONISH, st.integers(min_value=1, max_value=16), st.integers(min_value=0, max_value=200))
def test_sellers_never_raises_on_json_like_input(value: object, chunk: int, cut: int) -> None:
    data = json.dumps({"version": "1.0", "sellers": value}).encode()
    parse_sellers(data, chunk_size=chunk)
    parse_sellers(data[:cut], chunk_size=chunk)  # truncated files too


SELLER = st.fixed_dictionaries(
    {"seller_id": st.one_of(st.text(min_size=1, max_size=8), st.integers()),
     "seller_type": st.sampled_from(["PUBLISHER", "INTERMEDIARY", "BOTH", "publisher", "x"])},
    optional={"name": st.text(max_size=8), "domain": st.text(max_size=8),
              "is_confidential": st.sampled_from([0, 1, True, 1.0]), "comment": st.text(max_size=4)},
)


@FUZZ
@given(st.lists(SELLER, max_size=8), st.one_of(st.text(max_size=4), st.floats(allow_nan=False), st.integers()),
       st.integers(min_value=1, max_value=9))
def test_sellers_chunking_does_not_change_the_result(sellers: list, version: object, chunk: int) -> None:
    data = json.dumps({"version": version, "sellers": sellers, "tail": [1.5, -2e3]}).encode()
    whole = parse_sellers(data, chunk_size=len(data) + 1)
    assert parse_sellers(data, chunk_size=chunk).sellers == whole.sellers
    assert whole.ok == all(str(s["seller_id"]).strip() for s in sellers)
