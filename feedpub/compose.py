"""The render stage's work, in two steps: the articles the outputs show, each parsed
again from its file once, for all the feeds that show it, into its part of every
document (:func:`parse`); then each output put together from those parts, or rendered
from the Articles where a format needs them whole (through :mod:`feedpub.formats`),
and checked; and what the feeds page shows of them (:func:`render`). Plain functions
of plain values: the pipeline hands them to an executor (:mod:`feedpub.parallel`).

An article is published only from the bytes its Summary was made from: one whose file
changed since (or vanished) leaves its outputs unrendered, named for the next build.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple, cast

from . import formats, sources
from .archive import Document
from .cache import Row
from .config import Config, FeedConfig
from .errors import ArticleError
from .formats import Problem
from .incremental import HEADLINES
from .model import Article, Headline, Summary
from .output import Rendered

if TYPE_CHECKING:
    from .formats.xmlfast import Entry
    from .formats.xmlparts import Proof


@dataclass(frozen=True, slots=True)
class Job:
    """One output file to render: a document of a feed, in one format."""

    feed: FeedConfig
    fmt: str
    doc: Document[Summary]
    name: str
    fp: str


Shown = dict[str, tuple[str, Headline]]  # path -> (digest, what the page shows of it)


class Parsed(NamedTuple):
    """An article an output shows, parsed again from the bytes its Summary was made
    from: its part of every document in the assembled formats (None where only the
    Article can render it) and that part's checks, passed once for every document
    (:func:`feedpub.formats.prove`; None: a document that holds it is checked whole),
    what the feeds page shows of it (when asked), the Article itself where a
    document needs it whole (when asked, and with no entry), and what the Article left
    out for a URL no feed can carry (:attr:`feedpub.model.Article.dropped`: a build
    says it)."""

    entry: Entry | None
    headline: Headline | None = None
    article: Article | None = None
    proof: Proof | None = None
    dropped: tuple[tuple[str, object], ...] = ()


def parse(config: Config, now: datetime, headlines: Collection[str], whole: Collection[str],
          written: Mapping[tuple[str, str], Entry],
          chunk: list[Summary]) -> list[Parsed | ArticleError | None]:  # fmt: skip
    """Each article of ``chunk`` parsed again from its file: Parsed (with its headline
    when its path is in ``headlines``, the Article when it is in ``whole``); the
    ArticleError of a file now unreadable; None for one that no longer holds the bytes
    its Summary was made from (changed or gone while the build ran). Or, where
    ``written`` holds its entry (by path and content hash: taken out of a feed written
    before, see :func:`feedpub.formats.written`) and its file still holds those bytes
    (read and hashed, not parsed), that entry, with no headline (the feeds page takes
    it from the cache, or parses it) and no Article (not for a path in ``whole``). The
    entries are checked together, as of ``now``; a taken one that fails is parsed."""
    takes = [s for s in chunk if (s.path, s.digest) in written and s.path not in whole]
    taken = {s.path for s in sources.unchanged_files(config, takes)}
    reread = sources.read_articles(config, [s for s in chunk if s.path not in taken])
    out: list[Parsed | ArticleError | None] = []
    for s in chunk:
        if s.path in taken:
            out.append(Parsed(written[s.path, s.digest]))
            continue
        a = reread.articles.get(s.path)
        if a is None:
            out.append(reread.errors.get(s.path))
            continue
        try:
            entry = formats.entry(a, config.labels)
        except Exception:  # (a bug, or an article no check foresaw) its documents are
            entry = None  # rendered from the Articles, and fail alone if that fails too
        headline = Headline.of(a) if s.path in headlines else None
        out.append(Parsed(entry, headline, a if entry is None or s.path in whole else None,
                          None, a.dropped))  # fmt: skip
    made = [(i, p) for i, p in enumerate(out) if isinstance(p, Parsed) and p.entry is not None]
    proofs = formats.prove(config, [cast("Entry", p.entry) for _, p in made], now)
    failed = []
    for (i, p), proof in zip(made, proofs, strict=True):
        out[i] = p._replace(proof=proof)
        if proof is None and chunk[i].path in taken:
            failed.append(i)
    if failed:
        again = parse(config, now, headlines, whole, {}, [chunk[i] for i in failed])
        for i, result in zip(failed, again, strict=True):
            out[i] = result
    return out


def split(parsed: Parsed) -> tuple[list[bytes], Parsed]:
    """``parsed`` as its entry's bytes (what weighs) and the rest (see
    :class:`feedpub.parallel.Spilled`)."""
    if parsed.entry is None:
        return [], parsed
    e = parsed.entry
    return [e.rss, e.atom], parsed._replace(entry=e._replace(rss=b"", atom=b""))


def join(parts: list[bytes], rest: Parsed) -> Parsed:
    """The Parsed :func:`split` took apart."""
    if rest.entry is None:
        return rest
    return rest._replace(entry=rest.entry._replace(rss=parts[0], atom=parts[1]))


class Shows(NamedTuple):
    """What :func:`parse` made of the articles the outputs show, by path."""

    parsed: MutableMapping[str, Parsed]
    #: files unreadable now
    errors: dict[str, ArticleError]
    #: files that changed since they were summarised: never published from a stale Summary
    changed: set[str]
    #: the headlines of ``parsed`` (those it has), by path
    headlines: dict[str, Headline]
    #: what the Articles of ``parsed`` left out for a URL no feed can carry (those that
    #: did), by path (see :attr:`Parsed.dropped`)
    dropped: dict[str, tuple[tuple[str, object], ...]]


def render(config: Config, now: datetime, shows: Shows,
           kept: MutableMapping[tuple[str, str], Article],
           chunk: list[Job]) -> list[Rendered]:  # fmt: skip
    """Each job's checked bytes. A document in the assembled formats is put together
    from its articles' entries (``shows``); the others, and one whose entries
    :func:`parse` could not make, are rendered from the Articles, parsed again (once
    for all the formats of a document; not at all when ``kept`` holds them, see
    :func:`feedpub.sources.read_articles`)."""
    docs: dict[tuple[str, str], list[int]] = {}  # a feed's formats of one document
    for i, job in enumerate(chunk):
        docs.setdefault((job.feed.slug, job.doc.stem), []).append(i)
    out: list[Rendered] = [(None, [], [])] * len(chunk)
    for positions in docs.values():
        jobs = [chunk[i] for i in positions]
        doc = jobs[0].doc
        parsed = [shows.parsed.get(s.path) for s in doc.items]  # (None: see shows.errors)
        try:
            rendered = _render_doc(config, jobs, shows, parsed, kept, now)
        except Exception as e:  # an article no check foresaw (or a bug): this document
            # fails and keeps its old file; the other feeds are still written
            why = f"could not be rendered ({type(e).__name__}: {e})"
            rendered = [(None, [why], []) for _ in jobs]
        for i, data in zip(positions, rendered, strict=True):
            out[i] = data
    return out


def shown(jobs: Collection[Job], shows: Shows) -> Shown:
    """What the feeds page shows of the newest items of the subscription documents of
    ``jobs`` (their archive pages show none), by path: those :func:`parse` made a
    headline of."""
    heads: Shown = {}
    for job in jobs:
        if job.doc.page is None:
            for s in job.doc.items[:HEADLINES]:
                if (headline := shows.headlines.get(s.path)) is not None:
                    heads[s.path] = (s.digest, headline)
    return heads


def _render_doc(config: Config, jobs: list[Job], shows: Shows, parsed: list[Parsed | None],
                kept: MutableMapping[tuple[str, str], Article],
                now: datetime) -> list[Rendered]:  # fmt: skip
    """The bytes of ``jobs`` (one document of one feed, in several formats, whose items
    :func:`parse` made ``parsed``) and what is wrong with each (validated here, before
    any write)."""
    doc, feed = jobs[0].doc, jobs[0].feed
    unreadable = [str(shows.errors[s.path]) for s in doc.items if s.path in shows.errors]
    if unreadable:
        return [(None, list(unreadable), []) for _ in jobs]
    missing = [s.path for s in doc.items if s.path in shows.changed]
    if missing:
        return [(None, [], missing) for _ in jobs]
    fmts = [j.fmt for j in jobs]
    assembled = [f for f in fmts if formats.FORMATS[f].assembled]
    made = [p for p in parsed if p is not None and p.entry is not None]
    entries = [cast("Entry", p.entry) for p in made]
    data: dict[str, bytes] = {}
    if assembled and len(entries) == len(doc.items):
        data.update(formats.assemble(config, feed, entries, assembled, doc) or {})
    rest = [f for f in fmts if f not in data]
    if rest:  # from the Articles: those parse kept, the others parsed again now
        whole = {s.path: p.article for s, p in zip(doc.items, parsed, strict=True)
                 if p is not None and p.article is not None}  # fmt: skip
        again = [s for s in doc.items if s.path not in whole]
        reread = sources.read_articles(config, again, kept)
        if reread.errors:
            return [(None, [str(e) for e in reread.errors.values()], []) for _ in jobs]
        missing = [s.path for s in again if s.path not in reread.articles]
        if missing:
            return [(None, [], missing) for _ in jobs]
        articles = [whole.get(s.path) or reread.articles[s.path] for s in doc.items]
        page: Document[Article] = Document(
            doc.stem, articles, doc.page, doc.pages, doc.newest_empty
        )
        data.update(formats.render(config, feed, articles, rest, page))
    proofs = [p.proof for p in made]
    return [(data[f], _check(data[f], f, f not in rest, entries, proofs, now), []) for f in fmts]


def _check(data: bytes, fmt: str, assembled: bool, entries: list[Entry],
           proofs: list[Proof | None], now: datetime) -> list[Problem | str]:  # fmt: skip
    """What is wrong with ``data`` (in ``fmt``): an assembled document checked by its
    parts, the others whole."""
    if assembled:
        return list(formats.check_assembled(data, fmt, entries, proofs, now))
    return list(formats.check(data, now)[1])


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
