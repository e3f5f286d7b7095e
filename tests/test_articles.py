from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from feedpub import articles, sanitize, visible
from feedpub.articles import FieldError, load_article, load_summary, parse_front_matter, to_utc
from feedpub.errors import ArticleError
from feedpub.model import Article
from feedpub.sanitize import clean_text, clean_url

from .conftest import SEEDS


def load(name: str) -> Article:
    path = SEEDS / name
    return load_article(path.name, path.read_bytes(), UTC)


def test_seed_fields() -> None:
    a = load("002_882cc4a5fc2a4bd2.txt")
    assert a.title == "Microsoft builds massive supercomputer for smarter AI"
    assert (
        a.url == "https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/"
    )
    assert a.published is True
    assert a.published_at == datetime(2020, 5, 19, 21, 0, tzinfo=UTC)
    assert a.topics == ("Azure",)
    assert a.provider is not None
    assert (a.provider.name, a.provider.domain) == ("CNET", "cnet.com")
    assert a.provider.logo and a.provider.logo.endswith("cnet.com-50x50.jpg")
    assert a.images[0].width == 756 and a.images[0].height == 567
    assert a.quality == 102 and a.heat == 142
    assert a.amp_url and "google-amp" in a.amp_url
    assert [r.provider for r in a.related] == ["Forbes", "Data Center Knowledge"]
    # mojibake repaired once, here
    assert (
        a.related[1].title
        == "Microsoft Says It’s Built a Top-Five Supercomputer in the Cloud for AI"
    )
    assert a.related[0].image is None
    assert a.related[1].image is not None and a.related[1].image.width == 1024


def test_seed_html_escaped_ampersand_in_url_is_decoded() -> None:
    a = load("003_e437473dcdcad073.txt")
    url = a.related[0].image.url if a.related[0].image else ""
    assert (
        url
        == "https://venturebeat.com/wp-content/uploads/2020/05/Supercomputer-e1589742859682.jpg?w=1200&strip=all"
    )


@pytest.mark.parametrize("name", ["000_eef71ab9797b9778.txt", "001_1c80b7fc4b4cb02c.txt"])
def test_unpublished_seeds_load_as_unpublished(name: str) -> None:
    assert load(name).published is False


def test_secured_is_dropped() -> None:
    raw = (SEEDS / "004_17b6bf656801d13b.txt").read_bytes()
    secret = raw.split(b'secured: "')[1].split(b'"')[0].decode()
    a = load("004_17b6bf656801d13b.txt")
    assert secret not in repr(a) and secret not in str(a.to_dict())


ARTICLE = """---
title: "{title}"
excerpt: "An excerpt"
publishedDateTime: {date}
webUrl: "https://example.com/a"
published: {published}
---
"""


def make(tmp: Path, **kw: str) -> bytes:
    values = {"title": "T", "date": "2020-05-19T21:00:00Z", "published": "true"} | kw
    return ARTICLE.format(**values).encode()


@pytest.mark.parametrize(
    ("date", "tz", "expected"),
    [
        ("2020-05-19T21:00:00Z", "UTC", datetime(2020, 5, 19, 21, tzinfo=UTC)),
        ("2020-05-19T23:00:00+02:00", "UTC", datetime(2020, 5, 19, 21, tzinfo=UTC)),
        ("2020-05-19 23:00:00", "Europe/Paris", datetime(2020, 5, 19, 21, tzinfo=UTC)),
        ("2020-05-20", "Europe/Paris", datetime(2020, 5, 19, 22, tzinfo=UTC)),
        ('"2020-05-19T21:00:00.123456Z"', "UTC", datetime(2020, 5, 19, 21, tzinfo=UTC)),
        ('"Tue, 19 May 2020 21:00:00 +0000"', "UTC", datetime(2020, 5, 19, 21, tzinfo=UTC)),
    ],
)
def test_dates_normalise_to_aware_utc(
    tmp_path: Path, date: str, tz: str, expected: datetime
) -> None:
    a = load_article("x.txt", make(tmp_path, date=date), ZoneInfo(tz))
    assert a.published_at == expected
    assert a.published_at.tzinfo == UTC


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 2), timezones=st.just(UTC) | st.timezones()))
@example(datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC))
@example(datetime(1970, 1, 1, tzinfo=UTC))
@example(datetime(2020, 5, 19, 21, 0, 0, 5, tzinfo=UTC))
def test_a_date_with_its_zone_is_taken_to_the_second_in_utc(when: datetime) -> None:
    """What ``to_utc`` gives of a date YAML made (its shortcut for one in UTC, to the
    second, included): the same instant in UTC without its microseconds, or the error
    of a date before 1970."""
    try:
        expected = when.astimezone(UTC).replace(microsecond=0)
    except OverflowError:  # (a date within a day of the first one a datetime holds)
        return
    if expected.year < 1970:
        with pytest.raises(FieldError, match="before 1970"):
            to_utc(when, UTC, "publishedDateTime")
        return
    got = to_utc(when, UTC, "publishedDateTime")
    assert (got, got.tzinfo, got.microsecond) == (expected, UTC, 0)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("0001-01-01T00:00:00Z", "0001-01-01"),
        ("0999-12-31", "0999-12-31"),
        ("1969-07-20", "1969-07-20"),
    ],
)
def test_a_date_before_1970_is_said_with_its_year_whole(value: str, said: str) -> None:
    """The year as written, four digits: ``0001-01-01T00:00:00Z`` was told ``1-01-01``
    (strftime's ``%Y`` gives no leading zeros on glibc)."""
    with pytest.raises(FieldError) as e:
        to_utc(value, UTC, "publishedDateTime")
    assert str(e.value) == f"publishedDateTime {said} is before 1970: check the year"


@pytest.mark.parametrize("value", ['"true"', '"false"', "no", "0", "null", "1", "yes"])
def test_only_a_yaml_boolean_true_publishes(tmp_path: Path, value: str) -> None:
    a = load_article("x.txt", make(tmp_path, published=value), UTC)
    assert a.published is (value == "yes")  # YAML 1.1: unquoted yes is the boolean true


def test_missing_published_key_does_not_publish(tmp_path: Path) -> None:
    data = make(tmp_path).replace(b"published: true\n", b"")
    assert load_article("x.txt", data, UTC).published is False


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (
            b'---\ntitle: "a\nexcerpt: b\n---\n',
            2,
            'the " that opens the value of title on this line is never closed',
        ),
        (b"---\n- a\n- b\n---\n", 2, "must be a mapping"),
        (
            b'---\nexcerpt: ""\ntitle: ""\nwebUrl: "https://e.com/"\npublishedDateTime: 2020-01-01\n---\n',
            3,
            "no title and no excerpt",
        ),
        (  # (a title cleaning takes out whole: the file has one, and is told so)
            b'---\ntitle: "&#0;\\e[31m"\nwebUrl: "https://e.com/"\npublishedDateTime: 2020-01-01\n---\n',
            2,
            "no title and no excerpt (title empty once cleaned of what no reader may be shown)",
        ),
        (  # (an excerpt alone so: told at its own line, not the title's or the first)
            b'---\nwebUrl: "https://e.com/"\nexcerpt: "&#0;"\npublishedDateTime: 2020-01-01\n---\n',
            3,
            "no title and no excerpt (excerpt empty once cleaned of what no reader may be shown)",
        ),
        (
            b'---\ntitle: "x"\nwebUrl: "https://e.com/"\npublishedDateTime: "soon"\n---\n',
            4,
            "is not a date",
        ),
        (
            b'---\ntitle: "x"\nwebUrl: "https://e.com/"\npublishedDateTime: 2024-02-30\n---\n',
            4,
            "impossible date",
        ),
        (
            b'---\ntitle: "x"\nwebUrl: "https://e.com/"\npublishedDateTime: 2024-02-03T10:00:00+25:00\n---\n',
            4,
            "impossible date '2024-02-03T10:00:00+25:00' (its UTC offset must be under 24 hours)",
        ),
        (
            b'---\ntitle: "x"\nwebUrl: "https://e.com/"\npublishedDateTime: 2024-02-03T10:00:00-23:60\n---\n',
            4,
            "impossible date '2024-02-03T10:00:00-23:60' (its UTC offset must be under 24 hours)",
        ),
        # the same in quotes, as JSON front matter writes every date: it was told "is not
        # a date: use ISO 8601 like 2020-05-19T21:00:00Z", which it is
        (
            b'---\ntitle: "x"\nwebUrl: "https://e.com/"\npublishedDateTime: "2024-02-30"\n---\n',
            4,
            "publishedDateTime '2024-02-30' is an impossible date (day is out of range for month)",
        ),
        (
            b'---\n{"title": "x", "webUrl": "https://e.com/", '
            b'"publishedDateTime": "2016-12-31T23:59:60Z"}\n---\n',
            2,
            "publishedDateTime '2016-12-31T23:59:60Z' is an impossible date (its second is 60, a "
            "leap second, which no date here holds: write :59)",
        ),
        # a leap second in ISO 8601, quoted or not, was told "second must be in 0..59", not
        # what to write, as one in RFC 822 is
        (
            b'---\ntitle: "x"\nwebUrl: "https://e.com/"\npublishedDateTime: 2016-12-31 23:59:60\n---\n',
            4,
            "impossible date '2016-12-31 23:59:60' (its second is 60, a leap second, which no "
            "date here holds: write :59)",
        ),
        (
            b'---\ntitle: "x"\nwebUrl: "https://e.com/"\npublishedDateTime: "2024-02-03T10:00:00+25:00"\n---\n',
            4,
            "publishedDateTime '2024-02-03T10:00:00+25:00' is an impossible date (its UTC offset "
            "must be under 24 hours)",
        ),
        # a year or a month alone (ISO 8601 all the same), and a leap second written in
        # RFC 822, were told "use ISO 8601", which refuses the leap second too
        (
            b'---\ntitle: "x"\nwebUrl: "https://e.com/"\npublishedDateTime: "2002-12"\n---\n',
            4,
            "publishedDateTime '2002-12' is a year or a month, not a day: write the day and "
            "time, as 2002-12-01T00:00:00Z",
        ),
        (
            b'---\ntitle: "x"\nwebUrl: "https://e.com/"\npublishedDateTime: "2003"\n---\n',
            4,
            "as 2003-01-01T00:00:00Z",
        ),
        (  # a day and an offset without a time: email.utils read the offset as the time
            # (02:00 in the site's zone), and the notice of the DST hour said so
            b'---\ntitle: "x"\nwebUrl: "https://e.com/"\n'
            b'publishedDateTime: "Sun, 29 Mar 2026 +02:00"\n---\n',
            4,
            "publishedDateTime 'Sun, 29 Mar 2026 +02:00' is not a date: use ISO 8601",
        ),
        (  # an RFC 822 date with an ISO offset of 24 hours or more: "cannot load
            # (ValueError); please report this" at the file's first line
            b'---\ntitle: "x"\nwebUrl: "https://e.com/"\n'
            b'publishedDateTime: "Sun, 29 Mar 2026 21:00 +24:00"\n---\n',
            4,
            "publishedDateTime 'Sun, 29 Mar 2026 21:00 +24:00' is an impossible date (its UTC "
            "offset must be under 24 hours)",
        ),
        (  # (unquoted, a number to YAML: it was told "must be a date like ...")
            b'---\ntitle: "x"\nwebUrl: "https://e.com/"\npublishedDateTime: 2003\n---\n',
            4,
            "publishedDateTime '2003' is a year or a month, not a day: write the day and "
            "time, as 2003-01-01T00:00:00Z",
        ),
        (  # (a time unquoted, 20:03, is 1203 to YAML 1.1, base 60: no year to be told of)
            b'---\ntitle: "x"\nwebUrl: "https://e.com/"\npublishedDateTime: 20:03\n---\n',
            4,
            "publishedDateTime must be a date like 2020-05-19T21:00:00Z",
        ),
        (
            b'---\ntitle: "x"\nwebUrl: "https://e.com/"\n'
            b'publishedDateTime: "Sun, 31 Dec 2006 23:59:60 +0000"\n---\n',
            4,
            "publishedDateTime 'Sun, 31 Dec 2006 23:59:60 +0000' has a leap second (:60), which "
            "no date here holds: write :59",
        ),
        (b'---\ntitle: &a ["x", *a]\n---\n', 2, "the YAML alias *a is inside the value it names"),
        (b'---\nsecured: &s "x"\ntitle: *s\n---\n', 2, "a YAML anchor in secured"),
        (
            b"---\na: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\n",
            5,
            "YAML aliases repeat more than 10,000 values",
        ),
        (
            b"---\na: &a\n"
            + b"".join(b"  " * i + b"k%d:\n" % i for i in range(1, 12))
            + b"  " * 12
            + b"v: 1\n"
            + b"b:\n"
            + b"".join(b"  " * i + b"j%d:\n" % i for i in range(1, 9))
            + b"  " * 9
            + b"w: *a\n---\n",
            24,
            "nested deeper than 20 levels",
        ),
        (b'---\ntitle: !!python/object:os.system "x"\n---\n', 2, "custom YAML tags"),
        (
            b'---\ntitle: "x"\nwebUrl: "javascript:alert(1)"\npublishedDateTime: 2020-01-01\n---\n',
            3,
            "no usable webUrl",
        ),
        (b'---\ntitle: "ok"\n\xff\n---\n', 3, "invalid UTF-8"),
        (
            b'---\nwebUrl: "https://e.com/a"\ntitle: "No date"\n---\n',
            3,
            "publishedDateTime is missing: give when it was published (2024-05-01T10:00:00Z)",
        ),
        (b'---\r\ntitle: "x"\r\ntitle: "y"\r\n---\r\n', 3, "duplicate key 'title'"),
    ],
)
def test_bad_files_name_the_line_in_the_file(data: bytes, line: int, words: str) -> None:
    with pytest.raises(ArticleError) as info:
        load_article("bad.txt", data, UTC)
    assert info.value.line == line, info.value
    assert words in info.value.message
    assert str(info.value).startswith(f"bad.txt:{line}: ")


