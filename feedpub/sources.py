"""Find the article files of a config and read them: plain, serial functions (how
they are shared out among processes is :mod:`feedpub.parallel`'s business).

Reads files, never writes them. Files whose resolved path leaves the content
root (the folder part of the glob, before its first wildcard) are skipped, so a
symlink cannot pull in ``/etc/passwd``.

Names are taken as the file system gives them: ``os.scandir`` of a folder named by a
str decodes each name once, and a name that is not UTF-8 keeps its undecodable bytes
as lone surrogates (``surrogateescape``), so that it still opens the file. Nothing
here looks at a name again; it is escaped only when a message shows it
(:func:`feedpub.errors.shown_path`), and the cache stores such a name as its bytes.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import glob
import hashlib
import operator
import os
import re
import stat
from array import array
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from datetime import tzinfo
from functools import partial
from itertools import chain
from pathlib import Path
from typing import NamedTuple

from .config import Config, glob_root
from .errors import ArticleError, Notice, UnreadableError, shown_path, shown_text
from .model import Article, SourceFile, Summary
from .parallel import FILES_SENT, LISTING, SERIAL, Executor, maker

#: A glob of a name ending that is all it asks (``*.txt``), answered by ``endswith``.
_SUFFIX = re.compile(r"\*(\.[A-Za-z0-9_-]+)\Z")


def _matches(pattern: str) -> Callable[[str], bool]:
    suffix = _SUFFIX.match(pattern)
    if suffix:  # what fnmatch's translation matches, for such a pattern: the same names
        return operator.methodcaller("endswith", suffix.group(1))
    return re.compile(fnmatch.translate(pattern)).match  # type: ignore[return-value]


#: A folder and the names in it a glob matched.
Batch = tuple[str, list[str]]
#: A file or folder that cannot be used, found while listing: ``(path, line, reason)``
#: (plain tuples: a forked lister sends them with marshal, see parallel.FILES_SENT);
#: line 0 for a folder.
Problem = tuple[str, int, str]


def _fix(e: OSError, folder: bool = False) -> str:
    """What to do about ``e``, for the end of a message ("" when there is nothing to say)."""
    if e.errno in (errno.EACCES, errno.EPERM):
        if folder:
            return "; let the user who runs the build read and enter it, or leave it out of site.content"
        return "; let the user who runs the build read it"
    if e.errno == errno.ENAMETOOLONG:
        return "; its path is longer than the system allows: move it higher up or shorten the names"
    return ""


def _unlistable(folder: str, e: OSError, problems: list[Problem]) -> None:
    """Note a folder that is there but cannot be listed (one gone since is no problem:
    the glob simply finds nothing in it)."""
    if not isinstance(e, FileNotFoundError | NotADirectoryError):
        reason = f"cannot list the folder ({e.strerror or e}), so its files are left out"
        problems.append((folder, 0, reason + _fix(e, folder=True)))


def _near_misses(folder: str, names: list[str], match: Callable[[str], object], glob_: str,
                 problems: list[Problem]) -> None:  # fmt: skip
    """The files in ``folder`` whose names the glob component ``glob_`` would match but
    for white space at their end (``a.md `` for ``*.md``: a name mistyped, or cut and
    pasted), never read otherwise: never published, and nothing said."""
    for n in names:
        if n[-1:].isspace() and not match(n) and match(n.rstrip()) and n.strip():
            problems.append((os.path.join(folder, n), 1, (
                f"its name ends in white space, which the content glob {glob_!r} does not "
                f"match, so it is not read: rename it {shown_path(n.rstrip())!r} to publish "
                "it, or move it out of the content folder")))  # fmt: skip


def _scan(
    folder: str,
    parts: list[str],
    seen: set[str],
    problems: list[Problem],
    listed: list[os.DirEntry[str]] | None = None,
    later: list[tuple[str, list[str], set[str]]] | None = None,
) -> Iterator[Batch]:
    """The names below ``folder`` that the glob components ``parts`` match, a folder
    at a time, as ``glob.glob(..., recursive=True)`` finds them (hidden names only when
    the component starts with a dot), but in one listing a folder (``listed``, when
    the caller has it already: a ``scandir`` where folders are looked for in it, else
    the names alone) and never round a symlink loop. A folder that cannot be listed
    (no permission, a path too long) goes to ``problems``, by its absolute path.

    With ``later``, the subfolders of the first folder a ``**`` matches are not
    scanned here: each is put in ``later`` as the arguments that scan it, in the
    order they would have come (see :class:`Subtree`)."""
    head, rest = parts[0], parts[1:]
    if head == "**":
        real = os.path.realpath(folder)
        if real in seen:
            return
        seen = seen | {real}
        try:
            everything = list(os.scandir(folder))
        except OSError as e:
            _unlistable(folder, e, problems)
            return
        if rest:
            yield from _scan(folder, rest, seen, problems, everything)
        else:
            yield folder, [e.name for e in everything if not e.name.startswith(".")]
        # the folders, then whether each is hidden: not the name of every file first
        # (20 ms less for a hundred thousand files)
        for entry in _folders(everything):
            if entry.name.startswith("."):
                continue
            if later is not None:
                later.append((entry.path, parts, seen))
                continue
            with contextlib.suppress(OSError):
                yield from _scan(entry.path, parts, seen, problems)
        return
    match = _matches(head) if glob.has_magic(head) else head.__eq__
    hidden_ok = head.startswith(".")
    if not rest:  # the files: their names are enough (lstat tells the rest)
        try:
            names = os.listdir(folder) if listed is None else [e.name for e in listed]
        except OSError as e:
            _unlistable(folder, e, problems)
            return
        matched = [n for n in names if (hidden_ok or not n.startswith(".")) and match(n)]
        if len(matched) < len(names):
            _near_misses(folder, names, match, head, problems)
        yield folder, matched
        return
    try:
        entries = [
            e for e in (os.scandir(folder) if listed is None else listed)
            if (hidden_ok or not e.name.startswith(".")) and match(e.name)
        ]  # fmt: skip
    except OSError as e:
        _unlistable(folder, e, problems)
        return
    for entry in _folders(entries):
        with contextlib.suppress(OSError):
            yield from _scan(entry.path, rest, seen, problems, later=later)


def _folders(entries: list[os.DirEntry[str]]) -> list[os.DirEntry[str]]:
    """The entries that are folders (or links to one); one that cannot be looked at is
    left out. (A loop, not a context manager an entry: a folder of a thousand files.)"""
    out = []
    for entry in entries:
        try:
            if entry.is_dir():
                out.append(entry)
        except OSError:
            continue
    return out


#: A folder's listing: the names of its entries, its name relative to the config
#: folder, whether it lies in the content root, that root, and the folder with its
#: separator.
Listing = tuple[list[str], str, bool, str, str]


class Subtree(NamedTuple):
    """A folder below a ``**`` whose files are found where its listing is shared out
    (:func:`_list_and_stat`): a forked child then scans half of the subfolders of a
    tree, not only this process (at 100,000 files in folders of 1,000, the listing took
    0.05 s to 0.08 s less)."""

    folder: str
    parts: list[str]
    #: the folders above it, resolved (against symlink loops)
    seen: set[str]
    #: the content root (resolved) and the config's folder, as :func:`find` has them
    root: str
    base: str
    config_root: Path


#: The files of one listing, compactly: ``(relative folder, absolute folder with its
#: separator, names, sizes, mtimes)``, the names in the order the folder lists them (see
#: :class:`Found`), the sizes and mtimes (ns) as arrays of 64-bit integers (lists on a
#: strange file system, where one does not fit); see :func:`_expand`.
Files = tuple[str, str, list[str], "array[int] | list[int]", "array[int] | list[int]"]
#: The files of some folders, what was skipped, and what cannot be used.
Stat = tuple[list[Files], list[str], list[Problem]]


def _stat(listed: list[Listing]) -> Stat:
    """The regular files of ``listed``, one ``lstat`` each (a symlink is followed and
    resolved on its own); what was skipped, and why; and the entries that cannot be
    used (see :func:`_unusable`). Plain values: a forked child may send them."""
    out: list[Files] = []
    skipped: list[str] = []
    problems: list[Problem] = []
    is_link, is_file, is_folder = stat.S_ISLNK, stat.S_ISREG, stat.S_ISDIR
    for entries, rel_folder, folder_ok, root, folder in listed:
        if not entries:
            continue
        prefix = root.rstrip(os.sep) + os.sep
        names: list[str] = []
        sizes: array[int] | list[int] = array("q")
        mtimes: array[int] | list[int] = array("q")
        with _folder_fd(folder) as lstat:
            for name in entries:
                try:
                    st = lstat(name)
                    ok = folder_ok
                    if is_link(st.st_mode):
                        st = os.stat(folder + name)
                        ok = os.path.realpath(folder + name).startswith(prefix)
                except OSError as e:
                    _unusable(folder + name, rel_folder + name, e, skipped, problems)
                    continue
                if not is_file(st.st_mode):
                    if not is_folder(st.st_mode):  # (a FIFO would block a read: never opened)
                        skipped.append(f"{shown_path(rel_folder + name)}: not a regular file "
                                       f"({_kind(st.st_mode)}); not an article")  # fmt: skip
                    else:  # (said when a glob names it as a file: see _folders_named_as_files)
                        problems.append((rel_folder + name, 1, _A_FOLDER))
                    continue
                if not ok:
                    skipped.append(
                        f"{shown_path(rel_folder + name)}: leads outside the content folder "
                        f"{shown_path(root)}, not followed"
                    )
                    continue
                try:
                    sizes.append(st.st_size)
                    mtimes.append(st.st_mtime_ns)
                except OverflowError:  # past 64 bits (a strange file system): as lists
                    sizes, mtimes = list(sizes[: len(names)]), list(mtimes[: len(names)])
                    sizes.append(st.st_size)
                    mtimes.append(st.st_mtime_ns)
                names.append(name)
        joined = "\0".join(names)
        if ("onflict" in joined or "clash" in joined  # (rare: then name by name; a
                # OneDrive copy's computer name)
                or any(hint in joined for hint in _ONEDRIVE_HINTS)):  # fmt: skip
            names, sizes, mtimes = _without_conflicts(rel_folder, folder, names, sizes, mtimes,
                                                      problems)  # fmt: skip
        if any(hint in joined for hint in _DEBRIS_HINTS):  # (likewise)
            names, sizes, mtimes = _without_copies(rel_folder, folder, names, sizes, mtimes,
                                                   skipped)  # fmt: skip
        if len(names) == len(entries):  # every entry kept: the listing's own list (which
            names = entries  # parallel.FILES_SENT then knows by its identity, and
            # does not send)
        out.append((rel_folder, folder, names, sizes, mtimes))
    return out, skipped, problems


#: The name a sync tool gives the copy it makes of a file edited in two places at once:
#: Dropbox's ``a (Bob's conflicted copy 2024-05-01).md`` and ``a (Case Conflict).md``,
#: Nextcloud's and ownCloud's ``a (conflicted copy 2024-05-01 101500).md``, their
#: clients' before 2.5 ``a_conflict-20240501-101500.md`` (``a_conflict_bob-…`` with
#: a user's name), Nextcloud's ``a (case clash from 2024-05-01 101500).md``, Seafile's
#: ``a (SFConflict bob@example.com 2024-05-01-10-15-00).md``, Syncthing's
#: ``a.sync-conflict-20240501-101500-ABCDEF7.md``; and Resilio Sync's ``a.Conflict.md``
#: (:data:`_RESILIO_COPY`).
_CONFLICT_COPY = re.compile(
    r"\([^()]*conflicted copy[^()]*(?:\(\d+\))?\)|\(Case Conflict(?: \d+)?\)"
    r"|_conflict(?:_[^/]*?)?-\d{8}-\d{6}|\(case clash from [^()]*\)|\(SFConflict [^()]*\)"
    r"|\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}",
    re.IGNORECASE,
)
#: Resilio Sync's conflict copy of ``a.md``, ``a.Conflict.md`` (``a.Conflict2.md``), in
#: its own case: one only beside the file it copies (``Iran.Conflict.md`` alone, as
#: ``iran.conflict.md``, may be a person's name for an article).
_RESILIO_COPY = re.compile(r"\.Conflict[0-9]*(?=\.|\Z)")
#: OneDrive's copy of ``a.md`` edited on two computers: the computer's name after the
#: stem, as Windows names a computer (15 characters: ``DESKTOP-`` and 7 capitals or
#: digits, ``LAPTOP-`` and 8, ``WIN-`` and 11), ``a-DESKTOP-ABC1234.md``,
#: ``a-DESKTOP-ABC1234-2.md``; one only beside the file it copies. Not any capitals: a
#: person's ``report-Q3-2024.md`` beside ``report.md``, ``post-AI.md`` beside
#: ``post.md`` are articles (a copy from a computer named otherwise has the article's
#: URL: the hidden-article notice names it). :data:`_ONEDRIVE_HINTS` find a folder
#: that may hold one.
_ONEDRIVE_NAME = re.compile(
    r"(?:DESKTOP-[A-Z0-9]{7}|LAPTOP-[A-Z0-9]{8}|WIN-[A-Z0-9]{11})(?:-[0-9]+)?"
)
_ONEDRIVE_HINTS = ("-DESKTOP-", "-LAPTOP-", "-WIN-")


def _without_conflicts(rel_folder: str, folder: str, names: list[str],
                       sizes: array[int] | list[int],
                       mtimes: array[int] | list[int], problems: list[Problem],
                       ) -> tuple[list[str], array[int] | list[int], array[int] | list[int]]:  # fmt: skip
    """The files of a folder but the copies sync tools make of an article edited in two
    places (:data:`_CONFLICT_COPY`), each a problem: such a copy has the article's URL
    and often its date, and would stand in for it (the first by path wins a tie), with
    whichever edit it holds. A person must merge it."""
    copies = [_CONFLICT_COPY.search(n) is not None or _resilio_copy(folder, n)
              or _onedrive_copy(folder, n) for n in names]  # fmt: skip
    keep = [i for i, copy in enumerate(copies) if not copy]
    if len(keep) == len(names):
        return names, sizes, mtimes
    for name, copy in zip(names, copies, strict=True):
        if copy:
            problems.append((rel_folder + name, 1, "a copy a sync tool made of an article "
                             "edited in two places: merge what it holds into the article, "
                             "then delete it (it is not published)"))  # fmt: skip
    return [names[i] for i in keep], _taken(sizes, keep), _taken(mtimes, keep)


#: Files that editors (:data:`_EDITORS`) and git's mergetool (:data:`_MERGETOOL`) make
#: beside an article, which a content glob such as ``_news/*`` finds too, each holding
#: the article's URL (the first by path would stand in for it): Emacs' autosave
#: ``#a.md#`` (edits not saved) and a backup ``a.md~`` (Emacs', vim's), or a numbered
#: one ``a.md.~3~`` (Emacs' ``version-control``, ``cp --backup=numbered``: one of before
#: a ``webUrl`` was fixed was the story a second time in its feeds), and ``a.md.bak``
#: (``sed -i.bak``, as a URL is fixed in many files at once, and many tools); while
#: git's mergetool resolves a conflict, ``a_BACKUP_1234.md``, ``a_BASE_1234.md``,
#: ``a_LOCAL_1234.md``, ``a_REMOTE_1234.md`` (all four, the number git's), and after it
#: ``a.md.orig``.
_EDITORS = re.compile(r"#(.+)#|(.+?)(?:\.~[0-9]+)?~|(.+)\.bak", re.S)
_MERGETOOL = re.compile(r"(.+)_(BACKUP|BASE|LOCAL|REMOTE)_([0-9]+)(\.[^.]*)?|(.+)\.orig", re.S)
_MERGE_COPIES = ("BACKUP", "BASE", "LOCAL", "REMOTE")
#: The endings of a file a tool is still writing under a name of its own, renamed to the
#: article's once whole: Resilio Sync's ``a.md.!sync``, a browser's download
#: (``.part``, ``.crdownload``, ``.partial``). Read half written, it was an article
#: "not closed" (exit 1, a cron mail) until the tool was done.
_IN_PROGRESS = (".!sync", ".part", ".crdownload", ".partial")
#: The files a JetBrains IDE (IntelliJ, PyCharm, WebStorm) makes as it saves ``a.md``
#: ("safe write"): the new bytes written to ``a.md___jb_tmp___``, the old file renamed
#: ``a.md___jb_old___``, the new one renamed ``a.md``, the old one deleted. Read in
#: between, the one was the article half written (exit 1), the other the article as
#: it was, published beside it (an old URL, an article just unpublished).
_SAFE_WRITE = ("___jb_tmp___", "___jb_old___")
_DEBRIS_HINTS = ("~", "#", ".bak", "_BACKUP_", "_BASE_", "_LOCAL_", "_REMOTE_", ".orig",
                 *_IN_PROGRESS, *_SAFE_WRITE)  # fmt: skip


def _without_copies(rel_folder: str, folder: str, names: list[str],
                    sizes: array[int] | list[int], mtimes: array[int] | list[int],
                    skipped: list[str],
                    ) -> tuple[list[str], array[int] | list[int], array[int] | list[int]]:  # fmt: skip
    """The files of a folder but those an editor or git's mergetool made beside an
    article (:data:`_EDITORS`, :data:`_MERGETOOL`) and those a tool is still writing
    (:data:`_IN_PROGRESS`, :data:`_SAFE_WRITE`), each named in ``skipped``. Left out
    of the listing itself: when a copy becomes an article (its original renamed or
    deleted) or stops being one, the listing changes with it, and every build,
    incremental or not, sees the same files."""
    keep = []
    for i, name in enumerate(names):
        if (m := _EDITORS.fullmatch(name)) and _beside(folder, m[1] or m[2] or m[3]):
            skipped.append(f"{shown_path(rel_folder + name)}: an editor's backup or autosave "
                           "file; not an article")  # fmt: skip
        elif (m := _MERGETOOL.fullmatch(name)) and _merge_copy(folder, m):
            skipped.append(f"{shown_path(rel_folder + name)}: a copy git's mergetool made; "
                           "not an article (delete it once the merge is done)")  # fmt: skip
        elif name.endswith(_IN_PROGRESS) and not name.startswith(_IN_PROGRESS):
            skipped.append(f"{shown_path(rel_folder + name)}: a file a download or a sync "
                           "tool is still writing; not an article")  # fmt: skip
        elif name.endswith(_SAFE_WRITE) and not name.startswith(_SAFE_WRITE):
            skipped.append(f"{shown_path(rel_folder + name)}: a file an editor makes as it "
                           "saves (a JetBrains IDE's safe write); not an article")  # fmt: skip
        else:
            keep.append(i)
    if len(keep) == len(names):
        return names, sizes, mtimes
    return [names[i] for i in keep], _taken(sizes, keep), _taken(mtimes, keep)


def _resilio_copy(folder: str, name: str) -> bool:
    """Whether ``name`` is Resilio Sync's conflict copy of a file beside it in
    ``folder`` (:data:`_RESILIO_COPY`)."""
    return any(_beside(folder, name[: m.start()] + name[m.end() :])
               for m in _RESILIO_COPY.finditer(name))  # fmt: skip


def _onedrive_copy(folder: str, name: str) -> bool:
    """Whether ``name`` is OneDrive's conflict copy of a file beside it in ``folder``
    (:data:`_ONEDRIVE_NAME`): its stem up to a hyphen, then a computer's name."""
    if not any(hint in name for hint in _ONEDRIVE_HINTS):
        return False
    stem, dot, ext = name.rpartition(".")
    stem, ext = (stem, dot + ext) if stem else (name, "")
    return any(c == "-" and i and _ONEDRIVE_NAME.fullmatch(stem, i + 1)
               and _beside(folder, stem[:i] + ext)
               for i, c in enumerate(stem))  # fmt: skip


