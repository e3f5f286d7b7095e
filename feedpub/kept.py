"""The selection of the last complete build, kept for the next one, which then looks
only at the files that changed since.

A cron build of a large site finds one or two article files changed among a hundred
thousand. Selecting again from scratch takes every file's row from the cache (half a
second at 100,000) and walks them all twice, though only the changed files can change
what the feeds hold. So a complete build keeps, with its memo (see
:mod:`feedpub.incremental`):

- its listing: every path, size and mtime (:class:`feedpub.sources.Stamps`);
- each feed's *window*: its items, then up to :data:`SPARE` more articles that match
  it, in feed order, and whether these are all the articles that match it;
- the files it rejected, the articles another with the same URL hid, its ``now`` and
  the next moment one of its articles is published.

The next build compares its listing with the kept one (:func:`changed`): only the files
that differ (new, gone, of another size or mtime, or too recent to trust their mtime:
see :func:`feedpub.incremental.racy_after`) are looked at, and :func:`update` brings each
window up to date from them alone::

    window' = the window without the articles of those files
              + their new articles that are visible, match the feed and sort no later
                than the window's last article (any of them, when the window is complete)

That is the start of the feed as selecting from every file gives it, as long as:

- no article was published since (``now`` is before the kept next moment), so the
  visible articles are the kept build's, but for the changed files;
- no URL of a changed file's article, old or new, is shared with another article
  (then :func:`feedpub.select.visible` would hide one, or show one it hid);
- each window still holds its feed's items (at most :data:`SPARE` of them left).

When one of these does not hold, or more than :data:`LIMIT` files changed, or the config
did, the build selects from every row, as it always can: both ways give the same feeds
(a test compares them on random sites and random changes). Any build that writes to
the cache throws the kept selection away, and only a complete one keeps a new one, so
what is kept is always the last build's, and the cache's rows are the ones it read.
"""

from __future__ import annotations

import bisect
import json
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from . import incremental
from .cache import TOPIC_SEP, KeptParts
from .config import FeedConfig
from .errors import ArticleError
from .model import Summary
from .select import Hidden, matches, order_key
from .sources import Found, Stamps

#: The articles kept past each feed's items: the items that can leave a feed (deleted,
#: unpublished, given other topics) before it is selected from every row again.
SPARE = 10
#: Past this many changed files, a build selects from every row.
LIMIT = 1000


class Window(NamedTuple):
    """The start of a feed: its items, then up to :data:`SPARE` more that match it, in
    feed order; ``complete`` when these are all the articles that match it."""

    articles: list[Summary]
    complete: bool


def windows(feeds: Iterable[FeedConfig], picked: dict[str, list[Summary]],
            spare: int = SPARE) -> dict[str, Window]:  # fmt: skip
    """The windows of these feeds, from what :func:`feedpub.select.select_feeds` picked
    for them with ``spare`` (a feed with archives takes every article it matches)."""
    return {f.slug: Window(picked[f.slug], f.archive or len(picked[f.slug]) < f.max_items + spare)
            for f in feeds}  # fmt: skip


def shown(feeds: Iterable[FeedConfig], windows: dict[str, Window]) -> dict[str, list[Summary]]:
    """Each feed's items: the start of its window (all of it, for a feed with archives)."""
    return {f.slug: windows[f.slug].articles if f.archive else windows[f.slug].articles[: f.max_items]
            for f in feeds}  # fmt: skip


class Kept(NamedTuple):
    """What a complete build kept of its selection."""

    #: what it was asked to do (:func:`feedpub.incremental.setup_key`)
    setup: str
    now: datetime
    #: the next moment one of its articles is published
    upcoming: datetime | None
    stamps: Stamps
    windows: dict[str, Window]
    #: the article files it rejected (not what the listing found unusable)
    errors: list[ArticleError]
    hidden: list[Hidden]


def dump(kept: Kept, last: Kept | None = None) -> KeptParts:
    """``kept`` as the cache stores it: its part ``selection`` (JSON: all but the windows
    and the listing), ``paths``, ``sizes`` and ``mtimes`` (the listing), and a part a
    window, ``feed:<slug>`` (JSON, its articles a column a field). With the ``last``
    selection, as :func:`load` read it from the cache, the parts that did not change are
    not written again: the windows that are ``last``'s own (a build that changed a few
    files brings a few windows up to date), and the paths when they are the same."""
    selection = {
        "setup": kept.setup,
        "now": kept.now.isoformat(),
        "upcoming": kept.upcoming.isoformat() if kept.upcoming else None,
        "feeds": list(kept.windows),
        "errors": [[e.path, e.line, e.message] for e in kept.errors],
        "hidden": [list(h) for h in kept.hidden],
    }
    stamps = kept.stamps
    write: dict[str, str | bytes] = {
        # ASCII JSON, and paths as bytes: a name that is not UTF-8 holds lone surrogates
        "selection": json.dumps(selection),
        "sizes": stamps.sizes.tobytes(),
        "mtimes": stamps.mtimes.tobytes(),
    }
    if last is None or last.stamps.paths != stamps.paths:
        write["paths"] = stamps.paths.encode("utf-8", "surrogatepass")
    for slug, window in kept.windows.items():
        if last is None or last.windows.get(slug) is not window:
            write[f"feed:{slug}"] = _window_json(window)
    names = {"selection", "paths", "sizes", "mtimes", *(f"feed:{slug}" for slug in kept.windows)}
    return KeptParts(write, frozenset(names))


