"""Notices: what in an article file (or the config) is allowed but most likely a
mistake, said once, by the build that reads the file after it changed; never an error.
Each case is an editor's mistake an outside tester made, which left an article out of
its feeds, or changed what readers see, without a word."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub import notices
from feedpub.articles import load_article, parse_front_matter
from feedpub.errors import ArticleError, Notice, cut
from feedpub.fastyaml import _scalar
from feedpub.notices import article_notices, dropped_url, lacks_published

from .conftest import AZURE_AI_FEEDS, OLD_MTIME_NS, SEEDS, run_cli

NOW = "2021-01-01T00:00:00Z"
#: A published seed in the azure feed (and its lines: title 3, excerpt 4, quality 8,
#: published 10, topics 20).
SEED = "003_e437473dcdcad073.txt"


def _edited(old: str, new: str) -> bytes:
    text = (SEEDS / SEED).read_text(encoding="utf-8").replace("published: false", "published: true")
    assert old in text, old
    return text.replace(old, new, 1).encode()


def _lines(path: str, data: bytes) -> list[str]:
    return [f"{n.line}: {n.message}" for n in _notices(path, data)]


def _notices(path: str, data: bytes) -> list[Notice]:
    return article_notices(path, data, parse_front_matter(path, data)[0])


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("title:", "titel:", "3: titel is not a key feedpub reads: did you mean title?"),
        ("excerpt:", "exerpt:", "4: exerpt is not a key feedpub reads: did you mean excerpt?"),
        ("topics:", "topic:", "20: topic is not a key feedpub reads: did you mean topics?"),
        ("\nimages:", "\nimage:", "23: image is not a key feedpub reads: did you mean images?"),
        ("published: true", "Published: true",
         "10: Published is not a key feedpub reads: did you mean published?"),
        ("published: true", 'published: "true"', "10: published: 'true' is text, not true: "
         "the article is not published; to publish it, write published: true"),
        ("published: true", "published: 1", "10: published: 1 is a number, not true: the "
         "article is not published; to publish it, write published: true"),
        ("published: true", "published: y", "10: published: 'y' is text, not true: the "
         "article is not published; to publish it, write published: true"),
        ("published: true", "published:", "10: published has no value (YAML's null), not "
         "true: the article is not published; to publish it, write published: true"),
        ("published: true", "published: ~", "10: published has no value (YAML's null), not "
         "true: the article is not published; to publish it, write published: true"),
        ("published: true", "published: true\u00a0", "10: published: 'true\\xa0' is text, "
         "not true: the article is not published; to publish it, write published: true"),
        ('title: "Microsoft just built', "title: Microsoft is #1, just built",
         "3: title: what follows the # is a YAML comment, left out of the title: if it "
         'belongs to the title, put all of it in double quotes, title: "…"'),
        ('title: "Microsoft just built', "title: #1: Microsoft just built",
         "3: title: what follows the # is a YAML comment, left out of the title: if it "
         'belongs to the title, put all of it in double quotes, title: "…"'),
        ("quality: 65", "quality: high", "8: quality: 'high' is not a number: the article "
         "has no quality, and a feed with min_quality leaves it out"),
        ("topics:\n  - Azure", "topics: Azure, AI", "20: topics: 'Azure, AI' is one topic: for "
         "several, write a list, topics: [Azure, AI]"),
    ],
)  # fmt: skip
def test_a_likely_mistake_is_named_at_its_line(old: str, new: str, said: str) -> None:
    data = _edited(old, new)
    if old.startswith('title: "'):  # (the title's closing quote too)
        data = data.replace(b'planet"\n', b"planet\n", 1)
    assert _lines("a.txt", data) == [said]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('title: "Microsoft just built', 'title: "Barbie" #1, just built',
         "3: title: what follows the # is a YAML comment, left out of the title: if it "
         'belongs to the title, put all of it in double quotes, title: "…"'),
        ("published: true", "published\u00a0: true",
         "10: 'published\\xa0': a space YAML takes as a letter (a no-break space, say) is "
         "in the key: write it without"),
        ("published: true", '"published\\e": true',  # (escaped: no control to the terminal)
         "10: published\\x1b is not a key feedpub reads: did you mean published?"),
        ("topics:\n  - Azure", "topics:\n  -\u00a0Azure",
         "20: topics: '-\\xa0Azure' is one topic: a space YAML takes as a letter (a no-break "
         "space, say) follows the dash of its list: retype it as a space"),
    ],
)  # fmt: skip
def test_what_an_outside_tester_found_is_named_too(old: str, new: str, said: str) -> None:
    data = _edited(old, new)
    if old.startswith('title: "'):
        data = data.replace(b'planet"\n', b"planet\n", 1)
    assert _lines("a.txt", data) == [said]


@pytest.mark.parametrize(
    "title", ["“Barbie” beats “Oppenheimer”", "‘Diablo 4’ review — ‘best yet’",
              "«Le Monde» et «Libération»"],
)  # fmt: skip
def test_a_headline_that_quotes_twice_is_no_mistake(title: str) -> None:
    """Unquoted, it is the title as meant (YAML keeps every quote): no notice; the same
    title in curly quotes alone is told (the check sees that it is the one above)."""
    text = (SEEDS / SEED).read_text(encoding="utf-8")
    line = next(x for x in text.split("\n") if x.startswith("title:"))
    assert _lines("a.txt", text.replace(line, f"title: {title}").encode()) == []
    alone = (
        f"title: {title[0]}{title[1:-1].replace(title[-1], '').replace(title[0], '')}{title[-1]}"
    )
    assert len(_lines("a.txt", text.replace(line, alone).encode())) == 1


def test_a_title_in_curly_quotes_is_named_only_when_it_is_not_in_straight_ones() -> None:
    """``title: “…”`` is a title with the curly quotes in it (the editor meant quotes);
    ``title: "‘Diablo 4’ will include …”"``, as a real site writes a headline that
    quotes someone, is the title as meant: no notice."""
    unquoted = _edited('title: "Microsoft just built', "title: “Microsoft just built")
    unquoted = unquoted.replace(b'planet"\n', "planet”\n".encode(), 1)
    assert _lines("a.txt", unquoted) == [
        "3: title: “ and ” are no quotes to YAML but part of the title: to quote it, use "
        'straight quotes, title: "…"'
    ]
    quoted = _edited('title: "Microsoft just built', 'title: "‘Microsoft just built')
    assert _lines("a.txt", quoted.replace(b'planet"\n', 'planet”"\n'.encode(), 1)) == []


@pytest.mark.parametrize(
    "line",
    [
        "cdnAmpWebUrl: https://x.example/a",  # keys of the format feedpub does not read
        "locale: en-US",  # a site's own keys, far from every known one
        "author: Jane",
        "videos: []",
        'title2: "x"',  # (the key "title" and more, beside it: a second title of its own)
        'image: "https://x.example/card.jpg"',  # (beside images: a social card's, Hugo's)
        "topic: Azure",  # (beside topics: one of the site's own)
        'note: "Microsoft is #1"',  # a comment cuts another key's value: not told
    ],
)
def test_keys_of_the_format_and_a_sites_own_are_no_mistake(line: str) -> None:
    data = _edited("heat: 85\n", f"heat: 85\n{line}\n")
    assert _lines("a.txt", data) == []


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ('exerpt: "An old excerpt"', "10: exerpt is not a key feedpub reads: excerpt, at line 4, "
         "is the one read: remove one of them"),
        ("titel: Old title", "10: titel is not a key feedpub reads: title, at line 3, is the "
         "one read: remove one of them"),
        ('"Title": x', "10: Title is not a key feedpub reads: title, at line 3, is the one "
         "read: remove one of them"),
    ],
)  # fmt: skip
def test_a_misspelt_key_beside_the_key_it_means_is_told(line: str, said: str) -> None:
    """``exerpt:`` beside ``excerpt:`` (a leftover, or a key half renamed) was not told:
    its value, which may be the one meant, was left unread without a word."""
    assert _lines("a.txt", _edited("heat: 85\n", f"heat: 85\n{line}\n")) == [said]


@pytest.mark.parametrize("line", ["2024: a year", "~: nothing", "true: yes", "1.5: x"])
def test_a_key_that_is_no_text_is_no_mistake_and_no_crash(line: str) -> None:
    """A key YAML reads as a number (or null, true, a list) was taken for text: the
    file was rejected as "cannot load (AttributeError)"."""
    data = _edited("heat: 85\n", f"heat: 85\n{line}\n")
    assert _lines("a.txt", data) == []
    assert _lines("a.txt", data.replace(b"title:", b"titel:", 1)) == [
        "3: titel is not a key feedpub reads: did you mean title?"
    ]


@pytest.mark.parametrize("title", ['""', "“", "”", "'“'", '"„"'])
def test_a_title_empty_or_one_quote_long_is_no_mistake_and_no_crash(title: str) -> None:
    """An empty title (the excerpt stands for it) made the first version's curly-quote
    check fail (the file was rejected: "cannot load")."""
    text = (SEEDS / SEED).read_text(encoding="utf-8")
    line = next(x for x in text.split("\n") if x.startswith("title:"))
    assert _lines("a.txt", text.replace(line, f"title: {title}").encode()) == []


@pytest.mark.parametrize(
    ("title", "cut"),
    [
        ('"He said \\"no\\"" #1', True), ('"a \\\\" #1', True), ('"a \\" #1"', False),
        ("'It''s' #1", True), ("'It''s #1'", False), ("a#1", False), ("a\t#1", True),
        ("|", False), ("a" + " " * 100_000 + "b#", False), ('"' + "\\\"" * 50_000 + '" #1', True), ('"a" #', False),
    ],
)  # fmt: skip
def test_a_comment_is_found_as_yaml_finds_it(title: str, cut: bool) -> None:
    """What YAML takes for a comment after a title, past its quotes and their escapes (a
    regular expression of it was quadratic on a line of spaces: linear now)."""
    text = (SEEDS / SEED).read_text(encoding="utf-8")
    line = next(x for x in text.split("\n") if x.startswith("title:"))
    said = _lines("a.txt", text.replace(line, f"title: {title}").encode())
    assert bool(said) == cut, said


@pytest.mark.parametrize(
    ("title", "line"),
    [
        ("title : Microsoft is #1", 3), ('"title": Microsoft is #1', 3), ("'title': x #1", 3),
        ("title:\n  Microsoft is #1", 4), ("title:\n\n  # a comment\n  Microsoft is #1", 6),
        ("title: Microsoft\n  is #1 in AI", 4), ("title: Microsoft\n  #1 in AI", 4),
        ('excerpt: "x"\n"excerpt" : A #1 app', 4),
        ('title:\n  "Microsoft is #1"', None), ("title: a\n  b\nnote: 1 #2", None),
        ('title: "a\n  #1"', None), ("title: a#1\n  b#2", None),
        ("title:\n" + "  a\n" * 200_000, None), ("title: a" + "\n  b" * 200_000 + " #1", 200_003),
        # a comment written as one cuts nothing: after a quoted title, on a line of its
        # own below the text, right after the key with the text below
        ('title: "Azure"  # short', None), ("title: Azure region\n  # a note", None),
        ("title:\n  Azure region\n  # a note", None), ("title:  # a note\n  Azure region", None),
        ('title: "Barbie" #1 at the box office', 3), ("title: #1 app", 3),
        ("title: Azure outage  # TODO verify", None), ("title: Azure outage #", None),
        ("title: Azure\n  outage # fix later", None), ("title: F# matters #dotnet", 3),
        ("title: C# 12 is out", None), ("title: a" + " #" * 100_000, None),
    ],
)  # fmt: skip
def test_a_comment_in_a_title_written_otherwise_is_told_at_its_line(
    title: str, line: int | None
) -> None:
    """Only ``title: … #1`` at a line's start was looked at: ``title : Microsoft is #1``,
    ``"title": …`` (as JSON writes a key) and a title on the lines below its key lost
    what follows the ``#`` without a word. Told at the line of the ``#``; a quoted
    title, or a ``#`` with no space before it, is the title's own. (Linear: a title of
    200,000 lines is read once.)"""
    text = (SEEDS / SEED).read_text(encoding="utf-8").replace("published: false", "published: true")
    old = next(x for x in text.split("\n") if x.startswith("title:"))
    if title.startswith('excerpt: "x"'):
        old = next(x for x in text.split("\n") if x.startswith("excerpt:"))
        title = title.removeprefix('excerpt: "x"\n')
    said = _lines("a.txt", text.replace(old, title, 1).encode())
    key = "excerpt" if title.startswith('"excerpt"') else "title"
    assert said == ([] if line is None else [
        f"{line}: {key}: what follows the # is a YAML comment, left out of the {key}: if it "
        f'belongs to the {key}, put all of it in double quotes, {key}: "…"'])  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from([" ", "\t", "#", "#1", "# ", "a", '"', "'", "\\", "\n", "\n  ", "\r",
                              "\r\n  ", "&#038;", "F#", "|", ">", ":", "excerpt:", "\u201c"]),
             max_size=12).map("".join)
)  # fmt: skip
def test_a_file_without_a_hash_after_a_space_is_told_of_no_comment(written: str) -> None:
    """The comments looked for are read only in a file with a ``#`` after a space or a
    tab (:func:`feedpub.notices._comment_mark`): the notices are those of every file
    looked at."""
    text = (SEEDS / SEED).read_text(encoding="utf-8")
    title = next(x for x in text.split("\n") if x.startswith("title:"))
    data = text.replace(title, f"title:{written}", 1).encode()
    try:
        mapping = parse_front_matter("a.txt", data)[0]
    except ArticleError:
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(notices, "_comment_mark", lambda data: True)
        every = article_notices("a.txt", data, mapping)
    assert article_notices("a.txt", data, mapping) == every


def test_a_file_of_many_keys_of_its_own_weighs_the_first_fifty() -> None:
    """Each key is weighed against every key of the format: a file of 10,000 keys of its
    own took 6 s. The first fifty are weighed (a misspelling among them is told)."""
    own = "".join(f"customkey{i:05d}: 1\n" for i in range(10_000))
    told = _edited("heat: 85\n", "heat: 85\norignalUrl: x\n" + own)
    assert [n.message for n in _notices("a.txt", told)] == [
        "orignalUrl is not a key feedpub reads: did you mean originalUrl?"
    ]
    untold = _edited("heat: 85\n", "heat: 85\n" + own + "orignalUrl: x\n")
    assert _lines("a.txt", untold) == []


def test_a_list_item_indented_under_the_one_above_is_told() -> None:
    """``  - Azure`` then ``    - AI``: YAML folds them into one topic, "Azure - AI", and
    the article left both feeds without a word."""
    folded = _edited("topics:\n  - Azure", "topics:\n  - Azure\n    - AI")
    assert _lines("a.txt", folded) == [
        "20: topics: 'Azure - AI' is one topic: a '- ' indented deeper than the one above "
        "goes on its text: line the dashes up"
    ]
    assert _lines("a.txt", _edited("topics:\n  - Azure", "topics:\n  - Azure - AI")) == []
    for folded, topic in [("  - Azure\n    - AI\n    - ML", "Azure - AI - ML"),
                          ("  - Azure\n    - AI\n    stuff", "Azure - AI stuff"),
                          ("  - Azure\n    \t- AI", "Azure - AI"), ("  - Azure\n    -\tAI", "Azure -\tAI"),
                          # the item above wrapped, or a topic of " - " itself, was not told
                          ("  - Azure\n    cloud\n    - AI", "Azure cloud - AI"),
                          ("  - Sci - Fi\n    - AI", "Sci - Fi - AI"),
                          ("- Azure\n\n  cloud\n\n  - AI\n- ML", "Azure\ncloud\n- AI")]:  # fmt: skip
        data = _edited("topics:\n  - Azure", "topics:\n" + folded)
        assert [n.message.split(" is one topic")[0] for n in _notices("a.txt", data)] == [
            f"topics: {topic!r}"
        ], folded


@pytest.mark.parametrize(
    ("topics", "said"),
    [
        ("Azure,AI", "topics: 'Azure,AI' is one topic: for several, write a list, "
         "topics: [Azure, AI]"),
        ("Azure,AI ,ML,", "topics: 'Azure,AI ,ML,' is one topic: for several, write a list, "
         "topics: [Azure, AI, ML]"),
        ('"Power Apps,Azure"', "topics: 'Power Apps,Azure' is one topic: for several, write a "
         "list, topics: [Power Apps, Azure]"),
    ],
)  # fmt: skip
def test_topics_parted_by_commas_without_spaces_are_told(topics: str, said: str) -> None:
    """``topics: Azure,AI`` is one topic, "Azure,AI", to YAML: the article left the Azure
    and AI feeds without a word (``Azure, AI`` was told). A number's comma is a topic's own
    (``10,000 steps``), as is a comma in a list's item."""
    data = _edited("topics:\n  - Azure", f"topics: {topics}")
    assert _lines("a.txt", data) == [f"20: {said}"]
    for own in ("10,000 steps", "Windows 3,1", "[Azure, 'AI,ML']"):
        assert _lines("a.txt", _edited("topics:\n  - Azure", f"topics: {own}")) == [], own