@pytest.mark.parametrize(
    "title",
    [
        "\\u200b",  # a zero-width space, as a CMS leaves one in an emptied field
        "\\u2060\\u00ad\\u200c\\u200d",  # a word joiner, a soft hyphen, two joiners
        "&#8203;&#xFEFF;",  # the same written as references
        "\\u00a0\\u200b\\ufe0f",  # a no-break space, a zero-width one, a variation selector
    ],
)
def test_a_text_of_invisible_characters_alone_is_no_text(title: str) -> None:
    """A title of characters no reader shows was published as it was: an item whose
    headline was blank in every reader (a title cleaned to nothing takes its
    excerpt's words). Now it is no title: the excerpt stands in, and with none, the
    article is rejected at the title's line, as one of a no-break space alone is."""
    article = ARTICLE.replace("{title}", title).replace("{date}", "2020-05-19T21:00:00Z")
    article = article.replace("{published}", "true")
    assert clean_text(title.encode().decode("unicode_escape"), single_line=True) == ""
    assert load_article("a.txt", article.encode(), UTC).title == "An excerpt"
    with pytest.raises(ArticleError) as info:
        load_article("a.txt", article.replace('"An excerpt"', '""').encode(), UTC)
    said = "no title and no excerpt (title empty once cleaned of what no reader may be shown)"
    assert (info.value.line, info.value.message) == (2, f"{said}: an article needs at least one")
    assert clean_text("a\u200bb \u2764\ufe0f", single_line=True) == "a\u200bb \u2764\ufe0f"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_windows_1252_byte_is_named_at_its_line_and_column(newline: str) -> None:
    """Not at its offset from the start of the file, which no editor shows: the column
    in its line, counted in characters (``’`` before it is one), and the character the
    byte is in Windows-1252, the encoding the file was most likely saved in."""
    text = '---\ntitle: "ok"\nexcerpt: "It’s a café"\n---\n'.replace("\n", newline)
    data = text.encode("utf-8").replace("é".encode(), b"\xe9")
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", data, UTC)
    assert (e.value.line, e.value.message) == (
        3,
        "invalid UTF-8 at line 3, column 21: the byte E9, é in Windows-1252: save the file as UTF-8",
    )


@pytest.mark.parametrize(
    ("byte", "said"),
    [(b"\x93", ", “ in Windows-1252"), (b"\xa0", ", a no-break space (U+00A0) in Windows-1252"),
     (b"\x81", "")],
)  # fmt: skip
def test_a_byte_with_no_character_to_show_is_named_in_words(byte: bytes, said: str) -> None:
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", b'---\ntitle: "' + byte + b'"\n---\n', UTC)
    assert (e.value.line, e.value.message) == (
        2,
        f"invalid UTF-8 at line 2, column 9: the byte {byte.hex().upper()}{said}: save the "
        "file as UTF-8",
    )


_UTF16 = 'the file is saved as UTF-16 (Notepad\'s "Unicode"): save it as UTF-8'
_UTF32 = "the file is saved as UTF-32: save it as UTF-8"


@pytest.mark.parametrize(
    ("encoding", "said"),
    [*((e, _UTF16) for e in ("utf-16", "utf-16-le", "utf-16-be", "utf-16-crlf", "utf-16-be-bom")),
     *((e, _UTF32) for e in ("utf-32", "utf-32-le", "utf-32-be", "utf-32-crlf", "utf-32-be-bom"))],
)  # fmt: skip
def test_a_file_saved_as_utf16_or_utf32_is_named_so(encoding: str, said: str) -> None:
    """Notepad's "Unicode" (a byte order mark FF FE, and CRLF), its big-endian one (FE FF),
    and UTF-16 with no byte order mark: a NUL every other byte. Once said "invalid UTF-8
    at byte 0" or "binary file (NUL byte)". UTF-32, with a byte order mark (FF FE 00 00,
    00 00 FE FF) or without, was told "saved as UTF-16" (its mark begins as UTF-16's) or
    "binary file (NUL byte)"."""
    text = '---\ntitle: "Café"\npublishedDateTime: 2024-01-01T00:00:00Z\n---\n'
    if encoding.endswith("-crlf"):
        data = text.replace("\n", "\r\n").encode(encoding.removesuffix("-crlf"))
    elif encoding.endswith("-be-bom"):
        width = encoding.removesuffix("-be-bom")
        data = (b"\xfe\xff" if width == "utf-16" else b"\x00\x00\xfe\xff") + text.encode(
            f"{width}-be"
        )
    else:
        data = text.encode(encoding)
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", data, UTC)
    assert (e.value.line, e.value.message) == (1, said)


def test_a_nul_byte_in_a_text_file_is_still_a_binary_file_at_its_line() -> None:
    """A NUL here and there is no UTF-16: the message (and its line) stay."""
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", b'---\ntitle: "a"\nexcerpt: "b\x00"\n---\n', UTC)
    assert (e.value.line, e.value.message) == (3, "binary file (NUL byte)")


UNCLOSED = (
    b"---\ntitle: T\nwebUrl: https://e.com/a\npublishedDateTime: 2024-01-20\ntopics:\n  - Azure\n"
)


@pytest.mark.parametrize(
    ("body", "line", "newline"),
    [(b"\n# The heading\n\nSome prose.\n", 8, b"\n"),
     (b"\nSome prose, then more.\n\nMore.\n", 8, b"\n"),
     (b"# The heading\nSome prose.\n", 7, b"\n"),
     (b"\n# The heading\n\nSome prose.\n", 8, b"\r\n")],
)  # fmt: skip
def test_front_matter_not_closed_is_named_where_the_text_begins(
    body: bytes, line: int, newline: bytes
) -> None:
    """Not at the last line of the file (a Markdown body's), where no '---' belongs."""
    with pytest.raises(ArticleError) as e:
        load_article("a.md", (UNCLOSED + body).replace(b"\n", newline), UTC)
    assert (e.value.line, e.value.message) == (
        line,
        f"front matter is not closed: add a '---' line above line {line}, where the article's "
        "text begins",
    )


@pytest.mark.parametrize(
    "body",
    [b"", b"\nNote: the text begins here.\n\nMore.\n", b"excerpt:\n\nSome prose.\n",
     b"Some prose right under a key.\n", b"\n- a list\n", b'excerpt: "a\n\nSome prose."\n\nMore.\n'],
)  # fmt: skip
def test_front_matter_not_closed_with_no_plain_start_of_text_is_named_at_the_end(
    body: bytes,
) -> None:
    """Where the text cannot be told from the front matter, the message stays at the end."""
    data = UNCLOSED + body
    with pytest.raises(ArticleError) as e:
        load_article("a.md", data, UTC)
    assert (e.value.line, e.value.message) == (
        data.count(b"\n") + 1,
        "front matter is not closed: add a '---' line after it",
    )


@pytest.mark.parametrize(
    ("closing", "body"),
    [(b"...\n", b""), (b"... \t\n", b"Some prose.\n---\nmore: text\n"), (b"...", b""),
     (b"...\r\n", b"\r\nSome prose.\r\n"), (b"...\n", b"---\n")],
)  # fmt: skip
def test_front_matter_closed_with_dots_is_read_as_jekyll_reads_it(
    closing: bytes, body: bytes
) -> None:
    """Jekyll closes front matter with ``...`` as well as ``---``: such a file was "not
    closed", at a line past its end (or YAML read the body as far as a ``---``)."""
    article = load_article("a.md", UNCLOSED + closing + body, UTC)
    assert (article.title, article.topics) == ("T", ("Azure",))


def test_a_line_that_only_begins_with_dots_closes_nothing() -> None:
    """``...x`` is a key to YAML, and no closing line."""
    data = UNCLOSED.replace(b"topics:", b"...x: 1\ntopics:") + b"---\n"
    assert parse_front_matter("a.md", data)[0]["...x"] == 1


def test_line_breaks_in_an_excerpt_are_one_kind_whatever_the_cms_wrote() -> None:
    """``\\r\\n`` and ``\\r`` in a text (escaped in a double-quoted YAML string, as a
    CMS on Windows writes them; or as ``&#13;``) are line breaks, as XML and HTML read
    them: an empty line between paragraphs still parts them (real excerpts do)."""
    from feedpub.formats.items import content_html

    data = (b'---\ntitle: "T"\nexcerpt: "One?\\r\\n\\r\\nTwo.\\r\\rThree&#13;&#10;&#13;Four."\n'
            b"publishedDateTime: 2020-05-19T21:00:00Z\nwebUrl: https://e.com/a\npublished: true\n---\n")  # fmt: skip
    a = load_article("a.txt", data, UTC)
    assert a.excerpt == "One?\n\nTwo.\n\nThree\n\nFour."
    assert content_html(a) == "<p>One?</p>\n<p>Two.</p>\n<p>Three</p>\n<p>Four.</p>"
    assert clean_text("a\r\nb", single_line=True) == "a b"


def test_the_spaces_a_writer_puts_on_purpose_stay_in_a_title_a_name_and_a_topic() -> None:
    """No-break spaces (French "10\u202f000\u00a0€\u202f!") and the ideographic space
    of Chinese and Japanese were made plain spaces in every one-line text: a reader could
    then break "10 000" over two lines, or leave "!" alone at a line's start. Line breaks,
    tabs and runs of spaces still become one space."""
    title = "Prix\u202f: 10\u202f000\u00a0€\u202f! «\u00a0Record\u00a0» \t\u2028 à 50\u00a0%"
    data = (
        f'---\ntitle: "{title}"\nwebUrl: https://e.com/a\npublished: true\n'
        "publishedDateTime: 2024-03-01T10:00:00Z\n"
        'provider: {name: "ＮＨＫ\u3000ニュース"}\ntopics: ["地震\u3000速報"]\n---\n'
    ).encode()
    a = load_article("a.md", data, UTC)
    assert a.title == title.replace(" \t\u2028 ", " ")
    assert a.provider is not None and a.provider.name == "ＮＨＫ\u3000ニュース"
    assert a.topics == ("地震\u3000速報",)
    assert clean_text("\u00a0 a \u3000", single_line=True) == "a"  # (at the ends: none)


@pytest.mark.parametrize("part", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f"])
def test_a_control_that_parts_lines_is_a_line_break_never_nothing(part: str) -> None:
    """Word's Shift+Enter (a vertical tab, pasted into a CMS) and the other controls that
    part lines, which XML forbids, were taken out with nothing between the words they
    parted: "Word\vBreak" was shown "WordBreak"."""
    for text in (f"Word{part}Break", f"Wörd{part}Break"):
        assert clean_text(text, single_line=True) == text.replace(part, " ")
        assert clean_text(text) == text.replace(part, "\n")
    for reference in (f"&#{ord(part)};", f"&#x{ord(part):X};", f"&#{ord(part)}"):
        # (as a CMS export writes it: HTML decodes such a reference to nothing)
        assert clean_text(f"Word{reference}Break", single_line=True) == "Word Break", reference
        assert clean_text(f"Word{reference}Break") == "Word\nBreak", reference
    assert clean_text("Word&#110;Break&#x1fA;") == "WordnBreak\u01fa"  # (others: as HTML)


def test_an_emoji_written_as_two_surrogate_references_is_the_emoji() -> None:
    """An exporter that escapes a text by its UTF-16 code units (Apache Commons Lang 2's
    ``escapeHtml``, a JavaScript loop over ``charCodeAt``) writes 😀 as two references,
    ``&#55357;&#56832;``, each of which HTML decodes to U+FFFD: every reader showed
    "Launch ��" for "Launch 😀". The pair is the character, as ``\\ud83d\\ude00`` in
    a double-quoted YAML text is. A half of no pair, ``&#0;`` and a reference past
    U+10FFFF, which HTML decodes to U+FFFD (readers showed "�", the W3C validator warned
    of bad characters), are taken out, as ``&#1;`` is."""
    for pair in ("&#55357;&#56832;", "&#xD83D;&#xDE00;", "&#xd83d;&#xde00", "&#055357;&#56832"):
        assert clean_text(f"Launch {pair} day", single_line=True) == "Launch 😀 day", pair
    assert clean_text("&#55357;&#56832;&#xD83D;&#xDE80;\n&#55356;&#56811;&#55356;&#56823;") == (
        "😀🚀\n🇫🇷"
    )
    assert clean_text("&#55357;&#55357;&#56832;") == "😀"  # (the lone half before it)
    assert clean_text("&#56832;&#55357; &#55357; &#55357;x&#56832;", single_line=True) == "x"
    lost = "Refs &#0; x &#xD800 y &#1114112; &#x110000; &#99999999999; z"
    assert clean_text(lost, single_line=True) == "Refs x y z"
    kept = "&#65; &#x10FFFD; &#8217; &#038; &#0000000065;"  # (not lost: as HTML decodes them)
    assert clean_text(kept, single_line=True) == "A \U0010fffd ’ & A"
    data = b'---\ntitle: "We&#8217;re live &#55357;&#56832;"\nexcerpt: "&#55357;&#56960;"\n'
    data += (
        b"publishedDateTime: 2020-05-19T21:00:00Z\nwebUrl: https://e.com/a\npublished: true\n---\n"
    )
    a = load_article("a.md", data, UTC)
    assert (a.title, a.excerpt) == ("We’re live 😀", "🚀")


def test_a_reference_of_more_digits_than_python_reads_is_no_error() -> None:
    """``&#`` with 5,000 zeros before ``65;`` is ``A`` to HTML, but Python reads no
    number of more than 4,300 digits: the title, or the webUrl, that held it was a
    ValueError, "cannot load (ValueError); please report this", and no feed was written."""
    zeros = "0" * 5000
    assert clean_text(f"&#{zeros}65; &#x{zeros}41;", single_line=True) == "A A"
    assert clean_url(f"https://e.com/?q=&#{zeros}65;") == "https://e.com/?q=A"
    assert clean_url(f"https://e.com/?q=&#{'1' * 5000};") == "https://e.com/?q=%EF%BF%BD"
    data = f'---\ntitle: "T &#{zeros}65;"\nwebUrl: "https://e.com/a?&#{zeros}65;"\n'
    data += "publishedDateTime: 2020-05-19T21:00:00Z\npublished: true\n---\n"
    a = load_article("a.md", data.encode(), UTC)
    assert (a.title, a.url) == ("T A", "https://e.com/a?A")


def test_unicodes_line_and_paragraph_separators_are_a_line_and_a_paragraph_break() -> None:
    """YAML's ``\\L`` and ``\\P`` (U+2028, U+2029; or the characters pasted into a quoted
    value) were kept raw: an excerpt of three paragraphs was one ``<p>`` with no ``<br>``,
    one line in every reader. Now a line break and a paragraph break, as ``\\n`` and
    ``\\n\\n`` are; a space in a title. U+0085 stays the "…" it is mojibake of."""
    from feedpub.formats.items import excerpt_html

    text = (
        '---\ntitle: "Breaking\\Lnews\u2029now"\n'
        'excerpt: "Para one\\Lpara two\\P\\Ppara three\u2028four \\N five"\n'
        'webUrl: "https://e.com/a"\npublishedDateTime: 2024-01-01\npublished: true\n---\n'
    )
    a = load_article("a.txt", text.encode(), UTC)
    assert a.title == "Breaking news now"
    assert a.excerpt == "Para one\npara two\n\n\n\npara three\nfour … five"
    assert excerpt_html(a.excerpt) == (
        "<p>Para one\n<br>para two</p>\n<p>para three\n<br>four … five</p>"
    )
    for text, one, many in [
        ("Zürich\u2028Genf", "Zürich Genf", "Zürich\nGenf"),
        ("Zürich\u2029Genf", "Zürich Genf", "Zürich\n\nGenf"),
        ("\u2029Zürich\u2028", "Zürich", "Zürich"),
        ("a&#8232;b&#x2029;c", "a b c", "a\nb\n\nc"),  # (as references too)
        # one before a line break (YAML keeps it at a wrapped line's end): the break alone
        ("Zürich\u2028\nGenf", "Zürich Genf", "Zürich\nGenf"),
        ("Zürich\u2028\r\nGenf\u2029\r\nBern", "Zürich Genf Bern", "Zürich\nGenf\n\nBern"),
    ]:
        assert clean_text(text, single_line=True) == one, text
        assert clean_text(text) == many, text


def test_bom_and_crlf_are_tolerated(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + make(tmp_path, title="Caf\xc3\xa9").replace(b"\n", b"\r\n")
    assert load_article("x.txt", data, UTC).title == "Café"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("https://e.com/a.jpg?w=1&#038;h=2", "https://e.com/a.jpg?w=1&h=2"),
        ("  HTTPS://E.com/x y", "https://e.com/x%20y"),
        ("https://bücher.example/ä", "https://xn--bcher-kva.example/%C3%A4"),
        ("javascript:alert(1)", None),
        (" \x01JaVaScRiPt:alert(1)", None),
        ("data:text/html;base64,xx", None),
        ("//evil.example/x", None),
        ("/relative/path", None),
        ("http://", None),
        ("https://e.com:99999/", None),
        # the scheme's own port is no port: one URL, one id, whichever way it is written
        ("https://E.com:443/a", "https://e.com/a"),
        ("http://e.com:80/a", "http://e.com/a"),
        ("https://e.com:/a", "https://e.com/a"),
        ("https://e.com:0443", "https://e.com/"),
        ("https://e.com:80/a", "https://e.com:80/a"),
        ("http://e.com:443/a", "http://e.com:443/a"),
        ("https://e.com:8443/a", "https://e.com:8443/a"),
        ("https://./", None),
        ("https://bank.example@evil.example/", None),
        ("https://user:pw@e.com/", None),
        ("https://[::1]/a.jpg", None),
        ("https://e.com/a?ids[]=1#x[2]", "https://e.com/a?ids%5B%5D=1#x%5B2%5D"),
        # a second "#" is the fragment's own (hash routing): %23, as RFC 3986 has it
        ("https://e.com/#/route#anchor", "https://e.com/#/route%23anchor"),
        ("https://e.com/a?q=1#x#y#", "https://e.com/a?q=1#x%23y%23"),
        ("https://e.com/50%-off?q=%zz&r=%2F", "https://e.com/50%25-off?q=%25zz&r=%2F"),
        ("https://e.com/100%", "https://e.com/100%25"),
        # written in RFC 3986's normal form (6.2.2), which the W3C validator asks of an
        # Atom id: escapes in upper case (WordPress writes %c3%a9), none of a letter,
        # digit, -, ., _ or ~; no . or .. folder; no dot ending the host
        ("https://e.com/caf%c3%a9/", "https://e.com/caf%C3%A9/"),
        ("https://e.com/%7euser/%41b%2d%2e%5f", "https://e.com/~user/Ab-._"),
        ("https://e.com/a?q=%2f&r=%2F&s=%20#%7e", "https://e.com/a?q=%2F&r=%2F&s=%20#~"),
        ("https://e.com/a/./b/../c", "https://e.com/a/c"),
        ("https://e.com/a/b/..", "https://e.com/a/"),
        ("https://e.com/../a", "https://e.com/a"),
        ("https://e.com/a/%2e%2e/b", "https://e.com/b"),
        ("https://e.com/.well-known/a./b..c", "https://e.com/.well-known/a./b..c"),
        ("https://E.com./a", "https://e.com/a"),
        ("https://e.com.:8080/a", "https://e.com:8080/a"),
        ("https://e.com../a", "https://e.com/a"),  # (was e.com./a, e.com/a cleaned again)
        ("https://localhost../a", "https://localhost../a"),
        # references decoded as in an attribute's value: a name without its ";" is
        # left as it is before a letter, a digit or "=" (query keys that begin with
        # one: section, region, timestamp, param, notify, currency, lt)
        (
            "https://e.com/s?id=42&section=politics&region=eu",
            "https://e.com/s?id=42&section=politics&region=eu",
        ),
        (
            "https://e.com/r?src=a.jpg&times=2&para=1&lt=3&notify",
            "https://e.com/r?src=a.jpg&times=2&para=1&lt=3&notify",
        ),
        (
            "https://e.com/p?a=1&currency=USD&amp;b=2&#38;c=3&#x26;d",
            "https://e.com/p?a=1&currency=USD&b=2&c=3&d",
        ),
        ("https://e.com/p?a=1&amp", "https://e.com/p?a=1&"),
        ("https://e.com/p?a=&copy;2&not-x", "https://e.com/p?a=%C2%A92%C2%AC-x"),
        ("https://e.com/p?a=&notit;", "https://e.com/p?a=&notit;"),
    ],
)
def test_clean_url(raw: str, clean: str | None) -> None:
    assert clean_url(raw) == clean