def _merge_copy(folder: str, m: re.Match[str]) -> bool:
    """Whether the name ``m`` matched is a copy git's mergetool made in ``folder``:
    ``a.md.orig`` beside ``a.md``; ``a_BASE_1234.md`` beside ``a.md`` and another of
    the four copies with the same number (``rates_BASE_2024.md`` beside ``rates.md``
    alone is an article, its year no process's number)."""
    if m[5] is not None:
        return _beside(folder, m[5])
    stem, kind, number, ext = m[1], m[2], m[3], m[4] or ""
    return _beside(folder, stem + ext) and any(
        _beside(folder, f"{stem}_{other}_{number}{ext}") for other in _MERGE_COPIES if other != kind
    )


def _beside(folder: str, name: str) -> bool:
    """Whether ``folder`` holds a file ``name``: the article a copy would be of (an
    article named like a copy, ``fy_BASE_2024.md`` alone, is one)."""
    return os.path.isfile(os.path.join(folder, name))


def _taken(values: array[int] | list[int], keep: list[int]) -> array[int] | list[int]:
    taken = [values[i] for i in keep]
    return taken if isinstance(values, list) else array("q", taken)


def _listing(folder: str, entries: list[str], base: str, config_root: Path, root: str) -> Listing:
    """The :data:`Listing` of ``entries`` in ``folder``, below the content ``root``."""
    folder_ok = (os.path.realpath(folder) + os.sep).startswith(root.rstrip(os.sep) + os.sep)
    return (entries, _relative(folder, base, config_root), folder_ok, root,
            os.path.join(folder, ""))  # fmt: skip


