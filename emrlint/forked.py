"""Work shared between this process and forked children, without :mod:`multiprocessing`.

A parallel scan forks its workers after it has read the files and loaded the grammar,
so the children inherit both.  Importing :mod:`multiprocessing` and
:mod:`concurrent.futures` (with :mod:`logging` and the rest they pull in) took about
25 ms of a scan's serial start, a thirtieth of a 400-module scan on two cores; what a
scan needs of them is small: a counter the processes share, one message per item a child
finishes (for the progress display) and each child's result.  Here the counter is an
anonymous shared mapping guarded by a pipe that holds one token (a lock), the messages
and results travel over pipes, and a child that dies without delivering its result is
reported as such (the caller does its share again).

Only where :func:`os.fork` exists; elsewhere the caller uses a process pool.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
from typing import Any, Callable, List, Optional, Tuple

__all__ = ["SharedIndex", "Died", "available", "share"]


def available() -> bool:
    return hasattr(os, "fork")


class SharedIndex:
    """An integer every forked child of its creator shares, with a lock: ``with
    index.get_lock(): index.value += 1`` (the interface of a ``multiprocessing.Value``)."""

    def __init__(self, value: int = 0) -> None:
        import mmap

        self._map = mmap.mmap(-1, 8)  # anonymous and shared: children see the parent's writes and each other's
        self._token_r, self._token_w = os.pipe()
        os.write(self._token_w, b"\0")  # the lock is free while the pipe holds its token
        self.value = value

    @property
    def value(self) -> int:
        return int.from_bytes(self._map[:8], "little", signed=True)

    @value.setter
    def value(self, v: int) -> None:
        self._map[:8] = int(v).to_bytes(8, "little", signed=True)

    def get_lock(self) -> "SharedIndex":
        return self

    def __enter__(self) -> "SharedIndex":
        os.read(self._token_r, 1)  # waits until the holder puts the token back
        return self

    def __exit__(self, *exc: Any) -> None:
        os.write(self._token_w, b"\0")

    def close(self) -> None:
        for fd in (self._token_r, self._token_w):
            try:
                os.close(fd)
            except OSError:
                pass
        self._map.close()


class Died:
    """A child's result when it delivered none (it was killed, or its result would not pickle)."""

    def __init__(self, why: str) -> None:
        self.why = why


def share(children: int, child: Callable[[Optional[Callable[[], None]]], Any], own: Callable[[Callable[[], int]], Any],
          ticks: Optional[Callable[[int], None]] = None) -> Optional[Tuple[Any, List[Any]]]:
    """Fork ``children`` processes that each return ``child(done)``, run ``own(drain)`` in
    this one meanwhile, and return its result with the children's (a :class:`Died` for a
    child that delivered none); None when no process could be forked.

    With ``ticks``, a child's ``done()`` counts one finished item: ``drain()`` returns how
    many arrived since it was last called, and while this process waits for the children
    it passes each new count to ``ticks``.  Without it, ``done`` is None and ``drain()``
    returns 0.  An exception in a child is
    raised here, after every child has ended."""
    tick_r = tick_w = None
    if ticks is not None:
        tick_r, tick_w = os.pipe()
    for stream in (sys.stdout, sys.stderr):  # a child must not write what this process has buffered
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    started: List[Tuple[int, int]] = []  # (pid, read end of its result pipe)
    try:
        for _ in range(children):
            r, w = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(r)
                os.close(w)
                break
            if pid == 0:  # the child: never returns to the caller's stack
                _child(w, [r] + [fd for _, fd in started] + ([tick_r] if tick_r is not None else []), tick_w, child)
            os.close(w)
            started.append((pid, r))
        if not started:
            return None
        if tick_w is not None:
            os.close(tick_w)
            tick_w = None

        closed = False

        def drain() -> int:
            return _read_ticks(tick_r) if tick_r is not None and not closed else 0

        mine = own(drain)
        results = _collect(started, tick_r, ticks)
        started, closed = [], True
        for result in results:
            if isinstance(result, tuple) and result[0] == "error":
                raise result[1]
        return mine, [r[1] if isinstance(r, tuple) else r for r in results]
    finally:
        for pid, fd in started:  # interrupted: end the children this scan started
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
            _close(fd)
            _reap(pid)
        for fd in (tick_r, tick_w):
            if fd is not None:
                _close(fd)


def _child(result_w: int, inherited: List[int], tick_w: Optional[int], child: Callable) -> None:
    code = 0
    try:
        for fd in inherited:  # read ends of the parent's pipes: the parent must see EOF when its children end
            _close(fd)
        if tick_w is not None:
            os.set_blocking(tick_w, False)

        def done() -> None:
            try:
                os.write(tick_w, b".")  # type: ignore[arg-type]
            except OSError:  # the pipe is full (the parent reads it later) or closed
                pass

        try:
            payload: Any = ("ok", child(done if tick_w is not None else None))
        except BaseException as exc:  # raised in the parent, as a process pool would
            payload = ("error", exc)
        try:
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            data = pickle.dumps(("error", RuntimeError(f"a worker's result could not be sent: {exc}")))
        with open(result_w, "wb", closefd=True) as fh:
            fh.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _read_ticks(fd: int) -> int:
    """How many items the children have reported since the last read (0 also at end of file)."""
    n = 0
    while select.select([fd], [], [], 0)[0]:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        n += len(chunk)
    return n


def _collect(started: List[Tuple[int, int]], tick_r: Optional[int], ticks) -> List[Any]:
    """Every child's result, read as it arrives (a child's write blocks until it is read)."""
    chunks = {fd: [] for _, fd in started}  # type: dict
    open_fds = set(chunks)
    tick_open = tick_r is not None
    while open_fds:
        watch = sorted(open_fds) + ([tick_r] if tick_open else [])
        ready = select.select(watch, [], [], 0.2)[0]
        for fd in ready:
            if fd == tick_r:
                n = _read_ticks(fd)
                if n and ticks is not None:
                    ticks(n)
                elif not n:
                    tick_open = False  # every child has closed it
                continue
            data = os.read(fd, 1 << 20)
            if data:
                chunks[fd].append(data)
            else:
                open_fds.discard(fd)
    if tick_r is not None and tick_open:
        n = _read_ticks(tick_r)
        if n and ticks is not None:
            ticks(n)
    results: List[Any] = []
    for pid, fd in started:
        _close(fd)
        status = _reap(pid)
        try:
            results.append(pickle.loads(b"".join(chunks[fd])))  # our own child's result, not scanned input
        except Exception:
            results.append(Died(f"a worker process ended without its result (status {status})"))
    return results


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _reap(pid: int) -> int:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:
            return -1
        except InterruptedError:  # pragma: no cover - retried by Python itself (PEP 475)
            continue