_URL_PIECES = ["/", "/", ".", "..", "%2e", "%2E%2E", "%2F", "%2f", "%3F", "%23", "%25", "%7e",
               "%41", "%c3%a9", "é", "?", "#", "a", "~", "%", "%2", " ", "&amp;", ";", "=", ":"]  # fmt: skip


_URL_HOSTS = ["e.com", "E.com.", "e.com..", "localhost.", "café.com", "e.com:443",
              "e.com.:8080", "e.com...:80"]  # fmt: skip


@given(
    st.sampled_from(["https://", "HTTP://"]),
    st.sampled_from(_URL_HOSTS),
    st.lists(st.sampled_from(_URL_PIECES), max_size=10),
)
@example("https://", "e.com..", [])
def test_a_clean_url_cleaned_again_is_itself(scheme: str, host: str, rest: list[str]) -> None:
    """A URL in RFC 3986's normal form is in it: the id an item has is the one a
    build that reads it back (a feed, the cache) gives it. ``https://e.com../a`` was
    ``https://e.com./a``, and that ``https://e.com/a``."""
    url = clean_url(scheme + host + "/" + "".join(rest))
    assert url is not None
    assert clean_url(url) == url
    assert sanitize._clean_url(url) == url  # (the fast path's answer, as the slow one's)


#: Pieces of attribute values: names of references (with and without their ";",
#: known in part, unknown), numeric ones, and what may follow them.
_NAMES = ["amp", "amp;", "lt", "sect", "section", "reg", "region", "times", "timestamp",
          "para", "param", "not", "notin;", "notit;", "copy;", "curren", "currency",
          "nbsp", "AMP", "Amp", "ampx", "frac12", "frac123", "zzz;", "eacute", "Eacute;"]  # fmt: skip
_AFTER = ["", "=", "=1", "a", "Z", "9", "-", ";", "&", " ", "#", "/", "é", "_", "."]
_NUMERIC = ["&#38;", "&#38", "&#x26;", "&#X26x", "&#128;", "&#0;", "&#xD800;", "&#1114112;"]


def test_urls_are_decoded_as_a_browser_decodes_an_attribute(tmp_path: Path) -> None:
    """Each value, written as an ``href`` in a page, is what Chromium's HTML parser
    makes of it (its DOM, dumped, parsed by lxml), decoded once by
    :func:`feedpub.sanitize.unescape_attribute`."""
    import random

    from lxml import html as lxml_html

    from .conftest import chromium

    rng = random.Random(7)
    values = [f"x&{n}{a}" for n in _NAMES for a in _AFTER] + [f"x{v}y" for v in _NUMERIC]
    values += ["".join(rng.choice([f"&{rng.choice(_NAMES)}", rng.choice(_AFTER), *_NUMERIC])
                       for _ in range(rng.randint(1, 6))) for _ in range(400)]  # fmt: skip
    page = tmp_path / "refs.html"
    links = "".join(f'<a id="v{i}" href="{v}">.</a>\n' for i, v in enumerate(values))
    page.write_text(f"<!DOCTYPE html><meta charset=utf-8><body>\n{links}", encoding="utf-8")
    dom = lxml_html.fromstring(chromium(tmp_path, "--dump-dom", page.as_uri()).stdout)
    seen = {a.get("id"): a.get("href") for a in dom.iter("a")}
    assert len(seen) == len(values)
    wrong = [(v, seen[f"v{i}"], sanitize.unescape_attribute(v)) for i, v in enumerate(values)
             if sanitize.unescape_attribute(v) != seen[f"v{i}"]]  # fmt: skip
    assert not wrong, wrong[:10]


def test_an_idn_host_is_encoded_once_for_all_its_urls() -> None:
    """Every URL to an IDN site gets its host encoded alike; the codec (about 100 us a
    host) runs once for the host, not once a URL; a host the codec refuses is refused
    each time."""
    sanitize._idna.cache_clear()
    urls = [clean_url(f"https://bücher.example/{n}") for n in range(5)]
    assert urls == [f"https://xn--bcher-kva.example/{n}" for n in range(5)]
    assert sanitize._idna.cache_info().misses == 1
    assert clean_url("https://a\u200b\u200b..example/") is None
    assert clean_url("https://" + "ü" * 70 + ".example/") is None  # a label over 63 bytes


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("https://例え.テスト:8080/a", "https://xn--r8jz45g.xn--zckzah:8080/a"),
        ("https://www.bücher:8080/a", "https://www.xn--bcher-kva:8080/a"),
        ("https://xn--tda.münchen:443/", "https://xn--tda.xn--mnchen-3ya/"),
        ("https://bücher.example:8080/a", "https://xn--bcher-kva.example:8080/a"),
    ],
)
def test_an_idn_host_whose_last_label_is_not_ascii_keeps_its_port(raw: str, clean: str) -> None:
    """The host and its port went to IDNA together: a port after a last label that is not
    ASCII was encoded as part of that label (``https://例え.テスト:8080/a`` was
    ``https://xn--r8jz45g.xn--:8080-kq4djdra/a``, a host of no site; with ``:443``, the
    last label lost its punycode's end, ``xn--mnchen``). The host alone is encoded."""
    assert clean_url(raw) == clean
    assert clean_url(clean) == clean