def _list_and_stat(items: list[Listing | Subtree]) -> Stat:
    """:func:`_stat` of the listings, and of the listings found below each Subtree, in
    order; a folder there that cannot be listed is a problem, by its relative path."""
    listed: list[Listing] = []
    problems: list[Problem] = []
    for item in items:
        if not isinstance(item, Subtree):
            listed.append(item)
            continue
        unlisted: list[Problem] = []
        with contextlib.suppress(OSError):  # (as a subfolder scanned in turn)
            for folder, entries in _scan(item.folder, item.parts, item.seen, unlisted):
                listed.append(_listing(folder, entries, item.base, item.config_root, item.root))
        problems += _relative_problems(unlisted, item.base, item.config_root)
    files, skipped, bad = _stat(listed)
    return files, skipped, bad + problems


def _relative_problems(unlisted: list[Problem], base: str, config_root: Path) -> list[Problem]:
    """The problems of folders (line 0: ``folder/``) and of files (:func:`_near_misses`),
    by their paths relative to the config's folder."""
    out = []
    for f, line, why in unlisted:
        rel = _relative(f, base, config_root)
        out.append(((rel[:-1] if line else rel) or "./", line, why))
    return out


@contextlib.contextmanager
def _folder_fd(folder: str) -> Iterator[Callable[[str], os.stat_result]]:
    """``lstat`` of a name in ``folder``: through a descriptor of the folder where the
    system has them (a path of one name for the kernel to resolve, not the whole path
    again for each file), else by the whole path."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        fd = -1
    if fd < 0 or os.stat not in os.supports_dir_fd:
        yield lambda name: os.lstat(folder + name)
        return
    try:
        yield partial(_stat_at, fd)
    finally:
        os.close(fd)


def _stat_at(fd: int, name: str) -> os.stat_result:
    return os.stat(name, dir_fd=fd, follow_symlinks=False)


def _expand(files: Files) -> Iterator[SourceFile]:
    """The SourceFiles of one listing's files as :func:`_stat` gives them."""
    rel_folder, folder, names, sizes, mtimes = files
    return map(maker(SourceFile), zip(map(rel_folder.__add__, names),
                                      map(folder.__add__, names), sizes, mtimes, strict=True))  # fmt: skip


