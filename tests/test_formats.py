"""The registry of output formats (:mod:`feedpub.formats`) is the one place formats
come from: each of its formats renders and checks through the two doors, ``check``
knows each one from its bytes alone, and what names formats elsewhere agrees with it.
A build with nothing to do imports none of what rendering and checking need."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from feedpub import formats
from feedpub.archive import documents
from feedpub.articles import load_article
from feedpub.config import ALL_FORMATS, Config, load_config
from feedpub.errors import ArticleError
from feedpub.formats import ATOM, FORMATS, JSON, RSS, check
from feedpub.model import Article
from feedpub.select import select
from feedpub.site.opml import subscription_format

from .conftest import ROOT

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def sample() -> tuple[Config, list[Article]]:
    """The sample's config and its readable articles."""
    config = load_config(str(ROOT / "config.toml"))
    articles = []
    for path in sorted((ROOT / "content" / "news").glob("*.txt")):
        with contextlib.suppress(ArticleError):  # the sample has files a build rejects
            articles.append(load_article(path.name, path.read_bytes(), config.timezone))
    return config, articles


def test_the_registry_holds_rss_atom_and_json_feed_in_the_order_readers_take_them() -> None:
    assert list(FORMATS) == ["rss", "atom", "json"]
    assert [FORMATS[f.name] for f in (RSS, ATOM, JSON)] == [RSS, ATOM, JSON]
    assert len({f.content_type for f in FORMATS.values()}) == len(FORMATS)
    assert subscription_format(["json", "atom", "rss"]) == "rss"  # feeds.opml's choice


@pytest.mark.parametrize("name", list(FORMATS))
def test_each_format_renders_the_sample_as_a_build_does_and_checks_it(
    sample: tuple[Config, list[Article]], name: str
) -> None:
    """Through the doors alone: the bytes of the committed ``feeds/space.<name>``
    (a feed of the sample in every format), and no problem with them."""
    config, articles = sample
    space = config.feed("space")
    assert space is not None and name in space.formats
    data = formats.render(config, space, select(articles, space, NOW), [name])[name]
    assert data == (ROOT / "feeds" / f"space.{name}").read_bytes()
    assert check(data, NOW) == (name, [])


def test_one_call_renders_several_formats_in_the_order_asked(
    sample: tuple[Config, list[Article]],
) -> None:
    config, articles = sample
    space = config.feed("space")
    assert space is not None
    items = select(articles, space, NOW)
    asked = ["json", "atom", "rss"]
    out = formats.render(config, space, items, asked)
    assert list(out) == asked
    for name in asked:
        assert out[name] == formats.render(config, space, items, [name])[name]
    with pytest.raises(ValueError, match="unknown format 'rdf'"):
        formats.render(config, space, items, ["rss", "rdf"])


def test_documents_assembled_from_entries_are_the_rendered_bytes(
    sample: tuple[Config, list[Article]],
) -> None:
    """Every document of every feed of the sample (subscription documents and archive
    pages) put together from its articles' entries, each made once, is byte for byte
    what ``render`` writes from the Articles."""
    config, articles = sample
    entries = {a.path: formats.entry(a) for a in articles}
    assert all(e is not None for e in entries.values())
    xml = [f for f in FORMATS if FORMATS[f].assembled]
    assert xml == ["rss", "atom"]
    pages = 0
    for feed in config.feeds:
        matching = select(articles, replace(feed, max_items=len(articles) + 1), NOW)
        for doc in documents(feed, matching):
            made = formats.assemble(config, feed, [entries[a.path] for a in doc.items], xml, doc)
            assert made == formats.render(config, feed, doc.items, xml, doc), doc.stem
            pages += doc.page is not None
    assert pages  # the archive pages too
    with pytest.raises(ValueError, match="assembled"):
        formats.assemble(config, config.feeds[0], [], ["rss", "json"], documents(feed, [])[0])


def test_an_article_only_render_can_write_has_no_entry(
    sample: tuple[Config, list[Article]],
) -> None:
    _, articles = sample
    bad = replace(articles[0], title="bell \x07 rings")  # a character XML 1.0 forbids
    assert formats.entry(bad) is None
    assert formats.entry(articles[0]) is not None