def test_a_file_of_old_mac_line_breaks_is_told_at_its_lines() -> None:
    data = _edited("quality: 65", "quality: high").replace(b"\n", b"\r")
    assert _lines("a.txt", data) == [
        "8: quality: 'high' is not a number: the article has no quality, and a feed with "
        "min_quality leaves it out"
    ]


def test_what_a_notice_says_back_is_escaped_and_cut() -> None:
    """The list a notice suggested was written raw: a terminal escape in a topic reached
    the terminal. Every value said back is escaped, and cut at 60 characters."""
    data = _edited("topics:\n  - Azure", 'topics: "Azure\\e[31m, AI\\u009b2J\\u202e"')
    assert _lines("a.txt", data) == [
        "20: topics: 'Azure\\x1b[31m, AI\\x9b2J\\u202e' is one topic: for several, write a "
        "list, topics: [Azure\\x1b[31m, AI\\u009b2J\\u202e]"
    ]
    long = _edited("quality: 65", "quality: " + "x" * 10_000)
    assert _lines("a.txt", long) == [
        f"8: quality: '{'x' * 58}… is not a number: the article has no quality, and a feed "
        "with min_quality leaves it out"
    ]


def test_a_key_too_long_to_be_a_misspelling_is_not_kept() -> None:
    """Each key weighed was kept (a cache of 1,024): a key of 1.5 MB in each file of a
    build kept 1.5 GB. One longer than the format's keys by two is no misspelling, and
    is not kept; nor by the fast reader's keys (4,096 of any length were)."""
    import tracemalloc

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(5):  # (weighed, not timed: what stays once each file is done)
            data = _edited("heat: 85\n", f"heat: 85\nk{n}" + "k" * 100_000 + ": 1\n")
            assert _lines("a.txt", data) == []
            del data
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 200_000, kept  # (500 KB when each key was kept)


def test_a_list_lined_up_is_no_folded_item_and_the_check_is_linear() -> None:
    """The first check of a folded item fired on a list lined up (``- Azure - AI`` under
    ``- AI``) and on the body's text, and was quadratic on a line of spaces."""
    lined_up = _edited("topics:\n  - Azure", "topics:\n  - Azure\n  - AI\n  - Azure - AI")
    assert _lines("a.txt", lined_up) == []
    for own in ("  - Sci - Fi\n  - AI", "  - Sci - Fi\n    wrapped - x", '  - "Sci\n    - Fi"'):
        assert _lines("a.txt", _edited("topics:\n  - Azure", "topics:\n" + own)) == [], own
    stairs = "".join(f"{' ' * n}- x\n" for n in range(2, 4002, 2))  # (one topic, folded)
    assert len(_lines("a.txt", _edited("topics:\n  - Azure\n", "topics:\n" + stairs))) == 1
    body = _edited("topics:\n  - Azure", 'topics:\n  - "Azure - AI"') + b"We cover Azure\n  - AI\n"
    assert _lines("a.txt", body) == []
    spaces = _edited("topics:\n  - Azure", 'topics:\n  - " - x"') + b" " * 200_000 + b"\n"
    assert _lines("a.txt", spaces) == []


def test_the_body_is_no_front_matter_to_a_notice() -> None:
    """A line of the body that begins as a key does was taken for the front matter's: a
    notice at the body's line, or a notice of the body's text."""
    quoted = _edited("heat: 85\n", 'heat: 85\n"orignalUrl": x\n') + b"orignalUrl: body\n"
    assert _lines("a.txt", quoted) == [
        "10: orignalUrl is not a key feedpub reads: did you mean originalUrl?"
    ]
    text = (SEEDS / SEED).read_text(encoding="utf-8").replace("published: false", "published: true")
    no_title = "\n".join(x for x in text.split("\n") if not x.startswith("title:"))
    assert _lines("a.txt", (no_title + "title: We are #1 again\n").encode()) == []


def test_a_body_under_a_dots_line_is_no_front_matter_to_a_notice() -> None:
    """Front matter closed with ``...``, as Jekyll allows: a body's line that begins as
    a key does is no key of it either."""
    text = (SEEDS / SEED).read_text(encoding="utf-8").replace("published: false", "published: true")
    dots = text.replace("\n---\n", "\n...\n")  # (the closing line: the first is "---\n")
    quoted = dots.replace("heat: 85\n", 'heat: 85\n"orignalUrl": x\n') + "orignalUrl: body\n"
    assert _lines("a.txt", quoted.encode()) == [
        "10: orignalUrl is not a key feedpub reads: did you mean originalUrl?"
    ]
    no_title = "\n".join(x for x in dots.split("\n") if not x.startswith("title:"))
    assert _lines("a.txt", (no_title + "title: We are #1 again\n").encode()) == []


def test_old_mac_line_breaks_hide_no_notice() -> None:
    data = _edited('title: "Microsoft just built', "title: Microsoft is #1, just built")
    data = data.replace(b'planet"\n', b"planet\n", 1).replace(b"\n", b"\r")
    assert _lines("a.txt", data) == [
        "3: title: what follows the # is a YAML comment, left out of the title: if it "
        'belongs to the title, put all of it in double quotes, title: "…"'
    ]


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("provider", "CNET", "'CNET' is text, where a provider is a mapping: name: and "
         "domain: on the lines below, indented"),
        ("provider", "[CNET]", "['CNET'] is a list, where a provider is a mapping: name: "
         "and domain: on the lines below, indented"),
        ("images", '"https://img.example.com/a.jpg"', "'https://img.example.com/a.jpg' is "
         "text, where images are a list: each image a '- url: …' line below, indented"),
        ("related", "5", "5 is a number, where related coverage is a list: each item a "
         "'- title: …' line below, indented, with its webUrl"),
        ("related", "{title: x}", "{'title': 'x'} is a mapping, where related coverage is a "
         "list: each item a '- title: …' line below, indented, with its webUrl"),
    ],
)  # fmt: skip
def test_a_block_written_as_a_text_is_told(key: str, value: str, said: str) -> None:
    """``provider: CNET``, ``images: "…"``, ``related: 5`` were left out without a word
    (their blocks are not built for a summary: their text, number or flow is)."""
    text = (SEEDS / SEED).read_text(encoding="utf-8").replace("published: false", "published: true")
    lines = text.split("\n")
    at = lines.index(f"{key}:")
    end = next(i for i in range(at + 1, len(lines)) if lines[i] and not lines[i][0].isspace())
    data = "\n".join([*lines[:at], f"{key}: {value}", *lines[end:]]).encode()
    assert _lines("a.txt", data) == [f"{at + 1}: {key}: {said}; it is left out"]
    empty = "{}" if key == "provider" else "[]"  # (the right shape, empty: no notice)
    assert _lines("a.txt", "\n".join([*lines[:at], f"{key}: {empty}", *lines[end:]]).encode()) == []


def test_every_seed_and_a_quoted_hash_say_nothing() -> None:
    for f in SEEDS.glob("*.txt"):
        assert _lines(f.name, f.read_bytes()) == [], f
    quoted = _edited('title: "Microsoft just built', 'title: "Microsoft is #1, just built')
    assert _lines("a.txt", quoted) == []
    assert _lines("a.txt", _edited("published: true", "published: false")) == []
    assert _lines("a.txt", _edited("published: true", 'published: "no"')) == []


