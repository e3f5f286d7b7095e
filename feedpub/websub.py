"""WebSub: tell the hub which feeds changed, so subscribers hear at once.

Every subscription document advertises the hub (``site.hub``) next to its
``self`` link (see :mod:`feedpub.formats`). After a
build, :func:`publish` POSTs the hub one publish ping per feed file that was
written (``hub.mode=publish``, ``hub.url=<feed url>``, form-encoded), as hubs
that follow PubSubHubbub 0.4 and WebSub expect.

A ping never fails or slows a build beyond its budget: all pings together get
``budget`` seconds (each request's timeout is what is left of it), a failed
ping is retried at most ``retries`` times after a short backoff, and what still
fails is returned as a message for the caller to print. urllib only.

A feed whose ping still failed waits for the next build (:func:`waiting`,
:func:`settle`: a list beside the cache), which pings it again after the feeds it
writes itself: a hub that is down for a while misses no change, even of a feed
that then changes no more.
"""

from __future__ import annotations

import contextlib
import fcntl
import http.client
import json
import os
import stat
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .config import Config, is_local_host
from .errors import shown_path
from .parallel import signals_held

BUDGET = 5.0
RETRIES = 2
BACKOFF = 0.25
USER_AGENT = f"feedpub/{__version__} (WebSub publisher)"


@dataclass(frozen=True, slots=True)
class PingResult:
    """One feed URL announced to the hub: ``error`` is None when the hub accepted it."""

    url: str
    error: str | None = None
    attempts: int = 0


def changed_feed_urls(config: Config, written: Iterable[str]) -> list[str]:
    """The public URLs of the subscription documents among the ``written`` file names.

    Archive pages and the site-wide files are not feeds anyone subscribes to.
    """
    files = _subscription_urls(config)
    return [files[name] for name in written if name in files]


def waiting_file(config: Config) -> Path:
    """Where the feeds whose ping failed wait for the next build: beside the cache,
    never in the output folder."""
    return config.cache.with_name(f"{config.cache.name}.websub")


def waiting(config: Config) -> list[str]:
    """The URLs of the feeds whose ping failed in an earlier build, in the order they
    failed, that are still subscription documents of ``config``."""
    return list(pending(config))


def pending(config: Config) -> dict[str, str]:
    """:func:`waiting`, each URL with the mark of the build that listed it last (give
    it to :func:`settle`)."""
    feeds = set(_subscription_urls(config).values())
    with contextlib.suppress(OSError):
        return {u: m for u, m in _read(config, _read_bytes(waiting_file(config))).items()
                if u in feeds}  # fmt: skip
    return {}


def unreadable(config: Config) -> str | None:
    """What to say of a waiting list that cannot be read (its bytes are no list, as
    :func:`_entries` reads them: a disk's or an editor's damage; not a killed write's
    leftover tail, which is read past): which feeds waited is lost, so every feed of
    ``config`` is taken as waiting (:func:`_read`), announced once more rather than
    never (it used to be read as empty, without a word). One that is no file (a
    folder, a FIFO, a device) or cannot be opened is said too: nothing is read from it
    nor written to it, no feed waits in it. None when it reads, or is not there."""
    path = waiting_file(config)
    try:
        try:
            _entries(_read_bytes(path))
        except FileNotFoundError:  # (none yet, or a symlink to one made at the first write)
            if not os.path.islink(path) or os.path.isdir(os.path.dirname(os.path.realpath(path))):
                return None
            # (a symlink to a file in a folder not there: nothing can be made, and the feeds
            # of build --no-ping waited nowhere, without a word)
            raise _NoFile(f"a symbolic link to {shown_path(os.readlink(path))}, whose "
                          "folder is not there") from None  # fmt: skip
    except OSError as e:  # (a folder, a FIFO, a device: taken as none, without a word)
        why = str(e) if isinstance(e, _NoFile) else e.strerror or str(e)
        return (f"{shown_path(str(path))}: the list of feeds waiting for the hub cannot be "
                f"read ({why}): no feed can wait in it, so none whose ping fails, or that "
                "`build --no-ping` wrote, is announced later; remove it, and the next "
                "build starts the list afresh")  # fmt: skip
    except ValueError as e:
        why = str(e) if str(e).startswith("not a list") else "not JSON"
        return (f"{shown_path(str(path))}: the list of feeds waiting for the hub cannot be "
                f"read ({why}): which of them waited is lost, so every feed is taken as "
                "waiting and announced to the hub once more (a ping of a feed that did not "
                "change tells it nothing new)")  # fmt: skip
    return None


