"""The engine room: what feedpub does only to be fast, and nothing else.

The pipeline (:mod:`feedpub.build`) hands plain domain functions and plain lists to
an executor, and gets back each item's result, in order:

- :class:`Serial` runs everything in this process, in order: the reference, whose
  results every other executor must equal byte for byte (a test builds corpora
  both ways);
- :class:`Workers` shares a list out among worker processes when it is long enough
  to pay for them. On Linux the workers are forked and *inherit* the function and
  the list (they take the numbers of ranges of positions from one pipe, never the
  items, which would be pickled one by one, and send back each range's results on
  a pipe of their own: no pool, no thread, no queue); elsewhere the chunks are sent
  to a ``ProcessPoolExecutor``. The named tuples that cross
  by the hundred thousand are sent as plain tuples (pickled in C). The workers'
  collector leaves alone what they were forked with: walking it would copy every
  memory page. Files about to be read are asked of the kernel a chunk ahead.
  A listing's ``lstat`` calls are shared with one forked child (:meth:`Workers.halves`),
  whose result comes back through a pipe with marshal.

Around that: :func:`collector_paused`, which the pipeline enters while it makes a
hundred thousand objects that hold no reference cycles (the cyclic collector would
walk them again and again: a third of a warm build's time), and which then freezes
them for the rendering; :func:`maker`, a named tuple's constructor at C speed, for the
stores that make them by the hundred thousand; :func:`prefetch`, a page-cache hint
for a file about to be read whole (the cache); :class:`Durable`, the files a build publishes
made durable (one ``syncfs`` for many), and :func:`each_blocking`, a blocking system call
over a list in threads (an fsync each, for a few); :func:`signals_held`, Ctrl-C and
SIGTERM held while a file is renamed into place or rewritten, and
:func:`stopped_as_by_ctrl_c`, SIGTERM raised as Ctrl-C is while a command runs (not for
speed: the process's signals, kept here with the rest of its machinery); and
:func:`fresh_folder`, a folder for a build's new files where the file system makes
them quickly; :func:`load_patterns` and :func:`save_patterns`, the regular expressions a
run compiled kept for the next, as Python keeps its compiled modules.
"""

from __future__ import annotations

import contextlib
import copyreg
import gc
import io
import marshal
import os
import pickle
import signal
import struct
import sys
import threading
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any, Generic, Literal, NamedTuple, NoReturn, Protocol, TypeVar, cast

from .model import SourceFile, Summary

try:
    import _sre  # type: ignore[import-not-found]  # (re's engine: what compiled patterns are)
except ImportError:  # (a Python without CPython's: its patterns are compiled as usual)
    _sre = None

T = TypeVar("T")
R = TypeVar("R")
NT = TypeVar("NT", bound=tuple[Any, ...])


@dataclass(frozen=True, slots=True)
class Shape:
    """How one kind of work is shared out."""

    #: fewer items than this are done in this process (a pool costs tens of ms)
    least: int
    #: items a chunk; 0: about sixteen chunks a worker, four items at least. The last
    #: chunks are smaller (see :func:`parts_of`).
    chunk: int


#: Reading and summarising article files. From 600 files on, in workers: the pool
#: costs about what it saves, and the imports of the rendering (``meanwhile``) are then
#: done while the workers read (a cold build of 1,000 articles: 0.53 s, not 0.61 s).
READING = Shape(600, 256)
#: Parsing again the articles the outputs show, each once, into its part of them.
PARSING = Shape(128, 0)
#: Rendering and checking output files; a chunk is one of the feeds' formats and pages.
RENDERING = Shape(64, 0)
#: The ``lstat`` of each listed file: a forked child takes the first half.
LISTING = Shape(20_000, 0)


class Send(NamedTuple, Generic[T, R]):
    """How a forked child sends its half's result (:meth:`Executor.halves`) when
    marshal would pay for more objects than it must: ``pack(items, result)`` in the
    child, what marshal sends; ``unpack(items, packed)`` in this process, the result
    again (``items``: the child's half, which both processes have)."""

    pack: Callable[[list[T], R], Any]
    unpack: Callable[[list[T], Any], R]


class Executor(Protocol):
    workers: int

    def map(
        self,
        fn: Callable[[list[T]], list[R]],
        items: list[T],
        shape: Shape,
        files: Callable[[T], str] | None = None,
        meanwhile: Callable[[], object] | None = None,
        ahead: Callable[[], object] | None = None,
    ) -> Iterator[R]:
        """``fn`` over chunks of ``items``; each item's result, in order. ``files``
        gives the path of the file an item will read (then read ahead). ``meanwhile``
        is called once in this process while workers work, never without them: it
        must be work to be done anyway, only done earlier (imports, say). ``ahead`` is
        called once in this process before the workers are made, never without them:
        what each would do first, done once for all (the imports ``fn`` needs)."""
        ...

    def halves(
        self,
        fn: Callable[[list[T]], R],
        items: list[T],
        shape: Shape,
        weight: Callable[[T], int],
        cut: Callable[[T, int], tuple[T, T] | None] | None = None,
        send: Send[T, R] | None = None,
    ) -> list[R]:
        """``fn`` over ``items``, as one call or as two over the halves by ``weight``;
        ``fn`` returns what marshal can send (plain lists and tuples), or ``send``
        says how (:class:`Send`). ``cut(item, k)`` splits an item in two, the first of
        weight ``k``, so that halves are halves even when one item weighs nearly all
        (one flat folder of a hundred thousand files); ``fn`` of the two pieces must
        give what ``fn`` of the item gives; None: this item cannot be cut."""
        ...


class Serial:
    """Everything in this process, in order."""

    workers = 1

    def map(
        self,
        fn: Callable[[list[T]], list[R]],
        items: list[T],
        shape: Shape,
        files: Callable[[T], str] | None = None,
        meanwhile: Callable[[], object] | None = None,
        ahead: Callable[[], object] | None = None,
    ) -> Iterator[R]:
        size = shape.chunk or len(items) or 1
        for i in range(0, len(items), size):
            yield from fn(items[i : i + size])

    def halves(
        self,
        fn: Callable[[list[T]], R],
        items: list[T],
        shape: Shape,
        weight: Callable[[T], int],
        cut: Callable[[T, int], tuple[T, T] | None] | None = None,
        send: Send[T, R] | None = None,
    ) -> list[R]:
        return [fn(items)]


SERIAL = Serial()


