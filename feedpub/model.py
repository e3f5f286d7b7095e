"""The shapes every stage hands to the next: an article file found (SourceFile), an
article whole (Article) or as selection needs it (Summary), and what the feeds page
shows of it (Headline).

Invariants, established by :mod:`feedpub.articles` and relied on everywhere else:

- every datetime is timezone-aware UTC with no microseconds;
- every string is clean: no character XML 1.0 forbids, mojibake repaired,
  surrounding whitespace removed (titles also have inner runs collapsed);
- every URL is an absolute http(s) URL with HTML entities decoded;
- ``secured`` never reaches this module.

The ``raw_`` fields are the exception: what no output shows (a related item's excerpt
and images, a provider's images) is kept as the front matter holds it, and a property
gives it clean, as the rest is, when it is read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any, NamedTuple


class SourceFile(NamedTuple):
    """An article file found by the content globs (a named tuple: a build lists a
    hundred thousand)."""

    path: str  # relative to the config folder, POSIX form: the name shown to users
    abspath: str
    size: int
    mtime_ns: int


class Summary(NamedTuple):
    """What selection needs of an article, kept in the cache instead of the Article
    (which is parsed again from its file when a feed shows it).

    A named tuple, not a dataclass: a build holds and sends a hundred thousand.
    """

    path: str
    url: str
    published: bool
    published_at: datetime
    topics: tuple[str, ...]
    quality: float | None
    digest: str


@dataclass(frozen=True, slots=True)
class Image:
    """A picture: ``width`` / ``height`` in pixels when the source gives them."""

    url: str
    width: int | None = None
    height: int | None = None
    title: str = ""


@dataclass(frozen=True, slots=True)
class Provider:
    """Who published the article: ``domain`` is a bare host name such as ``cnet.com``.
    No feed shows its logo (only :meth:`Article.to_dict`): the front matter's
    ``images`` are kept as they are (``raw_images``) and cleaned when :attr:`logo` is
    asked for."""

    name: str
    domain: str = ""
    raw_images: object = field(default=None, hash=False)

    @property
    def logo(self) -> str | None:
        """The URL of the first usable image, clean as an article's images are."""
        from .articles import first_image

        image = first_image(self.raw_images)
        return image.url if image else None


@dataclass(frozen=True, slots=True)
class Related:
    """Other coverage of the same story.

    No feed shows its excerpt or its image (only :meth:`Article.to_dict` gives them):
    they are kept as the front matter's item holds them (``raw_excerpt``,
    ``raw_images``) and cleaned when asked for (:attr:`excerpt`, :attr:`image`), not
    for every article a build shows (a sixth of the time it took to build one)."""

    title: str
    url: str
    provider: str = ""
    published_at: datetime | None = None
    raw_excerpt: object = field(default=None, hash=False)
    raw_images: object = field(default=None, hash=False)
    #: the day of ``published_at`` in the site's time zone, where it is not its UTC day
    #: (what a feed shows beside the link: 2024-05-20 in Berlin is 2024-05-19T22:00Z)
    local_date: date | None = None

    @property
    def excerpt(self) -> str:
        """The excerpt, clean as every plain text is (see :mod:`feedpub.articles`)."""
        from .articles import related_excerpt

        return related_excerpt(self.raw_excerpt)

    @property
    def image(self) -> Image | None:
        """The first usable image, clean as an article's images are."""
        from .articles import first_image

        return first_image(self.raw_images)


@dataclass(frozen=True, slots=True)
class Article:
    """One article file, normalised.

    ``path`` is the source file relative to the config folder (POSIX form); it is
    the stable tiebreak between articles with the same date. ``url`` comes from
    ``webUrl``, else ``originalUrl``; it is the article's identity in every feed.
    ``dropped``: what the file gave that no feed can carry and the Article leaves out,
    an image's URL or a related item's that is no absolute http(s) one (``/img/a.jpg``),
    as (where, value): ``("images[0].url", "/img/a.jpg")`` (see
    :func:`feedpub.articles.dropped_urls`); no output shows it, a build says it.
    """

    path: str
    title: str
    excerpt: str
    url: str
    published_at: datetime
    published: bool
    topics: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    related: tuple[Related, ...] = ()
    provider: Provider | None = None
    type: str = "article"
    quality: float | None = None
    heat: float | None = None
    featured_content: str = ""
    amp_url: str | None = None
    category: str = ""
    dropped: tuple[tuple[str, object], ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO 8601 strings)."""
        return {
            "path": self.path,
            "title": self.title,
            "excerpt": self.excerpt,
            "url": self.url,
            "published_at": _iso(self.published_at),
            "published": self.published,
            "topics": list(self.topics),
            "images": [_image_dict(i) for i in self.images],
            "related": [
                {
                    "title": r.title,
                    "url": r.url,
                    "excerpt": r.excerpt,
                    "provider": r.provider,
                    "published_at": _iso(r.published_at) if r.published_at else None,
                    "image": _image_dict(r.image) if r.image else None,
                }
                for r in self.related
            ],
            "provider": (
                {
                    "name": self.provider.name,
                    "domain": self.provider.domain,
                    "logo": self.provider.logo,
                }
                if self.provider
                else None
            ),
            "type": self.type,
            "quality": self.quality,
            "heat": self.heat,
            "featured_content": self.featured_content,
            "amp_url": self.amp_url,
            "category": self.category,
        }


def _image_dict(i: Image) -> dict[str, Any]:
    return {"url": i.url, "width": i.width, "height": i.height, "title": i.title}


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Headline:
    """What the feeds page shows of an article: the cache keeps it, so that the page
    needs no article parsed again when only some feeds changed."""

    title: str
    url: str
    published_at: datetime
    provider: str = ""
    image: Image | None = None

    @classmethod
    def of(cls, a: Article) -> Headline:
        """``a``'s headline, its image the first picture (a video file listed among the
        images, ``clip.mp4``, is no ``<img>``: a broken picture on the page)."""
        from .formats.items import still  # (formats import this module)

        return cls(a.title, a.url, a.published_at, a.provider.name if a.provider else "",
                   still(a.images))  # fmt: skip

    def to_json(self) -> str:
        image = _image_dict(self.image) if self.image else None
        return json.dumps([self.title, self.url, _iso(self.published_at), self.provider, image],
                          ensure_ascii=False)  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> Headline:
        title, url, when, provider, image = json.loads(text)
        if not _ISO_Z.fullmatch(when):  # only what to_json writes (and strptime reads)
            raise ValueError(f"not a date as to_json writes it: {when!r}")
        published_at = datetime.fromisoformat(when[:-1]).replace(tzinfo=UTC)
        return cls(title, url, published_at, provider, Image(**image) if image else None)


#: A date as :meth:`Headline.to_json` writes it (``datetime.strptime`` with its format
#: takes these, ten times slower: a page of 1,500 headlines read from the cache).
_ISO_Z = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def in_zone(moment: datetime, tz: tzinfo) -> datetime:
    """``moment`` in the time zone ``tz``, to show people its day and time; as it is
    where that falls past the year 9999 (9999-12-31T23:00Z in Berlin)."""
    try:
        return moment.astimezone(tz)
    except OverflowError:
        return moment
