"""Run commands and measure them as the operating system sees them (used by run.py).

    python -S -E bench/measure.py      # then one JSON request per line on stdin

A request is ``{"cmd": [...], "env": {...}, "sample": true}`` (an absolute program
path); the answer, one JSON line on stdout, has the wall time, the CPU time (user +
system, the command's and its waited-for child processes'), the exit status, the end
of its stderr, and two peak-memory figures:

* ``rss_mb``: the largest resident set of any single process of the command, from
  ``wait4``'s ``ru_maxrss``;
* ``tree_rss_mb``: the largest sum of the memory of all its processes at once (the
  command runs in its own process group, sampled from ``/proc`` every 10 ms), which
  counts the worker processes of a parallel scan together; at least ``rss_mb``.  Each
  process counts its proportional set size (``Pss`` of ``/proc/<pid>/smaps_rollup``:
  a page shared by n processes counts 1/n in each), so the pages forked workers share
  with their parent count once, not once per process; where the kernel has no
  ``smaps_rollup``, the resident set.  Only with ``"sample": true`` (the default);
  otherwise it is ``rss_mb`` and ``procs`` is ``null``.

Sampling costs the command time: reading ``smaps_rollup`` walks the page tables of
every process of the command under its memory-map lock, every 10 ms, and on a
2-core machine the sampler competes with a parallel scan's workers for the CPUs
(measured: a parallel EMR-dense scan took 0.80 s sampled, 0.69 s not).  So run.py
times commands in runs without sampling and takes the summed memory from runs of
their own.

The commands are started by this small process rather than by run.py itself:
``ru_maxrss`` counts the memory a forked child shares with its parent before it
starts the command, so a child of the benchmark (which holds the generated trees)
would report the benchmark's own size for every small command.
"""

import json
import os
import sys
import tempfile
import threading
import time

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _memory(pid: str) -> int:
    """Bytes a process holds: its proportional set size, else its resident set."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    with open(f"/proc/{pid}/statm", "rb") as fh:
        return int(fh.read().split()[1]) * PAGE


def _group_rss(pgid: int) -> "tuple[int, int]":
    """(bytes resident, processes) of a process group (processes started after it only)."""
    total = count = 0
    try:
        names = os.listdir("/proc")
    except OSError:
        return 0, 0
    for name in names:
        if not name.isdigit() or int(name) < pgid:
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            if int(fields[2]) != pgid:  # the process group (fields after the command name)
                continue
            total += _memory(name)
            count += 1
        except (OSError, IndexError, ValueError):
            continue
    return total, count


def run(request: dict) -> dict:
    env = request.get("env") or dict(os.environ)
    with tempfile.TemporaryFile() as err:
        null = os.open(os.devnull, os.O_RDWR)
        start = time.perf_counter()
        pid = os.posix_spawn(request["cmd"][0], request["cmd"], env, setsid=True,
                             file_actions=[(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1),
                                           (os.POSIX_SPAWN_DUP2, err.fileno(), 2)])
        peak = {"rss": 0, "procs": 0}
        done = threading.Event()
        sampled = request.get("sample", True)

        def sample() -> None:
            while not done.wait(0.01):
                rss, procs = _group_rss(pid)
                peak["rss"] = max(peak["rss"], rss)
                peak["procs"] = max(peak["procs"], procs)

        sampler = threading.Thread(target=sample, daemon=True) if sampled else None
        if sampler is not None:
            sampler.start()
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        done.set()
        if sampler is not None:
            sampler.join()
        os.close(null)
        err.seek(0, 2)
        size = err.tell()
        err.seek(max(0, size - 3000))
        tail = err.read().decode("utf-8", "replace")
    rss_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024 / 1024
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "code": os.waitstatus_to_exitcode(status),
            "rss_mb": rss_mb, "tree_rss_mb": max(rss_mb, peak["rss"] / 1024 / 1024),
            "procs": max(1, peak["procs"]) if sampled else None, "stderr": tail}


def main() -> None:
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(run(json.loads(line))) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
