"""The render stage's work: the articles an output shows, parsed again from their
files, rendered in the formats due (through :mod:`feedpub.formats`) and checked; and
what the feeds page shows of them. Plain functions of plain values: the pipeline
hands them to an executor (:mod:`feedpub.parallel`).

An article is published only from the bytes its Summary was made from: one whose file
changed since (or vanished) leaves its outputs unrendered, named for the next build.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime

from . import formats, sources
from .archive import Document
from .cache import Row
from .config import Config, FeedConfig
from .incremental import HEADLINES
from .model import Article, Headline, Summary
from .output import Rendered


@dataclass(frozen=True, slots=True)
class Job:
    """One output file to render: a document of a feed, in one format."""

    feed: FeedConfig
    fmt: str
    doc: Document[Summary]
    name: str
    fp: str


Shown = dict[str, tuple[str, Headline]]  # path -> (digest, what the page shows of it)


def render(config: Config, now: datetime, kept: MutableMapping[tuple[str, str], Article],
           chunk: list[Job]) -> list[tuple[Rendered, Shown]]:  # fmt: skip
    """Each job's checked bytes, from its articles parsed again from their files (once
    for all the formats of a document; not at all when ``kept`` holds them, see
    :func:`feedpub.sources.read_articles`), and, with the first format of a
    subscription document, what the feeds page shows of its newest items."""
    reread = sources.read_articles(config, (s for job in chunk for s in job.doc.items), kept)
    loaded = reread.articles
    docs: dict[tuple[str, str], list[int]] = {}  # a feed's formats of one document
    for i, job in enumerate(chunk):
        docs.setdefault((job.feed.slug, job.doc.stem), []).append(i)
    out: list[tuple[Rendered, Shown]] = [((None, [], []), {})] * len(chunk)
    for positions in docs.values():
        jobs = [chunk[i] for i in positions]
        for i, data in zip(positions, _render_doc(config, jobs, reread, now), strict=True):
            out[i] = (data, {})
        doc = jobs[0].doc
        if doc.page is None:
            out[positions[0]] = (out[positions[0]][0], {
                s.path: (s.digest, Headline.of(loaded[s.path]))
                for s in doc.items[:HEADLINES] if s.path in loaded
            })  # fmt: skip
    return out


def _render_doc(config: Config, jobs: list[Job], reread: sources.Reread,
                now: datetime) -> list[Rendered]:  # fmt: skip
    """The bytes of ``jobs`` (one document of one feed, in several formats) and what is
    wrong with each (validated here, before any write)."""
    doc = jobs[0].doc
    unreadable = [str(reread.errors[s.path]) for s in doc.items if s.path in reread.errors]
    if unreadable:
        return [(None, list(unreadable), []) for _ in jobs]
    missing = [s.path for s in doc.items if s.path not in reread.articles]
    if missing:
        return [(None, [], missing) for _ in jobs]
    articles = [reread.articles[s.path] for s in doc.items]
    page: Document[Article] = Document(doc.stem, articles, doc.page, doc.pages)
    data = formats.render(config, jobs[0].feed, articles, [j.fmt for j in jobs], page)
    return [(data[j.fmt], list(formats.check(data[j.fmt], now)[1]), []) for j in jobs]


def known_headlines(wanted: Mapping[str, Summary], shown: Shown,
                    rows: Mapping[str, Row]) -> dict[str, Headline]:  # fmt: skip
    """What the page shows of the ``wanted`` articles (by path) that need no parse:
    rendered by this build (``shown``), or kept in the cache, for the same bytes."""
    heads = {p: h for p, (d, h) in shown.items() if p in wanted and wanted[p].digest == d}
    for p, s in wanted.items():
        row = rows.get(p)
        if p not in heads and row is not None and row.headline and row.digest == s.digest:
            with contextlib.suppress(ValueError, TypeError, KeyError):  # a damaged one: parsed
                heads[p] = Headline.from_json(row.headline)
    return heads
