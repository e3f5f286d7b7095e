"""The output formats, in one registry: what each is called, its media type, how a
document is rendered in it and how its bytes are checked.

The rest of feedpub names a format only through this module. Rendering and
checking pull in feedgen, nh3, jsonschema and the schemas: they are imported
when something is rendered or checked, so that a build with nothing to do stays
quick.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..archive import Document
    from ..config import Config, FeedConfig
    from ..model import Article
    from ..validate import Problem


@dataclass(frozen=True, slots=True)
class Format:
    """One output format: ``name`` is its value in ``formats = [...]`` and the
    extension of its files; ``label`` is how people call it."""

    name: str
    label: str
    content_type: str


RSS = Format("rss", "RSS", "application/rss+xml")
ATOM = Format("atom", "Atom", "application/atom+xml")
JSON = Format("json", "JSON Feed", "application/feed+json")
#: Every format, in the order readers take them best: every reader takes RSS 2.0,
#: nearly all Atom, far fewer JSON Feed (``feeds.opml`` subscribes to the first a
#: feed has).
FORMATS: dict[str, Format] = {f.name: f for f in (RSS, ATOM, JSON)}


def render(
    config: Config,
    feed: FeedConfig,
    items: Sequence[Article],
    fmts: Sequence[str],
    doc: Document[Any] | None = None,
) -> dict[str, bytes]:
    """The bytes of one document of ``feed`` (by default its subscription document)
    holding ``items`` in the order given, in each of ``fmts``."""
    out: dict[str, bytes] = {}
    xml = [f for f in fmts if f != JSON.name]
    if xml:
        from ..render import render_formats

        out.update(render_formats(config, feed, items, xml, doc))
    if JSON.name in fmts:
        from ..jsonfeed import render_json

        out[JSON.name] = render_json(config, feed, items, JSON.name, doc)
    return {f: out[f] for f in fmts}


def check(data: bytes, now: datetime | None = None) -> tuple[str | None, list[Problem]]:
    """The format of a document's bytes (None when it is none of ours) and what is
    wrong with it, each problem with its line."""
    from ..validate import validate_bytes

    return validate_bytes(data, now)