def test_a_host_of_a_long_label_is_refused_without_encoding_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A host label of many different letters (``https://一丁丂七…/``, a garbled or hostile
    webUrl) went to Python's IDNA codec whole, whose punycode reads the label once for
    each letter in it: 6 KB took 1 s to be refused, 24 KB 15 s, a 2 MB file hours. A label too long
    for IDNA to encode whatever nameprep makes of it is refused before: punycode never
    reads it. (One that nameprep may shorten enough, its soft hyphens mapped to
    nothing, is still the codec's to judge.)"""
    import encodings.punycode

    encoded: list[int] = []
    punycode = encodings.punycode.punycode_encode
    monkeypatch.setattr(encodings.punycode, "punycode_encode",
                        lambda text: encoded.append(len(text)) or punycode(text))  # fmt: skip
    host = "".join(map(chr, range(0x4E00, 0x4E00 + 2000)))
    data = _seed_with(6, f'webUrl: "https://{host}.example/a"')
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", data, UTC)
    assert e.value.line == 6 and "has a host IDNA cannot encode" in e.value.message
    assert encoded == []
    assert clean_url("https://" + "\u00ad" * 300 + "a\u00ad.example/") == "https://a.example/"
    assert clean_url("https://" + "ü" * 63 + ".example/") is None  # over 63 bytes encoded
    assert clean_url("https://bücher.example/a") == "https://xn--bcher-kva.example/a"


def test_an_image_size_written_as_text_or_with_a_zero_fraction_is_read() -> None:
    """``width: "1200"`` (a writer that quotes every value, as ``quality: "95"`` is
    read) and ``height: 675.0`` were dropped: the picture had no size in any feed.
    What is no whole number of pixels is still left out, the picture kept."""
    sizes = [('"1200"', '" 675 "', 1200, 675), ("1200.0", "675.0", 1200, 675),
             ('"1200.0"', '"675.00"', 1200, 675), ('"1200."', '".0"', None, None),
             ('"12.5"', "675.5", None, None), ('"1e3"', '"-5"', None, None),
             ('"0"', "true", None, None), ('"１２"', '"1200px"', None, None)]  # fmt: skip
    for width, height, w, h in sizes:
        data = (f'---\ntitle: "T"\nwebUrl: "https://e.com/a"\npublishedDateTime: 2020-05-19T21:00:00Z'
                f'\nimages:\n  - url: "https://img.example.net/a.jpg"\n    width: {width}'
                f"\n    height: {height}\n---\n").encode()  # fmt: skip
        image = load_article("x.md", data, UTC).images[0]
        assert (image.width, image.height) == (w, h), (width, height)


def test_images_whose_host_no_enclosure_may_have_are_left_out() -> None:
    """An enclosure's and a Media RSS URL's host must be a domain name of two labels
    or more, or an IPv4 address (the W3C validator's rule); other images are left out,
    the article kept (a host's final dot, as DNS reads it, is none: "e.com." is e.com)."""
    urls = ["https://localhost/a.jpg", "https://e./b.jpg", "https://user@e.com/c.jpg",
            "https://img.example.net/d.jpg?w=1", "https://192.0.2.7:8080/e.png",
            "https://e.com./f.jpg"]  # fmt: skip
    block = "".join(f'\n  - url: "{u}"' for u in urls)
    data = (
        f'---\ntitle: "T"\nwebUrl: "https://e.com/a"\npublishedDateTime: 2020-05-19T21:00:00Z'
        f"\nimages:{block}\n---\n"
    ).encode()
    a = load_article("x.txt", data, UTC)
    assert [i.url for i in a.images] == [*urls[3:5], "https://e.com/f.jpg"]


def test_clean_text_repairs_mojibake_and_strips_forbidden_characters() -> None:
    assert clean_text("Itâ€™s \x01here\x0b", single_line=True) == "It’s here"
    assert clean_text("AT&T 3 < 5, x<y", single_line=True) == "AT&T 3 < 5, x<y"  # text stays


@pytest.mark.parametrize("nonchar", ["\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff"])
def test_noncharacters_are_taken_out_of_every_text(nonchar: str) -> None:
    # XML allows them, HTML does not: the W3C validator said "Invalid HTML" of each body
    # that held one (an excerpt's, a related item's title), in RSS and Atom alike.
    assert clean_text(f"a{nonchar}b c", single_line=True) == "ab c"
    assert clean_text(f"a{nonchar}b\nc", single_line=False) == "ab\nc"
    escaped = nonchar.encode("unicode_escape").decode()  # as YAML writes it: "\\ufdd0"
    data = (
        f'---\ntitle: "T {escaped}"\nexcerpt: "E {escaped}"\nwebUrl: "https://e.com/a"'
        "\npublishedDateTime: 2020-05-19T21:00:00Z\n---\n"
    ).encode()
    a = load_article("x.txt", data, UTC)
    assert (a.title, a.excerpt) == ("T", "E")
    # in a URL, %-escaped, as before (a URL may hold any)
    assert clean_url(f"https://e.com/a{nonchar}b") == f"https://e.com/a{quote(nonchar)}b"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Apple's <em>new</em> phone", "Apple's <em>new</em> phone"),
        ("<script>alert(1)</script> AT&T", "<script>alert(1)</script> AT&T"),
        ("AT&amp;T It&#8217;s &#x2014; fine", "AT&T It’s — fine"),
        ("Customer &amp; Partner &#038; more", "Customer & Partner & more"),
        ("escaped twice: AT&amp;amp;T", "escaped twice: AT&amp;T"),  # decoded once only
        ("&lt;b&gt; is a tag", "<b> is a tag"),
        ("Fish &chips; stays, &#1;goes", "Fish &chips; stays, goes"),
        ("<3 and a<b are text", "<3 and a<b are text"),
        ("It&#226;&#128;&#153;s", "It’s"),  # mojibake written as references
        ("東京 ‘quoted’", "東京 ‘quoted’"),
        # a legacy name without ";" right before a letter or digit is no reference (HTML's
        # text would read "¬ables" and "©right"); before anything else it is one
        ("Barnes&notables, sales&copyright, x&para2", "Barnes&notables, sales&copyright, x&para2"),
        ("&copy 2025, &sect.3, AT&T, R&D", "© 2025, §.3, AT&T, R&D"),
        # a terminal escape goes with its letters, in ASCII text as in any other
        ("\x1b[31mBreaking\x1b[0m news", "Breaking news"),
        ("\x1b[31mBréaking\x1b[0m news", "Bréaking news"),
        # and the other kinds of escape ftfy leaves half (private parameters, colons,
        # bracketed paste, a window title, a hyperlink, a device control string)
        ("\x1b[?25lHidden\x1b[?25h ok", "Hidden ok"),
        ("\x1b[38:5:196mRed\x1b[0m, \x1b[200~Pasted\x1b[201~", "Red, Pasted"),
        ("\x1b]0;pwned title\x07OSC title", "OSC title"),
        ("Excerpt \x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x07 here", "Excerpt click here"),
        ("saved \x1bPqDCS\x1b\\done", "saved done"),
        ("\x1b[1mBold\x1b(B\x1b[m title \x1b7saved\x1b8", "Bold title saved"),  # (tput sgr0)
        # the escapes of one final byte, or an intermediate and a final (a reset, the
        # keypad's mode, a double-height line, UTF-8 chosen); an OSC left open loses its
        # ESC and "]" (what follows may be text); an ESC before a space stays alone
        ("\x1bcReset \x1b=keypad\x1b> \x1b#8line \x1b%Gutf", "Reset keypad line utf"),
        ("open \x1b]0;title", "open 0;title"),
        ("escape\x1b null, \x1b\x1b[0mtwo", "escape null, two"),
        # a U+009B is the "›" it is mojibake of (a breadcrumb, German quotes), or a byte of
        # UTF-8 mojibake (ớ is E1 BB 9B, 💛 F0 9F 92 9B): ftfy's, whatever follows it (two
        # rules for the one-character CSI, \x9b31m, ate real letters: "sớm", "💛my")
        ("Home \x9b News \x9b", "Home › News ›"),
        ("\x9b31mAlert, Home\x9bmusic", "›31mAlert, Home›music"),
        (
            "Về nhà sớm, I 💛my cat".encode().decode("latin-1"),
            "Về nhà sớm, I 💛my cat",
        ),
        (
            "Home\x9bNews\x9bSport, It\x92s \x9bWort\x8b, Tips\x9b\x9bMore",
            "Home›News›Sport, It’s ›Wort‹, Tips››More",
        ),
        (
            "Chapter\x9b1A: Page\x9b2nd edition, \x9b5$ off, \x9b3D",
            "Chapter›1A: Page›2nd edition, ›5$ off, ›3D",
        ),
        # U+0090 and U+009C are UTF-8's continuation bytes: Hebrew, Russian, Japanese
        # mojibake, repaired whole (a rule for C1 device strings ate them)
        (
            "אל תלך שלום, Агентство Москва, 名古屋で日本".encode().decode("latin-1"),
            "אל תלך שלום, Агентство Москва, 名古屋で日本",
        ),
        ("Wait\x85", "Wait…"),
    ],
)
@pytest.mark.parametrize("single_line", [True, False])
def test_plain_text_is_decoded_once_and_markup_stays_text(
    raw: str, clean: str, single_line: bool
) -> None:
    """Titles and excerpts are plain text as a CMS writes it: references are decoded
    exactly once; what looks like markup is text (each format escapes it)."""
    assert clean_text(raw, single_line=single_line) == clean


def test_article_and_summary_are_both_derived_from_the_field_table() -> None:
    """One table: every named step is an Article attribute, the Summary is the steps
    marked for it, and every field says what its source holds."""
    from dataclasses import fields

    from feedpub import articles
    from feedpub.model import Summary

    named = [f.name for f in articles.FIELDS if f.name]
    # (but its path, and what it left out of the file, which a build says: not fields)
    assert sorted(named) == sorted(
        f.name for f in fields(Article) if f.name not in ("path", "dropped")
    )
    carried = {f.name for f in articles.FIELDS if f.summary}
    assert set(Summary._fields) == carried | {"path", "digest"}
    kinds = {articles.PLAIN_LINE, articles.PLAIN, articles.HTML, articles.URL, articles.DATE,
             articles.NUMBER, articles.FLAG, articles.OTHER}  # fmt: skip
    assert all(f.kind in kinds for f in articles.FIELDS)
    # a step that can reject but is not carried has a cheap check of its own
    assert {k for f in articles.FIELDS if f.check for k in f.keys} <= articles.SUMMARY_FIELDS


def test_html_fields_keep_their_references_and_plain_fields_decode_them() -> None:
    a = load_article(
        "a.md",
        b'---\ntitle: "we&#8217;ve"\nexcerpt: "Q&amp;A"\npublishedDateTime: 2020-05-19T21:00:00Z\n'
        b'webUrl: "https://e.example/a"\ntype: video\n'
        b"featuredContent: '<iframe src=\"https://v.example/e?a=1&amp;b=2\"></iframe>'\n---\n",
        UTC,
    )
    assert (a.title, a.excerpt) == ("we’ve", "Q&A")
    assert a.featured_content == '<iframe src="https://v.example/e?a=1&amp;b=2"></iframe>'


def test_related_excerpt_and_image_are_cleaned_when_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A related item's excerpt and image, and a provider's logo, are no feed's: they
    are cleaned as every text and image is, but only when asked for, not while the
    articles a build shows are parsed (nor while their items are written)."""
    data = (
        '---\ntitle: "T"\nwebUrl: "https://e.com/a"\npublishedDateTime: 2020-05-19T21:00:00Z\n'
        "published: true\nprovider:\n  name: Own\n  images:\n"
        '    - url: "https://own.example/logo.png?a=1&#038;b=2"\n'
        "related:\n"
        '  - title: "We&#8217;ve   done it"\n    webUrl: "https://r.example/1"\n'
        '    excerpt: "Itâ€™s Q&amp;A:  3 < 5"\n'
        '    provider:\n      name: "Prov &amp; Co"\n      domain: "prov.example"\n'
        '      images:\n        - url: "https://prov.example/logo.png"\n'
        '    images:\n      - url: "https://localhost/no-host.png"\n'
        '      - url: "https://img.example/a.jpg?w=1&#038;h=2"\n        width: 640\n'
        '        title: "Pic &amp; more"\n'
        '  - title: "Other"\n    webUrl: "https://r.example/2"\n---\n'
    ).encode()
    from feedpub import articles
    from feedpub.formats import xmlfast

    def refused(raw: object) -> None:
        raise AssertionError("cleaned while parsing or writing")

    with monkeypatch.context() as m:
        m.setattr(articles, "related_excerpt", refused)
        m.setattr(articles, "first_image", refused)
        a = load_article("a.txt", data, UTC)
        assert xmlfast.entry(a) is not None
    first, second = a.related
    assert (first.title, first.provider) == ("We’ve done it", "Prov & Co")
    assert first.excerpt == "It’s Q&A:  3 < 5"
    image = first.image
    assert image is not None
    assert image.url == "https://img.example/a.jpg?w=1&h=2"
    assert (image.width, image.title) == (640, "Pic & more")
    assert (second.excerpt, second.image, second.provider) == ("", None, "")
    assert a.provider is not None and a.provider.name == "Own"
    assert a.provider.logo == "https://own.example/logo.png?a=1&b=2"
    # an Article stays a key (content_html is cached by it), and equal to its twin
    assert hash(a) == hash(load_article("a.txt", data, UTC))
    assert a == load_article("a.txt", data, UTC)
    assert a.to_dict()["related"][0]["excerpt"] == "It’s Q&A:  3 < 5"


# ------------------------------------------------------------- escaped surrogate pairs


def _front(*lines: str) -> bytes:
    """A file whose front matter holds ``lines``, and a tag on a value: read by PyYAML,
    the parser of record (the fast path leaves such a block to it; it reads these pairs
    alike, tests/test_fastpath.py)."""
    return ("---\nnote: !!str n\n" + "\n".join(lines) + "\n---\nbody\n").encode("utf-8")


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ('title: "Launch \\ud83d\\ude80 day"', "Launch \U0001f680 day"),
        (
            'title: "\\ud83d\\ude80\\uD83C\\uDF89 \\u00e9 \\ud83d\\ude80"',
            "\U0001f680\U0001f389 é \U0001f680",
        ),
        ('title: "a\\\n  \\ud83d\\ude80"', "a\U0001f680"),  # wrapped, the break escaped
        ("title: 'x \\ud83d\\ude80'", "x \\ud83d\\ude80"),  # single quotes: backslashes
        ("title: x \\ud83d\\ude80", "x \\ud83d\\ude80"),  # plain: backslashes too
        ('title: "\\\\ud83d"', "\\ud83d"),  # an escaped backslash, then text
    ],
)
def test_escaped_surrogate_pairs_in_double_quotes_are_the_character_they_stand_for(
    line: str, value: str
) -> None:
    """``json.dumps`` writes a character past U+FFFF (an emoji) as an escaped UTF-16
    surrogate pair, which JSON and YAML 1.2 read as the character and libyaml refuses:
    read as the character, in double quotes only, on any line."""
    from feedpub.articles import parse_front_matter

    nested = "    " + line.replace("title", "more", 1).replace("\n", "\n    ")
    data = _front("excerpt: e", "related:", "  - title: r", nested, line)
    mapping, _ = parse_front_matter("x.txt", data)
    assert mapping["title"] == value
    assert mapping["related"][0]["more"] == value


def test_only_the_pair_libyaml_stops_at_is_joined() -> None:
    """A pair in a single-quoted or plain text before one in double quotes is text."""
    from feedpub.articles import parse_front_matter

    data = _front("title: 'x \\ud83d\\ude80'", "k: y \\ud83d\\ude80", 'excerpt: "\\ud83d\\ude80"')
    mapping, _ = parse_front_matter("x.txt", data)
    assert mapping == {
        "note": "n",
        "title": "x \\ud83d\\ude80",
        "k": "y \\ud83d\\ude80",
        "excerpt": "\U0001f680",
    }


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12))
@example("\U0001f680\U0001f600x\U00010000\U0010ffff")
def test_any_text_json_dumps_writes_reads_back(text: str) -> None:
    import json

    from feedpub.articles import parse_front_matter

    data = _front(f"title: {json.dumps(text)}", f"rel: [{json.dumps(text)}]")
    mapping, _ = parse_front_matter("x.txt", data)
    assert mapping["title"] == text and mapping["rel"] == [text]


@pytest.mark.parametrize(
    ("lines", "line"),
    [
        (['title: "a \\ud83d b"'], 4),  # a high surrogate alone
        (['title: "\\ude80"'], 4),  # a low one alone
        (["x: 1", 'title: "\\\\\\ud83d\\ude80 \\ude80"'], 5),  # a pair, then one alone
        (['title: "\\ude80\\ud83d"'], 4),  # the halves the wrong way round
        (['title: "\\\\ud83d\\ude80"'], 4),  # a backslash, text, then a low one alone
    ],
)
def test_a_surrogate_that_is_no_pair_is_still_refused_at_its_line(
    lines: list[str], line: int
) -> None:
    from feedpub.articles import parse_front_matter

    with pytest.raises(ArticleError) as e:
        parse_front_matter("x.txt", _front("excerpt: e", *lines))
    assert e.value.line == line and "invalid Unicode character escape" in str(e.value)


def test_a_character_yaml_refuses_after_a_pair_is_said_at_its_own_line() -> None:
    """A related item's title escaped as a surrogate pair, and far below it (past the
    part libyaml had read, 40 KB on) a U+009D pasted into a text: the file was refused
    at the pair's line, "this list item's dash must line up with the one above" (the
    dash was in line), as libyaml stopped at the pair; it is the U+009D, at its line."""
    data = (
        "---\ntitle: T\npublishedDateTime: 2020-05-19T21:00:00Z\n"
        "webUrl: https://example.com/a\npublished: true\nrelated:\n"
        "  - title: R1\n    webUrl: https://r.example.com/1\n"
        "    images:\n      - url: https://r.example.com/1.jpg\n"
        '  - title: "Launch \\ud83d\\ude80"\n    webUrl: https://r.example.com/2\n'
        f'  - title: "{"x" * 40000} bad \x9d"\n    webUrl: https://r.example.com/3\n---\n'
    ).encode()
    for load in (load_article, lambda *a: load_summary(*a, "d")):
        with pytest.raises(ArticleError) as e:
            load("x.txt", data, UTC)
        assert e.value.line == 13 and "U+009D is not allowed" in str(e.value)


def test_every_pair_is_joined_at_once() -> None:
    """A thousand pairs (and escaped backslashes among them) cost one more parse, not
    one each."""
    from feedpub.articles import parse_front_matter

    many = "\\\\\\ud83d\\ude80" * 1000
    mapping, _ = parse_front_matter("x.txt", _front(f'title: "{many}"', f"k: '{many}'"))
    assert mapping["title"] == "\\\U0001f680" * 1000
    assert mapping["k"] == many


def test_a_front_matter_too_long_to_scan_keeps_libyamls_error() -> None:
    from feedpub.articles import MAX_SCANNED, parse_front_matter

    filler = "a" * (MAX_SCANNED - 100)
    near = _front(f"excerpt: {filler}", 'title: "\\ud83d\\ude80"')
    assert parse_front_matter("x.txt", near)[0]["title"] == "\U0001f680"
    with pytest.raises(ArticleError, match="invalid Unicode character escape") as e:
        parse_front_matter(
            "x.txt", _front(f"excerpt: {filler}a" + "a" * 100, 'title: "\\ud83d\\ude80"')
        )
    assert e.value.line == 4


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Price \u202e99 USD", "Price 99 USD"),  # an override left open: "Price DSU 99"
        ("Evil \u202eCorp\u202c Ltd", "Evil Corp Ltd"),  # one closed: gone, with its PDF
        (
            "\u05e9\u05dc\u05d5\u05dd \u202bquoted\u202c ok",
            "\u05e9\u05dc\u05d5\u05dd \u202bquoted\u202c ok",
        ),
        ("open \u202bembedding", "open \u202bembedding\u202c"),  # closed at the end
        ("an \u2067isolate", "an \u2067isolate\u2069"),
        ("stray\u202c and\u2069 closers", "stray and closers"),
    ],
)
def test_direction_controls_turn_no_text_round_outside_their_own(raw: str, clean: str) -> None:
    """A title, a name, a topic never reverses what a reader shows after it (its list,
    rss2email's sender address): overrides go, other controls are closed."""
    assert clean_text(raw, single_line=True) == clean


_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab \n" + _CONTROLS, max_size=40))
def test_direction_controls_are_balanced_on_every_line(text: str) -> None:
    out = sanitize.balanced_bidi(text)
    assert "\u202d" not in out and "\u202e" not in out
    strip = str.maketrans("", "", _CONTROLS)
    assert out.translate(strip) == text.translate(strip)  # only controls touched
    for line in out.split("\n"):
        opened: list[str] = []
        for ch in line:
            if ch == "\u202c":
                assert opened and opened.pop() in "\u202a\u202b", line
            elif ch == "\u2069":  # (closes its isolate and what was opened inside it)
                assert any(o in "\u2066\u2067\u2068" for o in opened), line
                while opened.pop() not in "\u2066\u2067\u2068":
                    pass
            elif ch in _CONTROLS:
                opened.append(ch)
        assert not opened, line


FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("漢" * 498 + FAMILY + " x", "漢" * 498),  # not a woman and a dangling joiner
        ("a" * 499 + "\U0001f1e9\U0001f1ea x", "a" * 499),  # not "🇩" alone
        (
            "a" * 497 + "\U0001f1e9\U0001f1ea\U0001f1eb\U0001f1f7",
            "a" * 497 + "\U0001f1e9\U0001f1ea",
        ),
        ("e" * 499 + "é\u0301 x", "e" * 499),  # not é without its second accent
        ("b" * 499 + "\U0001f44d\U0001f3fd y", "b" * 499),  # not the thumb without its tone
        ("c" * 499 + "\u2764\ufe0f z", "c" * 499),
    ],
)
def test_a_long_text_is_cut_between_characters_as_a_reader_sees_them(text: str, kept: str) -> None:
    assert clean_text(text, single_line=True, limit=500) == kept + "…"


