"""Fuzz emrlint with mutated copies of its own fixtures: no input may crash, hang or bloat a scan.

    python tools/fuzz.py [--minutes 60] [--seed 1] [--timeout 30] [--max-mb 500] [--recycle 200] [--out DIR]

Every input is one real fixture file (``fixtures/**``: Terraform, tfvars, ``.tf.json``,
plans, CloudFormation, job documents, Step Functions, configuration files, bootstrap
scripts), mutated a few times (bytes inserted, deleted or duplicated; numbers replaced by
huge ones; escapes, YAML tags, deep nesting, NUL characters, module cycles and expansion
bombs spliced in), written into a fresh directory beside a healthy EMR module, and scanned
with every rule in a worker process.  The worker reports each scan's internal errors and
its peak resident memory (``/proc/self/clear_refs`` resets the peak between inputs); the
parent kills a worker whose scan takes longer than ``--timeout`` seconds (a hang).  A worker
serves ``--recycle`` inputs and is replaced, and a scan above ``--max-mb`` is scanned again in
a fresh worker and counted only if it is above there too: the heap a long-lived process keeps
from earlier inputs is not charged to a later one (``emrlint scan`` is a fresh process).

It prints, and exits 1 on, any of: an internal error (``ScanResult.errors``) or an
exception out of the scan, a scan without the healthy module's finding (one bad file took
down the scan), a hang, a scan above ``--max-mb``.  Each failing input is saved under
``--out`` (default ``fuzz-failures/``) with its original name, to become a regression test.
The same mutations, derandomised and fewer, run in the test suite (``tests/test_fuzz.py``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import re
import sys
import tempfile
import time
from typing import List, Optional, Tuple

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(REPO, "fixtures")
EXTENSIONS = (".tf", ".tfvars", ".json", ".yaml", ".yml", ".sh", ".tpl", ".template")

HEALTHY = '''resource "aws_emr_cluster" "fuzz_healthy" {
  name          = "healthy"
  release_label = "emr-7.1.0"
  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
'''

# fragments that once broke a scan, and their relatives
TOKENS = [
    "9" * 5000, "1" + "0" * 400, "-" + "9" * 4400, "1e400", "-1e400", "NaN", "Infinity", "0x", "1_000",
    "\\uD800", "\\udfff", "\\UFFFFFFFF", "\\U00110000", "\\ud83d\\ude00", "\\x00", "\x00", "\u2028", "\x1b[31m",
    "!!omap [a: 1]", "!!set {a}", "!!float 1e", "!!int 0b", "!!bool maybe", "!!binary x", "!!timestamp 2020-99-99",
    "!!python/object:os.system", "&a [x, *a]", "*undefined", "!Sub '${Self}'", "!Ref", "!GetAtt", "!If [C, a]",
    "${", "%{", "${var.x}", "${local.a}${local.a}", "%{for i in range(99999)}x%{endfor}", "<<EOF\n", "<<-EOT\n",
    '"Branches": "x"', '"Type": "Parallel"', '"States": {}', "Branches = var.x",
    'source = "./"', 'source = "../"', 'source = "./x\\u0000y"', 'module "again" {\n  source = "./"\n}\n',
    "count = 1000000000", "for_each = range(1000)", 'pow(9, 387420489)', 'format("%0999999999d", 1)',
    'regex("(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")', 'setproduct(range(1000), range(1000), range(1000))',
    "[" * 300, "{" * 300, "]" * 3, "}" * 3, "(" * 300, '"', "'", "\\", "\n", "\r\n", "\t", "# emrlint:ignore ",
    "jsonencode(", "yamldecode(", "file(", "templatefile(", "try(", "can(", "null", "true", "[]", "{}",
]
_NUMBER = re.compile(rb"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")


def seeds() -> List[Tuple[str, bytes]]:
    """(file name, bytes) of every fixture file emrlint reads."""
    out = []
    for d, _, files in os.walk(FIXTURES):
        for f in sorted(files):
            if f.endswith(EXTENSIONS) or f.endswith(".tfvars.json"):
                path = os.path.join(d, f)
                with open(path, "rb") as fh:
                    data = fh.read()
                if len(data) < 200_000:
                    out.append((f, data))
    return sorted(out)


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One to four random mutations of ``data``."""
    for _ in range(rng.randint(1, 4)):
        n = len(data)
        op = rng.randrange(8)
        pos = rng.randint(0, n)
        if op == 0:  # splice in a known-bad fragment
            data = data[:pos] + rng.choice(TOKENS).encode("utf-8", "surrogatepass") + data[pos:]
        elif op == 1:  # replace a number by a huge or odd one
            numbers = list(_NUMBER.finditer(data))
            if numbers:
                m = rng.choice(numbers)
                data = data[:m.start()] + rng.choice(TOKENS[:9]).encode() + data[m.end():]
        elif op == 2 and n:  # delete a range
            end = min(n, pos + rng.randint(1, 64))
            data = data[:pos] + data[end:]
        elif op == 3 and n:  # duplicate a range
            start = rng.randint(0, n - 1)
            data = data[:pos] + data[start:start + rng.randint(1, 400)] + data[pos:]
        elif op == 4:  # random bytes
            data = data[:pos] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + data[pos:]
        elif op == 5 and n:  # flip a byte
            p = min(pos, n - 1)
            data = data[:p] + bytes([data[p] ^ (1 << rng.randrange(8))]) + data[p + 1:]
        elif op == 6:  # swap a quote, bracket or operator
            data = data[:pos] + rng.choice([b'"', b"'", b"{", b"}", b"[", b"]", b"=", b":", b",", b"-", b"$"]) + data[pos:]
        else:  # repeat a line many times
            lines = data.split(b"\n")
            i = rng.randrange(len(lines))
            lines[i:i + 1] = [lines[i]] * rng.randint(2, 50)
            data = b"\n".join(lines)
    return data


