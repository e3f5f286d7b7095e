from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from feedpub.config import load_config, topic_key
from feedpub.errors import ConfigError

from .conftest import run_cli

GOOD = """
[site]
title = "T"
link = "https://example.com/"
feeds_url = "https://example.com/feeds"
content = "news/*.txt"
timezone = "Europe/Paris"

[feeds.azure]
title = "Azure"
topics = ["Azure", "ＡＺＵＲＥ cloud"]
min_quality = 50

[feeds.all]
title = "Everything"
topics = ["*"]
max_items = 5
formats = ["atom"]
"""


def problems_of(tmp_path: Path, text: str) -> list[str]:
    """The problems ``load_config`` reports for a config file holding ``text``."""
    cfg = tmp_path / "config.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    return info.value.problems


def test_good_config_resolves_paths_against_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    cfg = tmp_path / "sub" / "config.toml"
    cfg.write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    c = load_config("sub/config.toml")
    assert c.root == tmp_path / "sub"
    assert c.output == tmp_path / "sub" / "feeds"
    assert c.cache == tmp_path / "sub" / ".feedpub" / "cache.sqlite"
    assert c.lock == tmp_path / "sub" / ".feedpub" / "cache.sqlite.lock"
    assert c.feeds_url == "https://example.com/feeds/"
    assert c.content == ("news/*.txt",)
    assert c.max_items == 50
    assert c.timezone.key == "Europe/Paris"
    azure = c.feed("azure")
    assert azure is not None
    assert azure.topic_keys == frozenset({"azure", "azure cloud"})  # NFKC + casefold
    assert azure.min_quality == 50.0
    assert azure.formats == ("rss", "atom")
    everything = c.feed("all")
    assert everything is not None
    assert everything.topic_keys is None
    assert everything.max_items == 5
    assert everything.formats == ("atom",)