def test_direction_controls_are_closed_on_the_line_they_open_whatever_its_break() -> None:
    text = "first \u202bline\r\nsecond\rthird \u2067x\n"
    assert clean_text(text) == "first \u202bline\u202c\nsecond\nthird \u2067x\u2069"


def test_direction_controls_are_balanced_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PDI searched the whole stack of what was opened for an isolate: 20,000 unclosed
    embeddings and as many PDIs in a title (60 KB) took 3 s, 80,000 took 47 s. Counted,
    not timed: the isolates are asked about once a control, not once a control opened."""
    asked = 0

    class Counting(frozenset[str]):
        def __contains__(self, ch: object) -> bool:
            nonlocal asked
            asked += 1
            return super().__contains__(ch)

    monkeypatch.setattr(visible, "_ISOLATES", Counting(visible._ISOLATES))
    n = 2000
    text = "\u202a" * n + "\u2069" * n + "x"
    assert visible.balanced_bidi(text) == text.replace("\u2069", "") + "\u202c" * n
    assert asked <= 3 * 2 * n, asked  # (a PDI each searching the stack: n * n, 4,000,000)


TOPICS_HEAD = (b"---\ntitle: T\nwebUrl: https://example.com/a\n"
               b"publishedDateTime: 2024-01-20T11:36:37Z\npublished: true\n")  # fmt: skip


def test_an_empty_topic_entry_is_no_topic_and_topics_alike_are_one() -> None:
    """A CMS's empty entry (``- `` alone on its line, real files of a real generator)
    rejected the whole article; topics one to a feed (NFKC, case) were a category each."""
    from feedpub.articles import load_summary

    data = (
        TOPICS_HEAD + b"topics:\n  - \n  - Diablo 4\n  - diablo 4\n  - DIABLO  4\n  - 2024\n---\n"
    )
    assert load_article("x.md", data, UTC).topics == ("Diablo 4", "2024")
    assert load_summary("x.md", data, UTC, "d").topics == ("Diablo 4", "2024")


@pytest.mark.parametrize(
    ("topics", "message"),
    [
        (b"[yes]", "topics: an entry is true or false to YAML (yes, no, on, off, true, false): "
                   "put it in quotes to make it a name"),
        (b"yes", "topics: an entry is true or false to YAML (yes, no, on, off, true, false): "
                 "put it in quotes to make it a name"),
        (b"[{a: 1}]", "topics must be a list of topic names: an entry is a mapping (key: value): "
                      "put it in quotes to make it a name"),
        (b"[2024-01-01]", "topics must be a list of topic names: an entry is a date: put it in "
                          "quotes to make it a name"),
    ],
)  # fmt: skip
def test_a_topic_entry_that_is_no_name_says_what_it_is(topics: bytes, message: str) -> None:
    with pytest.raises(ArticleError) as e:
        load_article("x.md", TOPICS_HEAD + b"topics: " + topics + b"\n---\n", UTC)
    assert (e.value.line, e.value.message) == (6, message)


@pytest.mark.parametrize(
    ("lines", "line"),
    [(b"topics:\n\t- Azure\n", 7), (b"provider:\n  name: x\n\tdomain: y\n", 8)],
)
def test_a_line_indented_with_a_tab_is_named_so(lines: bytes, line: int) -> None:
    """PyYAML's message may not name the tab ("found character that cannot start any
    token"): the problem's line, and that YAML indents with spaces."""
    with pytest.raises(ArticleError) as e:
        load_article("x.md", TOPICS_HEAD + lines + b"---\n", UTC)
    assert e.value.line == line
    assert e.value.message.startswith("YAML error: found ")
    assert e.value.message.endswith(
        ": the line is indented with a tab; YAML indents with spaces only"
    )


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("Tue, 19 May 2020 21:00:00 -0000", "2020-05-19T21:00:00+00:00"),  # RFC 5322: UTC
        ("Tue, 19 May 2020 21:00:00 GMT", "2020-05-19T21:00:00+00:00"),
        ("Tue, 19 May 2020 21:00:00 EST", "2020-05-20T02:00:00+00:00"),
        ("Tue, 19 May 2020 21:00:00", "2020-05-19T19:00:00+00:00"),  # no zone: the site's
        ("Tue, 19 May 2020 21:00:00 +02:00", "2020-05-19T19:00:00+00:00"),  # (ISO's offset)
        ("Tue, 19 May 2020 21:00:00 -00:00", "2020-05-19T21:00:00+00:00"),
        # RFC 5322's comments and folding white space (the W3C validator's test cases):
        # the zone was said unknown ('+0000(GMT)'), the others no date
        ("Tue, 19 May 2020 21:00:00 +0000(GMT)", "2020-05-19T21:00:00+00:00"),
        ("Tue , 19 May 2020 21:00:00 GMT", "2020-05-19T21:00:00+00:00"),
        ("\tTue , \t 19  May\t2020  21:00:00\t +0000", "2020-05-19T21:00:00+00:00"),
        ("Tue(sday), 19(th) May(be) 2020 21:00:00 +0200 (CEST)", "2020-05-19T19:00:00+00:00"),
        (
            "Tue, 19 (a (nested) one) May(a \\) in it) 2020()21:00:00 -0000",
            "2020-05-19T21:00:00+00:00",
        ),
        # a time with dots (21.00, as email.utils reads it), or a minute of one digit:
        # its zone -0000 or +02:00 was not seen, the date read in the site's zone; the
        # second form was told "not a date"
        ("Tue, 19 May 2020 21.00 -0000", "2020-05-19T21:00:00+00:00"),
        ("Tue, 19 May 2020 21.00.00 +02:00", "2020-05-19T19:00:00+00:00"),
        ("Tue, 19 May 2020 21:5 -05:30", "2020-05-20T02:35:00+00:00"),
    ],
)
def test_an_rfc_2822_date_is_read_in_its_own_zone(written: str, utc: str) -> None:
    """``-0000`` is UTC (the sender's own zone unknown), not the site's time zone."""
    assert to_utc(written, ZoneInfo("Europe/Berlin"), "publishedDateTime").isoformat() == utc


@pytest.mark.parametrize("zone", ["BST", "CEST", "(CEST)"])
@pytest.mark.parametrize("time", ["21:00:00", "21.00", "21:0"])  # (21.00 CEST: as BST)
def test_an_rfc_2822_date_in_a_zone_not_known_is_rejected(zone: str, time: str) -> None:
    """It was read in the site's time zone, silently an hour or two off."""
    with pytest.raises(FieldError) as e:
        to_utc(f"Tue, 19 May 2020 {time} {zone}", UTC, "publishedDateTime")
    assert str(e.value) == (
        f"publishedDateTime 'Tue, 19 May 2020 {time} {zone}': the zone {zone!r} is unknown: "
        "write its offset from UTC instead, as +hhmm (+0200 for CEST)"
    )


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("2020-05-19T21:00:00+5", "2020-05-19T16:00:00+00:00"),
        ("2020-5-9T21:00:00Z", "2020-05-09T21:00:00+00:00"),
        ("2020-05-19  21:00:00", "2020-05-19T21:00:00+00:00"),
        ("2020-05-19t21:00:00z", "2020-05-19T21:00:00+00:00"),  # (RFC 3339 allows it)
    ],
)
def test_a_date_yaml_reads_unquoted_is_the_same_date_in_quotes(written: str, utc: str) -> None:
    """Accepted unquoted (a YAML timestamp), it was refused in quotes, as JSON front
    matter always writes a date."""
    for value in (written, f'"{written}"'):
        data = TOPICS_HEAD.replace(b"2024-01-20T11:36:37Z", value.encode())
        assert load_article("x.md", data + b"---\n", UTC).published_at.isoformat() == utc, value


@pytest.mark.parametrize(
    ("text", "limit", "single_line"),
    [("\u2067" + "x" * 600, 500, True), ("\u202b" + "ab " * 2000, 4000, False),
     ("a \u2066b " + "word " * 200, 80, True)],
)  # fmt: skip
def test_a_text_cut_to_its_limit_keeps_its_direction_controls_closed(
    text: str, limit: int, single_line: bool
) -> None:
    """The cut took the closers balanced_bidi had put at the end (found by a fuzzer):
    the opened control then turned round what a reader showed after the title."""
    out = clean_text(text, single_line=single_line, limit=limit)
    assert out.endswith("…") and len(out) < len(text)
    assert sanitize.balanced_bidi(out) == out  # (nothing left open, nothing stray)
    assert out.count("\u2069") == out.count("\u2066") + out.count("\u2067")
    assert out.count("\u202c") == out.count("\u202b")


def test_a_title_made_of_an_excerpt_keeps_its_direction_controls_closed() -> None:
    data = (b"---\nwebUrl: https://example.com/a\npublishedDateTime: 2024-01-20T11:36:37Z\n"
            b'published: true\nexcerpt: "\xe2\x81\xa7' + b"word " * 30 + b'"\n---\n')  # fmt: skip
    article = load_article("x.md", data, UTC)
    assert article.title.count("\u2067") == article.title.count("\u2069") == 1


CONFLICT = (
    "unresolved git merge conflict (its <<<<<<<, ======= and >>>>>>> lines): keep the "
    "right version, remove the marker lines, then commit"
)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        # in a key's line: PyYAML's "could not find expected ':'" a line off
        (TOPICS_HEAD + b"<<<<<<< HEAD\nexcerpt: ours\n=======\nexcerpt: theirs\n"
         b">>>>>>> other\n---\n", 6),
        # inside a value wrapped over lines: valid YAML, published with the markers
        (TOPICS_HEAD + b'excerpt: "First line\n<<<<<<< HEAD\n  ours\n=======\n  theirs\n'
         b'>>>>>>> other\n  last line."\n---\n', 7),
        # round the front matter's first line: "no front matter"
        (b"<<<<<<< HEAD\n" + TOPICS_HEAD + b"=======\n---\ntitle: U\n>>>>>>> other\n", 1),
        # what is left when only the <<<<<<< line was removed, inside a wrapped value
        (TOPICS_HEAD + b'excerpt: "First line\n  ours\n=======\n  theirs\n'
         b'>>>>>>> feature\n  last line."\n---\n', 10),
        # diff3's base section; markers nine long (merge.conflictMarkerSize)
        (TOPICS_HEAD + b'excerpt: "a\n||||||| base\n  b"\n---\n', 7),
        (TOPICS_HEAD + b'excerpt: "a\n<<<<<<<<< HEAD\n  b\n=========\n  c\n'
         b'>>>>>>>>> other\n  d"\n---\n', 7),
        # CRLF, as a checkout with core.autocrlf writes it
        (TOPICS_HEAD.replace(b"\n", b"\r\n") + b'excerpt: "a\r\n<<<<<<< HEAD\r\n  b\r\n'
         b'=======\r\n  c\r\n>>>>>>> other\r\n  d"\r\n---\r\n', 7),
    ],
)  # fmt: skip
def test_a_merge_conflict_git_left_is_named_at_its_line(data: bytes, line: int) -> None:
    """git's markers in the front matter (``git merge``, ``pull``, ``stash pop``): the
    article is rejected at the ``<<<<<<<`` line, saying what happened and what to do,
    in place of a YAML error a line off, or of a feed that shows the markers."""
    with pytest.raises(ArticleError) as e:
        load_article("x.md", data, UTC)
    assert (e.value.line, e.value.message) == (line, CONFLICT)


