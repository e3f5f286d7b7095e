"""Command line: the only module that imports click, reads the clock, and turns
errors into messages and exit codes.

Exit codes of ``feedpub build``: 0 every feed up to date; 1 feeds built but some
article files rejected; 2 usage or config error, nothing written; 3 a feed could
not be validated or written (or ``--check`` found a difference, or the content
yielded no articles); 75 another build holds the lock.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import json
import os
import shlex
import shutil
import signal
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, NoReturn, cast

import click

from . import __version__
from .build import (
    NOT_PUBLISHED,
    SITE_NAMES,
    BuildResult,
    build,
    feed_counts,
    not_published,
    preview,
)
from .config import SLUG_RE, Config, FeedConfig, load_config
from .errors import (
    ConfigError,
    LockError,
    UnknownTopicError,
    counted,
    did_you_mean,
    shown_path,
    shown_text,
    utf8_reading,
)
from .model import in_zone
from .output import (
    FOREIGN,
    FOREIGN_LIST,
    HELD_BACK,
    LINK,
    NOT_A_FILE,
    UNREADABLE,
    CannotWrite,
    Outcome,
    build_lock,
    check_lock,
)
from .parallel import WorkerLost, save_patterns, stopped_as_by_ctrl_c
from .visible import balanced_bidi

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_FEED_FAILED, EXIT_LOCKED = 0, 1, 2, 3, 75
#: preview, list, validate: standard output could not be written (EX_IOERR).
EXIT_OUTPUT = 74
#: ping: the hub did not hear of every feed waiting; they wait for the next (EX_TEMPFAIL).
EXIT_UNHEARD = 75
#: The largest file ``validate`` checks (what it reads of a file, at most, and one byte).
VALIDATE_LIMIT = 128 << 20
#: A phase shows a progress bar on a terminal when it has at least this much to do.
PROGRESS_MIN = {"Reading articles": 500, "Writing feeds": 50}


class IsoDate(click.ParamType):  # type: ignore[type-arg]
    name = "ISO8601"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            # (RFC 3339's lower-case t and z too, as an article's date takes them)
            dt = datetime.fromisoformat(text.upper() if text[:1].isdigit() else text)
            # (without an offset, UTC: the moment a cron job's clock gives, wherever it
            # is; to the second, as the clock is taken and articles are dated: the same
            # articles are due, and 9999-12-31T23:59:59.5Z is in range)
            dt = (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)
            dt = dt.replace(microsecond=0)
        except ValueError:
            shown = shown_path(str(value))
            empty = " (--now is empty)" if not text else ""
            self.fail(
                f"'{shown}'{empty} is not an ISO 8601 date such as 2020-05-20T12:00:00Z",
                param,
                ctx,
            )
        except OverflowError:  # (9999-12-31T23:59:59-01:00 is in the year 10000)
            dt = _EARLIEST - timedelta(1)
        if not _EARLIEST <= dt <= _LATEST:
            shown = shown_path(str(value))
            self.fail(f"'{shown}' is out of range: give a moment from 1970 to 9999", param, ctx)
        return dt


#: The moments --now may be (no article is dated before 1970).
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


config_option = click.option(
    "-c", "--config", "config_path", default="config.toml", show_default=True,
    type=click.Path(dir_okay=False), help="The config file.",
)  # fmt: skip
now_option = click.option(
    "--now",
    type=IsoDate(),
    default=None,
    help="Pretend it is this moment (default: the clock); without an offset, UTC.",
)


def _load(config_path: str) -> Config:
    if not config_path:  # (-c "$CONFIG" with CONFIG unset: "cannot read: Is a directory")
        click.echo("feedpub: -c is empty: give the path of a config.toml (by default "
                   "./config.toml)", err=True)  # fmt: skip
        raise SystemExit(EXIT_USAGE)
    try:
        return load_config(config_path)
    except ConfigError as e:
        for p in e.problems:
            click.echo(f"{shown_path(e.path)}:{p}", err=True)
        raise SystemExit(EXIT_USAGE) from None


def _now(value: datetime | None) -> datetime:
    return value or datetime.now(UTC).replace(microsecond=0)


def main() -> None:
    """The ``feedpub`` program (and ``python -m feedpub``).

    A finished command leaves the process at once: a build holds a hundred thousand
    summaries, rows and sources, and freeing them one by one on the way out cost a cron
    run with nothing to do about 40 ms of its 0.8 s. Every file is written, synced and
    closed by then; only memory is left. (The commands run inside another program, such
    as the tests, return as usual.)
    """
    if sys.stdout is not None and sys.stdout.errors == "strict":
        # (a locale whose encoding is not UTF-8, ISO-8859-1: what it cannot hold, a "…",
        # shown "?", not a UnicodeEncodeError; stderr's errors are backslashreplace)
        cast(Any, sys.stdout).reconfigure(errors="replace")
    try:
        cli()
    except SystemExit as e:
        if e.code is not None and not isinstance(e.code, int):
            raise
        for stream in (sys.stdout, sys.stderr):  # (None: closed, as by >&-)
            with contextlib.suppress(OSError):  # a reader that left early (| head)
                if stream is not None:
                    stream.flush()
        save_patterns()  # (for the next run: see feedpub.parallel.load_patterns)
        os._exit(e.code or 0)


class _Commands(click.Group):
    """feedpub's commands: each stopped by Ctrl-C or SIGTERM where it is, whatever it
    does then (reading the config, listing, checking), exits 128 + the signal's number
    with one line on stderr (click's was "Aborted!", exit 1: a rejected file's, an
    invalid feed's code; SIGTERM's, no word). A command that says more catches its own."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with stopped_as_by_ctrl_c():
                return super().invoke(ctx)
        except KeyboardInterrupt as e:
            _stop(e)

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:  # (the options read before a command runs)
            with stopped_as_by_ctrl_c(), _options_printed():
                return super().make_context(*args, **kwargs)
        except KeyboardInterrupt as e:
            _stop(e)