def test_feeds_keep_the_order_of_their_tables(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(GOOD + '\n[feeds.ai]\ntitle = "AI"\ntopics = ["AI"]\n', encoding="utf-8")
    assert [f.slug for f in load_config(cfg).feeds] == ["azure", "all", "ai"]  # not by slug


def test_every_problem_reported_at_once_with_key_path_and_line(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        """[site]
title = "T"
link = "ftp://example.com/"
feeds_url = "https://example.com/feeds/"
content = ["*.txt"]
max_items = 0
timezone = "Mars/Olympus"

[feeds.azure]
titel = "Azure"
topics = ["Azure"]

[feeds.Bad_Slug]
title = "x"
topics = []
formats = ["rdf"]
""",
    )
    text = "\n".join(problems)
    assert "3: site.link: must be an absolute http(s) URL" in text
    assert "6: site.max_items: must be 1 or more" in text
    assert "7: site.timezone: unknown time zone 'Mars/Olympus'" in text
    assert "10: feeds.azure.titel: unknown key: did you mean title?" in text
    assert "feeds.azure.title: missing (required)" not in text  # (said once: the line above)
    assert "13: feeds.Bad_Slug: slug must be 1 to 64 lowercase" in text
    assert "feeds.Bad_Slug.topics: must be a non-empty list" in text
    assert "feeds.Bad_Slug.formats: must be a non-empty list drawn from" in text
    assert len(problems) == 7


def test_missing_and_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('[site]\ntitle = "x\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"2: invalid TOML"):
        load_config(bad)


def test_wrong_types_are_named(tmp_path: Path) -> None:
    text = "\n".join(problems_of(
        tmp_path,
        '[site]\ntitle = 3\nlink = "https://e.com/"\nfeeds_url = "https://e.com/f/"\ncontent = true\n'
        '[feeds.a]\ntitle = "A"\ntopics = ["x"]\nmin_quality = "high"\n',
    ))  # fmt: skip
    assert "2: site.title: must be a string" in text
    assert "5: site.content: must be a glob or a list of globs, not true/false" in text
    assert "9: feeds.a.min_quality: must be an integer or a number" in text


def _site(**keys: str) -> str:
    """GOOD with these ``[site]`` keys set (each value written as TOML)."""
    lines = [ln for ln in GOOD.splitlines() if ln.split(" = ")[0] not in keys]
    at = lines.index("[site]") + 1
    return "\n".join([*lines[:at], *(f"{k} = {v}" for k, v in keys.items()), *lines[at:]])


@pytest.mark.parametrize(
    ("language", "said"),
    [
        # a country's code, the one most written for a language (the W3C feed validator:
        # "jp is not a valid language code"; readers pick fonts and hyphenation by it)
        ("jp", "'jp' is Japan's country code, not a language: write 'ja' (Japanese)"),
        ("cn-TW", "'cn' is China's country code, not a language: write 'zh' (Chinese)"),
        ("iw", "'iw' is the withdrawn code of Hebrew: write 'he'"),
        ("qq", "'qq' is no ISO 639 language code (the W3C feed validator reports it as an "
               "invalid language): write one such as 'en' or 'en-GB'"),
        ("en_US", "'en_US' is a locale's name, not a language tag: write 'en-US'"),
        ("jp_JP", "'jp_JP' is a locale's name, not a language tag: 'jp-JP' would not do "
                  "either: 'jp' is Japan's country code, not a language: write 'ja' (Japanese)"),
        ("e", "must be a language tag such as 'en' or 'en-GB', got 'e'"),
        # not of RFC 5646's form: the feeds page's <html lang="en-12"> was "Bad value" to
        # the Nu HTML checker (a region is 2 letters or 3 digits, and comes once; a
        # variant or an extension's singleton comes once)
        *((tag, f"{tag!r} is not a language tag of RFC 5646's form (after the language: a "
                "script, 'Hant'; a region, 'GB' or '419'; variants, '1996'; extensions, "
                "'u-ca-gregory', each once and in this order), which browsers read and the "
                "feeds page's lang= must be: write one such as 'en' or 'en-GB'")
          for tag in ("en-12", "en-US-US", "de-1996-1996", "en-a-bbb-a-ccc", "en-Latn-Hant")),
    ],
)  # fmt: skip
def test_a_language_no_feed_reader_knows_is_refused_with_the_code_to_write(
    tmp_path: Path, language: str, said: str
) -> None:
    found = problems_of(tmp_path, _site(language=f'"{language}"'))
    assert [p.split(": ", 1)[1] for p in found] == [f"site.language: {said}"]


@pytest.mark.parametrize(
    "language",
    ["en", "ja-JP", "EN-gb", "zh-Hant-TW", "se", "kr", "eng", "es-419", "de-CH-1996",
     "sl-rozaj-biske", "en-Latn-US-u-ca-gregory", "en-US-x-twain", "zh-min-nan", "sgn-BE-FR"],
)  # fmt: skip
def test_a_language_tag_of_iso_639_is_taken(tmp_path: Path, language: str) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(_site(language=f'"{language}"'), encoding="utf-8")
    assert load_config(cfg).language == language


@pytest.mark.parametrize("value", ["99999999999", "1e10", "inf", "0", "0.5"])
def test_any_lock_timeout_of_0_or_more_seconds_is_taken(tmp_path: Path, value: str) -> None:
    """site.lock_timeout = 99999999999 (or 1e10, inf) was refused with "must be 0 or
    more seconds", which it is: nothing needs a limit (--lock-timeout had none)."""
    cfg = tmp_path / "config.toml"
    cfg.write_text(_site(lock_timeout=value), encoding="utf-8")
    assert load_config(cfg).lock_timeout == float(value)


@pytest.mark.parametrize("value", ["-1.0", "-inf", "nan"])
def test_a_lock_timeout_below_0_is_refused(tmp_path: Path, value: str) -> None:
    found = problems_of(tmp_path, _site(lock_timeout=value))
    assert [p.split(": ", 1)[1] for p in found] == [
        f"site.lock_timeout: must be 0 or more seconds, got {float(value)!r}"
    ]


@pytest.mark.parametrize(
    ("keys", "refused"),
    [
        ({"content": '["**/*.md", "**/*"]', "exclude": '["feeds"]'}, False),
        ({"content": '"**/*"', "exclude": '"feeds/"'}, False),
        ({"content": '"*/*"', "exclude": '["feeds/*"]'}, False),
        ({"content": '"news/**/*"', "output": '"news/feeds"', "exclude": '"**/feeds"'}, False),
        ({"content": '"news/**/*"', "cache": '"news/c.sqlite"', "exclude": '"news/c.*"'}, False),
        # a part of the build's files left out is not enough
        ({"content": '"*/*"', "exclude": '["feeds/*.rss"]'}, True),
        ({"content": '"*/*"', "exclude": '["feds"]'}, True),
    ],
)
def test_an_output_folder_site_exclude_leaves_out_is_apart_from_the_content(
    tmp_path: Path, keys: dict[str, str], refused: bool
) -> None:
    """content = ["**/*"] with exclude = ["feeds"] was refused ('the default
    site.output 'feeds' is in a folder the content glob '**/*' matches files in'),
    though the build reads none of its files: site.exclude leaves them out."""
    (tmp_path / "news").mkdir()
    cfg = tmp_path / "config.toml"
    cfg.write_text(_site(**keys), encoding="utf-8")
    if refused:
        with pytest.raises(ConfigError) as info:
            load_config(cfg)
        assert "site.exclude" in info.value.problems[0], info.value.problems
    else:
        load_config(cfg)


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        # the output folder holds the content: it would be published, drafts and all
        (
            {"output": '"."', "cache": '"../state/c.sqlite"'},
            "site.output: '.' holds the content folder of 'news/*.txt'",
        ),
        ({"output": '"news"'}, "site.output: 'news' holds the content folder"),
        # a ** glob would read the build's own files back as articles
        ({"content": '"news/**/*"', "output": '"news/feeds"'}, "site.output: "),
        ({"content": '"news/**/*"', "cache": '"news/cache.sqlite"'}, "site.cache: "),
        ({"content": '"news/.*/**/*"', "cache": '"news/.state/c.sqlite"'}, "site.cache: "),
        # ... and so would a glob with a wildcard in a folder part that matches the
        # output's folder (each build read content/feeds/ai.rss, "no front matter", exit 1)
        (
            {"content": '"news/*/*"', "output": '"news/feeds"'},
            "4: site.output: 'news/feeds' is in a folder the content glob 'news/*/*' matches "
            "files in: each build would read its own files as articles. Point site.output at "
            "a folder no content glob reaches, write the glob so that it names the article "
            "folders alone, or leave 'news/feeds' out with site.exclude",
        ),
        (
            {"content": '"*/*"'},
            "3: site.content: the default site.output 'feeds' is in a folder the content glob "
            "'*/*' matches files in",
        ),
        ({"content": '"news/*/*.rss"', "output": '"news/feeds"'}, "site.output: "),
        ({"content": '"news/*/a*"', "output": '"news/feeds"'}, "site.output: "),  # all.rss
        ({"content": '"news/*/*-archive-?.*"', "output": '"news/feeds"'}, "site.output: "),
        ({"content": '"*/*.html"'}, "site.content: the default site.output 'feeds'"),
        # a cache path that holds something else: never replaced
        (
            {"cache": '"config.toml"'},
            "site.cache: 'config.toml' is a file that is not a feedpub cache",
        ),
        (
            {"cache": '"news/a.txt"'},
            "site.cache: 'news/a.txt' is a file that is not a feedpub cache",
        ),
        ({"cache": '"news"'}, "site.cache: 'news' is a folder"),
        ({"output": '"news/a.txt"'}, "site.output: 'news/a.txt' is not a folder"),
        ({"timezone": '"America"'}, "site.timezone: unknown time zone 'America'"),
        (
            {"timezone": '"Europe/Berlín"'},
            "site.timezone: unknown time zone 'Europe/Berlín': did you mean 'Europe/Berlin'?",
        ),
        (
            {"timezone": '"Europe/berlin"'},
            "site.timezone: unknown time zone 'Europe/berlin': did you mean 'Europe/Berlin'?",
        ),
        (
            {"timezone": '"US/Pacfic"'},
            "site.timezone: unknown time zone 'US/Pacfic': did you mean 'US/Pacific'?",
        ),
        (
            {"timezone": '"Berlin"'},
            "site.timezone: unknown time zone 'Berlin': did you mean 'Europe/Berlin'?",
        ),
        (
            {"timezone": '"new york"'},
            "site.timezone: unknown time zone 'new york': did you mean 'America/New_York'?",
        ),
        ({"timezone": '"Z"'}, "site.timezone: unknown time zone 'Z': did you mean 'UTC'?"),
        # a big city in a zone named for another (Asia/Mumbai was "did you mean
        # 'Asia/Dubai'?", two letters away, hours away); an area misspelt, the city not;
        # a city one letter off (two in a long name)
        *(
            (
                {"timezone": f'"{z}"'},
                f"site.timezone: unknown time zone '{z}': did you mean '{meant}'?",
            )
            for z, meant in [
                ("Asia/Mumbai", "Asia/Kolkata"),
                ("Beijing", "Asia/Shanghai"),
                ("Europe/Munich", "Europe/Berlin"),
                ("Amercia/New_York", "America/New_York"),
                ("Europe/Parsi", "Europe/Paris"),
                ("Asia/Dubay", "Asia/Dubai"),
                ("America/Los_Angles", "America/Los_Angeles"),
            ]
        ),
        (
            {"timezone": '"Asia/Hanoy"'},
            "site.timezone: unknown time zone 'Asia/Hanoy': write the place's zone as "
            "Area/City, such as 'Europe/Paris' or 'America/Los_Angeles' (an abbreviation, "
            "PST or CEST, or an offset, GMT+1, names no place: its summer time is unknown)",
        ),
        (
            {"timezone": '"São Paulo"'},
            "site.timezone: unknown time zone 'São Paulo': did you mean 'America/Sao_Paulo'?",
        ),
        # an abbreviation or an offset is a letter from another zone of other hours (PST
        # from EST; GMT+1 from Etc/GMT+1, which is UTC-1): no "did you mean"
        *(
            (
                {"timezone": f'"{z}"'},
                f"site.timezone: unknown time zone '{z}': write the place's zone as Area/City, "
                "such as 'Europe/Paris' or 'America/Los_Angeles' (an abbreviation, PST or CEST, "
                "or an offset, GMT+1, names no place: its summer time is unknown)",
            )
            for z in ("PST", "BST", "IST", "EDT", "MSK", "GMT+1", "UTC+2")
        ),
        # zones zoneinfo finds that are no place: the machine's own (Debian links
        # localtime among the zones), whose feeds change with the machine; and one that
        # counts leap seconds, whose summer time zoneinfo reads an hour off for 27 s
        *(
            (
                {"timezone": f'"{z}"'},
                f"site.timezone: '{z}' is this machine's zone, not a place: the feeds would "
                "change with the machine that builds them; write the place's zone as "
                "Area/City, such as 'Europe/Paris' or 'America/Los_Angeles'",
            )
            for z in ("localtime", "posixrules")
        ),
        (
            {"timezone": '"right/Europe/Berlin"'},
            "site.timezone: 'right/Europe/Berlin' counts leap seconds, which feed dates do "
            "not: write 'Europe/Berlin'",
        ),
        # ... but never the one meant: not 'localtime' for 'Localtime', nor '' or
        # 'Nowhere', no zone, for 'right/' and 'right/Nowhere', nor 'localtime' and
        # 'posixrules', no places, for 'right/localtime' and 'right/posixrules'
        *(
            (
                {"timezone": f'"{z}"'},
                f"site.timezone: unknown time zone '{z}': write the place's zone as Area/City",
            )
            for z in ("Localtime", "right/", "right/Nowhere", "right/localtime", "right/posixrules")
        ),
        (
            {"output": '"~/public/feeds"'},
            "site.output: '~/public/feeds': a ~ is not the home folder",
        ),
        ({"cache": '"~/c.sqlite"'}, "site.cache: '~/c.sqlite': a ~ is not the home folder"),
        ({"lock_timeout": "nan"}, "site.lock_timeout: must be 0 or more seconds"),
    ],
)
def test_a_config_that_would_publish_read_or_replace_what_it_must_not_is_refused(
    tmp_path: Path, keys: dict[str, str], words: str
) -> None:
    (tmp_path / "news").mkdir()
    article = tmp_path / "news" / "a.txt"
    article.write_text("---\ntitle: A\n---\n", encoding="utf-8")
    found = problems_of(tmp_path, _site(**keys))
    assert any(words in p for p in found), found
    assert article.read_text(encoding="utf-8") == "---\ntitle: A\n---\n"