def test_a_build_says_each_once_when_it_reads_the_file_and_exits_0(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    (seeds_dir / SEED).write_bytes(_edited("title:", "titel:"))
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    path = f"content/{SEED}"
    assert (code, err) == (0, f"{path}:3: titel is not a key feedpub reads: did you mean title?\n")
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")  # said once
    assert run_cli("build", "-c", str(cfg), "--now", NOW, "--full")[2] == err  # and again
    # the article is used as it stands: published, its excerpt's start as its title
    feed = (cfg.parent / "feeds" / "azure.rss").read_bytes()
    assert b"<title>Microsoft has announced a new supercomputer built by the" in feed


@pytest.mark.parametrize(
    ("zone", "date", "said"),
    [
        ("Europe/Berlin", "2026-03-29T02:30:00",
         "5: publishedDateTime '2026-03-29T02:30:00' is no time in Europe/Berlin: its clocks "
         "skip over it, so it is taken as 03:30 there (2026-03-29T01:30:00Z); write its "
         "offset from UTC to say the moment: +01:00 or +02:00"),
        ("Europe/Berlin", "2026-10-25 02:30:00",
         "5: publishedDateTime '2026-10-25T02:30:00' is twice in Europe/Berlin: its clocks "
         "go over it twice, and it is taken as the first (2026-10-25T00:30:00Z); write its "
         "offset from UTC to say the moment: +02:00 for the first, +01:00 for the second"),
        ("Europe/Berlin", '"2026-10-25T02:30:00"',  # (in quotes, as JSON writes it)
         "5: publishedDateTime '2026-10-25T02:30:00' is twice in Europe/Berlin: its clocks "
         "go over it twice, and it is taken as the first (2026-10-25T00:30:00Z); write its "
         "offset from UTC to say the moment: +02:00 for the first, +01:00 for the second"),
        ("Europe/Berlin", '"2026-3-29 2:30:00"',  # (in quotes, as YAML reads it unquoted)
         "5: publishedDateTime '2026-3-29 2:30:00' is no time in Europe/Berlin: its clocks "
         "skip over it, so it is taken as 03:30 there (2026-03-29T01:30:00Z); write its "
         "offset from UTC to say the moment: +01:00 or +02:00"),
        ("Europe/Berlin", '"Sun, 29 Mar 2026 02:30:00"',  # (RFC 822's, without a zone)
         "5: publishedDateTime 'Sun, 29 Mar 2026 02:30:00' is no time in Europe/Berlin: its "
         "clocks skip over it, so it is taken as 03:30 there (2026-03-29T01:30:00Z); write "
         "its offset from UTC to say the moment: +01:00 or +02:00"),
        ("America/Santiago", "2026-09-06",  # (a day alone, whose midnight is skipped)
         "5: publishedDateTime '2026-09-06' (its midnight) is no time in America/Santiago: "
         "its clocks skip over it, so it is taken as 01:00 there (2026-09-06T04:00:00Z); "
         "write its offset from UTC to say the moment: -04:00 or -03:00"),
    ],
)  # fmt: skip
def test_a_date_without_offset_that_is_no_time_or_twice_in_the_zone_is_told(
    zone: str, date: str, said: str
) -> None:
    """An embargo written in the site's zone, in the hour its clocks skip or go over
    twice, was lifted an hour from the moment meant, without a word."""
    from zoneinfo import ZoneInfo

    data = _edited("publishedDateTime: 2020-05-19T15:09:00Z", f"publishedDateTime: {date}")
    tz = ZoneInfo(zone)
    assert [
        f"{n.line}: {n.message}" for n in article_notices("a.txt", data, _parsed(data), tz)
    ] == [said]
    # with its offset, or any other hour, or in a zone without summer time: one moment
    for other in ("2026-10-25T02:30:00+01:00", "2026-10-25T04:30:00", "2026-10-25"):
        edited = _edited("publishedDateTime: 2020-05-19T15:09:00Z", f"publishedDateTime: {other}")
        assert article_notices("a.txt", edited, _parsed(edited), tz) == []
    assert article_notices("a.txt", data, _parsed(data), ZoneInfo("Asia/Kathmandu")) == []


def test_a_build_tells_a_date_its_zone_goes_over_twice_once(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS, 'timezone = "Europe/Berlin"')
    (seeds_dir / SEED).write_bytes(
        _edited("publishedDateTime: 2020-05-19T15:09:00Z", "publishedDateTime: 2026-10-25T02:30:00")
    )
    code, _, err = run_cli("build", "-c", str(cfg), "--now", "2027-01-01T00:00:00Z")
    assert (code, err) == (
        0,
        f"content/{SEED}:5: publishedDateTime '2026-10-25T02:30:00' is twice in Europe/Berlin: "
        "its clocks go over it twice, and it is taken as the first (2026-10-25T00:30:00Z); "
        "write its offset from UTC to say the moment: +02:00 for the first, +01:00 for the "
        "second\n",
    )
    assert run_cli("build", "-c", str(cfg), "--now", "2027-01-01T00:00:00Z")[::2] == (0, "")


def _parsed(data: bytes) -> dict[str, object]:
    return parse_front_matter("a.txt", data)[0]


def test_a_draft_that_means_to_be_published_is_told(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")
    (seeds_dir / SEED).write_bytes(_edited("published: true", 'published: "true"'))
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    assert code == 0 and err == (
        f"content/{SEED}:10: published: 'true' is text, not true: the article is not "
        "published; to publish it, write published: true\n"
    )


def test_a_feed_written_empty_by_a_topic_no_article_has_is_told_once(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """A config's topic misspelt (``Artificial Intelligence`` for ``AI``) published an
    empty feed, exit 0, without a word."""
    feeds = AZURE_AI_FEEDS.replace('topics = ["microsoft ai"]', 'topics = ["Azur", "AI x"]')
    cfg = write_config(["content/*.txt"], feeds + '\n[feeds.all]\ntitle = "All"\ntopics = ["*"]\n')
    line = cfg.read_text(encoding="utf-8").split("\n").index('topics = ["Azur", "AI x"]') + 1
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    assert (code, err) == (0, f"{cfg}:{line}: feeds.ai: written empty: no article published "
                              'by now has one of its topics ("Azur", "AI x"): a topic misspelt? '
                              "(feedpub list counts each feed's articles; feedpub preview TOPIC "
                              "names the topics near one)\n")  # fmt: skip
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")  # written before
    assert run_cli("build", "-c", str(cfg), "--now", NOW, "--full")[::2] == (0, err)  # again
    os.unlink(cfg.parent / "feeds" / "ai.rss")
    assert "feeds.ai: written empty" in run_cli("build", "-c", str(cfg), "--now", NOW)[2]
    # a file rejected may be the one with the topic: said so (the next builds, which
    # write the feed no more, would not say it: under cron it was lost)
    (seeds_dir / "bad.txt").write_text("---\ntitle: [Azur\n---\n", encoding="utf-8")
    os.unlink(cfg.parent / "feeds" / "ai.rss")
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    assert code == 1 and "bad.txt:3: YAML error" in err, err
    assert "a topic misspelt?; or the article that has it is a file rejected above" in err, err
    os.unlink(seeds_dir / "bad.txt")
    # the topics as TOML writes them, escaped (a control in one reached the terminal)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('"AI x"]', '"AI\\u200fx"]'),
                   encoding="utf-8")  # fmt: skip
    os.unlink(cfg.parent / "feeds" / "ai.rss")
    assert '("Azur", "AI\\u200fx")' in run_cli("build", "-c", str(cfg), "--now", NOW)[2]
    # a feed with items, or of every topic, is never told; min_quality is named
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('x"]', 'x"]\nmin_quality = 95'),
                   encoding="utf-8")  # fmt: skip
    os.unlink(cfg.parent / "feeds" / "ai.rss")
    err = run_cli("build", "-c", str(cfg), "--now", NOW)[2]
    assert err.count("written empty") == 1 and "and a quality of 95 or more" in err, err


def test_a_feed_written_empty_whose_first_article_waits_for_its_time_is_told_so(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """A feed added for a topic whose first article is scheduled (published, dated after
    now: on the Power Apps site, "Teams integration" built before its first article's day)
    was told "a topic misspelt?", though the topic was spelt as the article has it. Now
    the notice names that article and when it comes; a build after it has the item."""
    feeds = AZURE_AI_FEEDS.replace('topics = ["microsoft ai"]', 'topics = ["Teams integration"]')
    cfg = write_config(["content/*.txt"], feeds)
    line = cfg.read_text(encoding="utf-8").split("\n").index('topics = ["Teams integration"]') + 1
    (seeds_dir / "zz_soon.txt").write_bytes(
        _edited(
            "publishedDateTime: 2020-05-19T15:09:00Z", "publishedDateTime: 2021-02-01T09:00:00Z"
        )
        .replace(b"  - Azure", b"  - teams integration")
        .replace(b'webUrl: "https://thenextweb.com/', b'webUrl: "https://thenextweb.com/soon/')
    )
    os.utime(seeds_dir / "zz_soon.txt", ns=(OLD_MTIME_NS, OLD_MTIME_NS))  # (settled)
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    assert (code, err) == (0, f"{cfg}:{line}: feeds.ai: written empty: no article published "
                              'by now has one of its topics ("Teams integration"): the first '
                              "to have one, content/zz_soon.txt, waits for its "
                              "publishedDateTime, 2021-02-01T09:00:00Z (feedpub list counts "
                              "each feed's articles)\n")  # fmt: skip
    assert run_cli("build", "-c", str(cfg), "--now", NOW, "--full")[::2] == (0, err)
    # a build that brings the last selection up to date from the files changed since (the
    # feed's only article given another topic; the scheduled one unchanged) says it too
    (seeds_dir / "zz_now.txt").write_bytes(
        _edited("  - Azure", "  - Teams integration").replace(
            b'webUrl: "https://thenextweb.com/', b'webUrl: "https://thenextweb.com/now/'
        )
    )
    assert "feeds.ai" not in run_cli("build", "-c", str(cfg), "--now", NOW)[2]
    now = seeds_dir / "zz_now.txt"
    now.write_bytes(now.read_bytes().replace(b"  - Teams integration", b"  - Azure"))
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, err)
    assert run_cli("build", "-c", str(cfg), "--now", "2021-02-01T09:00:00Z")[::2] == (0, "")


def test_a_feed_written_empty_as_the_files_with_its_topic_are_not_published_is_told_so(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """The real Diablo 4 site's files include a hundred without a ``published`` key
    (which its Jekyll site publishes, and feedpub takes for drafts): a feed of a topic
    only they had was told "a topic misspelt?", and ``preview`` of the topic suggested
    another topic, though it was spelt as the files have it. Now both name the files
    and say what publishes."""
    feeds = AZURE_AI_FEEDS.replace('topics = ["microsoft ai"]', 'topics = ["Diablo 4"]')
    cfg = write_config(["content/*.txt"], feeds)
    line = cfg.read_text(encoding="utf-8").split("\n").index('topics = ["Diablo 4"]') + 1
    draft = _edited("published: true\n", "").replace(b"  - Azure", b"  - Diablo 4")
    (seeds_dir / "d4.txt").write_bytes(draft.replace(b"thenextweb.com/", b"thenextweb.com/d4/"))
    os.utime(seeds_dir / "d4.txt", ns=(OLD_MTIME_NS, OLD_MTIME_NS))  # (settled)
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    why = ("an article is published by published: true (the YAML boolean: a file without "
           "it, or with false, is a draft here)")  # fmt: skip
    assert (code, err) == (0, f"{cfg}:{line}: feeds.ai: written empty: no article published "
                              'by now has one of its topics ("Diablo 4"): the file that has '
                              f"one, content/d4.txt, is not published: {why}\n"
                              "content/d4.txt:1: no published key: left out of the feeds as a "
                              f"draft: {why}\n")  # fmt: skip
    assert run_cli("build", "-c", str(cfg), "--now", NOW, "--full")[::2] == (0, err)
    # more than three: the first three by path, and how many more
    for n in range(4):
        (seeds_dir / f"d{n}.txt").write_bytes(
            draft.replace(b"thenextweb.com/", f"t{n}.com/".encode())
        )
    os.unlink(cfg.parent / "feeds" / "ai.rss")
    err = run_cli("build", "-c", str(cfg), "--now", NOW)[2]
    assert "the 5 files that have one are not published (content/d0.txt, content/d1.txt, " \
        f"content/d2.txt and 2 more): {why}\n" in err, err  # fmt: skip
    # preview: of the topic (no other topic suggested), of the feed, of a topic no feed names
    code, out, err = run_cli("preview", "diablo 4", "-c", str(cfg), "--now", NOW)
    assert (code, out) == (0, "Diablo 4: 0 items\n") and err == (
        "feedpub: topic 'diablo 4' is configured (feeds.ai) but no published article has it "
        "yet: the 5 files that have it are not published (content/d0.txt, content/d1.txt, "
        f"content/d2.txt and 2 more): {why}.\n"
    )
    code, out, err = run_cli("preview", "ai", "-c", str(cfg), "--now", NOW)
    assert (code, out) == (0, "Microsoft AI (the feed ai): 0 items\n") and (
        "\nfeedpub: feeds.ai: no published article has one of its topics yet: the 5 files "
        "that have one are not published (content/d0.txt, "
    ) in err, err
    for n in range(4):
        os.unlink(seeds_dir / f"d{n}.txt")
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('"Diablo 4"', '"Druid"'),
                   encoding="utf-8")  # fmt: skip
    code, out, err = run_cli("preview", "Diablo 4", "-c", str(cfg), "--now", NOW)
    assert (code, out, err) == (0, "Diablo 4: 0 items\n", "feedpub: topic 'Diablo 4': no "
                                "published article has it yet: the file that has it, "
                                f"content/d4.txt, is not published: {why}.\n")  # fmt: skip
    # a topic a published article has: not told
    assert run_cli("preview", "Azure", "-c", str(cfg), "--now", NOW)[::2] == (0, "")


def test_the_files_read_without_a_published_key_are_told_in_one_line(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """111 of SmartableAI/diablo4's files have no ``published`` key (its Jekyll site
    publishes them): drafts here, as FEED-RULES has it, and left out of feeds that
    showed other articles without a word, even with -v. One line now for the files a
    build reads, naming three and how many more; not the files with ``published:
    false`` (two of the seeds), drafts on purpose; not again once read."""
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    draft = _edited("published: true\n", "")
    for n in range(4):
        (seeds_dir / f"n{n}.txt").write_bytes(
            draft.replace(b"thenextweb.com/", f"n{n}.com/".encode())
        )
        os.utime(seeds_dir / f"n{n}.txt", ns=(OLD_MTIME_NS, OLD_MTIME_NS))  # (settled)
    why = ("an article is published by published: true (the YAML boolean: a file without "
           "it, or with false, is a draft here)")  # fmt: skip
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    assert (code, err) == (0, "content/n0.txt:1: 4 article files read have no published key "
                              "(content/n0.txt, content/n1.txt, content/n2.txt and 1 more): "
                              f"left out of the feeds as drafts: {why}\n")  # fmt: skip
    assert b"<item>" in (cfg.parent / "feeds" / "azure.rss").read_bytes()  # (others shown)
    assert run_cli("build", "-c", str(cfg), "--now", NOW, "-v")[0] == 0
    assert "published key" not in run_cli("build", "-c", str(cfg), "--now", NOW, "-v")[2]
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")  # (read before)
    # one of them edited: read again, and told alone; every one by --full
    (seeds_dir / "n1.txt").write_bytes(draft.replace(b"thenextweb.com/", b"n1.com/edited/"))
    os.utime(seeds_dir / "n1.txt", ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (
        0, f"content/n1.txt:1: no published key: left out of the feeds as a draft: {why}\n"
    )  # fmt: skip
    assert "4 article files read have no published key" in run_cli(
        "build", "-c", str(cfg), "--now", NOW, "--full")[2]  # fmt: skip
    # with the key, even false: not told
    for n in range(4):
        (seeds_dir / f"n{n}.txt").write_bytes(
            draft.replace(b"\ntopics:", b"\npublished: false\ntopics:")
        )
    assert run_cli("build", "-c", str(cfg), "--now", NOW, "--full")[::2] == (0, "")


def test_preview_of_a_feed_whose_articles_are_all_dated_later_names_the_first(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """A feed (or a topic) whose only articles are published but dated after now was
    previewed ``Microsoft AI: 0 items`` without a word, or, with a draft of it too, told
    of the draft alone ("no published article has it yet: the file that has it, … is not
    published"), though build names the first of them, which the feed waits for. Preview
    now names it as build does (the draft, then, not: it is not why)."""
    feeds = AZURE_AI_FEEDS.replace('topics = ["microsoft ai"]', 'topics = ["Diablo 4"]')
    cfg = write_config(["content/*.txt"], feeds)
    topic = _edited("  - Azure", "  - Diablo 4")
    for name, date in (("later", "2021-03-01T00:00:00Z"), ("first", "2021-02-01T00:00:00+01:00")):
        (seeds_dir / f"{name}.txt").write_bytes(
            topic.replace(b"2020-05-19T15:09:00Z", date.encode())
            .replace(b"thenextweb.com/", f"{name}.example/".encode())
        )  # fmt: skip
    (seeds_dir / "draft.txt").write_bytes(
        topic.replace(b"published: true", b"published: false")
        .replace(b"thenextweb.com/", b"draft.example/")
    )  # fmt: skip
    waits = ("the first to have {}, content/first.txt, waits for its publishedDateTime, "
             "2021-01-31T23:00:00Z")  # fmt: skip
    assert f"feeds.ai: written empty: no article published by now has one of its topics " \
        f'("Diablo 4"): {waits.format("one")} ' in run_cli("build", "-c", str(cfg), "--now", NOW)[2]  # fmt: skip
    code, out, err = run_cli("preview", "ai", "-c", str(cfg), "--now", NOW)
    assert (code, out, err) == (0, "Microsoft AI (the feed ai): 0 items\n", "feedpub: preview ai "
                                "shows the feed ai (topics: Diablo 4); for the topic AI alone: "
                                "feedpub preview AI\nfeedpub: feeds.ai: no published article has "
                                f"one of its topics yet: {waits.format('one')}.\n")  # fmt: skip
    code, out, err = run_cli("preview", "Diablo 4", "-c", str(cfg), "--now", NOW)
    assert (code, out, err) == (0, "Diablo 4: 0 items\n", "feedpub: topic 'Diablo 4' is "
                                "configured (feeds.ai) but no published article has it yet: "
                                f"{waits.format('it')}.\n")  # fmt: skip
    # a topic no feed names: as one of the feed's; and once it is out, nothing to tell
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('"Diablo 4"', '"Druid"'),
                   encoding="utf-8")  # fmt: skip
    code, out, err = run_cli("preview", "diablo 4", "-c", str(cfg), "--now", NOW)
    assert (code, out, err) == (0, "Diablo 4: 0 items\n", "feedpub: topic 'diablo 4': no "
                                f"published article has it yet: {waits.format('it')}.\n")  # fmt: skip
    code, out, err = run_cli("preview", "diablo 4", "-c", str(cfg), "--now", "2021-02-01")
    assert (code, out.splitlines()[0], err) == (0, "Diablo 4: 1 item", "")
    # a feed of every topic: the first of all
    with cfg.open("a", encoding="utf-8") as f:
        f.write('\n[feeds.all]\ntitle = "All"\ntopics = ["*"]\n')
    code, out, err = run_cli("preview", "all", "-c", str(cfg), "--now", "2020-01-01")
    assert (code, out, err) == (0, "All (the feed all): 0 items\n", "feedpub: feeds.all: it holds no article "
                                "yet: the first, content/003_e437473dcdcad073.txt, waits for its "
                                "publishedDateTime, 2020-05-19T15:09:00Z.\n")  # fmt: skip


def test_a_feed_empty_by_its_min_quality_is_told_so_not_a_topic_misspelt(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """A feed whose min_quality no article of its topics reaches was written empty with
    "a topic misspelt?", though its topics were spelt as the articles have them, and
    ``preview`` of it said nothing. Both now say how many have one of its topics and the
    best quality of them."""
    feeds = AZURE_AI_FEEDS.replace('topics = ["Azure"]', 'topics = ["Azure"]\nmin_quality = 200')
    cfg = write_config(["content/*.txt"], feeds)
    line = cfg.read_text(encoding="utf-8").split("\n").index("min_quality = 200") + 1
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    weaker = "have a quality of 102 at most (lower its min_quality, 200, to take them in)"
    assert (code, err) == (0, f"{cfg}:{line}: feeds.azure: written empty: no article published "
                              'by now has one of its topics ("Azure") and a quality of 200 or '
                              f"more: the 2 that have one {weaker}\n")  # fmt: skip
    code, out, err = run_cli("preview", "azure", "-c", str(cfg), "--now", NOW)
    assert (code, out, err) == (0, "Azure (the feed azure): 0 items\n", "feedpub: preview azure "
                                "shows the feed azure (topics: Azure; min_quality 200); for the "
                                "topic Azure alone: feedpub preview Azure\nfeedpub: feeds.azure: "
                                "no published article has one of its topics and a quality of 200 "
                                f"or more: the 2 that have one {weaker}.\n")  # fmt: skip
    # one of them: said so; none of them: a topic misspelt, as before
    code, _, err = run_cli("preview", "azure", "-c", str(cfg), "--now", "2020-05-19T16:00:00Z")
    assert err.endswith(": the article that has one has a quality of 65 (lower its "
                        "min_quality, 200, to take it in).\n"), err  # fmt: skip
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('["Azure"]', '["Azur"]'),
                   encoding="utf-8")  # fmt: skip
    assert "a topic misspelt?" in run_cli("build", "-c", str(cfg), "--now", NOW)[2]
    assert run_cli("preview", "azure", "-c", str(cfg), "--now", NOW)[::2] == (
        0,
        "feedpub: preview azure shows the feed azure (topics: Azur; min_quality 200); for the "
        "topic Azure alone: feedpub preview Azure\n",
    )
    # a feed of every topic: every article published by now
    with cfg.open("a", encoding="utf-8") as f:
        f.write('\n[feeds.all]\ntitle = "All"\ntopics = ["*"]\nmin_quality = 103\n')
    code, out, err = run_cli("preview", "all", "-c", str(cfg), "--now", NOW)
    assert (code, out, err) == (0, "All (the feed all): 0 items\n", "feedpub: feeds.all: no published article "
                                "has a quality of 103 or more: the 3 published by now have a "
                                "quality of 102 at most (lower its min_quality, 103, to take "
                                "them in).\n")  # fmt: skip


def test_a_feed_empty_by_its_min_quality_whose_articles_have_no_quality_is_told_so(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """Articles of a feed's topics with no quality at all: "have no quality at most (lower
    its min_quality, 50, to take them in)" was said, where no min_quality takes them in."""
    feeds = AZURE_AI_FEEDS.replace('topics = ["Azure"]', 'topics = ["Azure"]\nmin_quality = 50')
    cfg = write_config(["content/*.txt"], feeds)
    for f in seeds_dir.iterdir():
        f.write_bytes(re.sub(rb"\nquality: [^\n]*", b"", f.read_bytes()))
    code, out, err = run_cli("preview", "azure", "-c", str(cfg), "--now", NOW)
    assert (code, out, err) == (0, "Azure (the feed azure): 0 items\n", "feedpub: preview azure shows "
                                "the feed azure (topics: Azure; min_quality 50); for the topic "
                                "Azure alone: feedpub preview Azure\nfeedpub: feeds.azure: no published "
                                "article has one of its topics and a quality of 50 or more: "
                                "the 2 that have one have no quality, which a feed with "
                                "min_quality leaves out (give each a quality: key, or take "
                                "min_quality out).\n")  # fmt: skip
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    assert code == 0 and err.endswith(": the 2 that have one have no quality, which a feed "
                                      "with min_quality leaves out (give each a quality: key, "
                                      "or take min_quality out)\n"), err  # fmt: skip


def test_preview_names_no_drafts_as_the_files_of_a_topic_when_one_waits_for_its_date(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """A draft with the topic, and a published article with it dated later: build says
    the first waits for its date; preview said "the file that has it, content/d4.txt, is
    not published", as if no other had it."""
    feeds = AZURE_AI_FEEDS.replace('topics = ["microsoft ai"]', 'topics = ["Diablo 4"]')
    cfg = write_config(["content/*.txt"], feeds)
    draft = _edited("published: true\n", "").replace(b"  - Azure", b"  - Diablo 4")
    (seeds_dir / "d4.txt").write_bytes(draft.replace(b"thenextweb.com/", b"thenextweb.com/d4/"))
    later = _edited("publishedDateTime: 2020-05-19T15:09:00Z", "publishedDateTime: 2030-01-01")
    later = later.replace(b"  - Azure", b"  - Diablo 4").replace(b"thenextweb.com/", b"t.com/")
    (seeds_dir / "later.txt").write_bytes(later)
    err = run_cli("build", "-c", str(cfg), "--now", NOW)[2]
    assert "the first to have one, content/later.txt, waits for its publishedDateTime" in err
    for name in ("ai", "Diablo 4"):
        code, _, err = run_cli("preview", name, "-c", str(cfg), "--now", NOW)
        assert code == 0 and "not published" not in err, err


def test_a_site_where_no_article_is_published_is_told_why_once(tmp_path: Path) -> None:
    """A Jekyll site's posts (layout, title, date, tags: no published key) are drafts
    here: every feed was written empty, the one of every topic too, exit 0, without a
    word (the notice of a feed written empty left out the feeds of every topic). One
    line now, at the feed of every topic, saying what publishes; the feeds of topics
    are not told besides (that is why)."""
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2024-01-01-hello.md").write_text(
        "---\nlayout: post\ntitle: Hello\ndate: 2024-01-01 10:00:00 +0000\ntags: [a]\n---\nBody\n",
        encoding="utf-8",
    )
    cfg = tmp_path / "config.toml"
    cfg.write_text('[site]\ntitle = "T"\nlink = "https://example.com/"\nfeeds_url = '
                   '"https://example.com/feeds/"\ncontent = ["_posts/*.md"]\n[feeds.all]\n'
                   'title = "All"\ntopics = ["*"]\n[feeds.a]\ntitle = "A"\ntopics = ["a"]\n',
                   encoding="utf-8")  # fmt: skip
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    assert (code, err) == (0, f"{cfg}:8: feeds.all: written empty: no article is published by "
                              "now: an article is published by published: true (the YAML "
                              "boolean: a post without it, as Jekyll's are, is a draft here), "
                              "with a webUrl (or an originalUrl) and a publishedDateTime not "
                              "after now (feedpub build -v counts the files read)\n")  # fmt: skip
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")  # written before
    # the Power Apps site's _samples/ (originalUrl alone, no published key) were told to
    # need a webUrl, which they need not: an originalUrl stands in for it
    (tmp_path / "_posts" / "2024-01-01-hello.md").write_text(
        '---\ntitle: Hello\noriginalUrl: https://example.com/a\npublishedDateTime: 2020-01-01'
        "\ntopics: [a]\n---\n", encoding="utf-8")  # fmt: skip
    err = run_cli("build", "-c", str(cfg), "--now", NOW, "--full")[2]
    assert "with a webUrl (or an originalUrl) and a publishedDateTime" in err, err


def test_many_feeds_written_empty_are_told_in_one_line(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """A site set up before its articles (three hundred feeds, fifty with none yet) was
    told fifty lines, and again by each --full build."""
    feeds = "".join(f'\n[feeds.f{i}]\ntitle = "F{i}"\ntopics = ["Nothing {i}"]\n' for i in range(5))
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS + feeds)
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    line = cfg.read_text(encoding="utf-8").split("\n").index('topics = ["Nothing 0"]') + 1
    assert (code, err) == (0, f"{cfg}:{line}: 5 feeds written empty: feeds.f0, feeds.f1, "
                              "feeds.f2 and 2 more: no article published by now has one of "
                              "their topics (feedpub list counts each feed's articles)\n")  # fmt: skip


@pytest.mark.parametrize("breaks", ["", "\u2028", "\u2028\u2029\x85", "\u2028" * 200_000])
def test_a_line_break_only_yaml_sees_moves_no_notice(breaks: str) -> None:
    """A U+2028, U+2029 or U+0085 in a value (from Word or a web page) is a line break to
    YAML, none to an editor: a quoted key's notice, found by YAML, was a line too far
    down for each. (Linear: 200,000 of them.)"""
    data = _edited('title: "Microsoft just built', f'title: "Microsoft {breaks}just built')
    data = data.replace(b"\nexcerpt:", b'\n"excerpt\\e":', 1)
    assert _lines("a.txt", data) == [
        "4: excerpt\\x1b is not a key feedpub reads: did you mean excerpt?"
    ]


#: The seed's image (line 24), its related item's webUrl (line 33), its provider's logo.
IMAGE = '- url: "https://cdn0.tnwcdn.com/wp-content/blogs.dir/1/files/2020/05/Microsoft-supercomputer-796x418.jpg"'
RELATED = 'webUrl: "https://venturebeat.com/2020/05/19/openai-microsoft-azure-supercomputer-ai-model-training/"'
LOGO = '- url: "https://smartableai.github.io/microsoft-azure/assets/images/organizations/thenextweb.com-50x50.jpg"'
PICTURE = "the picture is left out of the feeds; write the whole URL, https://…"


def _dropped(data: bytes) -> tuple[tuple[str, object], ...]:
    from zoneinfo import ZoneInfo

    from feedpub.articles import load_article

    return load_article("a.txt", data, ZoneInfo("UTC")).dropped


def _told_lines(data: bytes) -> list[tuple[int, str]]:
    """Each URL left out of the article ``data``, as its notice tells it: the line, and
    what it names (the key and the URL)."""
    return [(n.line, n.message.split(" is ")[0]) for n in dropped_url("a.md", data, _dropped(data))]


@pytest.mark.parametrize(
    ("old", "new", "dropped"),
    [
        (IMAGE, "- url: /img/a.jpg", ("images[0].url", "/img/a.jpg")),
        (IMAGE, "- url: img/a.jpg", ("images[0].url", "img/a.jpg")),
        (IMAGE, '- url: "javascript:alert(1)"', ("images[0].url", "javascript:alert(1)")),
        (IMAGE, "- url: //cdn.example.com/a.jpg", ("images[0].url", "//cdn.example.com/a.jpg")),
        (IMAGE, "- url: https://localhost/a.jpg", ("images[0].url", "https://localhost/a.jpg")),
        (RELATED, "webUrl: /news/b", ("related[0].webUrl", "/news/b")),
        (RELATED, 'webUrl: ""\n    originalUrl: ftp://x.example/b',
         ("related[0].originalUrl", "ftp://x.example/b")),
    ],
)  # fmt: skip
def test_a_url_no_feed_can_carry_is_what_the_article_drops(
    old: str, new: str, dropped: tuple[str, str]
) -> None:
    assert _dropped(_edited(old, new)) == (dropped,)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (RELATED, 'webUrl: ""'),  # (as CMS exports have: no URL given, no mistake)
        (IMAGE, '- url: ""'),
        (RELATED, 'webUrl: /news/b\n    originalUrl: "https://x.example/b"'),  # (that one used)
        (LOGO, "- url: /assets/images/logo.jpg"),  # (no feed shows a logo)
        ("", ""),
    ],
)  # fmt: skip
def test_an_empty_url_a_logo_and_an_item_kept_are_no_drop(old: str, new: str) -> None:
    data = _edited(old, new) if old else _edited("title:", "title:")
    assert _dropped(data) == ()


def test_a_dropped_url_changes_no_feed_bytes() -> None:
    """Dropping is right: a relative image's article is in the feed as one without."""
    from zoneinfo import ZoneInfo

    from feedpub import formats
    from feedpub.articles import load_article

    utc = ZoneInfo("UTC")
    relative = load_article("a.txt", _edited(IMAGE, "- url: /img/a.jpg"), utc)
    text = _edited("title:", "title:").decode()
    start = text.index("\nimages:")
    none = load_article("a.txt", (text[:start] + text[text.index("\nrelated:") :]).encode(), utc)
    assert relative.dropped and not none.dropped
    assert relative == none and formats.entry(relative) == formats.entry(none)


def test_a_build_says_a_dropped_url_once_at_its_line_and_exits_0(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")
    data = _edited(IMAGE, "- url: /img/a.jpg").replace(RELATED.encode(), b"webUrl: javascript:x")
    (seeds_dir / SEED).write_bytes(data)
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    path = f"content/{SEED}"
    assert (code, err) == (0, (
        f"{path}:24: images[0].url /img/a.jpg is not an absolute http(s) URL: {PICTURE}\n"
        f"{path}:33: related[0].webUrl javascript:x is not an absolute http(s) URL: the "
        "related item is left out of the feeds; write the whole URL, https://…\n"))  # fmt: skip
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")  # said once
    assert run_cli("build", "-c", str(cfg), "--now", NOW, "--full")[2] == err  # and again
    feed = (cfg.parent / "feeds" / "azure.rss").read_bytes()
    assert b"Microsoft just built" in feed and b"img/a.jpg" not in feed
    assert b"javascript" not in feed and b"OpenAI\xe2\x80\x99s supercomputer" not in feed


def test_each_dropped_url_is_told_at_its_own_line(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """One image written in flow style, two with the same relative URL, each told at
    its own line; a draft's and a logo's say nothing."""
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    two = "- {url: /b.png}\n  - url: img/a.jpg\n  - url: img/a.jpg"
    (seeds_dir / SEED).write_bytes(
        _edited(IMAGE, two).replace(LOGO.encode(), b"- url: /assets/images/logo.jpg")
    )
    draft = next(f for f in seeds_dir.iterdir() if b"published: false" in f.read_bytes())
    edited = draft.read_bytes().replace(b'- url: "https://', b'- url: "/', 1)
    assert edited != draft.read_bytes()
    draft.write_bytes(edited)
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    path = f"content/{SEED}"
    assert (code, err.splitlines()) == (0, [
        f"{path}:24: images[0].url /b.png is not an absolute http(s) URL: {PICTURE}",
        f"{path}:25: images[1].url img/a.jpg is not an absolute http(s) URL: {PICTURE}",
        f"{path}:26: images[2].url img/a.jpg is not an absolute http(s) URL: {PICTURE}",
    ])  # fmt: skip


def test_an_image_on_a_host_a_feed_may_not_name_is_told_so() -> None:
    data = _edited(IMAGE, "- url: https://localhost/a.jpg")
    assert [str(n) for n in dropped_url("a.txt", data, _dropped(data))] == [
        "a.txt:24: images[0].url https://localhost/a.jpg is on a host a feed may not name "
        "(a domain name is, cdn.example.com): the picture is left out of the feeds"
    ]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (IMAGE, '- url: "https://img:hunter2@img.example.com/a.jpg"',
         "a.txt:24: images[0].url https://***@img.example.com/a.jpg: the picture is left out "
         "of the feeds, as the URL holds a user name or password (before its @): every reader "
         "would see them, and it can pass for another site's link; write it without them, "
         "https://img.example.com/a.jpg"),
        (RELATED, 'webUrl: "https://bob:hunter2@r.example.com/"',
         "a.txt:33: related[0].webUrl https://***@r.example.com/: the related item is left out "
         "of the feeds, as the URL holds a user name or password (before its @): every reader "
         "would see them, and it can pass for another site's link; write it without them, "
         "https://r.example.com/"),
        (RELATED, 'webUrl: "https://[::1]/x"',
         "a.txt:33: related[0].webUrl https://[::1]/x: the related item is left out of the "
         "feeds, as the URL has an IPv6 address for its host (in [ and ]), which feedpub does "
         "not take: write the site's domain name (or an IPv4 address)"),
        (RELATED, 'webUrl: "https://r.example.com:99999/x"',
         "a.txt:33: related[0].webUrl https://r.example.com:99999/x: the related item is left "
         "out of the feeds, as the URL has the port 99999, which is out of range: a port is a "
         "number up to 65535, or none (https takes 443)"),
        (RELATED, "webUrl: ftp://bob:hunter2@x.example/b",  # (not http(s): as before, masked)
         "a.txt:33: related[0].webUrl ftp://***@x.example/b is not an absolute http(s) URL: the related item "
         "is left out of the feeds; write the whole URL, https://…"),
    ],
)  # fmt: skip
def test_a_dropped_url_refused_for_what_it_holds_is_told_why_without_its_password(
    old: str, new: str, said: str
) -> None:
    """An absolute URL refused for a password, an IPv6 host or a port was told "not an
    absolute http(s) URL ... write the whole URL", with its password (a CI log); now
    the cause and what to write, as an article's own webUrl is told."""
    data = _edited(old, new)
    assert [str(n) for n in dropped_url("a.txt", data, _dropped(data))] == [said]


OPENAI = '  - title: "OpenAI’s supercomputer collaboration with Microsoft marks its biggest bet yet on AGI"'


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("1917", "a number"),
        ("2049.5", "a number"),
        ("yes", "true or false (YAML reads yes, no, on, off so)"),
        ("2001-09-11", "a date"),
    ],
)
def test_a_related_title_yaml_reads_as_no_text_is_told_at_its_line(title: str, kind: str) -> None:
    """A related item titled ``1917`` unquoted was left out of the feeds without a word
    (an article's own such title is refused with "put it in double quotes"): told, at
    its line, not at the line of the same text quoted (kept: it is text)."""
    data = _edited(OPENAI, f'  - title: "{title}"\n    webUrl: "https://x.example/a"\n'
                   f"  - title: {title}")  # fmt: skip
    assert _dropped(data) == (("related[1].title", _scalar(title)),)
    assert [str(n) for n in dropped_url("a.txt", data, _dropped(data))] == [
        f"a.txt:32: related[1].title is {kind} to YAML, not text: the related item is left "
        "out of the feeds; put the title in double quotes"
    ]
    related = load_article("a.txt", data, ZoneInfo("UTC")).related
    assert related[0].title == title  # (the quoted one: text, kept)
    assert all("venturebeat" not in r.url for r in related)  # (the unquoted one's)


