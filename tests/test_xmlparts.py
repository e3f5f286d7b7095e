"""An assembled document checked by its parts (:mod:`feedpub.formats.xmlparts`) has
exactly the verdict of checking it whole: no problem where the whole has none, and the
whole's problems, with their lines, wherever it has one. And a document whose entries
are proven is not parsed with its entries again."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feedpub import formats
from feedpub.archive import Document, documents
from feedpub.articles import load_article
from feedpub.config import Config, load_config
from feedpub.errors import ArticleError
from feedpub.formats import check, xmlparts
from feedpub.formats.xmlfast import Entry
from feedpub.model import Article
from feedpub.select import select

from .conftest import ROOT

NOW = datetime(2026, 11, 1, tzinfo=UTC)
XML = ["rss", "atom"]


def _articles(config: Config, folder: Path) -> list[Article]:
    out = []
    for path in sorted(folder.glob("*.txt")):
        with contextlib.suppress(ArticleError):  # files a build rejects
            out.append(load_article(path.name, path.read_bytes(), config.timezone))
    return out


@pytest.fixture(scope="module")
def sample() -> tuple[Config, list[Article]]:
    config = load_config(str(ROOT / "config.toml"))
    return config, _articles(config, ROOT / "content" / "news")


def _entries(articles: list[Article]) -> dict[str, Entry]:
    out = {}
    for a in articles:
        e = formats.entry(a)
        if e is not None:
            out[a.path] = e
    return out


def _same_verdict(config: Config, feed_docs: list[tuple[object, Document[Article]]],
                  entries: dict[str, Entry], now: datetime) -> int:  # fmt: skip
    """Checks every document by its parts and whole, with proofs made as a build makes
    them; the number of documents with problems."""
    proofs = dict(zip(entries, formats.prove(config, list(entries.values()), now), strict=True))
    bad = 0
    for feed, doc in feed_docs:
        if any(a.path not in entries for a in doc.items):
            continue
        parts = [entries[a.path] for a in doc.items]
        made = formats.assemble(config, feed, parts, XML, doc)  # type: ignore[arg-type]
        assert made is not None
        for fmt, data in made.items():
            whole = check(data, now)[1]
            by_parts = formats.check_assembled(data, fmt, parts,
                                               [proofs[a.path] for a in doc.items], now)  # fmt: skip
            assert by_parts == whole, (doc.stem, fmt)
            bad += bool(whole)
    return bad


def _docs(config: Config, articles: list[Article], now: datetime,
          ) -> list[tuple[object, Document[Article]]]:  # fmt: skip
    out: list[tuple[object, Document[Article]]] = []
    for feed in config.feeds:
        matching = select(articles, replace(feed, max_items=len(articles) + 1), now)
        out += [(feed, doc) for doc in documents(feed, matching)]
    return out


def test_every_sample_document_has_the_same_verdict_by_its_parts(
    sample: tuple[Config, list[Article]],
) -> None:
    config, articles = sample
    entries = _entries(articles)
    docs = _docs(config, articles, NOW)
    assert any(d.page for _, d in docs)  # archive pages too
    assert _same_verdict(config, docs, entries, NOW) == 0
    proofs = formats.prove(config, list(entries.values()), NOW)
    future = [a.published_at > NOW for a in articles if a.path in entries]  # not shown
    assert [p is None for p in proofs] == future and future.count(False) > 10


def test_entries_dated_after_now_are_not_proven_and_their_documents_fail_as_whole(
    sample: tuple[Config, list[Article]],
) -> None:
    """Checked as of a time before some articles were published: those entries have a
    problem (dated in the future), so the batch is checked entry by entry; the others
    are proven, and each document is reported exactly as checking it whole reports it."""
    config, articles = sample
    dates = sorted(a.published_at for a in articles)
    then = dates[len(dates) // 2] + timedelta(seconds=1)
    entries = _entries(articles)
    proofs = formats.prove(config, list(entries.values()), then)
    late = [a.published_at > then for a in articles if a.path in entries]
    assert [p is None for p in proofs] == late and True in late and False in late
    docs = _docs(config, articles, NOW)  # selected as of NOW: the late ones shown too
    assert _same_verdict(config, docs, entries, then) > 0


def test_two_entries_with_one_id_are_reported_as_checking_the_whole_reports_them(
    sample: tuple[Config, list[Article]],
) -> None:
    config, articles = sample
    a, b = articles[:2]
    twin = replace(b, url=a.url)  # another file, the same link: the same guid and id
    entries = _entries([a, twin])
    proofs = formats.prove(config, list(entries.values()), NOW)
    assert None not in proofs  # each is fine alone: only the document has two ids alike
    feed = config.feeds[0]
    made = formats.assemble(config, feed, list(entries.values()), XML,
                            Document(feed.slug, [a, twin]))  # fmt: skip
    assert made is not None
    for fmt, data in made.items():
        whole = check(data, NOW)[1]
        assert {p.rule for p in whole} == {"unique-guid" if fmt == "rss" else "unique-id"}
        assert formats.check_assembled(data, fmt, list(entries.values()), proofs, NOW) == whole


def test_two_entries_with_one_xml_id_are_refused_as_checking_the_whole_refuses_them(
    sample: tuple[Config, list[Article]],
) -> None:
    """feedpub writes no ``xml:id``, but an entry taken back from a feed file someone
    edited (its size and mtime kept) may hold one: two alike pass each alone, and only
    the whole document shows libxml2's "ID already defined"."""
    config, articles = sample
    a, b = articles[:2]
    entries = [Entry(e.rss.replace(b"<item>", b'<item xml:id="x">', 1),
                     e.atom.replace(b"<entry>", b'<entry xml:id="x">', 1), e.updated)
               for e in _entries([a, b]).values()]  # fmt: skip
    proofs = formats.prove(config, entries, NOW)
    feed = config.feeds[0]
    made = formats.assemble(config, feed, entries, XML, Document(feed.slug, [a, b]))
    assert made is not None
    for fmt, data in made.items():
        whole = check(data, NOW)[1]
        assert any("ID x already defined" in p.message for p in whole), whole
        assert formats.check_assembled(data, fmt, entries, proofs, NOW) == whole