def mend(config: Config) -> str | None:
    """:func:`unreadable`; the list, when it cannot be read, then written again with
    every feed of ``config`` waiting in it: said once, not at every build that pings
    nothing (``--no-ping``, ``serve --watch``) until the next ping rewrites it."""
    if said := unreadable(config):
        _update(config, dict)  # (what _read takes it for: every feed, waiting)
    return said


class _NoFile(OSError):
    """The waiting file is no regular file: what it is instead."""


def _open(path: Path, flags: int) -> int:
    """The waiting file opened with ``flags``; :class:`_NoFile` when it is no regular
    file: a folder, a FIFO (whose read waited for a writer: build and ping hung) or a
    symlink to ``/dev/zero`` (read to the end of memory: a MemoryError traceback)."""
    fd = os.open(path, flags | os.O_NONBLOCK, 0o600)  # (a FIFO's open waits without it)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "a device")  # fmt: skip
        raise _NoFile(f"{kind}, not a file")
    return fd


def _read_bytes(path: Path) -> bytes:
    """The waiting file's bytes (see :func:`_open`)."""
    with open(_open(path, os.O_RDONLY), "rb") as f:
        return f.read()


def _read(config: Config, data: bytes) -> dict[str, str]:
    """:func:`_entries` of the waiting file's bytes ``data``; every feed of ``config``,
    unmarked, when they cannot be read (see :func:`unreadable`)."""
    try:
        return _entries(data)
    except ValueError:
        return dict.fromkeys(_subscription_urls(config).values(), "")


def enlist(config: Config, urls: Iterable[str],
           into: list[tuple[str, set[str]]] | None = None) -> tuple[str, set[str]]:  # fmt: skip
    """Record ``urls`` as waiting before they are pinged: a build stopped while it pings
    (SIGTERM from a cron job's ``timeout``, Ctrl-C, a kill) leaves them to the next
    build, which would otherwise write nothing new and so ping nothing. Each is marked
    afresh: a ping under way, which saw it before, does not take it off the list. The
    mark, and the URLs that did not wait before (for :func:`withdraw`), also appended to
    ``into`` before the list is written: a stop held as it is written is raised once it
    is, and ``into`` has them then."""
    mark = os.urandom(8).hex()
    new = dict.fromkeys(urls, mark)
    fresh: set[str] = set()

    def change(before: dict[str, str]) -> dict[str, str]:
        fresh.update(u for u in new if u not in before)
        return {**{u: m for u, m in before.items() if u not in new}, **new}

    if into is not None:
        into.append((mark, fresh))
    if new:
        _update(config, change)
    return mark, fresh


def withdraw(config: Config, listed: tuple[str, set[str]], urls: Iterable[str]) -> None:
    """Take off the list those of ``urls`` that :func:`enlist` (``listed``: what it
    returned) added and nobody listed again since: feeds enlisted before their files
    were renamed into place, and then not published (the build was stopped before,
    or a rename failed), which did not change."""
    mark, fresh = listed
    gone = fresh.intersection(urls)
    if gone:
        _update(config, lambda before: {u: m for u, m in before.items()
                                        if u not in gone or m != mark})  # fmt: skip


def settle(
    config: Config, results: Iterable[PingResult], seen: Mapping[str, str] | None = None
) -> None:
    """Record what is left to announce once ``results`` are known: what waits (another
    build may have added to it meanwhile), less the URLs the hub heard of, plus those
    that failed now. With ``seen`` (:func:`pending` before the pings), a URL is taken off
    only if no build listed it again since (it wrote the feed again: the hub may have
    fetched the old file). Nothing to say when it cannot be written (the next build
    then pings only what it writes)."""
    results = list(results)
    done = {r.url for r in results if r.error is None}
    failed = [r.url for r in results if r.error is not None]
    with contextlib.suppress(OSError):
        if not failed and not waiting_file(config).exists():
            return

    def change(before: dict[str, str]) -> dict[str, str]:
        after = {u: m for u, m in before.items()
                 if u not in done or (seen is not None and seen.get(u) != m)}  # fmt: skip
        return {**after, **{u: "" for u in failed if u not in after}}

    _update(config, change)