def _unusable(
    path: str, name: str, e: OSError, skipped: list[str], problems: list[Problem]
) -> None:
    """An entry the glob matched whose ``lstat``, or whose link's ``stat``, failed: a
    symbolic link that loops or leads nowhere, or a file that cannot even be looked at
    (a problem); or one that vanished since its folder was listed (a note)."""
    try:
        target: str | None = os.readlink(path)
    except OSError:
        target = None  # not a link, or gone
    if e.errno == errno.ELOOP:
        problems.append(
            (name, 1, f"a symbolic link that loops ({e.strerror}): point it at an article "
                      "file or remove it")
        )  # fmt: skip
    elif target is not None and isinstance(e, FileNotFoundError | NotADirectoryError):
        problems.append(
            (name, 1, f"a symbolic link to {shown_path(target)}, which does not exist: "
                      "point it at an article file or remove it")
        )  # fmt: skip
    elif isinstance(e, FileNotFoundError | NotADirectoryError):
        skipped.append(f"{shown_path(name)}: vanished while the build ran")
    else:
        problems.append((name, 1, f"cannot read: {e.strerror or e}{_fix(e)}"))


def _relative(folder: str, base: str, root: Path) -> str:
    """``folder`` (absolute) relative to the config folder ``root`` (``base`` is its
    path and a separator), in POSIX form, with a trailing slash."""
    start = folder + os.sep
    if start.startswith(base) and os.sep == "/":
        return start[len(base) :]
    return Path(os.path.relpath(start, root)).as_posix() + "/"


class Found:
    """What the content globs found: the files as the listing gave them, folder by folder
    (:data:`Files`), and as SourceFiles only when asked (:attr:`sources`). A build that
    finds nothing changed needs only the listing's hash (:meth:`paths`, :meth:`sizes`,
    :meth:`mtimes`), and one that finds a few files changed only those files' SourceFiles
    (:func:`feedpub.incremental.unchanged`): neither makes the hundred thousand
    SourceFiles of a large site, nor sorts them.

    A folder's files are in the order the file system lists them, not sorted (sorting a
    flat folder of a hundred thousand names took a warm build 40 ms): a folder that did
    not change lists alike, so its hash is the same; one listed in another order (a
    file renamed over, another machine) only makes the next build look at the files
    (by path) instead of stopping at the hash. What a build makes of them never
    depends on that order: :attr:`sources` is sorted, and selection sorts by path and
    date."""

    __slots__ = ("_sources", "_stamps", "files", "idle", "skipped", "unusable")

    def __init__(self, files: list[Files], skipped: list[str], unusable: list[ArticleError],
                 repeats: bool = False) -> None:  # fmt: skip
        #: each folder's files, the folders by name (a folder may come in two pieces,
        #: one after the other); each file once
        self.files = sorted(files, key=_FOLDER)
        #: notes on what was left out on purpose (a link out of the content folder, a
        #: file that vanished since its folder was listed), sorted
        self.skipped = sorted(set(skipped))  # (two globs may list one folder: said once)
        #: what the globs match but cannot be used, sorted: a folder that cannot be
        #: listed, a symbolic link that loops or leads nowhere, a file that cannot even
        #: be looked at
        self.unusable = unusable
        #: the site.exclude globs that left out no file (set by :func:`find`)
        self.idle: tuple[str, ...] = ()
        self._sources: list[SourceFile] | None = None
        self._stamps: Stamps | bool | None = False  # not made yet
        if repeats:  # two patterns may find one file: each file once, a listing each
            sources = self.sources
            self._sources = [
                f for i, f in enumerate(sources) if i == 0 or f[0] != sources[i - 1][0]
            ]
            self.files = _each(self._sources)

    @property
    def sources(self) -> list[SourceFile]:
        """Every article file, sorted by path."""
        if self._sources is None:
            files = [s for listing in self.files for s in _expand(listing)]
            files.sort()
            self._sources = files
        return self._sources

    def count(self) -> int:
        """How many article files: ``len(self.sources)``, without making them."""
        return sum(len(names) for _, _, names, _, _ in self.files)

    def paths(self) -> str:
        """Each file's path ended by a NUL, folder by folder: one join a folder."""
        return "".join(
            rel + ("\0" + rel).join(names) + "\0" for rel, _, names, _, _ in self.files if names
        )

    def sizes(self) -> Iterator[int]:
        """Each file's size, in the order of :meth:`paths`."""
        return chain.from_iterable(sizes for _, _, _, sizes, _ in self.files)

    def mtimes(self) -> Iterator[int]:
        """Each file's mtime (ns), in the order of :meth:`paths`."""
        return chain.from_iterable(mtimes for _, _, _, _, mtimes in self.files)

    @classmethod
    def of(cls, sources: list[SourceFile]) -> Found:
        """A listing of these files (sorted by path)."""
        return cls(_each(sources), [], [])

    def stamps(self) -> Stamps | None:
        """:meth:`paths`, with every size and every mtime as 64-bit integers, made once;
        None when one does not fit in 64 bits (a strange file system)."""
        if self._stamps is False:
            sizes, mtimes = array("q"), array("q")
            try:
                for _, _, _, folder_sizes, folder_mtimes in self.files:
                    sizes.extend(folder_sizes)  # (an array's: at once)
                    mtimes.extend(folder_mtimes)
                self._stamps = Stamps(self.paths(), sizes, mtimes)
            except OverflowError:
                self._stamps = None
        return self._stamps  # type: ignore[return-value]

    def sources_at(self, places: Iterable[int]) -> list[SourceFile]:
        """The files at these places (ascending) of :meth:`paths`, as SourceFiles."""
        out: list[SourceFile] = []
        wanted = iter(places)
        place = next(wanted, None)
        start = 0
        for rel, folder, names, sizes, mtimes in self.files:
            end = start + len(names)
            while place is not None and place < end:
                i = place - start
                out.append(SourceFile(rel + names[i], folder + names[i], sizes[i], mtimes[i]))
                place = next(wanted, None)
            start = end
        return out

    def newest(self) -> int | None:
        """The latest mtime (ns) of any file; None when there is none."""
        return max((max(m) for _, _, _, _, m in self.files if m), default=None)


