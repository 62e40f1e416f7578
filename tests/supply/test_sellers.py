"""sellers.json streaming parser: real files, real-world deviations, invalid JSON, chunking."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from supply.sellers import SellersDocument, iter_sellers, parse_sellers


@pytest.mark.parametrize(
    ("name", "count", "version"),
    [("aloha-ads.com.sellers.json", 101, "1.2"), ("admaru.com.sellers.json", 45, "1.0"),
     ("adpixis.com.sellers.json", 13, "1")],
)
def test_real_files(shared_data: Path, name: str, count: int, version: str) -> None:
    data = (shared_data / "sellersjson" / name).read_bytes()
    doc = parse_sellers(data)
    assert doc.errors == []
    assert len(doc.sellers) == doc.seller_count == count == len(json.loads(data)["sellers"])
    assert doc.version == version
    # the same sellers whatever the chunk size: values split across chunks are reassembled
    for size in (1, 7, 1000):
        assert parse_sellers(data, chunk_size=size).sellers == doc.sellers
    assert parse_sellers(io.BytesIO(data)).sellers == doc.sellers


def test_real_file_fields_and_deviations(shared_data: Path) -> None:
    adpixis = parse_sellers((shared_data / "sellersjson" / "adpixis.com.sellers.json").read_bytes())
    first = adpixis.sellers[0]
    assert (first.seller_id, first.seller_type, first.domain, first.name) == (
        "1002", "PUBLISHER", "hindustantimes.com", "Hindustan Times")
    assert any("seller_id is a number" in w for w in adpixis.warnings)
    assert "version is int 1, not a string" in adpixis.warnings
    assert adpixis.contact_email == "arya@adpixis.com"

    admaru = parse_sellers((shared_data / "sellersjson" / "admaru.com.sellers.json").read_bytes())
    assert admaru.extra_keys == ["address", "email"]
    assert admaru.sellers[0].domain == "wenxuecity.com"  # domains are lower-cased

    aloha = parse_sellers((shared_data / "sellersjson" / "aloha-ads.com.sellers.json").read_bytes())
    assert aloha.contact_email == "info@aloha-ads.com"
    assert aloha.warnings == []
    assert sum(s.is_confidential for s in aloha.sellers) == 0


def test_spec_fields_and_tolerance() -> None:
    data = json.dumps({
        "version": "1.0",
        "identifiers": [{"name": "TAG-ID", "value": "abc"}],
        "sellers": [
            {"seller_id": "1", "seller_type": "publisher", "name": "P", "domain": "P.com"},
            {"seller_id": "2", "seller_type": "INTERMEDIARY", "is_confidential": 1},
            {"seller_id": "3", "seller_type": "BOTH", "name": "B", "is_passthrough": True},
            {"seller_id": "4", "seller_type": "RESELLER", "name": "X"},
            {"name": "no id"},
            "not an object",
            {"seller_id": "5", "seller_type": "PUBLISHER"},
        ],
        "ext": {"anything": 1},
    })
    doc = parse_sellers(data)
    assert [s.seller_id for s in doc.sellers] == ["1", "2", "3", "4", "5"]
    assert doc.sellers[0].seller_type == "PUBLISHER" and doc.sellers[0].domain == "p.com"
    assert doc.sellers[1].is_confidential and doc.sellers[1].name is None
    assert doc.sellers[2].is_passthrough
    assert doc.sellers[3].seller_type is None
    assert doc.identifiers == [{"name": "TAG-ID", "value": "abc"}]
    assert doc.errors == ["sellers[4]: seller_id missing or not a string", "sellers[5]: not an object"]
    assert any("sellers[3]" in w and "RESELLER" in w for w in doc.warnings)
    assert any("sellers[6]" in w and "name missing" in w for w in doc.warnings)


def test_keys_after_sellers_are_read() -> None:
    doc = parse_sellers(b'{"sellers": [{"seller_id": "1", "seller_type": "BOTH", "name": "n"}],'
                        b' "version": "1.0", "contact_email": "a@b.c"}')
    assert doc.version == "1.0" and doc.contact_email == "a@b.c" and len(doc.sellers) == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", "empty file"),
        (b"[]", "expected '{'"),
        (b'{"version": "1.0"}', "no 'sellers' array"),
        (b'{"sellers": {"a": 1}}', "'sellers' is not an array"),
        (b'{"sellers": [{"seller_id": "1"},]}', "invalid JSON"),
        (b'{"sellers": [{"seller_id": "1"}', "expected ',' or ']'"),
        (b'{"sellers": [{"seller_id": "1"} {"seller_id": "2"}]}', "expected ',' or ']'"),
        (b"<html>404</html>", "expected '{'"),
        (b'{"sellers": [' + b"[" * 100000, "JSON"),
    ],
)
def test_invalid_json_is_reported_not_raised(data: bytes, error: str) -> None:
    doc = parse_sellers(data)
    assert not doc.ok
    assert any(error in e for e in doc.errors), doc.errors


def test_sellers_before_the_error_are_kept() -> None:
    # like VandelayMedia/sellers.json: valid start, broken later
    doc = parse_sellers(b'{"sellers": [{"seller_id": "1", "seller_type": "PUBLISHER", "name": "a"},'
                        b' {"seller_id": "2", "seller_type": "PUBLISHER", "name": "b",}]}')
    assert [s.seller_id for s in doc.sellers] == ["1"]
    assert "invalid JSON at character" in doc.errors[0]


def test_streaming_yields_before_the_end() -> None:
    """A generator source: the first seller comes out before the last chunk is read."""
    read: list[int] = []

    def chunks():
        parts = [b'{"version": "1.0", "sellers": [', b'{"seller_id": "1", "seller_type": "BOTH"}',
                 b', {"seller_id": "2", "seller_type": "BOTH"}', b"]}"]
        for i, part in enumerate(parts):
            read.append(i)
            yield part

    doc = SellersDocument()
    stream = iter_sellers(chunks(), doc)
    first = next(stream)
    assert first.seller_id == "1" and max(read) < 3
    assert [s.seller_id for s in stream] == ["2"] and doc.ok


def test_large_file_streams() -> None:
    n = 50_000
    body = ",".join(json.dumps({"seller_id": str(i), "seller_type": "PUBLISHER", "name": f"s{i}",
                                "domain": f"s{i}.com"}) for i in range(n))
    data = ('{"version": "1.0", "sellers": [' + body + "]}").encode()
    count = sum(1 for _ in iter_sellers(data))
    assert count == n
