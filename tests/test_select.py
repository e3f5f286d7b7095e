from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub.config import FeedConfig, topic_key
from feedpub.model import Article
from feedpub.select import Hidden, order_key, pick, pick_all, select, visible

NOW = datetime(2024, 6, 1, tzinfo=UTC)
TOPICS = ["Azure", "AI", "Microsoft AI", "Économie", "space"]


def feed(
    topics: tuple[str, ...] = ("*",), limit: int = 50, min_quality: float | None = None
) -> FeedConfig:
    keys = None if "*" in topics else frozenset(topic_key(t) for t in topics)
    return FeedConfig("f", "F", "", topics, keys, limit, min_quality, ("rss", "atom"))


articles = st.builds(
    Article,
    path=st.just("a/000.txt"),
    title=st.just("t"),
    excerpt=st.just(""),
    url=st.sampled_from([f"https://example.com/{i}" for i in range(25)]),
    published_at=st.datetimes(
        min_value=datetime(2024, 5, 1), max_value=datetime(2024, 7, 1), timezones=st.just(UTC)
    ).map(lambda d: d.replace(microsecond=0)),
    published=st.booleans(),
    topics=st.lists(st.sampled_from([*TOPICS, "azure", "AZURE"]), max_size=3).map(tuple),
    quality=st.one_of(st.none(), st.integers(0, 120).map(float)),
)
feeds = st.builds(
    feed,
    topics=st.one_of(
        st.just(("*",)), st.lists(st.sampled_from(TOPICS), min_size=1, max_size=3).map(tuple)
    ),
    limit=st.integers(1, 30),
    min_quality=st.one_of(st.none(), st.integers(0, 100).map(float)),
)


#: A content folder: paths are unique (they are file paths), URLs may repeat.
pools = st.lists(articles, max_size=60).map(
    lambda xs: [replace(a, path=f"a/{i:03}.txt") for i, a in enumerate(xs)]
)


@settings(max_examples=300, deadline=None)
@given(pools, feeds)
def test_selection_properties(pool: list[Article], f: FeedConfig) -> None:
    chosen = select(pool, f, NOW)
    assert len(chosen) <= f.max_items
    assert all(a.published is True for a in chosen)
    assert all(a.published_at <= NOW for a in chosen)
    assert [order_key(a) for a in chosen] == sorted(order_key(a) for a in chosen)
    assert len({a.url for a in chosen}) == len(chosen)
    # idempotent: selecting from the selection changes nothing
    assert select(chosen, f, NOW) == chosen
    # independent of input order
    assert select(list(reversed(pool)), f, NOW) == chosen
    # every chosen item matches; nothing better was left out
    for a in chosen:
        assert f.topic_keys is None or {topic_key(t) for t in a.topics} & f.topic_keys
        assert f.min_quality is None or (a.quality is not None and a.quality >= f.min_quality)
    if len(chosen) < f.max_items:
        assert chosen == pick(visible(pool, NOW), f.topic_keys, f.min_quality, 10**6)
    # the indexed many-feed path gives the same answer
    assert pick_all(visible(pool, NOW), [f])["f"] == chosen


@settings(max_examples=300, deadline=None)
@given(pools, st.lists(feeds, min_size=1, max_size=6))
def test_picking_many_feeds_at_once_equals_picking_each(
    pool: list[Article], many: list[FeedConfig]
) -> None:
    """The one pass of ``pick_all``, which stops once every feed is full, gives each
    feed what ``pick`` gives it alone: feeds of shared, overlapping and no topics,
    with limits and quality floors, some full early and some never."""
    many = [replace(f, slug=f"f{i}") for i, f in enumerate(many)]
    ordered = visible(pool, NOW)
    expected = {f.slug: pick(ordered, f.topic_keys, f.min_quality, f.max_items) for f in many}
    assert pick_all(ordered, many) == expected


def _article(
    path: str,
    url: str,
    when: datetime,
    published: bool = True,
    topics: tuple[str, ...] = ("Azure",),
) -> Article:
    return Article(
        path=path,
        title=path,
        excerpt="",
        url=url,
        published_at=when,
        published=published,
        topics=topics,
    )


def test_newest_copy_of_a_url_wins_and_ties_break_by_path() -> None:
    old = _article("b.txt", "https://e.com/x", NOW - timedelta(days=2))
    new = _article("c.txt", "https://e.com/x", NOW - timedelta(days=1))
    twin1 = _article("z.txt", "https://e.com/y", NOW - timedelta(days=1))
    twin2 = _article("a.txt", "https://e.com/z", NOW - timedelta(days=1))
    assert select([old, twin1, new, twin2], feed(), NOW) == [twin2, new, twin1]


@settings(max_examples=300, deadline=None)
@given(pools)
def test_each_copy_a_url_hides_is_reported_with_the_one_that_wins(pool: list[Article]) -> None:
    hidden: list[Hidden] = []
    shown = visible(pool, NOW, hidden)
    assert visible(pool, NOW) == shown  # reporting changes nothing
    winners = {a.url: a for a in shown}
    eligible = [a for a in pool if a.published is True and a.published_at <= NOW]
    # every eligible article is shown or hidden, never both
    assert sorted(a.path for a in eligible) == sorted(
        [a.path for a in shown] + [h.path for h in hidden]
    )
    by_path = {a.path: a for a in pool}
    for h in hidden:
        loser, winner = by_path[h.path], winners[h.url]
        assert h.url == loser.url and h.by == winner.path
        assert order_key(winner) < order_key(loser)
        assert h.same_date == (winner.published_at == loser.published_at)
    assert [h.path for h in hidden] == sorted(h.path for h in hidden)
    again: list[Hidden] = []
    visible(list(reversed(pool)), NOW, again)
    assert again == hidden  # whatever the order of the files


