"""The site-wide files, rendered and checked: ``feeds.opml`` (:mod:`.opml`) and
``index.html`` (:mod:`.page`).

Pure: every feed's items in, bytes and problems out; :mod:`feedpub.build`
writes them. Both files list every feed of the config and take their date from
the newest item of any feed, so an unchanged site gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..config import Config
from ..formats.items import EMPTY_FEED_DATE
from ..model import Headline, Summary
from ..select import Selectable
from .opml import FILENAME as OPML_FILENAME
from .opml import check_opml, render_opml
from .page import FILENAME as PAGE_FILENAME
from .page import HEADLINES, check_page, render_page


@dataclass(frozen=True, slots=True)
class SiteFile:
    """One site-wide file: its name in the output folder, its bytes, what is wrong with it."""

    name: str
    data: bytes
    problems: list[str] = field(default_factory=list)


def headline_items(config: Config, selected: Mapping[str, Sequence[Summary]]) -> list[Summary]:
    """The articles the page shows: each feed's newest few."""
    return [
        s for f in config.feeds for s in selected.get(f.slug, ())[: min(HEADLINES, f.max_items)]
    ]


def site_files(
    config: Config,
    selected: Mapping[str, Sequence[Selectable]],
    shown: Mapping[str, Headline],
) -> list[SiteFile]:
    """``feeds.opml`` and ``index.html`` for ``selected`` (each feed's items, newest first).

    ``shown`` maps the paths of :func:`headline_items` to what the page shows of them.
    """
    updated = max(
        (items[0].published_at for items in selected.values() if items), default=EMPTY_FEED_DATE
    )
    opml = render_opml(config, updated)
    headlines: dict[str, list[Headline]] = {}
    lost = False
    for feed in config.feeds:
        wanted = selected.get(feed.slug, ())[: min(HEADLINES, feed.max_items)]
        headlines[feed.slug] = [shown[s.path] for s in wanted if s.path in shown]
        lost = lost or len(headlines[feed.slug]) != len(wanted)
    page = render_page(config, headlines, updated)
    urls = [config.feed_url(f.slug, fmt) for f in config.feeds for fmt in f.formats]
    page_problems = check_page(page, urls)
    if lost:
        page_problems.append("an article the page shows could not be read")
    return [
        SiteFile(OPML_FILENAME, opml, check_opml(opml)),
        SiteFile(PAGE_FILENAME, page, page_problems),
    ]