def _window_json(window: Window) -> str:
    """A window as JSON: its articles a column a field (a column of plain values encodes
    and decodes several times faster than a list an article)."""
    a = window.articles
    return json.dumps([
        window.complete,
        [s.path for s in a],
        [s.url for s in a],
        [s.published_at.isoformat() for s in a],
        [TOPIC_SEP.join(s.topics) for s in a],
        [s.quality for s in a],
        [s.digest for s in a],
    ])  # fmt: skip


def setup_of(parts: Mapping[str, str | bytes] | None) -> str | None:
    """The ``setup`` of what :func:`dump` stored (what the last build was asked to do),
    without the rest; None for none, or for a damaged one."""
    try:
        setup = json.loads(parts["selection"])["setup"] if parts is not None else None
    except (ValueError, LookupError, TypeError):
        return None
    return setup if isinstance(setup, str) else None


def load(parts: Mapping[str, str | bytes] | None) -> Kept | None:
    """What :func:`dump` stored, again; None for none, or for a damaged one."""
    if parts is None:
        return None
    try:
        selection = json.loads(parts["selection"])
        paths, sizes, mtimes = parts["paths"], parts["sizes"], parts["mtimes"]
        if not (
            isinstance(paths, bytes) and isinstance(sizes, bytes) and isinstance(mtimes, bytes)
        ):
            return None
        stamps = Stamps(paths.decode("utf-8", "surrogatepass"), array("q"), array("q"))
        stamps.sizes.frombytes(sizes)
        stamps.mtimes.frombytes(mtimes)
        if not len(stamps.sizes) == len(stamps.mtimes) == stamps.paths.count("\0"):
            return None
        when_of = datetime.fromisoformat
        topics_of: dict[str, tuple[str, ...]] = {"": ()}  # a few hundred distinct sets
        windows = {}
        for slug in selection["feeds"]:
            complete, *columns = json.loads(parts[f"feed:{slug}"])
            articles = []
            for path, url, when, topics, quality, digest in zip(*columns, strict=True):
                tuple_ = topics_of.get(topics)
                if tuple_ is None:
                    tuple_ = topics_of[topics] = tuple(topics.split(TOPIC_SEP))
                articles.append(Summary(path, url, True, when_of(when), tuple_, quality, digest))
            windows[slug] = Window(articles, bool(complete))
        upcoming = selection["upcoming"]
        return Kept(
            selection["setup"],
            when_of(selection["now"]),
            when_of(upcoming) if upcoming is not None else None,
            stamps,
            windows,
            [ArticleError(p, line, message) for p, line, message in selection["errors"]],
            [Hidden(*h) for h in selection["hidden"]],
        )
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


class Changed(NamedTuple):
    """The files listed that are new, or changed since the kept selection (or too
    recent to tell); the paths kept that are listed no more; the paths of both."""

    found: Found
    gone: list[str]
    paths: frozenset[str]


def unstamped(stamps: Stamps, paths: Sequence[str]) -> Stamps:
    """``stamps`` with the files ``paths`` (ones that could not be read) stamped as no
    file is (mtime -1): :func:`changed` finds them changed, so the next build reads them
    again (made readable, their size and mtime are the same), and only them."""
    where = set(paths)
    mtimes = array(stamps.mtimes.typecode, stamps.mtimes)
    for i, p in enumerate(stamps.paths.split("\0")[:-1]):
        if p in where:
            mtimes[i] = -1
    return Stamps(stamps.paths, stamps.sizes, mtimes)