def test_markers_that_are_no_conflict_are_read_as_they_are() -> None:
    """A conflict in the body (not read), and lines that only look like markers (not at
    the start of the line, a name with no space before it, ``=======`` alone: a
    Markdown heading's underline) change nothing."""
    body = b"---\n<<<<<<< HEAD\nbody\n=======\nother\n>>>>>>> x\n"
    assert load_article("x.md", TOPICS_HEAD + b"---\n" + body[4:], UTC).title == "T"
    for value in (b'"a\n  <<<<<<< HEAD\n  b"', b'"a\n<<<<<<<x\n  b"', b'"a\n>>>>>>>y\n  b"',
                  b'"a\n=======\n  b"'):  # fmt: skip
        article = load_article("x.md", TOPICS_HEAD + b"excerpt: " + value + b"\n---\n", UTC)
        assert article.excerpt.startswith("a ") and article.excerpt.endswith(" b")


QUOTE = 'a value that {} must be quoted: write title: "…" (each " inside it as \\")'


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (b"Azure: what's new", QUOTE.format('holds ": "')),
        # (its ": " right before a "#": not a comment cut off, the value's own words)
        (b"Price cut: #2 model now $99", QUOTE.format('holds ": "')),
        (b"Price cut to $99: #2 model", QUOTE.format('holds ": "')),
        (b"Read this: # 1 tip", QUOTE.format('holds ": "')),
        (b"Price cut:\t#2 model now $99", QUOTE.format('holds ": "')),  # (a tab, as YAML)
        (b"[Update] Azure news", QUOTE.format("begins with [")),
        (b"*Breaking* news", QUOTE.format("begins with *")),
        (b"& Co announce", QUOTE.format("begins with &")),
        (b"@handle on X", QUOTE.format("begins with @")),
        (b"`code` in a title", QUOTE.format("begins with `")),
        (b'"He said "hi""', 'a double-quoted value ends at its second ": write each " '
                            'inside the value of title as \\"'),
        (b"'It's here'", "a single-quoted value ends at its second ': write each ' inside "
                         "the value of title as '' (two), or put the value in double quotes"),
    ],
)  # fmt: skip
def test_a_title_yaml_cannot_read_unquoted_says_to_quote_it(value: bytes, hint: str) -> None:
    """PyYAML's words ("mapping values are not allowed in this context", "did not find
    expected key") tell a person writing a headline nothing: the message ends with
    what to write, at the title's line."""
    with pytest.raises(ArticleError) as e:
        load_article("x.md", TOPICS_HEAD + b"excerpt: " + value + b"\n---\n", UTC)
    assert e.value.line == 6
    assert e.value.message.startswith("YAML error: ")
    assert e.value.message.endswith(": " + hint.replace("title", "excerpt"))


def test_a_title_wrapped_over_lines_is_the_one_to_quote() -> None:
    """A plain title wrapped onto a second line that holds ": " (``  today: &pound;25
    …``): the advice names the title, not the line's word before the colon."""
    with pytest.raises(ArticleError) as e:
        load_article("x.md", TOPICS_HEAD.replace(b"title: T", b"title: Concert tickets on sale\n"
                     b"  today: &pound;25 for the stalls") + b"---\n", UTC)  # fmt: skip
    assert e.value.line == 3
    assert e.value.message.endswith(': a value that holds ": " must be quoted: write title: "…" '
                                    '(each " inside it as \\")')  # fmt: skip


@pytest.mark.parametrize("category", [b"news", b'"news"'])
def test_a_key_of_the_article_indented_by_mistake_is_told_to_start_its_line(
    category: bytes,
) -> None:
    """``  title: …`` under ``category: news``: YAML reads it as going on category's
    value, and the advice was to quote category's value, which would make the title a
    part of the category."""
    with pytest.raises(ArticleError) as e:
        load_article("x.md", b"---\ncategory: " + category + b'\n  title: "Indented title"\n'
                     b'webUrl: "https://e.com/a"\npublishedDateTime: 2024-01-01\n---\n', UTC)  # fmt: skip
    assert e.value.line == 3
    assert e.value.message.startswith("YAML error: ")
    assert e.value.message.endswith(": title is a key of its own, indented under category: "
                                    "remove the spaces before title: so that it starts its line")  # fmt: skip


@pytest.mark.parametrize("between", [b"", b"  that goes on\n", b"  that goes on\n\n  and on\n"])
def test_a_plain_text_wrapped_over_lines_names_its_key_from_any_line(between: bytes) -> None:
    """A line a plain excerpt goes on to that holds ": " (and no key before it, as
    ``It runs`` is none): the advice names the key whose value it goes on, however
    many lines above (once: a YAML error and no advice)."""
    data = (TOPICS_HEAD + b"excerpt: This is a long excerpt\n" + between
            + b"  It runs: Azure and more.\n---\n")  # fmt: skip
    with pytest.raises(ArticleError) as e:
        load_article("x.md", data, UTC)
    assert e.value.line == 7 + between.count(b"\n")
    assert e.value.message == (
        "YAML error: mapping values are not allowed in this context: a value that holds "
        '": " must be quoted: write excerpt: "…" (each " inside it as \\")'
    )


@pytest.mark.parametrize(
    "lines",
    [b"topics: [Azure, [AI]\n", b"topics: [Azure] AI\n", b"images: {url: x} y\n",
     # the line YAML stops at is not the one to mend (the list left open above it),
     # and a comment's ": " is no value's
     b"topics: [Azure, AI\nquality: 5 # scale: 0-100\n",
     b"provider:\n  name: CNET\n   domain: cnet.com  # was: zdnet.com\n"],
)  # fmt: skip
def test_no_advice_to_quote_what_is_not_a_text_written_unquoted(lines: bytes) -> None:
    """Quoting a list would make it one topic; the advice is only for a text."""
    with pytest.raises(ArticleError) as e:
        load_article("x.md", TOPICS_HEAD.replace(b"published: true\n", b"") + lines + b"---\n",
                     UTC)  # fmt: skip
    assert e.value.message.startswith("YAML error: ") and "quoted" not in e.value.message


@pytest.mark.parametrize(
    ("value", "kind"),
    [(b"yes", "true or false (YAML reads yes, no, on, off so)"), (b"2024", "a number"),
     (b"1.5", "a number"), (b"[a, b]", "a list"), (b"{a: b}", "a mapping (key: value)")],
)  # fmt: skip
def test_a_title_that_yaml_reads_as_no_text_is_named_in_words(value: bytes, kind: str) -> None:
    """Not by Python's type names (``bool``, ``int``, ``dict``)."""
    with pytest.raises(ArticleError) as e:
        load_article("x.md", TOPICS_HEAD.replace(b"title: T", b"title: " + value) + b"---\n", UTC)
    assert (e.value.line, e.value.message) == (
        2,
        f"title must be text, not {kind}: put it in double quotes",
    )


def test_a_text_that_begins_with_an_exclamation_mark_is_told_to_be_quoted() -> None:
    """``title: !Breaking news``: YAML reads ``!Breaking`` as a tag: the message says
    to quote the text; a tag on a mapping (no text after it) gets no such advice."""
    with pytest.raises(ArticleError) as e:
        load_article("x.md", TOPICS_HEAD.replace(b"title: T", b"title: !Breaking news") + b"---\n",
                     UTC)  # fmt: skip
    assert e.value.message == ("YAML error: custom YAML tags are not allowed for the tag "
                               "'!Breaking': a text that begins with ! must be in double quotes")  # fmt: skip
    with pytest.raises(ArticleError) as e:
        load_article("x.md", TOPICS_HEAD + b"x: !foo\n  a: b\n---\n", UTC)
    assert e.value.message == "YAML error: custom YAML tags are not allowed for the tag '!foo'"


@pytest.mark.parametrize(
    ("written", "quality"),
    [(b'"95"', 95.0), (b"'0.8'", 0.8), (b'" 12 "', 12.0), (b'"high"', None), (b'"1e999"', None),
     (b'"95 %"', None), (b"95", 95.0)],
)  # fmt: skip
def test_a_quality_written_as_a_text_of_a_number_is_that_number(
    written: bytes, quality: float | None
) -> None:
    """``quality: "95"`` (a writer that quotes every value) was ignored without a word,
    and the article left out of every feed with a ``min_quality``."""
    article = load_article("x.md", TOPICS_HEAD + b"quality: " + written + b"\n---\n", UTC)
    assert article.quality == quality


# ------------------------------------------------ YAML errors at the line to mend

SEED = (SEEDS / "003_e437473dcdcad073.txt").read_text(encoding="utf-8")


def _seed_with(line: int, text: str) -> bytes:
    """The seed (published) with its line ``line`` (from 1) written as ``text``."""
    lines = SEED.split("\n")
    lines[line - 1] = text
    return "\n".join(lines).encode("utf-8")


@pytest.mark.parametrize(
    ("line", "text", "where"),
    [
        (21, "\u00a0\u00a0- Azure", "in the indentation"),
        (13, "\u00a0\u00a0name: The Next Web", "in the indentation"),
        (10, "published:\u00a0true", "after published:"),
        (3, 'title:\u00a0"Microsoft just built"', "after title:"),
    ],
)
def test_a_no_break_space_yaml_needs_as_a_space_is_named_at_its_line(
    line: int, text: str, where: str
) -> None:
    """A no-break space pasted from a word processor, as indentation or after a key's
    colon: libyaml stops a line or two below it (``could not find expected ':'``)."""
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", _seed_with(line, text), UTC)
    assert (e.value.line, e.value.message) == (
        line,
        f"YAML error: a no-break space (U+00A0) {where}, where YAML needs a plain space: "
        "retype it as a space",
    )


def test_a_key_with_no_space_after_its_colon_is_told_so_at_its_line() -> None:
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", _seed_with(3, 'title:"Microsoft just built"'), UTC)
    assert (e.value.line, e.value.message) == (3, "YAML error: put a space after title:")


def test_a_value_going_on_unindented_is_named_at_the_line_with_no_key() -> None:
    """libyaml names the line below (``could not find expected ':'``)."""
    lines = SEED.split("\n")
    lines[3:4] = ["excerpt: Microsoft has announced a new supercomputer", "built by the company."]
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", "\n".join(lines).encode(), UTC)
    assert (e.value.line, e.value.message) == (
        5,
        "YAML error: this line has no key: indent it to continue the value above, or put the "
        "value in double quotes on one line",
    )


@pytest.mark.parametrize(
    ("line", "text", "said"),
    [
        (10, "published true", "write published: true"),
        (7, "type article", "write type: article"),
        (7, "type：article", "write type: article"),  # (a full-width colon: CJK input)
        (8, "Quality 65", "write quality: 65"),
    ],
)
def test_a_key_with_no_colon_is_told_to_take_one(line: int, text: str, said: str) -> None:
    """It was told to indent the line (the advice for a line of text going on), which
    would have made it part of the value above: published, say, never true."""
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", _seed_with(line, text), UTC)
    assert (e.value.line, e.value.message) == (
        line,
        f"YAML error: a key needs a colon after it: {said}",
    )


def test_a_line_of_text_that_begins_with_a_key_s_word_is_text_going_on() -> None:
    lines = SEED.split("\n")
    lines[3:4] = ["excerpt: Microsoft has announced a new supercomputer", "Related work is done."]
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", "\n".join(lines).encode(), UTC)
    assert e.value.line == 5 and "this line has no key: indent it" in e.value.message


def test_what_a_merge_leaves_is_told_as_such() -> None:
    """Both sides of a conflict kept (a key twice) were told to quote a value already
    quoted; a ``=======`` left alone, to indent it (into the title)."""
    lines = SEED.split("\n")
    twice = [*lines[:3], 'title: "Azure: the other version"', *lines[3:]]
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", "\n".join(twice).encode(), UTC)
    assert (e.value.line, e.value.message) == (
        4,
        "YAML error: duplicate key 'title': given twice, here and at line 3: keep one",
    )
    parted = [*lines[:3], "=======", *lines[3:]]
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", "\n".join(parted).encode(), UTC)
    assert (e.value.line, e.value.message) == (
        4,
        "YAML error: a line left from a git merge conflict (=======, between the two "
        "versions): keep the right version of the lines around it and remove this line",
    )


@pytest.mark.parametrize("before", ["", "\n", "  \n\n"])
def test_a_merge_separator_as_the_front_matters_first_line_is_told_as_such(before: str) -> None:
    """A ``=======`` as the first line of the front matter (blank lines above it or not)
    kept libyaml's "mapping values are not allowed in this context" at the line below."""
    lines = SEED.split("\n")
    parted = "\n".join([lines[0], f"{before}=======", *lines[1:]])
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", parted.encode(), UTC)
    assert (e.value.line, e.value.message) == (
        2 + before.count("\n"),
        "YAML error: a line left from a git merge conflict (=======, between the two "
        "versions): keep the right version of the lines around it and remove this line",
    )