def test_check_knows_each_format_from_its_first_byte_or_root_element() -> None:
    for name in FORMATS:
        data = (ROOT / "feeds" / f"space.{name}").read_bytes()
        assert check(data, NOW)[0] == name
        if FORMATS[name].lead:  # white space may come first (an XML declaration may not)
            assert check(b" \n" + data, NOW)[0] == name
    # JSON Feed by its first byte, however broken the rest
    fmt, problems = check(b'\n {"version": 1,', NOW)
    assert fmt == "json" and [p.rule for p in problems] == ["well-formed"]
    # XML by its root element: none of ours, not XML at all, a DOCTYPE
    fmt, problems = check(b"<?xml version='1.0'?>\n<opml version='2.0'/>", NOW)
    assert (fmt, [str(p) for p in problems]) == (
        None,
        ["line 2: format: not RSS 2.0 or Atom 1.0: <opml>"],
    )
    assert check(b"not a feed", NOW)[0] is None
    assert check(b"nullify", NOW)[0] is None
    # nothing, or text: said so, not in libxml2's words for XML (a .json file was told
    # "not well-formed XML: Document is empty"); bytes that may be XML in UTF-16 are parsed
    feed = "not a feed (RSS 2.0, Atom 1.0 or JSON Feed 1.1)"
    for data, said in [(b"", f"empty, or only white space: {feed}"),
                       (b"\xef\xbb\xbf \n\t", f"empty, or only white space: {feed}"),
                       (b"hello", f"neither XML nor JSON: {feed}"),
                       (b"nullify", f"neither XML nor JSON: {feed}")]:  # fmt: skip
        assert [(p.line, p.rule, p.message) for p in check(data, NOW)[1]] == [(1, "format", said)]
    utf16 = "<?xml version='1.0' encoding='UTF-16'?><rss version='2.0'/>".encode("utf-16")
    assert {p.rule for p in check(utf16, NOW)[1]} == {"schema"}  # (read, and checked)
    # any JSON value is JSON, a scalar too (it was "not well-formed XML"), said as JSON says it
    for scalar, said in [(b"null", "null"), (b" 5\n", "5"), (b'"str"', "'str'"),
                         (b"\ntrue", "true"), (b"-1.5", "-1.5"), (b"[1]", "[1]")]:  # fmt: skip
        fmt, problems = check(scalar, NOW)
        assert (fmt, [p.message for p in problems]) == (
            "json",
            [f"(top): {said} is not of type 'object'"],
        ), scalar
    assert [p.rule for p in check(b"<!DOCTYPE rss><rss/>", NOW)[1]] == ["no-doctype"]


@pytest.mark.parametrize("name", ["rss", "atom"])
def test_a_repeated_or_malformed_xml_id_is_refused_as_before(name: str) -> None:
    """The check parses our own UTF-8 bytes without libxml2's ID table unless they hold
    ``xml:id``: a feed of ours given a repeated or malformed one is still refused,
    and the same bytes in another encoding are too."""
    from feedpub.formats import xmlcheck

    data = (ROOT / "feeds" / f"space.{name}").read_bytes()
    assert data.startswith(xmlcheck._OURS)  # the fast parse is the one ours take
    assert check(data, NOW)[1] == []
    root = {"rss": b"<rss ", "atom": b"<feed "}[name]
    for ids in (b'xml:id="a" data-x="1" ', b'xml:id="1 x" '):
        twice = data.replace(root, root + ids, 1)
        if ids.startswith(b'xml:id="a"'):  # the same id on a second element
            tag = {"rss": b"<channel>", "atom": b"<title>"}[name]
            assert tag in twice
            twice = twice.replace(tag, tag[:-1] + b' xml:id="a">', 1)
        for doc in (twice, twice.replace(b"encoding='UTF-8'", b"encoding='utf-8'", 1)):
            problems = check(doc, NOW)[1]
            assert [p.rule for p in problems] == ["well-formed"], problems
            assert "xml:id" in problems[0].message or "ID a" in problems[0].message
    # an ID declared by a DOCTYPE, given twice: refused as it was (not only for the DOCTYPE)
    declared = data.replace(
        b"?>\n", b"?>\n<!DOCTYPE x [<!ATTLIST link a ID #IMPLIED>]>\n", 1
    ).replace(b"<link", b'<link a="x"')
    assert declared.count(b'a="x"') >= 2
    assert [p.rule for p in check(declared, NOW)[1]] == ["well-formed"]


def test_the_hardened_parser_is_made_once_a_thread_and_stays_hardened() -> None:
    """Each thread reuses its parser (making one costs as much as parsing a small
    feed): after a good parse and after a failed one it still expands no entity, and
    the one that collects IDs still refuses a repeated one."""
    import threading

    from lxml import etree

    from feedpub.sanitize import hardened_parser

    assert hardened_parser() is hardened_parser()
    assert hardened_parser(collect_ids=False) is hardened_parser(collect_ids=False)
    assert hardened_parser() is not hardened_parser(collect_ids=False)
    elsewhere: list[etree.XMLParser] = []
    thread = threading.Thread(target=lambda: elsewhere.append(hardened_parser()))
    thread.start()
    thread.join()
    assert elsewhere[0] is not hardened_parser()
    entity = b'<!DOCTYPE r [<!ENTITY e "expanded">]><r>&e;</r>'
    repeated = b'<r><a xml:id="x"/><b xml:id="x"/></r>'
    for before in (b"<r>fine</r>", b"<r>broken"):
        for ids in (True, False):
            with contextlib.suppress(etree.XMLSyntaxError):
                etree.fromstring(before, hardened_parser(collect_ids=ids))
            assert etree.fromstring(entity, hardened_parser(collect_ids=ids)).text is None
        with pytest.raises(etree.XMLSyntaxError, match="already defined"):
            etree.fromstring(repeated, hardened_parser())
        assert len(etree.fromstring(repeated, hardened_parser(collect_ids=False))) == 2


