"""What the checks of every format share: HTML content held to the rules of
:mod:`feedpub.sanitize`, dates, and the order problems are reported in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from ..sanitize import html_findings
from . import Problem


def ordered(problems: Iterable[Problem]) -> list[Problem]:
    """Each problem once, by line, rule and message."""
    return sorted(set(problems), key=lambda p: (p.line, p.rule, p.message))


def html_problems(line: int, text: str | None, item: str) -> Iterator[Problem]:
    """Forbidden markup, handlers, styles and non-http(s) or relative URLs in HTML content."""
    if not text or "<" not in text:
        return
    for rule, message in html_findings(text):
        yield Problem(line, rule, message, item)


def is_future(when: datetime | None, now: datetime | None) -> bool:
    """Later than ``now``, in whole seconds (an Atom ``updated`` carries a fraction of
    its article's second: see :func:`feedpub.formats.items.entry_updated`)."""
    return now is not None and when is not None and when.replace(microsecond=0) > now


def parse_rfc3339(text: str | None) -> datetime | None:
    """A date as ``datetime.fromisoformat`` reads it (RFC 3339, and more), when it has an
    offset; else None."""
    try:
        dt = datetime.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return dt if dt.tzinfo else None
