"""The fast XML writer (feedpub.formats.xmlfast) gives byte for byte what feedgen
(feedpub.formats.xmlfeed, the renderer of record) gives, or leaves the document to it.

Checked on every document of the sample content (archive pages among them), of a
benchmark corpus, of the seeds and hostile fixtures, and on generated articles and
sites with every optional part present or absent and every character lxml escapes.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedpub import build
from feedpub.archive import Document, documents
from feedpub.articles import load_article
from feedpub.config import Config, FeedConfig, Labels, load_config
from feedpub.errors import ArticleError
from feedpub.formats import FORMATS, xmlfast, xmlfeed
from feedpub.formats.items import hex_references
from feedpub.model import Article, Image, Provider, Related
from feedpub.select import select_feeds

from .conftest import DATA, ROOT, SEEDS

sys.path.insert(0, str(ROOT / "bench"))
from corpus import generate

NOW = datetime(2026, 11, 1, tzinfo=UTC)
XML = ("rss", "atom")


def same_bytes(config: Config, feed: FeedConfig, items: list[Article],
               doc: Document[Article] | None = None) -> None:  # fmt: skip
    """Both formats of one document: written by the fast path, and the same as feedgen's."""
    doc = doc or Document(feed.slug, items)
    reference = xmlfeed.render(config, feed, items, XML, doc)
    fast = xmlfast.write(config, feed, items, XML, doc)
    assert fast is not None, (feed.slug, doc.stem)
    for fmt in XML:
        assert fast[fmt] == reference[fmt], (feed.slug, doc.stem, fmt)
        # and each format on its own
        assert xmlfast.write(config, feed, items, [fmt], doc) == {fmt: reference[fmt]}
    assert xmlfast.render(config, feed, items, XML, doc) == reference


def every_document(config: Config) -> int:
    """Every document a build of ``config`` writes, checked both ways; how many."""
    gathered = build.gather(config, jobs=1)
    selected = select_feeds(config, gathered.summaries, NOW)
    count = 0
    for feed in config.feeds:
        for doc in documents(feed, selected.get(feed.slug, [])):
            loaded = [load_article(s.path, (config.root / s.path).read_bytes(), UTC)
                      for s in doc.items]  # fmt: skip
            same_bytes(config, feed, loaded, Document(doc.stem, loaded, doc.page, doc.pages))
            count += 1
    return count


def test_the_sample_contents_documents_are_feedgens_bytes() -> None:
    config = load_config(ROOT / "config.toml")
    assert any(f.archive for f in config.feeds)  # archive pages and their links too
    assert every_document(config) >= len(config.feeds) + 2


GERMAN = Labels(
    read_article="Zum Artikel", watch_video="Video ansehen", related="Weitere Berichte & mehr",
    months=("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.",
            "Nov.", "Dez."),
    archive_title="{feed} – Archiv, Seite {page}",
)  # fmt: skip


def test_the_sample_in_a_sites_own_words_is_feedgens_bytes() -> None:
    """``[site.labels]``: the bodies' words (and months) are the site's, in both
    renderers alike."""
    config = replace(load_config(ROOT / "config.toml"), labels=GERMAN)
    assert every_document(config) >= len(config.feeds) + 2
    gathered = build.gather(config, jobs=1)
    texts = b"".join(
        xmlfast.render(config, feed, [load_article(s.path, (config.root / s.path).read_bytes(), UTC)
                                      for s in items], XML)["rss"]
        for feed in config.feeds
        for items in [select_feeds(config, gathered.summaries, NOW).get(feed.slug, [])]
    )  # fmt: skip
    assert b"Weitere Berichte &amp;amp; mehr" in texts and b"Related coverage" not in texts
    days = re.findall(rb'&lt;time datetime="[^"]*"&gt;([^&]*)&lt;/time', texts)
    german = "|".join(map(re.escape, GERMAN.months)).encode()
    assert days and all(re.fullmatch(rb"[0-9]+ (?:%b) [0-9]{4}" % german, d) for d in days), days


def test_a_benchmark_corpus_documents_are_feedgens_bytes(tmp_path: Path) -> None:
    generate(tmp_path, 1500, seed=11, layout="flat")
    config = load_config(tmp_path / "config.toml")
    assert every_document(config) == len(config.feeds)


