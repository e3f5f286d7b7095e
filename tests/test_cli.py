"""The command line, end to end, with CliRunner(catch_exceptions=False)."""

from __future__ import annotations

import codecs
import json
import os
import pty
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from .conftest import AZURE_AI_FEEDS, ROOT, SEEDS, interruptible, run_cli

sys.path.insert(0, str(ROOT / "bench"))
from corpus import generate

NOW = "2021-01-01T00:00:00Z"
AZURE_URLS = [
    "https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/",
    "https://thenextweb.com/artificial-intelligence/2020/05/19/microsoft-just-built-one-of-the-top-five-most-powerful-supercomputers-on-the-planet/",
]
SECRETS = [
    f.read_text(encoding="utf-8").split('secured: "')[1].split('"')[0]
    for f in sorted(SEEDS.glob("*.txt"))
]
UNPUBLISHED_ONLY = "zdnet.com/article/microsoft-builds-a-supercomputer"  # not even a related link


run = run_cli


@pytest.fixture
def cfg(write_config, seeds_dir: Path) -> Path:  # type: ignore[no-untyped-def]
    return write_config(["content/*.txt"], AZURE_AI_FEEDS)


def no_leak(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret[:24] not in text
        assert UNPUBLISHED_ONLY not in text


def test_preview_azure_lists_the_two_published_articles_newest_first(cfg: Path) -> None:
    code, out, err = run("preview", "azure", "-c", str(cfg), "--now", NOW, "--format", "json")
    assert code == 0, err
    items = json.loads(out)
    assert [i["url"] for i in items] == AZURE_URLS
    no_leak(out, err)


def test_preview_s_table_lines_up_titles_as_a_terminal_shows_them(
    cfg: Path, seeds_dir: Path
) -> None:
    """A CJK character takes two columns, an accent that combines none: titles were cut
    and padded by characters, and a Japanese headline pushed its row's next columns 48
    columns to the right."""
    from wcwidth import wcswidth

    titles = ["東京の新しいデータセンターについて" * 3, "Iraq\u0301 " * 20]  # (q́: no one character)
    rows = _preview_rows_titled(cfg, seeds_dir, titles)
    assert len(rows) == 4 and any("東京" in r for r in rows) and any("\u0301" in r for r in rows)
    assert len(_provider_columns(rows)) == 1 and all(wcswidth(r) >= 0 for r in rows)


def _preview_rows_titled(cfg: Path, seeds_dir: Path, titles: list[str]) -> list[str]:
    """The rows of ``preview azure`` once a copy of an Azure seed is given each title."""
    data = (seeds_dir / "002_882cc4a5fc2a4bd2.txt").read_bytes()
    for i, title in enumerate(titles):
        (seeds_dir / f"t{i}.txt").write_bytes(
            data.replace(b"/news/", f"/news{i}/".encode()).replace(
                b'title: "Microsoft builds', f'title: "{title}'.encode(), 1
            )
        )
    code, out, err = run("preview", "azure", "-c", str(cfg), "--now", NOW)
    assert code == 0, err
    return out.splitlines()[1:]


def _provider_columns(rows: list[str]) -> set[int]:
    """Where the provider's column begins, in columns, on each row that shows CNET: the
    same on every row when the table lines up."""
    from wcwidth import wcswidth

    return {wcswidth(r[: r.index("  CNET")]) for r in rows if "  CNET" in r}


def test_preview_s_table_counts_an_emoji_of_vs16_as_two_columns(cfg: Path, seeds_dir: Path) -> None:
    """A ❤ (one column) followed by VS16, U+FE0F, is the emoji ❤️, which a terminal (tmux,
    as wcwidth's wcswidth) shows in two: its title was padded a column too many, and its
    row's provider and URL stood a column right of the others'."""
    titles = ["I \u2764\ufe0f Azure, \u2600\ufe0f and \u2601\ufe0f", "\u2764\ufe0f" * 40]
    rows = _preview_rows_titled(cfg, seeds_dir, titles)
    assert len(rows) == 4 and sum("\u2764\ufe0f" in r for r in rows) == 2
    assert len(_provider_columns(rows)) == 1, rows


def test_preview_s_table_keeps_a_right_to_left_title_in_its_column(
    cfg: Path, seeds_dir: Path
) -> None:
    """In a terminal that lays out bidirectional text (GNOME Terminal, Konsole), a
    Hebrew title, the spaces after it and a Hebrew provider made one run from right to
    left: the provider was shown where the title was, the title where the provider was,
    and the count of related items before both; a Hebrew heading showed its count
    first. Each such cell is now isolated (FSI, PDI: no column), its padding outside;
    a left-to-right one is as it was."""
    data = (seeds_dir / "002_882cc4a5fc2a4bd2.txt").read_bytes()
    title, provider = "שלום עולם: כותרת בעברית", "חדשות"
    (seeds_dir / "002_882cc4a5fc2a4bd2.txt").write_bytes(
        data.replace(b'title: "Microsoft builds massive supercomputer for smarter AI"',
                     f'title: "{title}"'.encode())
        .replace(b"  name: CNET", f"  name: {provider}".encode())
        .replace(b"  - Azure", "  - Azure\n  - שלום".encode(), 1)
    )  # fmt: skip
    code, out, err = run("preview", "azure", "-c", str(cfg), "--now", NOW)
    assert code == 0, err
    hebrew, latin = out.splitlines()[1:]
    cell = f"\u2068{title}\u2069{' ' * (70 - len(title))}  \u2068{provider}\u2069{' ' * 15}  img"
    assert f"  {cell}" in hebrew and "\u2068" not in latin, hebrew
    assert run("preview", "שלום", "-c", str(cfg), "--now", NOW)[1].startswith(
        "\u2068שלום\u2069: 1 item\n"
    )
    # laid out by the Unicode bidirectional algorithm, as such a terminal does (fribidi's)
    if shutil.which("fribidi"):
        shown = subprocess.run(["fribidi", "--ltr", "--nopad", "--width", "400"], input=hebrew,
                               capture_output=True, text=True, check=True).stdout  # fmt: skip
        shown = shown.replace("\u2068", "").replace("\u2069", "").rstrip("\n")
        assert shown == hebrew.replace("\u2068", "").replace("\u2069", "").replace(
            title, title[::-1]).replace(provider, provider[::-1]), shown  # fmt: skip


def test_preview_any_topic_even_without_a_feed(cfg: Path) -> None:
    code, out, err = run("preview", "AI", "-c", str(cfg), "--now", NOW, "--format", "json")
    assert code == 0, err
    assert [i["url"] for i in json.loads(out)] == [
        "https://hothardware.com/news/openai-supercomputer-by-microsoft"
    ]
    code, out, _ = run("preview", "Microsoft AI", "-c", str(cfg), "--now", NOW)
    assert code == 0
    assert "HotHardware" in out and "hothardware.com/news/openai" in out
    assert "\x1b[" not in out  # no colour when not on a terminal
    no_leak(out)


def test_preview_says_how_many_items_it_shows_of_how_many(cfg: Path) -> None:
    """``--limit 1`` of a feed of two said "1 item(s)": now "1 of 2 items"; uncut, how
    many there are, singular or plural."""

    def heading(*args: str) -> str:
        code, out, err = run("preview", *args, "-c", str(cfg), "--now", NOW)
        assert code == 0, err
        return out.splitlines()[0]

    assert heading("azure", "--limit", "1") == "Azure (the feed azure): 1 of 2 items"
    assert heading("azure") == heading("azure", "--limit", "2") == "Azure (the feed azure): 2 items"
    assert heading("AI") == "AI: 1 item"


def test_preview_says_which_is_the_feed_and_which_the_topic(write_config, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """A topic ``Azure`` and a feed ``azure`` were suggested as "Did you mean: Azure,
    azure?", not saying which was which; and ``preview ai``, the feed ai, whose topic is
    not AI, was headed by its title alone, as the topic AI's preview would be, with no
    word of how to preview the topic. The suggestions say feed or topic, a feed's heading
    says it is the feed, and a feed whose items are not the topic's says how to reach it."""
    feeds = AZURE_AI_FEEDS.replace('topics = ["microsoft ai"]', 'topics = ["Azure"]')
    cfg = write_config(["content/*.txt"], feeds)
    code, _, err = run("preview", "Azur", "-c", str(cfg), "--now", NOW)
    assert (code, err) == (2, "feedpub: no feed or topic named 'Azur'. Did you mean: the topic "
                              "Azure, the feed azure?\n")  # fmt: skip
    code, out, err = run("preview", "ai", "-c", str(cfg), "--now", NOW)
    assert (code, out.splitlines()[0], err) == (
        0,
        "Microsoft AI (the feed ai): 2 items",
        "feedpub: preview ai shows the feed ai (topics: Azure); for the topic AI alone: "
        "feedpub preview AI\n",
    )
    code, out, err = run("preview", "AI", "-c", str(cfg), "--now", NOW)
    assert (code, out.splitlines()[0], err) == (0, "AI: 1 item", "")
    # a feed of the topic of its name alone: nothing to tell
    code, out, err = run("preview", "azure", "-c", str(cfg), "--now", NOW, "--format", "json")
    assert (code, len(json.loads(out)), err) == (0, 2, "")


def test_preview_unknown_topic_suggests_close_matches(cfg: Path) -> None:
    code, _out, err = run("preview", "azur", "-c", str(cfg), "--now", NOW)
    assert code == 2
    assert "no feed or topic named 'azur'" in err and "azure" in err


def test_preview_of_a_topic_a_feed_names_but_no_article_has_yet_is_empty_not_unknown(
    write_config, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """It said "no feed or topic named 'Robotics'" (exit 2), with the topic in config.toml:
    now the empty preview (exit 0), and which feed names it."""
    feeds = AZURE_AI_FEEDS + '\n[feeds.machines]\ntitle = "Machines"\ntopics = ["Robotics"]\n'
    cfg = write_config(["content/*.txt"], feeds)
    said = "feedpub: topic 'robotics' is configured (feeds.machines) but no published article "
    code, out, err = run("preview", "robotics", "-c", str(cfg), "--now", NOW)
    assert (code, out, err) == (0, "Robotics: 0 items\n", said + "has it yet.\n")
    code, out, err = run("preview", "robotics", "-c", str(cfg), "--now", NOW, "--format", "json")
    assert (code, json.loads(out)) == (0, []) and err.startswith(said)
    assert run("preview", "machines", "-c", str(cfg), "--now", NOW)[1:] == (
        "Machines (the feed machines): 0 items\n",
        "",
    )
    # misspelt, it is suggested like an article's topic
    code, _, err = run("preview", "Robotix", "-c", str(cfg), "--now", NOW)
    assert code == 2 and "no feed or topic named 'Robotix'" in err and "Robotics" in err, err
    # the feed that names it is not what it may be a slip for ("Did you mean: machines?")
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("[feeds.machines]", "[feeds.robotic]"),
                   encoding="utf-8")  # fmt: skip
    code, _, err = run("preview", "robotics", "-c", str(cfg), "--now", NOW)
    assert (code, err) == (0, "feedpub: topic 'robotics' is configured (feeds.robotic) but no "
                              "published article has it yet.\n")  # fmt: skip
    # a topic misspelt in config.toml (the notice of a feed written empty says to preview
    # it): what it may be a slip for
    cfg = write_config(
        ["content/*.txt"], AZURE_AI_FEEDS + '\n[feeds.z]\ntitle = "Z"\ntopics = ["Azur"]\n'
    )
    code, out, err = run("preview", "Azur", "-c", str(cfg), "--now", NOW)
    assert (code, out) == (0, "Azur: 0 items\n")
    assert err == ("feedpub: topic 'Azur' is configured (feeds.z) but no published article has "
                   "it yet. Did you mean: the topic Azure, the feed azure?\n")  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "suffix"), [("rss", "rss"), ("atom", "atom"), ("jsonfeed", "json")]
)
def test_preview_prints_what_build_writes(
    write_config, seeds_dir: Path, fmt: str, suffix: str
) -> None:  # type: ignore[no-untyped-def]
    cfg = write_config(
        ["content/*.txt"],
        AZURE_AI_FEEDS.replace(
            'topics = ["Azure"]', 'topics = ["Azure"]\nformats = ["rss", "atom", "json"]'
        ),
    )
    code, out, err = run("preview", "azure", "-c", str(cfg), "--now", NOW, "--format", fmt)
    assert code == 0, err
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert out.encode() == (cfg.parent / "feeds" / f"azure.{suffix}").read_bytes()