def changed(kept: Kept, found: Found, racy: int) -> Changed | None:
    """What changed between the kept listing and ``found``: files modified after ``racy``
    (ns) count as changed. None when more than :data:`LIMIT` files did (or when the
    listing cannot be compared)."""
    stamps = found.stamps()
    if stamps is None:
        return None
    old = kept.stamps
    if stamps.paths == old.paths:  # the common case: the same files, a few edited
        places = _differing(stamps, old, racy)
        gone: list[str] = []
    else:
        where = {p: i for i, p in enumerate(old.paths.split("\0")[:-1])}
        places = []
        for j, p in enumerate(stamps.paths.split("\0")[:-1]):
            i = where.pop(p, None)
            if i is None or _differs(stamps, j, old, i, racy):
                places.append(j)
        gone = list(where)
    if len(places) + len(gone) > LIMIT:
        return None
    files = found.sources_at(places)
    return Changed(Found.of(files), gone, frozenset([*(s.path for s in files), *gone]))


#: The files compared at a time, as two slices of each array, before one by one.
_BLOCK = 4096


def _differing(new: Stamps, old: Stamps, racy: int) -> list[int]:
    """The places where two listings of the same paths differ, or where a file is too
    recent to tell."""
    out: list[int] = []
    n = len(new.sizes)
    for start in range(0, n, _BLOCK):
        end = min(start + _BLOCK, n)
        mtimes = new.mtimes[start:end]
        if (mtimes == old.mtimes[start:end] and new.sizes[start:end] == old.sizes[start:end]
                and max(mtimes) < racy):  # fmt: skip
            continue
        out += [i for i in range(start, end) if _differs(new, i, old, i, racy)]
    return out


def _differs(new: Stamps, j: int, old: Stamps, i: int, racy: int) -> bool:
    """Whether the file at place ``j`` of ``new`` may differ from that at ``i`` of ``old``."""
    return new.sizes[j] != old.sizes[i] or new.mtimes[j] != old.mtimes[i] or new.mtimes[j] >= racy


def update(kept: Kept, feeds: Sequence[FeedConfig], since: Changed, summaries: list[Summary],
           now: datetime, holders: Callable[[set[str]], set[str] | None],
           spare: int = SPARE) -> dict[str, Window] | None:  # fmt: skip
    """Each feed's window at ``now``, from the kept ones and the ``summaries`` of the
    files ``since`` names (the others' are as kept); None when it cannot be told so (see
    the module's docstring). ``holders(urls)``: the paths of every file whose article
    has one of these URLs (None when unknown). A window keeps at most ``spare``
    articles past its feed's items."""
    if now < kept.now or (kept.upcoming is not None and now >= kept.upcoming):
        return None  # maybe an article published since: every one must be looked at
    paths = since.paths
    if any(h.path in paths or h.by in paths for h in kept.hidden):
        return None
    arrivals = sorted((s for s in summaries if s.published and s.published_at <= now),
                      key=order_key)  # fmt: skip
    urls = {s.url for s in arrivals}
    if len(urls) < len(arrivals):
        return None
    if urls:
        held = holders(urls)
        if held is None or not held <= paths:
            return None
    if not summaries and all(s.path in paths for w in kept.windows.values() for s in w.articles):
        return None  # maybe no article left at all: the empty-content guard must know
    out: dict[str, Window] = {}
    for feed in feeds:
        window = kept.windows.get(feed.slug)
        if window is None:
            return None
        articles = [s for s in window.articles if s.path not in paths]
        joining = [s for s in arrivals if matches(s, feed.topic_keys, feed.min_quality)]
        if not joining and len(articles) == len(window.articles):
            out[feed.slug] = window
            continue
        complete = window.complete
        if not complete:
            if not window.articles:
                return None
            bound = order_key(window.articles[-1])
            joining = [s for s in joining if order_key(s) <= bound]
        for s in joining:
            bisect.insort(articles, s, key=order_key)
        if feed.archive:  # a window of every article it matches
            if not complete:
                return None
        elif len(articles) > feed.max_items + spare:
            del articles[feed.max_items + spare :]
            complete = False
        elif len(articles) < feed.max_items and not complete:
            return None  # more items left than there were spares
        out[feed.slug] = Window(articles, complete)
    return out


def upcoming(kept: Kept, summaries: Iterable[Summary], now: datetime) -> datetime | None:
    """The next moment an article is published, after ``now``, from the kept one and the
    changed files' ``summaries``: never later than the true one (a changed file's article
    was maybe the one; then the build at that moment selects from every row)."""
    dates = (incremental.upcoming(summaries, now), kept.upcoming)
    return min((d for d in dates if d is not None), default=None)


def errors(kept: Kept, since: Changed, errors: list[ArticleError]) -> list[ArticleError]:
    """The rejections of a build that looked only at the changed files, which found
    ``errors`` (what the listing found unusable, the changed files it rejected): with the
    kept ones of the other files, in the order a build that looks at every file gives."""
    others = [e for e in kept.errors if e.path not in since.paths]
    return sorted([*errors, *others], key=lambda e: (e.path, e.line))