class _Command(click.Command):
    """A feedpub command: its ``--help`` printed as ``_Commands``' is (see
    :func:`_options_printed`)."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _options_printed():
            return super().make_context(*args, **kwargs)


_Commands.command_class = _Command


@contextlib.contextmanager
def _options_printed() -> Iterator[None]:
    """Around the options read before a command runs, whose ``--help`` and ``--version``
    print on standard output and exit: a write that fails (``> /dev/full``: a traceback,
    exit 1) or a standard output that is closed (``>&-``: nothing said, exit 0) is said
    as :func:`_printing` says it, exit 74; a reader that left early (``| head -1``) is
    no error, as for ``preview``."""
    try:
        yield
    except click.exceptions.Exit as e:
        if e.exit_code == 0 and sys.stdout is None:  # (what they print, printed nowhere)
            with _printing():
                pass
        raise
    except OSError:  # (the options' reading opens no file: their printing failed)
        with _printing():
            raise
        raise SystemExit(0) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="feedpub")
def cli() -> None:
    """Turn a folder of news-article files into per-topic RSS 2.0 and Atom 1.0 feeds."""


# --------------------------------------------------------------------------- build


def _dumb_terminal() -> bool:
    """``TERM=dumb``: a terminal that understands no escape sequence (an editor's shell)."""
    return os.environ.get("TERM") == "dumb"


def _colour() -> bool:
    """Whether ``preview`` may colour its table (only on a terminal, where click.echo
    keeps styles): not when ``NO_COLOR`` is set and not empty (no-color.org), nor on a
    dumb terminal."""
    return not os.environ.get("NO_COLOR") and not _dumb_terminal()


def _progress_bars() -> tuple[Callable[[str, int, int], None] | None, Callable[[], None]]:
    """On a terminal, a bar for each long phase of a build: reading many article files,
    then writing many feeds. Elsewhere (cron, a pipe, a dumb terminal, where a bar's
    escape sequences would be shown as they are) nothing, nor with stderr closed (``2>&-``)."""
    if sys.stderr is None or not sys.stderr.isatty() or _dumb_terminal():
        return None, lambda: None
    current: list[Any] = []  # [label, bar] of the phase being shown

    def update(label: str, done: int, total: int) -> None:
        if total < PROGRESS_MIN.get(label, 0):
            return
        if not current or current[0] != label:
            finish()
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
            current[:] = [label, bar]
        current[1].update(done - current[1].pos)

    def finish() -> None:
        if current:
            current[1].__exit__(None, None, None)
            current.clear()

    return update, finish


@cli.command("build")
@config_option
@click.option("--feed", "slugs", multiple=True, metavar="SLUG", help="Only this feed (repeatable).")
@now_option
@click.option("--full", is_flag=True, help="Ignore the cache: read and render everything.")
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 3 if any feed on disk is out of date."
)
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Publish empty feeds even when the content yields no article.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes that parse articles (default: cores).",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(0),
    default=None,
    help="Seconds to wait for another build (default: site.lock_timeout).",
)
@click.option(
    "--no-ping",
    is_flag=True,
    help="With site.hub: ping no hub; the feeds written wait for `feedpub ping` (after a deploy).",
)
@click.option("-v", "--verbose", is_flag=True, help="Report what was read, skipped and written.")
def build_cmd(config_path: str, slugs: tuple[str, ...], now: datetime | None, full: bool, check: bool,
              allow_empty: bool, jobs: int | None, lock_timeout: float | None, no_ping: bool,
              verbose: bool) -> None:  # fmt: skip
    """Write <output>/<slug>.rss, .atom (.json) for every feed, feeds.opml and index.html."""
    started = time.monotonic()
    try:
        config = _load(config_path)
    except KeyboardInterrupt as e:  # (a config on a slow or hung network mount)
        _stop(e, "before the build began: nothing written")
    unknown = [s for s in slugs if config.feed(s) is None]
    if unknown:
        known = ", ".join(f.slug for f in config.feeds)
        # (as given: escaped, as a file name; an empty one, --feed "$SLUG" unset, said so)
        named = ", ".join(shown_path(s) if s else "'' (--feed is empty)" for s in unknown)
        raise click.UsageError(
            f"no feed {named} in {shown_path(str(config.path))} (feeds: {known})"
        )
    if config.hub and not check:  # (said before the build rewrites the list)
        _say_unreadable_list(config)
    progress, finish = _progress_bars()
    try:
        try:
            with stopped_as_by_ctrl_c():
                if check:  # (once a build that runs is done: see check_lock)
                    with check_lock(config, lock_timeout):
                        result = build(config, _now(now), slugs=slugs, check=True, full=full,
                                       allow_empty=allow_empty, jobs=jobs, progress=progress)  # fmt: skip
                else:
                    with build_lock(config, lock_timeout) as stuck:
                        result = build(config, _now(now), slugs=slugs, full=full,
                                       allow_empty=allow_empty, jobs=jobs, progress=progress)  # fmt: skip
                    result.leftovers = stuck
        finally:
            finish()  # (first: a message below starts a line of its own, not the bar's)
    except KeyboardInterrupt as e:
        _stop(e, "no file half-written, none of the new ones left in the output folder; "
                 "the next build does the rest")  # fmt: skip
    except LockError as e:
        click.echo(f"feedpub: {e}", err=True)
        raise SystemExit(EXIT_LOCKED) from None
    except WorkerLost as e:
        click.echo(f"feedpub: {e}: no file was changed; the next build does the work again "
                   "(with less memory: --jobs 1)", err=True)  # fmt: skip
        raise SystemExit(EXIT_FEED_FAILED) from None
    except OSError as e:
        where = shown_path(str(e.filename or config.output))
        click.echo(f"feedpub: {where}: {e.strerror or e}", err=True)
        raise SystemExit(EXIT_FEED_FAILED) from None
    if config.hub and not check:  # (before the report: a build stopped there, too, leaves
        _enlist(config, result)  # the feeds it wrote for the next build to announce)
    try:  # (a long report: Ctrl-C there was click's "Aborted!", exit 1, as if files were rejected,
        with stopped_as_by_ctrl_c():  # and SIGTERM an end without a word)
            code = _report(config, result, verbose, time.monotonic() - started)
    except KeyboardInterrupt as e:
        # (with a hub, the feeds written wait for its ping: enlisted above)
        told = f"; {_TELLS_HUB[no_ping]} of the feeds that changed" if config.hub else ""
        _stop(e, "its report cut short; the build itself was done"
                 + ("" if check else f", its files published{told}"))  # fmt: skip
    if config.hub and not check and no_ping and verbose:
        from . import websub

        count = len(websub.waiting(config))
        click.echo(f"websub: {counted(count, 'feed')} wait{'s' if count == 1 else ''} for "
                   "`feedpub ping`", err=True)  # fmt: skip
    if config.hub and not check and not no_ping:
        try:
            with stopped_as_by_ctrl_c():
                _ping_hub(config, config.hub, result, verbose)
        except KeyboardInterrupt as e:
            _stop(e, "the feeds are written; the hub was not told of every one that changed: "
                     "the next build tells it")  # fmt: skip
    raise SystemExit(code)