class Workers(Serial):
    """``workers`` processes, for lists long enough (see :class:`Shape`; ``least`` and
    ``chunk`` override every shape's). ``inherit``: the workers are forked and inherit
    the work (by default where fork is safe: Linux); otherwise the chunks are sent."""

    def __init__(
        self,
        workers: int,
        *,
        inherit: bool | None = None,
        least: int | None = None,
        chunk: int | None = None,
    ) -> None:
        self.workers = workers
        self.inherit = _forks() if inherit is None else inherit and _forks()
        self.least = least
        self.chunk = chunk

    def map(
        self,
        fn: Callable[[list[T]], list[R]],
        items: list[T],
        shape: Shape,
        files: Callable[[T], str] | None = None,
        meanwhile: Callable[[], object] | None = None,
        ahead: Callable[[], object] | None = None,
    ) -> Iterator[R]:
        least = shape.least if self.least is None else self.least
        if self.workers <= 1 or len(items) < max(least, 1):
            yield from super().map(fn, items, shape)
            return
        if ahead is not None:
            ahead()
        size = self.chunk or shape.chunk or max(4, len(items) // (self.workers * 16))
        parts = parts_of(len(items), size, 0 if self.chunk else self.workers)
        if self.inherit:
            _INHERITED[0] = (fn, items, files)
            try:
                for chunk_results in _forked(self.workers, parts, meanwhile):
                    yield from chunk_results
            finally:
                _INHERITED[0] = None
            return
        with _pool(self.workers, fn, files) as pool:
            chunks = [items[r.start : r.stop] for r in parts]
            results = pool.map(_sent_chunk, chunks)
            if meanwhile is not None:  # the chunks are handed out: the workers are busy
                meanwhile()
            for chunk_results in results:
                yield from chunk_results

    def halves(
        self,
        fn: Callable[[list[T]], R],
        items: list[T],
        shape: Shape,
        weight: Callable[[T], int],
        cut: Callable[[T, int], tuple[T, T] | None] | None = None,
        send: Send[T, R] | None = None,
    ) -> list[R]:
        """A stat is a system call, and two processes make two at a time (threads do
        not: they queue on the kernel's locks and the GIL). Any trouble with the
        child, and this process does its half too."""
        total = sum(map(weight, items))
        half, count = 0, 0
        if cut is None:
            while half < len(items) and count * 2 < total:  # the items of the first half
                count += weight(items[half])
                half += 1
        else:
            while half < len(items) and (count + weight(items[half])) * 2 <= total:
                count += weight(items[half])
                half += 1
            pieces = None
            if half < len(items) and count * 2 < total:  # the middle falls in this item
                pieces = cut(items[half], total // 2 - count)
            if pieces is not None:  # (None: it cannot be cut, and goes to the second half)
                items = [*items[:half], *pieces, *items[half + 1 :]]
                half += 1
        least = shape.least if self.least is None else self.least
        if (
            self.workers <= 1
            or total < least
            or half == 0
            or not _forks()
            or threading.active_count() > 1  # a fork copies one thread, maybe mid-lock
        ):
            return [fn(items)]
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return [fn(items)]
        try:
            child = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return [fn(items)]
        if child == 0:  # the child: work, send, and exit with none of the parent's cleanup
            code = 1
            try:
                os.close(read_end)
                mine = items[:half]
                result: Any = fn(mine) if send is None else send.pack(mine, fn(mine))
                with open(write_end, "wb") as out:
                    out.write(marshal.dumps(result))
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        pipe = open(read_end, "rb")  # noqa: SIM115 (closed before the child is waited for)
        first: Any = None
        try:
            rest = fn(items[half:])
            with contextlib.suppress(EOFError, ValueError, TypeError, OSError):
                sent = marshal.loads(pipe.read())  # noqa: S302 (what our own child wrote)
                first = sent if send is None or sent is None else send.unpack(items[:half], sent)
        finally:
            pipe.close()  # a child still writing gets EPIPE, not a wait for ever
            _, status = os.waitpid(child, 0)
        if status != 0 or first is None:
            first = fn(items[:half])
        return [first, rest]


def parts_of(count: int, size: int, workers: int) -> list[range]:
    """``count`` items' positions in parts of ``size``, but for the last ones, which
    shrink (for ``workers`` > 0): a part is at most a ``2 * workers``-th of what is left,
    and a quarter of ``size`` at least. The workers take the parts in turn, so they end
    about together: one that took the last full-size part (a tenth of a second's work at
    times) no longer runs on alone while the others wait."""
    out, start = [], 0
    least = max(1, size // 4)
    while start < count:
        step = max(least, min(size, (count - start) // (2 * workers))) if workers else size
        out.append(range(start, min(start + step, count)))
        start += step
    return out


def executor(jobs: int | None) -> Executor:
    """The executor for ``jobs`` processes (None: one a core)."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    return Workers(workers) if workers > 1 else SERIAL


def _forks() -> bool:
    """Whether workers may be forked: Linux (macOS has fork, but its system libraries
    do not survive it)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


#: What the forked workers find in their copy of this module: ``(fn, items, files)``.
_INHERITED: list[Any] = [None]


def _inherited_chunk(part: range) -> list[Any]:
    fn, items, files = _INHERITED[0]
    chunk = items[part.start : part.stop]
    if files is not None:
        # the next chunk too (the other worker's, most likely): its files arrive while
        # these are worked on
        after = items[part.stop : part.stop + len(part)]
        read_ahead([files(x) for x in chunk], [files(x) for x in after])
    result: list[Any] = fn(chunk)
    return result


#: A frame on a worker's pipe: the part's number and the length of its pickled result.
_FRAME = struct.Struct("<iQ")
_TASK = struct.Struct("<i")


def _forked(workers: int, parts: list[range],
            meanwhile: Callable[[], object] | None) -> Iterator[list[Any]]:  # fmt: skip
    """Each part's result (:func:`_inherited_chunk`), in order, from ``workers`` forked
    children. They take the parts' numbers in turn from one pipe (a read of a few bytes
    from a pipe is whole: each number goes to one child) and send back each result,
    pickled, on a pipe of their own. No pool, no thread, no queue: forking two
    children and reaping them costs a few ms where ``ProcessPoolExecutor`` took about
    10 ms a map and 8 ms to import. Where no more can be forked (a limit on processes
    or descriptors, no memory), those made do the work; where none can, this process
    does it, and ``meanwhile`` is not called."""
    tasks_read, tasks_write = os.pipe()
    children: dict[int, int] = {}  # result pipe -> pid
    try:
        for _ in range(min(workers, len(parts))):
            try:
                read_end, write_end = os.pipe()
            except OSError:  # no descriptor left: the children made so far do the work
                break
            widen_pipe(write_end)
            try:
                pid = os.fork()
            except OSError:  # no process left (a limit, memory): likewise
                os.close(read_end)
                os.close(write_end)
                break
            if pid == 0:  # the child: never returns
                _child(parts, tasks_read, write_end, [tasks_write, read_end, *children])
            os.close(write_end)
            children[read_end] = pid
        if not children:  # none could be made: all of it here, in order
            for part in parts:
                yield _inherited_chunk(part)
            return
        os.close(tasks_read)
        tasks_read = -1
        try:
            os.write(tasks_write, b"".join(_TASK.pack(k) for k in range(len(parts))))
        except BrokenPipeError:  # every child gone already (killed): none can read them
            raise WorkerLost(_how_ended(children.values())) from None
        os.close(tasks_write)
        tasks_write = -1
        if meanwhile is not None:  # the workers are busy
            meanwhile()
        yield from _results(children, len(parts))
    finally:
        for fd in (tasks_read, tasks_write, *children):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        for pid in children.values():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)  # (one still working: the build stopped)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


#: How many bytes a worker's pipe holds (Linux's most for a user, by default): a
#: chunk's result then fits whole, and the worker goes on to the next chunk while this
#: process reads it. (A pipe holds 64 KB at first: a 10,000-article build's workers
#: waited on theirs about 50 ms each.)
PIPE_BYTES = 1 << 20


def widen_pipe(fd: int) -> None:
    """Let the pipe ``fd`` belongs to hold :data:`PIPE_BYTES` (where the system allows)."""
    import fcntl  # (POSIX only: where workers are forked)

    setting = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setting is not None:
        with contextlib.suppress(OSError):  # more than the system lets a user have
            fcntl.fcntl(fd, setting, PIPE_BYTES)


def _child(parts: list[range], tasks: int, out: int, others: list[int]) -> NoReturn:
    """A worker's life: each part it takes, done and sent; then out, with none of the
    parent's cleanup (its buffers, its atexit)."""
    code = 0
    try:
        for fd in others:
            os.close(fd)
        gc.freeze()  # what it was forked with: not walked by its collections
        while task := _read_exactly(tasks, _TASK.size):
            (k,) = _TASK.unpack(task)
            try:
                result: tuple[bool, Any] = (True, _inherited_chunk(parts[k]))
            except Exception as e:  # sent, raised by the parent at this part
                result = (False, e)
            try:
                data = _dumps(result)
            except Exception as e:  # an unpicklable result or error
                data = _dumps((False, RuntimeError(f"a worker could not send its result: {e!r}")))
            del result
            _write_all(out, _FRAME.pack(k, len(data)))
            _write_all(out, data)  # (no copy of it, not even to put the frame before it)
            del data
    except BaseException:  # interrupted, or the parent gone: the parent says what
        code = 1
    finally:
        os._exit(code)


def _results(children: dict[int, int], count: int) -> Iterator[list[Any]]:
    """The ``count`` parts' results, in order, as they come in on the children's pipes.
    Each result is read into a buffer of its size, made objects, and let go: no copy of
    it is kept (at 100,000 articles, copies put 14 MB on the peak of a build)."""
    import selectors

    done: dict[int, tuple[bool, Any]] = {}
    inboxes = {fd: _Inbox() for fd in children}
    sel = selectors.DefaultSelector()
    for fd in children:
        sel.register(fd, selectors.EVENT_READ)
    try:
        for k in range(count):
            while k not in done:
                if not inboxes:
                    raise WorkerLost(_how_ended(children.values()))
                for key, _ in sel.select():
                    fd = int(key.fd)
                    inbox = inboxes[fd]
                    if not inbox.read(fd):
                        sel.unregister(fd)
                        del inboxes[fd]
                    elif inbox.body is not None and inbox.got == len(inbox.body):
                        done[inbox.part] = pickle.loads(inbox.body)  # noqa: S301 (our own child's)
                        inboxes[fd] = _Inbox()
            ok, value = done.pop(k)
            if not ok:
                raise value
            yield value
    finally:
        sel.close()


class WorkerLost(RuntimeError):
    """A worker process ended before its work was done: killed (by the kernel's
    out-of-memory killer, or by someone), or it crashed. The build stops; nothing of it
    is published."""


def _how_ended(pids: Iterable[int]) -> str:
    """What :class:`WorkerLost` says: the signal that ended a worker, where one did.
    (Every worker has closed its pipe by then, on its way out: waited for, each.)"""
    for pid in pids:
        with contextlib.suppress(ChildProcessError):
            done, status = os.waitpid(pid, 0)
            if done and os.WIFSIGNALED(status):
                name = signal.Signals(os.WTERMSIG(status)).name
                why = " (the system's out-of-memory killer, or a kill)" if name == "SIGKILL" else ""
                return f"a worker process was ended by {name}{why} before its work was done"
    return "a worker process stopped before its work was done"


class _Inbox:
    """One frame coming in on a worker's pipe: its head, then its body."""

    def __init__(self) -> None:
        self.head = b""
        self.part = -1
        self.body: bytearray | None = None
        self.got = 0

    def read(self, fd: int) -> bool:
        """Read what the pipe holds of this frame, as far as its end; False at the end
        of the pipe."""
        if self.body is None:
            data = os.read(fd, _FRAME.size - len(self.head))
            if not data:
                return False
            self.head += data
            if len(self.head) == _FRAME.size:
                self.part, size = _FRAME.unpack(self.head)
                self.body = bytearray(size)
            return True
        with memoryview(self.body) as view:
            n = os.readv(fd, [view[self.got :]])
        self.got += n
        return n > 0


def _dumps(value: Any) -> memoryview:
    """``value`` pickled (its bytes not copied out of the buffer they were made in)."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return out.getbuffer()


def _read_exactly(fd: int, size: int) -> bytes:
    """``size`` bytes, or b"" at the end (the parent writes whole numbers only)."""
    data = os.read(fd, size)
    while data and len(data) < size:
        more = os.read(fd, size - len(data))
        if not more:
            raise EOFError("a part's number cut short")
        data += more
    return data


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


#: What a worker of :func:`_pool` was sent once, when it started: ``(fn, files)``.
_SENT: list[Any] = [None]


def _receive(fn: Callable[[list[Any]], list[Any]], files: Any) -> None:
    _SENT[0] = (fn, files)
    gc.freeze()


def _sent_chunk(chunk: list[Any]) -> list[Any]:
    fn, files = _SENT[0]
    if files is not None:
        read_ahead([files(x) for x in chunk])
    result: list[Any] = fn(chunk)
    return result


@contextlib.contextmanager
def _pool(workers: int, fn: Callable[[list[Any]], list[Any]], files: Any) -> Iterator[Any]:
    """A pool of ``workers`` processes that are sent their work (where they are not
    forked: see :func:`_forked`): ``fn`` and ``files`` once a worker, as it starts (what
    ``fn`` holds, the articles' entries say, is not sent again with every chunk), then
    the chunks."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.reduction import ForkingPickler

    for kind in _COMPACT:
        ForkingPickler.register(kind, _compact)
    with ProcessPoolExecutor(max_workers=workers, initializer=_receive,
                             initargs=(fn, files)) as pool:  # fmt: skip
        yield pool


K = TypeVar("K")
V = TypeVar("V")

#: Articles a render worker keeps between its chunks (a few MB; an article shown in
#: several feeds is then parsed once a worker, not once a chunk).
KEPT_ARTICLES = 4096


class Kept(dict[K, V]):
    """A dict that holds at most ``limit`` entries, the oldest dropped first: what a
    function given to :meth:`Executor.map` keeps between the chunks it is called on.
    Each forked worker has its own copy (filled by the chunks that worker does), the
    serial path one for all; a worker sent its work gets a fresh one, for all its chunks. So what is kept must be
    what the function would compute again, never a result of its own."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: K, value: V) -> None:
        if key not in self:
            if self.limit <= 0:
                return
            if len(self) >= self.limit:
                del self[next(iter(self))]
        super().__setitem__(key, value)

    def __reduce__(self) -> Any:  # sent to a worker: empty, with its limit
        return Kept, (self.limit,)


#: Bytes a :class:`Spilled` keeps in memory before it writes the rest to its file.
SPILL_AFTER = 4 << 20
#: Where :class:`Spilled` makes its file, the first that takes one: a tmpfs (its pages
#: in no process's resident memory, and new ones made in 4 µs a value, where this
#: machine's ext4 took 20 µs), else tempfile's folder (None). The file is unlinked at once.
SPILL_FOLDERS = ("/dev/shm", None)  # noqa: S108

V2 = TypeVar("V2")


class Spilled(MutableMapping[K, V]):
    """A dict for what this process hands to the workers it forks next: ``split(value)``
    gives a value's bulk, as byte strings (parts), and a small rest; values are kept as
    they are until ``after`` bytes of parts have been put, then the parts of the others
    go to an unlinked temporary file, their rests stay, and ``join(parts, rest)`` makes
    the value again when it is asked for. Every page of this process is
    in each forked worker's resident memory too, and so counted once a process: a
    100,000-article build's entries, about 70 MB, would be counted three times.
    File pages are in none. A worker reads the file through the descriptor it
    inherits; the file is gone once every process has closed it. A value that cannot be
    written (no temporary folder, no room) is kept."""

    def __init__(self, split: Callable[[V], tuple[Sequence[bytes], V2]],
                 join: Callable[[list[bytes], V2], V], after: int = SPILL_AFTER) -> None:  # fmt: skip
        self.split = split
        self.join = join
        self.after = after
        self._kept: dict[K, V] = {}
        self._spilled: dict[K, tuple[int, tuple[int, ...], Any]] = {}
        self._fd = -1
        self._end = 0
        self._held = 0

    def __setitem__(self, key: K, value: V) -> None:
        if key in self:
            del self[key]
        parts, rest = self.split(value)
        sizes = tuple(map(len, parts))
        size = sum(sizes)
        self._held += size
        if self._held > self.after:
            with contextlib.suppress(OSError):  # (no room, no temporary folder: kept)
                self._spilled[key] = (self._write(parts, size), sizes, rest)
                return
        self._kept[key] = value

    def _write(self, parts: Sequence[bytes], size: int) -> int:
        """Where ``parts``, one after the other, now are in the file."""
        if self._fd < 0:
            self._fd = _scratch_file()
        view = memoryview(b"".join(parts))
        while view:  # at offsets of its own: no file position is shared with a worker
            view = view[os.pwrite(self._fd, view, self._end + size - len(view)) :]
        self._end += size
        return self._end - size

    def __getitem__(self, key: K) -> V:
        if key in self._kept:
            return self._kept[key]
        offset, sizes, rest = self._spilled[key]
        size = sum(sizes)
        data = os.pread(self._fd, size, offset)
        while len(data) < size:  # (a regular file gives it all at once)
            more = os.pread(self._fd, size - len(data), offset + len(data))
            if not more:
                raise OSError(f"the spill file ends before {offset + size}")
            data += more
        parts, at = [], 0
        for size in sizes:
            parts.append(data[at : at + size])
            at += size
        return self.join(parts, rest)

    def __delitem__(self, key: K) -> None:
        if key in self._kept:
            del self._kept[key]
        else:
            del self._spilled[key]

    def __contains__(self, key: object) -> bool:
        return key in self._kept or key in self._spilled

    def __iter__(self) -> Iterator[K]:
        yield from self._kept
        yield from self._spilled

    def __reduce__(self) -> Any:  # sent to a worker (not forked): as a plain dict
        return dict, (list(self.items()),)

    def __len__(self) -> int:
        return len(self._kept) + len(self._spilled)

    def close(self) -> None:
        """Close the file (gone once the workers that inherited it have closed it too)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _scratch_file() -> int:
    """A descriptor of a new unlinked file (O_TMPFILE where it can: never left behind),
    in the first of :data:`SPILL_FOLDERS` that takes one."""
    import tempfile  # (only when a build spills: a build that finds nothing changed saves 10 ms)

    for folder in SPILL_FOLDERS:
        try:
            with tempfile.TemporaryFile(dir=folder) as f:
                return os.dup(f.fileno())
        except OSError:
            if folder is SPILL_FOLDERS[-1]:
                raise
    raise OSError("no folder for a temporary file")


def maker(kind: type[NT]) -> Callable[[Iterable[Any]], NT]:
    """A named tuple's ``_make``, at C speed: its own constructors run Python code (a
    build makes a hundred thousand of each kind)."""
    return partial(tuple.__new__, kind)


#: Named tuples sent as plain tuples and made again by :func:`maker`: a named tuple's
#: own pickling runs Python code for each, on both sides.
_COMPACT: dict[type, Callable[[Any], Any]] = {
    Summary: maker(Summary),
    SourceFile: maker(SourceFile),
}


def _compact(value: tuple[Any, ...]) -> tuple[Callable[[Any], Any], tuple[tuple[Any, ...]]]:
    return _COMPACT[type(value)], (tuple(value),)


#: How the forked workers pickle their results: with the named tuples compacted.
_DISPATCH = {**copyreg.dispatch_table, **dict.fromkeys(_COMPACT, _compact)}


# ------------------------------------------------------------------ a listing sent back

#: A folder's files as the listing finds them (``sources.Files``): its path as the
#: config says it, its path, the names, and their sizes and mtimes (arrays, or lists).
_Files = tuple[str, str, list[str], "array[int] | list[int]", "array[int] | list[int]"]
#: A listing of some folders (``sources.Stat``): their files, what was skipped, and the
#: problems (plain tuples).
_Listed = tuple[list[_Files], list[str], list[Any]]


def _files_packed(items: list[Any], found: _Listed) -> Any:
    """What a forked child sends of the listing ``found`` of ``items``
    (``sources._list_and_stat``): marshal pays by the object, so a folder's names as the
    place of the item whose entries they are (its first value, a list, when the listing
    kept them all: this process has the items), else as one string (NUL between names:
    no name holds one); its sizes and mtimes as their arrays' bytes."""
    files, skipped, problems = found
    whole = {id(item[0]): i for i, item in enumerate(items) if isinstance(item[0], list)}
    packed = [
        (rel, folder, whole[id(names)] if id(names) in whole else "\0".join(names),
         _as_bytes(sizes), _as_bytes(mtimes))
        for rel, folder, names, sizes, mtimes in files
    ]  # fmt: skip
    return packed, skipped, problems


def _files_unpacked(items: list[Any], packed: Any) -> _Listed:
    """The listing again from what :func:`_files_packed` made of it."""
    files, skipped, problems = packed
    unpacked: list[_Files] = [
        (rel, folder, items[names][0] if isinstance(names, int) else _split(names),
         _as_array(sizes), _as_array(mtimes))
        for rel, folder, names, sizes, mtimes in files
    ]  # fmt: skip
    return unpacked, skipped, problems


def _split(names: str) -> list[str]:
    return names.split("\0") if names else []


def _as_bytes(numbers: array[int] | list[int]) -> bytes | list[int]:
    return numbers.tobytes() if isinstance(numbers, array) else numbers


def _as_array(numbers: bytes | list[int]) -> array[int] | list[int]:
    if isinstance(numbers, list):
        return numbers
    out = array("q")
    out.frombytes(numbers)
    return out


#: How a forked child sends its half of a listing (:meth:`Executor.halves`).
FILES_SENT: Send[Any, Any] = Send(_files_packed, _files_unpacked)


# ------------------------------------------------------------------ the collector


@contextlib.contextmanager
def collector_paused() -> Iterator[Callable[[], None]]:
    """The cyclic collector off: listing, reading and selecting make a hundred thousand
    entries, rows and summaries, which hold no reference cycles. Call what it gives once
    they are all made: they are frozen (left out of every collection until the end, as
    they live to the end of the build), and the collector runs again for the rendering,
    which makes cyclic garbage. (Frozen before the collector is back on: else its first
    run would walk them all.)"""
    enabled = gc.isenabled()
    gc.disable()

    def hold() -> None:
        gc.freeze()
        if enabled:
            gc.enable()

    try:
        yield hold
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


# ------------------------------------------------------------------ the page cache

#: A file is asked of the kernel in windows of this many bytes (it reads ahead 8 MB at
#: most for one call).
PREFETCH_WINDOW = 4 << 20


def prefetch(path: str | os.PathLike[str]) -> None:
    """Ask the kernel to read the whole file in, in the background: a page cache
    reclaimed since the last build (a minute idle may be enough) makes reading it a
    wait on the disk."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            for offset in range(0, os.fstat(fd).st_size, PREFETCH_WINDOW):
                advise(fd, offset, PREFETCH_WINDOW, os.POSIX_FADV_WILLNEED)
        finally:
            os.close(fd)


def _open(path: str) -> int:
    # O_NONBLOCK: a file swapped for a FIFO must not hang the build
    return os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))


def in_page_cache(path: str) -> bool:
    """Whether the first byte of the file is in the page cache (True when that cannot
    be told: a read that does not wait, ``RWF_NOWAIT``, is Linux's alone)."""
    nowait = getattr(os, "RWF_NOWAIT", None)
    if nowait is None:
        return True
    try:
        fd = _open(path)
    except OSError:
        return True
    try:
        os.preadv(fd, [bytearray(1)], 0, nowait)
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        os.close(fd)
    return True


def read_ahead(paths: Sequence[str], after: Sequence[str] = ()) -> None:
    """When the files ``paths`` are not in the page cache (the first one tells: a host
    may reclaim what was idle for a minute), ask the kernel for them and the files
    ``after`` them at once: read one by one, each would wait on the disk in turn (a
    cold build of 100,000 files took 19 s instead of 12)."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None or not paths or in_page_cache(paths[0]):
        return
    for path in [*paths, *after]:
        with contextlib.suppress(OSError):
            fd = _open(path)
            try:
                advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
            finally:
                os.close(fd)


# ------------------------------------------------------------------ blocking calls

#: Fewer items than this are called one by one, in this thread: for one call a
#: thread would only add its start.
BLOCKING_LEAST = 2


class Stopped(KeyboardInterrupt):
    """A signal that stops a build as Ctrl-C does (SIGTERM: ``kill``, ``timeout``,
    systemd), raised where the build is, so that every cleanup runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def stopped_as_by_ctrl_c() -> Iterator[None]:
    """While the block runs, SIGTERM raises :class:`Stopped` (Python's default would
    end the process at once, its staging folders left in the output folder). Only in
    the main thread, where Python runs signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise Stopped(signum)

    # a stop raised where Python can only print it and go on (a weakref callback, as
    # importlib's when a module lock is freed; a __del__) was a traceback on stderr,
    # the signal lost, the build finishing with exit 0: it is raised once the block is done
    swallowed: list[KeyboardInterrupt] = []
    hook = sys.unraisablehook

    def unraisable(u: Any) -> None:
        if isinstance(u.exc_value, KeyboardInterrupt):
            swallowed.append(u.exc_value)
        else:
            hook(u)

    previous = signal.signal(signal.SIGTERM, stop)
    sys.unraisablehook = unraisable
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        sys.unraisablehook = hook
    if swallowed:
        raise swallowed[0]


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done, then are raised again (to the
    handlers they had). Only in the main thread, where Python runs signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    before = [signal.signal(s, lambda signum, frame: got.append(signum)) for s in held]
    try:
        yield
    finally:
        for s, handler in zip(held, before, strict=True):
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
        for signum in got:
            signal.raise_signal(signum)


def each_blocking(
    fn: Callable[[T], object], items: Sequence[T], threads: int = 16
) -> list[Exception | None]:
    """Run a blocking system call over ``items`` in threads; the error of each (None
    when ``fn`` returned), in order. A system call lets go of the GIL, so the calls
    wait together: sixteen fsyncs share the file system's journal commits, where one
    by one each forces its own. The same results whether called in threads (two items
    or more, ``threads`` over 1) or one by one here; only an ``Exception`` is an item's
    error: anything else (a KeyboardInterrupt) stops them all and is raised here.

    Plain threads, each taking every ``n``-th item (no pool: ``concurrent.futures``
    takes 5 ms to import, for a build that writes two files)."""
    if threads <= 1 or len(items) < BLOCKING_LEAST:
        return [_error_of(fn, item) for item in items]
    errors: list[Exception | None] = [None] * len(items)
    stopped: list[BaseException] = []  # what stops them all
    n = min(threads, len(items))

    def work(first: int) -> None:
        for i in range(first, len(items), n):
            if stopped:
                return
            try:
                errors[i] = _error_of(fn, items[i])
            except BaseException as e:
                stopped.append(e)
                return

    pool = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(n)]
    try:
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    except BaseException as e:  # interrupted while waiting: each thread stops after its call
        stopped.append(e)
        raise
    if stopped:
        raise stopped[0]
    return errors


def _error_of(fn: Callable[[T], object], item: T) -> Exception | None:
    try:
        fn(item)
    except Exception as e:
        return e
    return None


# ------------------------------------------------------------------ making files durable

#: From this many files on, :class:`Durable` syncs them with one ``syncfs`` of their
#: file system rather than an ``fsync`` each.
SYNC_TOGETHER = 32
#: The first Linux whose ``syncfs`` reports write-back errors (before, it says 0).
_SYNCFS_REPORTS = (5, 8)
_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)


class Durable:
    """Files about to be written in some folders, made durable together (:meth:`sync`).

    Every ``fsync`` ends with a flush of the disk's write cache: 600 new files, synced
    in sixteen threads, took 0.05 s on this project's machine; one ``syncfs(2)`` of
    their file system took 0.01 s. ``syncfs`` writes back all of the file system's
    dirty data, then flushes once; from Linux 5.8 on, it reports any write-back error
    on that file system since the descriptor it is given was opened, and each folder
    is opened (:meth:`watch`) before its files are written: a success means that
    every byte written there since is on disk. With fewer files, an error, an older
    kernel, another system, or a file in a folder not watched, each file gets its own
    ``fsync`` (in threads, :func:`each_blocking`), which names the file that failed."""

    def __init__(self, syncfs: Callable[[int], int] | Literal["libc"] | None = "libc") -> None:
        #: ``syncfs(fd) -> 0 | -1``: by default the C library's (:func:`libc_syncfs`, looked
        #: up once a folder is watched: a build that writes nothing imports no ctypes);
        #: None: an fsync each, always
        self.syncfs = syncfs
        self._folders: dict[str, int] = {}  # folder -> a descriptor opened before the writes
        self._early: threading.Thread | None = None  # a write-back begun by start()
        self._early_failed = False

    def watch(self, folder: Path) -> None:
        """Files are about to be written in ``folder``."""
        if isinstance(self.syncfs, str):
            self.syncfs = libc_syncfs()
        if self.syncfs is None or str(folder) in self._folders:
            return
        with contextlib.suppress(OSError):
            self._folders[str(folder)] = os.open(folder, _FOLDER)

    def start(self) -> None:
        """Begin to write back what was written so far, in a thread, while the build
        does other work (renders the site files): :meth:`sync` then waits for it and
        syncs again, with little left to write. (A ``syncfs`` that fails reports its
        error once: then :meth:`sync` fsyncs each file, which names the file.)"""
        syncfs = self.syncfs
        if self._early is not None or syncfs is None or isinstance(syncfs, str):
            return
        fds = list(self._folders.values())

        def write_back() -> None:
            try:
                self._early_failed = not all(syncfs(fd) == 0 for fd in fds)
            except Exception:  # (sync() then fsyncs each file, which says what is wrong)
                self._early_failed = True

        self._early = threading.Thread(target=write_back, name="feedpub-write-back")
        self._early.start()

    def _waited(self) -> bool:
        """Whether a write-back :meth:`start` began is over, and did not fail."""
        if self._early is not None:
            self._early.join()
            self._early = None
        return not self._early_failed

    def sync(self, paths: Sequence[str]) -> list[Exception | None]:
        """Each file's bytes on disk; the error of each (None when synced), in order."""
        syncfs = self.syncfs
        if (
            self._waited()
            and syncfs is not None
            and not isinstance(syncfs, str)  # (no folder watched)
            and len(paths) >= SYNC_TOGETHER
            and all(os.path.dirname(p) in self._folders for p in paths)
            and all(syncfs(fd) == 0 for fd in self._folders.values())
        ):
            return [None] * len(paths)
        return each_blocking(_fsync, paths)

    def close(self) -> None:
        self._waited()
        self._early_failed = False
        for fd in self._folders.values():
            os.close(fd)
        self._folders.clear()


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@cache
def libc_syncfs() -> Callable[[int], int] | None:
    """The C library's ``syncfs``, where it reports write-back errors; else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        release = tuple(int(n) for n in os.uname().release.split(".")[:2])
    except ValueError:
        return None
    if release < _SYNCFS_REPORTS:
        return None
    import ctypes  # (1 ms; only for a build that writes many files)

    try:
        fn = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
    return cast(Callable[[int], int], fn)


# ------------------------------------------------------------------ where new files go

#: Linux's ``FS_IOC_GETFLAGS`` and ``FS_IOC_SETFLAGS`` (``_IOR``/``_IOW('f', 1|2, long)``,
#: in the encoding of the machines named), and ``FS_TOPDIR_FL``, the flag ``chattr +T``
#: sets: "the top of a directory hierarchy", for ext4's placement of new folders.
_IOCTL_MACHINES = frozenset({"x86_64", "amd64", "aarch64", "arm64", "i386", "i686"})
_LONG = struct.calcsize("l")
FS_IOC_GETFLAGS = (2 << 30) | (_LONG << 16) | (ord("f") << 8) | 1
FS_IOC_SETFLAGS = (1 << 30) | (_LONG << 16) | (ord("f") << 8) | 2
FS_TOPDIR_FL = 0x00020000


def fresh_folder(parent: Path, prefix: str) -> Path:
    """A new empty folder in ``parent`` (as ``tempfile.mkdtemp`` makes it), for files
    about to be made and then renamed into ``parent``: where the file system makes
    them quickly.

    ext4 puts a new file's inode in the block group of its folder, and a new folder
    near its parent; with no journal (this benchmark machine's file system), each new
    inode steps over every inode of that group freed in the last seconds to minutes,
    one buffer lookup each (``recently_deleted()``). A cold build's 600 files, made
    right after the last build's were replaced or removed, then cost the kernel up to
    half a second (a third of a 1,000-article cold build's CPU, by ``perf``). A folder
    made in a folder marked as a top of a hierarchy (``FS_TOPDIR_FL``) is placed as a
    top-level one: in a block group with few folders and many free inodes, picked
    afresh from a hash of its (random) name. So ``parent`` is marked for the one
    ``mkdir`` and its flags are then put back as they were. Anywhere this cannot be
    done (another system or file system, a folder we do not own), the folder is made
    plainly: the same folder, made in the usual place."""
    import tempfile  # (see _scratch_file)

    with _top_of_hierarchy(parent):
        return Path(tempfile.mkdtemp(dir=parent, prefix=prefix))


class NewFiles:
    """New files about to be made in ``parent`` (and then renamed there), made where
    the file system makes them quickly: in a :func:`fresh_folder`, and in another one
    when making them there turns out slow.

    :func:`fresh_folder` picks the block group of a new folder afresh, but it cannot
    see which groups hold inodes freed in the last minutes: ext4 tends to pick such a
    group (it has more free inodes than most), and a build that made its 600 files
    there took 0.3 s of the kernel's time more than one that did not (one cold build
    in four on this project's machine, when the last ones' files were just removed).
    So the time each file takes to be made is watched, :data:`SLOW_WINDOW` files at a
    time: when half of them took :data:`SLOW_FILE` seconds or more, the next files go to
    another fresh folder (:data:`MOVES` times at most). ``watch`` is told of each
    folder before a file is made in it (:meth:`Durable.watch`); ``clock`` times them."""

    def __init__(self, parent: Path, prefix: str, watch: Callable[[Path], None],
                 clock: Callable[[], float] = time.perf_counter) -> None:  # fmt: skip
        self.parent, self.prefix, self.watch, self.clock = parent, prefix, watch, clock
        #: every folder made, the current one last
        self.folders: list[Path] = []
        #: folders made ahead (:meth:`reserve`), each to move to in turn
        self.reserved: list[Path] = []
        self._made = 0  # files made, for unique names
        self._window: list[float] = []  # the times of the last files made

    def reserve(self) -> None:
        """Make now every folder this may move to (``MOVES`` more than the first), each
        watched: for processes about to be forked that make files with their copy of
        this, which then moves only among folders this process knows (and syncs, and
        removes). Each is a :func:`fresh_folder`, in a block group of its own, as one
        made when it is moved to would be."""
        while len(self.folders) + len(self.reserved) <= MOVES:
            folder = fresh_folder(self.parent, self.prefix)
            self.watch(folder)
            self.reserved.append(folder)

    def every_folder(self) -> list[Path]:
        """The folders made, moved to or not."""
        return [*self.folders, *self.reserved]

    def make(self, name: str) -> tuple[int, str]:
        """A new file, open for writing (mode 0600), named after ``name``: its
        descriptor and its path. (A build makes each output once, in whichever process
        renders it: two processes with copies of this never make the same path.)"""
        if not self.folders:
            self._move()
        self._made += 1
        path = os.path.join(self.folders[-1], f".{name}.{self._made}.tmp")
        start = self.clock()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        self._window.append(self.clock() - start)
        if len(self._window) == SLOW_WINDOW:
            # the median, not the sum: the build may be preempted while it makes one file
            slow = sorted(self._window)[SLOW_WINDOW // 2] >= SLOW_FILE
            self._window.clear()
            if slow and len(self.folders) <= MOVES:
                with contextlib.suppress(OSError):  # (no folder to be had: stay where it is)
                    self._move()
        return fd, path

    def _move(self) -> None:
        if self.reserved:
            self.folders.append(self.reserved.pop(0))
            return
        folder = fresh_folder(self.parent, self.prefix)
        self.watch(folder)
        self.folders.append(folder)

    def __reduce__(self) -> Any:
        """Sent to a process that is not forked: its folders, and no ``watch`` (a
        folder the copy makes is not watched: its files are then each fsynced)."""
        copy = (self.parent, self.prefix, _unwatched, self.clock)
        return _new_files, (copy, self.folders, self.reserved)


def _unwatched(folder: Path) -> None:
    """A folder made by a copy of a :class:`NewFiles` in another process: not watched."""


def _new_files(args: tuple[Any, ...], folders: list[Path], reserved: list[Path]) -> NewFiles:
    new = NewFiles(*args)
    new.folders, new.reserved = list(folders), list(reserved)
    return new


#: How many files :class:`NewFiles` times together, the time one may take to be made
#: before the next go to another folder (a file takes 0.03 ms in a good group on this
#: project's machine, 0.5 ms in a group where 600 inodes were just freed), and how
#: many times it moves at most.
SLOW_WINDOW = 8
SLOW_FILE = 0.00004
MOVES = 3


@contextlib.contextmanager
def _top_of_hierarchy(folder: Path) -> Iterator[None]:
    """``folder`` marked ``FS_TOPDIR_FL`` while in the ``with``, its flags then put back
    as they were; left as it is (and said nothing of) where that cannot be done."""
    if not (sys.platform.startswith("linux") and os.uname().machine in _IOCTL_MACHINES):
        yield
        return
    import fcntl  # (POSIX only)

    try:
        fd = os.open(folder, _FOLDER)
    except OSError:
        yield
        return
    try:
        marked: bytes | None = None  # the flags to put back
        with contextlib.suppress(OSError):
            flags = fcntl.ioctl(fd, FS_IOC_GETFLAGS, bytes(4))  # the kernel reads and writes an int
            (value,) = struct.unpack("i", flags)
            if not value & FS_TOPDIR_FL:
                fcntl.ioctl(fd, FS_IOC_SETFLAGS, struct.pack("i", value | FS_TOPDIR_FL))
                marked = flags
        try:
            yield
        finally:
            if marked is not None:
                with contextlib.suppress(OSError):
                    fcntl.ioctl(fd, FS_IOC_SETFLAGS, marked)
    finally:
        os.close(fd)


# ------------------------------------------------------------------ compiled patterns

#: The most compiled patterns a run keeps for the next (re's own cache holds 512).
KEPT_PATTERNS = 1024
#: The patterns :func:`load_patterns` read, and those :func:`save_patterns` made since,
#: as the file holds them, by the key of re's cache: ``(str or bytes, pattern, flags)``.
_KEPT: dict[tuple[Any, ...], tuple[Any, ...]] = {}
#: The arguments ``re`` gave ``_sre.compile`` for each pattern compiled since
#: :func:`load_patterns`, by the key of re's cache (see :class:`_Watch`).
_MADE: dict[tuple[Any, ...], tuple[Any, ...]] = {}
#: The key of the pattern each thread is compiling (its ``key``), if any.
_MAKING = threading.local()


def load_patterns() -> None:
    """Put in ``re``'s cache the regular expressions an earlier run compiled, kept by
    :func:`save_patterns`, as Python keeps compiled modules: a build compiles some 250
    patterns as its modules are imported (ftfy's, PyYAML's, feedpub's own), 50 to 70 ms
    of pure Python that every run did again; made from what the file holds, they take
    1 ms. Each is made by the very call ``re`` makes, with the very arguments it made
    then (kept by the same Python only: any other file, or one damaged, is ignored), so
    each equals what compiling it gives (``==`` of two patterns compares their code; a
    test checks every one). Then ``re``'s compiler is watched, for what this run
    compiles (:class:`_Watch`). Nothing is said of any trouble: the patterns are
    compiled as usual then."""
    import re

    cache = getattr(re, "_cache", None)
    compiler = getattr(re, "_compiler", None)
    if not isinstance(cache, dict) or compiler is None or not _CODE_TYPE:
        return
    with contextlib.suppress(Exception):  # (a damaged file or entry: compiled as usual)
        for entry in _kept_entries():
            is_bytes, pattern, flags, final, code, groups, groupindex, indexgroup = entry
            key = (bytes if is_bytes else str, pattern, flags)
            if key not in cache:
                words = array(_CODE_TYPE)
                words.frombytes(code)
                cache[key] = _sre.compile(pattern, final, words.tolist(), groups, groupindex,
                                          indexgroup)  # fmt: skip
            _KEPT[key] = entry
    if not isinstance(compiler._sre, _Watch):
        compiler.compile = partial(_watched, compiler.compile)
        compiler._sre = _Watch(compiler._sre)


def _kept_entries() -> list[tuple[Any, ...]]:
    """What the file of patterns holds, if this Python wrote it; else none."""
    kept = _patterns_file()
    if kept is None:
        return []
    try:
        with open(kept, "rb") as f:
            tag, entries = marshal.load(f)  # noqa: S302 (trusted as compiled modules are)
    except (OSError, EOFError, ValueError, TypeError):
        return []
    return list(entries) if tag == _pattern_tag() else []


def _watched(real: Callable[[Any, int], Any], pattern: Any, flags: int = 0) -> Any:
    """``re._compiler.compile``, what ``re`` calls to compile a pattern it has not
    cached, with the pattern's key kept for :class:`_Watch` while it runs."""
    outer = getattr(_MAKING, "key", None)
    _MAKING.key = (type(pattern), pattern, flags)
    try:
        return real(pattern, flags)
    finally:
        _MAKING.key = outer


class _Watch:
    """``_sre`` as ``re``'s compiler sees it once :func:`load_patterns` ran: the same,
    but that the arguments of each ``compile`` are kept in :data:`_MADE`, by the key of
    the pattern being compiled in that thread; so that :func:`save_patterns` need not
    compile anything again."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def compile(self, *args: Any) -> Any:
        key = getattr(_MAKING, "key", None)
        if key is not None:
            _MADE[key] = args
        return self.real.compile(*args)


def save_patterns() -> None:
    """Keep for the next run (:func:`load_patterns`) the patterns this one compiled: those
    in ``re``'s cache that it did not find kept, with the arguments ``_sre.compile`` was
    given for each (those compiled before the watch began, by ``load_patterns``'s own
    imports, a dozen, compiled once more to learn them). A run with none new writes
    nothing: with the same code and settings, every run but the first. A new file,
    renamed into place, in a folder only its user may read; where it cannot be written,
    nothing is said. (Not bytecode beside the source, which PYTHONDONTWRITEBYTECODE is
    about: a cache of the user's, as pip's and mypy's are.) Never raises: the command is
    done by then, and its exit code is what the program gives, even for a Ctrl-C here."""
    with contextlib.suppress(Exception, KeyboardInterrupt):
        _save_patterns()


def _save_patterns() -> None:
    import re

    cache = getattr(re, "_cache", None)
    compiler = getattr(re, "_compiler", None)
    if not isinstance(cache, dict) or compiler is None or not isinstance(compiler._sre, _Watch):
        return
    new = [k for k in list(cache) if k not in _KEPT and len(k) == 3 and k[0] in (str, bytes)]
    kept = _patterns_file() if new else None
    if kept is None:
        return
    for key in new:
        if key not in _MADE:
            with contextlib.suppress(Exception):
                compiler.compile(key[1], key[2])  # (watched: its arguments kept)
        entry = _pattern_entry(key, _MADE.get(key))
        if entry is not None:
            _KEPT[key] = entry
    data = marshal.dumps((_pattern_tag(), list(_KEPT.values())[-KEPT_PATTERNS:]))
    temp = kept.with_name(f"{kept.name}.{os.getpid()}")
    with contextlib.suppress(OSError):
        kept.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            with open(temp, "xb") as f:
                f.write(data)
            os.replace(temp, kept)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _pattern_entry(key: tuple[Any, ...], args: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    """What the file keeps of the pattern ``key`` that ``_sre.compile(*args)`` made (its
    code as the bytes of an array: read back several times faster than a list of
    numbers); None for a call of another shape (another Python's)."""
    if args is None or len(args) != 6 or _CODE_TYPE == "":
        return None
    pattern, final, code, groups, groupindex, indexgroup = args
    if pattern != key[1] or not isinstance(code, list) or not isinstance(groupindex, dict):
        return None
    return (key[0] is bytes, key[1], int(key[2]), int(final), array(_CODE_TYPE, code).tobytes(),
            int(groups), dict(groupindex), tuple(indexgroup))  # fmt: skip


def _patterns_file() -> Path | None:
    """Where the patterns are kept: in the user's cache folder (``$XDG_CACHE_HOME``, else
    ``~/.cache``), ``feedpub/``, one file a Python and a copy of feedpub (by where it is
    installed); None where there is no such folder."""
    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    except (RuntimeError, KeyError):  # no home folder
        return None
    if not os.path.isabs(base):  # (a relative one is to be ignored, says the XDG spec)
        return None
    import zlib

    here = zlib.crc32(os.fsencode(os.path.dirname(os.path.abspath(__file__))))
    return Path(base) / "feedpub" / f"patterns-{sys.implementation.cache_tag}-{here:08x}.marshal"


@cache
def _pattern_tag() -> tuple[Any, ...]:
    """What a file of patterns must have been written by: this very Python."""
    return (sys.version, sys.implementation.cache_tag, _sre.MAGIC, _sre.CODESIZE, _CODE_TYPE)


def _code_type() -> str:
    """The array type of ``_sre``'s code words ("" where none is their size, or no
    ``_sre``)."""
    size = getattr(_sre, "CODESIZE", None)
    return next((t for t in "ILQ" if array(t).itemsize == size), "")


_CODE_TYPE = _code_type()