def test_preview_of_a_feed_with_archive_pages_prints_what_build_writes(tmp_path: Path) -> None:
    """The sample's "all" feed has archive pages: its subscription document links the
    newest (``prev-archive``), in the preview too."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    cfg, now = str(tmp_path / "config.toml"), "2026-11-01T00:00:00Z"
    assert run("build", "-c", cfg, "--now", now)[0] == 0
    for fmt in ("rss", "atom"):
        code, out, err = run("preview", "all", "-c", cfg, "--now", now, "--format", fmt)
        written = (tmp_path / "feeds" / f"all.{fmt}").read_bytes()
        assert (code, err) == (0, "") and b'rel="prev-archive"' in written
        assert out.encode() == written


def test_preview_in_a_locale_whose_encoding_is_not_utf_8(tmp_path: Path) -> None:
    """In an ISO-8859-1 locale (as Python has it under ``PYTHONIOENCODING=latin-1``),
    ``preview economie`` was a UnicodeEncodeError traceback at the "…" of a title cut
    short, its ``--format json`` at a "’", and ``--format rss`` was not build's bytes:
    re-encoded, a traceback too. Now the table shows "?" for what the locale has not,
    JSON escapes it, and the feed formats are build's bytes."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    now = "2026-11-01T00:00:00Z"
    assert run("build", "-c", str(tmp_path / "config.toml"), "--now", now)[0] == 0

    def preview(*args: str, encoding: str = "latin-1") -> bytes:
        command = [sys.executable, "-m", "feedpub", "preview", "economie", "--now", now, *args]
        env = {**os.environ, "PYTHONIOENCODING": encoding}
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, timeout=120)
        assert (done.returncode, done.stderr) == (0, b""), done.stderr
        return done.stdout

    table = preview().decode("latin-1")
    assert "Économie verte : les régions accélèrent la rénovation thermique des é?" in table
    assert json.loads(preview("--format", "json")) == json.loads(
        preview("--format", "json", encoding="utf-8")
    )
    for fmt in ("rss", "atom"):
        assert preview("--format", fmt) == (tmp_path / "feeds" / f"economie.{fmt}").read_bytes()


