"""Benchmark emrlint on a generated monorepo and on one small module.

    python bench/run.py [--modules 400] [--emr-share 0.05] [--repeat 5]

Every figure is the median of ``--repeat`` runs, alternating the commands, and
is printed with ratios against references measured in the same run on the
same machine:

* ``read-bytes``: reading every byte of every ``.tf`` file (the disk floor);
* ``python-startup``: ``python -c pass`` (the floor of any Python CLI);
* ``parse-all``: parsing every ``.tf`` file with python-hcl2 in one process
  (what a linter that parses the whole tree pays).

Peak memory is the child process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from generate import generate  # noqa: E402

PARSE_ALL = r"""
import os, sys
from hcl2.parser import parser
p = parser()
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        if f.endswith(".tf"):
            with open(os.path.join(d, f)) as fh:
                p.parse(fh.read() + "\n")
"""


def run_child(cmd, cwd=None):
    """(wall seconds, peak RSS in MB, exit code) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err}")
    rss_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024 / 1024
    return wall, rss_mb, proc.returncode


def read_bytes(tree: str) -> float:
    start = time.perf_counter()
    total = 0
    for d, _, files in os.walk(tree):
        for f in files:
            if f.endswith(".tf"):
                with open(os.path.join(d, f), "rb") as fh:
                    total += len(fh.read())
    return time.perf_counter() - start


def emrlint_cmd(*args):
    exe = shutil.which("emrlint") or os.path.join(os.path.dirname(sys.executable), "emrlint")
    return [exe, "scan", "--no-config", "--format", "json", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark emrlint against same-run references.")
    parser.add_argument("--modules", type=int, default=400)
    parser.add_argument("--emr-share", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", metavar="DIR", help="generate the tree into DIR and keep it")
    args = parser.parse_args()

    work = args.keep or tempfile.mkdtemp(prefix="emrlint-bench-")
    tree = os.path.join(work, "monorepo")
    generate(tree, args.modules, args.emr_share)
    files = [os.path.join(d, f) for d, _, fs in os.walk(tree) for f in fs if f.endswith(".tf")]
    lines = sum(open(p).read().count("\n") for p in files)
    emr_module = next(os.path.join(tree, "modules", d) for d in sorted(os.listdir(os.path.join(tree, "modules")))
                      if d.startswith("emr-"))
    small_files = sorted(os.path.join(emr_module, f) for f in os.listdir(emr_module))

    commands = {
        "python-startup": [sys.executable, "-c", "pass"],
        "parse-all": [sys.executable, "-c", PARSE_ALL, tree],
        "emrlint monorepo": emrlint_cmd(tree),
        "emrlint small module (files)": emrlint_cmd(*small_files),
    }
    samples = {name: [] for name in commands}
    samples["read-bytes"] = []
    run_child(emrlint_cmd(tree))  # warm the OS file cache and Python's bytecode cache
    for _ in range(args.repeat):
        samples["read-bytes"].append((read_bytes(tree), 0.0))
        for name, cmd in commands.items():
            wall, rss, _ = run_child(cmd)
            samples[name].append((wall, rss))

    med = {name: statistics.median(w for w, _ in s) for name, s in samples.items()}
    rss = {name: max(r for _, r in s) for name, s in samples.items()}
    print(f"tree: {args.modules} module dirs, {len(files)} .tf files, {lines} lines, "
          f"EMR share {args.emr_share:.0%}; {args.repeat} runs each, {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    print(f"{'measurement':32} {'median s':>9} {'peak MB':>8}")
    for name in ("read-bytes", "python-startup", "parse-all", "emrlint monorepo", "emrlint small module (files)"):
        print(f"{name:32} {med[name]:9.3f} {rss[name] if rss[name] else float('nan'):8.1f}")
    print("ratios (same run):")
    print(f"  emrlint monorepo / parse-all            {med['emrlint monorepo'] / med['parse-all']:6.2f}  "
          f"(emrlint is {med['parse-all'] / med['emrlint monorepo']:.1f}x faster than parsing everything)")
    print(f"  emrlint monorepo / python-startup       {med['emrlint monorepo'] / med['python-startup']:6.2f}")
    print(f"  emrlint monorepo / read-bytes           {med['emrlint monorepo'] / med['read-bytes']:6.1f}")
    print(f"  emrlint small module / python-startup   {med['emrlint small module (files)'] / med['python-startup']:6.2f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