def test_an_output_that_is_a_link_to_nothing_says_so(tmp_path: Path) -> None:
    """``feeds -> /srv/gone``: it was told "'feeds' is not a folder", which it seems to
    be; now what the link leads to, and what to do."""
    (tmp_path / "news").mkdir()
    (tmp_path / "feeds").symlink_to(tmp_path / "gone")
    found = problems_of(tmp_path, _site(output='"feeds"'))
    assert any(f"site.output: 'feeds' is a symbolic link to '{tmp_path / 'gone'}', which does "
               "not exist: make that folder, or point the link at one" in p for p in found), found  # fmt: skip


@pytest.mark.parametrize("target", ["feeds", "loop/feeds"])
def test_an_output_that_is_a_link_that_loops_says_so(tmp_path: Path, target: str) -> None:
    """``feeds -> feeds`` (or a loop through another link): it was told the link leads
    to a folder "which does not exist: make that folder", which cannot be made there."""
    (tmp_path / "news").mkdir()
    (tmp_path / "feeds").symlink_to(target)
    (tmp_path / "loop").symlink_to(tmp_path)
    found = problems_of(tmp_path, _site(output='"feeds"'))
    assert any(f"site.output: 'feeds' is a symbolic link that loops (to '{target}'): point it "
               "at a folder, or remove it (a folder is made there)" in p for p in found), found  # fmt: skip


@pytest.mark.parametrize("key", ["link", "feeds_url"])
@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://:80/", "a host"),
        ("https://e.com:abc/", "port"),
        ("https://e.com:99999/", "port"),
        ("https://user:secret@e.com/", "no user name or password"),
        ("https://e .com/", "no space"),
        ("ftp://e.com/", "http or https"),
    ],
)
def test_the_site_urls_are_sound(tmp_path: Path, key: str, url: str, why: str) -> None:
    found = problems_of(tmp_path, _site(**{key: f'"{url}"'}))
    assert any(f"site.{key}: must be an absolute http(s) URL (" in p and why in p for p in found), (
        found
    )


@pytest.mark.parametrize("key", ["link", "feeds_url", "hub"])
@pytest.mark.parametrize(
    ("url", "said"),
    [
        ('https://news.example.com/"x"{|}^`\\',
         ['" as %22', "{ as %7B", "| as %7C", "} as %7D", "^ as %5E", "` as %60", "\\ as %5C"]),
        ('https://news.example.com/f<e>"e{d}s/', ["< as %3C", "> as %3E", '" as %22']),
        ("https://news.example.com/a&b/?q=1&r=<2>", ["< as %3C", "> as %3E"]),
        ("https://e.com/a[1]/", ["[ as %5B", "] as %5D"]),
        ("https://e.com/a/#top#end", ["# as %23"]),
        ("https://e.com/100%/", ["% as %25"]),
        ("https://e.com/caf%c/", ["% as %25"]),
    ],
)  # fmt: skip
def test_a_character_no_url_may_hold_is_refused_at_its_line_with_its_escape(
    tmp_path: Path, key: str, url: str, said: list[str]
) -> None:
    """RFC 3986 (and 3987) allow no <, >, ", {, }, |, \\, ^ or ` in a URL, a [ or ]
    only round an IPv6 address, a # only once and a % only before two hex digits: the
    build wrote them into every feed, feeds.opml and index.html, which a validator
    then refused. Each is said, with what to write in its place."""
    found = problems_of(tmp_path, _site(**{key: json.dumps(url)}))
    assert len(found) == 1, found
    assert found[0].startswith(f"3: site.{key}: must be an absolute http"), found
    assert all(words in found[0] for words in said), found


@pytest.mark.parametrize(
    "url",
    [
        "https://e.com/a&b/?q=1&r=%3C2%3E",
        "https://e.com/caf%C3%A9/",
        "https://[::1]:8080/",
        "https://e.com/~ann/(x);p=1,2*'!$+@:=/",
    ],
)
def test_a_sound_url_is_taken_as_written(tmp_path: Path, url: str) -> None:
    (tmp_path / "config.toml").write_text(_site(link=json.dumps(url)), encoding="utf-8")
    assert load_config(tmp_path / "config.toml").link == url


def test_a_site_url_of_an_idn_host_keeps_its_port(tmp_path: Path) -> None:
    """A port after a last label that is not ASCII was IDNA-encoded into that label."""
    (tmp_path / "config.toml").write_text(_site(link='"https://例え.テスト:8080/"'),
                                          encoding="utf-8")  # fmt: skip
    assert load_config(tmp_path / "config.toml").link == "https://xn--r8jz45g.xn--zckzah:8080/"


def test_a_site_url_is_written_as_the_articles_urls_are(tmp_path: Path) -> None:
    """A letter of any script is sound in the site's URLs, but the feeds carried them as
    written: the W3C validator refused the RSS channel's link and the Atom feed's id
    ("IRI found where URL expected"), and said the self link "doesn't match document
    location". They are written as the articles' URLs are: the host IDNA-encoded, the
    rest %-encoded as UTF-8 (what is ASCII, a %-escape too, as it is)."""
    (tmp_path / "config.toml").write_text(_site(
        link='"https://bücher.example:8080/日本/?q=é&r=%C3%A9#ü"',
        feeds_url='"https://news.example.com/café/feeds/"',
        hub='"https://hub.example/ünï"',
    ), encoding="utf-8")  # fmt: skip
    config = load_config(tmp_path / "config.toml")
    host = "https://xn--bcher-kva.example:8080"
    assert config.link == f"{host}/%E6%97%A5%E6%9C%AC/?q=%C3%A9&r=%C3%A9#%C3%BC"
    assert config.feed_url("all", "atom") == "https://news.example.com/caf%C3%A9/feeds/all.atom"
    assert config.hub == "https://hub.example/%C3%BCn%C3%AF"
    # and as the articles' URLs, the scheme and host in lower case, without the scheme's
    # own port (the Atom feed's id was "not in canonical form" to the validator)
    (tmp_path / "config.toml").write_text(_site(
        link='"HTTPS://News.Example.com:443/"', feeds_url='"http://E.com:80/Feeds/"'
    ), encoding="utf-8")  # fmt: skip
    config = load_config(tmp_path / "config.toml")
    assert (config.link, config.feeds_url) == ("https://news.example.com/", "http://e.com/Feeds/")
    # and its %-escapes in RFC 3986's normal form (the validator: "not in canonical form")
    (tmp_path / "config.toml").write_text(_site(
        link='"https://e.com/caf%c3%a9/%7Eann/?q=%2f%41"', feeds_url='"https://e.com/%7e/f/"'
    ), encoding="utf-8")  # fmt: skip
    config = load_config(tmp_path / "config.toml")
    assert (config.link, config.feeds_url) == (
        "https://e.com/caf%C3%A9/~ann/?q=%2FA",
        "https://e.com/~/f/",
    )
    long = "ü" * 64
    found = problems_of(tmp_path, _site(link=f'"https://{long}.example/"'))
    assert len(found) == 1 and "site.link: " in found[0] and "IDNA" in found[0], found
    # a host IDNA refuses for another cause than a label's length is not told it is one
    found = problems_of(tmp_path, _site(feeds_url='"https://a\u05d0.example/f/"',
                                        hub='"https://\ufffd.example/"'))  # fmt: skip
    assert len(found) == 2 and all("right-to-left" in p for p in found), found