@pytest.mark.parametrize("folder", [SEEDS, DATA / "hostile"], ids=["seeds", "hostile"])
def test_real_and_hostile_articles_are_feedgens_bytes(folder: Path) -> None:
    config = load_config(ROOT / "config.toml")
    loaded = []
    for path in sorted(folder.glob("*.txt")):
        try:
            loaded.append(load_article(path.name, path.read_bytes(), UTC))
        except ArticleError:
            continue
    assert len(loaded) >= 5
    same_bytes(config, config.feeds[0], loaded)
    for a in loaded:  # and one at a time, each in a feed of its own
        same_bytes(config, config.feeds[0], [a])


# --------------------------------------------------------------------- generated input

#: Every character libxml2 escapes, in text or in attributes, and some it does not.
TRICKY = "&<>\"'\r\n\t ]]>&amp;&#38;é\u2028😀\x85"
# (`` title="``: what a related link's title attribute begins with, in a text too)
texts = st.lists(st.sampled_from([*TRICKY, "a", "Z", " ", ' title="']), max_size=12).map("".join)
urls = st.builds(lambda t: "https://example.com/" + t, texts)
sizes = st.one_of(st.none(), st.integers(0, 3000))
images = st.builds(Image, urls, sizes, sizes, texts)
providers = st.builds(Provider, texts, st.sampled_from(["", "cnet.com", "a&b.example"]))
dates = st.builds(lambda s: datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=s),
                  st.integers(0, 10**8))  # fmt: skip
related = st.builds(Related, texts, urls, texts, st.one_of(st.none(), dates), texts)
players = st.sampled_from(["", '<iframe src="https://v.example/e/1" width="640" height="360">',
                           "<iframe src='//v.example/e?a=1&amp;b=2'></iframe>"])  # fmt: skip
articles = st.builds(
    Article,
    path=st.just("a.txt"),
    title=texts.filter(bool),
    excerpt=texts,
    url=urls,
    published_at=dates,
    published=st.just(True),
    topics=st.lists(texts, max_size=3).map(tuple),
    images=st.lists(images, max_size=3).map(tuple),
    related=st.lists(related, max_size=2).map(tuple),
    provider=st.one_of(st.none(), providers),
    type=st.sampled_from(["article", "video"]),
    featured_content=players,
)


@given(texts, st.sampled_from(["title", "name", "category", "dc:creator", "media:title"]))
def test_a_plain_text_is_written_as_hex_references_would_write_it(text: str, tag: str) -> None:
    """An entry's plain texts are written with their hexadecimal references
    (``xmlfast._plain``), not found again in its bytes: the same bytes as
    :func:`~feedpub.formats.items.hex_references` makes of the element's line."""
    start = f'<{tag} type="plain">' if tag == "media:title" else f"<{tag}>"
    plain = f"      {start}{xmlfast._text(text)}</{tag}>\n".encode()
    written = f"      {start}{xmlfast._plain(text)}</{tag}>\n".encode()
    assert written == hex_references(plain, titles=False)
    assert written == hex_references(written, titles=False)  # (and it is left as it is)


@pytest.mark.parametrize(
    "text", ['x title="a&amp;b" y', '<a title="x & y">q</a> and <', 'title="&"', ' title="<"']
)
def test_a_text_that_quotes_a_title_attribute_is_feedgens_bytes(text: str) -> None:
    """feedgen's document had its related links' titles written with hexadecimal
    references by a pattern that took `` title="…&…"`` in any text too (an excerpt
    quoting HTML): the fast path's bytes differed from it there."""
    config = load_config(ROOT / "config.toml")
    a = Article(path="a.txt", title=text, excerpt=text, url="https://e.example/a",
                published_at=NOW, published=True,
                related=(Related(text, "https://e.example/r", text),))  # fmt: skip
    same_bytes(config, config.feeds[0], [a])