def test_a_hidden_copy_names_the_final_winner() -> None:
    a = _article("a.txt", "https://e.com/x", NOW - timedelta(days=3))
    b = _article("b.txt", "https://e.com/x", NOW - timedelta(days=2))
    c = _article("c.txt", "https://e.com/x", NOW - timedelta(days=1))
    d = _article("d.txt", "https://e.com/x", NOW - timedelta(days=1))
    hidden: list[Hidden] = []
    assert visible([a, b, d, c], NOW, hidden) == [c]
    assert hidden == [
        Hidden("a.txt", "c.txt", "https://e.com/x", False),
        Hidden("b.txt", "c.txt", "https://e.com/x", False),
        Hidden("d.txt", "c.txt", "https://e.com/x", True),
    ]


def test_future_and_unpublished_are_left_out_until_their_time() -> None:
    future = _article("f.txt", "https://e.com/f", NOW + timedelta(seconds=1))
    hidden = _article("h.txt", "https://e.com/h", NOW - timedelta(days=1), published=False)
    assert select([future, hidden], feed(), NOW) == []
    assert select([future, hidden], feed(), NOW + timedelta(seconds=1)) == [future]


def test_topics_compare_after_nfkc_and_casefold() -> None:
    a = _article("a.txt", "https://e.com/a", NOW, topics=("ＭＩＣＲＯＳＯＦＴ ai",))
    assert select([a], feed(("Microsoft AI",)), NOW) == [a]
    assert select([a], feed(("Azure",)), NOW) == []


def test_a_topic_with_direction_controls_is_the_same_in_the_config_and_in_an_article() -> None:
    """An article's topic has the isolate it opens closed (and its overrides removed,
    see sanitize.balanced_bidi); the config's is as written: the feed matched none of
    the articles that carried its very topic (found by a fuzzer)."""
    from feedpub.articles import _topics

    for written in ("x\u2067y", "x\u202ey", "\u200fعربي"):
        a = _article("a.txt", "https://e.com/a", NOW, topics=_topics([written]))
        assert select([a], feed((written,)), NOW) == [a], written


def test_a_feed_cut_to_a_limit_keeps_every_other_field() -> None:
    """``preview --limit`` and ``list`` cut a feed: its archive settings and the rest
    stay (the feed was once rebuilt field by field, and ``archive`` was lost)."""
    from feedpub.config import load_config
    from feedpub.select import feed_for

    from .conftest import ROOT

    config = load_config(ROOT / "config.toml")
    full = config.feed("all")
    assert full is not None and full.archive
    assert feed_for(config, "all", [], 3) == replace(full, max_items=3)
    assert feed_for(config, "all", []) is full
    a = _article("a.txt", "https://e.com/a", NOW, topics=("Space Weather",))
    topic = feed_for(config, "space weather", [a], 2)
    assert (topic.slug, topic.title, topic.max_items) == ("space-weather", "Space Weather", 2)


def test_topics_without_ascii_letters_get_slugs_of_their_own() -> None:
    """``preview "שלום"`` and ``preview "🚀"`` both wrote the feed id
    ``…/feeds/topic.atom``: such a topic's slug is made of its key's hash, the same
    for every spelling of the key."""
    from feedpub.config import load_config
    from feedpub.select import feed_for

    from .conftest import ROOT

    config = load_config(ROOT / "config.toml")
    topics = ("שלום", "🚀", "AI 🚀", "ΑΙ")
    arts = [
        _article(f"{n}.txt", f"https://e.com/{n}", NOW, topics=(t,)) for n, t in enumerate(topics)
    ]
    slugs = [feed_for(config, t, arts).slug for t in ("שלום", "🚀", "ＡＩ 🚀", "αι")]
    assert slugs[2] == "ai"  # (no hash where the key has ASCII letters)
    hashed = [slugs[0], slugs[1], slugs[3]]
    assert len(set(hashed)) == 3 and all(re.fullmatch(r"topic-[0-9a-f]{10}", s) for s in hashed)
    assert feed_for(config, "ΑΙ", arts).slug == slugs[3]  # the key's, whatever the case
    assert feed_for(config, "שלום", arts).slug == slugs[0]  # and stable


def test_direction_controls_beside_spaces_and_alone_in_a_topic() -> None:
    """Controls beside a space left a space in the key (no match, two categories); a
    topic of controls alone was published as an invisible category."""
    from feedpub.articles import _topics
    from feedpub.config import topic_key

    for written in ("\u2067 Diablo 4 \u2069", "\u200e Diablo 4", "Diablo \u200e 4"):
        assert topic_key(written) == "diablo 4", written
    assert _topics(["Diablo 4", "\u2067 Diablo 4\u2069", "\u2066\u2069", 2024]) == (
        "Diablo 4",
        "2024",
    )
    assert _topics(2024) == ("2024",)  # (one topic, as a single text is)
