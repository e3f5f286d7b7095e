"""RFC 5005 archived feeds: which documents a feed is made of.

A feed with ``archive = true`` keeps its newest ``max_items`` items in the
subscription document, ``<slug>.<fmt>``. The items that fall off its end go to
archive pages ``<slug>-archive-<n>.<fmt>``, filled from the oldest item up, so
that page 1 holds the ``archive_size`` oldest items, page 2 the next ones, and
so on. The newest page is the only one that grows; once a page is full its
items, its links and so its bytes never change again when new articles arrive.
(A change to an old article rewrites the page that holds it; its removal moves
every newer archived item one place back, rewriting every page from its own to
the newest: that is the price of every article appearing exactly once.)

Links (RFC 5005, section 4):

- the subscription document: ``prev-archive`` to the newest page;
- page ``n``: ``current`` to the subscription document, ``prev-archive`` to page
  ``n - 1`` (unless ``n`` is 1), ``next-archive`` to page ``n + 1`` (unless it is
  the newest page), and ``<fh:archive/>``.

When the fallen-off items fill their last page exactly, the newest page is an
empty one, so that a full page's ``next-archive`` link never dangles and never
needs to be added later. JSON Feed's ``next_url`` ("the next n items") passes it
by: :meth:`Document.older_page` names the newest page that holds items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .config import Config, FeedConfig

T = TypeVar("T")

HISTORY_NS = "http://purl.org/syndication/history/1.0"


@dataclass(frozen=True, slots=True)
class Document(Generic[T]):
    """One file of a feed: the subscription document (``page`` None) or an archive page."""

    stem: str
    items: Sequence[T]
    page: int | None = None
    #: How many archive pages the feed has now (0 without archives).
    pages: int = 0
    #: Whether the newest of them is empty (the fallen-off items fill their pages exactly).
    newest_empty: bool = False

    @property
    def is_archive(self) -> bool:
        return self.page is not None

    def links(self, config: Config, feed: FeedConfig, fmt: str) -> list[tuple[str, str]]:
        """The RFC 5005 ``(rel, href)`` links of this document, beyond self and alternate."""
        out: list[tuple[str, str]] = []
        if self.page is None:
            if self.pages:
                out.append(("prev-archive", page_url(config, feed, self.pages, fmt)))
            return out
        out.append(("current", config.feed_url(feed.slug, fmt)))
        if self.page > 1:
            out.append(("prev-archive", page_url(config, feed, self.page - 1, fmt)))
        if self.page < self.pages:
            out.append(("next-archive", page_url(config, feed, self.page + 1, fmt)))
        return out

    def older_page(self) -> int | None:
        """The page that holds the items just older than this document's, if any: the
        page before (the newest page for the subscription document), past the newest
        page when it is empty (only the newest page can be). JSON Feed's ``next_url``."""
        n = self.pages if self.page is None else self.page - 1
        if n == self.pages and self.newest_empty:
            n -= 1
        return n or None

    def key(self) -> list[int | None]:
        """What, beyond its items, this document's bytes depend on (for fingerprints)."""
        if self.page is None:
            return [None, self.pages, int(self.newest_empty)]
        return [self.page, int(self.page < self.pages)]


def page_stem(feed: FeedConfig, n: int) -> str:
    return f"{feed.slug}-archive-{n}"


def page_url(config: Config, feed: FeedConfig, n: int, fmt: str) -> str:
    return config.feed_url(page_stem(feed, n), fmt)


def documents(feed: FeedConfig, matching: Sequence[T]) -> list[Document[T]]:
    """The documents of ``feed``, given every item it matches, newest first (uncut)."""
    current = matching[: feed.max_items]
    if not feed.archive:
        return [Document(feed.slug, current)]
    fallen = list(reversed(matching[feed.max_items :]))  # oldest first
    if not fallen:
        return [Document(feed.slug, current)]
    size = feed.archive_size or feed.max_items
    count = len(fallen) // size + 1
    empty = len(fallen) % size == 0
    docs: list[Document[T]] = [Document(feed.slug, current, None, count, empty)]
    for k in range(count):
        chunk = fallen[k * size : (k + 1) * size]
        docs.append(Document(page_stem(feed, k + 1), chunk[::-1], k + 1, count, empty))
    return docs


def is_page_of(feed: FeedConfig, stem: str) -> int | None:
    """The page number when ``stem`` names an archive page of ``feed``, else None."""
    prefix = f"{feed.slug}-archive-"
    number = stem[len(prefix) :]
    # (ASCII digits only: "²" and "١" are digits to isdigit, and int() refused the first,
    # with a traceback that stopped every build, and read the second as 1)
    if stem.startswith(prefix) and number.isascii() and number.isdigit():
        return int(number)
    return None