@pytest.mark.parametrize("comment", ["   # the film", "\t# the film"])
def test_a_related_title_yaml_reads_as_a_number_is_told_at_its_line_with_a_comment_after_it(
    comment: str,
) -> None:
    """``title: 1917   # the film`` (a comment after spaces lined up, or a tab) was told
    at the line of ``related:``, as ``title: 1917 # the film`` was not:
    the value was read with the spaces before the ``#``, which YAML does not keep."""
    data = _edited(OPENAI, f"  - title: 1917{comment}")
    assert _dropped(data) == (("related[0].title", 1917),)
    assert [str(n) for n in dropped_url("a.txt", data, _dropped(data))] == [
        "a.txt:30: related[0].title is a number to YAML, not text: the related item is left "
        "out of the feeds; put the title in double quotes"
    ]


def test_a_related_title_yaml_reads_as_a_number_is_not_told_when_the_item_has_no_url() -> None:
    """A related item with no URL at all is left out whatever its title (no notice, as
    for one titled in quotes): ``title: 1917`` in one was told to "put the title in
    double quotes", after which the item was still left out, without a word."""
    data = _edited(OPENAI, '  - title: 1917\n    excerpt: "no link"\n  - title: "Linked"')
    assert _dropped(data) == ()
    assert [r.title for r in load_article("a.txt", data, ZoneInfo("UTC")).related] == ["Linked"]


