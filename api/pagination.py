"""Keyset (cursor) pagination: the cursor is the last row's (sort key, id), so every page costs
one index range read whatever its depth; OFFSET would re-read every skipped row."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException
from sqlalchemy import Select, tuple_


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("dt"), str):
        return datetime.fromisoformat(value["dt"])
    return value


def encode_cursor(sort: str, key: Any, row_id: int) -> str:
    raw = json.dumps([sort, _encode_value(key), row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    """(key, id) from a cursor made for the same sort; 422 on anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if not (isinstance(data, list) and len(data) == 3 and data[0] == sort
                and isinstance(data[2], int) and not isinstance(data[2], bool)):
            raise ValueError("shape")
        key = _decode_value(data[1])
        if isinstance(key, (list, dict)):
            raise ValueError("key")
        return key, data[2]
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise HTTPException(422, "invalid cursor: pass back the 'next_cursor' of the previous page "
                                 "with the same 'sort' and 'order'") from exc


def keyset(stmt: Select[Any], key: Any, id_col: Any, *, desc: bool,
           cursor: str | None, sort_name: str) -> Select[Any]:
    """``stmt`` ordered by (key, id) and started after ``cursor``; the caller adds the limit."""
    if cursor:
        k, i = decode_cursor(cursor, sort_name)
        if isinstance(k, datetime) and k.tzinfo is not None:
            k = k.astimezone(UTC)
        cmp = tuple_(key, id_col) < tuple_(k, i) if desc else tuple_(key, id_col) > tuple_(k, i)
        stmt = stmt.where(cmp)
    if desc:
        return stmt.order_by(key.desc(), id_col.desc())
    return stmt.order_by(key.asc(), id_col.asc())


def page_out(rows: list[Any], limit: int, sort_name: str, key_of: Any, id_of: Any) -> tuple[list[Any], str | None]:
    """Split the limit+1 rows fetched into the page and the next cursor (None at the end)."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor(sort_name, key_of(last), id_of(last))
