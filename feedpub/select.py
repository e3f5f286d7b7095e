"""Pure selection: which articles a feed gets, in which order.

No I/O and no clock: ``now`` is always passed in.
"""

from __future__ import annotations

import hashlib
import operator
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import NamedTuple, Protocol, TypeVar

from .config import Config, FeedConfig, topic_key
from .errors import UnknownTopicError


class Selectable(Protocol):
    """What selection reads of an article (an Article or a cached summary of one)."""

    @property
    def path(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def published(self) -> bool: ...
    @property
    def published_at(self) -> datetime: ...
    @property
    def topics(self) -> tuple[str, ...]: ...
    @property
    def quality(self) -> float | None: ...


T = TypeVar("T", bound="Selectable")


def order_key(article: Selectable) -> tuple[float, str]:
    """Newest first; the source path breaks ties so the order never depends on disk order."""
    return (-article.published_at.timestamp(), article.path)


class Hidden(NamedTuple):
    """A published article that another one with the same URL hides (see :func:`visible`):
    ``by`` is the one published; ``same_date`` when both have the same date (then the
    path decided)."""

    path: str
    by: str
    url: str
    same_date: bool


def visible(articles: Iterable[T], now: datetime, hidden: list[Hidden] | None = None) -> list[T]:
    """Published articles dated at or before ``now``, one per URL (the newest copy wins;
    of copies with the same date, the first by path).

    The result is in feed order (newest first, then by path). The copies that lost,
    each with the one that won, are added to ``hidden`` (sorted by path) when given.
    """
    best: dict[str, T] = {}
    losers: list[T] = []
    for a in articles:
        if a.published is not True or a.published_at > now:
            continue
        held = best.get(a.url)
        if held is None:
            best[a.url] = a
        elif order_key(a) < order_key(held):
            best[a.url] = a
            losers.append(held)
        else:
            losers.append(a)
    if hidden is not None:
        for a in sorted(losers, key=_PATH):
            winner = best[a.url]  # the final one: a loser may have beaten another first
            hidden.append(Hidden(a.path, winner.path, a.url, a.published_at == winner.published_at))
    # what sorted(key=order_key) gives, in two sorts of C-level keys (a stable sort
    # keeps the path order among articles of the same second, reversed or not)
    by_path = sorted(best.values(), key=_PATH)
    return sorted(by_path, key=_PUBLISHED_AT, reverse=True)


_PATH = operator.attrgetter("path")
_PUBLISHED_AT = operator.attrgetter("published_at")


def matches(
    article: Selectable, topic_keys: frozenset[str] | None, min_quality: float | None
) -> bool:
    if min_quality is not None and (article.quality is None or article.quality < min_quality):
        return False
    return topic_keys is None or any(topic_key(t) in topic_keys for t in article.topics)


def select(
    articles: Iterable[T],
    feed: FeedConfig,
    now: datetime,
) -> list[T]:
    """The items of ``feed`` at ``now``: visible, matching, newest first, cut to ``max_items``."""
    return pick(visible(articles, now), feed.topic_keys, feed.min_quality, feed.max_items)


def select_feeds(config: Config, articles: Sequence[T], now: datetime,
                 slugs: Sequence[str] | None = None, hidden: list[Hidden] | None = None,
                 spare: int = 0) -> dict[str, list[T]]:  # fmt: skip
    """Each feed's items at ``now`` (only the feeds ``slugs``, when given), in order; uncut
    for a feed with archives (its pages take what falls off). The articles hidden by
    another with the same URL go to ``hidden`` when given. With ``spare``, a feed without
    archives has up to that many more after its items: the next that match it."""
    feeds = [
        replace(f, max_items=len(articles) + 1) if f.archive
        else replace(f, max_items=f.max_items + spare) if spare else f
        for f in config.feeds
        if not slugs or f.slug in slugs
    ]  # fmt: skip
    return pick_all(visible(articles, now, hidden), feeds)


def pick(
    ordered: Sequence[T],
    topic_keys: frozenset[str] | None,
    min_quality: float | None,
    limit: int,
) -> list[T]:
    """From articles already in feed order (see :func:`visible`), the first ``limit`` that match."""
    out: list[T] = []
    for a in ordered:
        if matches(a, topic_keys, min_quality):
            out.append(a)
            if len(out) >= limit:
                break
    return out


def pick_all(ordered: Sequence[T], feeds: Iterable[FeedConfig]) -> dict[str, list[T]]:
    """:func:`pick` for many feeds at once, in one pass over the articles.

    Same result as calling ``pick`` per feed (a property test checks it): each
    article goes to the feeds that take its topics (found once for each set of
    topics), each feed takes what it matches until it is full, and the pass stops
    once every feed is full (a feed of a rare topic may keep it going to the end).
    """
    feeds = list(feeds)
    chosen: list[list[T]] = [[] for _ in feeds]
    room = [max(f.max_items, 0) for f in feeds]
    unfilled = sum(1 for r in room if r)
    every = [i for i, f in enumerate(feeds) if f.topic_keys is None]
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(feeds):
        for key in f.topic_keys or ():
            by_key[key].append(i)
    takers_of: dict[tuple[str, ...], list[int]] = {}  # one a set of topics met
    for a in ordered:
        if not unfilled:
            break
        takers = takers_of.get(a.topics)
        if takers is None:
            found = set(every)
            for topic in a.topics:
                found.update(by_key.get(topic_key(topic), ()))
            takers = takers_of[a.topics] = list(found)  # (each feed on its own: any order)
        for i in takers:
            if room[i] and matches(a, None, feeds[i].min_quality):
                chosen[i].append(a)
                room[i] -= 1
                if not room[i]:
                    unfilled -= 1
    return {f.slug: chosen[i] for i, f in enumerate(feeds)}


def configured_topic(config: Config, name: str) -> list[tuple[str, str]]:
    """Each feed whose topics name the topic ``name`` (in any case): its slug, and its
    spelling of the topic; in config order."""
    key = topic_key(name)
    return [(f.slug, t) for f in config.feeds if f.topic_keys and key in f.topic_keys
            for t in f.topics if topic_key(t) == key]  # fmt: skip


def near(config: Config, name: str, articles: Iterable[Selectable]) -> list[tuple[str, str]]:
    """The slugs and the articles' topics that ``name`` may be a slip for: at most five,
    each with what it is, ``("feed", "space")`` or ``("topic", "Space")`` (a message
    says which: ``the topic Space, the feed space``)."""
    import difflib  # (only for this message)

    key = topic_key(name)
    topics = {topic_key(t): t for a in articles for t in a.topics}
    for f in config.feeds:  # (a topic a feed names, that no article has yet, is one too)
        if f.topic_keys:  # (not "*")
            topics.update((topic_key(t), t) for t in f.topics if topic_key(t) not in topics)
    slugs = [f.slug for f in config.feeds]
    names = [*slugs, *sorted(set(topics.values()))]
    close = difflib.get_close_matches(name, names, n=5, cutoff=0.5)
    close += [n for n in names if key and key in topic_key(n) and n not in close][: 5 - len(close)]
    found = list(dict.fromkeys(close))  # (a slug and a topic spelt the same: one name, two things)
    labelled = [("feed", n) for n in found if n in slugs]
    labelled += [("topic", n) for n in found if n in topics.values()]
    return sorted(labelled, key=lambda kn: found.index(kn[1]))[:5]


def feed_for(config: Config, name: str, articles: Iterable[Selectable],
             limit: int | None = None) -> FeedConfig:  # fmt: skip
    """The feed ``name`` (a slug), or a feed of the topic ``name`` (any article's topic,
    or one a feed of the config names, in any case); at most ``limit`` items.
    UnknownTopicError, with close matches, when ``name`` is none of these."""
    feed = config.feed(name)
    if feed is not None:
        return feed if limit is None else replace(feed, max_items=limit)
    key = topic_key(name)
    topics = {topic_key(t): t for a in articles for t in a.topics}
    named = configured_topic(config, name)
    if key not in topics and named:  # (a feed names it, no article has it yet: an empty feed)
        topics[key] = named[0][1]
    if key not in topics:
        raise UnknownTopicError(name, near(config, name, articles), _unknown_why(config, name))
    # a topic with no ASCII letter or digit (שלום, 🚀): a slug of its key's hash, so
    # that two such topics never share a feed id, and a topic keeps its own
    slug = re.sub(r"[^a-z0-9]+", "-", key).strip("-") or (
        f"topic-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:10]}"
    )
    return FeedConfig(
        slug=slug, title=topics[key], description=f"{config.title}: {topics[key]}",
        topics=(topics[key],), topic_keys=frozenset({key}),
        max_items=limit or config.max_items, min_quality=None, formats=("rss", "atom"),
    )  # fmt: skip


def _unknown_why(config: Config, name: str) -> str:
    """What else :class:`UnknownTopicError` says of ``name``, matching nothing: that it is
    blank (``preview "  "``, ``preview "$TOPIC"`` with TOPIC a space), or, for ``*``,
    which feeds of the config take every topic, and how to preview one."""
    if name and not name.strip():
        return " (the topic is blank: nothing but white space)"
    if name and not topic_key(name):
        return " (the topic is blank: nothing but characters a reader does not see)"
    if name.strip() != "*":
        return ""
    said = ': in a feed\'s topics, "*" stands for every topic'
    every = [f for f in config.feeds if f.topic_keys is None]
    if not every:
        return f'{said}, and no feed here has topics = ["*"]'
    plain = next((f for f in every if f.min_quality is None), every[0])
    slugs = [f.slug + ("" if f.min_quality is None else f" (min_quality {f.min_quality:g})")
             for f in every]  # fmt: skip
    feeds = ", ".join(slugs[:-1]) + f" and {slugs[-1]}" if len(slugs) > 1 else slugs[0]
    which = (
        "the feeds of every topic here are" if len(slugs) > 1 else "the feed of every topic here is"
    )
    return f"{said}; {which} {feeds}: feedpub preview {plain.slug}"
