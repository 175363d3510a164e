"""What organisation policies cost a scan: the generated monorepo with and without the worked
example's five YAML policies (examples/policies/), measured in the same run.

    python bench/policies.py [--modules 400] [--emr-share 0.05] [--repeat 7]

Both scans use one config for the whole tree (``--config``): the same built-in rules, and
for the second the five policies too.  They run alternately, without the result cache, in
child processes (``python -m emrlint`` of this checkout); the script prints the median wall
time of each, the ratio, and how many findings the policies added (so that they are seen
to run).  A third, reference scan with ``--no-config`` shows what reading configs costs.
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


def _scan(args: List[str]) -> Tuple[float, List[dict]]:
    """(wall seconds, findings) of one scan in a child process."""
    cmd = [sys.executable, "-m", "emrlint", "scan", "--no-cache", "--format", "json", *args]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env=dict(os.environ, EMRLINT_NO_CACHE="1"))
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, json.loads(proc.stdout)["findings"]


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
        times = {name: [] for name in variants}
        found = {}
        for name, extra in variants.items():  # warm-up: byte-code, file system cache
            found[name] = _scan(extra + [tree])[1]
        for _ in range(args.repeat):
            for name, extra in variants.items():
                times[name].append(_scan(extra + [tree])[0])
    medians = {name: statistics.median(t) for name, t in times.items()}
    print(f"generated monorepo: {args.modules} modules, {args.emr_share:.0%} with EMR resources; "
          f"median of {args.repeat} scans each (no result cache)")
    for name, median in medians.items():
        rules = sorted({f["rule"] for f in found[name]})
        print(f"  {name:<28} {median:6.3f} s   {len(found[name]):4d} findings "
              f"({sum(1 for f in found[name] if f['rule'].startswith('ACME'))} from policies)"
              + (f"  rules: {len(rules)}" if rules else ""))
    ratio = medians["built-in rules + 5 policies"] / medians["built-in rules"]
    print(f"  with the five policies: {ratio:.3f}x the time without them ({(ratio - 1) * 100:+.1f}%; goal: under +10%)")


if __name__ == "__main__":
    main()
