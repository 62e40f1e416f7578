"""Source clients. Each turns one network's API into :class:`RawPost` values, incrementally:
``poll(account_handle, base_url, state)`` returns only posts newer than the cursor kept in
``state`` and the new state, which is advanced only when the walk reached the old cursor, so a
poll cut short by errors is repeated next time (duplicates are absorbed by the upsert)."""

from __future__ import annotations

from watch.sources.base import PollResult, Profile, RawPost, Source, parse_spec

__all__ = ["PollResult", "Profile", "RawPost", "Source", "get_source", "parse_spec"]


def get_source(name: str) -> type[Source]:
    from watch.sources.bluesky import BlueskySource
    from watch.sources.mastodon import MastodonSource
    from watch.sources.rss import RssSource
    from watch.sources.x import XSource

    table: dict[str, type[Source]] = {"mastodon": MastodonSource, "bluesky": BlueskySource,
                                      "x": XSource, "rss": RssSource}
    if name not in table:
        raise KeyError(name)
    return table[name]