def scan_one(name: str, data: bytes) -> List[str]:
    """Problems of scanning ``data`` (saved as ``name``) beside a healthy module, in this process."""
    from emrlint.config import selected_rules
    from emrlint.engine import ScanOptions, scan

    with tempfile.TemporaryDirectory(prefix="emrlint-fuzz-") as root:
        os.makedirs(os.path.join(root, "input"))
        os.makedirs(os.path.join(root, "healthy"))
        with open(os.path.join(root, "input", name), "wb") as fh:
            fh.write(data)
        with open(os.path.join(root, "healthy", "main.tf"), "w") as fh:
            fh.write(HEALTHY)
        try:
            result = scan(ScanOptions(paths=[root], rules=selected_rules(["ALL"], [])))
        except Exception as exc:  # noqa: BLE001 - that is what is looked for
            return [f"exception: {type(exc).__name__}: {exc}"]
        problems = [f"internal error: {e.message}" for e in result.errors]
        if not any(f.resource == "aws_emr_cluster.fuzz_healthy" for f in result.findings):
            problems.append("the healthy module was not reported")
        for f in result.findings:
            try:
                f.message.encode("utf-8")
            except UnicodeEncodeError:
                problems.append(f"a {f.rule} message cannot be encoded")
        return problems


def _peak_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _worker(conn) -> None:
    while True:
        item = conn.recv()
        if item is None:
            return
        _reset_peak()
        problems = scan_one(*item)
        conn.send((problems, _peak_mb()))


class Worker:
    def __init__(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child,), daemon=True)
        self.proc.start()

    def run(self, name: str, data: bytes, timeout: float) -> Optional[Tuple[List[str], float]]:
        self.conn.send((name, data))
        if not self.conn.poll(timeout):
            self.proc.kill()
            self.proc.join()
            return None
        return self.conn.recv()

    def stop(self) -> None:
        if self.proc.is_alive():
            self.conn.send(None)
            self.proc.join(5)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=30, help="seconds after which a scan is a hang")
    ap.add_argument("--max-mb", type=float, default=500, help="peak resident memory a scan may reach")
    ap.add_argument("--recycle", type=int, default=200, help="inputs a worker process serves")
    ap.add_argument("--out", default="fuzz-failures")
    args = ap.parse_args()
    sys.path.insert(0, REPO)
    rng = random.Random(args.seed)
    corpus = seeds()
    worker, served = Worker(), 0
    counts = {"inputs": 0, "internal errors": 0, "hangs": 0, "over memory": 0}
    slowest, biggest = 0.0, 0.0
    deadline = time.monotonic() + args.minutes * 60
    while time.monotonic() < deadline:
        name, data = rng.choice(corpus)
        data = mutate(rng, data)
        start = time.monotonic()
        got = worker.run(name, data, args.timeout)
        took = time.monotonic() - start
        counts["inputs"] += 1
        served += 1
        kind, detail = None, ""
        if got is not None and got[1] > args.max_mb:  # confirm in a fresh process
            worker.stop()
            worker, served = Worker(), 0
            got = worker.run(name, data, args.timeout)
        if got is None:
            kind, detail = "hangs", f"no result after {args.timeout:.0f} s"
            worker, served = Worker(), 0
        else:
            if served >= args.recycle:
                worker.stop()
                worker, served = Worker(), 0
            problems, mb = got
            slowest, biggest = max(slowest, took), max(biggest, mb)
            if problems:
                kind, detail = "internal errors", "; ".join(problems)[:300]
            elif mb > args.max_mb:
                kind, detail = "over memory", f"{mb:.0f} MB"
        if kind:
            counts[kind] += 1
            os.makedirs(args.out, exist_ok=True)
            saved = os.path.join(args.out, f"{counts['inputs']:07d}-{name}")
            with open(saved, "wb") as fh:
                fh.write(data)
            print(f"{kind}: {saved}: {detail}", flush=True)
        if counts["inputs"] % 500 == 0:
            print(f"... {counts} slowest {slowest:.1f} s, peak {biggest:.0f} MB", flush=True)
    worker.stop()
    print(f"{counts['inputs']} inputs in {args.minutes:g} min: {counts['internal errors']} internal errors, "
          f"{counts['hangs']} hangs, {counts['over memory']} over {args.max_mb:.0f} MB; "
          f"slowest scan {slowest:.1f} s, highest peak {biggest:.0f} MB")
    return 1 if counts["internal errors"] or counts["hangs"] or counts["over memory"] else 0


if __name__ == "__main__":
    sys.exit(main())
