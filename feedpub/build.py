"""The pipeline, in order: find the article files, summarise those that changed (the
others come from the cache), select each feed's items, render and check what is due,
stage it, then the site files, and publish them all at once. And the queries
``preview`` and ``list`` make of the same stages.

Everything is checked before it is written: a feed that fails validation or cannot
be written keeps its old file, and the other feeds are still written. How the work
is shared among processes is :mod:`feedpub.parallel`'s business; what changed since
the last build, :mod:`feedpub.incremental`'s; writing, :mod:`feedpub.output`'s.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Collection, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

from . import compose, formats, incremental, kept, output, parallel, sources
from .archive import Document, documents
from .cache import UNREAD, Cache, Changes, KeptParts, Row
from .compose import Job, Shown
from .config import Config, FeedConfig, line_of, topic_key
from .errors import ArticleError, Notice, UnreadableError, shown_path, shown_text, utf8_reading
from .incremental import HEADLINES
from .model import Article, Headline, SourceFile, Summary
from .output import Outcome, Rendered
from .select import (
    Hidden,
    configured_topic,
    feed_for,
    matches,
    near,
    pick_all,
    select_feeds,
    visible,
)

if TYPE_CHECKING:
    from .formats import Problem
    from .formats.xmlfast import Entry

#: ``progress(phase, done, total)``: "Reading articles", then "Writing feeds".
Progress = Callable[[str, int, int], None]
#: ``observe(stage, paths)``, told before each stage touches article files: "listed"
#: (found), "read" (to summarise), "parse" (to parse whole, for rendering).
Observe = Callable[[str, list[str]], None]

#: The site-wide files (see :mod:`feedpub.site`).
SITE_NAMES = ("feeds.opml", "index.html")
PAGE = "index.html"  # the one that shows articles
#: How the documents of a feed in one format that are held back begin their problem: a
#: document of theirs could not be written (see :func:`_held_back`).
NOT_PUBLISHED = "not published: "
#: The rows of files read that a build holds before it writes them to the cache, while
#: it reads on: a hundred thousand rows held to the end are 45 MB more in the build's
#: process, and so in each worker it forks after (a forked worker's resident memory
#: counts every page it inherits).
ROWS_HELD = 8192
#: A file modified this close to the build's moment (before it or after) that no longer
#: reads as an article, while the last build read it whole, is taken as a save in
#: progress (an editor, a sync tool that truncates the file, then writes it): as the
#: last build read it, and read again by the next build (see :func:`summarise`).
SAVING_NS = 10 * 10**9


@dataclass(slots=True)
class Gathered:
    """Every article file's summary (or rejection), with counts; in a build that kept
    the last build's selection, only the changed files' summaries (see :class:`Selected`)."""

    summaries: list[Summary] = field(default_factory=list)
    errors: list[ArticleError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: files listed but gone (or being written) when read: the next build reads them,
    #: whatever their size and mtime say then
    vanished: list[str] = field(default_factory=list)
    #: files the system would not let be read (no permission): every build reads them
    #: again, whatever their size and mtime say (``chmod`` changes neither)
    unread: list[str] = field(default_factory=list)
    #: what in the files read is allowed but most likely a mistake (see
    #: :mod:`feedpub.notices`)
    notices: list[Notice] = field(default_factory=list)
    files: int = 0
    #: files read and parsed (their bytes changed, or were not known)
    read: int = 0
    #: files whose row in the cache is used: their size and mtime unchanged, or (counted
    #: in ``hashed`` too) their bytes, read and hashed, the same as the cache's
    cached: int = 0
    hashed: int = 0
    #: the published articles read and parsed (a same-URL copy's notice is said then)
    parsed: set[str] = field(default_factory=set)
    #: the files read and parsed that have no ``published`` key (one notice says them)
    undecided: list[str] = field(default_factory=list)


@dataclass(slots=True)
class BuildResult:
    gathered: Gathered
    outcomes: list[Outcome] = field(default_factory=list)
    refused: str | None = None
    #: published articles that a newer one with the same URL hides (``build -v`` names them)
    hidden: list[Hidden] = field(default_factory=list)
    #: why the cache could not be used or written (see :attr:`feedpub.cache.Cache.trouble`)
    cache_trouble: str | None = None
    #: what a killed build left in the output folder that could not be removed, a line
    #: each (see :func:`feedpub.output.build_lock`)
    leftovers: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("failed", "differs")]

    @property
    def deferred(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "deferred"]


def build(
    config: Config,
    now: datetime,
    *,
    slugs: Sequence[str] | None = None,
    full: bool = False,
    check: bool = False,
    allow_empty: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
    executor: parallel.Executor | None = None,
    observe: Observe | None = None,
    grace: bool = True,
) -> BuildResult:
    """Build (or with ``check``, compare) every feed; never raises for bad articles.
    ``executor`` (by default one for ``jobs`` processes) runs the reading and rendering.
    ``grace``: a file modified around ``now`` that the last build read whole and that
    reads as no article is taken as a save in progress (see :data:`SAVING_NS`); not
    for a caller that waited for the files to settle (``serve --watch``)."""
    ex = executor or parallel.executor(jobs)
    made = [] if check else output.make_folder(config)
    # the output files the cache records as written by the builds of this config (read
    # before a --full build starts it afresh): the only ones a feed taken out of it may
    # have removed (see output.prune_unlisted); and when the last complete build ran
    recorded, last_memo = _recorded(config) if full else (None, None)
    cache = incremental.open_cache(config, readonly=check, fresh=full)
    changes = Changes()
    stage = output.Stage()  # what is written, published together once all is rendered
    listed: list[tuple[str, set[str]]] = []  # the feeds enlisted for the hub (see _publish)
    result: BuildResult | None = None
    stopped = False
    try:
        with parallel.collector_paused() as hold:
            found = sources.find(config, ex)
            if observe:
                observe("listed", [s.path for s in found.sources])
            state = incremental.state(config, found, slugs, allow_empty)
            memo, known = cache.last_build()
            recorded = known if recorded is None else recorded
            if not check and not full:
                same = incremental.nothing_to_do(config, memo, known, found.newest(), state, now)
                if same is not None:
                    n = found.count()
                    g = Gathered(errors=same.errors, skipped=found.skipped, files=n, cached=n)
                    return BuildResult(g, [Outcome(o, "unchanged") for o in same.outputs],
                                       hidden=same.hidden)  # fmt: skip
            setup = incremental.setup_key(config, slugs, allow_empty)
            last = None if check or full else kept.load(cache.kept())
            stamps, unusable = found.stamps(), {id(e) for e in found.unusable}
            # files the globs matched but the listing rejected (a sync tool's conflict
            # copy): matched all the same, not a glob that found nothing (line 0: a folder)
            listed_bad = sum(1 for e in found.unusable if e.line)
            result = BuildResult(Gathered())
            sel = _gather_and_select(config, found, cache, setup, last, now, slugs, ex, changes,
                                     result.hidden, progress, observe, grace)  # fmt: skip
            idle = found.idle
            literal = sources.literal_globs(config, found)
            del found  # a hundred thousand SourceFiles the render workers need not inherit
            g, rows, selected = sel.gathered, sel.rows, sel.shown
            result.gathered = g
            hold()  # they live to the end: frozen, and the collector back on to render
            # the empty content guard; and the clock's: every published article dated
            # after now (a clock set back, a machine booted before its clock is set),
            # unless the clock went on since the last build (every article taken back
            # but one to come, say)
            future = None
            if (not sel.empty and sel.upcoming is not None and not any(selected.values())
                    and incremental.clock_went_back(memo or last_memo, now)):  # fmt: skip
                future = (now, sel.upcoming)
            if not allow_empty and (sel.empty or future):
                left_out = sum(s.endswith(f": {sources.EXCLUDED}") for s in g.skipped)
                asked = [f for f in config.feeds if f.slug in selected]
                files = g.files + listed_bad
                result.refused = output.refusal(config, asked, files, future, left_out,
                                                literal)  # fmt: skip
                if result.refused:
                    output.unmake_folders(made)
                    return result
            # the site-wide files list every feed: not for a --feed build
            site = None if slugs else _Site(config, selected, rows, known, check, full,
                                            changes, observe)  # fmt: skip

            def meanwhile() -> None:
                """Done while other processes render (if any do): the files' rows
                written; once ``early`` has made them, the headlines (called again)."""
                if changes.vanished or changes.stored or changes.touched:
                    cache.commit_files(changes)
                cache.commit_headlines(changes)

            selection: list[KeptParts | None] = [None]

            def early(shown: Shown) -> None:
                """What the build does anyway, done while other processes render the
                documents (else after them): the site files rendered, the headlines the
                cache keeps, what a complete build keeps for the next (kept only if the
                build turns out complete)."""
                if site is not None:
                    site.render(shown)
                changes.headlines += [(p, d, h.to_json()) for p, (d, h) in shown.items()]
                if stamps is not None:
                    rejected = [e for e in g.errors if id(e) not in unusable]
                    # (written again: what changed since the ``last`` one)
                    # (a file that could not be read is read again by the next build:
                    # stamped as changed, the selection kept for the others)
                    seen = kept.unstamped(stamps, g.unread) if g.unread else stamps
                    selection[0] = kept.dump(kept.Kept(setup, now, sel.upcoming, seen,
                                                       sel.windows, rejected, result.hidden),
                                             last)  # fmt: skip

            prunes: list[tuple[_Group, bool]] = []
            _render_and_write(config, now, selected, known, ex, check, full, result, changes,
                              stage, meanwhile, early, progress, observe,
                              last.windows if last else None, prunes)  # fmt: skip
            stage.write_back()  # the feeds' bytes go to disk while the site files are staged
            if site is not None:  # staged after the documents, as they are renamed after them
                # (not while a feed it lists is kept: it would show what that feed does not)
                result.outcomes += site.deliver(
                    stage,
                    [p for o in result.deferred for p in o.problems],
                    any(o.status == "failed" for o in result.outcomes),  # (not --check's "differs")
                )
            _publish(config, stage, result, listed)  # every file's bytes on disk, then the renames
            empty = _written_empty(config, selected, result.outcomes, full,
                                   rejected=bool(g.errors), now=now,
                                   everyone=sel.everyone)  # fmt: skip
            g.notices += empty
            # the files read without a published key, in one notice (not when no article
            # is published at all: the notice of the feed of every topic says why)
            if g.undecided and not any(_NOTHING_PUBLISHED in n.message for n in empty):
                g.notices.append(no_published_key(sorted(g.undecided)))
            # (once a config, whatever feeds a build is asked for; and by --full; --check,
            # which keeps nothing, as the build it checks: quiet after a build of the same
            # config, as a cron job's --check every few minutes)
            told = last.setup if last else kept.setup_of(cache.kept()) if check else None
            if full or told is None or not incremental.same_config(told, setup):
                g.notices += _missing_folders(config) + _idle_excludes(config, idle)
                line = line_of(config, ("site", "content"))
                g.notices += [Notice(str(config.path), line, f"site.content: {hint}; the "
                                     "articles it was to find are in no feed") for hint in literal]  # fmt: skip
            g.notices += _hidden_copies(config, result.hidden, g, rows)
            pages = _prune(config, prunes, check, result)
            if site is not None:  # (a --feed build knows the files of its feeds only)
                produced = {o.name for o in result.outcomes if o.status != "removed"} | pages
                # (a cache that records no output, new or lost: feeds of feedpub's it
                # cannot tell are this config's, to be said)
                unrecorded: list[str] | None = [] if not recorded else None
                result.outcomes += output.prune_unlisted(config, produced, recorded, check,
                                                         unrecorded)  # fmt: skip
                g.notices += _unrecorded(config, unrecorded or [])
                if check:  # (a build removes them; a deploy after --check would publish them)
                    result.outcomes += [
                        Outcome(n, "differs", [why]) for n, why in output.leftovers(config.output)
                    ]
        # the files of the feeds kept for the next build are read again then, even if
        # their size and mtime look unchanged, and so are the files that vanished (which
        # may be back by then with the size and mtime they were listed with)
        changes.stale = sorted(
            {*changes.stale, *g.vanished, *(str(p) for o in result.deferred for p in o.problems)}
        )
        changes.removed = [o.name for o in result.outcomes if o.status == "removed"]
        if not result.failed and not result.deferred and not g.vanished:
            done = [o.name for o in result.outcomes if o.status in ("written", "unchanged")]
            changes.last_build = incremental.remember(
                state, now, sel.upcoming, g.errors, done, result.hidden, None, bool(g.unread)
            )
            changes.kept = selection[0]
        return result
    except BaseException:
        stopped = True
        raise
    finally:
        stage.discard()  # a build stopped before its commit publishes nothing
        # (a stop held as the list is written is raised after it: the cache is written
        # and closed all the same)
        try:
            if listed and stage.unpublished:  # (those did not change: nothing to announce)
                from . import websub

                urls = websub.changed_feed_urls(config, stage.unpublished)
                websub.withdraw(config, listed[0], urls)
        finally:
            # a file not published is rendered again by the next build
            changes.outputs = [o for o in changes.outputs if o[0] not in stage.unpublished]
            if changes != Changes():
                cache.commit(changes)  # a cache that refuses (a full disk) is no loss: said
            if result is not None and not check:
                result.cache_trouble = cache.trouble
            cache.close()
            if stopped:  # (a first build stopped: no empty output folder to serve or deploy)
                output.unmake_folders(made)


class Selected(NamedTuple):
    """What a build gathered, and selected from it."""

    #: every file's summary or rejection; only the changed files' summaries, when the
    #: selection was brought up to date from the last build's (see :mod:`feedpub.kept`)
    gathered: Gathered
    #: the cache's rows of these paths (at least)
    rows: Callable[[Collection[str]], Mapping[str, Row]]
    windows: dict[str, kept.Window]
    #: each feed's items (the start of its window)
    shown: dict[str, list[Summary]]
    #: the next moment an article is published (see :func:`kept.upcoming`)
    upcoming: datetime | None
    #: whether no article file was summarised (the empty-content guard's question)
    empty: bool
    #: every listed file's summary as this build knows it (asked only when a feed of
    #: topics is written empty: a selection brought up to date takes the unchanged
    #: files' from the cache then)
    everyone: Callable[[], list[Summary]]


def _gather_and_select(config: Config, found: sources.Found, cache: Cache, setup: str,
                       last: kept.Kept | None, now: datetime, slugs: Sequence[str] | None,
                       ex: parallel.Executor, changes: Changes, hidden: list[Hidden],
                       progress: Progress | None, observe: Observe | None,
                       grace: bool) -> Selected:  # fmt: skip
    """Every feed's window at ``now`` (see :mod:`feedpub.kept`): from the ``last`` build's,
    when it was asked the same (``setup``) and its windows can be brought up to date from
    the files changed since; else from every file's summary. The articles another with
    the same URL hides go to ``hidden``. With ``grace``, a file saved around ``now``
    that no longer reads is taken as a save in progress (see :data:`SAVING_NS`)."""
    feeds = [f for f in config.feeds if not slugs or f.slug in slugs]
    saving = int(now.timestamp()) * 10**9 if grace else None
    if last is not None and last.setup == setup:
        since = kept.changed(last, found, incremental.racy_after(config))
        if since is not None:
            # (their rows held, not written while read: at most kept.LIMIT of them; when
            # the windows cannot tell, the pass below must find these files changed, to
            # read them again and tell what they hold, their notices said once a read)
            g = summarise(config, found, cache.rows(since.paths), ex, changes, progress, observe,
                          only=since, saving=saving)  # fmt: skip
            windows = kept.update(last, feeds, since, g.summaries, now, cache.holders)
            if windows is not None:
                g.errors = kept.errors(last, since, g.errors)
                hidden += last.hidden
                stamps = found.stamps()
                listed = stamps.paths if stamps else found.paths()

                def everyone(fresh: list[Summary] = g.summaries) -> list[Summary]:
                    rest = [p for p in listed.split("\0") if p and p not in since.paths]
                    return fresh + [r.summary for r in cache.rows(rest).values() if r.summary]

                return Selected(g, cache.rows, windows, kept.shown(feeds, windows),
                                kept.upcoming(last, g.summaries, now), False, everyone)  # fmt: skip
            # read again below, with every other file: what was read is not kept twice
            changes.vanished, changes.stored, changes.touched = [], [], []
    rows = cache.rows()
    g = summarise(config, found, rows, ex, changes, progress, observe, write=cache.commit_files,
                  saving=saving)  # fmt: skip
    # from the summaries (cached or read), as selection sees them: a warm build
    # that reads no file reports the same hidden articles as a cold one
    picked = select_feeds(config, g.summaries, now, slugs, hidden, spare=kept.SPARE)
    windows = kept.windows(feeds, picked)
    return Selected(g, lambda _: rows, windows, kept.shown(feeds, windows),
                    incremental.upcoming(g.summaries, now), not g.summaries,
                    lambda: g.summaries)  # fmt: skip


def summarise(config: Config, found: sources.Found, rows: Mapping[str, Row],
              ex: parallel.Executor, changes: Changes, progress: Progress | None = None,
              observe: Observe | None = None, *, only: kept.Changed | None = None,
              write: Callable[[Changes], bool] | None = None,
              saving: int | None = None) -> Gathered:  # fmt: skip
    """Every file's summary or rejection: from the cache when unchanged, else read (and
    parsed only when its bytes changed). What was read goes to ``changes``; with
    ``write`` (the cache's :meth:`~feedpub.cache.Cache.commit_files`), written out of it
    each time it holds :data:`ROWS_HELD` rows, until the cache refuses them. With
    ``only``, the files changed since the last build's kept selection, only those are
    looked at, and only their summaries and rejections given (``rows`` needs only
    theirs: those of the files gone go from the cache). ``saving``, the build's moment
    (ns): a file modified within :data:`SAVING_NS` of it that the last build read whole
    and that reads as no article now is taken as the last build read it, and read
    again by the next build, as a file that vanished is."""
    from .notices import NO_PUBLISHED_KEY  # (as the files read need it: not to import build)

    n = found.count()
    g = Gathered(errors=list(found.unusable), skipped=list(found.skipped), files=n)
    racy = incremental.racy_after(config)
    summaries, errors, todo, gone = incremental.unchanged(only.found if only else found, rows, racy)
    g.summaries += summaries
    g.errors += errors
    g.cached = n - len(todo)
    if observe:
        observe("read", [src.path for src, _ in todo])
    work = partial(sources.summarize, config.timezone, config.max_file_size,
                   sources.content_prefixes(config))  # fmt: skip
    formats_used = sorted({fmt for f in config.feeds for fmt in f.formats})
    results = ex.map(
        work,
        todo,
        parallel.READING,
        files=_abspath,
        meanwhile=partial(_prepare_rendering, formats_used),
        ahead=sources.prepare,
    )
    for done, ((src, _), result) in enumerate(zip(todo, results, strict=True), 1):
        if progress:
            progress("Reading articles", done, len(todo))
        if result is None:  # gone since it was listed, or being replaced (as git does)
            g.vanished.append(src.path)
            row = rows.get(src.path)
            if row is not None and row.error is not None:
                g.errors.append(row.error)
            elif row is not None and row.summary is not None:
                # as the last build read it: a feed that shows it is written only once
                # its file is read again and holds those bytes (else kept for the next)
                g.summaries.append(row.summary)
            else:  # (never read: nothing to keep)
                g.skipped.append(f"{shown_path(src.path)}: vanished while the build ran")
                continue
            g.skipped.append(f"{shown_path(src.path)}: vanished while the build ran; "
                             "taken as the last build read it")  # fmt: skip
            continue
        digest, outcome = result[0], result[1]
        if len(result) == 3:  # (what in the file is most likely a mistake: said this once)
            for notice in result[2]:
                if notice.message == NO_PUBLISHED_KEY:  # (said of them all in one notice)
                    g.undecided.append(notice.path)
                else:
                    g.notices.append(notice)
        if outcome is None:  # same bytes as cached: no parse needed
            g.cached += 1
            g.hashed += 1
            row = rows[src.path]
            if row.error is not None:
                g.errors.append(row.error)
            elif row.summary is not None:
                g.summaries.append(row.summary)
            changes.touched.append((src.path, src.size, src.mtime_ns))
            continue
        if (isinstance(outcome, ArticleError) and digest and saving is not None
                and abs(src.mtime_ns - saving) <= SAVING_NS
                and (row := rows.get(src.path)) is not None and row.summary is not None):  # fmt: skip
            # half written by an editor that saves in place: not rejected (its feeds
            # written without it) for an instant's state
            g.vanished.append(src.path)
            g.summaries.append(row.summary)
            ago = (saving - src.mtime_ns) // 10**9  # (now is whole seconds: the clock's cut)
            when = (f"{ago} s before the build" if ago > 0 else "as the build ran" if ago < -1
                    else "within a second of the build")  # fmt: skip
            g.skipped.append(f"{shown_path(src.path)}: modified {when}, and no article as it "
                             f"stands ({outcome.message}): a save in progress? taken as the "
                             "last build read it, and read again by the next build")  # fmt: skip
            continue
        g.read += 1
        if isinstance(outcome, ArticleError):
            g.errors.append(outcome)
            if isinstance(outcome, UnreadableError):
                g.unread.append(src.path)
                digest = UNREAD
            else:
                digest = digest or "-"
        else:
            g.summaries.append(outcome)
            if outcome.published is True:
                g.parsed.add(outcome.path)  # (the Summary's: a listed path kept alive
                # would keep the arenas of the listing's hundred thousand objects: +100 MB)
        changes.store(src.path, src.size, src.mtime_ns, digest, outcome)
        if write is not None and len(changes.stored) >= ROWS_HELD and not write(changes):
            write = None  # (read-only, a full disk: they wait for the build's end)
    changes.vanished = gone
    # an article file the last build read that is a folder now: said by the build that
    # finds it gone (a glob that names files by their ending rejects it at every build)
    named = {e.path for e in found.unusable}
    g.notices += [Notice(p, 1, sources.FOLDER_NOW) for p in gone
                  if p not in named and os.path.isdir(os.path.join(config.root, p))]  # fmt: skip
    g.errors.sort(key=lambda e: (e.path, e.line))
    return g


def _abspath(item: tuple[SourceFile, str | None]) -> str:
    return item[0].abspath


def _render_and_write(config: Config, now: datetime, selected: dict[str, list[Summary]],
                      known: dict[str, incremental.Known], ex: parallel.Executor, check: bool,
                      full: bool, result: BuildResult, changes: Changes, stage: output.Stage,
                      meanwhile: Callable[[], object], early: Callable[[Shown], object],
                      progress: Progress | None, observe: Observe | None,
                      last: Mapping[str, kept.Window] | None,
                      prunes: list[tuple[_Group, bool]]) -> None:  # fmt: skip
    """Render, check and stage every feed document whose fingerprint changed, in feed
    order, a feed's documents in a format together or none of them (see
    :func:`_held_back`); add to ``prunes`` each group, and whether it was published
    together (then its archive pages are pruned: see :func:`_prune`). ``meanwhile`` is done here
    while other processes render (if any do); so is ``early`` (given what the feeds
    page shows of the articles rendered), once, or else after the documents; and
    ``meanwhile`` again after it.
    ``last``: the windows of the last build, whose documents may hold the entries of
    articles shown again (see :func:`_written_entries`)."""
    pending: list[Job] = []
    # each feed's documents in one format (its subscription document, its archive
    # pages), in feed order: outcomes, and jobs where one is due
    groups: list[_Group] = []
    for feed in (f for f in config.feeds if f.slug in selected):
        docs = documents(feed, selected[feed.slug])
        for fmt in feed.formats:
            groups.append(_Group(feed, fmt, docs, []))
            for doc in docs:
                name = f"{doc.stem}.{fmt}"
                fp = incremental.fingerprint(config, feed, fmt, doc.items, doc)
                if (not check and not full
                        and incremental.up_to_date(config.output / name, known.get(name), fp)):  # fmt: skip
                    groups[-1].slots.append(Outcome(name, "unchanged"))
                    continue
                pending.append(Job(feed, fmt, doc, name, fp))
                groups[-1].slots.append(pending[-1])
    if observe and pending:
        observe("parse", sorted({s.path for job in pending for s in job.doc.items}))
    # imported here, once, when the reading did not (it does while its workers work), not
    # by each worker after the fork
    if pending:
        formats.prepare(sorted({job.fmt for job in pending}))
    # (kept out of this process's memory past a few MB: see parallel.Spilled)
    parsed: parallel.Spilled[str, compose.Parsed] = parallel.Spilled(compose.split, compose.join)
    with contextlib.closing(parsed):
        before = _written_entries(config, last, pending, known) if last and not full else {}
        shows = _parse_shown(config, now, pending, ex, parsed, before)
        # a file shown that cannot be read now (made unreadable, its size and mtime kept):
        # its documents fail, and the next build reads it again (and rejects it, or not)
        changes.stale += shows.errors
        result.gathered.notices += _dropped_urls(config, shows.dropped, result.gathered, full)
        shown = compose.shown(pending, shows)
        # an Article a document needs whole is parsed once a worker (each has its own ``kept``)
        kept: parallel.Kept[tuple[str, str], Article] = parallel.Kept(parallel.KEPT_ARTICLES)
        # the processes that render write the temp files too, in folders made now
        new = None if check or not pending else stage.files(config.output, reserve=True)
        work = partial(_render_and_make, config, now, shows, kept, check, new)
        once = _Once(partial(early, shown))

        def during() -> None:  # while other processes render
            meanwhile()
            once()
            meanwhile()  # (what ``early`` made)

        made = ex.map(work, pending, parallel.RENDERING, meanwhile=during)
        written = 0
        for group in groups:
            mades = []
            for slot in group.slots:
                if isinstance(slot, Job):
                    mades.append((slot, next(made)))
                    written += 1
                    if progress:
                        progress("Writing feeds", written, len(pending))
            held = _held_back(mades)
            each = iter(mades)  # (in the order of the group's jobs)
            for slot in group.slots:
                if isinstance(slot, Outcome):
                    result.outcomes.append(slot)
                    continue
                _, m = next(each)
                if held is not None and m.status not in ("deferred", "failed"):
                    m = output.held(m, *held)
                # an archive page is published before the documents that link it
                outcome, stat = stage.adopt(config.output / slot.name, m,
                                            first=slot.doc.page is not None)  # fmt: skip
                if stat:
                    changes.outputs.append((slot.name, slot.fp, *stat))
                result.outcomes.append(outcome)
            prunes.append((group, held is None))
        once()  # (when no other process rendered)


class _Group(NamedTuple):
    """A feed's documents in one format: the subscription document and its archive
    pages, published together or not at all (a chain of ``prev-archive`` links)."""

    feed: FeedConfig
    fmt: str
    docs: list[Document[Summary]]
    slots: list[Outcome | Job]


def _held_back(mades: list[tuple[Job, output.Made]]) -> tuple[str, list[Problem | str]] | None:
    """Why the documents of a group are not published, when one of them is not: kept
    for the next build (an article file changed while it was built), or failed. Its
    others would link pages that are not there, or leave articles out of the chain, or
    show them twice."""
    for status in ("deferred", "failed"):
        for job, m in mades:
            if m.status == status:
                why = m.problems if status == "deferred" else [f"{NOT_PUBLISHED}{job.name} failed"]
                return status, list(why)
    return None


def _prune(config: Config, prunes: list[tuple[_Group, bool]], check: bool,
           result: BuildResult) -> set[str]:  # fmt: skip
    """Remove the archive pages each group no longer has, once its documents are
    published (a page is never gone while a published document links it); the names
    of the pages of the groups held back, which stay."""
    existing = output.archive_pages(config)
    done = {o.name for o in result.outcomes if o.status in ("written", "unchanged")}
    kept: set[str] = set()
    for g, together in prunes:
        if check or (together and all(f"{d.stem}.{g.fmt}" in done for d in g.docs)):
            result.outcomes += output.prune_pages(config, g.feed, g.fmt, g.docs, check, existing)
        else:
            prefix, suffix = f"{g.feed.slug}-archive-", f".{g.fmt}"
            kept |= {n for n in existing if n.startswith(prefix) and n.endswith(suffix)}
    return kept


class _Once:
    """``fn``, called the first time this is, and never again."""

    def __init__(self, fn: Callable[[], object]) -> None:
        self.fn: Callable[[], object] | None = fn

    def __call__(self) -> None:
        fn, self.fn = self.fn, None
        if fn is not None:
            fn()


def _render_and_make(config: Config, now: datetime, shows: compose.Shows,
                     kept: MutableMapping[tuple[str, str], Article], check: bool,
                     new: parallel.NewFiles | None, chunk: list[Job]) -> list[output.Made]:  # fmt: skip
    """Each job of ``chunk`` rendered, checked, and compared with its file or written to
    a temp file (:func:`feedpub.output.make`), in whichever process renders it."""
    rendered = compose.render(config, now, shows, kept, chunk)
    return [output.make(config, job.name, r, check, new)
            for job, r in zip(chunk, rendered, strict=True)]  # fmt: skip


def _written_entries(config: Config, last: Mapping[str, kept.Window], pending: list[Job],
                     known: Mapping[str, incremental.Known]) -> dict[tuple[str, str], Entry]:  # fmt: skip
    """By path and content hash, the entries of the articles that the last build's
    subscription documents of the ``pending`` feeds show, taken out of those files
    (:func:`feedpub.formats.written`) where they still hold what it wrote there: the
    fingerprint of its items (its window's start) and the size and mtime the cache
    knows. A feed without both RSS and Atom gives none; one with archive pages, those
    of its subscription document (not of its pages)."""
    out: dict[tuple[str, str], Entry] = {}
    for feed in {job.feed.slug: job.feed for job in pending}.values():
        window = last.get(feed.slug)
        if window is None or not {"rss", "atom"} <= set(feed.formats):
            continue
        doc = documents(feed, window.articles)[0]
        data = [incremental.written_bytes(config.output / f"{doc.stem}.{fmt}",
                                          known.get(f"{doc.stem}.{fmt}"),
                                          incremental.fingerprint(config, feed, fmt, doc.items, doc))
                for fmt in ("rss", "atom")]  # fmt: skip
        entries = None
        if data[0] is not None and data[1] is not None and doc.items:
            entries = formats.written(data[0], data[1], len(doc.items))
        if entries is not None:
            out.update(((s.path, s.digest), e) for s, e in zip(doc.items, entries, strict=True))
    return out


def _parse_shown(config: Config, now: datetime, pending: list[Job], ex: parallel.Executor,
                 parsed: MutableMapping[str, compose.Parsed],
                 before: Mapping[tuple[str, str], Entry]) -> compose.Shows:  # fmt: skip
    """Every article the ``pending`` outputs show, parsed again once (not once a feed),
    put in ``parsed`` by path; or, where ``before`` holds its entry (see
    :func:`_written_entries`), that entry, when its file still holds the bytes it was
    made from (:func:`compose.parse`)."""
    items = list({s.path: s for job in pending for s in job.doc.items}.values())
    headlines = {s.path for job in pending if job.doc.page is None
                 for s in job.doc.items[:HEADLINES]}  # fmt: skip
    # the articles of documents in a format that is rendered from the Articles (JSON Feed)
    whole = {s.path for job in pending if not formats.FORMATS[job.fmt].assembled
             for s in job.doc.items}  # fmt: skip
    shows = compose.Shows(parsed, {}, set(), {}, {})
    results = ex.map(partial(compose.parse, config, now, headlines, whole, before), items,
                     parallel.PARSING, files=partial(_article_path, config),
                     ahead=sources.prepare_articles)  # fmt: skip
    for s, result in zip(items, results, strict=True):
        if isinstance(result, compose.Parsed):
            shows.parsed[s.path] = result
            if result.headline is not None:
                shows.headlines[s.path] = result.headline
            if result.dropped:
                shows.dropped[s.path] = result.dropped
        elif result is None:
            shows.changed.add(s.path)
        else:
            shows.errors[s.path] = result
    return shows


def _prepare_rendering(formats_used: list[str]) -> None:
    """What rendering imports, done while the workers read (see :func:`summarise`)."""
    formats.prepare(formats_used)
    sources.prepare_articles()


def _article_path(config: Config, s: Summary) -> str:
    return os.path.join(config.root, s.path)


class _Site:
    """``feeds.opml`` and ``index.html``: rendered when what they show changed, and
    checked (:meth:`render`, which a build does while other processes render its
    documents), then staged like a feed, after the documents (:meth:`deliver`). The
    page's headlines come from this build's renders, then from the cache, and only the
    rest are parsed from their files."""

    def __init__(self, config: Config, selected: dict[str, list[Summary]],
                 rows: Callable[[Collection[str]], Mapping[str, Row]],
                 known: dict[str, incremental.Known], check: bool, full: bool,
                 changes: Changes, observe: Observe | None) -> None:  # fmt: skip
        self.config, self.selected, self.rows, self.known = config, selected, rows, known
        self.check, self.full, self.changes, self.observe = check, full, changes, observe
        self.fp = incremental.site_fingerprint(config, selected)
        #: each file's name and checked bytes, once rendered; None for up-to-date files
        self.files: list[tuple[str, Rendered]] | None = None

    def render(self, shown: Shown) -> None:
        """Render and check the files, unless they are up to date."""
        config, known = self.config, self.known
        current = (incremental.up_to_date(config.output / n, known.get(n), self.fp)
                   for n in SITE_NAMES)  # fmt: skip
        if not self.check and not self.full and all(current):
            return
        from .site import headline_items, site_files  # lxml: only when they are rendered

        wanted = {s.path: s for s in headline_items(config, self.selected)}
        heads = compose.known_headlines(wanted, shown, self.rows(wanted))
        rest = [s for p, s in wanted.items() if p not in heads]
        if self.observe and rest:
            self.observe("parse", [s.path for s in rest])
        reread = sources.read_articles(config, rest)
        parsed = {p: Headline.of(a) for p, a in reread.articles.items()}
        heads.update(parsed)
        self.changes.headlines += [(p, wanted[p].digest, h.to_json()) for p, h in parsed.items()]
        self.files = []
        for f in site_files(config, self.selected, heads):
            problems: list[Problem | str] = list(f.problems)
            if f.name == PAGE:
                problems += [str(e) for e in reread.errors.values()]
                self.changes.stale += reread.errors  # (as for the feeds: see _render_and_write)
            self.files.append(
                (f.name, (f.data, problems, reread.changed if f.name == PAGE else []))
            )

    def deliver(self, stage: output.Stage, changed: Sequence[Problem | str] = (),
                failed: bool = False) -> list[Outcome]:  # fmt: skip
        """Stage the files :meth:`render` made; none, kept for the next build like the
        feed documents, when article files ``changed`` while the build ran; none (their
        old files kept) when a feed document ``failed``: they would list a feed, or its
        headlines, that is not there."""
        if self.files is None:
            return [Outcome(n, "unchanged") for n in SITE_NAMES]
        if changed:
            paths = sorted(set(map(str, changed)))
            return [Outcome(name, "deferred", [*paths]) for name, _ in self.files]
        if failed and not self.check:  # (--check writes nothing: it compares them)
            # (a file feedpub did not write is said so now, not once the feeds are written)
            return [Outcome(name, "failed", [self._foreign(name) or output.HELD_BACK])
                    for name, _ in self.files]  # fmt: skip
        outcomes = []
        for name, data in self.files:
            outcome, stat = output.deliver(self.config, name, data, self.check, stage,
                                           recorded=self.known)  # fmt: skip
            if stat:
                self.changes.outputs.append((name, self.fp, *stat))
            outcomes.append(outcome)
        return outcomes

    def _foreign(self, name: str) -> str | None:
        """Why the output file ``name`` that is there is not feedpub's, if it is not."""
        made = output.make(self.config, name, (b"", [], []), True, None, self.known)
        return str(made.problems[0]) if made.problems else None


def _recorded(config: Config) -> tuple[dict[str, incremental.Known], str | None]:
    """The output files the cache records (by name, as written), and its memo of the
    last complete build (read only)."""
    cache = incremental.open_cache(config, readonly=True)
    try:
        memo, known = cache.last_build()
        return known, memo
    finally:
        cache.close()


def _hidden_copies(config: Config, hidden: list[Hidden], g: Gathered,
                   rows: Callable[[Collection[str]], Mapping[str, Row]]) -> list[Notice]:  # fmt: skip
    """A notice for each published article hidden by a copy with the same URL, the same
    date and other bytes (see :func:`feedpub.notices.hidden_copy`), said by the build
    that reads one of the two after it changed (by every ``--full`` one)."""
    ties = [h for h in hidden if h.same_date and (h.path in g.parsed or h.by in g.parsed)]
    if not ties:
        return []
    wanted = {p for h in ties for p in (h.path, h.by)}
    digests = {s.path: s.digest for s in g.summaries if s.path in wanted}
    if missing := wanted - digests.keys():  # (a build that kept the last selection)
        digests |= {p: r.summary.digest for p, r in rows(missing).items() if r.summary}
    from .notices import hidden_copy

    out = []
    for h in ties:
        if digests.get(h.path) != digests.get(h.by):
            data, other = sources.read_bytes(config, h.path), sources.read_bytes(config, h.by)
            if data is not None and not _same_article(config, h.path, data, h.by, other):
                out.append(hidden_copy(h.path, data, h.by))
    return out


def _same_article(config: Config, path: str, data: bytes, by: str, other: bytes | None) -> bool:
    """Whether two files make the same Article but for its path (other bytes: line
    breaks, spaces, a URL's default port): nothing of either is lost."""
    from .articles import load_article

    try:
        a = load_article(path, data, config.timezone)
        b = load_article(by, other, config.timezone) if other is not None else None
    except ArticleError:
        return False
    return b is not None and replace(a, path=by) == b


def _dropped_urls(config: Config, dropped: Mapping[str, tuple[tuple[str, object], ...]],
                  g: Gathered, full: bool) -> list[Notice]:  # fmt: skip
    """A notice for each URL that a shown article's file gives and its feeds leave out
    (see :func:`feedpub.notices.dropped_url`), said by the build that reads the file
    after it changed (by every ``full`` one), at the line of the URL (the file read
    again: only such a file is)."""
    told = [(p, d) for p, d in dropped.items() if full or p in g.parsed]
    if not told:
        return []
    from .notices import dropped_url

    out: list[Notice] = []
    for path, drops in told:
        out += dropped_url(path, sources.read_bytes(config, path) or b"", drops)
    return out


def _missing_folders(config: Config) -> list[Notice]:
    """A notice for each content glob whose folder is not there (a folder misspelt:
    the articles meant are in no feed), said by the first build of a config, and by
    every ``full`` one. (Every glob matching nothing is the refusal's to say.)"""
    line = line_of(config, ("site", "content"))
    out = []
    for pattern, folder in sources.missing_folders(config):
        # (as the glob has it: an absolute one's folder absolute, not ../../srv/news)
        shown = shown_path(
            folder if os.path.isabs(pattern) else os.path.relpath(folder, config.root)
        )
        if os.path.exists(folder):  # (a file, or a link to one)
            why = f"{shown} is a file, not a folder"
        elif os.path.lexists(folder):
            why = f"its folder {shown} is a link to nothing"
        else:
            why = f"its folder {shown} is not there (misspelt?)"
        said = shown_text(repr(utf8_reading(pattern)))  # (as config.toml has it, in any locale)
        out.append(Notice(str(config.path), line, f"site.content: {said} matches no file: "
                          f"{why}; the articles it was to find are in no feed"))  # fmt: skip
    return out


def _idle_excludes(config: Config, idle: Sequence[str]) -> list[Notice]:
    """A notice for each site.exclude glob that left out no file (``idle``): a name
    misspelt, and the file meant is read as an article (a README rejected at every
    build); said when :func:`_missing_folders` is."""
    line = line_of(config, ("site", "exclude"))
    return [Notice(str(config.path), line, f"site.exclude: {shown_text(repr(utf8_reading(p)))} "
                   "leaves out no file: none the content globs match is named so (misspelt?)")
            for p in idle]  # fmt: skip


def _written_empty(config: Config, selected: dict[str, list[Summary]],
                   outcomes: list[Outcome], full: bool, rejected: bool, now: datetime,
                   everyone: Callable[[], list[Summary]]) -> list[Notice]:  # fmt: skip
    """A notice for each feed of some topics written empty by this build: no published
    article has any of its topics, most likely a topic misspelt in the config (or one
    renamed in the articles), unless one of ``everyone`` that has one is dated after
    ``now`` (scheduled: then the first such is named). Said by the build that writes it
    so, not by the next; by every ``full`` one (which renders every feed, as it reads every file). More than
    :data:`_TOGETHER` in one line (a site set up before its articles). When a feed of
    every topic is written empty too, no article is published at all: that one notice
    alone, with what publishes."""
    written = {o.name for o in outcomes if o.status == "written"}
    now_empty = [feed for feed in config.feeds if not selected.get(feed.slug, True)
                 and (full or any(f"{feed.slug}.{fmt}" in written for fmt in feed.formats))]  # fmt: skip
    empty = [feed for feed in now_empty if feed.topic_keys is not None]
    path = str(config.path)
    # a feed of every topic written empty: no article is published at all (a Jekyll
    # site's posts, which have no published key), said once, before the feeds of topics
    every = [feed for feed in now_empty if feed.topic_keys is None and not feed.min_quality]
    if every:  # (no article published: every feed of topics is empty, and that is why)
        why = "; or every article is a file rejected above" if rejected else ""
        return [Notice(path, line_of(config, ("feeds", every[0].slug, "topics")),
                       f"feeds.{every[0].slug}: {_NOTHING_PUBLISHED}: an article is "
                       "published by published: true (the YAML boolean: a "
                       "post without it, as Jekyll's are, is a draft here), with a webUrl (or "
                       f"an originalUrl) and a publishedDateTime not after now{why} (feedpub "
                       "build -v counts the files read)")]  # fmt: skip
    # (a file rejected may be the one with the topic: said so, not left unsaid, as the
    # next builds, which write the feed no more, would leave it)
    maybe = "; or the article that has it is a file rejected above" if rejected else ""
    if len(empty) > _TOGETHER:  # (the config read again for one line, not for each feed)
        slugs = ", ".join(f"feeds.{f.slug}" for f in empty[:_TOGETHER])
        return [Notice(path, line_of(config, ("feeds", empty[0].slug, "topics")),
                       f"{len(empty)} feeds written empty: {slugs} and {len(empty) - _TOGETHER} "
                       f"more: no article published by now has one of their topics{maybe} "
                       "(feedpub list counts each feed's articles)")]  # fmt: skip
    out: list[Notice] = []
    every_one = everyone() if empty else []
    upcoming = sorted((s for s in every_one if s.published and s.published_at > now),
                      key=lambda s: (s.published_at, s.path))  # fmt: skip
    drafts = sorted((s for s in every_one if not s.published), key=lambda s: s.path)
    for feed in empty:
        first = next((s for s in upcoming if matches(s, feed.topic_keys, feed.min_quality)), None)
        topics = (
            ", ".join(  # (as TOML writes them; escaped and cut: a topic may be long)
                shown_text(json.dumps(t if len(t) <= 40 else t[:39] + "…", ensure_ascii=False))
                for t in feed.topics[:5]
            )
            + (", …" if len(feed.topics) > 5 else "")
        )
        quality = f" and a quality of {feed.min_quality:g} or more" if feed.min_quality else ""
        if first is not None:  # (spelt as an article has it: that one is not out yet)
            when = f"{first.published_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
            out.append(Notice(path, line_of(config, ("feeds", feed.slug, "topics")),
                              f"feeds.{feed.slug}: written empty: no article published by now "
                              f"has one of its topics ({topics}){quality}: the first to have "
                              f"one, {shown_path(first.path)}, waits for its publishedDateTime, "
                              f"{when} (feedpub list counts each feed's articles)"))  # fmt: skip
            continue
        unpublished = [s.path for s in drafts if matches(s, feed.topic_keys, feed.min_quality)]
        if unpublished:  # (the topic is no typo: the files that have it are drafts)
            out.append(Notice(path, line_of(config, ("feeds", feed.slug, "topics")),
                              f"feeds.{feed.slug}: written empty: no article published by now "
                              f"has one of its topics ({topics}){quality}: "
                              f"{not_published(unpublished, 'one')}{maybe}"))  # fmt: skip
            continue
        if weaker := below_quality(feed, visible(every_one, now)):  # (no topic misspelt)
            out.append(Notice(path, line_of(config, ("feeds", feed.slug, "min_quality")),
                              f"feeds.{feed.slug}: written empty: no article published by now "
                              f"has one of its topics ({topics}){quality}: {weaker}"))  # fmt: skip
            continue
        out.append(Notice(path, line_of(config, ("feeds", feed.slug, "topics")),
                          f"feeds.{feed.slug}: written empty: no article published by now has "
                          f"one of its topics ({topics}){quality}: a topic misspelt?{maybe} "
                          "(feedpub list counts each feed's articles; feedpub preview TOPIC "
                          "names the topics near one)"))  # fmt: skip
    return out


#: Feeds written empty that a notice names each (more: in one line).
_TOGETHER = 3
#: What the notice of a feed of every topic written empty says: no article is published.
_NOTHING_PUBLISHED = "written empty: no article is published by now"


def _named(paths: Sequence[str]) -> str:
    """The first :data:`_TOGETHER` of ``paths``, and how many more."""
    named = ", ".join(shown_path(p) for p in paths[:_TOGETHER])
    if len(paths) > _TOGETHER:
        named += f" and {len(paths) - _TOGETHER} more"
    return named


#: What publishes an article, said where drafts are named.
_PUBLISHES = ("an article is published by published: true (the YAML boolean: a file "
              "without it, or with false, is a draft here)")  # fmt: skip


def not_published(paths: Sequence[str], what: str) -> str:
    """What a message says of the article files ``paths`` that have a feed's topic
    (``what``: ``one`` of its topics, or ``it``) but are not published: the Smartable
    sites' own files without a ``published`` key (which Jekyll publishes) were taken
    for a topic misspelt."""
    named = _named(paths)
    if len(paths) == 1:
        files = f"the file that has {what}, {named}, is not published"
    else:
        files = f"the {len(paths)} files that have {what} are not published ({named})"
    return f"{files}: {_PUBLISHES}"


def no_published_key(paths: Sequence[str]) -> Notice:
    """The one notice of the article files ``paths`` (sorted) that a build read and that
    have no ``published`` key (see :func:`feedpub.notices.lacks_published`): drafts,
    left out of every feed without a word, where a feed showed other articles (111 of
    SmartableAI/diablo4's files, which its Jekyll site publishes). At the first, naming
    :data:`_TOGETHER` of them; a file with ``published: false`` is a draft on purpose,
    not told."""
    if len(paths) == 1:
        return Notice(paths[0], 1, f"no published key: left out of the feeds as a draft: "
                      f"{_PUBLISHES}")  # fmt: skip
    return Notice(paths[0], 1, f"{len(paths)} article files read have no published key "
                  f"({_named(paths)}): left out of the feeds as drafts: {_PUBLISHES}")  # fmt: skip


def _unrecorded(config: Config, names: list[str]) -> list[Notice]:
    """A notice of the feed files of feedpub's (under ``site.feeds_url``, or one it had)
    that no feed of the config makes and that a cache recording no output (new, lost,
    rebuilt) cannot tell are this config's: a feed taken out of it, whose files its builds would
    remove (a CI clone without its cache, every time), or another config's, sharing the
    folder, which must stay. Left, and said, once in one line."""
    if not names:
        return []
    # (the subscription documents first: a feed's archive pages after them)
    names = sorted(names, key=lambda n: ("-archive-" in n, n))
    shown = ", ".join(shown_path(str(config.output / n)) for n in names[:_NAMED])
    more = f" and {len(names) - _NAMED} more" if len(names) > _NAMED else ""
    return [Notice(str(config.path), line_of(config, ("site", "output")),
                   f"{shown}{more}: feeds of feedpub's that no feed of this config makes: "
                   "left as they are, as the cache (new, or lost) does not record them as "
                   "written by this config's builds (said by the first build after); a feed "
                   "taken out of config.toml? remove them (a build removes such files only "
                   "when its cache recorded them: keep site.cache between builds, in CI "
                   "too)")]  # fmt: skip


#: The files a notice of unrecorded feeds names (more: counted).
_NAMED = 10


def _publish(config: Config, stage: output.Stage, result: BuildResult,
             listed: list[tuple[str, set[str]]]) -> None:  # fmt: skip
    """Publish the staged files at once; one that cannot be fails, keeping its old file.
    With a hub, the feeds among them wait for its ping from before the first is renamed
    into place (``listed``: what :func:`feedpub.websub.enlist` returned): a build
    stopped, or killed, as it renames them leaves none unannounced, though the next
    build finds it unchanged and writes it no more."""
    if config.hub and stage.staged:
        from . import websub  # http.client: only when there is a hub to ping

        names = [path.name for path, _ in stage.staged]
        # (appended before the list is written: SIGTERM held as it is, raised after)
        websub.enlist(config, websub.changed_feed_urls(config, names), into=listed)
    failed = stage.commit(hold=SITE_NAMES)
    for o in result.outcomes:
        if o.name in failed:
            o.status, o.problems = "failed", [failed[o.name]]


# ---------------------------------------------------------------- the queries


def gather(config: Config, jobs: int | None = None) -> Gathered:
    """Every article file's summary, as a build would find them (the cache is only read)."""
    ex = parallel.executor(jobs)
    cache = incremental.open_cache(config, readonly=True)
    try:
        with parallel.collector_paused():
            return summarise(config, sources.find(config, ex), cache.rows(), ex, Changes())
    finally:
        cache.close()


class Preview(NamedTuple):
    feed: FeedConfig
    articles: list[Article]
    #: the files rejected, and those shown that cannot be read now
    errors: list[ArticleError]
    #: the files shown that changed since they were summarised (left out)
    changed: list[str]
    #: the feed's subscription document (its items, and the archive pages it links)
    doc: Document[Summary]
    #: how many items the feed or topic matches at ``now``, whatever cuts them (its
    #: max_items, the limit): the items shown are the newest of them
    matching: int
    #: for a topic that matches nothing but that a feed names: each such feed's slug
    configured: list[str]
    #: and the slugs and topics it may be a slip for, each with what it is (``feed``, ``topic``)
    near: list[tuple[str, str]]
    #: when it matches nothing: the files (by path) that have its topic, not published
    drafts: list[str]
    #: and the first article it would hold that is published but dated after ``now``
    #: (its file and its moment), which it waits for; None when none is
    upcoming: tuple[str, datetime] | None = None
    #: and, for a feed with a min_quality, what :func:`below_quality` says of it
    weaker: str | None = None
    #: for a feed's slug that is a topic too (``ai``, ``AI``), whose items the feed's
    #: differ from (other topics, a min_quality): the topic as spelt
    shadowed: str | None = None


def preview(config: Config, name: str, now: datetime, limit: int | None = None) -> Preview:
    """What a feed (a slug) or any topic would hold at ``now``, as whole articles, in
    its subscription document (as :func:`build` makes it: one of a feed with archives
    links its newest page). UnknownTopicError for a name that is neither."""
    g = gather(config)
    feed = feed_for(config, name, g.summaries, limit)
    # every article it matches (for a feed with archives: as select_feeds gives them),
    # newest first; its document takes the first max_items
    uncut = replace(feed, max_items=len(g.summaries) + 1)
    matching = pick_all(visible(g.summaries, now), [uncut])[feed.slug]
    doc = documents(feed, matching)[0]
    reread = sources.read_articles(config, doc.items)
    chosen = [reread.articles[s.path] for s in doc.items if s.path in reread.articles]
    errors = [*g.errors, *reread.errors.values()]
    configured: list[str] = []
    close: list[tuple[str, str]] = []
    if not matching and config.feed(name) is None:  # (a topic a feed names, that no article has?)
        configured = [slug for slug, _ in configured_topic(config, name)]
    drafts: list[str] = []  # (a feed of topics that is empty: the files that have one)
    if not matching and feed.topic_keys is not None:
        having = [s for s in g.summaries if matches(s, feed.topic_keys, feed.min_quality)]
        if not any(s.published for s in having):  # (one that waits for its date: not all
            drafts = sorted(s.path for s in having)  # "the files that have it"; as build says)
    upcoming = None  # (an empty one whose articles are dated after now: the first, as build says)
    if not matching:
        later = [s for s in g.summaries if s.published is True and s.published_at > now
                 and matches(s, feed.topic_keys, feed.min_quality)]  # fmt: skip
        first = min(later, key=lambda s: (s.published_at, s.path), default=None)
        upcoming = None if first is None else (first.path, first.published_at)
    weaker = None if matching else below_quality(feed, visible(g.summaries, now))
    if configured and not drafts and not upcoming:  # (a slip, most likely: what else; not
        close = [(kind, n) for kind, n in near(config, name, g.summaries)  # the feeds naming it)
                 if topic_key(n) != topic_key(name) and not (kind == "feed" and n in configured)]  # fmt: skip
    return Preview(feed, chosen, errors, reread.changed, doc, len(matching), configured, close,
                   drafts, upcoming, weaker, shadowed_topic(config, feed, name, g.summaries))  # fmt: skip


def shadowed_topic(config: Config, feed: FeedConfig, name: str,
                   articles: Sequence[Summary]) -> str | None:  # fmt: skip
    """For ``preview NAME`` of the feed ``feed`` (a slug wins over a topic of the same
    name): the topic that ``name`` names too, as spelt (as a topic's preview spells it),
    when the feed's items are not that topic's (other topics, ``*``, a min_quality);
    else None."""
    if config.feed(name) is None:
        return None
    key = topic_key(name)
    if feed.topic_keys == frozenset({key}) and feed.min_quality is None:
        return None
    spelt = {topic_key(t): t for a in articles for t in a.topics}.get(key)
    return spelt or next((t for _, t in configured_topic(config, name)), None)


def below_quality(feed: FeedConfig, published: Sequence[Summary]) -> str | None:
    """For a feed with a ``min_quality`` that no article of its topics among the
    ``published`` ones (those visible now) reaches: how many have one of its topics, and
    the best quality among them (``the 7 that have one have a quality of 95 at most``),
    said in place of "a topic misspelt?"; None when none has one, or without min_quality."""
    if feed.min_quality is None:
        return None
    weaker = [s for s in published if matches(s, feed.topic_keys, None)]
    best = max((s.quality for s in weaker if s.quality is not None), default=None)
    if feed.topic_keys is None:  # (a feed of every topic)
        has, have = "published by now", "published by now"
    else:
        has, have = "that has one", "that have one"
    if not weaker:
        return None
    if best is None:  # (no min_quality low enough takes in an article of none)
        what = f"the article {has} has" if len(weaker) == 1 else f"the {len(weaker)} {have} have"
        return (f"{what} no quality, which a feed with min_quality leaves out (give each a "
                "quality: key, or take min_quality out)")  # fmt: skip
    quality = f"a quality of {best:g}"
    lower = f"(lower its min_quality, {feed.min_quality:g}, to take"
    if len(weaker) == 1:
        return f"the article {has} has {quality} {lower} it in)"
    return f"the {len(weaker)} {have} have {quality} at most {lower} them in)"


class FeedCount(NamedTuple):
    feed: FeedConfig
    items: list[Summary]
    #: how many articles match it, past its max_items
    matching: int


def feed_counts(config: Config, now: datetime) -> tuple[list[FeedCount], list[ArticleError]]:
    """Every feed, in config order, with its items at ``now``; and the files rejected."""
    g = gather(config)
    ordered = visible(g.summaries, now)
    unlimited = [replace(f, max_items=max(len(ordered), 1)) for f in config.feeds]
    matching = pick_all(ordered, unlimited)
    selected = pick_all(ordered, config.feeds)
    counts = [FeedCount(f, selected[f.slug], len(matching[f.slug])) for f in config.feeds]
    return counts, g.errors