def test_a_dropped_url_is_not_told_again_when_its_article_is_rendered_again(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """A JSON Feed renders every article it shows from its file again when another of
    them changes: the file read but not changed says nothing again (cron)."""
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS.replace(
        'topics = ["Azure"]', 'topics = ["Azure"]\nformats = ["rss", "atom", "json"]'))  # fmt: skip
    (seeds_dir / SEED).write_bytes(_edited(IMAGE, "- url: /img/a.jpg"))
    assert "images[0].url /img/a.jpg" in run_cli("build", "-c", str(cfg), "--now", NOW)[2]
    other = next(f for f in seeds_dir.iterdir() if f.name != SEED
                 and b"published: true" in f.read_bytes() and b"  - Azure" in f.read_bytes())  # fmt: skip
    other.write_bytes(other.read_bytes().replace(b"title: ", b"title: New ", 1))
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0 and "wrote" in err and "images[0]" not in err, err


#: The seed's own URL (its webUrl, line 6).
OWN = "https://thenextweb.com/artificial-intelligence/2020/05/19/microsoft-just-built-one-of-the-top-five-most-powerful-supercomputers-on-the-planet/"
AGAIN = "https://venturebeat.com/2020/05/19/openai-microsoft-azure-supercomputer-ai-model-training/"
#: Three related items after the seed's one (line 33's): its own URL, its host in capitals, a
#: second link to line 33's, and another story (their webUrl lines 45, 47, 49).
REPEATS = (
    '\n  - title: "Itself"\n    webUrl: "' + OWN.replace("thenextweb", "TheNextWeb") + '"'
    '\n  - title: "Again"\n    webUrl: "' + AGAIN + '"'
    '\n  - title: "Another"\n    webUrl: "https://other.example.com/b"\n'
)  # fmt: skip