def test_a_site_url_of_a_long_label_is_refused_without_encoding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site URL whose host has a label of many different letters went to Python's IDNA
    codec whole, whose punycode reads a label once for each letter in it: 8,000 (24 KB)
    took 7 s to be refused. It is refused as an article's webUrl is, punycode never
    reading it."""
    import encodings.punycode

    encoded: list[int] = []
    punycode = encodings.punycode.punycode_encode
    monkeypatch.setattr(encodings.punycode, "punycode_encode",
                        lambda text: encoded.append(len(text)) or punycode(text))  # fmt: skip
    host = "".join(map(chr, range(0x4E00, 0x4E00 + 2000)))
    found = problems_of(tmp_path, _site(link=f'"https://{host}.example/"'))
    assert len(found) == 1 and "site.link: " in found[0] and "IDNA" in found[0], found
    assert encoded == []


@pytest.mark.parametrize("url", ["https://e.com/feeds/?v=1", "https://e.com/feeds/#top"])
def test_the_feeds_url_is_a_folder_without_query_or_fragment(tmp_path: Path, url: str) -> None:
    """The feeds' URLs are made by adding their names: ``…/feeds/?v=1all.rss`` is none."""
    found = problems_of(tmp_path, _site(feeds_url=f'"{url}"'))
    assert any("site.feeds_url: " in p and "no query or fragment" in p for p in found), found
    (tmp_path / "config.toml").write_text(_site(link='"https://e.com/?ref=feed#top"'), "utf-8")
    assert load_config(tmp_path / "config.toml").link == "https://e.com/?ref=feed#top"


def test_problems_are_on_their_lines_whatever_the_texts_before_them_hold(tmp_path: Path) -> None:
    """Line separators pasted into a text (U+2028, U+2029: no line break to TOML), a
    text over many lines that holds what looks like a table and a key: the problem
    after them is on its own line."""
    text = GOOD.replace(
        'title = "T"\n',
        'title = "T"\ndescription = """\u2028\u2029\n[feeds.all]\nmax_items = 3\n"""\n',
        1,
    ).replace("max_items = 5", "max_items = 0")  # fmt: skip
    line = text.split("\n").index("max_items = 0") + 1
    assert problems_of(tmp_path, text) == [f"{line}: feeds.all.max_items: must be 1 or more"]


@pytest.mark.parametrize(
    "texts",
    ['description = "Rock \'\'\'n roll"\n', 'description = "A" # see """\n',
     "description = \'\'\'one line\'\'\'\n"],
)  # fmt: skip
def test_three_quotes_that_open_no_text_over_lines_move_no_line(tmp_path: Path, texts: str) -> None:
    """Three quotes inside a text of one line, in a comment, or opening and closing on
    the same line: the problem after them keeps its line (it was put many lines up)."""
    text = GOOD.replace('title = "T"\n', 'title = "T"\n' + texts, 1).replace(
        "max_items = 5", "max_items = 0"
    )
    line = text.split("\n").index("max_items = 0") + 1
    assert problems_of(tmp_path, text) == [f"{line}: feeds.all.max_items: must be 1 or more"]


def test_a_config_with_a_byte_order_mark_is_read_and_one_not_in_utf8_named_at_its_line(
    tmp_path: Path,
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_config(cfg).title == "T"
    latin = GOOD.replace('"ＡＺＵＲＥ cloud"', '"cloud"').replace('"Azure"', '"Caf\u00e9"', 1)
    cfg.write_bytes(latin.encode("latin-1"))
    line = GOOD.split("\n").index('title = "Azure"') + 1
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    column = next(x for x in latin.split("\n") if x.startswith('title = "Caf')).index("\u00e9") + 1
    assert info.value.problems == [
        f"{line}: invalid UTF-8 at line {line}, column {column}: the byte E9, é in "
        "Windows-1252: save the file as UTF-8"
    ]
    cfg.write_bytes(b"\xef\xbb\xbf" + latin.encode("latin-1"))  # (a BOM, then the byte)
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert info.value.problems[0].startswith(
        f"{line}: invalid UTF-8 at line {line}, column {column}: the byte E9"
    )
    for utf16 in (GOOD.encode("utf-16"), GOOD.encode("utf-16-le")):  # (no BOM: TOML read it)
        cfg.write_bytes(utf16)
        with pytest.raises(ConfigError) as info:
            load_config(cfg)
        assert info.value.problems == [
            '1: the file is saved as UTF-16 (Notepad\'s "Unicode"): save it as UTF-8'
        ]
    for utf32 in (GOOD.encode("utf-32"), GOOD.encode("utf-32-le")):  # (told UTF-16 once)
        cfg.write_bytes(utf32)
        with pytest.raises(ConfigError) as info:
            load_config(cfg)
        assert info.value.problems == ["1: the file is saved as UTF-32: save it as UTF-8"]
    cfg.write_bytes(GOOD.encode("utf-16"))  # (Notepad's "Unicode")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert info.value.problems == [
        '1: the file is saved as UTF-16 (Notepad\'s "Unicode"): save it as UTF-8'
    ]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_min_quality_is_a_number(tmp_path: Path, value: str) -> None:
    found = problems_of(tmp_path, GOOD.replace("min_quality = 50", f"min_quality = {value}"))
    assert any(
        p.endswith(f"feeds.azure.min_quality: must be a number, got {float(value)!r}")
        for p in found
    ), found


def test_a_cache_or_an_empty_file_may_be_the_cache(tmp_path: Path) -> None:
    import sqlite3

    (tmp_path / "config.toml").write_text(_site(cache='"state.db"'), encoding="utf-8")
    (tmp_path / "state.db").write_bytes(b"")
    assert load_config(tmp_path / "config.toml").cache == tmp_path / "state.db"
    sqlite3.connect(tmp_path / "state.db").execute("CREATE TABLE t(x)").connection.close()
    assert load_config(tmp_path / "config.toml").cache == tmp_path / "state.db"


def test_texts_that_no_feed_can_carry_are_refused_at_their_line(tmp_path: Path) -> None:
    """A control character (a terminal escape, NUL) cannot be written into a feed, a
    blank title names nothing, and a URL with white space in it is no URL: each is a
    config error at its line, not a build that stops half way or a feed that fails."""
    problems = problems_of(
        tmp_path,
        '[site]\ntitle = "News\\u001b[31m"\nlink = "https://e.com/a\u3000"\n'
        'feeds_url = "https://[e.com/f/"\ncontent = "news/*.txt"\nowner = "Ed\\tSmith"\n'
        'description = "two\\nlines\\tand a tab"\n'
        '[feeds.a]\ntitle = "  "\ntopics = ["x"]\n'
        '[feeds.b]\ntitle = "B"\ndescription = "\\u0000"\ntopics = ["ok", "bad\\u0085"]\n',
    )
    text = "\n".join(problems)
    assert "2: site.title: holds a control character ('\\x1b', character 5): remove it" in text
    assert "3: site.link: must be an absolute http(s) URL (no space" in text
    assert "4: site.feeds_url: must be an absolute http(s) URL" in text
    assert "6: site.owner: holds a tab or a line break ('\\t', character 3)" in text
    assert "9: feeds.a.title: must not be empty" in text
    assert "13: feeds.b.description: holds a control character ('\\x00'" in text
    assert "14: feeds.b.topics: holds a control character ('\\x85'" in text
    assert len(problems) == 7  # a description may hold line breaks and tabs


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Microsoft AI", "microsoft  ai"),
        ("ＡＩ", "ai"),
        ("Straße", "STRASSE"),
        ("Économie", "économie"),
        ("İstanbul", "istanbul"),  # (casefolded alone, İ is i and a combining dot)
        ("İSTANBUL", "Istanbul"),
        ("\u2764\ufe0f Aşk", "\u2764 Aşk"),  # (a heart as an emoji, and as text)
        ("\U0001f44d\ufe0e", "\U0001f44d"),
    ],
)
def test_topic_key_normalises(a: str, b: str) -> None:
    assert topic_key(a) == topic_key(b)


