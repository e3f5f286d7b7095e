"""JSON Feed 1.1: the third format, with the same items as RSS and Atom, checked by
our JSON Schema (jsonschema) and by the same code rules as the XML feeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
import pytest
from lxml import etree

from feedpub import formats
from feedpub.formats import check

from .conftest import ROOT, run_cli

NOW = "2021-01-01T00:00:00Z"
NOW_DT = datetime(2021, 1, 1, tzinfo=UTC)
FEEDS = """
[feeds.azure]
title = "Azure"
description = "Azure news"
topics = ["Azure"]
formats = ["json", "rss", "atom"]

[feeds.ai]
title = "Microsoft AI"
topics = ["microsoft ai"]
"""


run = run_cli


@pytest.fixture
def built(write_config, seeds_dir: Path) -> Path:  # type: ignore[no-untyped-def]
    cfg = write_config(["content/*.txt"], FEEDS)
    code, _, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 0, err
    return cfg.parent / "feeds"


def test_json_is_opt_in_and_written_beside_rss_and_atom(built: Path) -> None:
    assert (built / "azure.json").is_file()
    assert not (built / "ai.json").exists()  # the default stays rss + atom
    assert {"ai.rss", "ai.atom", "azure.rss", "azure.atom"} <= {p.name for p in built.iterdir()}


def test_json_feed_matches_the_atom_feed_item_for_item(built: Path) -> None:
    doc = json.loads((built / "azure.json").read_text(encoding="utf-8"))
    atom = feedparser.parse((built / "azure.atom").read_bytes())
    raw = etree.fromstring((built / "azure.atom").read_bytes())
    contents = [c.text for c in raw.iter("{http://www.w3.org/2005/Atom}content")]
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert next(iter(doc)) == "version"  # "should appear at the very top"
    assert doc["feed_url"] == "https://example.com/feeds/azure.json"
    assert doc["home_page_url"] == "https://example.com/"
    assert doc["title"] == atom.feed.title == "Azure"
    assert len(doc["items"]) == len(atom.entries) == 2
    for item, entry, content in zip(doc["items"], atom.entries, contents, strict=True):
        assert item["id"] == item["url"] == entry.id == entry.link
        assert item["title"] == entry.title
        published = datetime.fromisoformat(item["date_published"])
        assert published == datetime.fromisoformat(entry.published)
        # date_modified is the Atom entry's updated: the second of publication, with
        # the fraction that keeps entries of one second apart (formats.items.entry_updated)
        modified = datetime.fromisoformat(item["date_modified"])
        assert modified == datetime.fromisoformat(entry.updated)
        assert published < modified < published + timedelta(seconds=1)
        assert item["summary"] == entry.summary
        assert item["content_html"] == content  # the same formats.items.content_html
        assert item["tags"] == [t.term for t in entry.tags]
        assert item["authors"] == [{"name": entry.author, "url": entry.author_detail.href}]
        assert item["author"] == item["authors"][0]  # (1.0's, for readers not on 1.1)
        enclosure = next(link for link in entry.links if link.rel == "enclosure")
        assert item["image"] == enclosure.href == item["attachments"][0]["url"]
        assert item["attachments"][0]["mime_type"] == enclosure.type
        related = [link.href for link in entry.links if link.rel == "related"]
        assert [r["url"] for r in item["_feedpub"]["related"]] == related
        for url in related:
            assert url in item["content_html"]


def test_json_bytes_are_deterministic_utf8_with_a_final_newline(
    built: Path, write_config, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    data = (built / "azure.json").read_bytes()
    assert data.endswith(b"}\n") and not data.endswith(b"\n\n")
    assert b"\\u" not in data  # ensure_ascii=False: text as it is
    assert json.dumps(json.loads(data), ensure_ascii=False, indent=2).encode() + b"\n" == data
    code, _, _ = run("build", "-c", str(built.parent / "config.toml"), "--now", NOW, "--full")
    assert code == 0
    assert (built / "azure.json").read_bytes() == data


def test_json_schema_is_valid_2020_12_and_accepts_the_spec_examples() -> None:
    schema = json.loads((ROOT / "feedpub/schemas/jsonfeed-1.1.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    spec_example = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "My Example Feed",
        "home_page_url": "https://example.org/",
        "feed_url": "https://example.org/feed.json",
        "items": [
            {"id": "2", "content_text": "This is a second item.", "url": "https://example.org/s"},
            {"id": "1", "content_html": "<p>Hello, world!</p>", "url": "https://example.org/i"},
        ],
    }
    assert list(validator.iter_errors(spec_example)) == []
    podcast_item = {
        "id": "http://therecord.co/chris-parrish",
        "content_text": "Chris has worked at Adobe.",
        "date_published": "2014-05-09T14:04:00-07:00",
        "attachments": [
            {
                "url": "http://therecord.co/downloads/x.m4a",
                "mime_type": "audio/x-m4a",
                "size_in_bytes": 89970236,
                "duration_in_seconds": 6629,
            }
        ],
        "_blue_shed": {"explicit": False},
    }
    assert list(validator.iter_errors({**spec_example, "items": [podcast_item]})) == []


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda d: d.pop("version"), "schema"),
        (lambda d: d.update(version="https://jsonfeed.org/version/2"), "schema"),
        (lambda d: d.update(unknown_key=1), "schema"),  # not an extension: no leading "_"
        (lambda d: d["items"][0].pop("id"), "schema"),
        (lambda d: d["items"][0].pop("content_html"), "schema"),  # content_html or _text
        (lambda d: d["items"][0].update(date_published="19 May 2020"), "schema"),
        (lambda d: d["items"][0]["attachments"][0].pop("mime_type"), "schema"),
        (lambda d: d["items"][0].update(id=d["items"][1]["id"]), "unique-id"),
        (lambda d: d["items"][0].update(url="/relative/path"), "absolute-url"),
        (lambda d: d["items"][0].update(image="javascript:alert(1)"), "absolute-url"),
        (lambda d: d.update(feed_url="ftp://example.com/x.json"), "absolute-url"),
        (lambda d: d.update(next_url=d["feed_url"]), "next-url"),
        (lambda d: d["items"][0].update(date_published="2030-01-01T00:00:00Z"), "future"),
        (lambda d: d["items"][0].update(content_html="<p onclick='x()'>hi</p>"), "html"),
        (lambda d: d["items"][0].update(content_html="<script>x()</script>"), "html"),
    ],
)
def test_broken_json_feeds_are_caught(built: Path, change, rule: str) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads((built / "azure.json").read_text(encoding="utf-8"))
    assert check(json.dumps(doc).encode(), NOW_DT)[1] == []
    change(doc)
    problems = check(json.dumps(doc, indent=2).encode(), NOW_DT)[1]
    assert rule in {p.rule for p in problems}, problems


@pytest.mark.parametrize(
    "date", ["2020-06-03t06:15:00z", "2020-06-03t06:15:00+05:45", "2020-06-03T06:15:00.5z"]
)
def test_a_date_in_rfc_3339s_lower_case_is_a_date(built: Path, date: str) -> None:
    """RFC 3339 (5.6) takes ``t`` and ``z`` in lower case, and so does the schema's
    pattern: the check in code said "date_published is not an RFC 3339 date" of a JSON
    Feed another program wrote so."""
    doc = json.loads((built / "azure.json").read_text(encoding="utf-8"))
    doc["items"][0].update(date_published=date, date_modified=date)
    assert check(json.dumps(doc).encode(), NOW_DT)[1] == []
    doc["items"][0].update(date_published=date.replace("2020", "2030"))  # (read as a date)
    assert {p.rule for p in check(json.dumps(doc).encode(), NOW_DT)[1]} == {"future"}


def test_not_json_at_all_is_reported_with_its_line() -> None:
    fmt, problems = check(b'{\n  "version": "x",\n  oops\n}\n', NOW_DT)
    assert fmt == "json"
    assert [(p.line, p.rule) for p in problems] == [(3, "well-formed")]


@pytest.mark.parametrize("indent", [None, 2, "\t"])
def test_a_json_feeds_problems_are_on_the_lines_of_their_items(indent: int | str | None) -> None:
    """Each item's problem on the line of its value (an ``items`` key nested in an
    extension is not the feed's), however the document is laid out: in one line (each
    item found in one pass, not by a search of the whole text for each), or indented."""
    items = [{"id": f"https://e.com/{n}", "url": url, "content_text": "x"}
             for n, url in enumerate(["https://e.com/0", "relative", "https://e.com/2", "/x"])]  # fmt: skip
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "t",
           "feed_url": "https://e.com/f.json", "_ext": {"items": [{"url": "relative"}]},
           "items": items}  # fmt: skip
    text = json.dumps(doc, indent=indent, separators=(",", ": "))
    problems = check(text.encode(), NOW_DT)[1]
    lines = text.splitlines()

    def line_of(needle: str, after: int = 0) -> int:
        return next(n for n, line in enumerate(lines, 1) if n > after and needle in line)

    wanted = [line_of(f'"url": "{url}"', line_of(f'"id": "https://e.com/{k}"') - 1)
              for k, url in ((1, "relative"), (3, "/x"))]  # fmt: skip
    assert sorted((p.line, p.rule, p.item) for p in problems) == [
        (wanted[0], "absolute-url", "https://e.com/1"), (wanted[1], "absolute-url", "https://e.com/3")]  # fmt: skip
    assert (indent is None) == (wanted == [1, 1])


def test_json_with_a_byte_order_mark_a_lone_surrogate_or_no_object_is_named_as_json() -> None:
    """Each is JSON to ``check`` (never "not well-formed XML") and has its problem; an
    escaped surrogate pair (one character, as ``json.dumps`` writes 😀) is none."""
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "t",
           "feed_url": "https://e.com/f.json", "items": []}  # fmt: skip
    good = json.dumps(doc).encode()
    assert check(good, NOW_DT) == ("json", [])
    bom = check(b"\xef\xbb\xbf" + good, NOW_DT)
    assert bom[0] == "json" and [(p.line, p.rule) for p in bom[1]] == [(1, "encoding")]
    item = {"id": "https://e.com/1", "content_text": "a \U0001f600 b"}
    assert check(json.dumps({**doc, "items": [item]}).encode(), NOW_DT) == ("json", [])
    lone = json.dumps({**doc, "items": [{**item, "content_text": "a \ud800 b"}]}).encode()
    assert [(p.rule, p.message.split(",")[0]) for p in check(lone, NOW_DT)[1]] == [
        ("encoding", "a string holds \\ud800")]  # fmt: skip
    assert check(b"  [1, 2]", NOW_DT)[0] == "json"


def test_json_nested_past_what_python_reads_is_a_problem_not_a_crash() -> None:
    deep = b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert [(p.line, p.rule) for p in check(deep, NOW_DT)[1]] == [(1, "well-formed")]


def test_a_number_longer_than_python_reads_is_a_problem_and_the_next_file_is_checked(
    tmp_path: Path, built: Path
) -> None:
    """A number of 5,000 digits was a traceback, and the files after it went unchecked."""
    huge = tmp_path / "huge.json"
    huge.write_text('{"version": "https://jsonfeed.org/version/1.1", "title": "T", '
                    f'"items": [], "x": {"9" * 5000}}}', encoding="utf-8")  # fmt: skip
    bad = tmp_path / "bad.rss"
    bad.write_text("<rss>", encoding="utf-8")
    code, out, _ = run("validate", str(huge), str(built / "azure.json"), str(bad))
    assert code == 1
    assert out.splitlines()[0] == (
        f"{huge}:1: well-formed: a number of more than 4,300 digits, which is not read"
    )
    assert out.splitlines()[1].startswith(f"{bad}:")  # (the good one said nothing)


def test_another_version_of_a_format_is_named_not_checked(tmp_path: Path) -> None:
    """RSS 0.92 got "Expecting an element , got nothing"; JSON Feed 1.0 a schema error."""
    rss = tmp_path / "old.rss"
    rss.write_text('<?xml version="1.0"?>\n<rss version="0.92"><channel><title>t</title>'
                   "<link>http://e.com/</link><description>d</description></channel></rss>\n",
                   encoding="utf-8")  # fmt: skip
    jf = tmp_path / "old.json"
    jf.write_text('{\n  "version": "https://jsonfeed.org/version/1",\n  "title": "T",\n'
                  '  "items": []\n}\n', encoding="utf-8")  # fmt: skip
    bare = tmp_path / "bare.rss"
    bare.write_text(rss.read_text(encoding="utf-8").replace(' version="0.92"', ""), "utf-8")
    code, out, _ = run("validate", str(bare))
    assert (code, out) == (1, f'{bare}:2: format: <rss> without a version is not checked: only '
                              'RSS 2.0 (<rss version="2.0">)\n')  # fmt: skip
    code, out, _ = run("validate", str(rss), str(jf))
    assert (code, out.splitlines()) == (1, [
        f"{rss}:2: format: RSS version '0.92' is not checked: only RSS 2.0 (<rss version=\"2.0\">)",
        f"{jf}:2: format: JSON Feed 1.0 is not checked: only JSON Feed 1.1 (version "
        "https://jsonfeed.org/version/1.1)",
    ])  # fmt: skip


def test_validate_names_a_file_it_could_not_check_and_goes_on(
    tmp_path: Path, built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case no check foresaw is named on its line, never a traceback that leaves the
    files after it unchecked."""
    real = formats.check

    def failing(data: bytes, now: datetime | None = None) -> tuple[str | None, list[Any]]:
        if b"boom" in data:
            raise KeyError("boom")
        return real(data, now)

    monkeypatch.setattr(formats, "check", failing)
    odd = tmp_path / "odd.rss"
    odd.write_bytes(b"<rss>boom</rss>")
    code, out, _ = run("validate", "--now", NOW, str(odd), str(built / "azure.json"))
    assert (code, out) == (1, f"{odd}:1: check: could not be checked (KeyError: 'boom')\n")


