"""What in an article file is allowed but most likely a mistake: said once, when a
build reads the file after it changed, and never an error (the article is used as it
stands; the exit code does not change).

Each of these left an article out of its feeds, or changed what readers see, without a
word: a key misspelt (``titel:``, ``topic:``, ``Published:``), so its value unread; a
``published`` that means true but is not YAML's true (``"true"``, ``1``); a title cut
by a ``#`` that YAML reads as a comment; two topics written as one (``topics: Azure,
AI``, or a ``- AI`` indented under ``- Azure``); a quality that is no number (then a
feed with ``min_quality`` leaves the article out); a provider, images or related
coverage written as a text (``provider: CNET``: left out); a title in Word's curly quotes,
which YAML keeps as part of it; a no-break space in a key. They are looked for in what
the summary of every file read already holds, so a file with none of them costs a few
lookups (2 µs); what a notice quotes from the file is escaped and cut, and each check
is linear in what it reads.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from .articles import (
    _IMAGE_URL,
    _KINDS_OF_VALUE,
    _ODD_SPACES,
    KNOWN_KEYS,
    FieldError,
    Repeated,
    _front_matter_lines,
    _key_lines,
    _lines_of_keys,
    _number,
    as_written,
    read_domain,
)
from .errors import Notice, counted, cut, likely_meant, shown_path, shown_text
from .fastyaml import UNBUILT, _Fallback, _scalar
from .sanitize import clean_url, masked_url, url_refusal

#: The earliest date feed validators (the W3C's) take as plausible: an article dated
#: before it (1970-1989, a newspaper's digitised archive, or a year mistyped) is
#: published, and told.
PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
#: The most keys of a file weighed as misspellings (each against every key of the format:
#: a file of 10,000 keys of its own took 6 s).
_KEYS_WEIGHED = 50
#: What a ``published`` that is not YAML's true says when it means true.
_MEANT_TRUE = frozenset({"true", "yes", "y", "on", "t", "1"})
_CURLY = ("“‘„«", "”’“»")
#: The quotes of one kind, by the one that opens: one of them inside the title as well
#: (``“Barbie” beats “Oppenheimer”``) is the headline quoting twice, no mistake.
_FAMILY = {"“": "“”„", "„": "“”„", "‘": "‘’‚", "«": "«»"}
#: A title written unquoted, in curly quotes (in straight ones, they are the title's own).
_CURLY_UNQUOTED = re.compile(f"title:[ \t]+[{_CURLY[0]}]")


def article_notices(
    path: str, data: bytes, d: dict[str, Any], tz: tzinfo | None = None,
    published_at: datetime | None = None,
) -> list[Notice]:  # fmt: skip
    """The notices of the article file ``path``, its bytes ``data`` parsed as ``d``; with
    ``tz``, the site's time zone, a date without an offset it makes none or two moments of;
    with ``published_at``, the date of a published article, one before 1990.
    (Run for every file a build reads: each check is skipped by one cheap test first.)"""
    found: list[tuple[str, str]] = []  # (the key whose line it is, the message)
    if tz is not None and (said := _zone_said(d.get("publishedDateTime"), tz)):
        found.append(("publishedDateTime", said))
    if published_at is not None and published_at < PLAUSIBLE:  # (an archive's, or a typo)
        found.append(("publishedDateTime", _before_1990(d.get("publishedDateTime"),
                                                        published_at)))  # fmt: skip
    others: set[str] = set()  # (keys whose line a message names: "\0title\0" in it)
    below: dict[str, int] = {}  # (a message said that many lines below its key's)
    if not KNOWN_KEYS.issuperset(d):
        unknown = (k for k in d if isinstance(k, str) and k not in KNOWN_KEYS)  # (2024: …)
        for key in itertools.islice(unknown, _KEYS_WEIGHED):
            if (bare := key.strip(_ODD_SPACES)) != key and bare in KNOWN_KEYS and bare not in d:
                found.append((key, f"{_said(key)}: a space YAML takes as a letter "
                              "(a no-break space, say) is in the key: write it without"))  # fmt: skip
            elif (meant := _misspelt(key)) and meant not in d:
                found.append((key, f"{_said(key, quoted=False)} is not a key feedpub reads: did you "
                              f"mean {meant}?"))  # fmt: skip
            elif meant and not key.startswith(meant) and meant != f"{key}s":
                # (the key meant is there too: a leftover, or a key half renamed; "title2"
                # beside "title", or "image" beside "images", a social card's, is a site's own)
                found.append((key, f"{_said(key, quoted=False)} is not a key feedpub reads: "
                              f"{meant}, at line \0{meant}\0, is the one read: remove one of "
                              "them"))  # fmt: skip
                others.add(meant)
    published = d.get("published")
    if published is not True and published is not False and _means_true(published):
        kind = "a number" if isinstance(published, int | float) else "text"
        found.append(("published", f"published: {_said(published)} is {kind}, not true: the "
                      "article is not published; to publish it, write published: true"))  # fmt: skip
    elif published is None and "published" in d:  # (published: alone: Jekyll publishes it)
        found.append(("published", "published has no value (YAML's null), not true: the "
                      "article is not published; to publish it, write published: true"))  # fmt: skip
    front = b""  # (the front matter: found once, when a check needs it)
    if _comment_mark(data):
        front = _front(data)
        for key in ("title", "excerpt"):
            if (n := _comment_line(front, key, type(d.get(key)) is str)) is not None:
                message = (f"{key}: what follows the # is a YAML comment, left out of the "
                           f"{key}: if it belongs to the {key}, put all of it in double "
                           f'quotes, {key}: "…"')  # fmt: skip
                found.append((key, message))
                below[message] = n
    topics = d.get("topics")
    if type(topics) is str:
        if topics[:1] == "-" and topics[1:2] in _ODD_SPACES:
            found.append(("topics", f"topics: {_said(topics)} is one topic: a space "
                          "YAML takes as a letter (a no-break space, say) follows the dash of "
                          "its list: retype it as a space"))  # fmt: skip
        elif "," in topics and _COMMA.search(topics):  # (not "1,000": a number's)
            listed = _said(", ".join(t.strip() for t in topics.split(",") if t.strip()),
                           quoted=False)  # fmt: skip
            found.append(("topics", f"topics: {_said(topics)} is one topic: for several, write a "
                          f"list, topics: [{listed}]"))  # fmt: skip
    elif type(topics) is list:
        folds: frozenset[str] | None = None  # (the lists' folded items, read once)
        for topic in topics[:100]:  # ("- AI" indented under "- Azure": one topic, "Azure - AI")
            if type(topic) is not str or not _DASH.search(topic):
                continue
            folds = _folds(data) if folds is None else folds
            if _spaced(topic) in folds:
                found.append(("topics", f"topics: {_said(topic)} is one topic: "
                              "a '- ' indented deeper than the one above goes on its text: "
                              "line the dashes up"))  # fmt: skip
                break
    for key, shape, expected in _SHAPES:  # (a block's value is not built here: right)
        value = d.get(key)
        if value is not None and value is not UNBUILT and type(value) is not expected:
            found.append((key, f"{key}: {_said(value)} is {_kind(value)}, where {shape}; "
                          "it is left out"))  # fmt: skip
    value = d.get("quality")
    if value is not None and type(value) is not int and _number(value) is None:
        found.append(("quality", f"quality: {_said(value)} is not a number: the article has no "
                      "quality, and a feed with min_quality leaves it out"))  # fmt: skip
    if "originalUrl" in d and (said := _web_url_passed_over(d)):
        found.append(("webUrl", said))
    title = d.get("title")
    if (type(title) is str and len(title) > 1 and title[0] in _CURLY[0]
            and title[-1] in _CURLY[1]
            and not any(c in title[1:-1] for c in _FAMILY[title[0]])  # (“A” beats “B”)
            and _CURLY_UNQUOTED.match(_line(front or _front(data), "title").decode("utf-8", "replace"))):  # fmt: skip
        found.append(("title", f"title: {title[0]} and {title[-1]} are no quotes to YAML but "
                      'part of the title: to quote it, use straight quotes, title: "…"'))  # fmt: skip
    if not found:
        return []
    lines = _lines_of_keys(data, {key for key, _ in found} | others)
    for other in others:  # (a NUL from the file is said escaped: "\x00")
        found = [(key, message.replace(f"\0{other}\0", str(lines.get(other, 1))))
                 for key, message in found]  # fmt: skip
    return [Notice(path, lines.get(key, 1) + below.get(message, 0), message)
            for key, message in found]  # fmt: skip


#: The message of the mark :func:`feedpub.articles.load_summary` leaves among a file's
#: notices when the file has no ``published`` key: the build says the files so marked
#: in one notice (:func:`feedpub.build.no_published_key`), not one line each.
NO_PUBLISHED_KEY = "no published key"


def lacks_published(d: dict[str, Any]) -> bool:
    """Whether the front matter ``d`` has no ``published`` key: a draft, as a file
    with ``published: false`` is, but most likely not meant as one (a Smartable site's
    files often have none, which its Jekyll site publishes). Not when a key is
    ``published`` misspelt (``Published:``), which :func:`article_notices` tells."""
    if "published" in d:
        return False
    if KNOWN_KEYS.issuperset(d):
        return True
    unknown = (k for k in d if isinstance(k, str) and k not in KNOWN_KEYS)
    return not any(k.strip(_ODD_SPACES) == "published" or _misspelt(k) == "published"
                   for k in itertools.islice(unknown, _KEYS_WEIGHED))  # fmt: skip


def _zone_said(value: object, tz: tzinfo) -> str | None:
    """What to say of a ``publishedDateTime`` written without an offset (taken in the
    site's zone ``tz``) that names no moment there, or two: a time in the hour the
    clocks skip when summer time begins (``2026-03-29T02:30:00`` in Berlin: taken as
    03:30, an hour late), or in the hour they go over twice when it ends (taken as the
    first: maybe an hour early). An embargo written so was lifted at another moment
    than meant, without a word."""
    if isinstance(value, datetime) and value.tzinfo is UTC:
        return None  # (as YAML gives ``...Z``, nearly every date: its offset written)
    local = _local_time(value)
    if local is None:
        return None
    try:
        first, second = local.replace(tzinfo=tz), local.replace(tzinfo=tz, fold=1)
        before, after = first.utcoffset(), second.utcoffset()
        if before is None or after is None or before == after:
            return None  # (nearly every date: one moment)
        taken = first.astimezone(UTC)
        shown = taken.astimezone(tz)
    except (OverflowError, ValueError):  # (within a day of the year 1 or 10000)
        return None
    zone = str(tz)
    written = _said(value if isinstance(value, str) else local.isoformat())
    if type(value) is date:  # (a day alone: its midnight)
        written = f"{_said(value.isoformat())} (its midnight)"
    at = f"{taken:%Y-%m-%dT%H:%M:%SZ}"
    if shown.replace(tzinfo=None) != local:  # (what the clocks skip)
        return (f"publishedDateTime {written} is no time in {zone}: its clocks skip over "
                f"it, so it is taken as {shown:%H:%M} there ({at}); write "
                f"its offset from UTC to say the moment: {_offset(before)} or "
                f"{_offset(after)}")  # fmt: skip
    return (f"publishedDateTime {written} is twice in {zone}: its clocks go over it "
            f"twice, and it is taken as the first ({at}); write its offset "
            f"from UTC to say the moment: {_offset(before)} for the first, "
            f"{_offset(after)} for the second")  # fmt: skip


def _before_1990(value: object, at: datetime) -> str:
    """What to say of an article published ``at`` (UTC), before 1990, its
    ``publishedDateTime`` written ``value``. The feeds write its date in UTC, and the
    W3C validator warns of a date before 1990 there, as written (an RSS pubDate's year,
    an Atom date's text): ``1990-01-01T00:30:00+01:00``, written in the feeds as
    1989-12-31T23:30:00Z, is warned of, and told so, with that moment (the day alone,
    1989-12-31, was a day the file did not say)."""
    try:
        written = as_written(value, "publishedDateTime")
    except (FieldError, ValueError, OverflowError):  # (read already: not expected)
        written = at
    if written.date() == at.date():
        said = f"publishedDateTime {at:%Y-%m-%d} is before 1990"
    else:  # (another day where it was written: its offset's, or the site's zone's)
        shown = value if isinstance(value, str) else written.isoformat()
        if type(value) is date:
            shown = value.isoformat()
        said = (f"publishedDateTime {_said(shown)} is {at:%Y-%m-%dT%H:%M:%SZ} in UTC, as "
                "the feeds write it, so before 1990")  # fmt: skip
    return (
        f"{said}: the article is published so dated, and feed validators (the W3C's) "
        "warn of an implausible date; if the date is a mistake, correct it"
    )


def _local_time(value: object) -> datetime | None:
    """The day and time ``value`` (a date as YAML read it) gives without an offset, as
    :func:`feedpub.articles.to_utc` reads it (:func:`~feedpub.articles.as_written`: a
    naive datetime, a day's midnight, a text ISO 8601 or YAML reads so, an RFC 822 date
    without a zone); else None (one with its offset, or no date)."""
    try:
        when = as_written(value, "publishedDateTime")
    except FieldError:  # (its own error says so)
        return None
    return when.replace(microsecond=0) if when.utcoffset() is None else None


def _offset(offset: timedelta) -> str:
    """An offset from UTC as ISO 8601 writes it (``+05:45``, ``-03:00``)."""
    minutes = int(offset.total_seconds()) // 60
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _web_url_passed_over(d: dict[str, Any]) -> str | None:
    """What to say of a published article whose ``webUrl`` is refused for what it holds
    (:func:`feedpub.sanitize.url_refusal`), so that its ``originalUrl`` is its link and
    its id in the feeds: an article without one is rejected for it, with the same words;
    None when there is nothing to say (a draft, a webUrl taken, missing, or no absolute
    http(s) URL at all, where the originalUrl is the one given)."""
    web, original = d.get("webUrl"), d.get("originalUrl")
    if (d.get("published") is not True or not isinstance(web, str) or clean_url(web)
            or not (why := url_refusal(web)) or not (url := clean_url(original))):  # fmt: skip
        return None
    return (
        f"webUrl {shown_text(cut(masked_url(web), 100))}: the feeds link the article by "
        f"its originalUrl, {shown_text(url)}, as the webUrl {shown_text(why)}"
    )


def _comment_mark(data: bytes) -> bool:
    """Whether ``data`` holds a ``#`` after a space or a tab, as each comment
    :func:`_comment_line` tells of begins (a ``#`` elsewhere, as in ``&#038;``, never
    does). Each ``#`` found by memchr: a search for " #" would stop at every space."""
    at = data.find(b"#", 1)
    while at != -1:
        if data[at - 1] in (0x20, 0x09):
            return True
        at = data.find(b"#", at + 1)
    return False


def _front(data: bytes) -> bytes:
    """The front matter of the article file ``data``, its line breaks ``\\n`` (old Mac
    ones, ``\\r``, too): up to its closing ``---`` or ``...`` line, as Jekyll's (a body's
    line may begin as a key does), or the whole file when there is none."""
    if b"\r" in data:  # (memchr: a file of \n alone is taken as it is)
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    end = data.find(b"\n---", 3)
    end = len(data) if end < 0 else end
    dots = data.find(b"\n...", 3, end)  # (above the ---: the front matter alone searched)
    while dots >= 0:
        stop = data.find(b"\n", dots + 1)
        if not data[dots + 4 : len(data) if stop < 0 else stop].strip(b" \t"):
            return data[:dots]
        dots = data.find(b"\n...", dots + 1, end)
    return data[:end]


def _line(front: bytes, key: str) -> bytes:
    """The first line of ``front`` (:func:`_front`) that begins with the key ``key`` (a
    line break before it: not the file's first line, which is ``---``), or b""."""
    at = front.find(b"\n" + key.encode() + b":") + 1
    if at == 0:
        return b""
    stop = front.find(b"\n", at)
    return front[at : stop if stop >= 0 else len(front)]


#: The line of a top-level key as YAML writes it too: quoted, a space before its colon.
_KEY_FORMS = {key: re.compile(rb"\n(?:%s|\"%s\"|'%s')[ \t]*:" % ((key.encode(),) * 3))
              for key in ("title", "excerpt")}  # fmt: skip


def _comment_line(front: bytes, key: str, text: bool) -> int | None:
    """Where YAML reads a comment in the value of the top-level key ``key`` of ``front``
    (:func:`_front`), cutting it: the line, counted from the key's (0); else None. The
    key as it is mostly written (``title:``) is found by one search, as YAML writes it
    too (``"title":``, ``title :``) by a second. When the value is a plain ``text``,
    its lines below, indented, go on it (``title:`` then ``  Microsoft is #1``): a ``#``
    after white space in them cuts it too. One pass over the lines it reads."""
    at = front.find(b"\n" + key.encode() + b":") + 1
    if at == 0:
        if (m := _KEY_FORMS[key].search(front)) is None:
            return None
        at = m.start() + 1
    stop = front.find(b"\n", at)
    line = front[at : stop if stop >= 0 else len(front)]
    rest = line.partition(b":")[2].strip(b" \t")
    # (a comment right after the key, "title:  # c", cuts nothing when the text is on
    # the lines below: then it is read there)
    if b"#" in line and not (text and rest[:1] == b"#") and _cut_by_comment(line):
        return 0
    if not text or rest[:1] in (b'"', b"'", b"|", b">"):  # (its own lines: not read)
        return None
    if rest[:1] == b"#":
        rest = b""  # (the text begins below)
    n = 0
    while stop >= 0:  # (a plain value: its lines below, indented)
        start, stop = stop + 1, front.find(b"\n", stop + 1)
        line, n = front[start : stop if stop >= 0 else len(front)], n + 1
        value = line.lstrip(b" \t")
        if not value:  # (a blank line: a line break in the value)
            continue
        if len(value) == len(line):  # (not indented: the next key)
            return None
        if not rest:  # (the value begins on this line)
            if value[:1] == b"#":  # (a comment before it)
                continue
            if value[:1] in (b'"', b"'", b"|", b">"):
                return None
            rest = value
        if value[:1] == b"#":  # (a comment's line ends the text: "#1 in AI" reads as
            # the headline's own words, cut; "# a note" as a comment, cutting nothing)
            return n if value[1:2] not in (b" ", b"\t", b"") else None
        if (b" #" in value or b"\t#" in value) and _words_cut(value):
            return n
    return None


def _cut_by_comment(line: bytes) -> bool:
    """Whether YAML reads a comment after the value of the key line ``line``: from a
    ``#`` after white space, past a quoted value (``title: Microsoft is #1`` is
    "Microsoft is"; ``title: #1 app``, nothing; ``title: "Barbie" #1 …``, "Barbie").
    Linear in the line (a regular expression of it was quadratic on a hostile one)."""
    value = line.partition(b":")[2]
    rest = value.lstrip(b" \t")
    if not rest or len(rest) == len(value):  # (no value, or none after a space)
        return False
    if rest[:1] == b"#":
        return True
    if rest[:1] in (b'"', b"'"):
        quote, at = rest[:1], 1
        while (at := rest.find(quote, at)) != -1:  # its closing quote
            slashes = 0  # (before it: an odd number escape it)
            while quote == b'"' and rest[at - 1 - slashes] == 0x5C:  # (a backslash)
                slashes += 1
            if slashes % 2:
                at += 1  # (an escaped \")
            elif quote == b"'" and rest[at + 1 : at + 2] == b"'":
                at += 2  # ('' is one ')
            else:  # (after the quote, a comment that reads as the headline's own words,
                # "Barbie" #1 at the box office; not one written as a comment, "# short")
                after = rest[at + 1 :]
                comment = after.lstrip(b" \t")
                return (comment[:1] == b"#" and after[:1] in (b" ", b"\t")
                        and comment[1:2] not in (b" ", b"\t", b""))  # fmt: skip
        return False
    if rest[:1] in (b"|", b">"):  # a block's text: on the lines below
        return False
    return _words_cut(rest)


def _words_cut(text: bytes) -> bool:
    """Whether a comment YAML reads in the plain text ``text`` (from a ``#`` after white
    space) takes what reads as the text's own words (``#1``, ``#MeToo``): not one
    written as a comment, a ``#`` then a space or nothing (``# TODO``). (Each ``#``
    looked at once.)"""
    at = text.find(b"#", 1)
    while at != -1:
        if text[at - 1 : at] in (b" ", b"\t"):
            return text[at + 1 : at + 2] not in (b" ", b"\t", b"")
        at = text.find(b"#", at + 1)
    return False


#: A comma that parts topics written as one text: ", ", or "," but between two digits
#: (``Azure,AI``; ``10,000 steps`` is one topic, its number's comma).
_COMMA = re.compile(r",(?:\s|(?!\d)|(?<!\d,))")

#: The dash of a list's item that YAML folded into the text of the item above.
_DASH = re.compile(r"\s-[ \t]")


def _folds(data: bytes) -> frozenset[str]:
    """The items of the lists of the front matter of ``data`` that YAML folds a line
    ``- …`` into: an item's plain text goes on over the lines below it indented deeper
    than its dash, a ``- B`` among them too (``- A`` then ``  - B``: one item, "A - B";
    also when the text above is wrapped, ``- Azure`` then ``  cloud`` then ``  - AI``,
    "Azure cloud - AI", or holds " - " itself). Each as :func:`_spaced` writes it: its
    white space one space, as YAML folds its lines. (One pass over the lines: a line
    that goes on an item's text starts no item of its own.)"""
    text = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    folds: set[str] = set()
    column, parts, folded = -1, [], False  # (the item read: its dash's column, its lines)
    for line in _front_matter_lines(text):
        written = line.lstrip(" \t")
        if not written:
            continue  # (a blank line: a line break in the text, or none)
        indent = len(line) - len(written)
        if column >= 0 and indent > column:  # (the item's text goes on)
            parts.append(written)
            folded = folded or (written[:1] == "-" and written[1:2] in (" ", "\t"))
            continue
        if folded:
            folds.add(_spaced(" ".join(parts)))
        column, parts, folded = -1, [], False
        if (item := _item(line)) is not None and item[1][:1] not in _NOT_PLAIN:
            column, parts = item[0], [item[1]]
    if folded:
        folds.add(_spaced(" ".join(parts)))
    return frozenset(folds)


#: What begins an item YAML does not read as a plain text (quoted, a block, a list or
#: a mapping written in brackets, an anchor, an alias, a tag, a comment).
_NOT_PLAIN = "\"'|>[{&*!#"


def _spaced(text: str) -> str:
    """``text``, each run of white space in it one space."""
    return " ".join(text.split())


def _item(line: str) -> tuple[int, str] | None:
    """A list item's line (``  - AI``, a tab in place of a space as well): its dash's
    column, and its text; else None."""
    text = line.lstrip(" \t")
    if text[:1] == "-" and text[1:2] in (" ", "\t"):
        return len(line) - len(text), text[2:].strip(" \t")
    return None


#: The keys whose value is a mapping or a list, what it is, and its type.
_SHAPES = (
    ("provider", "a provider is a mapping: name: and domain: on the lines below, indented",
     dict),
    ("images", "images are a list: each image a '- url: …' line below, indented", list),
    ("related", "related coverage is a list: each item a '- title: …' line below, "
     "indented, with its webUrl", list),
)  # fmt: skip


def _kind(value: object) -> str:
    """What YAML made of ``value``, in words."""
    if isinstance(value, bool):
        return "true or false"
    return {str: "text", int: "a number", float: "a number", list: "a list",
            dict: "a mapping"}.get(type(value), "no text")  # fmt: skip


def _means_true(value: object) -> bool:
    if isinstance(value, str):
        return value.strip(" \t\u00a0\u3000").casefold() in _MEANT_TRUE
    return not isinstance(value, bool) and isinstance(value, int | float) and value == 1


def _misspelt(key: str) -> str | None:
    """The key of the format ``key`` is most likely a misspelling of: the same but for
    case, or (five letters and more) one letter added, left out, changed or two swapped
    (a site's own keys may be two letters from one: not told); else None."""
    if len(key) > _LONGEST + 1:  # (none so near: and a long key is not kept below)
        return None
    return _weighed(key)


@functools.lru_cache(maxsize=1024)  # a corpus has a few keys of its own, in every file
def _weighed(key: str) -> str | None:
    return likely_meant(key, KNOWN_KEYS, within=1 if len(key) >= 5 else 0)


#: The longest key of the format.
_LONGEST = max(map(len, KNOWN_KEYS))


def _said(value: object, quoted: bool = True) -> str:
    """``value`` as a notice quotes it: as Python writes it (``'true'``), or as it is,
    cut at 60 characters, every character that is not printable escaped (nothing from
    a file reaches the terminal as a control)."""
    text = repr(value) if quoted else str(value)
    return shown_text(cut(text, 60))


def hidden_copy(path: str, data: bytes, by: str) -> Notice:
    """The notice of the published article file ``path`` (its bytes ``data``) that ``by``
    hides: the same URL, the same date and other bytes, so the first of the two by path
    is published (see :func:`feedpub.select.visible`), whichever holds the edits (a file
    copied to move it, then edited: the edits reached no feed, without a word)."""
    line = _lines_of_keys(data, {"publishedDateTime"}).get("publishedDateTime", 1)
    return Notice(path, line, f"hidden by {shown_path(by)}: the same URL and the same "
                  "publishedDateTime, other content: this file is not published (of the "
                  "two, the first by path is); delete the one out of date, or date the "
                  "newer one later")  # fmt: skip


def dropped_url(path: str, data: bytes, drops: tuple[tuple[str, object], ...]) -> list[Notice]:
    """The notices of the URLs the article file ``path`` (its bytes ``data``) gives and
    its feeds leave out, ``drops`` (:attr:`feedpub.model.Article.dropped`), each at the
    line of its value: the first line from its top-level key's on (or else from the
    file's start) that holds it, as written or escaped, and its key (``url``), each
    line taken once for each time it holds it; else its top-level key's line."""
    text = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    lines = _front_matter_lines(text)
    # (no key written plainly: each quoted, as JSON front matter has them)
    keys = _key_lines(lines) or _lines_of_keys(data, None)
    used: dict[int, int] = {}  # (line index: how many values already found on it)
    out = []
    for where, value in drops[:_DROPS_TOLD]:
        top, leaf = where.split("[", 1)[0].split(".", 1)[0], where.rsplit(".", 1)[-1]
        leaf = "domain" if leaf.endswith("provider") else leaf  # (its domain's line)
        start = keys.get(top, 1) - 1
        repeated = value if isinstance(value, Repeated) else None
        if repeated is not None:  # (the URL it repeats written as often before it)
            value = repeated.text
        text = value if isinstance(value, str) else str(value)
        at = None  # (as written, else as YAML escapes it in double quotes: "\x01java…", or
        # JSON as PHP's json_encode writes it, each / escaped: "https:\/\/e.com\/a")
        escaped = json.dumps(text)[1:-1]
        forms = tuple(dict.fromkeys((text, repr(text)[1:-1], escaped, escaped.replace("/", "\\/"))))
        order = list(itertools.chain(range(start, len(lines)), range(start)))
        # the whole value of a "url:" line first (/img/a.jpg is in an earlier line's
        # https://x/img/a.jpg), then one anywhere in a line (a flow mapping's)
        if not isinstance(value, str):  # (a title YAML read as no text: the line whose
            # value YAML reads so, 1917 or yes, not "1917" quoted, which is text)
            at = next((n for n in order if n not in used
                       and _reads_as(_value_after(lines[n], leaf, raw=True), value)), None)  # fmt: skip
            forms = ()
        elif repeated is not None:
            at, forms = _repeat_line(lines[start:], leaf, forms, repeated.before), ()
            at = None if at is None else start + at
        else:
            at = next((n for n in order
                       if n not in used and _value_after(lines[n], leaf) in forms), None)  # fmt: skip
        for sought in forms if at is None else ():
            at = next((n for n in order
                       if leaf in lines[n] and lines[n].count(sought) > used.get(n, 0)), None)  # fmt: skip
            if at is not None:
                break
        if at is not None:
            used[at] = used.get(at, 0) + 1
        line = at + 1 if at is not None else start + 1
        said = (
            _repeat_said(where, text, repeated)
            if repeated
            else _dropped_said(where, top, text, value)
        )
        out.append(Notice(path, line, said))
    if len(drops) > _DROPS_TOLD:  # (each sought over the lines: a hundred in a big file
        # took seconds)
        out.append(Notice(path, out[-1].line, f"and {counted(len(drops) - _DROPS_TOLD, 'more URL', 'more URLs')} "
                          "left out of the feeds, as above"))  # fmt: skip
    return out


def _dropped_said(where: str, top: str, text: str, value: object) -> str:
    """What :func:`dropped_url` says of the URL ``text`` at ``where`` (under the key
    ``top``): why it is left out, as an article's own ``webUrl`` is told when refused
    for what it holds (:func:`feedpub.sanitize.url_refusal`: a user name or password,
    an IPv6 address, a port, a character in the host), with what to write; a password
    in it never said back (the build's output may go to a CI log or cron's mail)."""
    shown = shown_text(cut(masked_url(text), 60))
    what = "the picture" if top == "images" else "the related item"
    if where.endswith(("provider", "provider.domain")) and not isinstance(value, str):
        # (domain: 123, a list, a date: what YAML reads as no text)
        kind, fix = _KINDS_OF_VALUE[type(value)], "write the site's domain (cnet.com)"
        if where.endswith("provider.domain"):
            return (f"{where} is {kind} to YAML, not text: the feeds give the provider no "
                    f"link (Atom's author uri, JSON Feed's author url); {fix}")  # fmt: skip
        whose = "the article" if where == "provider" else "the related item"
        return (f"{where}: its domain is {kind} to YAML, not text, and it has no name: "
                f"{whose} names no provider in the feeds; {fix}")  # fmt: skip
    if where.endswith("provider.domain"):  # (a named provider's: see read_domain)
        return (f"{where} {_said(masked_url(text))} is no domain name: the feeds give the "
                f"provider no link (Atom's author uri, JSON Feed's author url); "
                f"{shown_text(read_domain(text)[1])}")  # fmt: skip
    if where.endswith("provider"):  # (one with no name, whose domain stands in for one)
        whose = "the article" if where == "provider" else "the related item"
        return (f"{where}: its domain {_said(masked_url(text))} is no domain name, and it "
                f"has no name: {whose} names no provider in the feeds; "
                f"{shown_text(read_domain(text)[1])}")  # fmt: skip
    if where.endswith(".title") and (value is None or isinstance(value, str)):
        return (f"{where} is {'not given' if value is None else 'empty to a reader'}: the "
                "related item is left out of the feeds, a link with no words; write its "
                "headline")  # fmt: skip
    if where.endswith(".title"):  # (a title YAML read as no text: see dropped_urls)
        return (f"{where} is {_KINDS_OF_VALUE[type(value)]} to YAML, not text: "
                f"{what} is left out of the feeds; put the title in double quotes")  # fmt: skip
    if why := url_refusal(text):
        return f"{where} {shown}: {what} is left out of the feeds, as the URL {shown_text(why)}"
    clean = clean_url(text)
    if top == "images" and clean and not _IMAGE_URL.match(clean):
        return (f"{where} {shown} is on a host a feed may not name (a domain name is, "
                "cdn.example.com): the picture is left out of the feeds")  # fmt: skip
    return (f"{where} {shown} is not an absolute http(s) URL: {what} is left out of the "
            "feeds; write the whole URL, https://…")  # fmt: skip


def _repeat_line(lines: list[str], leaf: str, forms: tuple[str, ...], before: int) -> int | None:
    """The index in ``lines`` (its related items' from the first) of the line of a URL
    (in one of its ``forms``) that ``before`` items write before it, the items it
    repeats: each ``leaf: URL`` counted where it stands, the whole value of a line or in
    a flow mapping (JSON's), in the order written (a block item after a flow one was
    taken for the one before it); never the article's own URL above, which it may
    repeat."""
    values = "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
    pair = re.compile(rf"""(?<![\w-])["']?{re.escape(leaf)}["']?[ \t]*:[ \t]*["']?"""
                      rf"""(?:{values})(?=["']|[ \t]*(?:[,}}\]#]|\Z))""")  # fmt: skip
    seen = 0
    for n, line in enumerate(lines):
        for _ in pair.finditer(line) if leaf in line else ():
            if (seen := seen + 1) > before:  # (a long line of JSON read only so far)
                return n
    return None


def _repeat_said(where: str, text: str, repeated: Repeated) -> str:
    """What :func:`dropped_url` says of a related item left out for the link it repeats,
    its URL ``text`` as written: a link to the article itself, or one twice."""
    shown = shown_text(cut(masked_url(text), 60))
    if (clean := clean_url(text)) and clean != text:  # (…/a# and …/a: one link)
        shown += f" ({shown_text(cut(masked_url(clean), 60))} in the feeds)"
    if repeated.of.startswith("related["):
        return (f"{where} {shown} is the link of {repeated.of} too: the related item is left "
                "out of the feeds (a reader would see one link twice); remove one of them")  # fmt: skip
    return (f"{where} {shown} is the article's own URL ({repeated.of}): the related item is "
            "left out of the feeds (a reader would see the article link to itself); remove "
            "it, or give the related story's own URL")  # fmt: skip


def _value_after(line: str, key: str, raw: bool = False) -> str | None:
    """The value of ``key:`` (or JSON's ``"key":``, a comma after it) on ``line`` (after a
    list's dash), its quotes taken off (unless ``raw``); None when the line is not that
    key's."""
    item = line.lstrip(" ").removeprefix("- ").lstrip(" ")
    if item.startswith(f'"{key}":'):  # (as JSON front matter writes it: "webUrl": 5,)
        value = item[len(key) + 3 :].strip(" \t").removesuffix(",").rstrip(" \t")
    elif item.startswith(f"{key}:"):
        value = item[len(key) + 1 :].strip(" \t")
    else:
        return None
    if not raw and len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value


#: Where a comment begins after a plain value: a ``#`` after a space or a tab, and they.
_COMMENT = re.compile(r"[ \t]+#")


def _reads_as(written: str | None, value: object) -> bool:
    """Whether YAML reads the one-line value ``written`` as ``value`` (of its type)."""
    if not written or written[0] in _NOT_PLAIN:
        return False
    try:  # (a comment after spaces or a tab: none of them the value's)
        read = _scalar(_COMMENT.split(written, maxsplit=1)[0])
    except _Fallback:
        return False
    return type(read) is type(value) and read == value


#: The most URLs a file is told of one by one (:func:`dropped_url`).
_DROPS_TOLD = 10