_FOLDER = operator.itemgetter(0)


def _each(sources: list[SourceFile]) -> list[Files]:
    """Each file as a listing of its own (a folder of one name: the empty one)."""
    return [(s.path, s.abspath, [""], [s.size], [s.mtime_ns]) for s in sources]


class Stamps(NamedTuple):
    """Every file listed: its path ended by a NUL (see :meth:`Found.paths`), and
    its size and mtime (ns) at the same place of two arrays."""

    paths: str
    sizes: array[int]
    mtimes: array[int]


def _kind(mode: int) -> str:
    """What a file that is neither a regular file nor a folder is, as a message says it."""
    if stat.S_ISFIFO(mode):
        return "a named pipe, FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file"


def find(config: Config, executor: Executor = SERIAL) -> Found:
    """Every article file of the config (see :class:`Found`).

    One ``scandir`` a folder and one ``lstat`` a file; each folder is resolved once,
    and only a symlink is followed and resolved on its own.
    """
    base = str(config.root).rstrip(os.sep) + os.sep
    items: list[Listing | Subtree] = []
    unlisted: list[Problem] = []
    for pattern in config.content:
        absolute, static = _searched(config, pattern)
        root = os.path.realpath(static)
        parts = list(Path(absolute).parts[len(Path(static).parts) :])
        later: list[tuple[str, list[str], set[str]]] = []
        for folder, entries in _scan(static, parts, set(), unlisted, later=later) if parts else ():
            items.append(_listing(folder, entries, base, config.root, root))
        items += [Subtree(*scan, root, base, config.root) for scan in later]
    files: list[Files] = []
    skipped: list[str] = []
    bad: list[Problem] = []
    for part in executor.halves(
        _list_and_stat, items, LISTING, _entry_count, _cut_listing, FILES_SENT
    ):
        files += part[0]
        skipped += part[1]
        bad += part[2]
    bad += _relative_problems(unlisted, base, config.root)
    bad = _folders_named_as_files(config, bad, base)
    exclude = excluded(config)
    left_out: list[str] = []
    if exclude is not None:  # (a file the listing cannot use that site.exclude names: left
        # out as any other it names, not rejected; a link that leads nowhere, say)
        named = [p for p in bad if p[1] and exclude(os.path.normpath(base + p[0]))]
        left_out += [os.path.normpath(base + p[0]) for p in named]
        skipped += [f"{shown_path(p[0])}: {EXCLUDED}" for p in named]
        bad = [p for p in bad if p not in named]
    unusable = [ArticleError(*p) for p in sorted(set(bad))]
    found = Found(_without_own(config, files, skipped, exclude, left_out), skipped,
                  unusable, repeats=len(config.content) > 1)  # fmt: skip
    if config.exclude:
        # (a glob of the build's own files leaves out none before the first build writes them)
        out = os.path.normpath(config.output)
        left_out += [os.path.join(out, n) for n in ("index.html", "feeds.opml", *(
            f"{f.slug}.{fmt}" for f in config.feeds for fmt in f.formats))]  # fmt: skip
        found.idle = tuple(p for p in config.exclude if not _leaves_out(config, p, left_out))
    return found


#: A folder a content glob matched, as the listing notes it (see :func:`_folders_named_as_files`).
_A_FOLDER = "\0a folder"
#: What is said of a folder where a glob looks for article files by their ending.
FOLDER_NAMED_AS_FILE = (
    "a folder, where {glob} looks for article files (an article's file replaced by a "
    "folder, a sync tool's mishap?): no article is read from it; put the article's file "
    "back in its place, or rename the folder, or leave it out with site.exclude"
)
#: What is said, once, of an article file the last build read that is a folder now,
#: where a folder is no mistake (``content/*``, ``**/*.md``: see _folders_named_as_files).
FOLDER_NOW = (
    "an article file the last build read is a folder now (a sync tool's mishap?): its "
    "article is in no feed; put the article's file back in its place, or remove the folder"
)


def _folders_named_as_files(config: Config, bad: list[Problem], base: str) -> list[Problem]:
    """``bad`` without the folders the content globs matched (ordinary: ``content/*``
    beside an ``images/`` folder, every folder of a ``**/*`` tree), but for each one a
    glob that names its files by their ending, and searches no folder below, matches
    (``_posts/*.md``: ``a.md/``, where ``a.md`` was, maybe), which is named: its article
    would be gone without a word. (Below a ``**``, such a folder is searched as any
    other, ``notes.md/``: said only when it was an article file, by the build that finds
    it gone, see :data:`FOLDER_NOW`.)"""
    folders = [p for p in bad if p[2] == _A_FOLDER]
    if not folders:
        return bad
    out = [p for p in bad if p[2] != _A_FOLDER]
    named = [(p, re.compile(_path_pattern(*_searched(config, p))).fullmatch)
             for p in config.content
             if _FILE_ENDING.search(Path(p).name) and "**" not in Path(p).parts]  # fmt: skip
    for path, line, _ in folders:
        glob_ = next((p for p, match in named if match(os.path.normpath(base + path))), None)
        if glob_ is not None:
            out.append((path, line, FOLDER_NAMED_AS_FILE.format(glob=shown_text(repr(glob_)))))
    return out