def _stop(e: KeyboardInterrupt, what: str = "") -> NoReturn:
    """A command stopped by Ctrl-C or SIGTERM (:class:`feedpub.parallel.Stopped`): one line,
    exit 128 + the signal's number."""
    signum = getattr(e, "signum", signal.SIGINT)
    said = f"feedpub: stopped by {signal.Signals(signum).name}{': ' + what if what else ''}"
    with contextlib.suppress(OSError):  # (stderr gone: the code stands)
        click.echo(said, err=True)
    raise SystemExit(128 + signum) from None


def _written_feed_urls(config: Config, result: BuildResult) -> list[str]:
    from . import websub  # http.client: only when there is a hub to ping

    written = [o.name for o in result.outcomes if o.status == "written"]
    return websub.changed_feed_urls(config, written)


def _enlist(config: Config, result: BuildResult) -> None:
    """The feeds a build wrote wait for the hub to hear of them, from the moment they are
    published: a build stopped (Ctrl-C, SIGTERM, a kill) before or while it pings leaves
    them to the next build, which would otherwise write nothing new, and ping nothing."""
    from . import websub

    websub.enlist(config, _written_feed_urls(config, result))


def _say_unreadable_list(config: Config) -> None:
    """Say so when the list of feeds waiting for the hub cannot be read (see
    :func:`feedpub.websub.unreadable`)."""
    from . import websub

    if said := websub.mend(config):
        click.echo(f"feedpub: {said}", err=True)


#: Who tells the hub of the feeds a build wrote: its own pings, or (``--no-ping``) ``feedpub ping``.
_TELLS_HUB = {False: "the next build tells the hub", True: "`feedpub ping` tells the hub"}


def _ping_hub(config: Config, hub: str, result: BuildResult, verbose: bool) -> None:
    """WebSub: one publish ping per feed written, then per feed whose ping failed in an
    earlier build; failures are reported, never fatal, and wait for the next build."""
    from . import websub

    urls = _written_feed_urls(config, result)
    seen = websub.pending(config)  # (its own, enlisted: see _enlist)
    earlier = [u for u in seen if u not in urls]
    _announce(config, hub, urls + earlier, earlier, verbose, seen)


def _announce(config: Config, hub: str, urls: list[str], earlier: list[str], verbose: bool,
              seen: dict[str, str], then: str = "the next build tries again") -> bool:  # fmt: skip
    """Ping ``hub`` for ``urls`` (``earlier``: those written by earlier builds), record
    what is still to announce (``seen``: what waited as the pings began), say what
    failed (and, ``verbose``, what the hub heard); whether it heard of every one."""
    from . import websub

    if not urls:
        return True
    results = websub.publish(hub, urls)
    websub.settle(config, results, seen)
    for line in websub.failures(hub, results, earlier, then):
        click.echo(line, err=True)
    if verbose:
        for r in results:
            if r.error is None:
                click.echo(f"websub: pinged {hub} for {r.url}", err=True)
    return all(r.error is None for r in results)


@cli.command("ping")
@config_option
@click.option("-v", "--verbose", is_flag=True, help="Name each feed the hub heard of.")
def ping_cmd(config_path: str, verbose: bool) -> None:
    """Tell site.hub of the feeds written and not yet announced (after build --no-ping
    and a deploy); exit 75 when the hub did not hear of each: they wait for the next."""
    config = _load(config_path)
    if not config.hub:
        raise click.UsageError(
            f"no site.hub in {shown_path(str(config.path))}: there is no hub to ping"
        )
    from . import websub

    _say_unreadable_list(config)
    seen = websub.pending(config)
    urls = list(seen)
    if verbose and not urls:
        click.echo("websub: no feed waits to be announced", err=True)
    try:
        with stopped_as_by_ctrl_c():
            heard = _announce(config, config.hub, urls, urls, verbose, seen,
                              "the next `feedpub ping` tries again")  # fmt: skip
    except KeyboardInterrupt as e:
        _stop(e, "the feeds the hub has not heard of wait for the next `feedpub ping`")
    raise SystemExit(EXIT_OK if heard else EXIT_UNHEARD)


#: Files not written for one reason that are named each (more: in one line, with ``-v``
#: each in its own).
_TOGETHER = 3


