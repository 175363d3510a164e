"""Benchmark emrlint's budgets: hostile inputs stay bounded, and cost grows linearly with input.

    python bench/budgets.py [--only NAME ...] [--sizes 0.5,1,2] [--no-linear]

Every case is scanned by a child process (``python -m emrlint scan --no-cache --format json``
with this checkout on ``PYTHONPATH``), which reports its wall time and peak resident memory.
Figures are printed with ratios against a reference measured in the same run on the same
machine: the scan of ``fixtures/examples/everything-right`` (a complete EMR platform).

* ``hostile``: one configuration per evaluation budget (string, list and ``concat`` doubling
  through locals, ``for`` products, ``setproduct``, huge ``count`` and ``for_each``, module
  fan-out, ``format``/``indent``/``replace`` output size, catastrophic regular expressions,
  alias bombs in ``yamldecode``, CloudFormation ``!Sub`` doubling) beside a healthy
  cluster.  Target: each scan within HOSTILE_SECONDS and HOSTILE_MB, and the healthy
  cluster still reported.
* ``linear``: generated HCL of ``--sizes`` MB (realistic EMR modules), a tfvars file of
  100,000 lines and a bootstrap script with one 1 MB quoted word.  Parse time (python-hcl2's
  grammar) is measured separately from the whole scan, in the same child.  Target: at most
  SECONDS_PER_MB and MB_PER_MB per MB of HCL for the scan without parsing, and time per MB
  that does not grow with size.

``tests/test_budgets.py`` scans the same hostile cases (without timing them) to check that
each value becomes unknown and the scan goes on.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from typing import Dict, Tuple

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOSTILE_SECONDS, HOSTILE_MB = 15.0, 500.0
SECONDS_PER_MB, MB_PER_MB = 2.0, 300.0

HEALTHY = '''resource "aws_emr_cluster" "healthy" {
  name          = "healthy"
  release_label = "emr-7.1.0"
  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
'''


def cluster(value: str) -> str:
    """An EMR cluster whose ``log_uri`` (read by EMR301) is ``value``."""
    return f'resource "aws_emr_cluster" "x" {{\n  name          = "x"\n  release_label = "emr-7.1.0"\n  log_uri       = {value}\n}}\n'


def chain(n: int, first: str, step: str) -> str:
    """locals a0 .. a<n>, each built from the previous one (``PREV``)."""
    body = "".join(f"  a{i} = " + step.replace("PREV", f"local.a{i - 1}") + "\n" for i in range(1, n + 1))
    return "locals {\n  a0 = " + first + "\n" + body + "}\n"


def _yaml_bomb() -> str:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 7):
        prev = chr(96 + i)
        levels.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{prev}"] * 10) + "]")
    return "\\n".join(levels)


def _fanout() -> Dict[str, str]:
    files = {"main.tf": 'module "m" {\n  count  = 100\n  source = "./m1"\n}\n'}
    for i in range(1, 8):
        call = f'module "m" {{\n  count  = 100\n  source = "../m{i + 1}"\n}}\n' if i < 7 else ""
        files[f"m{i}/main.tf"] = call + cluster('"s3://logs/"')
    return files


def _sub_doubling() -> str:
    params = "".join(f"  P{i}:\n    Type: String\n    Default: !Sub '${{P{i - 1}}}${{P{i - 1}}}'\n" for i in range(1, 64))
    return ("Parameters:\n  P0:\n    Type: String\n    Default: s3://x\n" + params +
            "Resources:\n  Cluster:\n    Type: AWS::EMR::Cluster\n    Properties:\n      Name: c\n"
            "      ReleaseLabel: emr-7.1.0\n      LogUri: !Ref P63\n      Instances: {}\n")


# name -> files of the hostile part (relative paths; a str is main.tf)
HOSTILE: Dict[str, object] = {
    "string-doubling": chain(64, '"x"', '"${PREV}${PREV}"') + cluster("local.a64"),
    "list-doubling": chain(64, '["x"]', "[PREV, PREV]") + cluster("jsonencode(local.a64)"),
    "concat-doubling": chain(64, '["x"]', "concat(PREV, PREV)") + cluster('"${length(local.a64)}"'),
    "split-join-doubling": chain(64, '["x"]', 'split(",", join(",", concat(PREV, PREV)))') + cluster('"${length(local.a64)}"'),
    "flatten-doubling": chain(64, '["x"]', "[PREV, PREV]") + cluster('"${length(flatten(local.a64))}"'),
    "template-for-doubling": chain(64, '"x"', '"%{for i in range(2)}${PREV}%{endfor}"') + cluster("local.a64"),
    "formatlist-doubling": chain(30, '["x"]', 'formatlist("%s%s", concat(PREV, PREV), concat(PREV, PREV))')
    + cluster('"${length(local.a30)}"'),
    "for-product": cluster('"${length([for a in range(1000): [for b in range(1000): [for c in range(1000): c]]])}"'),
    "for-product-small-result": cluster(
        '"${sum([for a in range(1000): sum([for b in range(1000): length([for c in range(1000): c])])])}"'),
    "many-expensive-locals": "".join(
        f"locals {{\n  e{i} = length([for a in range(1000): [for b in range(1000): a]])\n}}\n" for i in range(200))
    + cluster('"${sum([' + ", ".join(f"local.e{i}" for i in range(200)) + '])}"'),
    "setproduct": cluster('"${length(setproduct(range(1000), range(1000), range(1000)))}"'),
    "count": 'resource "aws_emr_cluster" "x" {\n  count         = 1000000000\n  release_label = "emr-7.1.0"\n}\n',
    "count-infinite": 'resource "aws_emr_cluster" "x" {\n  count         = 1e400\n  release_label = "emr-7.1.0"\n}\n',
    "for_each": 'resource "aws_emr_cluster" "x" {\n  for_each      = {for i in range(1000): "${i}" => [for j in range(1000): j]}\n'
                '  release_label = "emr-7.1.0"\n}\n',
    "module-fanout": _fanout(),
    "format-width": cluster('format("%0999999999d", 1)'),
    "format-precision": cluster('format("%.999999999f", 1)'),
    "indent": chain(40, '"a\\nb"', 'indent(99999, "${PREV}\\n${PREV}")') + cluster("local.a40"),
    "replace": chain(40, '"ab"', 'replace(PREV, "", PREV)') + cluster("local.a40"),
    "regex-replace": chain(40, '"ab"', 'replace(PREV, "/(?:)/", PREV)') + cluster("local.a40"),
    "regex-backtracking": 'locals {\n  s = "' + "a" * 100_000 + '!"\n}\n' + cluster('"${length(regexall("(a+)+$", local.s))}"'),
    "pow": cluster('"${pow(9, 387420489)}"'),
    "yamldecode-aliases": cluster(f'"${{length(yamldecode("{_yaml_bomb()}"))}}"'),
    "cfn-sub-doubling": {"template.yaml": _sub_doubling()},
}


def write(root: str, files: object) -> None:
    files = {"main.tf": files} if isinstance(files, str) else files
    for rel, text in dict(files, **{"healthy/main.tf": HEALTHY}).items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(text)


# --- linear cost ---------------------------------------------------------------------------------

def realistic_hcl(megabytes: float) -> str:
    """EMR modules (a cluster, a task group, variables and locals) renamed per copy."""
    with open(os.path.join(REPO, "fixtures", "EMR102", "fail", "attached-task-group-on-demand", "main.tf")) as fh:
        src = fh.read()
    names = sorted(set(re.findall(r'(?:variable|resource "\w+") "(\w+)"', src)) | {"cluster_name", "log_bucket"}, key=len,
                   reverse=True)
    out, size, i = [], 0, 0
    while size < megabytes * 1_000_000:
        copy = re.sub(r"\b(" + "|".join(names) + r")\b", lambda m: f"{m.group(1)}_{i}", src)
        out.append(copy)
        size += len(copy)
        i += 1
    return "".join(out)


def linear_cases(sizes) -> Dict[str, Tuple[Dict[str, str], float]]:
    """name -> (files, MB of input)."""
    cases = {}
    for mb in sizes:
        cases[f"hcl-{mb}MB"] = ({"main.tf": realistic_hcl(mb)}, mb)
    tfvars = "".join(f'v{i} = "value-{i}"\n' for i in range(100_000))
    cases["tfvars-100k-lines"] = ({"main.tf": 'variable "v0" {}\n' + cluster("var.v0"), "terraform.tfvars": tfvars},
                                  len(tfvars) / 1e6)
    script = "#!/bin/bash\npip install '" + "a" * 1_000_000 + "'\n"
    cases["script-1MB-word"] = ({"main.tf": cluster('"s3://logs/"').replace(
        "}\n", '  bootstrap_action {\n    name = "b"\n    path = "s3://b/setup.sh"\n  }\n}\n'
        'resource "aws_s3_object" "s" {\n  bucket = "b"\n  key    = "setup.sh"\n  source = "setup.sh"\n}\n', 1),
        "setup.sh": script}, len(script) / 1e6)
    return cases


# --- measuring ---------------------------------------------------------------------------------

CHILD = r"""
import json, os, sys, time
from emrlint.terraform.hcl import parse_tree
root = sys.argv[1]
start = time.perf_counter()
for d, _, files in os.walk(root):
    for f in files:
        if f.endswith((".tf", ".tfvars")):
            with open(os.path.join(d, f)) as fh:
                parse_tree(fh.read())