#: A glob's last part that names files by their ending: ``*.md``, ``*.txt`` (not ``*``,
#: ``**`` nor ``*.*``, which match any folder with a dot in its name).
_FILE_ENDING = re.compile(r"\.[^.*?\[\]]+\Z")


def _leaves_out(config: Config, pattern: str, paths: list[str]) -> bool:
    """Whether the site.exclude glob ``pattern`` names one of ``paths`` (those left out)."""
    named = re.compile(_path_pattern(*_searched(config, pattern))).fullmatch
    return any(named(p) for p in paths)


#: How ``skipped`` names a file site.exclude left out (:func:`excluded`).
EXCLUDED = "excluded by site.exclude"
#: What SQLite and the build lock put beside the cache.
_CACHE_COMPANIONS = ("", "-wal", "-shm", "-journal", ".lock")


def excluded(config: Config) -> Callable[[str], object] | None:
    """Whether a listed file (its absolute path, as listed) is one ``site.exclude``
    names, or is in a folder it names; None when it names none. A glob is read as the
    content globs are, relative to the config's folder (whose own name is no glob);
    ``**`` is any folders (or none)."""
    return exclusion(config.root, config.exclude)


def exclusion(root: Path, patterns: Iterable[str]) -> Callable[[str], object] | None:
    """:func:`excluded` for the globs ``patterns`` relative to the folder ``root``."""
    shown = [_path_pattern(*_searched_in(str(root), p)) for p in patterns]
    return re.compile("|".join(shown)).fullmatch if shown else None


def _path_pattern(absolute: str, static: str) -> str:
    """A regular expression of the paths the glob ``absolute`` matches (``static``: its
    folder that holds no wildcard) and of those below them."""
    static = os.path.join(static, "")
    parts = absolute[len(static) :].split(os.sep) if absolute.startswith(static) else []
    out = [re.escape(static if parts else absolute)]
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            out.append(".*" if last else f"(?:[^{os.sep}]*{os.sep})*")
            continue
        out.append(_name_pattern(part) + ("" if last else re.escape(os.sep)))
    return f"(?:{''.join(out)}(?:{re.escape(os.sep)}.*)?)"


def _name_pattern(part: str) -> str:
    """One glob component as a regular expression that never crosses a folder. As
    fnmatch's, each ``*`` but the last looks for what follows it once (an atomic group):
    ``*-*-*-draft-*.md`` tried every way to share a name's hyphens among its stars, 0.1 ms
    a Jekyll name, seconds a long one."""
    any_ = f"[^{re.escape(os.sep)}]"
    pieces, i = [""], 0  # (what the stars separate)
    while i < len(part):
        c = part[i]
        if c == "*":
            if part[i - 1 : i] != "*":  # (** in a name is *)
                pieces.append("")
        elif c == "?":
            pieces[-1] += any_
        elif c == "[" and (end := _class_end(part, i)) > 0:
            # as fnmatch reads it (a range z-a is none, -- and && are letters), never /
            single = fnmatch.translate(part[i : end + 1]).removesuffix(r"\Z")
            pieces[-1] += f"(?!{re.escape(os.sep)}){single}"
            i = end
        else:
            pieces[-1] += re.escape(c)
        i += 1
    if len(pieces) == 1:
        return pieces[0]
    head, *middle, tail = pieces
    return head + "".join(f"(?>{any_}*?{m})" for m in middle) + f"{any_}*{tail}"


def _class_end(part: str, at: int) -> int:
    """Where the bracket class that opens at ``at`` closes, as fnmatch reads it (a ``]``
    first, or after ``!``, is in it); -1: none closes it, and the ``[`` is a letter."""
    j = at + 1
    j += part[j : j + 1] == "!"
    j += part[j : j + 1] == "]"
    return part.find("]", j)


def _without_own(config: Config, files: list[Files], skipped: list[str],
                 exclude: Callable[[str], object] | None = None,
                 left_out: list[str] | None = None) -> list[Files]:  # fmt: skip
    """``files`` without the config's own file and its cache (with what SQLite and the
    lock put beside it), which a glob as wide as ``content = ["*"]`` matches: never
    articles (config.toml was rejected at every build for having no front matter);
    and without those ``exclude`` names (:func:`excluded`: each it names put in ``left_out``);
    each said among the skipped. One look a folder: a folder that holds none is left as
    it is."""
    own: dict[str, dict[str, str]] = {}
    for path, what in [(config.path, "the site's config"),
                       *((Path(f"{config.cache}{c}"), "feedpub's cache") for c in _CACHE_COMPANIONS)]:  # fmt: skip
        folder, _, name = os.path.realpath(path).rpartition(os.sep)
        own.setdefault(folder + os.sep, {})[name] = what
    out: list[Files] = []
    for files_of in files:
        rel_folder, folder, names, sizes, mtimes = files_of
        mine = own.get(os.path.realpath(folder).rstrip(os.sep) + os.sep, {}) if folder else {}
        if exclude is not None and folder:
            named = [n for n in names if exclude(folder + n)]
            if left_out is not None:
                left_out += [folder + n for n in named]
            mine = {**dict.fromkeys(named, EXCLUDED), **mine}  # (the config's: said so)
        if not mine or not any(n in mine for n in names):
            out.append(files_of)
            continue
        keep = [i for i, n in enumerate(names) if n not in mine]
        skipped += [f"{shown_path(rel_folder + n)}: {mine[n]}"
                    + ("" if mine[n] == EXCLUDED else ", not an article")
                    for n in names if n in mine]  # fmt: skip
        kept = [names[i] for i in keep]
        if isinstance(sizes, array) and isinstance(mtimes, array):
            out.append((rel_folder, folder, kept, array("q", (sizes[i] for i in keep)),
                        array("q", (mtimes[i] for i in keep))))  # fmt: skip
        else:  # (sizes or mtimes past 64 bits: lists)
            out.append((rel_folder, folder, kept, [sizes[i] for i in keep],
                        [mtimes[i] for i in keep]))  # fmt: skip
    return out


#: What a Subtree weighs when the listing is shared out, as if it held so many
#: files: its size is not known before it is scanned (a tree of folders by year or
#: month is then shared by its folders' count).
SUBTREE_WEIGHT = 1000


def _entry_count(item: Listing | Subtree) -> int:
    return SUBTREE_WEIGHT if isinstance(item, Subtree) else len(item[0])


def _cut_listing(
    item: Listing | Subtree, k: int
) -> tuple[Listing | Subtree, Listing | Subtree] | None:
    """A folder's listing as two: its first ``k`` entries, and the others (a Subtree
    stays whole: None)."""
    if isinstance(item, Subtree):
        return None
    entries, *rest = item
    return (entries[:k], *rest), (entries[k:], *rest)  # type: ignore[return-value]