def test_a_related_item_linking_to_itself_or_again_is_left_out_and_told(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """A related item whose URL is the article's own (as feedpub cleans URLs: a host in
    capitals is the same host), and a second item with an earlier one's URL, were each in the
    feeds: a reader saw the article link to itself, and one link twice. Each is left
    out, the first of two kept, and told at its line, once."""
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    text = _edited("title:", "title:").decode()
    at = text.index("\nsecured:")
    (seeds_dir / SEED).write_text(text[:at] + REPEATS + text[at:], "utf-8")
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    path = f"content/{SEED}"
    assert (code, err.splitlines()) == (0, [
        f"{path}:45: related[1].webUrl {cut(OWN.replace('thenextweb', 'TheNextWeb'), 60)} "
        f"({cut(OWN, 60)} in the feeds) "
        "is the article's own URL (webUrl): the related item is left out of the feeds (a "
        "reader would see the article link to itself); remove it, or give the related "
        "story's own URL",
        f"{path}:47: related[2].webUrl {cut(AGAIN, 60)} "
        "is the link of related[0] too: the related item is left out of the feeds (a reader "
        "would see one link twice); remove one of them",
    ])  # fmt: skip
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")  # said once
    feed = (cfg.parent / "feeds" / "azure.atom").read_text("utf-8")
    entry = next(e for e in feed.split("<entry>") if "Microsoft just built" in e)
    assert re.findall(r'<link rel="related" href="([^"]*)"', entry) == [
        AGAIN, "https://other.example.com/b"]  # fmt: skip
    assert 'title="Again"' not in feed and 'title="Itself"' not in feed


def test_a_related_item_left_out_changes_no_other_feed_bytes() -> None:
    """The article is in the feeds as one without the items left out; the notice's
    lines are theirs in a JSON front matter too (each item a flow mapping of its own
    line: the first found holding the URL was the item kept, or the article's own)."""
    from zoneinfo import ZoneInfo

    from feedpub import formats
    from feedpub.articles import load_article

    utc = ZoneInfo("UTC")
    text = _edited("title:", "title:").decode()
    at = text.index("\nsecured:")
    repeated = load_article("a.txt", (text[:at] + REPEATS + text[at:]).encode(), utc)
    other = '\n  - title: "Another"\n    webUrl: "https://other.example.com/b"\n'
    plain = load_article("a.txt", (text[:at] + other + text[at:]).encode(), utc)
    assert [w for w, _ in repeated.dropped] == ["related[1].webUrl", "related[2].webUrl"]
    assert repeated == plain and formats.entry(repeated) == formats.entry(plain)
    data = (
        b'---\n{\n  "title": "T",\n  "originalUrl": "https://e.com/a",\n'
        b'  "publishedDateTime": "2024-01-01T00:00:00Z",\n  "related": [\n'
        b'    {"title": "R", "webUrl": "https://r.example.com/r"},\n'
        b'    {"title": "R2", "webUrl": "https://r.example.com/r"},\n'
        b'    {"title": "Self", "originalUrl": "https://e.com/a"}\n  ]\n}\n---\n'
    )
    assert [str(n) for n in dropped_url("a.md", data, _dropped(data))] == [
        "a.md:8: related[1].webUrl https://r.example.com/r is the link of related[0] too: the "
        "related item is left out of the feeds (a reader would see one link twice); remove "
        "one of them",
        "a.md:9: related[2].originalUrl https://e.com/a is the article's own URL (originalUrl): "
        "the related item is left out of the feeds (a reader would see the article link to "
        "itself); remove it, or give the related story's own URL",
    ]


def test_a_repeated_related_url_is_told_at_its_line_among_flow_and_block_items() -> None:
    """Items written in both styles, a block item, then a flow mapping on one line, then
    a block item, all of one URL: the second was told at the third's line (the lines of
    ``webUrl:`` alone were counted first), and the third at its own; and a URL in an
    item's image, on a flow item's line, was counted as that item's link."""
    data = (
        b'---\ntitle: T\npublishedDateTime: 2024-01-01T00:00:00Z\nwebUrl: "https://e.com/a"\n'
        b'related:\n  - title: R\n    webUrl: "https://r.com/x"\n'
        b'  - {title: R1, webUrl: "https://r.com/x"}\n'
        b'  - title: R2\n    webUrl: "https://r.com/x"\n'
        b'  - {title: S, webUrl: "https://s.com/1", images: [{url: "https://s.com/2"}]}\n'
        b'  - {title: S2, webUrl: "https://s.com/2"}\n'
        b'  - {title: S3, webUrl: "https://s.com/2"}\n---\n'
    )
    assert _told_lines(data) == [(8, "related[1].webUrl https://r.com/x"),
                    (10, "related[2].webUrl https://r.com/x"),
                    (13, "related[5].webUrl https://s.com/2")]  # fmt: skip


def test_a_dropped_url_is_told_at_its_line_in_json_with_its_slashes_escaped() -> None:
    """JSON front matter as PHP's json_encode writes it, each / escaped (a CMS export):
    each URL left out was told at the line of its top-level key, not its own."""
    data = (
        b'---\n{"title": "T", "publishedDateTime": "2024-01-01T00:00:00Z",\n'
        b' "webUrl": "https:\\/\\/e.com\\/a",\n'
        b' "images": [\n  {"url": "\\/img\\/a.jpg"}\n ],\n "related": [\n'
        b'  {"title": "R", "webUrl": "https:\\/\\/r.com\\/x"},\n'
        b'  {"title": "R2", "webUrl": "https:\\/\\/r.com\\/x"},\n'
        b'  {"title": "S", "webUrl": "https:\\/\\/e.com\\/a"}\n ]}\n---\n'
    )
    assert _told_lines(data) == [(5, "images[0].url /img/a.jpg"),
                    (9, "related[1].webUrl https://r.com/x"),
                    (10, "related[2].webUrl https://e.com/a")]  # fmt: skip


def test_at_most_ten_dropped_urls_are_told_one_by_one() -> None:
    """Each dropped URL is sought over the file's lines: a hundred of them in a file of
    many lines took seconds. Ten are told, then how many more."""
    images = "".join(f"  - url: /img/{n}.jpg\n" for n in range(30))
    data = _edited(IMAGE, IMAGE + "\n" + images.rstrip("\n"))
    drops = tuple((f"images[{n}].url", f"/img/{n}.jpg") for n in range(30))
    told = [str(n) for n in dropped_url("a.txt", data, drops)]
    assert len(told) == 11 and told[-1].endswith(
        ": and 20 more URLs left out of the feeds, as above"
    )
    assert told[0].startswith("a.txt:25: images[0].url /img/0.jpg is not an absolute")
    told = [str(n) for n in dropped_url("a.txt", data, drops[:11])]
    assert told[-1].endswith(": and 1 more URL left out of the feeds, as above")


def test_a_dropped_url_inside_an_earlier_url_is_told_at_its_own_line() -> None:
    """``/uploads/photo.jpg`` is also in ``https://img.example.net/uploads/photo.jpg``
    above it: it was told at that line."""
    images = ('  - url: "https://img.example.net/uploads/photo.jpg"\n'
              '  - url: "/uploads/photo.jpg"\n  - url: photo.jpg')  # fmt: skip
    data = _edited(IMAGE, IMAGE + "\n" + images)
    lines = data.decode().split("\n")
    at = [lines.index(x) + 1 for x in ('  - url: "/uploads/photo.jpg"', "  - url: photo.jpg")]
    drops = (("images[2].url", "/uploads/photo.jpg"), ("images[3].url", "photo.jpg"))
    assert [n.line for n in dropped_url("a.txt", data, drops)] == at


@pytest.mark.parametrize(("key", "meant"), [("excerp", "excerpt"), ("publishe", "published")])
def test_a_cut_key_beside_the_one_it_means_is_told(key: str, meant: str) -> None:
    """``image`` beside ``images`` is a site's own (a social card's); a key cut short
    beside the whole one (``publishe: false`` beside ``published: true``) is a leftover."""
    data = _edited("heat: 85\n", f"heat: 85\n{key}: x\n")
    [message] = [n.message for n in _notices("a.txt", data)]
    assert message.startswith(f"{key} is not a key feedpub reads: {meant}, at line ")
    assert message.endswith(", is the one read: remove one of them")


WEB_URL = (
    'webUrl: "https://thenextweb.com/artificial-intelligence/2020/05/19/microsoft-just-built-'
    'one-of-the-top-five-most-powerful-supercomputers-on-the-planet/"'
)
PASSED_OVER = (
    "webUrl https://***@thenextweb.com/a: the feeds link the article by its originalUrl, "
    "https://thenextweb.com/orig, as the webUrl holds a user name or password (before its "
    "@): every reader would see them, and it can pass for another site's link; write it "
    "without them, https://thenextweb.com/a"
)


def test_a_refused_web_url_passed_over_for_the_original_url_is_told_at_its_line(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """A webUrl refused for what it holds (a password) beside an originalUrl: the
    article was published under the originalUrl without a word, though the README says
    such a refusal is told; now at the webUrl's line, once, its password masked."""
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")
    (seeds_dir / SEED).write_bytes(_edited(WEB_URL, 'webUrl: "https://bob:hunter2@thenextweb.com/a"\n'
                                           'originalUrl: "https://thenextweb.com/orig"'))  # fmt: skip
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    assert (code, err) == (0, f"content/{SEED}:6: {PASSED_OVER}\n")
    assert "hunter2" not in err
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")  # said once
    feed = (cfg.parent / "feeds" / "azure.rss").read_text(encoding="utf-8")
    assert "<link>https://thenextweb.com/orig</link>" in feed and "hunter2" not in feed


@pytest.mark.parametrize(
    "new",
    [
        'webUrl: "https://bob:pw@thenextweb.com/a"\noriginalUrl: "https://thenextweb.com/orig"',
        'webUrl: "https://[::1]/a"\noriginalUrl: "https://thenextweb.com/orig"',
        'webUrl: "/a"\noriginalUrl: "https://thenextweb.com/orig"',  # (no URL: the other)
        'webUrl: ""\noriginalUrl: "https://thenextweb.com/orig"',
        'originalUrl: "https://thenextweb.com/orig"',
        'webUrl: "https://thenextweb.com/a"\noriginalUrl: "https://bob:pw@thenextweb.com/o"',
    ],
)
@pytest.mark.parametrize("published", ["true", "false"])
def test_only_a_published_web_url_refused_for_what_it_holds_is_told(
    new: str, published: str
) -> None:
    data = _edited(WEB_URL, new).replace(b"published: true", f"published: {published}".encode())
    told = [n.message for n in _notices("a.txt", data)]
    if published == "true" and "@" in new.split("\n")[0]:
        assert told == [PASSED_OVER]
    elif published == "true" and "::1" in new:
        assert told == [
            "webUrl https://[::1]/a: the feeds link the article by its originalUrl, "
            "https://thenextweb.com/orig, as the webUrl has an IPv6 address for its host (in "
            "[ and ]), which feedpub does not take: write the site's domain name (or an IPv4 "
            "address)"
        ]
    else:
        assert told == []


@pytest.mark.parametrize(
    ("title", "value", "said"),
    [
        ('  - title: ""', "", "empty to a reader"),
        ('  - title: "&#8203;\u00ad"', "&#8203;\u00ad", "empty to a reader"),
        ("  - title: null", None, "not given"),
        ("  - lang: en", None, "not given"),
        ('  - titel: "OpenAI’s supercomputer"', None, "not given"),  # (a key misspelt)
    ],
)
def test_a_related_item_with_a_url_and_no_title_is_told(
    title: str, value: str | None, said: str
) -> None:
    """A related item with a URL whose title shows no words (none, empty, a zero-width
    space a CMS left) was left out of the feeds without a word: told, at its line (or at
    the line of ``related:``, when it has none)."""
    from zoneinfo import ZoneInfo

    from feedpub.articles import load_article

    data = _edited(OPENAI, title)
    assert _dropped(data) == (("related[0].title", value),)
    line = 29 if value is None and "null" not in title else 30
    assert [str(n) for n in dropped_url("a.txt", data, _dropped(data))] == [
        f"a.txt:{line}: related[0].title is {said}: the related item is left out of the "
        "feeds, a link with no words; write its headline"
    ]
    assert all(
        "venturebeat" not in r.url for r in load_article("a.txt", data, ZoneInfo("UTC")).related
    )


#: An article as JSON front matter writes it (json.dumps(indent=2)): every key quoted.
JSON_ARTICLE = """---
{
  "title": "Hello",
  "publishedDateTime": "2024-01-02T03:04:05Z",
  "webUrl": "https://example.com/a",
  "published": true,
  "topics": ["Azure"],
  "related": [
    {
      "title": "One",
      "webUrl": 5
    },
    {
      "title": "Two",
      "webUrl": "ftp://example.com/two"
    }
  ],
  "images": [{"url": "/i.jpg"}]
}
---
"""


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('"2024-01-02T03:04:05Z"', '"2024-13-02T03:04:05Z"',
         "a.md:4: publishedDateTime '2024-13-02T03:04:05Z' is an impossible date (month must "
         "be in 1..12)"),
        ('"webUrl": "https://example.com/a"', '"webUrll": "https://example.com/a"',
         "a.md:5: no usable webUrl or originalUrl; line 5 has webUrll: write webUrl"),
        ('"published": true', '"published": true, "excerpt": 7',
         "a.md:6: excerpt must be text, not a number: put it in double quotes"),
    ],
)  # fmt: skip
def test_a_json_front_matters_rejection_is_told_at_its_keys_line(
    old: str, new: str, said: str
) -> None:
    """Its keys are quoted: not the ``{`` line (2) for each, but the key's own."""
    data = JSON_ARTICLE.replace(old, new, 1).encode()
    assert data != JSON_ARTICLE.encode()
    with pytest.raises(ArticleError) as e:
        load_article("a.md", data, ZoneInfo("UTC"))
    assert str(e.value) == said