def _entries(data: bytes) -> dict[str, str]:
    """The waiting file's URLs, each with its mark: a list of strings, each URL waiting
    and after it, when marked, ``"<url> <mark>"`` (a URL holds no space), as
    :func:`_listed` writes it, or as an earlier feedpub wrote it, ``[url, ...]`` (or
    ``[[url, mark], ...]``); ValueError for no list, or one holding anything else (a
    number, a string that is no http(s) URL). A mark whose URL is not listed (an
    earlier feedpub, run again after this one, took the URL off) is left out."""
    # (what follows the list is the tail of a longer one, left by a write stopped before
    # it cut the file: see _update; read past, whatever its bytes, even not UTF-8)
    # (a BOM before it, as Notepad saves an edited list, is not damage)
    text = data.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    try:
        listed, _ = json.JSONDecoder().raw_decode(text or "[]")
    except RecursionError:  # (junk of "[[[[…" nested past Python's stack: not JSON to
        raise ValueError("too deeply nested") from None  # read, not a traceback)
    if not isinstance(listed, list):
        raise ValueError("not a list")
    out: dict[str, str] = {}
    marks: dict[str, str] = {}
    for e in listed:
        if isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e):
            url, mark = e
            out.setdefault(url, mark)
        elif isinstance(e, str):
            url, _, mark = e.partition(" ")
            if mark:
                marks[url] = mark
            else:
                out.setdefault(url, "")
        else:  # ([1, 2, 3], an editor's: read as empty, the feeds waiting were lost unsaid)
            raise ValueError("not a list of URLs")
        if not url.startswith(("http://", "https://")):  # (feeds_url is one: config checks it)
            raise ValueError("not a list of URLs")
    return {u: m or marks.get(u, "") for u, m in out.items()}


def _listed(entries: Mapping[str, str]) -> bytes:
    """The waiting file's bytes for ``entries`` (URL -> mark): JSON strings only, so that
    an earlier feedpub (0.1.0 as released before the marks, run again after a downgrade)
    reads the URLs in it, as it wrote them, and its marks as no feed of the config (a
    list of lists stopped its every build with a TypeError)."""
    out: list[str] = []
    for url, mark in entries.items():
        out += [url, f"{url} {mark}"] if mark else [url]
    return json.dumps(out).encode("ascii")


def _update(config: Config, change: Callable[[dict[str, str]], dict[str, str]]) -> None:
    """Rewrite the list of waiting URLs as ``change`` makes it, under a lock (two
    builds' pings may end together); nothing when it cannot be written."""
    with contextlib.suppress(OSError):
        fd = _open(waiting_file(config), os.O_RDWR | os.O_CREAT)
        with open(fd, "r+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            read = f.read()
            data = _listed(change(_read(config, read)))
            # ("[]" once all are told: a file another build may have open is never
            # unlinked under it); written over in one write, then cut to its length: a
            # SIGKILL between leaves the new list before the old one's tail, which
            # _entries reads past (emptied first, a kill then lost every feed); the tail
            # written over with spaces (JSON's), which an earlier feedpub's json.loads
            # reads past too (the old tail was "Extra data": every feed waiting dropped,
            # as a list it could not read); Ctrl-C or SIGTERM (raised by feedpub's
            # handler) waits until it is done
            with signals_held():
                f.seek(0)
                f.write(data.ljust(len(read), b" "))
                f.flush()
                f.truncate(len(data))


def _subscription_urls(config: Config) -> dict[str, str]:
    """The file name of each subscription document -> its public URL."""
    return {
        f"{f.slug}.{fmt}": config.feed_url(f.slug, fmt) for f in config.feeds for fmt in f.formats
    }


def _ping_once(hub: str, url: str, timeout: float) -> None:
    body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": url}).encode("ascii")
    request = urllib.request.Request(  # noqa: S310 (config checks the scheme)
        hub,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": USER_AGENT,
        },
    )
    # a hub on this machine (a test hub) is reached directly, never through a proxy; a
    # redirect is not followed (urllib would follow it as a GET, without the ping)
    handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
    if is_local_host(urllib.parse.urlsplit(hub).hostname or ""):
        handlers.append(urllib.request.ProxyHandler({}))
    with urllib.request.build_opener(*handlers).open(request, timeout=timeout) as response:
        response.read(4096)
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(
                hub, response.status, response.reason, response.headers, None
            )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is the hub's answer (an error), not a place to send the ping again."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _in_time(hub: str, url: str, timeout: float) -> None:
    """:func:`_ping_once`, given ``timeout`` seconds in all: a hub that sends its answer
    a byte at a time (each read within urllib's timeout) is left to it, in a thread of
    its own that ends with the process, and the ping is a failure."""
    failed: list[BaseException] = []

    def ping() -> None:
        try:
            _ping_once(hub, url, timeout)
        except BaseException as e:  # (handed to the caller)
            failed.append(e)

    thread = threading.Thread(target=ping, daemon=True, name="websub ping")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError("timed out: no whole answer within the WebSub budget")
    if failed:
        raise failed[0]