def test_an_entry_without_an_author_is_proven_only_for_a_feed_with_one(
    sample: tuple[Config, list[Article]],
) -> None:
    """Atom: an entry needs an author when its feed has none. One proven in a site with
    a title (every feed's author) goes into a document with no author: checked whole."""
    config, articles = sample
    lone = replace(articles[0], provider=None)
    (entry,) = _entries([lone]).values()
    (proof,) = formats.prove(config, [entry], NOW)
    assert proof is not None and not proof.authored
    untitled = replace(config, title="")
    assert formats.prove(untitled, [entry], NOW) == [None]
    feed = config.feeds[0]
    made = formats.assemble(untitled, feed, [entry], ["atom"], Document(feed.slug, [lone]))
    assert made is not None
    whole = check(made["atom"], NOW)[1]
    assert [p.rule for p in whole] == ["author"]
    assert formats.check_assembled(made["atom"], "atom", [entry], [proof], NOW) == whole


def test_a_document_that_is_not_its_parts_is_checked_whole(
    sample: tuple[Config, list[Article]],
) -> None:
    """Bytes that are not the head, the proven entries and the foot (an entry changed
    after its proof, a root element that declares other namespaces, a broken head) are
    checked whole, and reported as such."""
    config, articles = sample
    entries = _entries(articles[:3])
    parts = list(entries.values())
    proofs = formats.prove(config, parts, NOW)
    feed = config.feeds[0]
    made = formats.assemble(config, feed, parts, XML, Document(feed.slug, articles[:3]))
    assert made is not None and None not in proofs
    rss = made["rss"]
    # an entry's bytes changed after it was proven: a relative link in its item
    changed = parts[1]._replace(
        rss=parts[1].rss.replace(b"<link>https://", b"<link>/x/https://", 1)
    )
    assert changed.rss != parts[1].rss
    data = rss.replace(parts[1].rss, changed.rss)
    whole = check(data, NOW)[1]
    assert whole and formats.check_assembled(data, "rss", [parts[0], changed, parts[2]],
                                             proofs, NOW) == whole  # fmt: skip
    # the root element without the Media RSS namespace its entries use
    data = rss.replace(b' xmlns:media="http://search.yahoo.com/mrss/"', b"", 1)
    assert b"<media:" in data
    whole = check(data, NOW)[1]
    assert [p.rule for p in whole] == ["well-formed"]
    assert formats.check_assembled(data, "rss", parts, proofs, NOW) == whole
    # a head with a problem: a relative channel link
    data = rss.replace(f"<link>{config.link}</link>".encode(), b"<link>/home</link>", 1)
    whole = check(data, NOW)[1]
    assert whole and formats.check_assembled(data, "rss", parts, proofs, NOW) == whole
    # proofs made as of a later time than the check's, when an entry was in the future
    then = max(a.published_at for a in articles[:3]) - timedelta(seconds=1)
    whole = check(rss, then)[1]
    assert [p.rule for p in whole] == ["future"]
    assert formats.check_assembled(rss, "rss", parts, proofs, then) == whole


def test_an_entry_that_is_not_one_element_is_not_proven(
    sample: tuple[Config, list[Article]],
) -> None:
    """An item followed by another element of the channel (valid there: a link of
    another namespace) is not an entry: its documents are checked whole."""
    config, articles = sample
    (entry,) = _entries(articles[:1]).values()
    extra = b'    <atom:link href="https://example.com/hub" rel="hub"/>\n'
    assert formats.prove(config, [entry._replace(rss=entry.rss + extra)], NOW) == [None]
    assert formats.prove(config, [entry], NOW) != [None]