def test_an_empty_port_before_an_at_in_the_path_is_no_password() -> None:
    """``https://medium.com:/@alice/post`` (an empty port, RFC 3986's the scheme's own,
    and an "@" in the path) was refused as a user name and a password for an hour."""
    assert clean_url("https://medium.com:/@alice/post") == "https://medium.com/@alice/post"
    assert clean_url("https://e.com:/a?mail=a@b.c") == "https://e.com/a?mail=a@b.c"
    # a port of more digits than Python converts, before an "@": refused, never raised;
    # one written with zeros before it is its number, as urllib reads it
    assert clean_url("https://e.com:" + "1" * 5000 + "/a@b") is None
    assert clean_url("http://e.com:000080/@alice") == "http://e.com/@alice"
    assert clean_url("https://e.com:000080/a?x=@b") == "https://e.com:000080/a?x=@b"
    # a line break or a tab between the slashes (urlsplit drops them): still a password
    assert sanitize.url_refusal("https:/\n/bob:hunter2#x@e.com/") == (
        "holds what reads as a user name and a password (a ':' in its host, an '@' after it): "
        "every reader would see them; write it without them"
    )


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("https://user:pass@example.com/a", "webUrl 'https://***@example.com/a' holds a user "
         "name or password (before its @): every reader would see them, and it can pass for "
         "another site's link; write it without them, https://example.com/a"),
        ("https://user@e.com:99999/a", "webUrl 'https://***@e.com:99999/a' holds a user "
         "name or password (before its @): every reader would see them, and it can pass for "
         "another site's link; write it without them; it also has the port 99999, which is "
         "out of range: a port is a number up to 65535, or none (https takes 443)"),
        ("https://[::1]/a", "webUrl 'https://[::1]/a' has an IPv6 address for its host (in [ "
         "and ]), which feedpub does not take: write the site's domain name (or an IPv4 "
         "address)"),
        ("https://e.com:99999/a", "webUrl 'https://e.com:99999/a' has the port 99999, which is "
         "out of range: a port is a number up to 65535, or none (https takes 443)"),
        ("http://e.com:+80/a", "webUrl 'http://e.com:+80/a' has the port '+80', which is no "
         "number: a port is digits alone (80), or none (http takes 80)"),
        ("https://exa mple.com/a", "webUrl 'https://exa mple.com/a' has a space in its host "
         "('exa mple.com'), which no host holds: write the site's domain name as it is, "
         "without it"),
        ("https://e.com\\e|x/a", "webUrl 'https://e.com\\x1b|x/a' has '|' in its host "
         "('e.com|x'), which no host holds: write the site's domain name as it is, without it"),
        ("/a/relative", "no usable webUrl or originalUrl: give an absolute http(s) URL"),
        # a password with a "/", "?", "#" or a space ends the host there: it read as the
        # port ("has the port 'hunter2'"), said back in the message
        *((f"https://bob:{pw}@e.com/a", "webUrl 'https://***@e.com/a' holds what reads as a "
           "user name and a password (a ':' in its host, an '@' after it): every reader "
           "would see them; write it without them")
          for pw in ("hunter2/x", "pa?ss", "pa#ss", "my secret/x", "20240101/x", "5:31337/",
                     "123:456/x", "p@ss:1234/x")),
        # (a password whose host part holds a space or a "<": the host is not quoted back)
        *((f"https://{who}:1234/x@e.com/a", "webUrl 'https://***@e.com/a' holds what reads as "
           "a user name and a password (a ':' in its host, an '@' after it): every reader "
           "would see them; write it without them") for who in ("b ob", "bob<")),
        # an "@" written as a reference: masked as the URL is read
        ("https://bob:s3cret&#64;e.com/a", "webUrl 'https://***@e.com/a' holds a user name or "
         "password (before its @): every reader would see them, and it can pass for another "
         "site's link; write it without them, https://e.com/a"),
    ],
)  # fmt: skip
def test_an_absolute_url_refused_is_told_why(url: str, said: str) -> None:
    """An absolute https URL refused for what it holds was told "give an absolute http(s)
    URL", as if it were none; now its cause, and what to write (a password masked, what
    it quotes escaped). ``url`` as the file writes it, in double quotes."""
    text = (
        f'---\ntitle: "T"\nwebUrl: "{url}"\npublishedDateTime: 2024-01-01\npublished: true\n---\n'
    )
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", text.encode(), UTC)
    assert (e.value.line, e.value.message) == (3, said)
    value = url.replace("\\e", "\x1b")
    why = None if value.startswith("/") else said.split("' ", 1)[1]
    assert clean_url(value) is None and sanitize.url_refusal(value) == why


def test_a_misspelt_required_key_is_looked_for_in_the_front_matter_alone() -> None:
    """A line of the body that begins as a key does (``WebURL: see below``) was named as
    the misspelt key; a file of old Mac line breaks was not looked into."""
    lines = SEED.split("\n")
    at = next(i for i, x in enumerate(lines) if x.startswith("webUrl:"))
    no_url = "\n".join(lines[:at] + lines[at + 1 :]) + "WebURL: see below\n"
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", no_url.encode(), UTC)
    assert e.value.message == "no usable webUrl or originalUrl: give an absolute http(s) URL"
    misspelt = "\r".join([*lines[:at], lines[at].replace("webUrl:", "webURL:"), *lines[at + 1 :]])
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", misspelt.encode(), UTC)
    assert e.value.line == at + 1 and "write webUrl" in e.value.message


def test_what_a_hint_says_back_is_escaped() -> None:
    """A value or a key a hint quotes from the file reached the terminal raw (a
    right-to-left override, a line separator)."""
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", _seed_with(10, "published true\u202eevil\u2028x"), UTC)
    assert e.value.message == (
        "YAML error: a key needs a colon after it: write published: true\\u202eevil\\u2028x"
    )
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", _seed_with(9, "\ttitle2:\u00a0x"), UTC)
    assert "after title2:, where YAML needs a plain space" in e.value.message


def test_a_misspelt_required_key_is_looked_for_among_the_first_fifty_of_a_files_own() -> None:
    """Each key of a file's own was weighed against the keys missing: a file of 99,000
    took 7 s to be rejected."""
    own = [f"q{i:05d}: 1" for i in range(60)]
    lines = SEED.split("\n")
    at = next(i for i, x in enumerate(lines) if x.startswith("publishedDateTime:"))
    early = [*lines[:at], "publishedDatetime: 2020-05-19T15:09:00Z", *own, *lines[at + 1 :]]
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", "\n".join(early).encode(), UTC)
    assert "write publishedDateTime" in e.value.message
    late = [*lines[:at], *own, "publishedDatetime: 2020-05-19T15:09:00Z", *lines[at + 1 :]]
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", "\n".join(late).encode(), UTC)
    assert e.value.message.startswith("publishedDateTime is missing: give when")


def test_the_hints_read_a_hostile_file_in_time_in_proportion_to_its_size() -> None:
    """Each hint is linear in the lines it reads (a regular expression with a lazy part
    before trailing spaces, and a walk up the lines that split the block again for each,
    were quadratic: a value wrapped over 20,000 lines took 18 s to be told, and over
    200,000 would have taken half an hour). Checked by what they say, at sizes that
    would not end in a test run's time were they quadratic again."""
    n = 200_000
    lines = SEED.split("\n")
    lines[3:4] = ["excerpt: Microsoft has announced", *(["  more"] * n), "  It runs: Azure"]
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", "\n".join(lines).encode(), UTC)
    assert e.value.line == 5 + n and 'must be quoted: write excerpt: "…"' in e.value.message
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", _seed_with(7, "type article" + " " * n + "x"), UTC)
    assert e.value.message == (
        "YAML error: a key needs a colon after it: write type: article" + " " * 32 + "…"
    )


@pytest.mark.parametrize("value", ["“Azure: the new supercomputer”", "‘Azure: the new one’"])
def test_a_value_in_curly_quotes_is_told_they_are_no_quotes_to_yaml(value: str) -> None:
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", _seed_with(3, f"title: {value}"), UTC)
    assert e.value.line == 3
    assert e.value.message.endswith(
        ': “ ” and ‘ ’ are no quotes to YAML: write title: "…" with straight quotes (each " '
        'inside it as \\")'
    )


@pytest.mark.parametrize(
    ("line", "text", "message"),
    [
        (5, "publishedDatetime: 2020-05-19T15:09:00Z",
         "publishedDateTime is missing; line 5 has publishedDatetime: write publishedDateTime"),
        (5, "publishedDateTme: 2020-05-19T15:09:00Z",
         "publishedDateTime is missing; line 5 has publishedDateTme: write publishedDateTime"),
        (6, 'webURL: "https://x.example.com/a"',
         "no usable webUrl or originalUrl; line 6 has webURL: write webUrl"),
        (6, 'orignalUrl: "https://x.example.com/a"',
         "no usable webUrl or originalUrl; line 6 has orignalUrl: write originalUrl"),
    ],
)  # fmt: skip
def test_a_misspelt_required_key_is_named_at_its_line(line: int, text: str, message: str) -> None:
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", _seed_with(line, text), UTC)
    assert (e.value.line, e.value.message) == (line, message)


def test_a_missing_key_with_no_key_like_it_keeps_its_message() -> None:
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", _seed_with(5, "when: 2020-05-19T15:09:00Z"), UTC)
    assert e.value.message.startswith("publishedDateTime is missing: give when")


@pytest.mark.parametrize(
    ("items", "line", "said"),
    [
        ("  - Azure\n - AI\n", 8, "put 2 spaces before its - (it has 1)"),
        ("  - Azure\n- AI\n", 8, "put 2 spaces before its - (it has 0)"),
        (" - Azure\n- AI\n", 8, "put 1 space before its - (it has 0)"),
        ("    - Azure\n      cloud\n\n  - AI\n", 10, "put 4 spaces before its - (it has 2)"),
        ("  - Azure\n" * 200_000 + " - AI\n", 200_007, "put 2 spaces before its - (it has 1)"),
    ],
)
def test_a_list_item_indented_less_than_the_one_above_is_told_to_line_up(
    items: str, line: int, said: str
) -> None:
    """A dash left of the one above kept libyaml's "did not find expected key", with no
    word of what to do. (Linear: a list of 200,000 items above.)"""
    data = TOPICS_HEAD + b"topics:\n" + items.encode() + b"---\nbody\n"
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", data, UTC)
    assert (e.value.line, e.value.message) == (
        line,
        f"YAML error: this list item's dash must line up with the one above: {said}",
    )


#: A related item as the real corpora write one: its keys at column 4, under its dash.
_RELATED_ITEM = (
    'related:\n  - title: "Other story"\n    excerpt: "Its words"\n'
    '    webUrl: "https://example.com/b"\n    provider:\n      name: Wire\n'
    "      domain: wire.example\n      id: 7\n    quality: 19\n"
)


@pytest.mark.parametrize(
    ("old", "new", "line", "said"),
    [
        ("    excerpt", "   excerpt", 8, "excerpt: lines up with no key above: put 4 spaces "
         "before it, as title: above has (it has 3)"),
        ("    excerpt", "  excerpt", 8, "excerpt: lines up with no key above: put 4 spaces "
         "before it, as title: above has (it has 2)"),
        ("    excerpt", "     excerpt", 8, "excerpt: lines up with no key above: put 4 "
         "spaces before it, as title: above has (it has 5)"),
        ("      domain", "     domain", 12, "domain: lines up with no key above: put 6 "
         "spaces before it, as name: above has (it has 5)"),
        ("    quality", "   quality", 14, "quality: lines up with no key above: put 4 "
         "spaces before it, as provider: above has (it has 3)"),
        ("    quality", " quality", 14, "quality: lines up with no key above: put 0 "
         "spaces before it, as related: above has (it has 1)"),
        ("  - title", " - title", 7, "the keys of this list item are at 4 spaces on the "
         "lines below it: put 2 spaces before its - (it has 1)"),
        ("  - title", "   - title", 7, "the keys of this list item are at 4 spaces on the "
         "lines below it: put 2 spaces before its - (it has 3)"),
        ("      name", "       name", 11, "the keys under provider: are at 6 spaces on the "
         "lines below it: put 6 spaces before name: (it has 7)"),
        ("      name", "    name", 11, "the keys under provider: are at 6 spaces on the "
         "lines below it: put 6 spaces before name: (it has 4)"),
    ],
)  # fmt: skip
def test_a_nested_key_out_of_line_is_told_where_to_put_it(
    old: str, new: str, line: int, said: str
) -> None:
    """A related item's key (or its provider's) indented a space off, as a hand edit of
    a generated file leaves one, kept libyaml's "did not find expected '-' indicator",
    "did not find expected key" or "mapping values are not allowed in this context",
    with no word of which line is off, nor by how much."""
    data = TOPICS_HEAD + _RELATED_ITEM.replace(old, new, 1).encode() + b"---\n"
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", data, UTC)
    assert (e.value.line, e.value.message) == (line, f"YAML error: {said}")


@pytest.mark.parametrize(
    ("item", "line", "said"),
    [
        ('  - title: "X"\n    excerpt: |\n      Note: its text\n     quality: 3\n', 10,
         "quality: lines up with no key above: put 4 spaces before it, as excerpt: above has "
         "(it has 5)"),
        ('  - title: "X"\n    excerpt: >-\n        Q: a\n        A: b\n     quality: 3\n', 11,
         "quality: lines up with no key above: put 4 spaces before it, as excerpt: above has "
         "(it has 5)"),
        ('  - title: "X"\n    provider:\n      name: Wire\n      about: |\n'
         "        id: 7\n       domain: w.example\n", 12, "domain: lines up with no key "
         "above: put 6 spaces before it, as about: above has (it has 7)"),
        ('  - title: "X"\n    provider:\n      name: Wire\n      about: |2-  # (at 8)\n'
         "          id: 7\n        more: text\n       domain: w.example\n", 13, "domain: "
         "lines up with no key above: put 6 spaces before it, as about: above has (it has 7)"),
    ],
)  # fmt: skip
def test_a_nested_key_out_of_line_is_never_told_to_join_a_block_scalars_text(
    item: str, line: int, said: str
) -> None:
    """The text of a block scalar above (``excerpt: |``) whose line looks like a key
    (``Note: its text``) was taken as the key to line up with: the advice, followed, put
    the key into the text, read without an error and lost (its quality, a provider's
    domain). It is told the column of the keys around the text."""
    data = TOPICS_HEAD + f"related:\n{item}".encode() + b"---\n"
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", data, UTC)
    assert (e.value.line, e.value.message) == (line, f"YAML error: {said}")


def test_a_nested_key_out_of_line_is_found_under_a_long_list_in_linear_time() -> None:
    """The walk up to the key's parents is one pass: 10,000 related items above."""
    items = _RELATED_ITEM.removeprefix("related:\n") * 10_000
    data = TOPICS_HEAD + b"related:\n" + items.encode() + b'  - title: "X"\n   excerpt: "Y"\n---\n'
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", data, UTC)
    assert e.value.message == (
        "YAML error: excerpt: lines up with no key above: put 4 spaces before it, as "
        "title: above has (it has 3)"
    )


#: The quoted title of a file, then lines below it: line 2 is the title's.
_BROKEN_BELOW = 'webUrl: "https://e.com/a"\npublishedDateTime: 2024-01-01\n'