def _describe(e: BaseException) -> str:
    if isinstance(e, urllib.error.HTTPError):
        e.close()
        if 300 <= e.code < 400:
            where = e.headers.get("Location", "") if e.headers else ""
            return f"HTTP {e.code} {e.reason}: a redirect (to {where!r}); set site.hub to where it leads"
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return str(e.reason)
    if isinstance(e, TimeoutError):
        return str(e) or "timed out"
    return str(e) or type(e).__name__


def publish(
    hub: str,
    urls: Sequence[str],
    *,
    budget: float | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> list[PingResult]:
    """Ping ``hub`` once per URL in ``urls``; never raises, never takes much over ``budget`` s.

    Every URL is tried once before any is tried again (a round each, after a backoff
    that doubles): a hub that is down spends the budget on retries only after each feed
    had its chance. A hub answering 4xx (other than 429), or a redirect, refuses the
    ping for good: no retry. Defaults: :data:`BUDGET`, :data:`RETRIES`, :data:`BACKOFF`.
    """
    budget = BUDGET if budget is None else budget
    retries = RETRIES if retries is None else retries
    backoff = BACKOFF if backoff is None else backoff
    deadline = clock() + budget
    errors: dict[str, str | None] = {}
    attempts: dict[str, int] = dict.fromkeys(urls, 0)
    pending = list(attempts)
    for round_ in range(retries + 1):
        if round_ and pending:
            pause = min(backoff * 2 ** (round_ - 1), deadline - clock())
            if pause > 0:
                sleep(pause)
        again: list[str] = []
        for url in pending:
            left = deadline - clock()
            if left <= 0.05:
                if attempts[url]:
                    errors[url] = f"{errors[url]} (then no time left to retry)"
                continue
            attempts[url] += 1
            try:
                _in_time(hub, url, left)
            except (OSError, ValueError, http.client.HTTPException) as e:
                errors[url] = _describe(e)
                final = (  # a refusal, or a redirect: no retry
                    isinstance(e, urllib.error.HTTPError) and 300 <= e.code < 500 and e.code != 429
                )
                if not final:
                    again.append(url)
            else:
                errors[url] = None
        pending = again
    return [PingResult(url, errors.get(url, "no time left in the WebSub budget"), n)
            for url, n in attempts.items()]  # fmt: skip


def failures(hub: str, results: Iterable[PingResult], earlier: Iterable[str] = (),
             then: str = "the next build tries again") -> list[str]:  # fmt: skip
    """The stderr lines for the pings that failed: one each, but one in all for those
    of feeds that ``earlier`` builds wrote (a hub down for a day would otherwise have
    every build of the day name every feed), ending with who tries ``then``."""
    earlier = set(earlier)
    failed = [r for r in results if r.error is not None]
    lines = [f"feedpub: websub ping to {hub} for {r.url} failed: {r.error}"
             for r in failed if r.url not in earlier]  # fmt: skip
    again = [r for r in failed if r.url in earlier]
    if again:
        lines.append(
            f"feedpub: websub: {len(again)} feed{'s' if len(again) > 1 else ''} changed by "
            f"earlier builds still not announced to {hub} ({again[0].error}); {then}"
        )
    return lines