def test_a_json_front_matters_dropped_urls_are_told_at_their_lines() -> None:
    data = JSON_ARTICLE.encode()
    assert [str(n) for n in dropped_url("a.md", data, _dropped(data))] == [
        f"a.md:18: images[0].url /i.jpg is not an absolute http(s) URL: {PICTURE}",
        "a.md:11: related[0].webUrl 5 is not an absolute http(s) URL: the related item is "
        "left out of the feeds; write the whole URL, https://…",
        "a.md:15: related[1].webUrl ftp://example.com/two is not an absolute http(s) URL: "
        "the related item is left out of the feeds; write the whole URL, https://…",
    ]


def test_an_article_dated_before_1990_is_published_and_told(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """A date of 1970-1989 (a digitised archive's) is published as it stands; the W3C
    validator warns "Implausible date" of it: it used to be said by nothing."""
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    old = _edited("publishedDateTime: 2020-05-19", "publishedDateTime: 1985-05-19")
    (seeds_dir / SEED).write_bytes(old)
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    assert (code, err) == (0, f"content/{SEED}:5: publishedDateTime 1985-05-19 is before "
                           "1990: the article is published so dated, and feed validators "
                           "(the W3C's) warn of an implausible date; if the date is a "
                           "mistake, correct it\n")  # fmt: skip
    assert b"<pubDate>Sun, 19 May 1985" in (cfg.parent / "feeds" / "azure.rss").read_bytes()
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")  # said once
    # (1990-01-01 itself, not told: test_a_date_is_told_before_1990_as_the_feeds_write_it;
    # here, without the date the build gives, no notice could have told it)
    draft = old.replace(b"published: true", b"published: false")  # (no feed shows it)
    (seeds_dir / SEED).write_bytes(draft)
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")


_TOLD = (
    "the article is published so dated, and feed validators (the W3C's) warn of an "
    "implausible date; if the date is a mistake, correct it"
)


@pytest.mark.parametrize(
    ("written", "zone", "said"),
    [
        # (the W3C validator warns, "Implausible date", of the RSS pubDate and the Atom
        # dates of each told here, and of no other: the feeds write them in UTC)
        ("1990-01-01T00:30:00+01:00", "UTC",
         "'1990-01-01T00:30:00+01:00' is 1989-12-31T23:30:00Z in UTC, as the feeds write "
         "it, so before 1990"),
        ('"1990-01-01T00:00:00+00:01"', "UTC",
         "'1990-01-01T00:00:00+00:01' is 1989-12-31T23:59:00Z in UTC, as the feeds write "
         "it, so before 1990"),
        ("1990-01-01T00:30:00", "Europe/Paris",
         "'1990-01-01T00:30:00' is 1989-12-31T23:30:00Z in UTC, as the feeds write it, so "
         "before 1990"),
        ("1990-01-01", "Europe/Paris",
         "'1990-01-01' is 1989-12-31T23:00:00Z in UTC, as the feeds write it, so before 1990"),
        ("1989-12-31T23:59:59Z", "UTC", "1989-12-31 is before 1990"),
        ("1990-01-01T00:00:00Z", "UTC", None),
        ("1989-12-31T23:30:00-01:00", "UTC", None),
        ("1989-12-31T20:00:00", "America/New_York", None),
    ],
)  # fmt: skip
def test_a_date_is_told_before_1990_as_the_feeds_write_it(
    write_config: Callable[..., Path], seeds_dir: Path, written: str, zone: str,
    said: str | None,
) -> None:  # fmt: skip
    """The feeds write an article's date in UTC: ``1990-01-01T00:30:00+01:00`` is
    1989-12-31 there, and warned of by the W3C validator; it was told as
    ``publishedDateTime 1989-12-31``, a day the file does not say. Told with the
    moment the feeds write, exactly when they write a date before 1990."""
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS, extra=f'timezone = "{zone}"\n')
    (seeds_dir / SEED).write_bytes(_edited("publishedDateTime: 2020-05-19T15:09:00Z",
                                           f"publishedDateTime: {written}"))  # fmt: skip
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    rss = (cfg.parent / "feeds" / "azure.rss").read_text("utf-8")
    atom = (cfg.parent / "feeds" / "azure.atom").read_text("utf-8")
    pub_dates = re.findall(r"<pubDate>[^<]*</pubDate>", rss)  # (its own: in 1989, or 1990)
    assert len(pub_dates) == 2 and pub_dates[0].startswith("<pubDate>Tue, 19 May 2020")
    before = " 1989 " in pub_dates[1]
    assert before == ("<published>1989-" in atom) == (said is not None)
    told = f"content/{SEED}:5: publishedDateTime {said}: {_TOLD}\n" if said else ""
    assert (code, err) == (0, told)


@pytest.mark.parametrize(
    ("front", "said"),
    [
        ('title: Hello\n"publishedDateTime": "2024-13-02T03:04:05Z"\nwebUrl: "https://e.com/a"\n',
         "a.md:3: publishedDateTime '2024-13-02T03:04:05Z' is an impossible date (month must "
         "be in 1..12)"),
        ('title: Hello\npublishedDateTime: "2024-01-02T03:04:05Z"\n"webUrll": "https://e.com/a"\n',
         "a.md:4: no usable webUrl or originalUrl; line 4 has webUrll: write webUrl"),
    ],
)  # fmt: skip
def test_a_quoted_key_among_plain_ones_is_told_at_its_line(front: str, said: str) -> None:
    """Some keys plain, one quoted at column 0: its rejection was told at line 2 (the
    front matter's first), or the misspelling not named, as if no key were quoted."""
    data = f"---\n{front}published: true\ntopics: [Azure]\n---\n".encode()
    with pytest.raises(ArticleError) as e:
        load_article("a.md", data, ZoneInfo("UTC"))
    assert str(e.value) == said