@pytest.mark.parametrize(("a", "b"), [("ılık", "ilik"), ("Diablo 4", "Diablo 5")])
def test_topic_key_keeps_topics_apart(a: str, b: str) -> None:
    """Turkish dotless ı is a letter of its own (ılık, lukewarm; ilik, marrow)."""
    assert topic_key(a) != topic_key(b)


def test_config_texts_are_composed_as_article_texts_are(tmp_path: Path) -> None:
    """A config saved in NFD (an editor on macOS) put "Te\u0301le\u0301" in the feed's
    title and its own category, and "Télé" (NFC) in its items' categories: two
    categories to a client that groups by the text."""
    text = GOOD.replace('topics = ["*"]', 'topics = ["Te\u0301le\u0301"]')
    text = text.replace('title = "Azure"', 'title = "Te\u0301le\u0301 news"')
    assert text.count("e\u0301") == 4  # (decomposed, as written to the file)
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    everything, azure = config.feed("all"), config.feed("azure")
    assert everything is not None and everything.topics == ("T\u00e9l\u00e9",)
    assert everything.topic_keys == frozenset({"t\u00e9l\u00e9"})
    assert azure is not None and azure.title == "T\u00e9l\u00e9 news"


def test_site_labels_are_checked_each_at_its_line(tmp_path: Path) -> None:
    text = GOOD.replace(
        "[feeds.azure]",
        '[site.labels]\nrelated = "Weitere Berichte"\nhome_page = "Startseite"\n'
        'months = ["Jan", "Feb"]\nlatest = 3\nread_more = "x"\nopml = "a\\tb"\n'
        'subscribe = "{feed} von {site}"\nupdated = "Stand {date}, {version}, {feed}"\n'
        'no_stories = " "\ndate = "{day}. {month}"\n\n[feeds.azure]',
    )
    assert problems_of(tmp_path, text) == [
        "11: site.labels.home_page: must hold {site} (it is replaced by what it names)",
        "12: site.labels.months: must be a list of the 12 months' names, January first "
        '("Jan", "Feb", ...): 2 given',
        "13: site.labels.latest: must be a string",
        "14: site.labels.read_more: unknown key (known: archive_title, date, home_page, latest, months, "
        "navigation, no_stories, opml, page_title, read_article, related, subscribe, "
        "updated, watch_video)",
        "15: site.labels.opml: holds a tab or a line break ('\\t', character 2): remove it",
        "16: site.labels.subscribe: {site} is not replaced here (it offers {feed})",
        "17: site.labels.updated: {feed} is not replaced here (it offers {date} and {version})",
        "18: site.labels.no_stories: is empty: write the text, or leave the key out for the "
        "English one",
        "19: site.labels.date: must hold {year} (it is replaced by what it names)",
    ]
    unknown = GOOD.replace(
        "[feeds.azure]", '[site.labels]\ndate = "{day}. {month} {year} {monat}"\n\n[feeds.azure]'
    )
    assert problems_of(tmp_path, unknown) == [
        "10: site.labels.date: {monat} is not replaced here (it offers {day} and {month} and "
        "{year})"
    ]
    french = GOOD.replace(
        "[feeds.azure]",
        '[site.labels]\ndate = "{day} {month} {year} {année} { site }"\n\n[feeds.azure]',
    )
    assert problems_of(tmp_path, french) == [
        "10: site.labels.date: { site } and {année} are not replaced here (it offers {day} and "
        "{month} and {year})"
    ]
    placed = (
        '["{year}", "Feb", "Mar", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"]'
    )
    bad = GOOD.replace("[feeds.azure]", f"[site.labels]\nmonths = {placed}\n\n[feeds.azure]")
    assert problems_of(tmp_path, bad) == [
        "10: site.labels.months: month 1 holds {year}, which is not replaced here"
    ]
    months = (
        '["Jan", "Feb", "M\\u00e4r", "", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"]'
    )
    bad = GOOD.replace("[feeds.azure]", f"[site.labels]\nmonths = {months}\n\n[feeds.azure]")
    assert problems_of(tmp_path, bad) == [
        "10: site.labels.months: month 4 is empty: it must be the 12 months' names, January "
        'first ("Jan", "Feb", ...)'
    ]
    good = GOOD.replace(
        "[feeds.azure]",
        '[site.labels]\nrelated = "Weitere Berichte"\ndate = "{day}. {month} {year}"\n\n'
        "[feeds.azure]",
    )
    (tmp_path / "config.toml").write_text(good, encoding="utf-8")
    labels = load_config(tmp_path / "config.toml").labels
    assert (labels.related, labels.read_article) == ("Weitere Berichte", "Read the article")
    assert labels.day(2024, 3, 7) == "7. Mar 2024"


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("https://ann:s3cret@example.com/", "https://***@example.com/"),
        ("https://ann:s3c@ret@example.com/", "https://***@example.com/"),  # (a raw @)
        ("https://ann:s3c/ret@example.com/", "https://***@example.com/"),
        ("https://ann:s3c?ret@example.com/", "https://***@example.com/"),
        ("//ann:s3cret@example.com/", "//***@example.com/"),
        ("https:ann:s3cret@example.com", "https:***@example.com"),
        ("ann:s3cret@example.com", "ann:***@example.com"),  # (no scheme: "ann:" looks one)
    ],
)
def test_a_password_in_a_url_is_not_said_back(tmp_path: Path, written: str, shown: str) -> None:
    text = GOOD.replace('link = "https://example.com/"', f'link = "{written}"')
    text = text.replace("[site]\n", f'[site]\nhub = "{written}"\n', 1)
    problems = problems_of(tmp_path, text)
    assert len(problems) == 2, problems
    assert all(f"got {shown!r}" in p and "s3c" not in p for p in problems), problems


def test_the_default_cache_written_out_is_the_default_cache(tmp_path: Path) -> None:
    """``cache = ".feedpub/cache.sqlite"`` (the README's default, uncommented) with a
    damaged file there was a config error, where the same file left to the default was
    rebuilt: the same cache, the same rule."""
    (tmp_path / ".feedpub").mkdir()
    (tmp_path / ".feedpub" / "cache.sqlite").write_bytes(b"not a database")
    (tmp_path / "config.toml").write_text(
        GOOD.replace("[site]\n", '[site]\ncache = ".feedpub/cache.sqlite"\n', 1), encoding="utf-8"
    )
    assert load_config(tmp_path / "config.toml").cache == tmp_path / ".feedpub" / "cache.sqlite"


def test_a_line_separator_or_a_direction_override_in_a_config_text_is_named(
    tmp_path: Path,
) -> None:
    """U+2028 in a title went into the feeds as a line break; U+202E (RLO) turned the
    rest of a title round in every reader ("Trojan Source")."""
    text = GOOD.replace('title = "Azure"', 'title = "Azure\\u2028news"').replace(
        'title = "Everything"', 'title = "Every\\u202Ething"'
    )
    assert problems_of(tmp_path, text) == [
        "10: feeds.azure.title: holds a tab or a line break ('\\u2028', character 6): remove it",
        "15: feeds.all.title: holds a direction override ('\\u202e', character 6): remove it",
    ]


def test_a_unicode_noncharacter_in_a_config_text_is_named(tmp_path: Path) -> None:
    """U+FDD0 or U+1FFFE in the site's title or a feed's description went into
    index.html, which the Nu HTML checker refuses ("Forbidden code point U+fdd0",
    "Astral non-character"): each is a config error at its line, as a control
    character is (a URL's is %-encoded, as any URL's character may be)."""
    text = (
        GOOD.replace('title = "T"', 'title = "T\\ufdd0"')
        .replace('title = "Azure"', 'title = "Azure"\ndescription = "two\\nlines\\U0001FFFE"')
        .replace('"*"]', '"*", "x\\ufdef"]')
        .replace('link = "https://example.com/"', 'link = "https://example.com/\\ufdd0/"')
    )
    assert problems_of(tmp_path, text) == [
        "3: site.title: holds a Unicode noncharacter ('\\ufdd0', character 2): remove it",
        "11: feeds.azure.description: holds a Unicode noncharacter ('\\U0001fffe', "
        "character 10): remove it",
        "17: feeds.all.topics: holds a Unicode noncharacter ('\\ufdef', character 2): remove it",
    ]