@pytest.mark.parametrize(
    "description",
    [
        "Tips <for> you\n& more\n\n  <b>",
        "line\n    <description>a & b</description>\n  <subtitle>c & d",
        "x ]]> \"y\" &amp; 'z' &#x26; é & ü\r\n&",
        "& " * 5000,
    ],
)
def test_a_feed_description_over_lines_is_feedgens_bytes(description: str) -> None:
    """The feed's description, its ``&`` and ``<`` hexadecimal references (found by
    their element's indentation, over lines), in the subscription document and an
    archive page, beside an article whose texts look like those lines."""
    config = load_config(ROOT / "config.toml")
    feed = replace(config.feeds[0], description=description)
    a = Article(path="a.txt", title=description, excerpt=description,
                url="https://e.example/a", published_at=NOW, published=True)  # fmt: skip
    same_bytes(config, feed, [a])
    same_bytes(config, feed, [a], Document(feed.slug, [a], 2, 3))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(articles, max_size=4),
    st.sampled_from([None, "", "en", 'x"&<']),
    texts.filter(bool),
    texts,
    st.booleans(),
    st.integers(0, 3),
)
def test_generated_articles_and_sites_are_feedgens_bytes(
    items: list[Article], language: str | None, title: str, description: str, hub: bool,
    page: int,
) -> None:  # fmt: skip
    config = load_config(ROOT / "config.toml")
    config = replace(config, language=language, title=title,
                     hub="https://hub.example/" if hub else None)  # fmt: skip
    feed = replace(config.feeds[0], title=title, description=description,
                   topics=("*", "", *(t for a in items for t in a.topics)))  # fmt: skip
    # the subscription document, or archive page ``page`` of three
    doc = Document(feed.slug, items, page or None, 3 if page else 0)
    same_bytes(config, feed, items, doc)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.builds(replace, articles, title=texts, url=st.sampled_from(["", "https://a.example/"])),
        max_size=3,
    ),
    st.sampled_from(["", "T"]),
    st.sampled_from(["", "https://example.com/"]),
    st.sampled_from(["bell \x07", "", "ok"]),
)
def test_whatever_the_fast_path_declines_feedgen_writes_or_refuses_alike(
    items: list[Article], title: str, link: str, description: str
) -> None:  # fmt: skip
    config = replace(load_config(ROOT / "config.toml"), link=link, description=description)
    feed = replace(config.feeds[0], title=title, description="")
    try:
        reference: dict[str, bytes] | type[Exception] = xmlfeed.render(config, feed, items, XML)
    except ValueError as e:
        reference = type(e)
    try:
        fast: dict[str, bytes] | type[Exception] = xmlfast.render(config, feed, items, XML)
    except ValueError as e:
        fast = type(e)
    assert fast == reference


# -------------------------------------------------------------- where feedgen decides


def test_a_character_lxml_refuses_is_left_to_feedgen() -> None:
    config = load_config(ROOT / "config.toml")
    article = load_article("s.txt", (SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0])
                           .read_bytes(), UTC)  # fmt: skip
    bad = replace(article, title="bell \x07 rings", published=True)
    feed = config.feeds[0]
    assert xmlfast.write(config, feed, [bad], XML, Document(feed.slug, [bad])) is None
    with pytest.raises(ValueError, match="XML compatible"):
        xmlfast.render(config, feed, [bad], XML)  # feedgen's own error, through the door


def test_a_body_the_fast_html_path_recognises_holds_no_character_lxml_refuses() -> None:
    # (xmlfast does not search such a body for one again)
    from feedpub import fasthtml

    recognised = re.compile(f"[^{fasthtml._ODD}]")
    refused = [chr(c) for c in range(0x110000) if xmlfast._FORBIDDEN.match(chr(c))]
    assert refused and not any(recognised.match(c) for c in refused)
    assert fasthtml.canonical("<p>a \x07 bell</p>") is None
    assert fasthtml.canonical("<p>a \ud800 half</p>") is None


def test_without_lxmls_agreement_every_document_goes_to_feedgen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = load_config(ROOT / "config.toml")
    article = load_article("s.txt", next(iter(sorted(SEEDS.glob("*.txt")))).read_bytes(), UTC)
    feed = config.feeds[0]
    assert xmlfast.write(config, feed, [article], XML, Document(feed.slug, [article]))
    calls: list[str] = []
    reference = xmlfeed.render

    def recorded(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(feed.slug)
        return reference(*args, **kwargs)

    monkeypatch.setattr(xmlfast, "agrees_with_lxml", lambda: False)
    monkeypatch.setattr(xmlfeed, "render", recorded)
    assert xmlfast.write(config, feed, [article], XML, Document(feed.slug, [article])) is None
    assert xmlfast.render(config, feed, [article], XML) == reference(config, feed, [article], XML)
    assert calls == [feed.slug]


def test_this_lxml_escapes_as_the_fast_path_does() -> None:
    xmlfast.agrees_with_lxml.cache_clear()
    assert xmlfast.agrees_with_lxml()


def test_the_registry_renders_rss_and_atom_through_the_fast_path() -> None:
    assert FORMATS["rss"].renderer == FORMATS["atom"].renderer == "xmlfast:render"