#: The seed's provider's domain (line 14) and its related item's provider (lines 36, 37).
DOMAIN = "  domain: thenextweb.com"
RELATED_PROVIDER = "      name: VentureBeat\n      domain: venturebeat.com"
NO_LINK = "is no domain name: the feeds give the provider no link (Atom's author uri, JSON Feed's author url); "


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ('"https://thenextweb.com/"', "thenextweb.com"),
        ('"http://thenextweb.com"', "thenextweb.com"),
        ("HTTPS://WWW.TheNextWeb.COM/", "www.thenextweb.com"),
        ("https://thenextweb.com:443/", "thenextweb.com"),  # (https's own port: no port)
        ("http://thenextweb.com:80", "thenextweb.com"),
        ("thenextweb.com/", "thenextweb.com"),
        ("thenextweb.com.", "thenextweb.com"),  # (DNS's final dot)
        ("bücher.example", "xn--bcher-kva.example"),  # (as a URL's host: IDNA)
        ("https://bücher.example/", "xn--bcher-kva.example"),
        ("TheNextWeb.com", "thenextweb.com"),  # (as ever)
    ],
)  # fmt: skip
def test_a_provider_domain_written_as_its_sites_address_is_its_host(
    written: str, read: str
) -> None:
    """``domain: https://www.cnet.com/`` was dropped without a word: the Atom author had
    no uri, the JSON Feed author no url. A site's home page is read as its host, as a
    URL's host is read; nothing is told."""
    data = _edited(DOMAIN, f"  domain: {written}")
    a = load_article("a.txt", data, ZoneInfo("UTC"))
    assert a.provider is not None and (a.provider.name, a.provider.domain) == ("The Next Web", read)
    assert _dropped(data) == ()


def test_a_provider_domain_read_from_a_url_gives_the_feeds_of_the_domain() -> None:
    from feedpub import formats

    utc = ZoneInfo("UTC")
    url = load_article("a.txt", _edited(DOMAIN, '  domain: "https://thenextweb.com/"'), utc)
    bare = load_article("a.txt", _edited(DOMAIN, DOMAIN), utc)
    assert url == bare and formats.entry(url) == formats.entry(bare)
    # an empty port, as https://thenextweb.com:/ has (it was "thenextweb.com: is no web address")
    assert load_article("a.txt", _edited(DOMAIN, '  domain: "thenextweb.com:"'), utc) == bare


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("www.TheNextWeb.COM:443/path",
         "it has the path /path, which a domain has not: write the domain alone, "
         "www.thenextweb.com (the feeds link it as https://www.thenextweb.com/)"),
        ('"https://thenextweb.com/news/"',
         "it has the path /news/, which a domain has not: write the domain alone, "
         "thenextweb.com (the feeds link it as https://thenextweb.com/)"),
        ("thenextweb.com:8080",
         "it has the port 8080, which a domain has not: write the domain alone, "
         "thenextweb.com (the feeds link it as https://thenextweb.com/)"),
        ("https://thenextweb.com/?ref=rss#top",
         "it has the query ?ref=rss and the fragment #top, which a domain has not: write "
         "the domain alone, thenextweb.com (the feeds link it as https://thenextweb.com/)"),
        ("exa mple.com",
         "read as the site's address, it has a space in its host ('exa mple.com'), which no "
         "host holds: write the site's domain name as it is, without it"),
        ('"javascript:alert(1)"', "javascript: is no web address: write the site's domain "
         "(cnet.com)"),
        ("the_next_web.com", "a domain name is letters, digits, hyphens and dots: write the "
         "site's (cnet.com)"),
        # (ftp's was told as "letters, digits, hyphens and dots", https:/'s as "https: is no
        # web address", and a URL in a query as no domain name at all)
        ("ftp://thenextweb.com/", "ftp: is no web address: write the site's domain (cnet.com)"),
        ("https:/thenextweb.com", "it has https: without the // of a web address: write the "
         "site's domain (cnet.com)"),
        ('"https:"', "it has https: without the // of a web address: write the site's domain "
         "(cnet.com)"),
        ("thenextweb.com:x", "read as the site's address, it has the port 'x', which is no "
         "number: a port is digits alone (80), or none (https takes 443)"),
        ("thenextweb.com/?u=https://x.com",
         "it has the query ?u=https://x.com, which a domain has not: write the domain alone, "
         "thenextweb.com (the feeds link it as https://thenextweb.com/)"),
    ],
)  # fmt: skip
def test_a_provider_domain_that_is_none_is_told_at_its_line(written: str, said: str) -> None:
    """A domain with a path (a page, not the site), another port, or that no host
    holds: left out, as before, but told at its line, with what to write."""
    data = _edited(DOMAIN, f"  domain: {written}")
    a = load_article("a.txt", data, ZoneInfo("UTC"))
    assert a.provider is not None and (a.provider.name, a.provider.domain) == ("The Next Web", "")
    value = written.strip('"')
    assert _dropped(data) == (("provider.domain", value),)
    assert [str(n) for n in dropped_url("a.txt", data, _dropped(data))] == [
        f"a.txt:14: provider.domain {value!r} {NO_LINK}{said}"
    ]


@pytest.mark.parametrize(
    "written",
    ["https://" + "例" * 100_000 + ".com/", "https://e.com:" + "9" * 100_000,
     "e.com:" + "9" * 100_000, "https://e.com:x" + "9" * 100_000,
     "https://e" + "\\\\" * 100_000 + ".com/", "https://u@" + "e" * 100_000 + ".com/",
     "e" * 100_000 + ":x"],
)  # fmt: skip
def test_a_url_refused_is_told_in_a_line_of_its_own_size_not_of_its_value(written: str) -> None:
    """What a message says of a refused URL quoted its host, its port or the URL to
    write whole: a 100 KB host was a notice of 100 KB, in cron's mail or a CI log (a
    provider's domain read as an address, an article's webUrl)."""
    data = _edited(DOMAIN, f'  domain: "{written}"')
    [told] = [str(n) for n in dropped_url("a.txt", data, _dropped(data))]
    assert len(told) < 600, told[:700]
    data = _edited("webUrl: ", f'webUrl: "{written}"\nx: ')
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", data, ZoneInfo("UTC"))
    assert len(str(e.value)) < 600, str(e.value)[:700]


@pytest.mark.parametrize(
    ("written", "kind"),
    [("123", "a number"), ("2024-01-01", "a date"), ("[thenextweb.com]", "a list")],
)
def test_a_provider_domain_yaml_reads_as_no_text_is_told(written: str, kind: str) -> None:
    """``domain: 123``, a date, a list: what YAML reads as no text was taken as no
    domain without a word (the provider without its link; one with no name left out)."""
    data = _edited(DOMAIN, f"  domain: {written}")
    line = 14 if kind != "a list" else 12  # (a list: the provider's line)
    assert [str(n) for n in dropped_url("a.txt", data, _dropped(data))] == [
        f"a.txt:{line}: provider.domain is {kind} to YAML, not text: the feeds give the "
        "provider no link (Atom's author uri, JSON Feed's author url); write the site's "
        "domain (cnet.com)"
    ]
    data = _edited("  name: The Next Web\n" + DOMAIN, f"  domain: {written}")
    a = load_article("a.txt", data, ZoneInfo("UTC"))
    assert a.provider is None and [str(n) for n in dropped_url("a.txt", data, a.dropped)] == [
        f"a.txt:{line - 1 if kind != 'a list' else line}: provider: its domain is {kind} to "
        "YAML, not text, and it has no name: the article names no provider in the feeds; "
        "write the site's domain (cnet.com)"
    ]


def test_a_provider_domain_holding_a_password_is_told_without_it() -> None:
    data = _edited(DOMAIN, '  domain: "https://bob:hunter2@thenextweb.com/"')
    [told] = [str(n) for n in dropped_url("a.txt", data, _dropped(data))]
    assert told == (
        "a.txt:14: provider.domain 'https://***@thenextweb.com/' " + NO_LINK + "read as the "
        "site's address, it holds a user name or password (before its @): every reader "
        "would see them, and it can pass for another site's link; write it without them, "
        "https://thenextweb.com/"
    )


def test_a_provider_with_no_name_and_no_domain_is_told_it_is_left_out() -> None:
    data = _edited("  name: The Next Web\n" + DOMAIN, '  name: ""\n  domain: "javascript:x"')
    assert load_article("a.txt", data, ZoneInfo("UTC")).provider is None
    assert [str(n) for n in dropped_url("a.txt", data, _dropped(data))] == [
        "a.txt:14: provider: its domain 'javascript:x' is no domain name, and it has no "
        "name: the article names no provider in the feeds; javascript: is no web address: "
        "write the site's domain (cnet.com)"
    ]


def test_a_related_items_provider_domain_is_read_and_told_as_the_articles() -> None:
    """A related item's provider is shown by its name, its domain standing in for one it
    has not: read as the article's, and told only when it stands in (a named one's
    domain no feed shows)."""
    utc = ZoneInfo("UTC")
    data = _edited(RELATED_PROVIDER, '      domain: "https://VentureBeat.com/"')
    assert load_article("a.txt", data, utc).related[0].provider == "venturebeat.com"
    assert _dropped(data) == ()
    data = _edited(RELATED_PROVIDER, "      domain: venturebeat.com/2020/05/")
    assert load_article("a.txt", data, utc).related[0].provider == ""
    assert [str(n) for n in dropped_url("a.txt", data, _dropped(data))] == [
        "a.txt:36: related[0].provider: its domain 'venturebeat.com/2020/05/' is no domain "
        "name, and it has no name: the related item names no provider in the feeds; it has "
        "the path /2020/05/, which a domain has not: write the domain alone, venturebeat.com "
        "(the feeds link it as https://venturebeat.com/)"
    ]
    named = _edited(RELATED_PROVIDER, "      name: VentureBeat\n      domain: venturebeat.com/a")
    assert load_article("a.txt", named, utc).related[0].provider == "VentureBeat"
    assert _dropped(named) == ()


def test_a_build_says_a_provider_domain_that_is_none_once_and_links_one_written_as_a_url(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS.replace(
        'topics = ["Azure"]', 'topics = ["Azure"]\nformats = ["rss", "atom", "json"]'))  # fmt: skip
    (seeds_dir / SEED).write_bytes(_edited(DOMAIN, '  domain: "https://thenextweb.com/"'))
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")
    feeds = cfg.parent / "feeds"
    assert "<uri>https://thenextweb.com/</uri>" in (feeds / "azure.atom").read_text("utf-8")
    assert '"url": "https://thenextweb.com/"' in (feeds / "azure.json").read_text("utf-8")
    (seeds_dir / SEED).write_bytes(_edited(DOMAIN, "  domain: thenextweb.com:8080/"))
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    assert (code, err) == (0, f"content/{SEED}:14: provider.domain 'thenextweb.com:8080/' "
                              f"{NO_LINK}it has the port 8080, which a domain has not: write "
                              "the domain alone, thenextweb.com (the feeds link it as "
                              "https://thenextweb.com/)\n")  # fmt: skip
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")  # said once
    assert "thenextweb.com/</uri>" not in (feeds / "azure.atom").read_text("utf-8")


@pytest.mark.parametrize(
    ("front", "lacks"),
    [
        ("title: T\n", True),
        ("title: T\npublished: false\n", False),
        ("title: T\npublished:\n", False),  # (the key, empty: written, not forgotten)
        ("title: T\nPublished: true\n", False),  # (a key misspelt: its own notice says it)
        ("title: T\npublised: true\n", False),
        ("title: T\nlayout: post\n", True),
    ],
)
def test_a_file_lacks_published_only_without_the_key_or_one_misspelt(
    front: str, lacks: bool
) -> None:
    data = f"---\n{front}---\n".encode()
    assert lacks_published(parse_front_matter("a.md", data)[0]) is lacks