def test_a_title_of_characters_no_reader_shows_is_refused(tmp_path: Path) -> None:
    """A feed titled with a zero-width space, a soft hyphen and a variation selector
    alone was written: feeds.opml's outline text, which OPML requires, the page's
    heading and every reader's name for the feed were blank (listparser read
    '\\u200b\\xad\\ufe0f'). Such a title is refused as an empty one is; one with a
    letter or an emoji beside them is a name."""
    text = GOOD.replace('title = "T"', 'title = "\\u2060\\u200e"').replace(
        'title = "Azure"', 'title = "\\u200b\\u00ad\\ufe0f"'
    )
    assert problems_of(tmp_path, text) == [
        "3: site.title: shows nothing ('\\u2060\\u200e': characters no reader shows, as a "
        "zero-width space or a soft hyphen, alone): readers show it as the name: write the "
        "words they should show",
        "10: feeds.azure.title: shows nothing ('\\u200b\\xad\\ufe0f': characters no reader "
        "shows, as a zero-width space or a soft hyphen, alone): readers show it as the name: "
        "write the words they should show",
    ]
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        GOOD.replace('title = "Azure"', 'title = "\\u200b\\U0001F680\\ufe0f"'), encoding="utf-8"
    )
    assert load_config(cfg).feed("azure").title == "\u200b\U0001f680\ufe0f"


def test_a_label_of_characters_no_reader_shows_is_refused(tmp_path: Path) -> None:
    """``latest = "\\u200b"`` and ``opml = "\\u00ad"`` were taken: the page had a heading
    of nothing over each feed's headlines and a link to feeds.opml with no text to click
    (the Nu checker said nothing of either); a month of them, a date without its month."""
    months = (
        '["Jan", "\\u200b", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]'
    )
    labels = f'[site.labels]\nlatest = "\\u200b"\nopml = "\\u00ad "\nmonths = {months}\n\n'
    assert problems_of(tmp_path, GOOD.replace("[feeds.azure]", labels + "[feeds.azure]")) == [
        "10: site.labels.latest: is empty to a reader ('\\u200b' shows nothing): write the "
        "text, or leave the key out for the English one",
        "11: site.labels.opml: is empty to a reader ('\\xad ' shows nothing): write the text, "
        "or leave the key out for the English one",
        "12: site.labels.months: month 2 is empty to a reader ('\\u200b' shows nothing): it "
        'must be the 12 months\' names, January first ("Jan", "Feb", ...)',
    ]


def test_a_direction_isolate_left_open_in_a_config_text_is_closed_at_its_end(
    tmp_path: Path,
) -> None:
    """A title with an RLI (U+2067) and no PDI after it went into the feeds, the OPML
    and ``feedpub list`` so: every text after it on the line, in a reader's list of
    feeds or list's topics column, was laid out right to left. Each isolate or embedding
    is now closed at the end of its line, and a PDI that closes nothing dropped, as in
    an article's texts; a text already balanced is as it was."""
    text = GOOD.replace('title = "Azure"', 'title = "Azure \\u2067שלום"').replace(
        'title = "Everything"', 'title = "Every\\u2069thing \\u2068x\\u2069"'
    )
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    assert [f.title for f in config.feeds] == ["Azure \u2067שלום\u2069", "Everything \u2068x\u2069"]


def test_a_feed_name_ending_in_a_line_break_is_refused(tmp_path: Path) -> None:
    """``$`` took a name with a final line break: files named ``all\\n.rss`` were
    written, and the line break went into feeds.opml and the Atom id."""
    text = GOOD.replace("[feeds.azure]", '[feeds."azure\\n"]')
    assert '[feeds."azure\\n"]' in text
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1 and "slug must be 1 to 64 lowercase" in problems[0], problems


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://example.com/blog/feeds/index.html",
         "names a file: give the folder the feeds are in, 'https://example.com/blog/feeds/' "
         "(the feeds' names are added to it)"),
        ("https://example.com/feeds/rss.XML", "names a file: give the folder the feeds are "
         "in, 'https://example.com/feeds/' (the feeds' names are added to it)"),
        *((url, "has // or a /./ or /../ in its path: write it as a browser resolves it (a "
                "CDN or S3 takes feeds//a.rss for another file than feeds/a.rss, and a link "
                "to it is a 404)")
          for url in ("https://example.com/feeds//", "https://example.com//feeds/",
                      "https://example.com/blog/../feeds/", "https://example.com/./feeds/",
                      "https://example.com/feeds/..", "https://example.com/%2e%2E/feeds/")),
    ],
)  # fmt: skip
def test_a_feeds_url_every_link_would_break_is_refused(tmp_path: Path, url: str, why: str) -> None:
    """``…/feeds/index.html`` made every self link ``…/index.html/a.atom``; ``feeds//``
    and ``/../`` were kept as written (another key to S3 and CloudFront: a 404)."""
    text = GOOD.replace('feeds_url = "https://example.com/feeds"', f'feeds_url = "{url}"')
    assert url in text
    [problem] = problems_of(tmp_path, text)
    assert problem.endswith(f"site.feeds_url: {url!r} {why}"), problem


@pytest.mark.parametrize("url", ["https://example.com/feeds.v2", "https://example.com",
                                 "https://example.com/rss/", "https://example.com/a.b/feeds"])  # fmt: skip
def test_a_feeds_url_of_a_folder_is_taken(tmp_path: Path, url: str) -> None:
    text = GOOD.replace('feeds_url = "https://example.com/feeds"', f'feeds_url = "{url}"')
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    assert load_config(tmp_path / "config.toml").feeds_url == url.rstrip("/") + "/"


@pytest.mark.parametrize("slug", ["con", "aux", "nul", "prn", "com1", "lpt9"])
def test_a_name_windows_reserves_is_refused(tmp_path: Path, slug: str) -> None:
    """``con.rss`` is the console to Windows, whatever its extension: a checkout, an
    unzip or a copy of the output folder failed there. Refused at the feed's line."""
    text = GOOD.replace("[feeds.azure]", f"[feeds.{slug}]")
    line = text.split("\n").index(f"[feeds.{slug}]") + 1
    assert problems_of(tmp_path, text) == [
        f"{line}: feeds.{slug}: {slug} is a name Windows reserves for a device, with any "
        f"extension: {slug}.rss could not be checked out, unzipped or copied there; choose "
        f"another (as {slug}-feed)"
    ]
    for fine in (f"{slug}-feed", f"{slug}s", "console", "com10"):
        (tmp_path / "config.toml").write_text(GOOD.replace("[feeds.azure]", f"[feeds.{fine}]"))
        assert fine in [f.slug for f in load_config(tmp_path / "config.toml").feeds]