#: O_NONBLOCK: a file swapped for a FIFO after listing must not hang the build.
_READ = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
#: Where the path of an open file is found (Linux).
_FD_PATH = "/proc/self/fd/" if os.path.isdir("/proc/self/fd") else None


def _searched(config: Config, pattern: str) -> tuple[str, str]:
    """A content glob made absolute, and the folder it searches (its part before the
    first wildcard; a glob of none, one file, looked up in its folder). The config's
    folder is a path, not a glob: its name may hold ``[``, ``?`` or ``*`` (``site
    [2020]``), which only the pattern's own part is read as wildcards."""
    return _searched_in(str(config.root), pattern)


def _searched_in(root: str, pattern: str) -> tuple[str, str]:
    """:func:`_searched` for a glob relative to the folder ``root``."""
    relative = os.path.normpath(pattern)  # (absolute, it is the user's glob: root is not joined)
    head = glob_root(relative)
    static = os.path.normpath(os.path.join(root, head))
    rest = Path(relative).parts[len(Path(head).parts) if head != "." else 0 :]
    absolute = os.path.join(static, *rest)
    return absolute, os.path.dirname(absolute) if not rest else static


def missing_folders(config: Config) -> list[tuple[str, str]]:
    """The content globs whose folder (their part before the first wildcard) is not
    there, each with that folder: one misspelt (``_nwes/*.md``) matches no file, and
    beside a glob that matches some, the articles meant were left out without a word."""
    folders = [(p, _searched(config, p)[1]) for p in config.content]
    return [(p, folder) for p, folder in folders if not os.path.isdir(folder)]


def literal_names(config: Config, pattern: str) -> tuple[str, str] | None:
    """Where the content glob ``pattern`` names a folder or a file with a glob character
    in its real name (``news[1]/*.md`` and a folder ``news[1]``, which to a glob is
    ``news1``: ``[1]`` is a class of one character) that the glob does not match: that
    path (as the glob has it), and the glob with each such name escaped, as
    :func:`glob.escape` writes it (``news[[]1]/*.md``). None when it names none."""
    parts = list(Path(os.path.normpath(pattern)).parts)
    at, named = str(config.root), None
    for i, part in enumerate(parts):
        at = os.path.join(at, part)  # (an absolute glob's first part starts afresh)
        if not os.path.lexists(at):
            break
        if glob.has_magic(part) and not fnmatch.fnmatchcase(part, part):
            parts[i] = glob.escape(part)
            named = os.path.join(*Path(os.path.normpath(pattern)).parts[: i + 1])
    return None if named is None else (named, os.path.join(*parts))


def literal_hint(config: Config, pattern: str) -> str | None:
    """What to write in place of ``pattern`` to take its glob characters literally (see
    :func:`literal_names`), as a message says it; None when that is not the trouble."""
    names = literal_names(config, pattern)
    if names is None:
        return None
    named, escaped = names
    what = "a folder" if os.path.isdir(os.path.join(config.root, named)) else "a file"
    chars = " ".join(c for c in "[]?*" if c in named)
    return (f"{shown_text(repr(pattern))} reads the {chars} in it as glob characters, and "
            f"{shown_path(named)} is {what} so named: write {shown_text(repr(escaped))} to "
            "take its name literally (as Python's glob.escape writes it)")  # fmt: skip


def literal_globs(config: Config, found: Found) -> list[str]:
    """What to write in place of each content glob that matches no file of ``found``
    where its glob characters taken literally name one (see :func:`literal_hint`)."""
    hints = [(p, h) for p in config.content if (h := literal_hint(config, p)) is not None]
    if not hints:  # (the usual case: no listed path looked at)
        return []
    listed = [os.path.normpath(s.abspath) for s in found.sources]
    out = []
    for pattern, hint in hints:
        matches = re.compile(_path_pattern(*_searched(config, pattern))).fullmatch
        if not any(matches(p) for p in listed):
            out.append(hint)
    return out


def content_prefixes(config: Config) -> tuple[str, ...]:
    """The folders the content globs search, resolved, each with a final separator: a
    file read must be in one (see :func:`_open`), as the listing made sure."""
    return tuple(os.path.realpath(_searched(config, p)[1]).rstrip(os.sep) + os.sep
                 for p in config.content)  # fmt: skip


def _open(path: str, inside: tuple[str, ...]) -> int | None:
    """``path`` opened to be read; None when it is no longer the file the listing saw
    inside the content folders (``inside``: :func:`content_prefixes`; none: any): a
    symlink put in its place since, or a folder above it, that leads out of them. (The
    listing follows a symlink only into them; a file swapped for one between the
    listing and the reading was read through it, and its article published.)"""
    if not inside:
        return os.open(path, _READ)
    try:
        fd = os.open(path, _READ | _NOFOLLOW)
    except OSError as e:
        if e.errno not in (errno.ELOOP, errno.EMLINK):  # (EMLINK: BSD's word for it)
            raise
        real = os.path.realpath(path)  # a symlink: followed, as the listing does, inside
        if not real.startswith(inside):
            return None
        try:
            fd = os.open(real, _READ | _NOFOLLOW)
        except OSError as again:
            if again.errno in (errno.ELOOP, errno.EMLINK):
                return None  # (swapped again)
            raise
        path = real
    # in a subfolder, or under a path that is not a real one: a folder above it may have
    # been swapped too; where the file opened really is
    if (_FD_PATH is not None and path.rpartition(os.sep)[0] + os.sep not in inside
            and not os.readlink(f"{_FD_PATH}{fd}").startswith(inside)):  # fmt: skip
        os.close(fd)
        return None
    return fd


def read_source(src: SourceFile, max_size: int, inside: tuple[str, ...] = ()) -> bytes | None:
    """The bytes of a file, ``None`` when it vanished (or became a folder, or a symlink
    out of the content folders ``inside``, see :func:`_open`, or empty, being written)
    since it was listed; UnreadableError when it cannot be read, ArticleError when too
    big."""
    fd: int | None = -1
    try:
        fd = _open(src.abspath, inside)
        if fd is None:
            return None
        try:
            if 0 < src.size <= max_size:  # the size the listing saw: one read, no fstat
                data = os.read(fd, src.size + 1)
                if len(data) == src.size:  # all of it: a FIFO or a device gives less or more
                    return data
                os.close(fd)
                fd = -1
                fd = _open(src.abspath, inside)  # it changed since it was listed: the careful way
                if fd is None:
                    return None
            data = _read_whole(fd, src, max_size)
            if not data and src.size > 0:
                return None  # listed with bytes, empty now: being written (as git does)
        finally:
            if fd is not None and fd >= 0:
                os.close(fd)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except OSError as e:
        raise UnreadableError(src.path, 1, f"cannot read: {e.strerror or e}{_fix(e)}") from None
    if len(data) > max_size:
        raise ArticleError(src.path, 1, f"file grew over the limit of {max_size} bytes while read")
    return data