def _unwritten(o: Outcome) -> str | None:
    """Why ``o``, a failed output, could not be written (its file system's words: a full
    disk, a read-only folder), when that is the only thing wrong with it; else None."""
    if o.problems and all(isinstance(p, CannotWrite) for p in o.problems):
        return cast(CannotWrite, o.problems[0]).reason
    return None


#: How the problems of an output file that is not feedpub's, or not readable, begin: the
#: file is left as it is (no "previous file" of feedpub's kept).
_NOT_OURS = (FOREIGN, FOREIGN_LIST, UNREADABLE.partition("{")[0], LINK.partition("{")[0])
#: ... and of one that is no file (a folder): what follows the name of what it is
_NO_FILE = NOT_A_FILE.partition("}")[2]


def _left_as_is(o: Outcome) -> bool:
    return any(str(p).startswith(_NOT_OURS) or _NO_FILE in str(p) for p in o.problems)


def _report(config: Config, result: BuildResult, verbose: bool, seconds: float,
            noted: set[str] | None = None) -> int:  # fmt: skip
    """Print what a build found wrong (and with ``verbose``, what it did), one line
    each, every path escaped (see :func:`feedpub.errors.shown_path`); the exit code.
    With ``noted``, the ``skipped`` and ``hidden by`` lines the last build of a session
    said (``serve --watch``): those are not said again, and ``noted`` becomes this
    build's."""
    g = result.gathered
    gone: list[bool] = []  # stderr is a pipe whose reader left (| head): the code stands

    def say(line: str) -> None:
        if not gone:
            try:
                click.echo(line, err=True)
            except BrokenPipeError:
                gone.append(True)

    def output(name: str) -> str:
        return shown_path(str(config.output / name))

    # files that could not be written for one cause (a full disk): one line for them all
    unwritten: dict[str, list[Outcome]] = {}
    for o in result.outcomes:
        if o.status == "failed" and (reason := _unwritten(o)) is not None:
            unwritten.setdefault(reason, []).append(o)
    told: set[int] = set()  # (the id of each said in a line of many)
    # documents held back with another of their feed that failed (its archive pages):
    # one line each, or one for them all
    held = [o for o in result.outcomes if o.status == "failed" and len(o.problems) == 1
            and str(o.problems[0]).startswith(NOT_PUBLISHED)]  # fmt: skip
    held_ids = set(map(id, held))

    for err in g.errors:
        say(str(err))
    for notice in sorted(g.notices, key=lambda n: (n.path, n.line)):
        say(str(notice))
    if result.cache_trouble:
        say(f"feedpub: {shown_path(str(config.cache))}: the cache could not be used or written, "
            f"{result.cache_trouble}; the feeds are written, and what the cache could not "
            "keep is read again by the next build")  # fmt: skip
    for line in result.leftovers:
        say(f"feedpub: {line}")
    if result.refused:
        say(f"feedpub: refused: {result.refused}")
    for o in result.outcomes:
        if o.status == "differs" and not o.problems:  # (else they say how)
            there = (config.output / o.name).exists()
            what = "differs from what a build would write" if there else \
                "is missing (a build would write it)"  # fmt: skip
            say(f"{output(o.name)}: {what}")
        if o.status == "deferred":  # the next build renders it: normal under cron, so -v only
            if verbose:
                # a file skipped (vanished, or a save in progress: its line says so)
                # was not changed behind the cache's back: said apart
                left = set(map(str, g.vanished))
                skipped = [shown_path(str(p)) for p in o.problems if str(p) in left]
                changed = [shown_path(str(p)) for p in o.problems if str(p) not in left]
                why = [f"{', '.join(skipped)} skipped (vanished or being saved as the "
                       "build read it)"] if skipped else []  # fmt: skip
                # (or before it, keeping the size and time the cache knows it by: a
                # copy that keeps times, which a build cannot tell from one in the run)
                why += [f"{', '.join(changed)} changed while the build ran, or before "
                        "it keeping its size and modification time"] if changed else []  # fmt: skip
                say(f"{output(o.name)}: kept for the next build: {'; '.join(why)}")
            continue
        if o.status == "failed" and o.problems == [HELD_BACK]:
            kept = (config.output / o.name).is_file()
            say(f"{output(o.name)}: not written, as it lists the feeds that could not be"
                f"{'; the previous file is kept' if kept else ''}")  # fmt: skip
            continue
        if id(o) in held_ids:
            if len(held) <= _TOGETHER or verbose:
                kept = (config.output / o.name).is_file()
                said = f"{output(o.name)}: {o.problems[0]}"
                say(f"{said}{'; the previous file is kept' if kept else ''}")
            continue
        if o.status == "failed" and (reason := _unwritten(o)) is not None:
            if id(o) in told:
                continue
            if len(together := unwritten[reason]) > _TOGETHER and not verbose:
                told.update(map(id, together))
                names = ", ".join(shown_path(t.name) for t in together[:_TOGETHER])
                say(f"{shown_path(str(config.output))}: {len(together)} files not written "
                    f"({reason}): {names} and {len(together) - _TOGETHER} more (build -v names "
                    "each); each keeps its previous file, where it had one")  # fmt: skip
                continue
            kept = (config.output / o.name).is_file()  # (a first build has none)
            say(f"{output(o.name)}: not written ({reason})"
                f"{'; the previous file is kept' if kept else ''}")  # fmt: skip
            continue
        for p in o.problems:
            say(f"{output(o.name)}: {p}")
        if o.status == "failed" and not _left_as_is(o):
            kept = (config.output / o.name).is_file()  # (a first build has none)
            say(f"{output(o.name)}: not written{'; the previous file is kept' if kept else ''}")
    if len(held) > _TOGETHER and not verbose:  # (after what they wait for)
        names = ", ".join(shown_path(t.name) for t in held[:_TOGETHER])
        say(f"{shown_path(str(config.output))}: {len(held)} files not published, as a "
            f"document of their feed in the same format could not be: {names} and "
            f"{len(held) - _TOGETHER} more (build -v names each); each keeps its previous "
            "file, where it had one")  # fmt: skip
    if verbose:
        notes = [f"skipped {note}" for note in g.skipped]
        for h in result.hidden:  # the rule is select.visible's; not an error
            rule = "same date: the first by path" if h.same_date else "the newer one"
            notes.append(f"{shown_path(h.path)}: hidden by {shown_path(h.by)} (same URL "
                         f"{h.url}; {rule} is published)")  # fmt: skip
        for line in notes:
            if noted is None or line not in noted:
                say(line)
        if noted is not None:  # (one gone and back, or changed, is said again)
            noted.clear()
            noted.update(notes)
        # every file the globs found: read, from the cache, or skipped (those listed, then
        # gone when read, are skipped, not read); of them, some rejected or hidden
        found = g.files + len(g.skipped) - len(g.vanished)
        say(
            f"files {found}: read {g.read}, from cache {g.cached}"
            f"{f' ({g.hashed} of them read again: the same bytes)' if g.hashed else ''}"
            f", skipped {len(g.skipped)}; rejected {len(g.errors)}, "
            f"hidden {len(result.hidden)}; feed files {_tally(result, site=False)}; "
            f"site files {_tally(result, site=True)}; {seconds:.2f} s"
        )
        for o in result.outcomes:
            if o.status in ("written", "removed"):
                verb = "wrote" if o.status == "written" else "removed"
                say(f"{verb} {output(o.name)}")
    if result.refused or result.failed:
        return EXIT_FEED_FAILED
    return EXIT_REJECTED if g.errors else EXIT_OK