def test_a_name_over_64_characters_is_told_the_limit(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(GOOD.replace("[feeds.azure]", f"[feeds.{'a' * 64}]"))
    assert "a" * 64 in [f.slug for f in load_config(tmp_path / "config.toml").feeds]
    problems = problems_of(tmp_path, GOOD.replace("[feeds.azure]", f"[feeds.{'a' * 65}]"))
    assert len(problems) == 1, problems
    assert (
        "slug must be 1 to 64 lowercase letters, digits and hyphens, not 65 (it becomes"
        in problems[0]
    )


@pytest.mark.parametrize("content", ['"**/*.txt"', '"news/**/*"'])
def test_a_cache_in_a_dot_folder_a_glob_never_searches_is_fine(
    tmp_path: Path, content: str
) -> None:
    """``**`` enters no folder whose name begins with a dot: the default cache,
    ``.feedpub/cache.sqlite``, under a ``**`` glob's folder was refused all the same."""
    (tmp_path / "news").mkdir()
    cache = '".feedpub/cache.sqlite"' if content.startswith('"*') else '"news/.state/c.sqlite"'
    (tmp_path / "config.toml").write_text(
        _site(content=content, cache=cache, output='"../out"'), encoding="utf-8"
    )
    assert load_config(tmp_path / "config.toml").cache.name.endswith("sqlite")


@pytest.mark.parametrize(
    ("glob", "words"),
    [
        ("~/posts/*.md", "'~/posts/*.md': a ~ is not the home folder here"),
        (
            "_posts\\2024\\*.md",
            "a \\ is a letter of a name here, not a folder separator: write '_posts/2024/*.md'",
        ),
        (
            "{_posts,_news}/**/*.md",
            "'{_posts,_news}/**/*.md': a {…,…} list is not expanded here (it would match a "
            "name with braces in it): write a glob each: '_posts/**/*.md', '_news/**/*.md' "
            "(a brace in a name is [{])",
        ),
    ],
)
def test_a_content_glob_written_as_for_a_shell_is_refused(
    tmp_path: Path, glob: str, words: str
) -> None:
    """A glob the shell would expand, which glob takes as it is: it matched no file, and
    beside another glob that matches some, the build said nothing (its articles never
    published), as ~ in site.output is refused."""
    found = problems_of(tmp_path, _site(content=json.dumps(["news/*.txt", glob])))
    assert any("3: site.content: " in p and words in p for p in found), found


def test_a_brace_in_brackets_is_a_name_s_own(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(_site(content='"news/[{]a,b}/*.txt"'), encoding="utf-8")
    assert load_config(tmp_path / "config.toml").content == ("news/[{]a,b}/*.txt",)


@pytest.mark.parametrize(
    ("content", "output"),
    [
        ('"news/*/*"', '"news/a/feeds"'),  # (it matches the folder, not the files in it)
        ('"news/[ab]*/*"', '"news/feeds"'),
        ('"news/*/*"', '"news/.feeds"'),
        # (a glob that matches no file the build writes there: it never read one; the
        # cache's files the listing skips, as the config's own)
        ('"news/*/*.txt"', '"news/feeds"'),
        ('"*/*.txt"', '"feeds"'),
        ('"news/*/b*"', '"news/feeds"'),
        ('"*"', '"feeds"'),
        ('"*/*.txt"', '"out/feeds"'),
        ('"**/*.txt"', '"../feeds"'),
    ],
)
def test_an_output_that_no_content_glob_reaches_is_fine(
    tmp_path: Path, content: str, output: str
) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "config.toml").write_text(_site(content=content, output=output), encoding="utf-8")
    assert load_config(tmp_path / "config.toml").output.name.endswith("feeds")


def test_a_feed_topic_of_direction_controls_alone_is_empty(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, GOOD.replace('topics = ["*"]', 'topics = ["\\u2066\\u2069"]'))
    assert any("topics: must be a non-empty list of topic names" in p for p in problems), problems


def test_a_feed_name_with_control_characters_is_named_escaped(tmp_path: Path) -> None:
    text = GOOD.replace("[feeds.azure]", '[feeds."azure\\r\\u202e"]')
    problems = problems_of(tmp_path, text)
    assert "9: feeds.azure\\r\\u202e: slug must be 1 to 64 lowercase" in "\n".join(problems), (
        problems
    )
    assert not any("\r" in p or "\u202e" in p for p in problems)


def test_every_key_is_named_escaped_at_its_line_whatever_it_holds(tmp_path: Path) -> None:
    """A quoted key is found at its line as TOML decodes it (its escapes read), and a
    key or slug that holds a control is shown escaped, as a file name is: never raw."""
    text = (
        GOOD.replace(
            'timezone = "Europe/Paris"',
            'timezone = "Europe/Paris"\n"\\u001b]52;c;SGVsbG8=\\u0007\\u001b[2J" = 1',
        )
        .replace("[feeds.azure]", '[feeds."a\\u001b[2J"]')
        .replace("min_quality = 50", 'min_quality = 50\n"\\u001b[2Jkey" = 2\nmax_items = 0')
        .replace("[feeds.all]", "[feed.a]\nx = 1\n\n[feeds.all]")
    )
    lines = text.split("\n")
    problems = problems_of(tmp_path, text)
    assert sorted(problems) == sorted(
        [
            f"{lines.index('[feed.a]') + 1}: feed: unknown table: did you mean "
            "[feeds.<slug>]? (expected [site] and [feeds.<slug>])",
            f"8: site.\\x1b]52;c;SGVsbG8=\\x07\\x1b[2J: unknown key (known: {SITE_KNOWN})",
            "10: feeds.a\\x1b[2J: slug must be 1 to 64 lowercase letters, digits and "
            "hyphens (it becomes a file name and a URL: ASCII a-z only, as [feeds.tech]; "
            "the feed's title may be in any language)",
            f"14: feeds.a\\x1b[2J.\\x1b[2Jkey: unknown key (known: {FEED_KNOWN})",
            "15: feeds.a\\x1b[2J.max_items: must be 1 or more",
        ]
    ), problems


SITE_KNOWN = (
    "cache, content, description, exclude, feeds_url, hub, labels, language, link, "
    "lock_timeout, max_file_size, max_items, output, owner, timezone, title"
)
FEED_KNOWN = "archive, archive_size, description, formats, max_items, min_quality, title, topics"


def test_a_dotted_key_is_found_at_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("max_items = 5", "max_items = 5\n\"\\u0078\" . 'y' = 1")
    problems = problems_of(tmp_path, text)
    assert problems == [f"18: feeds.all.x: unknown key (known: {FEED_KNOWN})"], problems


def test_a_valid_config_never_scans_for_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lines (and the quoted keys, decoded one by one by TOML's reader) are worked
    out only when a problem asks: a valid config, quoted keys and all, is read once."""
    import tomllib

    read: list[str] = []
    loads = tomllib.loads

    def counted(text: str) -> dict[str, object]:
        read.append(text)
        return loads(text)

    monkeypatch.setattr(tomllib, "loads", counted)
    text = GOOD.replace("max_items = 5", '"max_items" = 5')
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    assert load_config(tmp_path / "config.toml").feed("azure") is not None
    assert read == [text]
    read.clear()  # (a problem: then the quoted key is decoded for its line)
    bad = text.replace('"max_items" = 5', '"max_items" = 0')
    line = bad.split("\n").index('"max_items" = 0') + 1
    assert problems_of(tmp_path, bad) == [f"{line}: feeds.all.max_items: must be 1 or more"]
    assert len(read) > 1


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("[site]", "[Site]", "2: Site: unknown table: did you mean [site]?"),
        ("[site]", "[sites]", "2: sites: unknown table: did you mean [site]?"),
        ("[feeds.", "[Feeds.", "9: Feeds: unknown table: did you mean [feeds.<slug>]?"),
        ("[feeds.", "[feed.", "9: feed: unknown table: did you mean [feeds.<slug>]?"),
    ],
)
def test_a_misspelt_table_is_said_once_with_the_one_meant(
    tmp_path: Path, old: str, new: str, said: str
) -> None:
    """``[Site]`` was an unknown table, then five problems with no line (``missing
    [site] table``, each of its keys missing): one mistake, said once, at its line."""
    problems = problems_of(tmp_path, GOOD.replace(old, new))
    assert len(problems) == 1, problems
    assert problems[0].startswith(said), problems
    assert "(expected [site] and [feeds.<slug>])" in problems[0], problems


def test_a_missing_table_is_said_once_at_a_line(tmp_path: Path) -> None:
    """A config without [site] (or without a feed) says so at line 1, once: not each
    of its keys missing, with no line."""
    feeds = GOOD[GOOD.index("[feeds.azure]") :]
    assert problems_of(tmp_path, feeds) == [
        "1: site: missing [site] table: add one, with title, link, feeds_url and content"
    ]
    site = GOOD[: GOOD.index("[feeds.azure]")]
    assert problems_of(tmp_path, site) == ["1: feeds: no feeds: add at least one "
                                           "[feeds.<slug>] table"]  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('title = "T"', 'Title = "T"', "3: site.Title: unknown key: did you mean title? (known: "),
        ("feeds_url =", "feedsurl =", "5: site.feedsurl: unknown key: did you mean feeds_url? ("),
        (
            'title = "Azure"',
            'titel = "Azure"',
            "10: feeds.azure.titel: unknown key: did you mean title? (known: ",
        ),
        (
            "min_quality",
            "min_qualty",
            "12: feeds.azure.min_qualty: unknown key: did you mean min_quality? (known: ",
        ),
    ],
)
def test_a_misspelt_key_is_said_with_the_one_meant(
    tmp_path: Path, old: str, new: str, said: str
) -> None:
    problems = problems_of(tmp_path, GOOD.replace(old, new, 1))
    assert any(p.startswith(said) for p in problems), problems
    assert not [p for p in problems if "missing (required)" in p], problems  # (said once)


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (" " * 100_000 + "“", '1: invalid TOML: “ ” and ‘ ’ are not quotes to TOML: write " '
                               "(with straight quotes)"),
        ("[site]\ndescription = “a\x1b[31m”", '2: invalid TOML: “ ” and ‘ ’ are not quotes '
         'to TOML: write description = "a\\u001b[31m" (with straight quotes)'),
    ],
)  # fmt: skip
def test_the_curly_quote_advice_is_linear_and_toml(tmp_path: Path, line: str, said: str) -> None:
    """A line of spaces with a curly quote was quadratic (100,000: minutes); the advice
    for a text with a control in it wrote \\x1b, which TOML does not read."""
    cfg = tmp_path / "config.toml"
    cfg.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert info.value.problems == [said]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('title = "Azure"', "title = “Azure”", '10: invalid TOML: “ ” and ‘ ’ are not quotes '
                                                'to TOML: write title = "Azure"'),
        ('title = "Azure"', "title = ‘Azure’", '10: invalid TOML: “ ” and ‘ ’ are not quotes '
                                                'to TOML: write title = "Azure"'),
        # (what the text holds kept, and escaped: the advice is TOML itself)
        ('title = "Azure"', 'title = “It’s "news"”', '10: invalid TOML: “ ” and ‘ ’ are not '
                                                      'quotes to TOML: write title = "It’s '
                                                      '\\"news\\""'),
        ('title = "Azure"', 'title = "Azure”', '10: invalid TOML: “ ” and ‘ ’ are not quotes '
                                                'to TOML: write title = "Azure"'),
        ("[feeds.all]", "[feeds.azure]", "14: invalid TOML: [feeds.azure] is declared twice: "
                                         "the first at line 9: "),
        ("max_items = 5", 'max_items = 5\ntitle = "Again"', '18: invalid TOML: feeds.all.title '
                                                           "is set twice: the first at line 15: "),
    ],
)  # fmt: skip
def test_a_toml_mistake_is_said_in_plain_words(
    tmp_path: Path, old: str, new: str, said: str
) -> None:
    """Word's curly quotes gave 'Invalid value (at line 13, column 9)', and a table
    declared twice "Cannot declare ('feeds', 'azure') twice": each said as it is, with
    what to write, and where the first one is."""
    problems = problems_of(tmp_path, GOOD.replace(old, new, 1))
    assert len(problems) == 1 and problems[0].startswith(said), problems


@pytest.mark.parametrize("check", [[], ["--check"]])
def test_config_problems_are_printed_by_line(tmp_path: Path, check: list[str]) -> None:
    """Found feeds after [site], and a site's keys in the order they are checked: printed
    as an editor goes down the file, whatever the order they were found in."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[feeds.azure]\ntitel = "Azure"\ntopics = ["Azure"]\n\n'
        '[site]\ntimezone = "Mars/Olympus"\ntitle = "T"\nlink = "ftp://example.com/"\n'
        'feeds_url = "https://example.com/feeds/"\ncontent = ["*.txt"]\nmax_items = 0\n',
        encoding="utf-8",
    )
    code, _, err = run_cli("build", "-c", str(config), *check)
    assert code == 2
    lines = [int(line.split(":")[1]) for line in err.splitlines()]
    assert lines == [2, 6, 8, 11], err


_NOT_CLOSED = "the {q} that opens a text on this line is not closed: end the text with {q} on this line (a text over several lines is written in {qqq})"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[site]\ntitle = "My site\nlink = "x"\n', "2: invalid TOML: " + _NOT_CLOSED.format(q='"', qqq='"""')),
        ("[site]\ntitle = 'My site\nlink = 1\n", "2: invalid TOML: " + _NOT_CLOSED.format(q="'", qqq="'''")),
        ('[site]\ntitle = "My site', "2: invalid TOML: " + _NOT_CLOSED.format(q='"', qqq='"""')),
        ('[site]\ndescription = """abc\nlink = 1\n' + "more\n" * 200_000,
         '2: invalid TOML: the """ that opens a text on this line is never closed: end the text with """'),
        ("[site]\nd = '''\nit's '' \n''''\n# it's\ne = 'a\nf = 1\n",
         "6: invalid TOML: " + _NOT_CLOSED.format(q="'", qqq="'''")),
        ('[site]\nd = "a \\" # \\\\" # "\ne = [\n' + '  "\\"\\"", # "\n' * 100_000 + "]\nt = 'b\n",
         "100005: invalid TOML: " + _NOT_CLOSED.format(q="'", qqq="'''")),
    ],
)  # fmt: skip
def test_a_text_not_closed_is_named_at_the_line_it_opens(
    tmp_path: Path, text: str, said: str
) -> None:
    """TOML named the end of the file (line 1, "at end of document"), or the line break
    as an illegal character: now the line where the quote opens, and to close it. (The
    quotes are read once: 200,000 lines of a text left open, 100,000 of escapes.)"""
    assert problems_of(tmp_path, text) == [said]