def test_what_names_formats_elsewhere_agrees_with_the_registry() -> None:
    """config.py (the formats a feed may have) and serve.py (the media types it serves)
    keep their own lists; they must be the registry's."""
    from feedpub.serve import CONTENT_TYPES

    assert tuple(FORMATS) == ALL_FORMATS
    for f in FORMATS.values():
        assert CONTENT_TYPES[f".{f.name}"].split(";")[0] == f.content_type


def test_the_page_and_the_opml_list_name_formats_as_the_registry_does() -> None:
    """The committed index.html: every feed file's autodiscovery link and subscribe
    link carry its format's media type and label; feeds.opml subscribes to RSS."""
    page = etree.parse(str(ROOT / "feeds" / "index.html"))
    links = page.findall("head/link[@rel='alternate']")
    assert links
    for link in links:
        fmt = FORMATS[link.get("href", "").rsplit(".", 1)[1]]
        assert link.get("type") == fmt.content_type
        assert (link.get("title") or "").endswith(f"({fmt.label})")
    subscribe = page.findall(".//ul[@class='subscribe']/li/a")
    assert {a.get("type") for a in subscribe} == {f.content_type for f in FORMATS.values()}
    assert {a.text for a in subscribe} == {f.label for f in FORMATS.values()}
    opml = etree.parse(str(ROOT / "feeds" / "feeds.opml"))
    urls = [o.get("xmlUrl", "") for o in opml.iter("outline")]
    assert urls and all(u.endswith(".rss") for u in urls)  # every sample feed has RSS


def test_a_build_with_nothing_to_do_imports_no_renderer_or_checker(tmp_path: Path) -> None:
    """The registry names renderers and checkers; only rendering or checking imports
    them (and feedgen, lxml, nh3, jsonschema with them). Nor does it import what reads
    and cleans articles (PyYAML, the text cleaning and its patterns, ftfy): what the
    config needs of it is in feedpub.visible."""
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    build = [
        sys.executable,
        "-X",
        "importtime",
        "-m",
        "feedpub",
        "build",
        "--now",
        "2026-11-01T00:00:00Z",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.run(
        build, cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert first.returncode == 0, first.stderr
    assert "feedpub.formats.xmlfast" in first.stderr  # what importtime shows when it is used
    again = subprocess.run(
        build, cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stderr
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in again.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    heavy = {
        "feedgen",
        "lxml",
        "nh3",
        "jsonschema",
        "feedpub.site",
        "feedpub.formats.xmlfeed",
        "yaml",
        "ftfy",
        "feedpub.articles",
        "feedpub.fastyaml",
        "feedpub.sanitize",
    } | {
        f"feedpub.formats.{ref.split(':')[0]}"
        for f in FORMATS.values()
        for ref in (f.renderer, f.checker)
    }
    assert {"feedpub.formats", "feedpub.visible"} <= imported
    found = {m for m in imported for h in heavy if m == h or m.startswith(h + ".")}
    assert not found, json.dumps(sorted(found))


def test_render_workers_find_lxml_imported_and_need_no_nh3(tmp_path: Path) -> None:
    """A build that reads its few articles itself still imports what renders and checks
    before it forks the render workers: once, not once a worker. The bodies it writes
    need neither nh3 nor lxml's HTML parser (feedpub.fasthtml): nothing imports them."""
    sys.path.insert(0, str(ROOT / "bench"))
    from corpus import generate

    generate(tmp_path, 300, seed=3, layout="flat")  # 300 feeds: rendered by workers
    build = [sys.executable, "-X", "importtime", "-m", "feedpub", "build", "--jobs", "2",
             "--now", "2026-11-01T00:00:00Z"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(build, cwd=tmp_path, env=env, capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(list(tmp_path.glob("feeds/*.rss"))) > 64  # parallel.RENDERING's least
    imported = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:") and "|" in line]  # fmt: skip
    for module in ("lxml.etree", "feedpub.formats.xmlcheck"):
        assert imported.count(module) == 1, module
    for module in ("nh3", "lxml.html", "email.utils"):
        assert imported.count(module) == 0, module