def _tally(result: BuildResult, *, site: bool) -> str:
    """How many feed files (or site files: ``feeds.opml``, ``index.html``) the build
    has, and what became of them, for ``build -v``: ``24: written 2, unchanged 22,
    failed 0, deferred 0`` (``--check``'s differences are failures; files removed, of
    feeds taken out, are named on lines of their own)."""
    mine = [o for o in result.outcomes if (o.name in SITE_NAMES) == site and o.status != "removed"]
    n = {s: sum(1 for o in mine if o.status == s) for s in ("written", "unchanged", "deferred")}
    failed = len(mine) - sum(n.values())  # ("failed" or "differs")
    return (f"{len(mine)}: written {n['written']}, unchanged {n['unchanged']}, failed {failed}, "
            f"deferred {n['deferred']}")  # fmt: skip


# --------------------------------------------------------------------------- serve


def watch_report() -> Callable[[Config, BuildResult, float], None]:
    """How ``serve --watch`` reports each build of its session: as ``build -v``, but
    each ``skipped`` or ``hidden by`` line once, not at every rebuild; again only when
    it changes, or comes back after a build without it."""
    noted: set[str] = set()

    def report(config: Config, result: BuildResult, seconds: float) -> None:
        _report(config, result, True, seconds, noted)

    return report


@cli.command("serve")
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="0: any free."
)
@click.option(
    "--watch", is_flag=True, help="Build now, then rebuild when content or config change."
)
def serve_cmd(config_path: str, host: str, port: int, watch: bool) -> None:
    """Serve the output folder over HTTP, as a static host would, for local testing."""
    from .serve import FeedServer, Watcher, make_server  # only this command needs http.server

    config = _load(config_path)

    def warn(line: str) -> None:
        click.echo(line, err=True)

    report = watch_report()

    if host.startswith("[") and host.endswith("]"):  # (an IPv6 address as a URL has it)
        host = host[1:-1]
    if not host.strip():  # (an unset $HOST: it would listen beyond this machine)
        click.echo("feedpub: --host is empty: give an address (0.0.0.0 listens beyond this "
                   "machine)", err=True)  # fmt: skip
        raise SystemExit(EXIT_USAGE)
    output = shown_path(str(config.output))

    def listen() -> FeedServer:
        try:
            return make_server(config.output, host, port, log=warn)
        except (OSError, UnicodeError, TypeError) as e:  # (no such address; a name not UTF-8)
            # (as given, escaped as a file name; an IPv6 address in brackets)
            where = shown_path(f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
            why = e.strerror if isinstance(e, OSError) and e.strerror else "not an address or name"
            click.echo(f"feedpub: cannot listen on {where}: {why}", err=True)
            raise SystemExit(EXIT_USAGE) from None

    watcher = None
    server = None
    if watch:
        watcher = Watcher(config.path, lambda: _now(None), report, warn)
        server = listen()  # (first: a port in use is said before any build writes)
        watcher.rebuild()
    if not config.output.is_dir():
        if server is not None:
            server.server_close()
        fix = "the first build wrote none (see above)" if watch else "run feedpub build first"
        click.echo(f"feedpub: {output}: no such folder; {fix}", err=True)
        raise SystemExit(EXIT_USAGE)
    if server is None:
        server = listen()
    click.echo(f"Serving {output} at {shown_path(server.url)} (Ctrl-C to stop)", err=True)
    if watcher is not None:
        watcher.start()
    try:
        with stopped_as_by_ctrl_c():
            server.serve_forever()
    except KeyboardInterrupt:  # (Ctrl-C, or SIGTERM: the watcher's build, if one runs, ends first)
        if watcher is not None:
            click.echo("feedpub: stopping (a rebuild under way stops at its next step)", err=True)
    finally:
        server.server_close()
        if watcher is not None:
            watcher.stop()


@contextlib.contextmanager
def _printing() -> Iterator[None]:
    """Around what ``preview``, ``list`` and ``validate`` print on standard output. Its
    reader leaving early (``| head -3``) drops the rest, and the exit code stands
    (click's was 1); a write that fails (``> /dev/full``, a full disk: a traceback) is
    said on stderr, exit 74; so is a standard output that is closed (``>&-``: Python
    has none), where what it prints was dropped without a word, exit 0."""
    try:
        if sys.stdout is None:
            raise OSError(errno.EBADF, "it is closed")
        yield
    except BrokenPipeError:
        pass
    except OSError as e:
        click.echo(f"feedpub: cannot write standard output: {e.strerror or e}", err=True)
        raise SystemExit(EXIT_OUTPUT) from None


# --------------------------------------------------------------------------- validate


@cli.command("validate")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, allow_dash=True)
)
@now_option
def validate_cmd(files: tuple[str, ...], now: datetime | None) -> None:
    """Check RSS 2.0, Atom 1.0 or JSON Feed 1.1 files (format detected); exit 1 on a problem."""
    from .formats import Problem, check

    bad = False
    for name in files:
        try:
            if name == "-" and sys.stdin is None:  # (closed: ``<&-``)
                raise OSError(errno.EBADF, "standard input is closed")
            if name == "-":  # (standard input, as curl's output: ``curl -s URL | … -``)
                data = sys.stdin.buffer.read(VALIDATE_LIMIT + 1)
            else:
                with open(name, "rb") as f:  # (a pipe too: /dev/stdin)
                    data = f.read(VALIDATE_LIMIT + 1)
        except OSError as e:
            problems = [Problem(1, "read", f"cannot read: {e.strerror or e}")]
        else:
            too_big = f"over {VALIDATE_LIMIT >> 20} MiB: not a feed a reader fetches; not checked"
            big = len(data) > VALIDATE_LIMIT
            try:
                problems = [Problem(1, "size", too_big)] if big else check(data, _now(now))[1]
            except Exception as e:  # (a case no check foresaw: named, and the next file checked)
                problems = [Problem(1, "check", f"could not be checked ({type(e).__name__}: {e})")]
        bad = bad or bool(problems)
        # (what the file holds, lxml's messages too, shown escaped; nothing to print: no
        # standard output needed, closed or not)
        with _printing() if problems else contextlib.nullcontext():
            for p in problems:
                item = f" [{shown_path(p.item)}]" if p.item else ""
                click.echo(f"{shown_path(name)}:{p.line}: {p.rule}: {shown_text(p.message)}{item}")
    raise SystemExit(EXIT_REJECTED if bad else EXIT_OK)


