"""HTML that the sanitiser would give back unchanged, recognised without parsing it:
a fast path, like :mod:`feedpub.fastyaml`, for :func:`feedpub.sanitize.sanitize` and
:func:`feedpub.sanitize.html_findings`.

nh3 (ammonia, on html5ever) parses a fragment and writes it again in one canonical
form: text escaped as ``&amp; &lt; &gt; &nbsp;``, attribute values double-quoted and
escaped as those and ``&quot;``, ``rel="noopener noreferrer"`` after the attributes
of every link. The body :func:`feedpub.formats.items.content_html` builds for an item
is written in that form, so the sanitiser would change nothing, and the check of the
feed, which parses it again with lxml, would find nothing.

:func:`canonical` says so without either parse, for a fragment that is *plainly*
that form: only the elements and attributes of the allowlist, nested as an HTML
parser keeps them (no element an HTML parser would close, move or reopen), every
element closed, no character an HTML parser changes or a reader may trip on, and
link and image URLs that the sanitiser's URL parser surely accepts. Anything else
(None) goes to nh3 and lxml as before; ``tests/test_fasthtml.py`` checks, on the
benchmark corpus and on generated fragments, that whatever is recognised is what
nh3 gives back and that lxml finds in it what :func:`canonical` reports.
"""

from __future__ import annotations

import functools
import html
import re

LINK_REL = ' rel="noopener noreferrer"'

#: Characters a parser changes (NUL, CR), ones html5ever writes as a reference
#: (U+00A0) and ones this recogniser leaves to the parsers: other controls, C1,
#: surrogates, non-characters of the BMP.
_ODD = "\x00-\x08\x0b-\x1f\x7f-\xa0\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
_TEXT = f"(?:[^<>&{_ODD}]++|&(?:amp|lt|gt|nbsp);)++"
_VALUE = f'(?:[^<>&"{_ODD}]++|&(?:amp|lt|gt|quot|nbsp);)*+'
_IMG = f'<img src="{_VALUE}" alt="{_VALUE}"(?: width="{_VALUE}")?+(?: height="{_VALUE}")?+>'
_LINK = f'<a href="{_VALUE}"{LINK_REL}>(?:{_TEXT})?+</a>'
_TIME = f'<time datetime="{_VALUE}">(?:{_TEXT})?+</time>'
#: The shapes of the bodies content_html writes, and only elements and attributes
#: of the sanitiser's allowlist (tests/test_fasthtml.py checks both), each holding
#: only what an HTML parser leaves where it is: text, images, links and line breaks
#: in a paragraph, text in a heading, items in a list, text, links and small print in
#: an item, text and times in small print; a line break between two blocks and around
#: a list's items, as content_html writes them (white space there, which an HTML parser
#: keeps as it is and does not show).
_BODY = re.compile(
    f"(?:(?:<p>(?:{_TEXT}|{_IMG}|{_LINK}|<br>)*+</p>"
    f"|<h3>(?:{_TEXT})?+</h3>"
    f"|<ul>(?:\n?+<li>(?:{_TEXT}|{_LINK}|<small>(?:{_TEXT}|{_TIME})*+</small>)*+</li>)*+\n?+</ul>)"
    "(?:\n(?=<))?+)*+"
)
#: Each URL attribute of such a body, and its value.
_URL_ATTR = re.compile(f' (href|src)="({_VALUE})"')
#: A URL every WHATWG URL parser accepts as it is: http(s), a lower-case host of
#: non-empty ASCII labels whose last starts with a letter (never taken for an IPv4
#: address) and no label in punycode, no port or user, then printable ASCII only.
_URL = re.compile(r"https?://(?:(?!xn--)[a-z0-9-]+\.)*(?!xn--)[a-z][a-z0-9-]*\.?(?:[/?#][!-~]*)?\Z")
#: The elements and attributes the shapes above use.
ELEMENTS = frozenset({"p", "img", "a", "h3", "ul", "li", "small", "time", "br"})
ATTRIBUTES = frozenset({"src", "alt", "width", "height", "href", "rel", "datetime"})


#: An item's body is recognised when it is sanitised (each shown article's, as its entry is
#: written), then when its entries are checked: after every entry of a chunk is written
#: (:func:`feedpub.formats.xmlparts.prove`), and a serial build's chunk is every article
#: it shows. Kept for 8,192 bodies (a few KB each), not 1,024: a serial build of 4,177
#: recognised each twice (the check's 15 us a body again).
@functools.lru_cache(maxsize=8192)
def canonical(fragment: str) -> tuple[tuple[str, str], ...] | None:
    """The URL attributes (``href``, ``src``) of ``fragment``, their values unescaped,
    when the fragment is plainly what the sanitiser gives back unchanged; else None.
    Nothing else in such a fragment can break a rule of the checks: no element or
    attribute of it is forbidden."""
    if not _BODY.fullmatch(fragment):
        return None
    urls = tuple((k, html.unescape(v) if "&" in v else v) for k, v in _URL_ATTR.findall(fragment))
    return urls if all(_URL.match(v) for _, v in urls) else None
