"""Differential fuzzing of emrlint's two HCL readers.

    python tools/fuzz_parsers.py [--minutes 10] [--seed 1] [--out DIR]

Mutates the ``.tf`` fixtures (the mutations of ``tools/fuzz.py``) and reads each input
with tree-sitter (``emrlint/terraform/syntax_ts.py``) and with python-hcl2
(``syntax_lark.py``).  A scan reads a file with tree-sitter when it accepts it and with
python-hcl2 otherwise, so two outcomes matter and are reported (and saved under ``--out``,
default ``fuzz-failures/parsers/``):

* *tree-sitter accepts what python-hcl2 refuses*: a syntax error that would not be an
  ``EMR001``;
* *both accept, with different trees*: findings that could differ between the readers;
* *the tree-sitter reader fails* (an exception other than a syntax error): a bug, though a
  scan then lets python-hcl2 read the file.

tree-sitter refusing what python-hcl2 accepts costs only time (python-hcl2 reads the file)
and is counted, not reported.  Exits 1 when anything is reported.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fuzz import mutate, seeds  # noqa: E402

from emrlint.sources import SourceError, decode  # noqa: E402
from emrlint.terraform import syntax_lark, syntax_ts  # noqa: E402
from emrlint.terraform.hcl import ParseError, parse_tree  # noqa: E402


def read_both(text: str):
    """(tree-sitter's tree or None, python-hcl2's tree or None), as comparable dumps."""
    try:
        ts = syntax_ts.parse(text.encode("utf-8"))
        ts = (ts.body.dump(), ts.comments)
    except (syntax_ts.SyntaxProblem, RecursionError, UnicodeEncodeError):
        ts = None
    except Exception as exc:  # a bug of the reader (a scan then lets python-hcl2 read the file)
        ts = ("failed", f"{type(exc).__name__}: {exc}"[:200])
    try:
        lark = syntax_lark.convert_file(parse_tree(text))
        lark = (lark.body.dump(), lark.comments)
    except (ParseError, RecursionError):
        lark = None
    return ts, lark


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=os.path.join("fuzz-failures", "parsers"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    corpus = [data for name, data in seeds() if name.endswith(".tf")]
    counts = {"inputs": 0, "both accept, same tree": 0, "both refuse": 0, "only python-hcl2 accepts": 0,
              "only tree-sitter accepts": 0, "different trees": 0, "tree-sitter reader failed": 0}
    deadline = time.monotonic() + args.minutes * 60
    while time.monotonic() < deadline:
        data = mutate(rng, rng.choice(corpus))
        try:
            text = decode(data)
        except SourceError:
            continue  # not text: neither reader sees it
        if "\\u" in text or "\\U" in text:
            continue  # python-hcl2 reads these files (it checks their escapes)
        counts["inputs"] += 1
        ts, lark = read_both(text)
        if ts is None and lark is None:
            kind = "both refuse"
        elif ts is not None and ts[0] == "failed":
            kind = "tree-sitter reader failed"
        elif ts is None:
            kind = "only python-hcl2 accepts"
        elif lark is None:
            kind = "only tree-sitter accepts"
        elif ts != lark:
            kind = "different trees"
        else:
            kind = "both accept, same tree"
        counts[kind] += 1
        if kind in ("only tree-sitter accepts", "different trees", "tree-sitter reader failed"):
            os.makedirs(args.out, exist_ok=True)
            path = os.path.join(args.out, f"{counts['inputs']:07d}.tf")
            with open(path, "wb") as fh:
                fh.write(data)
            print(f"{kind}: {path}" + (f" ({ts[1]})" if kind == "tree-sitter reader failed" else ""), flush=True)
        if counts["inputs"] % 2000 == 0:
            print("...", counts, flush=True)
    print(counts)
    return 1 if counts["only tree-sitter accepts"] or counts["different trees"] or counts["tree-sitter reader failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