@pytest.mark.parametrize(
    ("below", "line", "message"),
    [
        ("excerpt: Q: x\n", 5, "mapping values are not allowed in this context: a value "
         'that holds ": " must be quoted: write excerpt: "…" (each " inside it as \\")'),
        ("excerpt: x\nexcerpt: y\n", 6, "duplicate key 'excerpt': given twice, here and at "
         "line 5: keep one"),
        ("provider:\n\tname: x\n", 6, "found character that cannot start any token (while "
         "scanning for the next token, which started at line 6): the line is indented with "
         "a tab; YAML indents with spaces only"),
        ('excerpt:"x"\nz: 1\n', 5, "put a space after excerpt:"),
        ("excerpt: !x y\n", 5, "custom YAML tags are not allowed for the tag '!x': a text "
         "that begins with ! must be in double quotes"),
        ("topics:\n  - Azure\n - AI\n", 7, "this list item's dash must line up with the one "
         "above: put 2 spaces before its - (it has 1)"),
        ("excerpt:\u00a0x\n", 5, "a no-break space (U+00A0) after excerpt:, where YAML needs "
         "a plain space: retype it as a space"),
        ("a: &x [1]\nsecured: &y 1\n", 6, "a YAML anchor in secured: its value is never "
         "repeated"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("breaks", ["", "\u2028", "\u2028\u2029\x85", "\u2028" * 200_000])
def test_a_line_break_only_yaml_sees_moves_no_line_an_error_names(
    below: str, line: int, message: str, breaks: str
) -> None:
    """A line or paragraph separator, or a next line (U+2028, U+2029, U+0085), in a value
    pasted from Word or a web page is a line break to YAML, and none to an editor: every
    line an error named after one was one too far down (and a hint read the wrong line,
    so said nothing). (Linear: 200,000 of them.)"""
    data = f'---\ntitle: "A{breaks}B"\n{_BROKEN_BELOW}{below}---\n'.encode()
    with pytest.raises(ArticleError) as e:
        load_article("a.txt", data, UTC)
    said = message if message.startswith("a YAML anchor") else f"YAML error: {message}"
    assert (e.value.line, e.value.message) == (line, said)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ('title: "Broken', 'the " that opens the value of title on this line is never closed: '
         'end the value with " (a " inside it is written \\")'),
        ("title: 'Broken", "the ' that opens the value of title on this line is never closed: "
         "end the value with ' (a ' inside it is written '')"),
    ],
)  # fmt: skip
def test_a_value_whose_quote_is_never_closed_is_named_where_it_opens(value: str, said: str) -> None:
    """libyaml read on to the front matter's end and said "found unexpected end of
    stream" there: the line where the quote opens now, with what to write."""
    data = f"---\n{value}\nexcerpt: x\nwebUrl: https://e.com/a\n---\nbody\n".encode()
    with pytest.raises(ArticleError) as info:
        load_article("a.txt", data, UTC)
    assert str(info.value) == f"a.txt:2: YAML error: {said}"


#: An article with a related item, its date to fill in.
_RELATED = (
    '---\ntitle: "Main story"\nwebUrl: "https://example.com/main"\n'
    "publishedDateTime: {own}\npublished: true\nrelated:\n"
    '  - title: "Other coverage"\n    webUrl: "https://example.com/other"\n'
    "    publishedDateTime: {date}\n"
    '  - title: "Third"\n    webUrl: "https://example.com/3"\n'
    "    publishedDateTime: 2024-01-02T00:00:00Z\n---\n"
)


@pytest.mark.parametrize(
    "date",
    ["2024-12-01T00:00:00+99:00", "2024-13-01", "0000-01-01", "2024-02-30T10:00:00Z",
     "2024-12-01 10:00:00 +24:00", "next week"],
)  # fmt: skip
def test_a_related_items_impossible_date_is_left_out_not_the_article(date: str) -> None:
    """A related item's date that cannot be read is left out, not its item (README): one
    that cannot be (2024-13-01, an offset of +99:00) rejected the whole article, "YAML
    error: impossible date", at the item's line. The item is kept without its date, the
    summary agrees, and the other items keep theirs."""
    data = _RELATED.format(own="2024-01-01T00:00:00Z", date=date).encode()
    article = load_article("a.md", data, UTC)
    assert [(r.title, r.published_at) for r in article.related] == [
        ("Other coverage", None),
        ("Third", datetime(2024, 1, 2, tzinfo=UTC)),
    ]
    summary = load_summary("a.md", data, UTC, "digest")
    assert (summary.published, summary.published_at) == (True, article.published_at)


@pytest.mark.parametrize(
    ("own", "said"),
    [("2024-12-01T00:00:00+99:00", "impossible date '2024-12-01T00:00:00+99:00' (its UTC "
      "offset must be under 24 hours)"),
     ("2024-13-01", "impossible date '2024-13-01' (month must be in 1..12)")],
)  # fmt: skip
def test_an_articles_own_impossible_date_is_still_an_error(own: str, said: str) -> None:
    """Beside a related item's (left out), the article's own is YAML's error at its line."""
    for date in ("2024-13-01", "2024-01-02"):
        data = _RELATED.format(own=own, date=date).encode()
        for load in (load_article, lambda *a: load_summary(*a, "digest")):
            with pytest.raises(ArticleError) as e:
                load("a.md", data, UTC)
            assert (e.value.line, e.value.message) == (4, f"YAML error: {said}")
    other = _RELATED.replace("published: true\n", "published: true\ndate: 2024-02-31\n")
    with pytest.raises(ArticleError) as e:  # (a site's own key: as before)
        load_article("a.md", other.format(own="2024-01-01", date="2024-13-01").encode(), UTC)
    assert (e.value.line, e.value.message[:30]) == (6, "YAML error: impossible date '2")


#: What the messages of a line break only YAML sees begin with, by character.
_NAMED = {
    "\u2028": "a line separator (U+2028, pasted from Word or a web page maybe)",
    "\u2029": "a paragraph separator (U+2029, pasted from Word or a web page maybe)",
    "\x85": "a next-line character (U+0085, pasted from Word maybe)",
}
_BREAK_HEAD = '---\nwebUrl: "https://e.com/a"\npublishedDateTime: 2024-01-01\n'


@pytest.mark.parametrize("char", list(_NAMED))
@pytest.mark.parametrize(
    ("lines", "line", "whose", "marker", "read_as"),
    [('title: "Azure #1{c}... and more"', 4, "title's quoted value", "...",
      "the end of the YAML document"),
     ("title: 'Azure{c}--- and more'", 4, "title's quoted value", "---",
      "the start of another YAML document"),
     ('excerpt: "One\n  two #3{c}... three"', 5, "excerpt's quoted value", "...",
      "the end of the YAML document"),
     # (a key in quotes, as JSON writes it: no key was named, "in a quoted value")
     ('"title": "Azure #1{c}... and more"', 4, "title's quoted value", "...",
      "the end of the YAML document"),
     ("'title' : 'Azure{c}--- and more'", 4, "title's quoted value", "---",
      "the start of another YAML document"),
     # (flow style: the key of the line was named, "in images's quoted value")
     ("images: [{{url: 'https://e.com/i.jpg{c}--- x', width: 5}}]", 4, "url's quoted value",
      "---", "the start of another YAML document"),
     ('provider: {{name: "A", domain: "a.com{c}... x"}}', 4, "domain's quoted value", "...",
      "the end of the YAML document"),
     ('topics: ["AI", "Azure{c}... x"]', 4, "a quoted item of topics", "...",
      "the end of the YAML document"),
     ('topics:\n  - "Azure{c}... x"', 5, "a quoted value", "...",
      "the end of the YAML document")],
)  # fmt: skip
def test_a_line_break_only_yaml_sees_before_dots_in_quotes_is_named_so(
    char: str, lines: str, line: int, whose: str, marker: str, read_as: str
) -> None:
    """``title: "Azure #1<U+2028>... and more"``: the quotes never closed to YAML, as the
    ``...`` after the line break only it sees ends its document; the message said the
    character was "in a comment" (the # inside the quotes), to remove it, and without
    a # told to put the value in double quotes, which it is in."""
    data = (_BREAK_HEAD + lines.format(c=char) + "\n---\n").encode()
    escaped = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\x85"}[char]
    for load in (load_article, lambda *a: load_summary(*a, "digest")):
        with pytest.raises(ArticleError) as e:
            load("a.md", data, UTC)
        assert (e.value.line, e.value.message) == (
            line,
            f"{_NAMED[char]} in {whose}: YAML reads it as a line break, which "
            f"an editor does not show, and the {marker} after it, at the start of a line, "
            f"as {read_as}, before the closing quote: remove it (or, in double quotes, "
            f"write it {escaped})",
        )


@pytest.mark.parametrize(
    ("front", "line"),
    [('{{"webUrl": "https://e.com/a", "publishedDateTime": "2024-01-01", '
      '"title": "Azure{c}... x"}}', 2),
     ('{{\n  "webUrl": "https://e.com/a",\n  "publishedDateTime": "2024-01-01",\n'
      '  "title": "Azure{c}... x"\n}}', 5)],
)  # fmt: skip
def test_a_line_break_only_yaml_sees_before_dots_in_json_names_the_key(
    front: str, line: int
) -> None:
    """A JSON front matter: its keys are quoted, and the message named none (``in a
    quoted value``)."""
    data = f"---\n{front.format(c=chr(0x2028))}\n---\n".encode()
    with pytest.raises(ArticleError) as e:
        load_article("a.md", data, UTC)
    assert e.value.line == line
    assert e.value.message.startswith(f"{_NAMED[chr(0x2028)]} in title's quoted value: ")


@pytest.mark.parametrize("char", list(_NAMED))
@pytest.mark.parametrize(
    ("lines", "line", "where", "after", "fix"),
    [("excerpt: Not ready yet{c}published: true", 4, "in excerpt's value", "published: true",
      'remove it, or put the value in double quotes: excerpt: "…"'),
     ("title: Breaking{c}news", 4, "in title's value", "news",
      'remove it, or put the value in double quotes: title: "…"'),
     ("topics: Azure{c}AI", 4, "in topics' value", "AI",  # (not "topics's")
      'remove it, or put the value in double quotes: topics: "…"'),
     ('title: "T"  # a note{c}published: true', 4, "in a comment", "published: true",
      "remove it"),
     ("topics:\n  - Azure{c}  - AI", 5, "in this line", "- AI", "remove it"),
     ("excerpt: |\n  One{c}Two", 5, "in this line", "Two", "remove it"),
     ("publi{c}shed: true", 4, "in this line", "shed: true", "remove it"),
     ('title: "A{c}B"\nexcerpt: Draft{c}published: true', 5, "in excerpt's value",
      "published: true", 'remove it, or put the value in double quotes: excerpt: "…"'),
     # a space or a tab before it: the readings part before the space (it was let through,
     # the draft published, or libyaml's words at the closing line)
     ("excerpt: Not ready yet. {c}published: true", 4, "in excerpt's value", "published: true",
      'remove it, or put the value in double quotes: excerpt: "…"'),
     ("excerpt: Not ready yet.\t{c}published: true", 4, "in excerpt's value",
      "published: true", 'remove it, or put the value in double quotes: excerpt: "…"'),
     ("excerpt: First sentence. {c}Note: it is late.", 4, "in excerpt's value",
      "Note: it is late.", 'remove it, or put the value in double quotes: excerpt: "…"'),
     ("title: Breaking {c}news", 4, "in title's value", "news",
      'remove it, or put the value in double quotes: title: "…"'),
     ("provider:\n  domai{c}n: x.com", 5, "in this line", "n: x.com", "remove it")],
)  # fmt: skip
def test_a_line_break_only_yaml_sees_that_changes_what_it_reads_is_refused(
    char: str, lines: str, line: int, where: str, after: str, fix: str
) -> None:
    """A U+2028, U+2029 or U+0085 pasted into a value is a line break to YAML and none
    to an editor: what follows it was read as a line of its own, behind the editor's
    back (``excerpt: Not ready yet<U+0085>published: true`` published a draft, exit 0),
    or failed with libyaml's words at the line below. Refused at the editor's line,
    naming the character and what to do."""
    data = (_BREAK_HEAD + lines.format(c=char) + "\n---\n").encode()
    for load in (load_article, lambda *a: load_summary(*a, "digest")):
        with pytest.raises(ArticleError) as e:
            load("a.md", data, UTC)
        assert (e.value.line, e.value.message) == (
            line,
            f"{_NAMED[char]} {where}: YAML reads it as a line break, which an editor does "
            f"not show, and what follows it, {after!r}, as a line of its own: {fix}",
        )


@pytest.mark.parametrize("char", list(_NAMED))
@pytest.mark.parametrize(
    ("lines", "read"),
    [('title: "Breaking{c}news"', {"title": "Breaking{c}news"}),
     ("title: 'Breaking{c}news'", {"title": "Breaking{c}news"}),
     ('excerpt: "Not ready{c}published: true"', {"excerpt": "Not ready{c}published: true"}),
     ("title: Breaking{c}  news", {"title": "Breaking{c}news"}),
     ("title: Breaking news{c}", {"title": "Breaking news"}),
     ("title: T\n{c}excerpt: x", {"title": "T", "excerpt": "x"}),
     ("title: T  # a note{c}\nexcerpt: x", {"title": "T", "excerpt": "x"}),
     ("topics: [Azure,{c}AI]", {"topics": ["Azure", "AI"]}),
     ("topics:\n  - Azure{c}\n  - AI", {"topics": ["Azure", "AI"]}),
     ("excerpt: |\n  One{c}  Two", {"excerpt": "One{c}Two\n"})],
)  # fmt: skip
def test_a_line_break_only_yaml_sees_that_changes_nothing_it_reads_is_no_error(
    char: str, lines: str, read: dict[str, Any]
) -> None:
    """Where YAML reads the same keys and structure as the editor shows (in a quoted
    value, where YAML folds it; at a line's end or start; where a value goes on,
    indented), the file is read as before: its texts as YAML made them."""
    data = (_BREAK_HEAD + lines.format(c=char) + "\n---\n").encode()
    mapping = parse_front_matter("a.md", data)[0]
    assert list(mapping) == ["webUrl", "publishedDateTime", *read]
    for key, value in read.items():  # (but for white space: U+2028 kept, U+0085 a \n)
        assert "".join(str(mapping[key]).split()) == "".join(str(value).split()).replace(
            "{c}", ""
        ), mapping[key]


def test_the_key_lines_of_a_big_json_front_matter_are_found_in_one_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each key's line (a JSON front matter's keys, all quoted, found by YAML's events)
    searched the whole block again: a file of 20,000 keys took 47 s to be rejected.
    Counted as searches of the block, not timed."""
    searches = 0

    class Counted:
        def __init__(self, pattern: re.Pattern[str]) -> None:
            self.pattern = pattern

        def search(self, text: str) -> re.Match[str] | None:
            nonlocal searches
            searches += 1
            return self.pattern.search(text)

        def finditer(self, text: str) -> Iterator[re.Match[str]]:
            nonlocal searches
            searches += 1
            return self.pattern.finditer(text)

    monkeypatch.setattr(articles, "_YAML_BREAKS", Counted(articles._YAML_BREAKS))
    monkeypatch.setattr(articles, "_ANY_BREAK", Counted(articles._ANY_BREAK))
    front = {"title": "t", "publishedDateTime": "2024-01-02T03:04:05Z", "published": True,
             "topics": ["Azure"], **{f"k{i}": "v" for i in range(300)}}  # fmt: skip
    data = f"---\n{json.dumps(front, indent=2)}\n---\n".encode()
    assert articles._lines_of_keys(data, None)["k299"] == 308  # (the topics list: three lines)
    assert searches <= 2


@pytest.mark.parametrize("block", ["a\nb\u2028c\n\u2029\nd\x85e\n\nf", "a\nb\n", "\u2028"])
def test_editor_lines_are_editor_line_for_every_line(block: str) -> None:
    to_editor = articles.editor_lines(block)
    assert [to_editor(n) for n in range(12)] == [articles.editor_line(block, n) for n in range(12)]