def test_validate_names_a_file_too_big_to_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feedpub import cli

    monkeypatch.setattr(cli, "VALIDATE_LIMIT", 1 << 20)
    big = tmp_path / "big.rss"
    big.write_bytes(b"<rss>" + b" " * (1 << 20))
    code, out, _ = run("validate", str(big))
    assert (code, out) == (
        1,
        f"{big}:1: size: over 1 MiB: not a feed a reader fetches; not checked\n",
    )


def test_validate_command_accepts_json_and_reports_its_problems(built: Path) -> None:
    good = built / "azure.json"
    code, out, _ = run("validate", "--now", NOW, str(good), str(built / "azure.atom"))
    assert code == 0, out
    bad = built / "bad.json"
    bad.write_text(good.read_text("utf-8").replace('"id": "https://', '"id": "x', 1), "utf-8")
    bad_doc = json.loads(bad.read_text("utf-8"))
    bad_doc["items"][0]["url"] = "not-a-url"
    bad.write_text(json.dumps(bad_doc, indent=2), "utf-8")
    code, out, _ = run("validate", "--now", NOW, str(bad))
    assert code == 1
    assert f"{bad}:" in out and "absolute-url" in out and "item url" in out


def test_a_json_feed_that_fails_validation_keeps_its_old_file(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (built / "azure.json").read_bytes()
    real = formats.render

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        out: dict[str, bytes] = real(*args, **kwargs)
        return {f: b.replace(b'"https://www.cnet', b'"//www.cnet') for f, b in out.items()}

    monkeypatch.setattr(formats, "render", broken)  # the registry's public door
    code, _, err = run("build", "-c", str(built.parent / "config.toml"), "--now", NOW, "--full")
    assert code == 3
    assert "azure.json: line" in err and "absolute-url" in err
    assert (built / "azure.json").read_bytes() == before


def test_archived_json_feed_pages_chain_with_next_url(write_config, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = write_config(
        ["content/*.txt"],
        '[feeds.all]\ntitle = "All"\ntopics = ["*"]\nmax_items = 1\narchive = true\n'
        'archive_size = 1\nformats = ["json"]\n',
    )
    code, _, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 0, err
    folder = cfg.parent / "feeds"
    seen: list[str] = []
    url: str | None = "https://example.com/feeds/all.json"
    while url:
        doc = json.loads((folder / url.rsplit("/", 1)[1]).read_text("utf-8"))
        assert doc["feed_url"] == url
        assert check(json.dumps(doc).encode(), NOW_DT)[1] == []
        seen += [i["id"] for i in doc["items"]]
        url = doc.get("next_url")
    assert len(seen) == len(set(seen)) == 3  # the three published seeds, each once


def test_config_accepts_json_and_rejects_other_formats(write_config) -> None:  # type: ignore[no-untyped-def]
    cfg = write_config(["*.txt"], '[feeds.a]\ntitle = "A"\ntopics = ["x"]\nformats = ["json"]\n')
    from feedpub.config import load_config

    assert load_config(cfg).feeds[0].formats == ("json",)
    cfg.write_text(cfg.read_text("utf-8").replace('["json"]', '["json", "rdf"]'), "utf-8")
    code, _, err = run("build", "-c", str(cfg))
    assert code == 2
    assert "feeds.a.formats: must be a non-empty list drawn from ['rss', 'atom', 'json']" in err


def test_a_video_links_its_watch_page_as_in_rss_and_atom(write_config, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """JSON Feed has no player: content_html and _feedpub.video_url give the watch page
    (the article), _feedpub.player_url the embed player RSS and Atom give as media:player."""
    from feedpub.config import load_config

    from .test_render import rich_article

    config = load_config(write_config(["content/*.txt"], FEEDS))
    video = rich_article()
    doc = json.loads(formats.render(config, config.feeds[0], [video], ["json"])["json"])
    assert check(json.dumps(doc).encode(), NOW_DT)[1] == []
    item = doc["items"][0]
    assert item["url"] == video.url
    assert item["_feedpub"]["video_url"] == video.url
    assert item["_feedpub"]["player_url"] == "https://video.example/embed/1"
    links = [a.get("href") for a in etree.HTML(item["content_html"]).iter("a")]
    assert video.url in links and "https://video.example/embed/1" not in links


def test_a_json_feed_with_many_schema_errors_is_checked_in_memory_of_its_problems() -> None:
    """Each schema error (which holds its instance, its schema and their context) was
    kept until all were sorted: a 480 KB feed with 60,000 took 611 MB to validate. Each
    is a Problem as it comes now; weighed, not timed."""
    import tracemalloc

    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "t",
           "feed_url": "https://e.com/f.json",
           "items": [{"id": "https://e.com/1", "content_text": "x", "tags": [1] * 5000}]}  # fmt: skip
    tracemalloc.start()
    try:
        fmt, problems = check(json.dumps(doc).encode(), NOW_DT)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert fmt == "json" and len(problems) == 5000
    assert {p.rule for p in problems} == {"schema"}
    assert "items/0/tags/4999: 1 is not of type 'string'" in {p.message for p in problems}
    assert peak < 3000 * len(problems), peak  # (1.7 KB a problem; 4.7 KB before)


def test_a_summary_has_the_paragraphs_the_atom_summary_shows(write_config) -> None:  # type: ignore[no-untyped-def]
    """An excerpt as a CMS exports one ("are:" then blank lines and tabs, a real one's):
    the summary is its paragraphs, a blank line between, no tabs or spaces at a line's
    ends, as readers show the Atom summary's HTML; not the raw run of white space."""
    from dataclasses import replace

    from feedpub.config import load_config

    from .test_render import rich_article

    config = load_config(write_config(["content/*.txt"], FEEDS))
    excerpt = (
        "Two factors are:\n\n\n\t\n\tInnovations  a cloud gives.\n\t\n\t\n\tBenchmarks\n\tto see "
    )
    article = replace(rich_article(), excerpt=excerpt)
    rendered = formats.render(config, config.feeds[0], [article], ["json", "atom"])
    summary = json.loads(rendered["json"])["items"][0]["summary"]
    assert summary == "Two factors are:\n\nInnovations  a cloud gives.\n\nBenchmarks\nto see"
    shown = feedparser.parse(rendered["atom"]).entries[0].summary
    assert shown == ("<p>Two factors are:</p>\n<p>Innovations  a cloud gives.</p>\n"
                     "<p>Benchmarks\n<br />\tto see </p>")  # fmt: skip