def test_preview_columns_line_up_in_a_locale_whose_encoding_is_not_utf_8(
    write_config, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """In an ISO-8859-1 locale a title's CJK characters, shown "?" (one column each),
    were counted two columns each, and its combining accents, shown "?", none: the
    columns after such a title (provider, URL) stood left or right of the others'.
    They are counted as shown, and line up."""
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    for name, title in (("002_882cc4a5fc2a4bd2.txt", "日本語のタイトル、クラウドの話"),
                        ("003_e437473dcdcad073.txt", "Zalgo Z\u0335\u0321a\u0337l\u0336g\u0334o")):  # fmt: skip
        text = (seeds_dir / name).read_text(encoding="utf-8")
        (seeds_dir / name).write_text(re.sub(r'(?m)^title: ".*"$', f'title: "{title}"', text),
                                      encoding="utf-8")  # fmt: skip
    command = [sys.executable, "-m", "feedpub", "preview", "Azure", "-c", str(cfg), "--now", NOW]
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    done = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    assert (done.returncode, done.stderr) == (0, b""), done.stderr
    rows = done.stdout.decode("latin-1").splitlines()[1:]
    assert len(rows) == 2 and "  ??????????????? " in rows[0] and "Z??a?l?g?o" in rows[1]
    assert len({row.index("https://") for row in rows}) == 1, rows


@pytest.mark.parametrize("command", [["build"], ["list"], ["preview", "azure"]])
def test_an_empty_config_option_is_said_so(command: list[str]) -> None:
    """``-c "$CONFIG"`` with CONFIG unset was told "cannot read: Is a directory"."""
    code, _, err = run(*command, "-c", "")
    assert (code, err) == (2, "feedpub: -c is empty: give the path of a config.toml (by "
                              "default ./config.toml)\n")  # fmt: skip


def test_list_shows_every_feed(cfg: Path) -> None:
    code, out, _ = run("list", "-c", str(cfg), "--now", NOW)
    assert code == 0
    heading, *lines = out.splitlines()  # the columns named, then in the order of config.toml
    assert heading.split() == ["FEED", "ITEMS", "(MATCHING)", "NEWEST", "TITLE", "[TOPICS]"]
    assert lines[0].split()[:2] == ["azure", "2"] and "2020-05-19 21:00" in lines[0]
    assert lines[1].split()[:2] == ["ai", "1"] and len(lines) == 2
    # each name above its column
    for name, value in (("ITEMS", "   2 items"), ("NEWEST", "newest"), ("TITLE", "Azure [")):
        assert heading.index(name) == lines[0].index(value), (heading, lines[0])


def test_preview_and_list_tell_apart_the_hour_a_clock_set_back_shows_twice(
    write_config, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """In a Berlin site, articles of 00:30 and 01:30 UTC on 2026-10-25 were both shown
    "2026-10-25 02:30" (CEST, then CET), newest first above one of 02:59: now with
    their offsets, in that hour only, and the columns still in line."""
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS, 'timezone = "Europe/Berlin"')
    for name, date in (("002_882cc4a5fc2a4bd2", "00:30"), ("003_e437473dcdcad073", "01:30")):
        path = seeds_dir / f"{name}.txt"
        text = re.sub(r"(?m)^publishedDateTime: .*$", f"publishedDateTime: 2026-10-25T{date}:00Z",
                      path.read_text(encoding="utf-8"), count=1)  # fmt: skip
        path.write_text(text, encoding="utf-8")
    now = "2026-11-01T00:00:00Z"
    code, out, err = run("preview", "azure", "-c", str(cfg), "--now", now)
    assert code == 0, err
    rows = out.splitlines()[1:]
    assert [r[:23] for r in rows] == ["2026-10-25 02:30+01:00 ", "2026-10-25 02:30+02:00 "]
    code, out, err = run("list", "-c", str(cfg), "--now", now)
    heading, azure, ai = out.splitlines()
    assert code == 0 and "newest 2026-10-25 02:30+01:00  Azure [" in azure, out
    assert "newest 2020-05-20 16:25        Microsoft AI [" in ai, out  # (no fold: as it was)
    assert heading.index("TITLE") == azure.index("Azure [") == ai.index("Microsoft AI [")


def test_list_keeps_its_columns_in_line_with_a_long_slug(write_config, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """A slug past the column's 20 characters pushed its row's columns out from under
    their names: each column is as wide as its longest value."""
    long = "azure-and-everything-else-in-the-cloud"
    cfg = write_config(
        ["content/*.txt"], AZURE_AI_FEEDS + f'\n[feeds.{long}]\ntitle = "L"\ntopics = ["*"]\n'
    )
    code, out, _ = run("list", "-c", str(cfg), "--now", NOW)
    heading, *lines = out.splitlines()
    assert code == 0 and lines[-1].startswith(long + " ")
    for line in lines:
        for name, value in (("ITEMS", " item"), ("NEWEST", "newest")):
            assert heading.index(name) == line.index(value) - 4 * (name == "ITEMS"), (heading, line)


def test_list_counts_one_item_in_the_singular(write_config, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """A feed of one article was listed "   1 items (1 matching)"."""
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    code, out, _ = run("list", "-c", str(cfg), "--now", NOW)
    _, *lines = out.splitlines()
    counts = {line.split()[0]: line.split("(")[0].split(None, 1)[1].rstrip() for line in lines}
    assert code == 0 and "1 item" in counts.values(), out
    assert all(c == "1 item" or c.endswith(" items") for c in counts.values()), out
    assert len({line.index("(") for line in lines}) == 1, out  # (still in one column)


def test_empty_content_says_the_one_feed_file_it_keeps_in_the_singular(
    write_config, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    cfg = write_config(["content/*.txt"], '[feeds.azure]\ntitle = "A"\ntopics = ["Azure"]\n'
                       'formats = ["rss"]\n')  # fmt: skip
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    for f in seeds_dir.iterdir():
        f.unlink()
    code, _, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 3 and "kept 1 existing non-empty feed file. " in err, err


def test_the_output_folders_a_build_makes_are_readable_by_all_whatever_the_umask(
    write_config, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """Under ``umask 077`` the folders were made 0700: a web server answered 403, and
    ``rsync -a`` copied the mode to the host. A folder that was there keeps its mode."""
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS, extra='output = "_site/public/feeds"\n')
    private = cfg.parent / "_site"
    private.mkdir(mode=0o700)
    old = os.umask(0o077)
    try:
        code, out, err = run("build", "-c", str(cfg), "--now", NOW)
    finally:
        os.umask(old)
    assert (code, out, err) == (0, "", "")
    assert oct(private.stat().st_mode & 0o777) == "0o700"  # the site's own
    for folder in (private / "public", private / "public" / "feeds"):
        assert oct(folder.stat().st_mode & 0o777) == "0o755", folder
    files = [p for p in (private / "public" / "feeds").iterdir()]
    assert files and all(oct(p.stat().st_mode & 0o777) == "0o644" for p in files)


def test_files_a_build_leaves_unchanged_are_made_readable_by_all(
    write_config, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """A repository that commits its output folder, cloned under ``umask 077`` (a CI
    job, a cron user's checkout): every file 0600. The build found their bytes right and
    left them so; the deploy copied the mode and the web server answered 403 for each
    feed until it changed (a full archive page: for ever)."""
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    shutil.rmtree(cfg.parent / ".feedpub")  # (a fresh clone: no cache)
    files = sorted((cfg.parent / "feeds").iterdir())
    for f in files:
        f.chmod(0o600)
    before = {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files}
    assert run("build", "-c", str(cfg), "--now", NOW) == (0, "", "")
    assert sorted((cfg.parent / "feeds").iterdir()) == files
    assert {f: oct(f.stat().st_mode & 0o777) for f in files} == {f: "0o644" for f in files}
    assert {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files} == before  # untouched


def test_files_made_unreadable_since_the_last_build_are_made_readable_by_all(
    write_config, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """The same, with the cache of the last build there: a file made 0600 since
    (``chmod``, or a ``tar x`` of a backup under ``umask 077``), its size and mtime
    kept, was taken as the build wrote it, and never looked at again: 403 until its
    feed changed (the site's files too)."""
    from datetime import datetime

    from feedpub.build import build
    from feedpub.config import load_config

    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    files = sorted((cfg.parent / "feeds").iterdir())
    for f in files:
        f.chmod(0o600)
    before = {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files}
    seen: list[str] = []
    result = build(load_config(cfg), datetime.fromisoformat(NOW),
                   observe=lambda what, paths: seen.append(what))  # fmt: skip
    assert {f: oct(f.stat().st_mode & 0o777) for f in files} == {f: "0o644" for f in files}
    assert {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files} == before  # untouched
    # (no feed rendered again for it: on a file system whose files all look 0600, a
    # share mounted so, every feed would be at each build)
    assert {o.status for o in result.outcomes} == {"unchanged"} and "parse" not in seen, seen


def test_build_writes_valid_feeds_quietly(cfg: Path) -> None:
    code, out, err = run("build", "-c", str(cfg), "--now", NOW)
    assert (code, out, err) == (0, "", "")
    feeds = cfg.parent / "feeds"
    assert sorted(p.name for p in feeds.iterdir() if p.suffix in (".rss", ".atom")) == [
        "ai.atom",
        "ai.rss",
        "azure.atom",
        "azure.rss",
    ]
    for name in ("azure.rss", "azure.atom"):
        parsed = feedparser.parse((feeds / name).read_bytes())
        assert [e.link for e in parsed.entries] == AZURE_URLS
    for f in feeds.iterdir():
        if f.suffix in (".rss", ".atom"):
            assert oct(f.stat().st_mode & 0o777) == "0o644"
            text = f.read_text(encoding="utf-8")
            no_leak(text)
            assert (
                "forbes.com/sites/moorinsights/2020/05/20/microsoft-builds-massive-supercomputer-for-openai/</link>"
                not in text
            )
    code, out, _ = run(
        "validate", *(str(p) for p in sorted(feeds.glob("*.rss")) + sorted(feeds.glob("*.atom")))
    )
    assert (code, out) == (0, "")


def test_build_v_counts_add_up_with_the_skipped_files_and_the_site_files(
    cfg: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    """``files 5: read 5, ...; feeds: written 4, ...`` left out the file skipped (a link
    out of the content folder) and feeds.opml and index.html: now each count is the sum
    of the ones after it."""
    (tmp_path / "elsewhere.txt").write_bytes(next(seeds_dir.glob("*.txt")).read_bytes())
    (seeds_dir / "out.txt").symlink_to(tmp_path / "elsewhere.txt")
    for written, unchanged in ((4, 0), (0, 4)):
        code, _, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
        assert code == 0, err
        summary = next(line for line in err.splitlines() if line.startswith("files "))
        read, cached = (5, 0) if written else (0, 5)
        summary = re.sub(r" \(\d+ of them read again: the same bytes\)", "", summary)
        assert summary.startswith(
            f"files 6: read {read}, from cache {cached}, skipped 1; rejected 0, hidden 0; "
            f"feed files 4: written {written}, unchanged {unchanged}, failed 0, deferred 0; "
            f"site files 2: written {written // 2}, unchanged {unchanged // 2}, failed 0, "
            "deferred 0; "
        ), summary
    summary = run("build", "-c", str(cfg), "--now", NOW, "-v", "--feed", "azure")[2]
    assert "feed files 2: written 0, unchanged 2, failed 0, deferred 0; site files 0: " in summary


def test_validate_reads_standard_input_as_dash(cfg: Path) -> None:
    """``curl -s URL | feedpub validate -``: "-" was "File '-' does not exist"."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    good = (cfg.parent / "feeds" / "azure.rss").read_bytes()
    cmd = [sys.executable, "-m", "feedpub", "validate", "-"]
    done = subprocess.run(cmd, input=good, capture_output=True, timeout=120, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    done = subprocess.run(cmd, input=b"<rss>", capture_output=True, timeout=120, check=False)
    assert done.returncode == 1 and done.stdout.startswith(b"-:1: well-formed: ")


def test_validate_of_a_closed_standard_input_says_so(tmp_path: Path) -> None:
    """``feedpub validate - <&-`` was an AttributeError traceback (exit 1)."""
    argv = [sys.executable, "-m", "feedpub", "validate", "-"]
    done = subprocess.run(argv, capture_output=True, timeout=120, check=False,
                          preexec_fn=lambda: os.close(0))  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (
        1, b"-:1: read: cannot read: standard input is closed\n", b""
    )  # fmt: skip


def test_rebuild_with_nothing_changed_touches_nothing(cfg: Path) -> None:
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    feeds = cfg.parent / "feeds"
    before = {
        p.name: p.stat().st_mtime_ns for p in feeds.iterdir() if p.suffix in (".rss", ".atom")
    }
    code, _, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0
    assert "read 0, from cache 5" in err and "written 0, unchanged 4" in err
    after = {p.name: p.stat().st_mtime_ns for p in feeds.iterdir() if p.suffix in (".rss", ".atom")}
    assert after == before


def test_one_changed_article_rerenders_only_its_feeds(cfg: Path, seeds_dir: Path) -> None:
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    f = seeds_dir / "004_17b6bf656801d13b.txt"
    f.write_text(
        f.read_text(encoding="utf-8").replace("Team To Build", "Team Up To Build"), encoding="utf-8"
    )
    code, _, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0, err
    assert "read 1, from cache 4" in err
    assert "written 2, unchanged 2" in err
    assert "wrote" in err and "ai.rss" in err and "azure.rss" not in err
    assert "Team Up To Build" in (cfg.parent / "feeds" / "ai.atom").read_text(encoding="utf-8")


def test_bad_article_exit_1_others_still_built(cfg: Path, seeds_dir: Path) -> None:
    (seeds_dir / "bad.txt").write_text('---\ntitle: "x\n---\n', encoding="utf-8")
    code, _out, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 1
    assert err.startswith("content/bad.txt:2: YAML error")  # (where the quote opens)
    assert (cfg.parent / "feeds" / "azure.rss").exists()


def test_config_error_exit_2_and_nothing_written(write_config, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = write_config(["content/*.txt"], '[feeds.azure]\ntitel = "Azure"\ntopics = ["Azure"]\n')
    code, _, err = run("build", "-c", str(cfg))
    assert code == 2
    assert "feeds.azure.titel: unknown key" in err
    assert not (cfg.parent / "feeds").exists()


def test_unknown_feed_is_a_usage_error(cfg: Path) -> None:
    assert run("build", "-c", str(cfg), "--feed", "nope")[0] == 2


def test_empty_content_does_not_wipe_feeds(cfg: Path, seeds_dir: Path) -> None:
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    before = (cfg.parent / "feeds" / "azure.rss").read_bytes()
    for f in seeds_dir.iterdir():
        f.unlink()
    code, _, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 3 and "yielded no articles" in err
    assert (cfg.parent / "feeds" / "azure.rss").read_bytes() == before
    # --check with --allow-empty: what a build with it would write (empty feeds) differs
    code, _, err = run("build", "-c", str(cfg), "--now", NOW, "--check", "--allow-empty")
    assert code == 3 and "differs" in err and "yielded no articles" not in err
    assert run("build", "-c", str(cfg), "--now", NOW, "--allow-empty")[0] == 0
    assert b"<item>" not in (cfg.parent / "feeds" / "azure.rss").read_bytes()
    assert run("build", "-c", str(cfg), "--now", NOW, "--check", "--allow-empty")[0] == 0


def test_a_clock_set_back_does_not_empty_the_feeds(cfg: Path) -> None:
    """A machine booted before its clock is set (1970), a VM snapshot restored: every
    article was "future", the feeds were written empty and the archive pages removed,
    exit 0 and not a word. Refused now (exit 3), as empty content is, in a full or an
    incremental build; --allow-empty publishes the empty feeds."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    feeds = cfg.parent / "feeds"
    before = {p.name: p.read_bytes() for p in feeds.iterdir()}
    for extra in ([], ["--full"]):
        code, out, err = run("build", "-c", str(cfg), "--now", "1970-01-02T00:00:00Z", *extra)
        assert code == 3 and out == "", err
        assert "every published article is dated after now (1970-01-02T00:00:00Z; the first " in err
        assert "is the clock right?" in err and "--allow-empty" in err
        assert {p.name: p.read_bytes() for p in feeds.iterdir()} == before
    assert run("build", "-c", str(cfg), "--now", "1970-01-02T00:00:00Z", "--allow-empty")[0] == 0
    assert b"<item>" not in (feeds / "azure.rss").read_bytes()


def test_every_article_taken_back_but_one_to_come_empties_the_feeds(
    cfg: Path, seeds_dir: Path
) -> None:
    """Not the clock's guard: the clock went on since the last build, and every
    article but one embargoed is unpublished (a takedown): the feeds empty, exit 0."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    for f in seeds_dir.iterdir():
        f.write_text(f.read_text("utf-8").replace("published: true", "published: false"), "utf-8")
    (seeds_dir / "zz_embargoed.txt").write_text(
        '---\ntitle: "Later"\npublishedDateTime: 2030-01-01T00:00:00Z\n'
        'webUrl: "https://example.com/later"\npublished: true\ntopics: [Azure]\n---\n',
        encoding="utf-8",
    )
    for extra in ([], ["--full"]):  # (--full reads when the last build ran, too)
        assert run("build", "-c", str(cfg), "--now", "2021-01-02T00:00:00Z", *extra)[0] == 0
        assert b"<item>" not in (cfg.parent / "feeds" / "azure.rss").read_bytes()


@pytest.mark.parametrize(
    "now", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "1969-12-31T23:59:59Z"]
)
def test_a_now_out_of_range_is_a_usage_error(cfg: Path, now: str) -> None:
    """(It was a traceback, exit 1: the code of rejected articles.)"""
    for command in (["build"], ["list"], ["preview", "azure"]):
        code, _, err = run(*command, "-c", str(cfg), "--now", now)
        assert code == 2 and "is out of range: give a moment from 1970 to 9999" in err, err
        assert "Traceback" not in err


@pytest.mark.parametrize(
    ("now", "same"),
    [
        # RFC 3339's lower-case t and z, which an article's date may have
        ("2024-06-10t12:00:00z", "2024-06-10T12:00:00Z"),
        # a fraction of the last second there is: "out of range: … from 1970 to 9999"
        ("9999-12-31T23:59:59.5Z", "9999-12-31T23:59:59Z"),
        ("2024-06-10T12:00:00.999999+00:00", "2024-06-10T12:00:00Z"),
    ],
)
def test_a_now_is_read_as_rfc_3339_writes_it_to_the_second(cfg: Path, now: str, same: str) -> None:
    """Both were usage errors (exit 2)."""
    for command in (["list"], ["preview", "azure", "--format", "json"]):
        code, out, err = run(*command, "-c", str(cfg), "--now", now)
        assert code == 0, err
        assert (code, out) == run(*command, "-c", str(cfg), "--now", same)[:2]


def test_an_exclude_of_every_file_is_refused_naming_it(write_config, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """site.exclude leaving out every file the globs match: a first build said they
    'match no file: check site.content', a later one 'Check site.content'; now both
    say how many files site.exclude left out, and to check it."""
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS, 'exclude = ["content/0*"]')
    code, _, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 3 and "matches 5 files, every one left out by site.exclude" in err, err
    assert "check site.exclude" in err and "matches no file" not in err
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS, 'exclude = ["content"]')
    code, _, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 3 and "yielded no articles (5 files left out by site.exclude)" in err, err
    assert "Check site.content and site.exclude" in err


def test_conflict_copies_alone_are_not_told_no_file(write_config, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """A glob that matches only a sync tool's conflict copy matched a file: it was told
    'matches no file: check site.content' (exit 3), where a file rejected for its front
    matter writes the feeds empty (exit 1); now as that file, the copy named."""
    for f in seeds_dir.iterdir():
        f.rename(f.with_name(f.stem + " (conflicted copy 2026-12-01).txt"))
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    code, _, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 1 and "matches no file" not in err and "conflicted copy" in err, err
    assert (cfg.parent / "feeds" / "azure.rss").exists()


def test_a_first_build_whose_globs_match_no_file_is_refused(write_config, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """A typo in site.content: no feed is written empty without a word (exit 0), the
    build says so (exit 3); --allow-empty publishes the empty feeds."""
    cfg = write_config(["contnet/*.txt"], AZURE_AI_FEEDS)
    code, _, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 3 and "(contnet/*.txt) matches no file: check site.content" in err, err
    assert not (cfg.parent / "feeds").exists()  # (no empty folder to serve or deploy)
    assert run("build", "-c", str(cfg), "--now", NOW, "--allow-empty")[0] == 0
    assert (cfg.parent / "feeds" / "azure.rss").exists()


def test_check_reports_stale_feeds_and_writes_nothing(cfg: Path, seeds_dir: Path) -> None:
    code, _, err = run("build", "-c", str(cfg), "--now", NOW, "--check")
    # (none is there yet: "missing", not "differs")
    assert code == 3 and f"{cfg.parent / 'feeds' / 'azure.rss'}: is missing (a build would " \
        "write it)" in err and "differs" not in err  # fmt: skip
    assert not (cfg.parent / "feeds" / "azure.rss").exists()
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert run("build", "-c", str(cfg), "--now", NOW, "--check")[0] == 0


def test_check_full_trusts_no_cache(cfg: Path, seeds_dir: Path) -> None:
    """``build --check --full`` ignored --full: it trusted the cache as --check does, so
    a file edited keeping its size and mtime (a copy that keeps mtimes) was not read, its
    feed found up to date. It reads and renders everything, and leaves the cache alone."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    path = next(p for p in sorted(seeds_dir.glob("*.txt")) if b"published: true" in p.read_bytes())
    data, stat = path.read_bytes(), path.stat()
    at = data.index(b"title: ") + len(b'title: "')
    path.write_bytes(data[:at] + b"X" + data[at + 1 :])  # (the same size)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    cache = (cfg.parent / ".feedpub" / "cache.sqlite").read_bytes()
    assert run("build", "-c", str(cfg), "--now", NOW, "--check")[0] == 0  # (trusts the cache)
    code, _, err = run("build", "-c", str(cfg), "--now", NOW, "--check", "--full")
    assert code == 3 and "azure.rss: differs" in err, err
    assert (cfg.parent / ".feedpub" / "cache.sqlite").read_bytes() == cache


def test_check_keeps_its_exit_code_when_stderrs_reader_leaves(cfg: Path) -> None:
    """``feedpub build --check 2>&1 | head -1`` in a CI step: the lines after the
    first met a closed pipe, and the exit code was 1 ("articles rejected"), not 3."""
    command = [sys.executable, "-m", "feedpub", "build", "-c", str(cfg), "--now", NOW, "--check"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    proc.stderr.close()  # the reader gone before the first line
    assert proc.wait(timeout=120) == 3


@pytest.mark.parametrize(
    ("command", "code"),
    [(["preview", "azure"], 0), (["preview", "azure", "--format", "atom"], 0), (["list"], 0),
     (["validate", "--now", "2020-01-01T00:00:00Z", "feeds/azure.rss"], 1)],
)  # fmt: skip
def test_preview_list_and_validate_keep_their_exit_code_when_stdouts_reader_leaves(
    cfg: Path, command: list[str], code: int
) -> None:
    """``feedpub preview azure | head -3``: the lines after the third met a closed pipe,
    and the exit code was click's 1 (under ``set -o pipefail``, a failed step)."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    argv = [sys.executable, "-m", "feedpub", *command]
    argv += [] if command[0] == "validate" else ["-c", str(cfg), "--now", NOW]
    with subprocess.Popen(
        argv, cwd=cfg.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader gone before the first line
        assert (proc.wait(timeout=120), proc.stderr.read()) == (code, b"")


@pytest.mark.parametrize("command", [["preview", "azure"], ["list"]])
def test_a_standard_output_that_cannot_be_written_is_said_so(cfg: Path, command: list[str]) -> None:
    """``feedpub preview azure > out.txt`` on a full disk (``/dev/full``) was an
    OSError traceback; with stdout closed (``>&-``), an AttributeError one, then exit 0
    with the table dropped without a word: both are said, exit 74."""
    argv = [sys.executable, "-m", "feedpub", *command, "-c", str(cfg), "--now", NOW]
    with open("/dev/full", "wb") as full:
        done = subprocess.run(argv, stdout=full, stderr=subprocess.PIPE, timeout=120, check=False)
    assert (done.returncode, done.stderr) == (
        74,
        b"feedpub: cannot write standard output: No space left on device\n",
    )
    closed = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120,
                            check=False, preexec_fn=lambda: os.close(1))  # fmt: skip
    assert (closed.returncode, closed.stderr) == (
        74,
        b"feedpub: cannot write standard output: it is closed\n",
    )


def test_validate_with_stdout_closed_says_so_only_when_it_has_a_problem_to_print(
    cfg: Path,
) -> None:
    """``feedpub validate bad.rss >&-`` exited 1 with its problems dropped unsaid; a
    valid file, with nothing to print, still exits 0."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    argv = [sys.executable, "-m", "feedpub", "validate", "feeds/azure.rss", "--now"]
    codes = []
    for now in (NOW, "2020-01-01T00:00:00Z"):  # (valid; dated in the future)
        done = subprocess.run([*argv, now], cwd=cfg.parent, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=120, check=False,
                              preexec_fn=lambda: os.close(1))  # fmt: skip
        codes.append((done.returncode, done.stderr))
    assert codes == [(0, b""), (74, b"feedpub: cannot write standard output: it is closed\n")]


@pytest.mark.parametrize("options", [["--help"], ["--version"], ["preview", "--help"]])
def test_help_and_version_to_a_standard_output_that_cannot_be_written_are_said_so(
    options: list[str],
) -> None:
    """``feedpub --help > /dev/full`` (a full disk) was an OSError traceback, exit 1, and
    ``feedpub --version >&-`` exit 0 with nothing said: each is said as preview's table
    is, exit 74; a standard output that takes them still shows them, exit 0."""
    argv = [sys.executable, "-m", "feedpub", *options]
    with open("/dev/full", "wb") as full:
        done = subprocess.run(argv, stdout=full, stderr=subprocess.PIPE, timeout=120, check=False)
    closed = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120,
                            check=False, preexec_fn=lambda: os.close(1))  # fmt: skip
    shown = subprocess.run(argv, capture_output=True, timeout=120, check=False)
    assert [(done.returncode, done.stderr), (closed.returncode, closed.stderr)] == [
        (74, b"feedpub: cannot write standard output: No space left on device\n"),
        (74, b"feedpub: cannot write standard output: it is closed\n"),
    ]
    assert (shown.returncode, shown.stderr, bool(shown.stdout)) == (0, b"", True)


@pytest.mark.parametrize(("rejected", "code"), [(False, 0), (True, 1)])
def test_a_build_with_stderr_closed_builds(cfg: Path, rejected: bool, code: int) -> None:
    """``feedpub build >/dev/null 2>&-`` (a cron line that wants no mail) stopped on an
    AttributeError before it read an article, exit 1 (rejected files, to the deploy
    script): the feeds were never written. It builds, and its exit code is the build's."""
    if rejected:
        (cfg.parent / "content" / "bad.txt").write_text("---\ntitle: [x\n---\n", "utf-8")
    argv = [sys.executable, "-m", "feedpub", "build", "-c", str(cfg), "--now", NOW]
    for extra in ([], ["-v"]):
        done = subprocess.run([*argv, *extra], stdout=subprocess.DEVNULL, timeout=120,
                              check=False, preexec_fn=lambda: os.close(2))  # fmt: skip
        assert done.returncode == code
    assert (cfg.parent / "feeds" / "azure.rss").is_file()
    assert run("build", "-c", str(cfg), "--now", NOW, "--check")[0] == code


def test_paths_of_the_config_are_the_same_names_whatever_the_locale(
    write_config, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """In a locale whose encoding is not UTF-8 (here ASCII: ``LC_ALL=C PYTHONUTF8=0``;
    ISO-8859-1 for a name out of Latin-1), an output folder, a cache or a content glob
    with a letter past ASCII in config.toml was a UnicodeEncodeError traceback, exit 1
    (rejected files, to a deploy script), and no feed was written. Each names the same
    bytes on disk as in a UTF-8 locale."""
    seeds_dir.rename(seeds_dir.parent / "actualités")
    cfg = write_config(["actualités/*.txt"], AZURE_AI_FEEDS,
                       extra='output = "flux-économie"\ncache = "état/cache.sqlite"\n')  # fmt: skip
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    argv = [sys.executable, "-m", "feedpub", "build", "-c", str(cfg), "--now", NOW]
    done = subprocess.run(argv, capture_output=True, env=env, timeout=120, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    root = os.fsencode(cfg.parent)
    assert {b"flux-\xc3\xa9conomie", b"\xc3\xa9tat"} <= set(os.listdir(root))
    assert b"azure.rss" in os.listdir(os.path.join(root, b"flux-\xc3\xa9conomie"))
    # the very files a UTF-8 locale's build names: nothing to write, none stale
    code, _, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0 and "written 0, unchanged 4" in err, err
    assert run("build", "-c", str(cfg), "--now", NOW, "--check")[0] == 0


def _latin_1_locale(folder: Path) -> dict[str, str]:
    """The environment of an ISO-8859-1 locale compiled into ``folder``, by glibc's
    localedef from the sources of Debian's ``locales`` package (on this project's
    machines; elsewhere, ``apt-get install locales``)."""
    made = subprocess.run(["localedef", "-i", "fr_FR", "-f", "ISO-8859-1", str(folder / "fr")],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert made.returncode < 2, f"localedef (Debian's locales package): {made.stderr}"
    return {"LOCPATH": str(folder), "LC_ALL": "fr"}


@pytest.mark.parametrize("locale", ["ascii", "latin-1"])
def test_arguments_and_names_read_as_in_a_utf_8_locale(tmp_path: Path, locale: str) -> None:
    """In a locale whose encoding is not UTF-8 (ASCII: ``LC_ALL=C PYTHONUTF8=0``, or
    ISO-8859-1), ``preview économie`` typed in a UTF-8 terminal was ``no feed or topic
    named '\\xc3\\xa9conomie'`` (exit 2), or found nothing for ``Ã©conomie``, and the
    message of a content glob whose folder is not there quoted it
    ``'n\\udcc3\\udcb6pe/*.txt'``. Each reads as in a UTF-8 locale; an ISO-8859-1
    terminal's ``é`` (the byte 0xE9, not UTF-8) is still its é."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    sample = (ROOT / "config.toml").read_text(encoding="utf-8")
    cfg = tmp_path / "config.toml"
    cfg.write_text(sample.replace('"content/news/*.txt"', '"content/news/*.txt", "nöpe/*.txt"'),
                   encoding="utf-8")  # fmt: skip
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    now = "2026-11-01T00:00:00Z"
    if locale == "ascii":
        foreign, encoding = {**env, "LC_ALL": "C"}, "utf-8"  # (click writes UTF-8 to ASCII)
    else:
        foreign, encoding = {**env, **_latin_1_locale(tmp_path)}, "latin-1"

    def feedpub(environ: dict[str, str], *args: str | bytes) -> tuple[int, str, str]:
        argv = [sys.executable, "-m", "feedpub", *args, "-c", "config.toml", "--now", now]
        done = subprocess.run(argv, cwd=tmp_path, env=environ, capture_output=True,
                              timeout=120, check=False)  # fmt: skip
        code = codecs.lookup("utf-8" if environ is env else encoding).name
        return done.returncode, done.stdout.decode(code), done.stderr.decode(code)

    code, _, err = feedpub(foreign, "build")
    assert code == 0 and "site.content: 'nöpe/*.txt' matches no file: its folder nöpe " in err
    expected = feedpub(env, "preview", "économie", "--format", "json")
    assert expected[0] == 0 and "Économie verte" in expected[1]
    got = feedpub(foreign, "preview", "économie".encode(), "--format", "json")
    assert (got[0], json.loads(got[1]), got[2]) == (0, json.loads(expected[1]), "")
    assert feedpub(foreign, "preview", "Économie".encode())[1].startswith("Économie: 3 items")
    if locale == "latin-1":  # (typed in an ISO-8859-1 terminal: that locale's é)
        assert feedpub(foreign, "preview", "économie".encode("latin-1"))[1:] == (
            feedpub(foreign, "preview", "économie".encode())[1:])  # fmt: skip
    code, _, err = feedpub(foreign, "preview", "écomonie".encode())
    assert (code, err) == (2, "feedpub: no feed or topic named 'écomonie'. Did you mean: "
                              "the topic Économie, the feed economie?\n")  # fmt: skip


def test_globs_told_in_a_locale_not_utf8_are_quoted_as_the_config_writes_them(
    write_config, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """The same locale: a content glob whose folder is not there, and an exclude glob
    that leaves out no file, were quoted as the process names them on disk
    (``'actualit\\udcc3\\udca9s/zz*'``), not as config.toml writes them."""
    seeds_dir.rename(seeds_dir.parent / "actualités")
    cfg = write_config(["actualités/*.txt", "brèves/*.txt"], AZURE_AI_FEEDS,
                       extra='exclude = ["actualités/zz*"]\n')  # fmt: skip
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    argv = [sys.executable, "-m", "feedpub", "build", "-c", str(cfg), "--now", NOW]
    done = subprocess.run(argv, capture_output=True, env=env, timeout=120, check=False)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 0 and "\\udc" not in err, err
    assert "site.content: 'brèves/*.txt' matches no file: " in err, err
    assert "site.exclude: 'actualités/zz*' leaves out no file: " in err, err


def test_build_is_independent_of_working_directory(
    cfg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path.parent)
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert (cfg.parent / "feeds" / "azure.atom").exists()
    assert os.getcwd() == str(tmp_path.parent)


def _stderr_of_build(folder: Path, *, terminal: bool) -> bytes:
    """``feedpub build --full`` in a real process, its stderr a terminal or a pipe."""
    cmd = [sys.executable, "-m", "feedpub", "build", "--full", "--now", "2026-11-01T00:00:00Z"]
    if not terminal:
        done = subprocess.run(cmd, cwd=folder, capture_output=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stderr
    code, out = _on_a_terminal(cmd, dict(os.environ), cwd=folder)
    assert code == 0, out
    return out


def test_a_long_build_shows_progress_on_a_terminal_and_nothing_under_cron(tmp_path: Path) -> None:
    generate(tmp_path, 600)  # 600 articles, 301 feeds: 602 feed files to write
    shown = _stderr_of_build(tmp_path, terminal=True).decode("utf-8", "replace")
    assert "Reading articles" in shown and "Writing feeds" in shown
    assert "100%" in shown
    # no bar, nothing but what the build has to say (the feeds of topics no published
    # article has, which a --full build names: see tests/test_notices.py)
    piped = _stderr_of_build(tmp_path, terminal=False).decode()
    assert len(piped.splitlines()) <= 3 and "\r" not in piped and "Reading" not in piped, piped
    assert all(" written empty: " in line for line in piped.splitlines()), piped


def test_the_program_leaves_at_once_with_the_build_s_exit_code_and_all_its_output(
    cfg: Path, seeds_dir: Path
) -> None:
    """``python -m feedpub build`` ends the process without tearing down the build's
    objects: its exit code, its report and every feed are still all there."""
    (seeds_dir / "bad.txt").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "feedpub", "build", "-c", str(cfg), "--now", NOW, "-v"]
    done = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert "bad.txt:3: YAML error" in err and "files 6: read 6" in err and err.endswith("\n")
    assert (cfg.parent / "feeds" / "azure.rss").stat().st_size > 0
    again = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    assert again.returncode == 1 and "bad.txt:3: YAML error" in again.stderr.decode()
    # the cache was kept (the file written a moment before the build is hashed again)
    assert re.search(
        r"read 0, from cache 6( \(1 of them read again: the same bytes\))?, skipped 0; rejected 1",
        again.stderr.decode(),
    )


def test_the_phase_timer_times_a_real_build(cfg: Path) -> None:
    """bench/phases.py: the build it times is the real one, and every phase is listed."""
    script = ROOT / "bench" / "phases.py"
    cmd = [sys.executable, str(script), "build", "-c", str(cfg), "--now", NOW]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    for phase in (
        "find",
        "summarise",
        "select_feeds",
        "render_and_write",
        "cache rows",
        "whole build",
    ):
        assert f"\n{phase} " in done.stdout, done.stdout
    assert (cfg.parent / "feeds" / "azure.rss").stat().st_size > 0


VALIDATE_HOSTILE = {
    "f.json": (
        '{"version":"https://jsonfeed.org/version/1.1","title":"t",'
        '"home_page_url":"https://a.example/","feed_url":"https://a.example/f.json",'
        '"items":[{"id":"\\u001b]52;c;SGVsbG8=\\u0007\\u001b[2J\\r","url":"nothttp",'
        '"content_text":"x","date_published":"2021-05-24T07:52:55+00:00","title":"t"}]}'
    ),
    "a.atom": (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>t</title><id>urn:x:f</id><updated>2021-01-01T00:00:00Z</updated>"
        '<author><name>a</name></author><link rel="self" href="https://a.example/a.atom"/>'
        "<entry><title>t</title><id>urn:x:&#x9b;2J&#13;OVER</id>"
        '<updated>2020-01-01T00:00:00Z</updated><link href="nothttp"/></entry></feed>\n'
    ),
    "r.rss": (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>t</title>'
        "<link>https://a.example/</link><description>d</description>"
        "<ttl>&#x9b;2J&#13;5</ttl><item><title>t</title><link>https://a.example/1</link>"
        "<guid>https://a.example/1</guid></item></channel></rss>\n"
    ),
}


def test_validate_shows_what_the_file_holds_escaped_never_as_a_terminal_control(
    tmp_path: Path,
) -> None:
    """An item id and lxml's messages (which quote a value raw) come from the file
    checked: each control in them is shown escaped, as in a file name."""
    names = []
    for name, text in VALIDATE_HOSTILE.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        names.append(str(tmp_path / name))
    code, out, _ = run("validate", *names)
    assert code == 1
    assert "[\\x1b]52;c;SGVsbG8=\\x07\\x1b[2J\\r]" in out  # the JSON item's id
    assert "[urn:x:\\u009b2J\\rOVER]" in out  # the Atom entry's id
    assert "doesn't allow value '\\u009b2J\\r5'" in out  # lxml's message on the <ttl>
    assert "'nothttp'" in out  # (a value the message quotes already escaped stays so)
    assert all(line.isprintable() for line in out.splitlines()), out
    assert out.count("\n") == len(out.splitlines())  # no \r nor \x85 splits a line


def test_an_empty_feed_slug_is_said_to_be_empty(cfg: Path) -> None:
    """``build --feed ""`` (``--feed "$SLUG"`` with SLUG unset) said "no feed  in …",
    two spaces and nothing between them."""
    code, _, err = run("build", "-c", str(cfg), "--feed", "", "--feed", "nope")
    assert code == 2 and f"Error: no feed '' (--feed is empty), nope in {cfg} (feeds: " in err


def test_an_empty_topic_or_now_is_said_to_be_empty(cfg: Path) -> None:
    """``preview "$TOPIC"`` and ``--now "$NOW"`` with the variable unset said only
    "no feed or topic named ''." and "'' is not an ISO 8601 date", where ``--feed ""``
    says the slug is empty, as the README promises of every value typed."""
    code, _, err = run("preview", "", "-c", str(cfg), "--now", NOW)
    assert code == 2 and "no feed or topic named '' (the topic is empty)." in err, err
    code, _, err = run("build", "-c", str(cfg), "--now", "")
    assert code == 2 and "'' (--now is empty) is not an ISO 8601 date" in err, err


def test_a_blank_topic_is_said_blank(cfg: Path) -> None:
    """``preview "  "`` (``preview "$TOPIC"`` with TOPIC a space) said only "no feed or
    topic named '  '.", as if a topic of two spaces could be misspelt."""
    said = []
    for name in ("  ", "\t", "\u2068"):  # (white space; an isolate alone, which no reader shows)
        code, _, err = run("preview", name, "-c", str(cfg), "--now", NOW)
        said.append((code, err.split(" (", 1)[-1]))
    assert said == [(2, "the topic is blank: nothing but white space).\n")] * 2 + [
        (2, "the topic is blank: nothing but characters a reader does not see).\n")
    ]


def test_preview_of_star_points_to_the_feeds_of_every_topic(write_config, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """``preview "*"`` said "no feed or topic named '*'." though a feed's ``topics =
    ["*"]`` takes every topic: it names those feeds and the command to preview one."""
    every = '[feeds.all]\ntitle = "All"\ntopics = ["*"]\n'
    best = '[feeds.best]\ntitle = "Best"\ntopics = ["*"]\nmin_quality = 90\n'
    said = []
    for feeds in (AZURE_AI_FEEDS, AZURE_AI_FEEDS + best + every, AZURE_AI_FEEDS + every):
        cfg = write_config(["content/*.txt"], feeds)
        code, out, err = run("preview", "*", "-c", str(cfg), "--now", NOW)
        said.append((code, out, err))
    star = "feedpub: no feed or topic named '*': in a feed's topics, \"*\" stands for every topic"
    assert said == [
        (2, "", f'{star}, and no feed here has topics = ["*"].\n'),
        (2, "", f"{star}; the feeds of every topic here are best (min_quality 90) and all: "
                "feedpub preview all.\n"),
        (2, "", f"{star}; the feed of every topic here is all: feedpub preview all.\n"),
    ]  # fmt: skip


#: An option value as a shell gives it: a terminal escape (OSC 52 writes the
#: clipboard) and a byte that is not UTF-8 (held as a lone surrogate).
HOSTILE_ARG = "x\x1b]52;c;SGVsbG8=\x07\x1b[2J\udc9b"
HOSTILE_SHOWN = "x\\x1b]52;c;SGVsbG8=\\x07\\x1b[2J\\x9b"


def test_an_option_value_echoed_in_an_error_is_shown_escaped(
    cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run("build", "-c", str(cfg), "--feed", HOSTILE_ARG)
    assert code == 2 and f"Error: no feed {HOSTILE_SHOWN} in {cfg} (feeds: " in err, err
    code, _, err = run("preview", HOSTILE_ARG, "-c", str(cfg), "--now", NOW)
    assert code == 2 and f"no feed or topic named '{HOSTILE_SHOWN}'." in err, err
    code, _, err = run("build", "-c", str(cfg), "--now", HOSTILE_ARG)
    assert code == 2 and f"'{HOSTILE_SHOWN}' is not an ISO 8601 date" in err, err

    import feedpub.serve

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(99, "Cannot assign requested address")

    monkeypatch.setattr(feedpub.serve, "make_server", refuse)
    (cfg.parent / "feeds").mkdir()
    code, _, err = run("serve", "-c", str(cfg), "--host", HOSTILE_ARG)
    assert code == 2 and f"cannot listen on {HOSTILE_SHOWN}:8080: Cannot assign" in err, err


def test_a_host_no_socket_takes_is_a_usage_error_not_a_traceback(cfg: Path) -> None:
    """A name that is not UTF-8 (a stray byte in a script) made ``socket.bind`` raise
    TypeError: a traceback, exit 1. Now refused like any address it cannot listen on."""
    (cfg.parent / "feeds").mkdir()
    code, _, err = run("serve", "-c", str(cfg), "--host", "local\udc9bhost", "--port", "0")
    assert (code, err) == (2, "feedpub: cannot listen on local\\x9bhost:0: not an address "
                              "or name\n")  # fmt: skip


@pytest.mark.parametrize(
    ("env", "styled"),
    [({}, True), ({"NO_COLOR": ""}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)],
)
def test_preview_colours_its_table_unless_no_color_or_a_dumb_terminal(
    cfg: Path, env: dict[str, str], styled: bool
) -> None:
    """On a terminal (``color=True``), the table is coloured; not under ``NO_COLOR`` set
    and not empty (no-color.org), nor under ``TERM=dumb``."""
    from click.testing import CliRunner

    from feedpub.cli import cli

    given: dict[str, str | None] = {"NO_COLOR": None, "TERM": "xterm", **env}
    args = ["preview", "azure", "-c", str(cfg), "--now", NOW]
    result = CliRunner().invoke(cli, args, color=True, env=given, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "Microsoft" in result.stdout
    assert ("\x1b[" in result.stdout) is styled, result.stdout


def _stdout_on_a_terminal(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """``cmd`` in a real process, its stdout a terminal: (exit code, its lines as shown,
    colours taken out)."""
    code, out = _on_a_terminal(cmd, env, cwd, stdout=True)
    return code, re.sub(r"\x1b\[[0-9;]*m", "", out.decode("utf-8")).replace("\r\n", "\n")


def test_preview_fits_its_table_to_the_terminal_s_width(cfg: Path, seeds_dir: Path) -> None:
    """On a terminal, titles were cut to 70 columns and providers to 20, the whole URL
    after them: at 80 columns each row wrapped over two or three lines, at 40 it was
    unreadable, and a wide terminal gave titles no more room. Each row now fits the
    terminal's width (COLUMNS), the title taking what the other cells leave, and its URL,
    whole, on a line of its own; piped, the table is as it was (a script reads it)."""
    from wcwidth import wcswidth

    data = (
        seeds_dir / "002_882cc4a5fc2a4bd2.txt"
    ).read_bytes()  # (a title of 2 columns a CJK letter)
    (seeds_dir / "002_882cc4a5fc2a4bd2.txt").write_bytes(data.replace(
        b'title: "Microsoft builds massive supercomputer for smarter AI"',
        "title: \"マイクロソフトがAI向けの巨大なスーパーコンピューターを構築、世界トップ5に\"".encode(),
    ))  # fmt: skip
    argv = [sys.executable, "-m", "feedpub", "preview", "azure", "-c", str(cfg), "--now", NOW]
    piped = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=120).stdout
    titles = {}
    for columns in (40, 80, 200):
        env = {**os.environ, "COLUMNS": str(columns), "TERM": "xterm"}
        code, out = _stdout_on_a_terminal(argv, env, cfg.parent)
        lines = out.splitlines()
        assert code == 0 and lines[0] == "Azure (the feed azure): 2 items", out
        urls = [line.strip() for line in lines if line.strip() in AZURE_URLS]
        assert urls == AZURE_URLS, out  # (each whole, on a line of its own)
        assert all(wcswidth(line) <= columns for line in lines if line.strip() not in urls), out
        assert all(line.startswith("  ") for line in lines if line.strip() in urls), out
        titles[columns] = next(line for line in lines if "マイクロ" in line)
    assert "…" in titles[40] and "…" in titles[80] and "…" not in titles[200], titles
    assert titles[40].startswith("  マイクロ")  # (narrow: the title on a line of its own)
    assert titles[80].startswith("2020-05-19 ")  # (beside the date, the provider and the rest)
    # piped: 70 columns a title, 20 a provider, the URL after them, as before
    row = next(line for line in piped.splitlines() if "マイクロ" in line)
    assert row.endswith(f"  CNET                  img   2 rel  {AZURE_URLS[0]}"), row
    assert wcswidth(row.split("  CNET")[0]) == 16 + 2 + 70, row


#: ``feedpub build`` whose build reports a long phase, then is stopped by Ctrl-C.
STOPPED_BUILD = """
import feedpub.cli

def build(config, now, progress=None, **kwargs):
    if progress is not None:
        progress("Reading articles", 300, 1000)
    raise KeyboardInterrupt

feedpub.cli.build = build
feedpub.cli.main()
"""


def _on_a_terminal(
    cmd: list[str], env: dict[str, str], cwd: Path | None = None, stdout: bool = False
) -> tuple[int, bytes]:
    """``cmd`` in a real process, its stderr (or its ``stdout``) a terminal, the other
    stream thrown away: (exit code, what it wrote there)."""
    master, slave = pty.openpty()
    shown, hidden = (slave, subprocess.DEVNULL)
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=shown if stdout else hidden,
                            stderr=hidden if stdout else shown, env=env)  # fmt: skip
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the process closed its end
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(timeout=120), out


@pytest.mark.parametrize("term", ["xterm", "dumb"])
def test_a_build_stopped_by_ctrl_c_ends_its_bar_s_line_and_a_dumb_terminal_has_no_bar(
    cfg: Path, term: str
) -> None:
    """The "stopped" line starts a line of its own, never glued to the progress bar; on
    ``TERM=dumb`` (which would show the bar's escape sequences as they are) no bar."""
    cmd = [sys.executable, "-c", STOPPED_BUILD, "build", "-c", str(cfg), "--now", NOW]
    code, out = _on_a_terminal(cmd, {**os.environ, "TERM": term})
    shown = out.decode("utf-8", "replace")
    assert code == 130, shown
    assert "feedpub: stopped by SIGINT: no file half-written" in shown
    if term == "dumb":
        assert "\x1b" not in shown and "Reading articles" not in shown, shown
        assert shown.startswith("feedpub: stopped by SIGINT"), shown
    else:
        assert "Reading articles" in shown and "30%" in shown, shown
        assert "\nfeedpub: stopped by SIGINT" in shown, shown


#: A feedpub command that is sent a signal (its name: argv[1]) from inside the call
#: argv[2] names (a config on a hung network mount: the signal comes while it is read).
SIGNALLED = """
import os, signal, sys, time
import feedpub.cli, feedpub.formats

signum = getattr(signal, sys.argv.pop(1))
module, name = sys.argv.pop(1).rsplit(".", 1)
where = sys.modules[module]
real = getattr(where, name)

def signalled(*args, **kwargs):
    os.kill(os.getpid(), signum)
    time.sleep(30)  # (the signal is taken before: never slept out)
    return real(*args, **kwargs)

setattr(where, name, signalled)
feedpub.cli.main()
"""


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize(
    ("call", "command"),
    [
        ("feedpub.cli.load_config", ["build"]),
        ("feedpub.cli.load_config", ["build", "--check"]),
        ("feedpub.cli.load_config", ["list"]),
        ("feedpub.cli.feed_counts", ["list"]),
        ("feedpub.cli.load_config", ["preview", "azure"]),
        ("feedpub.cli.preview", ["preview", "azure"]),
        ("feedpub.formats.check", ["validate"]),
    ],
)
def test_every_command_stopped_by_a_signal_exits_128_and_its_number(
    cfg: Path, signame: str, call: str, command: list[str]
) -> None:
    """Ctrl-C while the config was read (or list, preview, validate worked) was click's
    "Aborted!", exit 1 (a rejected file's code; validate's for an invalid feed), and
    SIGTERM ended the process without a word: 130 or 143, and one line, as a build
    stopped later has."""
    args = ["--now", NOW, "-c", str(cfg)]
    if command == ["validate"]:
        assert run("build", *args)[0] == 0
        args = [str(cfg.parent / "feeds" / "azure.rss")]
    cmd = [sys.executable, "-c", SIGNALLED, signame, call, *command, *args]
    done = subprocess.run(cmd, capture_output=True, timeout=120, check=False,
                          preexec_fn=interruptible)  # fmt: skip
    signum = getattr(signal, signame)
    said = f"feedpub: stopped by {signame}"
    if command[0] == "build":
        said += ": before the build began: nothing written"
    assert (done.returncode, done.stderr.decode().splitlines()) == (128 + signum, [said])
    assert done.stdout == b""
    if command[0] == "build":
        assert not (cfg.parent / "feeds").exists()


def test_serve_watch_on_a_port_in_use_says_so_before_it_builds(cfg: Path) -> None:
    """A second ``serve --watch`` on a port another one holds built into the shared
    output folder, then said "Address already in use" with exit 2 ("nothing written")."""
    from feedpub.serve import make_server

    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    feeds = cfg.parent / "feeds"
    before = {p.name: p.read_bytes() for p in feeds.iterdir()}
    text = cfg.read_text(encoding="utf-8")
    assert "Test feeds" in text
    cfg.write_text(text.replace("Test feeds", "Changed feeds", 1), encoding="utf-8")
    holder = make_server(feeds, "127.0.0.1", 0)
    try:
        port = str(holder.server_address[1])
        code, _, err = run("serve", "-c", str(cfg), "--watch", "--port", port)
        said = f"feedpub: cannot listen on 127.0.0.1:{port}: Address already in use\n"
        assert (code, err) == (2, said)
        assert {p.name: p.read_bytes() for p in feeds.iterdir()} == before
        shutil.rmtree(feeds)  # (a fresh checkout: no output folder yet)
        shutil.rmtree(cfg.parent / ".feedpub")
        assert run("serve", "-c", str(cfg), "--watch", "--port", port)[::2] == (2, said)
        assert not feeds.exists() and not (cfg.parent / ".feedpub").exists()
    finally:
        holder.server_close()


def test_serve_refuses_an_empty_host_and_listens_on_ipv6(cfg: Path) -> None:
    """``--host ""`` (an unset ``$HOST``) listened on every address, beyond this machine,
    without a word: a usage error. ``--host ::1`` failed ("Address family for hostname
    not supported"): an IPv6 address is listened on, and named in brackets."""
    from feedpub.serve import make_server

    (cfg.parent / "feeds").mkdir()
    code, _, err = run("serve", "-c", str(cfg), "--host", " ")
    assert (code, err) == (2, "feedpub: --host is empty: give an address (0.0.0.0 listens "
                              "beyond this machine)\n")  # fmt: skip
    asked: list[str] = []

    def taken(root: Path, host: str, *args: object, **kwargs: object) -> None:
        asked.append(host)
        raise OSError(98, "Address already in use")

    with pytest.MonkeyPatch.context() as mp:  # an address as a URL writes it: [::1]
        mp.setattr("feedpub.serve.make_server", taken)
        code, _, err = run("serve", "-c", str(cfg), "--host", "[::1]", "--port", "0")
    assert (code, asked) == (2, ["::1"])
    assert err == "feedpub: cannot listen on [::1]:0: Address already in use\n"
    server = make_server(cfg.parent / "feeds", "::1", 0)
    try:
        assert server.url.startswith("http://[::1]:") and server.socket.family.name == "AF_INET6"
    finally:
        server.server_close()


#: ``python -m feedpub ARGS`` that gets ``signum`` as it starts: as it imports
#: ``feedpub.build`` (or, ``main``, as click reads the options) a signal arrives.
_SIGNALLED_AS_IT_STARTS = """
import os, runpy, signal, sys
signum, when = int(sys.argv.pop(1)), sys.argv.pop(1)

class Hook:
    def find_spec(self, name, path=None, target=None):
        if name == "feedpub.build" and when == "import":
            os.kill(os.getpid(), signum)
        return None

sys.meta_path.insert(0, Hook())
if when == "main":
    import click
    parse = click.Context.__init__
    def signalled(*args, **kwargs):
        os.kill(os.getpid(), signum)
        parse(*args, **kwargs)
    click.Context.__init__ = signalled
sys.argv[0] = "feedpub"
runpy.run_module("feedpub", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize("when", ["import", "main"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_as_feedpub_starts_says_one_line_not_a_traceback(
    tmp_path: Path, signum: int, when: str
) -> None:
    """Ctrl-C in the few tenths of a second feedpub takes to start (its modules
    imported) showed Python's traceback (KeyboardInterrupt), and SIGTERM ended it
    without a word; as click read the options, 'Aborted!' and exit 1. Now one line,
    128 + the signal's number, as a command stopped later."""
    done = subprocess.run(
        [sys.executable, "-c", _SIGNALLED_AS_IT_STARTS, str(int(signum)), when, "list",
         "-c", str(tmp_path / "config.toml")],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
        preexec_fn=interruptible, timeout=60,
    )  # fmt: skip
    assert (done.returncode, done.stderr.decode()) == (
        128 + signum,
        f"feedpub: stopped by {signal.Signals(signum).name}\n",
    )


#: A build sent SIGTERM where Python can only print an exception and go on: in a
#: weakref callback (as importlib's, when a module's import lock is freed).
SIGNALLED_IN_CALLBACK = """
import os, signal, weakref
import feedpub.cli

real = feedpub.cli.build

class Lock:
    pass

def build(*args, **kwargs):
    result = real(*args, **kwargs)
    lock = Lock()
    ref = weakref.ref(lock, lambda r: (os.kill(os.getpid(), signal.SIGTERM), sum(range(9))))
    del lock
    return result

feedpub.cli.build = build
feedpub.cli.main()
"""


def test_a_sigterm_taken_in_a_weakref_callback_still_stops_the_build(cfg: Path) -> None:
    """SIGTERM as importlib freed a module lock (a weakref callback: the exception
    feedpub's handler raised there is printed and dropped by Python) was a traceback on
    stderr, 'Exception ignored in: <function _get_module_lock.<locals>.cb …>', and the
    build went on and exited 0, as if never sent the signal: 143, one line."""
    cmd = [sys.executable, "-c", SIGNALLED_IN_CALLBACK, "build", "--now", NOW, "-c", str(cfg)]
    done = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    err = done.stderr.decode()
    assert done.returncode == 143, err
    assert err.startswith("feedpub: stopped by SIGTERM") and len(err.splitlines()) == 1, err
