"""The render stage's two steps (:mod:`feedpub.compose`): every article the outputs show
parsed once into its entries, then the documents put together from them."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedpub import compose, formats, sources
from feedpub.build import build, gather
from feedpub.config import load_config
from feedpub.errors import ArticleError
from feedpub.model import Headline

from .conftest import ROOT

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """The bundled sample (config.toml and content/) in a folder of its own."""
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "config.toml"


def _loads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each article file is parsed whole from here on."""
    loads: Counter[str] = Counter()
    real = sources.load_one

    def counted(src, *args, **kwargs):  # type: ignore[no-untyped-def]
        loads[src.path] += 1
        return real(src, *args, **kwargs)

    monkeypatch.setattr(sources, "load_one", counted)
    return loads


def test_an_article_in_several_feeds_is_parsed_once(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each shown article is parsed once for every document that shows it, in every
    format (the sample shows some in several feeds, and some feeds in JSON Feed too)."""
    config = load_config(sample)
    loads = _loads(monkeypatch)
    result = build(config, NOW, full=True, jobs=1)
    assert not result.failed and loads
    assert set(loads.values()) == {1}
    items = sum(p.read_bytes().count(b"<item>") for p in config.output.glob("*.rss"))
    assert items > len(loads)  # shown in more than one document, parsed once


def test_parse_gives_entries_headlines_errors_and_changed_files(sample: Path) -> None:
    config = load_config(sample)
    a, b, c = [s for s in gather(config, jobs=1).summaries if s.published][:3]
    (config.root / b.path).write_bytes((config.root / b.path).read_bytes() + b"\n")  # changed
    out = compose.parse(config, NOW, {a.path}, set(), {}, [a, b])
    assert isinstance(out[0], compose.Parsed) and out[1] is None
    article = sources.read_articles(config, [a]).articles[a.path]
    entry = formats.entry(article)
    assert entry is not None
    (proof,) = formats.prove(config, [entry], NOW)
    assert proof is not None  # its checks passed, for every document that holds it
    assert out[0] == compose.Parsed(entry, Headline.of(article), None, proof)
    assert compose.parse(config, NOW, set(), {a.path}, {}, [a]) == [
        compose.Parsed(entry, None, article, proof)
    ]
    (config.root / c.path).write_bytes(b"x" * (config.max_file_size + 1))  # unreadable now
    (unreadable,) = compose.parse(config, NOW, set(), set(), {}, [c])
    assert isinstance(unreadable, ArticleError) and "over the limit" in str(unreadable)


def test_a_parsed_article_split_for_spilling_is_joined_back_whole(sample: Path) -> None:
    config = load_config(sample)
    a = next(s for s in gather(config, jobs=1).summaries if s.published)
    (parsed,) = compose.parse(config, NOW, {a.path}, {a.path}, {}, [a])
    assert isinstance(parsed, compose.Parsed) and parsed.entry is not None
    parts, rest = compose.split(parsed)
    assert parts == [parsed.entry.rss, parsed.entry.atom] and rest.entry is not None
    assert rest.entry.rss == rest.entry.atom == b""  # what weighs is in the parts only
    assert compose.join(parts, rest) == parsed
    bare = parsed._replace(entry=None)
    assert compose.split(bare) == ([], bare) and compose.join([], bare) == bare


def test_a_headline_read_back_from_the_cache_is_the_one_written(sample: Path) -> None:
    """What the cache keeps of an article for the feeds page comes back equal; a date
    in any other form than the one written is refused (the article is parsed again)."""
    config = load_config(sample)
    a = next(s for s in gather(config, jobs=1).summaries if s.published)
    article = sources.read_articles(config, [a]).articles[a.path]
    head = Headline.of(article)
    assert Headline.from_json(head.to_json()) == head
    for when in ["2021-05-24T07:52:55+05:00", "2021-05-24", "2021-05-24 07:52:55Z", "x"]:
        damaged = head.to_json().replace(head.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"), when)
        with pytest.raises(ValueError):
            Headline.from_json(damaged)
