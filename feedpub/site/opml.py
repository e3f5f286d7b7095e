"""Every feed of the config -> ``feeds.opml``, an OPML 2.0 subscription list.

One ``<outline type="rss">`` per feed (``type="rss"`` whatever the format, as
OPML 2.0 asks), in config order: a reader that imports the list subscribes to
each feed once. Its ``xmlUrl`` is the feed's file in the format most readers
take (:func:`subscription_format`: RSS 2.0, else Atom, else JSON Feed); the other
formats are listed on ``index.html``. ``dateCreated`` and ``dateModified`` are
the date of the newest item of any feed (never the clock), so an unchanged site
gives the same bytes.

:func:`check_opml` reads the bytes back and checks what OPML 2.0 requires
(http://opml.org/spec2.opml): ``<opml version="2.0">`` with one ``<head>`` and
one ``<body>``, at least one outline, ``text`` on every outline, ``xmlUrl`` on
every ``type="rss"`` outline, a ``version`` the spec names, RFC 822 dates; and
that no feed URL is listed twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lxml import etree

from ..config import Config
from ..formats import FORMATS, RSS
from ..formats.items import rfc822
from ..formats.xmlcheck import parse_rfc822
from ..sanitize import hardened_parser, is_absolute

FILENAME = "feeds.opml"
CONTENT_TYPE = "text/x-opml"
#: The outline ``version`` OPML gives a format: OPML 2.0 names "RSS1 for RSS 1.0; RSS
#: for 0.91, 0.92 or 2.0; scriptingNews", and none for Atom or JSON Feed (left out).
_VERSIONS = {RSS.name: "RSS"}
#: Every ``version`` OPML 2.0 names.
_KNOWN_VERSIONS = frozenset({"RSS1", "RSS", "scriptingNews"})
#: The formats in the order readers take them (the registry's: RSS 2.0 is read by
#: every reader, Atom by nearly every one, JSON Feed by fewer; newsboat reads none).
_ORDER = list(FORMATS)


def subscription_format(formats: Sequence[str]) -> str:
    """The one format of a feed its OPML outline subscribes to."""
    return min(formats, key=_ORDER.index)


def render_opml(config: Config, updated: datetime) -> bytes:
    """The OPML bytes for every feed of ``config``; ``updated`` is the newest item's date."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = config.labels.said("page_title", site=config.title)
    etree.SubElement(head, "dateCreated").text = rfc822(updated)
    etree.SubElement(head, "dateModified").text = rfc822(updated)
    if config.owner:
        etree.SubElement(head, "ownerName").text = config.owner
    # no <docs>: optional in OPML 2.0, and the W3C validator (OPML 1.0) flags it
    body = etree.SubElement(root, "body")
    for feed in config.feeds:
        description = feed.description or config.description or feed.title  # as in the feeds
        fmt = subscription_format(feed.formats)
        attrs = {
            "type": "rss",
            "text": feed.title,
            "title": feed.title,
            "xmlUrl": config.feed_url(feed.slug, fmt),
            "htmlUrl": config.link,
            "description": description,
            "language": config.language,
            "version": _VERSIONS.get(fmt, ""),
        }
        etree.SubElement(body, "outline", {k: v for k, v in attrs.items() if v})
    data: bytes = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    return data


def check_opml(data: bytes) -> list[str]:
    """What keeps ``data`` from being a well-formed OPML 2.0 subscription list."""
    try:
        tree = etree.fromstring(data, hardened_parser()).getroottree()
    except etree.XMLSyntaxError as e:
        return [f"line {e.lineno or 1}: not well-formed XML: {e.msg}"]
    if tree.docinfo.doctype:  # type: ignore[union-attr]
        return ["line 1: a DOCTYPE is not allowed"]
    root: Any = tree.getroot()
    problems: list[str] = []
    if root.tag != "opml" or root.get("version") != "2.0":
        return [f'line {root.sourceline}: root must be <opml version="2.0">']
    for tag in ("head", "body"):
        if len(root.findall(tag)) != 1:
            problems.append(f"line {root.sourceline}: <opml> needs exactly one <{tag}>")
    head = root.find("head")
    for tag in ("dateCreated", "dateModified"):
        el = head.find(tag) if head is not None else None
        if el is not None and not _is_rfc822(el.text):
            problems.append(f"line {el.sourceline}: {tag} is not an RFC 822 date: {el.text!r}")
    outlines = root.findall("body/outline")
    if root.find("body") is not None and not outlines:
        problems.append("body has no outline")
    listed: dict[str, int] = {}  # xmlUrl -> the line of its first outline
    for el in root.iter("outline"):
        line = el.sourceline
        if not (el.get("text") or "").strip():
            problems.append(f"line {line}: outline without a text attribute")
        if el.get("type") == "rss":
            url = el.get("xmlUrl")
            if not url:
                problems.append(f'line {line}: outline type="rss" without xmlUrl')
            elif not is_absolute(url):
                problems.append(f"line {line}: xmlUrl is not an absolute http(s) URL: {url!r}")
            elif url in listed:
                problems.append(f"line {line}: {url} is listed twice (first on line {listed[url]})")
            else:
                listed[url] = line
            version = el.get("version")
            if version is not None and version not in _KNOWN_VERSIONS:
                problems.append(f"line {line}: version {version!r} is none of OPML 2.0's: "
                                f"{', '.join(sorted(_KNOWN_VERSIONS))}")  # fmt: skip
            html_url = el.get("htmlUrl")
            if html_url is not None and not is_absolute(html_url):
                problems.append(f"line {line}: htmlUrl is not absolute http(s): {html_url!r}")
    return problems


def _is_rfc822(text: str | None) -> bool:
    when = parse_rfc822(text, unknown=None)
    return when is not None and when.tzinfo is not None
