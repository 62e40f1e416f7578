"""Archived posts (a JSON list or a CSV file) imported as if a source had fetched them, e.g.
screenshots of deleted posts collected by hand or an export from another tool.

Columns/keys: ``source`` (default ``archive``), ``id`` (or ``external_id``; default the URL),
``url`` (or ``post_url``), ``author``, ``created_at`` (ISO 8601), ``text``, ``lang``,
``mentions``, ``hashtags``, ``links``, ``media`` (lists; in CSV separated by ``;`` or ``|``),
``replies``, ``reposts``, ``likes``, ``reach`` (integers), ``is_repost`` (true/false),
``in_reply_to``, ``in_reply_to_author``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from vigie.errors import UserError
from watch.sources.base import RawPost, parse_time

FIELDS = {"source", "id", "external_id", "url", "post_url", "author", "created_at", "text", "lang",
          "mentions", "hashtags", "links", "media", "replies", "reposts", "likes", "reach", "is_repost",
          "in_reply_to", "in_reply_to_author", "engagement", "brands", "sites", "tactic"}


def _list(value: Any, where: str, name: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace("|", ";").split(";") if v.strip()]
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    raise UserError(f"{where}: field '{name}': expected a list")


def _int(value: Any, where: str, name: str) -> int:
    if value in (None, ""):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise UserError(f"{where}: field '{name}': expected an integer, got {value!r}") from exc


def _row_to_post(row: dict[str, Any], where: str) -> RawPost:
    unknown = sorted(set(row) - FIELDS - {"__line__"})
    if unknown:
        raise UserError(f"{where}: unknown field '{unknown[0]}'")
    url = row.get("url") or row.get("post_url") or None
    external = str(row.get("id") or row.get("external_id") or url or "").strip()
    if not external:
        raise UserError(f"{where}: field 'id': required (or 'url')")
    try:
        created = parse_time(row.get("created_at"))
    except ValueError as exc:
        raise UserError(f"{where}: field 'created_at': expected an ISO 8601 date ({exc})") from exc
    author = str(row.get("author") or "").strip().lstrip("@")
    if not author:
        raise UserError(f"{where}: field 'author': required")
    media = [{"url": m, "type": "image", "alt": None} for m in _list(row.get("media"), where, "media")]
    return RawPost(
        source=str(row.get("source") or "archive").strip().lower(), external_id=external, author=author.lower(),
        created_at=created, text=str(row.get("text") or ""), url=url, lang=(row.get("lang") or None),
        is_repost=str(row.get("is_repost") or "").strip().lower() in ("1", "true", "yes"),
        mentions=[m.lstrip("@").lower() for m in _list(row.get("mentions"), where, "mentions")],
        hashtags=[h.lstrip("#") for h in _list(row.get("hashtags"), where, "hashtags")],
        links=_list(row.get("links"), where, "links"), media=media,
        replies=_int(row.get("replies"), where, "replies"), reposts=_int(row.get("reposts"), where, "reposts"),
        likes=_int(row.get("likes"), where, "likes"), reach=_int(row.get("reach"), where, "reach"),
        in_reply_to=(row.get("in_reply_to") or None), in_reply_to_author=(row.get("in_reply_to_author") or None))


def read_archive(path: Path) -> list[RawPost]:
    """Every row validated first; a bad row raises UserError naming file, line/index and field."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text") from exc
    posts: list[RawPost] = []
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            if None in row:
                raise UserError(f"{path}:{reader.line_num}: more cells than header columns")
            posts.append(_row_to_post({k.strip(): v for k, v in row.items() if k}, f"{path}:{reader.line_num}"))
        return posts
    if path.suffix.lower() == ".jsonl":
        rows = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append((f"{path}:{n}", json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise UserError(f"{path}:{n}: invalid JSON ({exc.msg})") from exc
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from exc
        if not isinstance(data, list):
            raise UserError(f"{path}:1: expected a JSON list of posts")
        rows = [(f"{path}: item {i}", r) for i, r in enumerate(data)]
    for where, row in rows:
        if not isinstance(row, dict):
            raise UserError(f"{where}: expected an object")
        posts.append(_row_to_post(row, where))
    return posts
