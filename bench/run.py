"""Benchmark emrlint on a generated monorepo and on one small module, against checkov.

    python bench/run.py [--modules 400] [--emr-share 0.05] [--repeat 5] [--no-checkov]

Every figure is the median of ``--repeat`` runs; the commands run alternately so
that the machine's state affects them alike.  Figures are printed with ratios
against references measured in the same run on the same machine:

* ``checkov``: checkov 3.3.30 limited to its eight EMR checks, installed in its
  own virtualenv (it cannot share emrlint's: both install an ``hcl2`` package);
  created on first use under ``~/.cache/emrlint-tests/checkov-3.3.30``
  (``--checkov-venv`` to change);
* ``read-bytes``: reading every byte of every ``.tf`` file (the disk floor);
* ``python-startup``: ``python -c pass`` (the floor of any Python CLI);
* ``parse-all``: parsing every ``.tf`` file with python-hcl2 in one process.

emrlint is measured without its cache (``--no-cache``, a cold scan), then a first
and a second scan with a fresh cache directory (the second finds the tree
unchanged).  A scaling section scans trees with the same number of EMR modules
and twice the total size, and with twice the EMR modules.  Peak memory is the
child process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from generate import generate  # noqa: E402

CHECKOV_VERSION = "3.3.30"
EMR_CHECKS = "CKV_AWS_114,CKV_AWS_171,CKV_AWS_349,CKV_AWS_350,CKV_AWS_351,CKV_AWS_390,CKV2_AWS_7,CKV2_AWS_55"
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


def run_child(cmd: Sequence[str], env: Dict[str, str] = None) -> Tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({code}): {err[-2000:]}")
    rss_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024 / 1024
    return wall, rss_mb


def read_bytes(tree: str) -> float:
    start = time.perf_counter()
    for d, _, files in os.walk(tree):
        for f in files:
            if f.endswith(".tf"):
                with open(os.path.join(d, f), "rb") as fh:
                    fh.read()
    return time.perf_counter() - start


REPO = os.path.dirname(HERE)
EMRLINT = "emrlint"


def ensure_emrlint(venv: str) -> str:
    """emrlint installed from this checkout into its own virtualenv, as a user installs it
    (a wheel: byte-code compiled at install time, no editable-install import hooks)."""
    exe = os.path.join(venv, "bin", "emrlint")
    if not os.path.exists(exe):
        print(f"installing emrlint from {REPO} into {venv} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--quiet", "--disable-pip-version-check", REPO],
                       check=True)
    return exe


def emrlint(*args: str) -> List[str]:
    return [EMRLINT, "scan", "--no-config", "--format", "json", *args]


def ensure_checkov(venv: str) -> str:
    exe = os.path.join(venv, "bin", "checkov")
    if os.path.exists(exe):
        probe = subprocess.run([exe, "--version"], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip().endswith(CHECKOV_VERSION):
            return exe
    print(f"installing checkov {CHECKOV_VERSION} into {venv} (its own virtualenv) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", venv], check=True)
    subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--quiet", "--disable-pip-version-check",
                    f"checkov=={CHECKOV_VERSION}"], check=True)
    return exe


def checkov(exe: str, target: str) -> List[str]:
    flag = "-f" if os.path.isfile(target) else "-d"
    return [exe, flag, target, "--framework", "terraform", "--check", EMR_CHECKS, "--quiet", "--compact",
            "-o", "json", "--skip-download"]


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark emrlint against same-run references.")
    parser.add_argument("--modules", type=int, default=400)
    parser.add_argument("--emr-share", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-checkov", action="store_true", help="skip checkov (no network to install it)")
    parser.add_argument("--checkov-venv", default=os.path.expanduser(f"~/.cache/emrlint-tests/checkov-{CHECKOV_VERSION}"))
    parser.add_argument("--emrlint-venv", help="an existing virtualenv with emrlint installed (default: install this "
                        "checkout into a fresh one)")
    parser.add_argument("--keep", metavar="DIR", help="generate the trees into DIR and keep them")
    args = parser.parse_args()

    work = args.keep or tempfile.mkdtemp(prefix="emrlint-bench-")
    global EMRLINT
    EMRLINT = ensure_emrlint(args.emrlint_venv or os.path.join(work, "venv-emrlint"))
    # measure tools as installed: let Python keep byte-code caches even if this shell says not to
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    tree = os.path.join(work, "monorepo")
    generate(tree, args.modules, args.emr_share)
    files = [os.path.join(d, f) for d, _, fs in os.walk(tree) for f in fs if f.endswith(".tf")]
    lines = sum(open(p).read().count("\n") for p in files)
    emr_module = next(os.path.join(tree, "modules", d) for d in sorted(os.listdir(os.path.join(tree, "modules")))
                      if d.startswith("emr-"))
    small_files = sorted(os.path.join(emr_module, f) for f in os.listdir(emr_module))
    cache_dir = os.path.join(work, "cache")
    env_cached = dict(os.environ, EMRLINT_CACHE_DIR=cache_dir)

    commands = {
        "python-startup": [sys.executable, "-c", "pass"],
        "parse-all": [sys.executable, "-c", PARSE_ALL, tree],
        "emrlint monorepo": emrlint("--no-cache", tree),
        "emrlint small module": emrlint("--no-cache", *small_files),
    }
    if not args.no_checkov:
        exe = ensure_checkov(args.checkov_venv)
        commands["checkov monorepo"] = checkov(exe, tree)
        commands["checkov small module"] = checkov(exe, emr_module)
    samples: Dict[str, List[Tuple[float, float]]] = {name: [] for name in commands}
    samples.update({"read-bytes": [], "emrlint monorepo, cache: first": [], "emrlint monorepo, cache: second": []})
    for cmd in commands.values():  # warm the OS file cache and bytecode caches
        run_child(cmd)
    for _ in range(args.repeat):
        samples["read-bytes"].append((read_bytes(tree), 0.0))
        for name, cmd in commands.items():
            samples[name].append(run_child(cmd))
        shutil.rmtree(cache_dir, ignore_errors=True)
        samples["emrlint monorepo, cache: first"].append(run_child(emrlint(tree), env_cached))
        samples["emrlint monorepo, cache: second"].append(run_child(emrlint(tree), env_cached))

    med = {name: statistics.median(w for w, _ in s) for name, s in samples.items()}
    rss = {name: max(r for _, r in s) for name, s in samples.items()}
    print(f"tree: {args.modules} module dirs, {len(files)} .tf files, {lines} lines, EMR share {args.emr_share:.0%}; "
          f"median of {args.repeat} runs; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    print(f"{'measurement':36} {'median s':>9} {'peak MB':>8}")
    for name in samples:
        peak = f"{rss[name]:8.1f}" if rss[name] else f"{'':8}"
        print(f"{name:36} {med[name]:9.3f} {peak}")

    def ratio(a: str, b: str) -> str:
        return f"{med[b] / med[a]:.1f}x"

    print("ratios (same run):")
    if "checkov monorepo" in med:
        print(f"  monorepo: emrlint is {ratio('emrlint monorepo', 'checkov monorepo')} faster than checkov (EMR checks), "
              f"peak memory {rss['emrlint monorepo'] / rss['checkov monorepo']:.2f} of checkov's")
        print(f"  small module: emrlint is {ratio('emrlint small module', 'checkov small module')} faster than checkov")
    print(f"  second scan of an unchanged tree: {ratio('emrlint monorepo, cache: second', 'emrlint monorepo, cache: first')}"
          f" faster than the first")
    print(f"  monorepo: emrlint is {ratio('emrlint monorepo', 'parse-all')} faster than parsing every file; "
          f"{med['emrlint monorepo'] / med['read-bytes']:.0f}x the time to read every byte; "
          f"{med['emrlint monorepo'] / med['python-startup']:.0f}x Python's start-up")

    # scaling: time follows the EMR-relevant part of the tree, not its size
    shapes = [("base", args.modules, args.emr_share), ("2x size, same EMR modules", args.modules * 2, args.emr_share / 2),
              ("2x EMR modules", args.modules, args.emr_share * 2)]
    times = {}
    for label, modules, share in shapes:
        t = os.path.join(work, f"scale-{modules}-{share}")
        generate(t, modules, share)
        run_child(emrlint("--no-cache", t))
        times[label] = statistics.median(run_child(emrlint("--no-cache", t))[0] for _ in range(args.repeat))
    floor = med["python-startup"]
    print("scaling (median s; in brackets, above Python's start-up, relative to base):")
    for label, value in times.items():
        rel = (value - floor) / max(times["base"] - floor, 1e-9)
        print(f"  {label:28} {value:7.3f}  [{rel:.2f}]")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"medians_s": med, "peak_mb": rss, "scaling_s": times}))


if __name__ == "__main__":
    main()