def test_the_hostile_articles_have_the_same_verdict_by_their_parts(
    sample: tuple[Config, list[Article]],
) -> None:
    config, _ = sample
    hostile = _articles(config, ROOT / "tests" / "data" / "hostile")
    assert len(hostile) > 5
    docs = [(feed, Document(feed.slug, hostile[i : i + 4]))  # every hostile file in a doc
            for i in range(0, len(hostile), 4) for feed in config.feeds[:1]]  # fmt: skip
    entries = _entries(hostile)
    _same_verdict(config, docs, entries, NOW)


def test_a_proven_document_is_parsed_without_its_entries(
    sample: tuple[Config, list[Article]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the check by parts saves: each entry is parsed once, for all the documents
    that hold it; a document is parsed by its head and foot alone."""
    config, articles = sample
    entries = _entries(articles)
    proofs = dict(zip(entries, formats.prove(config, list(entries.values()), NOW), strict=True))
    parsed: list[bytes] = []
    real = xmlparts.parse
    monkeypatch.setattr(
        xmlparts, "parse", lambda data, **kw: (parsed.append(data), real(data, **kw))[1]
    )
    feed, doc = next((f, d) for f, d in _docs(config, articles, NOW) if len(d.items) > 2)
    parts = [entries[a.path] for a in doc.items]
    made = formats.assemble(config, feed, parts, XML, doc)  # type: ignore[arg-type]
    assert made is not None
    for fmt, data in made.items():
        assert formats.check_assembled(data, fmt, parts, [proofs[a.path] for a in doc.items],
                                       NOW) == []  # fmt: skip
    assert len(parsed) == 2 and not any(b"<item>" in d or b"<entry>" in d for d in parsed)


def test_entries_past_the_lines_libxml2_counts_are_proven_in_batches(
    sample: tuple[Config, list[Article]],
) -> None:
    """libxml2 numbers lines up to 65,535 only (an entry is known by its first line):
    more entries than fit are checked in batches (a build in one process proves all it
    shows in one call)."""
    config, articles = sample
    shown = [a for a in articles if a.published_at <= NOW]
    copies = 70_000 // sum(e.atom.count(b"\n") for e in _entries(shown).values()) + 1
    many = [replace(a, url=f"{a.url}?copy={i}") for i in range(copies) for a in shown]
    entries = [e for e in map(formats.entry, many) if e is not None]
    assert len(entries) == len(many)
    assert sum(e.atom.count(b"\n") for e in entries) > 65_535
    assert None not in formats.prove(config, entries, NOW)


def test_a_batch_where_every_entry_has_a_problem_is_checked_again_at_most_twice(
    sample: tuple[Config, list[Article]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch with a problem is checked again in pieces, then a piece with one entry by
    entry: when every entry has one (all dated after ``now``), three passes, not one a
    level of halving."""
    config, articles = sample
    shown = [a for a in articles if a.published_at <= NOW]
    many = [replace(a, url=f"{a.url}?copy={i}") for i in range(64) for a in shown][:64]
    entries = [e for e in map(formats.entry, many) if e is not None]
    assert len(entries) == 64
    parsed: list[bytes] = []
    real = xmlparts.parse
    monkeypatch.setattr(
        xmlparts, "parse", lambda data, **kw: (parsed.append(data), real(data, **kw))[1]
    )
    before = min(a.published_at for a in many) - timedelta(days=1)
    assert formats.prove(config, entries, before) == [None] * 64
    assert len(parsed) == 1 + 64 // xmlparts.PIECE + 64  # (RSS fails first: one parse each)


def test_the_entries_of_an_assembled_feed_are_taken_back_as_they_were_made(
    sample: tuple[Config, list[Article]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a later build takes out of the documents the last one wrote, in place of
    parsing their articles again (:func:`formats.written`): each article's Entry, the
    same to the byte and to the microsecond of its ``updated``, the hostile articles
    (markup, quotes and ``]]>`` in their texts) among them; and nothing from documents
    that are not assembled from that many entries."""
    config, articles = sample
    hostile = _articles(config, ROOT / "tests" / "data" / "hostile")
    feed = config.feeds[0]
    made = list(_entries(articles + hostile).values())
    assert len(made) > 20
    for at in range(0, len(made), 7):
        entries = made[at : at + 7]
        data = formats.assemble(config, feed, entries, XML, Document(feed.slug, entries))
        assert data is not None
        rss, atom = data["rss"], data["atom"]
        assert formats.written(rss, atom, len(entries)) == entries
        n = len(entries)
        assert formats.written(rss, atom, n + 1) is None
        assert n == 1 or formats.written(rss, atom, n - 1) is None
        assert formats.written(atom, rss, n) is None
        assert formats.written(rss[:-1], atom, n) is None
        foot = b"  </channel>\n</rss>\n"
        other = rss[: -len(foot)] + b'    <atom:link href="https://x.example/" rel="hub"/>\n'
        assert formats.written(other + foot, atom, n) is None  # not an item at its end
    monkeypatch.setattr(xmlparts, "agrees_with_lxml", lambda: False)
    data = formats.assemble(config, feed, made[:3], XML, Document(feed.slug, made[:3]))
    assert data is not None
    assert formats.written(data["rss"], data["atom"], 3) is None  # (it would assemble nothing)
