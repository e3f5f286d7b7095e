"""What the checks of every format share: HTML content held to the rules of
:mod:`feedpub.sanitize`, dates, and the order problems are reported in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from ..sanitize import html_findings
from . import Problem


def ordered(problems: Iterable[Problem]) -> list[Problem]:
    """Each problem once, by line, rule and message."""
    return sorted(set(problems), key=lambda p: (p.line, p.rule, p.message))


def html_problems(line: int, text: str | None, item: str) -> list[Problem] | tuple[()]:
    """Forbidden markup, handlers, styles and non-http(s) or relative URLs in HTML content
    (a list made only where there is one: this runs for every item of every feed)."""
    if not text or "<" not in text or not (found := html_findings(text)):
        return ()
    return [Problem(line, rule, message, item) for rule, message in found]


def is_future(when: datetime | None, now: datetime | None) -> bool:
    """Later than ``now``, in whole seconds (an Atom ``updated`` carries a fraction of
    its article's second: see :func:`feedpub.formats.items.entry_updated`)."""
    # (one not later with its fraction is not without it: nearly every date, tested
    # without a datetime made)
    return now is not None and when is not None and when > now and when.replace(microsecond=0) > now


def future_said(when: datetime, fraction: bool = False) -> str:
    """The problem of an item dated ``when``, after now: the moment in UTC
    (``2027-01-01T04:00:00Z`` for ``Thu, 31 Dec 2026 23:00:00 -0500``); one that is past
    the year 9999 in UTC, which Python's datetime does not hold (``Fri, 31 Dec 9999
    23:00:00 -1400``), said so, as written. With ``fraction``, its fraction of a second
    too, when it has one (as RFC 3339 writes it: JSON Feed's dates)."""
    try:
        utc = when.astimezone(UTC)
    except OverflowError:
        return f"dated in the future ({when.isoformat()}: in UTC, past the year 9999)"
    said = utc.isoformat()[:-6] + "Z" if fraction else f"{utc:%Y-%m-%dT%H:%M:%SZ}"
    return f"dated in the future ({said})"


def parse_rfc3339(text: str | None, lower_case: bool = False) -> datetime | None:
    """A date as ``datetime.fromisoformat`` reads it (RFC 3339, and more), when it has an
    offset; else None. With ``lower_case``, RFC 3339's lower-case ``t`` and ``z`` too
    (5.6: JSON Feed's dates take them; an Atom date may not have them, RFC 4287 3.3)."""
    text = (text or "").strip()
    try:
        dt = datetime.fromisoformat(text.upper() if lower_case else text)
    except ValueError:
        return None
    return dt if dt.tzinfo else None
