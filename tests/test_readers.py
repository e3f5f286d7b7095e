"""What a person reads: every output parsed by real clients, compared with the source.

Every file a build writes is read by real feed clients: feedparser (what most
Python readers and services use), sfeed (a strict C parser) and newsboat (a terminal
reader), both from Debian (``tests/system-deps.sh`` installs them), JSON Feed by a
JSON parser, ``index.html``
by an HTML parser and ``feeds.opml`` by listparser. Each field is turned into
the text a person sees (HTML fields rendered to text) and compared with what
the source file says, worked out here independently of feedpub's own cleaning:
the source text with its character references decoded once (as a browser
decodes HTML text), its mojibake repaired, its white space collapsed.

It runs on the bundled sample, the real seeds, the hostile fixtures, articles
written like the real ones (``tests/data/readers/``) and hypothesis-generated
articles full of references, ``&``, ``<``, quotes, non-ASCII and mojibake.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import feedparser
import ftfy
import listparser
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from feedpub.config import load_config
from feedpub.sanitize import clean_url

from .conftest import DATA, ROOT, SEEDS, run_cli

NOW = "2030-01-01T00:00:00Z"
#: How long feedpub lets each text be before it cuts it (at a word, with "…").
LIMITS = {"title": 500, "excerpt": 4000, "name": 200, "topic": 200}
#: How many topics, images or related items of an article are kept.
MAX_LIST = 100
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FIX = ftfy.TextFixerConfig(
    unescape_html=False, uncurl_quotes=False, fix_character_width=False,
    fix_latin_ligatures=False, fix_line_breaks=False, normalization="NFC",
)  # fmt: skip


# ----------------------------------------------------------------- what a source says


def seen(raw: str) -> str:
    """The text a source field means: references decoded once, mojibake repaired,
    characters XML cannot carry left out, white space collapsed."""
    text = ftfy.fix_text(html.unescape(raw), config=_FIX)
    return collapsed(_FORBIDDEN.sub("", text))


#: White space that runs together: the ASCII kind (as HTML collapses it) and the line
#: and paragraph separators; a no-break or an ideographic space is a character to show.
_BREAKING = re.compile("[\t\n\x0b\x0c\r \x1c-\x1f\x85\u2028\u2029]+")


def collapsed(text: str) -> str:
    """``text`` with each run of white space one space, and none at its ends."""
    return _BREAKING.sub(" ", text).strip()


#: The elements a reader shows as blocks of their own (apart from the text around them).
_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "ul", "ol", "li", "br", "blockquote"})


def shown(value: str, *, markup: bool) -> str:
    """What a reader shows of a field: HTML rendered to its text (each block apart from
    what follows it), white space collapsed."""
    if markup and value.strip():
        root = lxml_html.fragment_fromstring(value, create_parent="div")
        for el in root.iter(*_BLOCKS):
            el.tail = "\n" + (el.tail or "")
        value = root.text_content()
    return collapsed(value)


def same(shown_text: str, source: str, limit: int) -> bool:
    """Whether a reader shows ``source`` (cut at ``limit`` characters, at a word, with
    an ellipsis, when it is longer)."""
    if len(source) <= limit:
        return shown_text == source
    return shown_text.endswith("…") and source.startswith(shown_text[:-1].rstrip())


@dataclass
class Source:
    path: Path
    title: str  # as a reader must show it
    excerpt: str
    provider: str
    topics: list[str]
    related: list[str] = field(default_factory=list)


def _front_matter(path: Path) -> dict[str, Any] | None:
    try:
        text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        block = text.replace("\r\n", "\n").split("\n---", 1)[0].removeprefix("---\n")
        data = yaml.safe_load(block)
    except (UnicodeDecodeError, yaml.YAMLError, ValueError, RecursionError):
        return None
    except AttributeError:  # PyYAML's constructor on "!!timestamp" before no date
        return None
    return data if isinstance(data, dict) else None


def sources(folder: Path) -> dict[str, Source]:
    """The source files of a folder, by the URL their item links to."""
    out: dict[str, tuple[Any, Source]] = {}
    for path in sorted(folder.iterdir()):
        d = _front_matter(path)
        if d is None or d.get("published") is not True:
            continue
        url = clean_url(d.get("webUrl")) or clean_url(d.get("originalUrl"))
        if url is None:
            continue
        title = seen(d["title"]) if isinstance(d.get("title"), str) else ""
        excerpt = seen(d["excerpt"]) if isinstance(d.get("excerpt"), str) else ""
        provider = d.get("provider") if isinstance(d.get("provider"), dict) else {}
        name = provider.get("name") if isinstance(provider.get("name"), str) else ""
        topics = d.get("topics") if isinstance(d.get("topics"), list) else [d.get("topics")]
        related = [seen(r["title"]) for r in (d.get("related") or [])[:MAX_LIST]
                   if isinstance(r, dict) and isinstance(r.get("title"), str)]  # fmt: skip
        source = Source(
            path, title or _cut(excerpt, 80), excerpt, seen(name) or "",
            [seen(str(t)) for t in topics if isinstance(t, str | int | float)
             and not isinstance(t, bool)], related,
        )  # fmt: skip
        when = str(d.get("publishedDateTime"))
        if url not in out or out[url][0] < when:  # the newer of two sharing a URL is shown
            out[url] = (when, source)
    return {url: s for url, (_, s) in out.items()}


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip() + "…"


# ----------------------------------------------------------------- what readers show


@dataclass
class Item:
    """One item as one client shows it."""

    client: str
    file: str
    link: str
    title: str
    excerpt: str | None = None  # a field that holds the excerpt alone
    body: str | None = None  # the text of the whole body (excerpt, related coverage)
    author: str | None = None
    categories: list[str] | None = None
    related: list[str] = field(default_factory=list)
    #: RSS 2.0 cannot say whether a title is text or HTML; feedparser guesses HTML
    #: when the title holds an end tag (``</b>``), and then renders it.
    title_guessed_html: bool = False


def by_feedparser(path: Path) -> Iterator[Item]:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, (path, feed.get("bozo_exception"))
    for e in feed.entries:
        title_is_html = e.title_detail.type in ("text/html", "application/xhtml+xml")
        summary = e.get("summary_detail")
        yield Item(
            "feedparser", path.name, e.link, shown(e.title, markup=title_is_html),
            title_guessed_html=title_is_html and path.suffix == ".rss",
            excerpt=shown(summary.value, markup=summary.type != "text/plain") if summary else None,
            body=shown(e.content[0].value, markup=True) if e.get("content") else None,
            author=e.get("author"),
            categories=[t.term for t in e.get("tags", [])],
            related=[ln.title for ln in e.links if ln.rel == "related"],
        )  # fmt: skip


SFEED = shutil.which("sfeed") or "/usr/bin/sfeed"
_SFEED_ESCAPES = re.compile(r"\\([\\nt])")


def by_sfeed(path: Path) -> Iterator[Item]:
    """sfeed: one TSV line an item: time, title, link, content, content type, id,
    author, enclosure, categories (``|``-separated); in content ``\\n``, ``\\t``
    and ``\\\\`` stand for themselves."""
    out = subprocess.run(
        [SFEED], input=path.read_bytes(), capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8")
    for line in out.splitlines():
        _, title, link, content, ctype, _, author, _, cats = line.split("\t")
        content = _SFEED_ESCAPES.sub(lambda m: {"n": "\n", "t": "\t"}.get(m[1], "\\"), content)
        yield Item(
            "sfeed", path.name, link, collapsed(title),
            body=shown(content, markup=ctype == "html"), author=author,
            categories=[c for c in cats.split("|") if c],
        )  # fmt: skip


NEWSBOAT = shutil.which("newsboat") or "/usr/bin/newsboat"


def by_newsboat(path: Path) -> Iterator[Item]:
    """newsboat: the feed reloaded from its file into a cache of its own (newsboat keeps
    an item once, by its guid, whichever feed it came from: one feed a cache), and
    each item as the cache holds it, which is what the reader lists and shows."""
    with tempfile.TemporaryDirectory() as tmp:
        urls, cache = Path(tmp, "urls"), Path(tmp, "cache.db")
        urls.write_text(f"file://{path.resolve()}\n", encoding="utf-8")
        subprocess.run([NEWSBOAT, "-u", str(urls), "-c", str(cache), "-C", os.devnull,
                        "-x", "reload"], capture_output=True, check=True, timeout=60,
                       env={**os.environ, "HOME": tmp})  # (it makes ~/.newsboat)  # fmt: skip
        with contextlib.closing(sqlite3.connect(cache)) as db:
            rows = db.execute("SELECT title, url, author, content FROM rss_item").fetchall()
    data = path.read_bytes()  # (markup in a text is escaped: each tag here is one)
    assert len(rows) == data.count(b"<item>") + data.count(b"<entry>"), path
    for title, link, author, content in rows:
        yield Item(
            "newsboat", path.name, link, collapsed(title),
            body=shown(content, markup=True), author=author or None,
        )  # fmt: skip


def by_json(path: Path) -> Iterator[Item]:
    for i in json.loads(path.read_bytes())["items"]:
        yield Item(
            "json", path.name, i["url"], collapsed(i["title"]),
            excerpt=collapsed(i["summary"]) if "summary" in i else None,
            body=shown(i["content_html"], markup=True),
            author=i["authors"][0]["name"] if i.get("authors") else None,
            categories=i.get("tags", []),
        )  # fmt: skip


def _as_is(text: str) -> str:
    return text


def _feedparser_latin1(text: str) -> str:
    """feedparser's own repair of every text it reads: a text that is all Latin-1 and
    whose Latin-1 bytes are UTF-8 is taken for double-encoded and decoded again
    (``Ã©`` shows as ``é``), even where the source meant it."""
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def every_item(feeds: Path) -> Iterator[Item]:
    for path in sorted(feeds.iterdir()):
        if path.suffix in (".rss", ".atom"):
            yield from by_feedparser(path)
            yield from by_sfeed(path)
            yield from by_newsboat(path)
        elif path.suffix == ".json":
            yield from by_json(path)


# ----------------------------------------------------------------- the comparison


def check_site(config_path: Path, content: Path) -> int:
    """Build, then compare every item every client shows with its source; returns how
    many fields were compared."""
    code, out, err = run_cli("build", "-c", str(config_path), "--now", NOW)
    assert code in (0, 1), out + err
    config = load_config(config_path)
    known = sources(content)
    compared = 0
    for item in every_item(config.output):
        where = f"{item.client} {item.file} {item.link}"
        src = known[item.link]
        quirk = _feedparser_latin1 if item.client == "feedparser" else _as_is
        if item.title_guessed_html:  # only where the title looks like HTML to feedparser
            assert re.search(r"</(\w+)>|&#?\w+;", src.title), (where, src.title)
        else:
            assert same(item.title, quirk(src.title), LIMITS["title"]), (where, item.title)
            compared += 1
        if src.excerpt:
            if item.excerpt is not None:
                assert same(item.excerpt, quirk(src.excerpt), LIMITS["excerpt"]), where
                compared += 1
            if item.body is not None and len(src.excerpt) <= LIMITS["excerpt"]:
                assert src.excerpt in item.body or quirk(src.excerpt) in item.body, where
                compared += 1
        if src.provider and item.author is not None:
            assert same(item.author, quirk(src.provider), LIMITS["name"]), (
                where, item.author, src.provider,
            )  # fmt: skip
            compared += 1
        if item.categories is not None:
            wanted = [quirk(_cut(t, LIMITS["topic"]))
                      for t in dict.fromkeys(src.topics[:MAX_LIST]) if t]  # fmt: skip
            # sfeed separates categories with "|" (which a category may hold), and trims
            # the space around it and leaves out empty ones
            shown_cats, wanted_cats = "|".join(item.categories), "|".join(wanted)
            if item.client == "sfeed":
                shown_cats, wanted_cats = (re.sub(r"\s*(?:\|\s*)+", "|", c).strip("|")
                                           for c in (shown_cats, wanted_cats))  # fmt: skip
            assert shown_cats == wanted_cats, where
            compared += 1
        for title in item.related:
            # (an attribute, which feedparser takes as it is: no Latin-1 re-decoding)
            assert any(same(title, r, LIMITS["title"]) for r in src.related), where
            compared += 1
    compared += check_page_and_opml(config_path, known)
    return compared


def check_page_and_opml(config_path: Path, known: dict[str, Source]) -> int:
    config = load_config(config_path)
    compared = 0
    page = lxml_html.fromstring((config.output / "index.html").read_bytes())
    for section in page.iterfind(".//main/section"):
        for a in section.iterfind(".//a"):
            if a.get("href") in known:
                assert same(collapsed(a.text_content()), known[a.get("href")].title,
                            LIMITS["title"]), a.get("href")  # fmt: skip
                compared += 1
    opml = listparser.parse((config.output / "feeds.opml").read_bytes())
    assert not opml.bozo, opml.bozo_exception
    titles = {f.slug: f.title for f in config.feeds}
    assert len(opml.feeds) == len(titles)  # one subscription a feed
    for f in opml.feeds:
        slug = f.url.removeprefix(config.feeds_url).rsplit(".", 1)[0]
        assert f.title == titles[slug], f.title
        compared += 1
    etree.fromstring((config.output / "feeds.opml").read_bytes())  # well-formed
    return compared


EVERYTHING = """
[feeds.all]
title = "Everything: AT&T <b>news</b> & “more”"
topics = ["*"]
max_items = 200
formats = ["rss", "atom", "json"]
"""


def _site(tmp_path: Path, write_config: Any, folder: Path) -> tuple[Path, Path]:
    content = tmp_path / "content"
    shutil.copytree(folder, content)
    return write_config(["content/*"], EVERYTHING), content


def test_the_debian_clients_are_installed() -> None:
    """The clients these tests read with beside feedparser (``tests/system-deps.sh``
    installs them)."""
    for client in (SFEED, NEWSBOAT):
        assert Path(client).is_file(), f"{client} is missing: run tests/system-deps.sh"


@pytest.mark.parametrize("folder", [SEEDS, DATA / "hostile", DATA / "readers"],
                         ids=["seeds", "hostile", "readers"])  # fmt: skip
def test_readers_show_what_the_articles_say(tmp_path: Path, write_config: Any,
                                            folder: Path) -> None:  # fmt: skip
    config, content = _site(tmp_path, write_config, folder)
    assert check_site(config, content) > 10


def test_readers_show_what_the_sample_articles_say(tmp_path: Path) -> None:
    shutil.copy(ROOT / "config.toml", tmp_path)
    shutil.copytree(ROOT / "content", tmp_path / "content")
    assert check_site(tmp_path / "config.toml", tmp_path / "content" / "news") > 100


def test_real_excerpts_reach_readers_decoded_once(tmp_path: Path, write_config: Any) -> None:
    """The references real CMSs write: the reader shows the character, never the code."""
    config, _ = _site(tmp_path, write_config, DATA / "readers")
    run_cli("build", "-c", str(config), "--now", NOW)
    feeds = tmp_path / "feeds"
    once = ("https://www.example.com/news/power-apps-demo/", "https://www.youtube.com/watch")
    checked = [i for i in every_item(feeds) if i.link.startswith(once)]
    assert len(checked) == 2 * 7  # two articles; RSS and Atom by three clients, and JSON
    for item in checked:
        for text in (item.title, item.excerpt or "", item.body or ""):
            assert not re.search(r"&(#\d+|#x[0-9a-f]+|amp|quot|lt|gt);", text), (item, text)
    texts = [i.excerpt for i in by_feedparser(feeds / "all.rss")]
    assert "In Nov’19, we’ve built a “Demo” for Customer & Partner teams" in " ".join(
        t or "" for t in texts
    )


def test_an_item_without_a_provider_has_the_sites_name_in_rss_as_in_atom(
    tmp_path: Path, write_config: Any
) -> None:
    """rss2email (through feedparser) names an item's sender by its author, else the
    feed's: an article that names no provider was mailed from "<author>", its
    placeholder, out of the RSS feed, and from the site out of the Atom feed."""
    config, _ = _site(tmp_path, write_config, DATA / "readers")
    run_cli("build", "-c", str(config), "--now", NOW)
    senders = {}
    for fmt in ("rss", "atom"):
        parsed = feedparser.parse(tmp_path / "feeds" / f"all.{fmt}")
        assert parsed.feed.get("author") == "Test site", fmt
        senders[fmt] = {e.link: e.get("author") or parsed.feed.author for e in parsed.entries}
    assert senders["rss"] == senders["atom"]
    assert "Test site" in senders["rss"].values()  # an article without a provider


def test_an_item_without_a_provider_has_the_sites_name_in_json_feed_as_in_atom(
    tmp_path: Path, write_config: Any
) -> None:
    """A JSON Feed reader shows an item's authors, else the feed's (JSON Feed 1.1; 1.0's
    one author for older readers): an article that names no provider had none in JSON
    Feed, where Atom names the site."""
    config, _ = _site(tmp_path, write_config, DATA / "readers")
    run_cli("build", "-c", str(config), "--now", NOW)
    feed = json.loads((tmp_path / "feeds" / "all.json").read_text(encoding="utf-8"))
    site = {"name": "Test site", "url": "https://example.com/"}
    assert feed["authors"] == [site] and feed["author"] == site
    shown = {i["url"]: (i.get("authors") or feed["authors"])[0]["name"] for i in feed["items"]}
    atom = feedparser.parse(tmp_path / "feeds" / "all.atom")
    assert shown == {e.link: e.get("author") or atom.feed.author for e in atom.entries}
    assert "Test site" in shown.values()  # an article without a provider


# ----------------------------------------------------------------- generated articles

PIECES = [
    "&#8217;", "&#8220;", "&#8221;", "&amp;", "&#038;", "&amp;amp;", "&lt;b&gt;", "&quot;",
    "&nbsp;", "&eacute;", "&#x2014;", "&copy;", "&", "<", ">", "<b>", "</b>", "<script>",
    "<!--", '"', "'", "é", "e\u0301", "東京", "Itâ€™s", "Ã©", "Zürich", "AT&T", "]]>", "\u00a0",
    "\u202f", "\u3000", "a", "b", " ", "x<y", "3 < 5", "\\", "|", "\t", "\n\n", "\r\n\r\n",
]  # fmt: skip
text = st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join)


def _article(n: int, title: str, excerpt: str, name: str, topic: str, related: str) -> str:
    q = json.dumps  # a JSON string is a YAML double-quoted scalar
    return (
        f"---\ntitle: {q('T ' + title, ensure_ascii=False)}\n"
        f"excerpt: {q(excerpt, ensure_ascii=False)}\n"
        f"publishedDateTime: 2020-05-{n + 10:02d}T08:00:00Z\n"
        f'webUrl: "https://news.example.com/{n}"\npublished: true\n'
        f"provider: {{name: {q('P ' + name, ensure_ascii=False)}}}\n"
        f"topics: [{q('t ' + topic, ensure_ascii=False)}]\n"
        f"related: [{{title: {q('R ' + related, ensure_ascii=False)}, "
        f'webUrl: "https://other.example.com/{n}"}}]\n---\n'
    )


# The same 40 examples in every run (derandomize): CI must not turn red on a new draw;
# explore more by hand with HYPOTHESIS settings changed, and keep what they find as a case.
@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.lists(st.tuples(text, text, text, text, text), min_size=1, max_size=3))
def test_readers_show_what_generated_articles_say(
    tmp_path_factory: pytest.TempPathFactory, fields: list[tuple[str, str, str, str, str]]
) -> None:
    root = tmp_path_factory.mktemp("gen")
    content = root / "content"
    content.mkdir()
    for n, f in enumerate(fields):
        (content / f"{n}.md").write_text(_article(n, *f), encoding="utf-8")
    config = root / "config.toml"
    config.write_text(
        '[site]\ntitle = "Gen"\nlink = "https://news.example.com/"\n'
        'feeds_url = "https://news.example.com/feeds/"\ncontent = ["content/*.md"]\n'
        + EVERYTHING, encoding="utf-8",
    )  # fmt: skip
    assert check_site(config, content) >= len(fields) * 5
