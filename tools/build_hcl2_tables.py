"""Build the parse tables emrlint ships for python-hcl2's grammar (``emrlint/terraform/hcl2_tables.bin``).

    python tools/build_hcl2_tables.py

Building python-hcl2's LALR tables takes about a second, too long for a pre-commit hook
to pay on a fresh machine or a read-only installation, so the package carries them:
plain data (read back with an unpickler that refuses every class), compressed, under a
header naming what they were built for (a hash of the grammar's text and Lark's version).
A scan with another grammar or Lark ignores them and builds its own, once, in its cache
directory.  Rerun this after python-hcl2 or Lark is upgraded; ``tests/test_syntax.py``
says when the shipped tables no longer match the installed ones.
"""

from __future__ import annotations

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> int:
    sys.path.insert(0, REPO)
    import lark
    from lark import Lark

    from emrlint.terraform import hcl

    grammar, postlexer = hcl.hcl2_grammar()
    parser = Lark(grammar, parser="lalr", propagate_positions=True, postlex=postlexer.PostLexer())
    hcl.write_shipped_tables(grammar, parser)
    print(f"{os.path.relpath(hcl.SHIPPED_TABLES, REPO)}: {os.path.getsize(hcl.SHIPPED_TABLES):,} bytes "
          f"for the installed python-hcl2 grammar and lark {lark.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