parse = time.perf_counter() - start
print(json.dumps({"parse": parse}))
"""


def run_timed(root: str) -> Tuple[float, float, dict]:
    """(wall seconds, peak RSS MB of this child alone, JSON report) of one scan."""
    env = dict(os.environ, PYTHONPATH=REPO)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "emrlint", "scan", "--no-cache", "--format", "json", root],
                                stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code not in (0, 1):
            raise SystemExit(f"scan of {root} failed ({code}): {err.read().decode(errors='replace')[-2000:]}")
        return wall, usage.ru_maxrss / 1024, json.loads(out.read())


def parse_only(root: str) -> float:
    env = dict(os.environ, PYTHONPATH=REPO)
    out = subprocess.run([sys.executable, "-c", CHILD, root], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout)["parse"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", default=None, help="case names to run")
    ap.add_argument("--sizes", default="0.5,1,2", help="MB of generated HCL for the linear cases")
    ap.add_argument("--no-linear", action="store_true")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="emrlint-budgets-")
    ref_t, ref_mb, _ = run_timed(os.path.join(REPO, "fixtures", "examples", "everything-right"))
    print(f"reference: everything-right scan {ref_t:.2f} s, {ref_mb:.0f} MB\n")
    failed = []
    print(f"{'hostile case':28s} {'time':>8s} {'x ref':>6s} {'peak':>8s} {'x ref':>6s}  result")
    for name, files in HOSTILE.items():
        if args.only and name not in args.only:
            continue
        root = os.path.join(work, name)
        write(root, files)
        wall, mb, report = run_timed(root)
        healthy = any(f["path"].endswith("healthy/main.tf") for f in report["findings"])
        emr001 = sum(f["rule"] == "EMR001" for f in report["findings"])
        ok = wall <= HOSTILE_SECONDS and mb <= HOSTILE_MB and healthy and not report.get("errors")
        failed += [] if ok else [name]
        print(f"{name:28s} {wall:7.2f}s {wall / ref_t:6.1f} {mb:6.0f}MB {mb / ref_mb:6.1f}  "
              f"{'ok' if ok else 'OVER TARGET'} (EMR001: {emr001}, findings: {len(report['findings'])})")
    if not args.no_linear:
        print(f"\n{'linear case':28s} {'MB in':>6s} {'scan':>8s} {'parse':>8s} {'rest/MB':>8s} {'peak':>8s} {'MB/MB':>6s}")
        for name, (files, size) in linear_cases([float(s) for s in args.sizes.split(",")]).items():
            if args.only and name not in args.only:
                continue
            root = os.path.join(work, name)
            write(root, files)
            wall, mb, report = run_timed(root)
            parse = parse_only(root)
            rest = max(0.0, wall - parse - ref_t)
            per_mb = rest / size
            ok = per_mb <= SECONDS_PER_MB and mb / size <= MB_PER_MB
            failed += [] if ok else [name]
            print(f"{name:28s} {size:6.2f} {wall:7.2f}s {parse:7.2f}s {per_mb:7.2f}s {mb:6.0f}MB {mb / size:6.0f}  "
                  f"{'ok' if ok else 'OVER TARGET'}")
    print("\nall within target" if not failed else f"\nover target: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