# --------------------------------------------------------------------------- preview / list


@cli.command("preview")
@click.argument("topic_or_slug")
@config_option
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many items.")
@now_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "rss", "atom", "jsonfeed"]),
    default="table",
    show_default=True,
    help="table or json (a summary), or the exact bytes build writes: rss, atom, jsonfeed.",
)
def preview_cmd(
    topic_or_slug: str, config_path: str, limit: int | None, now: datetime | None, fmt: str
) -> None:
    """Show what one feed (a slug) or any topic would contain."""
    # (as a UTF-8 locale reads it: économie under LC_ALL=C or ISO-8859-1 too)
    topic_or_slug = utf8_reading(topic_or_slug)
    config = _load(config_path)
    try:
        shown = preview(config, topic_or_slug, _now(now), limit)
    except UnknownTopicError as e:
        click.echo(f"feedpub: {e}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    feed, chosen = shown.feed, shown.articles
    for err in shown.errors:
        click.echo(str(err), err=True)
    if shown.shadowed is not None:  # (a slug wins over a topic of its name: say how to reach it)
        _say_shadowed(feed, shown.shadowed)

    def why(what: str) -> str:  # (why it is empty: ``what`` is ``it``, ``one`` of its topics,
        if shown.upcoming:  # or "" for a feed of every topic; dated after now: as build says)
            path, moment = shown.upcoming
            return (f": the first{f' to have {what}' if what else ''}, {shown_path(path)}, waits "
                    f"for its publishedDateTime, {moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}")  # fmt: skip
        return f": {not_published(shown.drafts, what)}" if shown.drafts else ""

    drafts = why("it")
    if shown.configured:  # (a topic a feed names, that no article has yet: no error)
        feeds = ", ".join(f"feeds.{slug}" for slug in shown.configured)
        hint = did_you_mean(shown.near)
        click.echo(f"feedpub: topic '{shown_path(topic_or_slug)}' is configured ({feeds}) "
                   f"but no published article has it yet{drafts}.{hint}", err=True)  # fmt: skip
    elif drafts and config.feed(topic_or_slug) is not None:  # (why it is empty)
        every = feed.topic_keys is None  # (a feed of every topic)
        empty = (
            "it holds no article yet" if every else "no published article has one of its topics yet"
        )
        click.echo(f"feedpub: feeds.{feed.slug}: {empty}{why('' if every else 'one')}.", err=True)
    elif shown.weaker and config.feed(topic_or_slug) is not None:  # (its min_quality: why)
        some = "" if feed.topic_keys is None else "one of its topics and "
        click.echo(f"feedpub: feeds.{feed.slug}: no published article has {some}a quality of "
                   f"{feed.min_quality:g} or more: {shown.weaker}.", err=True)  # fmt: skip
    elif drafts:  # (a topic only files not published, or not yet, have)
        click.echo(f"feedpub: topic '{shown_path(topic_or_slug)}': no published article has "
                   f"it yet{drafts}.", err=True)  # fmt: skip
    for path in shown.changed:
        click.echo(
            f"{shown_path(path)}: changed while it was read; left out (run preview again)", err=True
        )
    with _printing():
        if fmt in ("rss", "atom", "jsonfeed"):
            from . import formats

            name = "json" if fmt == "jsonfeed" else fmt
            data = formats.render(config, feed, chosen, [name], shown.doc)[name]
            click.echo(data, nl=False)  # (bytes: as they are, whatever the locale's encoding)
            return
        if fmt == "json":
            out = [
                {
                    "date": a.to_dict()["published_at"], "title": a.title, "url": a.url,
                    "provider": a.provider.name if a.provider else None,
                    "image": a.images[0].url if a.images else None, "related": len(a.related),
                    "topics": list(a.topics), "excerpt": a.excerpt, "source": shown_path(a.path),
                }
                for a in chosen
            ]  # fmt: skip
            # (JSON escapes, \u2019, what the output's encoding cannot hold: ISO-8859-1's)
            encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
            ascii_only = codecs.lookup(encoding).name != "utf-8"
            click.echo(json.dumps(out, ensure_ascii=ascii_only, indent=2))
            return
        colour = _colour()

        def style(text: str, **styles: Any) -> str:
            return click.style(text, **styles) if colour else text

        dates = [_local(a.published_at, config.timezone) for a in chosen]
        date_w = max([16, *map(len, dates)])
        # (the encoding it is written in: ISO-8859-1's shows "?" for a CJK character, one
        # column; where the locale's is ASCII, click writes UTF-8)
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        encoding = "utf-8" if codecs.lookup(encoding).name == "ascii" else encoding

        # (a feed's slug said: its title alone read as a topic's, "Space: 3 items")
        which = f" (the feed {feed.slug})" if config.feed(topic_or_slug) is not None else ""
        count = _shown_of(len(chosen), shown.matching)
        title = _isolated(feed.title, encoding)
        terminal = sys.stdout is not None and sys.stdout.isatty()
        width = shutil.get_terminal_size().columns if terminal else 0
        rest = len(f"{which}: {count}")  # (ASCII but for the slug's: a slug is ASCII)
        if terminal and _shown_width(feed.title, encoding) + rest > width >= rest + 10:
            title = _columns(feed.title, width - rest, encoding).rstrip(" ")  # (its count kept)
        heading = f"{title}{which}: {count}"
        click.echo(style(heading, bold=True))
        rows = [(date.ljust(date_w), a.title, a.provider.name if a.provider else "-",
                 "img" if a.images else "-  ", f"{len(a.related):>2} rel", a.url)
                for a, date in zip(chosen, dates, strict=True)]  # fmt: skip
        if terminal:  # (fitted to its width)
            for line in _fitted(rows, width, encoding, style):
                click.echo(line)
            return
        for date, title, provider, img, related, url in rows:  # (a pipe, a file: as it was)
            click.echo(
                f"{style(date, fg='cyan')}"
                f"  {_columns(title, 70, encoding)}  {_columns(provider, 20, encoding)}  "
                f"{img}  {related}  {style(url, fg='blue')}"
            )


#: On a terminal, the fewest columns ``preview`` gives a title beside the other cells of
#: its row; narrower, the row takes two lines (see :func:`_fitted`).
TITLE_MIN = 20


def _fitted(rows: list[tuple[str, str, str, str, str, str]], width: int, encoding: str,
            style: Callable[..., str]) -> Iterator[str]:  # fmt: skip
    """``preview``'s table rows (date, title, provider, img, related, URL) fitted to a
    terminal ``width`` columns wide: the provider in as many columns as the longest
    needs (20 at most, 10 when the terminal is narrow), the title in what is left (no
    more than the longest needs), and the URL, whole (to be copied or followed), on a
    line of its own, under the title when every URL fits there, else indented two
    columns (one longer than the terminal wraps there). A terminal too narrow to give a
    title ``TITLE_MIN`` columns beside the rest puts the date, provider, image and
    related items on one line, then the title and the URL on their own, indented."""
    if not rows:
        return
    date_w = len(rows[0][0])
    related_w = max(len(r[4]) for r in rows)
    provider_full = max(_shown_width(r[2], encoding) for r in rows)
    provider_w = min(20, provider_full)
    title_full = max(_shown_width(r[1], encoding) for r in rows)
    url_full = max(_shown_width(r[5], encoding) for r in rows)

    def room(provider_w: int) -> int:  # (date  title  provider  img  related)
        return width - date_w - 2 - 2 - provider_w - 2 - 3 - 2 - related_w

    if room(provider_w) < TITLE_MIN:
        provider_w = min(provider_w, 10)
    if room(provider_w) >= min(TITLE_MIN, title_full):
        title_w = min(room(provider_w), title_full)
        indent = " " * (date_w + 2 if date_w + 2 + url_full <= width else 2)
        for date, title, provider, img, related, url in rows:
            yield (f"{style(date, fg='cyan')}  {_columns(title, title_w, encoding)}  "
                   f"{_columns(provider, provider_w, encoding)}  {img}  {related:>{related_w}}")  # fmt: skip
            yield f"{indent}{style(url, fg='blue')}"
        return
    # (narrow: the title on a line of its own, with all but its indent)
    provider_w = max(min(width - date_w - 2 - 2 - 3 - 2 - related_w, provider_full), 1)
    for date, title, provider, img, related, url in rows:
        cell = _columns(provider, provider_w, encoding)
        yield f"{style(date, fg='cyan')}  {cell}  {img}  {related:>{related_w}}"
        yield f"  {_columns(title, max(width - 2, 1), encoding).rstrip(' ')}"
        yield f"  {style(url, fg='blue')}"


def _shown_width(text: str, encoding: str = "utf-8") -> int:
    """The columns a terminal shows ``text`` in (see :func:`_columns`)."""
    return sum(_widths(_encodable(text, encoding)))


def _say_shadowed(feed: FeedConfig, topic: str) -> None:
    """``preview ai`` shows the feed ai, whose items are not those of the topic AI (it has
    other topics, or a min_quality): say so, and how to preview the topic, by a name of
    it that is no slug (a slug is lower case: the topic as spelt, or in capitals)."""
    typed = next(t for t in (topic, topic.upper(), f"{topic} ") if not SLUG_RE.match(t))
    topics = ", ".join(map(shown_path, feed.topics))
    quality = "" if feed.min_quality is None else f"; min_quality {feed.min_quality:g}"
    click.echo(f"feedpub: preview {feed.slug} shows the feed {feed.slug} (topics: {topics}{quality}); "
               f"for the topic {shown_path(topic)} alone: feedpub preview "
               f"{shlex.quote(shown_path(typed))}", err=True)  # fmt: skip


def _local(moment: datetime, tz: tzinfo) -> str:
    """``moment`` as ``preview`` and ``list`` show it, in the site's time zone,
    ``2026-10-25 03:30``; in the hour a clock set back shows twice (a DST fold: Berlin's
    02:00 to 03:00 on 2026-10-25), with its offset, ``02:30+02:00`` then ``02:30+01:00``,
    which else read the same."""
    local = in_zone(moment, tz)
    offset = local.utcoffset()
    if offset is None or local.replace(fold=1 - local.fold).utcoffset() == offset:
        return f"{local:%Y-%m-%d %H:%M}"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{local:%Y-%m-%d %H:%M}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _shown_of(shown: int, matching: int) -> str:
    """How many items ``preview`` shows, of how many the feed or topic matches:
    ``2 of 5 items`` when a cut (max_items, --limit) leaves some out, else ``5 items``,
    ``1 item``."""
    if shown < matching:
        return f"{shown} of {matching} items"
    return f"{shown} item{'' if shown == 1 else 's'}"


def _columns(text: str, width: int, encoding: str = "utf-8") -> str:
    """``text`` in ``width`` columns of a terminal, as it shows them (a CJK character
    takes two, an accent that combines none, a ❤ that VS16 makes an emoji, ❤️, two): cut
    with "…" when longer, padded with spaces when shorter, so that the columns after it
    line up. What ``encoding`` (the output's) cannot hold is "?" (one column), as the
    output shows it."""
    text = _encodable(text, encoding)
    widths = _widths(text)
    if sum(widths) <= width:
        return _isolated(text, encoding) + " " * (width - sum(widths))
    used, end = 0, 0
    while used + widths[end] <= width - 1:  # (one column for the ellipsis)
        used += widths[end]
        end += 1
    return _isolated(text[:end] + "…", encoding) + " " * (width - 1 - used)


def _encodable(text: str, encoding: str) -> str:
    """``text`` as the output shows it: what ``encoding`` cannot hold, "?" (ISO-8859-1:
    日本 shown "??", each one column)."""
    if codecs.lookup(encoding).name != "utf-8":
        return text.encode(encoding, "replace").decode(encoding)
    return text


def _widths(text: str) -> list[int]:
    """The columns a terminal shows each character of ``text`` in (see :func:`_columns`)."""
    from wcwidth import wcswidth, wcwidth  # (ftfy's, installed with it)

    widths: list[int] = [max(int(wcwidth(ch)), 0) for ch in text]
    for i in range(1, len(text)) if "\ufe0f" in text else ():
        if text[i] == "\ufe0f":  # (VS16: the column the emoji it makes takes more)
            widths[i] = max(int(wcswidth(text[i - 1 : i + 1])) - widths[i - 1], 0)
    return widths


#: The bidirectional classes of right-to-left letters (Hebrew, Arabic) and Arabic digits.
_RIGHT_TO_LEFT = frozenset({"R", "AL", "AN"})


def _isolated(text: str, encoding: str = "utf-8") -> str:
    """``text`` as a terminal lays it out beside the rest of its line: one that holds a
    right-to-left letter between FSI and PDI (U+2068, U+2069: invisible, no column), so
    that a terminal that lays out bidirectional text (GNOME Terminal, Konsole) keeps it
    in its column: else a Hebrew title and the spaces after it, and a Hebrew provider,
    made one run from right to left, the provider shown where the title was, and the
    count of related items before them. Left as it is when ``encoding`` is not UTF-8 (it
    has no FSI), and so is every other text (its bytes unchanged)."""
    if text.isascii() or codecs.lookup(encoding).name != "utf-8":
        return text
    if not any(unicodedata.bidirectional(ch) in _RIGHT_TO_LEFT for ch in text):
        return text
    return f"\u2068{balanced_bidi(text)}\u2069"  # (an isolate the cut left open: closed)


@cli.command("list")
@config_option
@now_option
def list_cmd(config_path: str, now: datetime | None) -> None:
    """Every feed with its topics, article count and newest date, under a heading."""
    config = _load(config_path)
    counts, errors = feed_counts(config, _now(now))
    # ("   1 item  (1 matching)": the matching counts in line with "items (")
    rows = [(feed, f"{len(items):>4} {'item' if len(items) == 1 else 'items':<5} ({matching} matching)",
             _local(items[0].published_at, config.timezone) if items else "-")
            for feed, items, matching in counts]  # fmt: skip
    # (columns as wide as their longest: a long slug or a count of 10,000 keeps them in line)
    slug_w = max([20, *(len(feed.slug) for feed, _, _ in rows)])
    count_w = max([24, *(len(count) for _, count, _ in rows)])
    newest_w = max([16, *(len(newest) for _, _, newest in rows)])
    # (one line naming the columns; a row is as it was: a script skips the first line)
    with _printing():
        click.echo(f"{'FEED':<{slug_w}} {'ITEMS (MATCHING)':<{count_w}} {'NEWEST':<{newest_w + 7}}  "
                   "TITLE [TOPICS]")  # fmt: skip
        for feed, count, newest in rows:
            topics = ", ".join(feed.topics)
            click.echo(f"{feed.slug:<{slug_w}} {count:<{count_w}} newest {newest:<{newest_w}}  "
                       f"{feed.title} [{topics}]")  # fmt: skip
    for err in errors:
        click.echo(str(err), err=True)
