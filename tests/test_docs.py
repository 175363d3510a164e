"""docs/rules/ is generated from the rule modules and must be up to date."""

from __future__ import annotations

import os

from emrlint.docs import pages

from conftest import REPO


def test_generated_rule_pages_are_up_to_date():
    out = os.path.join(REPO, "docs", "rules")
    wanted = pages()
    on_disk = {n for n in os.listdir(out) if n.endswith(".md")} if os.path.isdir(out) else set()
    assert on_disk == set(wanted), "run: python -m emrlint.docs"
    for name, text in wanted.items():
        with open(os.path.join(out, name), encoding="utf-8") as fh:
            assert fh.read() == text, f"docs/rules/{name} is out of date: run python -m emrlint.docs"


def test_generated_model_page_is_up_to_date():
    from emrlint.docs import model_markdown

    with open(os.path.join(REPO, "docs", "model.md"), encoding="utf-8") as fh:
        assert fh.read() == model_markdown(), "docs/model.md is out of date: run python -m emrlint.docs"


def test_generated_kinds_index_is_up_to_date():
    from emrlint.docs import kinds_module

    with open(os.path.join(REPO, "rules", "_kinds.py"), encoding="utf-8") as fh:
        assert fh.read() == kinds_module(), "rules/_kinds.py is out of date: run python -m emrlint.docs"
