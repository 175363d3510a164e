"""What organisation policies cost a scan: the generated monorepo with and without the worked
example's five YAML policies (examples/policies/), measured in the same run.

    python bench/policies.py [--modules 400] [--emr-share 0.05] [--repeat 7]

Both scans use one config for the whole tree (``--config``): the same built-in rules, and
for the second the five policies too.  They run alternately, without the result cache, in
one child process each (``python -m emrlint --jobs 1`` of this checkout); the script prints
the median wall and CPU time of each, their ratios (and the ratio of the least CPU times,
the steadiest figure on a busy machine), and how many findings the policies added (so that they are seen to run).  A
third, reference scan with ``--no-config`` shows what reading a config costs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from generate import generate  # noqa: E402

POLICIES = os.path.join(REPO, "examples", "policies")


def _scan(args: List[str]) -> Tuple[float, float, List[dict]]:
    """(wall seconds, CPU seconds, findings) of one scan in a child process (one process:
    ``--jobs 1``, so that its CPU time is all of the scan's)."""
    import tempfile as _tempfile

    cmd = [sys.executable, "-m", "emrlint", "scan", "--no-cache", "--jobs", "1", "--format", "json", *args]
    with _tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                env=dict(os.environ, EMRLINT_NO_CACHE="1"))
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed ({code}): {proc.stderr.read().decode()[-2000:]}")
        out.seek(0)
        findings = json.loads(out.read())["findings"]
    return wall, usage.ru_utime + usage.ru_stime, findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=400)
    parser.add_argument("--emr-share", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="emrlint-bench-policies-") as tmp:
        tree = os.path.join(tmp, "monorepo")
        generate(tree, modules=args.modules, emr_share=args.emr_share)
        plain = os.path.join(tmp, "builtin.yaml")
        with open(plain, "w") as fh:
            fh.write("select: [ALL]\n")
        with_policies = os.path.join(tmp, "policies.yaml")
        with open(with_policies, "w") as fh:
            fh.write(f"select: [ALL]\npolicies: [{json.dumps(POLICIES)}]\n")
        variants = {"no config": ["--no-config"], "built-in rules": ["--config", plain],
                    "built-in rules + 5 policies": ["--config", with_policies]}
        walls = {name: [] for name in variants}
        cpus = {name: [] for name in variants}
        found = {}
        for name, extra in variants.items():  # warm-up: byte-code, file system cache
            found[name] = _scan(extra + [tree])[2]
        for _ in range(args.repeat):
            for name, extra in variants.items():
                wall, cpu, _ = _scan(extra + [tree])
                walls[name].append(wall)
                cpus[name].append(cpu)
    print(f"generated monorepo: {args.modules} modules, {args.emr_share:.0%} with EMR resources; "
          f"median of {args.repeat} scans each (one process, no result cache)")
    for name in variants:
        print(f"  {name:<28} {statistics.median(walls[name]):6.3f} s wall {statistics.median(cpus[name]):6.3f} s CPU"
              f"   {len(found[name]):4d} findings ({sum(1 for f in found[name] if f['rule'].startswith('ACME'))} "
              "from policies)")
    for what, series, pick in (("least CPU", cpus, min), ("median CPU", cpus, statistics.median),
                               ("median wall", walls, statistics.median)):
        ratio = pick(series["built-in rules + 5 policies"]) / pick(series["built-in rules"])
        print(f"  with the five policies: {ratio:.3f}x the {what} time without them ({(ratio - 1) * 100:+.1f}%; "
              "goal: under +10%)")


if __name__ == "__main__":
    main()