_DOTTED_FIRST = (
    "is declared twice: at line {n} by a dotted key, then here as a header: put that key "
    "under this header, without its dotted start (or the header's keys as dotted keys, and "
    "remove the header)"
)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            '[feeds.ai]\ntitle = "AI"\n\n[feeds]\nai.topics = ["AI"]\n',
            "5: invalid TOML: [feeds.ai] is declared twice: as a header at line 1, then here "
            "by a dotted key: put this key under [feeds.ai], without its dotted start",
        ),
        (
            '[site]\nlabels.latest = "Neu"\ntitle = "T"\n\n[site.labels]\nrelated = "Mehr"\n',
            "5: invalid TOML: [site.labels] " + _DOTTED_FIRST.format(n=2),
        ),
        (
            'feeds.ai.title = "AI"\n\n[site]\ntitle = "T"\n\n[feeds.ai]\ntopics = ["AI"]\n',
            "6: invalid TOML: [feeds.ai] " + _DOTTED_FIRST.format(n=1),
        ),
    ],
)
def test_a_table_made_twice_by_a_dotted_key_and_a_header_names_both_lines(
    tmp_path: Path, text: str, said: str
) -> None:
    """A dotted key after its table's header kept TOML's "Cannot redefine namespace
    ('feeds', 'ai')"; a dotted key before the header was said as two headers."""
    assert problems_of(tmp_path, text) == [said]


def test_the_names_the_glob_check_knows_are_every_file_a_build_writes(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """The output check (a content glob that would match the build's own files) knows
    their names from config._written: a name a build writes that it does not know would
    be read back as an article where the check sees none."""
    import re

    from feedpub.config import _written

    feeds = """
[feeds.azure]
title = "Azure"
topics = ["Azure"]
max_items = 1
archive = true
archive_size = 1
formats = ["rss", "atom", "json"]

[feeds.all]
title = "Everything"
topics = ["*"]
"""
    cfg = write_config(["content/*.txt"], feeds)
    assert run_cli("build", "-c", str(cfg), "--now", "2026-11-01T00:00:00Z")[0] == 0
    names = {re.sub(r"-archive-[0-9]+\.", "-archive-1.", p.name)
             for p in (cfg.parent / "feeds").iterdir() if not p.name.startswith(".")}  # fmt: skip
    assert "azure-archive-1.json" in names and "index.html" in names
    assert names <= set(_written(["azure", "all"]))