def _read_whole(fd: int, src: SourceFile, max_size: int) -> bytes:
    """The bytes of the open file ``fd`` (left open), checked for what it is and its size."""
    st = os.fstat(fd)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise ArticleError(src.path, 1, "not a regular file")
    size = st.st_size
    if size > max_size:
        raise ArticleError(
            src.path,
            1,
            f"file is {size} bytes, over the limit of {max_size} (site.max_file_size)",
        )
    # the size fstat gave, plus one byte to see it grow: never a buffer of max_size a
    # file (allocating it costs more than the read); read as read_source reads, without
    # a file object round the descriptor (a regular file, so every read blocks)
    data = os.read(fd, size + 1)
    if len(data) > size:  # it grew since: read on, but never past the limit
        parts = [data]
        while (got := sum(map(len, parts))) <= max_size and (
            more := os.read(fd, max_size + 1 - got)
        ):
            parts.append(more)
        data = b"".join(parts)
    return data


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


#: ``(content digest, outcome)``; the outcome is ``None`` when the bytes still hash to
#: the digest the cache knows (nothing parsed); the digest is ``""`` when the file could
#: not be read (its ArticleError says why); the whole result is ``None`` when the file
#: vanished between listing and reading.
Result = tuple[str, Article | ArticleError | None] | None
#: A summary's result is :data:`Result`'s, with a third item, the file's notices (see
#: :mod:`feedpub.notices`), when it has any.
SummaryResult = (
    tuple[str, Summary | ArticleError | None] | tuple[str, Summary, tuple[Notice, ...]] | None
)


def load_one(src: SourceFile, tz: tzinfo, max_size: int, known: str | None = None,
             inside: tuple[str, ...] = ()) -> Result:  # fmt: skip
    """Load one file whole; errors are returned, not raised, so a batch never stops.
    (``inside``: see :func:`read_source`.)"""
    return _load(src, tz, max_size, known, False, inside)  # type: ignore[return-value]


def summarize_one(src: SourceFile, tz: tzinfo, max_size: int, known: str | None = None,
                  inside: tuple[str, ...] = ()) -> SummaryResult:  # fmt: skip
    """:func:`load_one`, but only the Summary: what a build needs of every file."""
    return _load(src, tz, max_size, known, True, inside)  # type: ignore[return-value]


def summarize(
    tz: tzinfo, max_size: int, inside: tuple[str, ...], todo: list[tuple[SourceFile, str | None]]
) -> list[SummaryResult]:
    """:func:`summarize_one` of each ``(file, digest the cache knows)``."""
    return [summarize_one(src, tz, max_size, known, inside) for src, known in todo]


def prepare() -> None:
    """Import what parsing article files needs (PyYAML): for a build to do once, before
    it forks the processes that read them (the processes that render, forked later,
    then find it done too). Not ftfy, which cleaning a text may need: a Summary seldom
    cleans a text (see :func:`feedpub.articles._has_text`), and a process that does
    imports it then; the build imports it while they read (:func:`prepare_articles`)."""
    from .articles import load_summary  # noqa: F401
    from .notices import article_notices  # noqa: F401  (what load_summary asks for)


def prepare_articles() -> None:
    """Import what building Articles may need too (ftfy, 40 ms, and the HTML
    recogniser, which a Summary never needs): for a build to do before it forks the
    processes that render, or earlier, while others read."""
    from .sanitize import load_text_tools

    load_text_tools()


def _load(
    src: SourceFile, tz: tzinfo, max_size: int, known: str | None, summary: bool,
    inside: tuple[str, ...],
) -> Result | SummaryResult:  # fmt: skip
    d = ""  # (none for a file that cannot be read)
    try:
        data = read_source(src, max_size, inside)
        if data is None:
            return None
        d = digest(data)
        if known is not None and d == known:
            return d, None
        from .articles import load_article, load_summary  # PyYAML and ftfy: only to parse

        if summary:
            notes: list[Notice] = []
            made = load_summary(src.path, data, tz, d, notes)
            return (d, made, tuple(notes)) if notes else (d, made)
        return d, load_article(src.path, data, tz)
    except ArticleError as e:  # with the digest of the bytes it rejects, when read
        return d, e
    except Exception as e:  # one bad file must never stop the run
        return d, ArticleError(src.path, 1, f"cannot load ({type(e).__name__}); please report this")


def unchanged_files(config: Config, items: Iterable[Summary]) -> list[Summary]:
    """Those of ``items`` whose files still hold the bytes their Summaries were made
    from: read and hashed, and parsed only where they do not (:func:`load_one` given
    the digest; a file changed while the build ran, so rarely)."""
    tz, limit, inside = config.timezone, config.max_file_size, content_prefixes(config)
    return [s for s in items
            if (got := load_one(_file_of(config, s), tz, limit, s.digest, inside)) is not None
            and got[1] is None]  # fmt: skip


def read_bytes(config: Config, path: str) -> bytes | None:
    """The bytes of the article file ``path`` (relative to the site), or None when it
    cannot be read now (gone, unreadable, over the size limit)."""
    try:
        return read_source(SourceFile(path, os.path.join(config.root, path), 0, 0),
                           config.max_file_size, content_prefixes(config))  # fmt: skip
    except ArticleError:
        return None


def _file_of(config: Config, s: Summary) -> SourceFile:
    """The file a Summary was made from, to be read again (its size unknown)."""
    return SourceFile(s.path, os.path.join(config.root, s.path), 0, 0)


class Reread(NamedTuple):
    """The whole Articles of some Summaries, parsed again from their files."""

    articles: dict[str, Article]
    #: paths whose file no longer holds the bytes its Summary was made from (changed or
    #: gone while the build ran): never published from a stale Summary
    changed: list[str]
    #: files that hold those bytes no more readably (made unreadable since, say)
    errors: dict[str, ArticleError]


def read_articles(
    config: Config,
    items: Iterable[Summary],
    kept: MutableMapping[tuple[str, str], Article] | None = None,
) -> Reread:
    """The whole Articles of ``items``, parsed again from their files. ``kept`` holds
    Articles parsed before, by path and digest: an item found there is not read again
    (it was parsed from the bytes its Summary was made from), and what is parsed now
    is put there."""
    out = Reread({}, [], {})
    inside = content_prefixes(config)
    for s in {s.path: s for s in items}.values():
        if kept is not None and (s.path, s.digest) in kept:
            out.articles[s.path] = kept[s.path, s.digest]
            continue
        result = load_one(_file_of(config, s), config.timezone, config.max_file_size, None, inside)
        if result is None:
            out.changed.append(s.path)
        elif result[0] == s.digest and isinstance(result[1], Article):
            out.articles[s.path] = result[1]
            if kept is not None:
                kept[s.path, s.digest] = result[1]
        elif result[0] in ("", s.digest) and isinstance(result[1], ArticleError):
            out.errors[s.path] = result[1]  # unreadable, or over the size limit, now
        else:  # other bytes, whatever they hold (an empty file git is writing, say)
            out.changed.append(s.path)
    return out
