"""``emrlint cost --compare BASE.json``: what a change adds to or removes from the cost.

``BASE.json`` is an earlier ``emrlint cost --format json`` report (for example of the main
branch). Resources are matched by their ``id``, the line-independent identity baselines use
(rule, resource address, root module or file relative to the scanned path), so edits
elsewhere in a file and a different checkout directory do not matter. A resource is
reported when its worst case, floor or monthly worst case differs; added and removed
resources are reported too; the totals' difference closes the report.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Dict, List, Optional

from emrlint.cost.estimate import money
from emrlint.cost.report import FORMAT, VERSION, clean
from emrlint.discovery import UsageError

FIGURES = ("worst_hourly", "floor_hourly", "worst_monthly")


def load_base(path: str) -> Dict[str, Any]:
    """A previous ``--format json`` cost report; a :class:`UsageError` for anything else."""
    from emrlint.baseline import read_json

    doc = read_json(path, "cost report")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("resources"), list):
        raise UsageError(f"--compare {path}: not an emrlint cost report (write one with emrlint cost --format json)")
    if doc.get("version") != VERSION:
        raise UsageError(f"--compare {path}: cost report version {doc.get('version')!r}; this emrlint reads "
                         f"version {VERSION}")
    for r in doc["resources"]:
        if not isinstance(r, dict) or not isinstance(r.get("id"), str) or not all(
                isinstance(r.get(k), dict) for k in FIGURES):
            raise UsageError(f"--compare {path}: a resource entry lacks its id or figures")
    return doc


def _pair(f: Optional[Dict[str, Any]]) -> tuple:
    if f is None:
        return (None, None)
    return (_round(f.get("usd")), _round(f.get("at_least")))


def _round(x: Any) -> Optional[float]:
    return round(float(x), 6) if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def _delta(before: Optional[Dict[str, Any]], after: Optional[Dict[str, Any]]) -> Optional[float]:
    b = 0.0 if before is None else _round(before.get("usd"))
    a = 0.0 if after is None else _round(after.get("usd"))
    return None if a is None or b is None else round(a - b, 6)


def _figures(r: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    return None if r is None else {k: r[k] for k in FIGURES}


def _entry(change: str, before: Optional[Dict[str, Any]], after: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    r = after or before
    return {"change": change, "id": r["id"], "resource": r.get("resource", ""), "path": r.get("path", ""),
            "line": r.get("line", 0), "before": _figures(before), "after": _figures(after),
            "delta": {k: _delta(before and before[k], after and after[k]) for k in FIGURES}}


def compare(head: Dict[str, Any], base: Dict[str, Any], base_name: str) -> Dict[str, Any]:
    """The ``compare`` section of a report: changed, added and removed resources, and the total."""
    waiting: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for r in base["resources"]:
        waiting[r["id"]].append(r)
    changes = []
    for r in head["resources"]:
        matches = waiting.get(r["id"])
        if not matches:
            changes.append(_entry("added", None, r))
            continue
        b = matches.pop(0)
        if any(_pair(b[k]) != _pair(r[k]) for k in FIGURES):
            changes.append(_entry("changed", b, r))
    for rs in waiting.values():
        for b in rs:
            changes.append(_entry("removed", b, None))
    before = (base.get("totals") or {}).get("scan") or {}
    after = head["totals"]["scan"]
    total = {"change": "total", "resource": "", "before": {k: before.get(k) for k in FIGURES},
             "after": {k: after[k] for k in FIGURES},
             "delta": {k: _delta(before.get(k) if isinstance(before.get(k), dict) else None, after[k])
                       for k in FIGURES}}
    return {"base": base_name, "resources": changes, "total": total}


def _shown(f: Optional[Dict[str, Any]]) -> str:
    if not f:
        return "nothing"
    if f.get("usd") is not None:
        return money(f["usd"]) + "/h"
    if f.get("at_least"):
        return f"at least {money(f['at_least'])}/h"
    return "unknown"


def _signed(x: Optional[float], per: str) -> str:
    if x is None:
        return "change unknown"
    return ("+" if x >= 0 else "-") + money(abs(x)) + per


def sentence(c: Dict[str, Any], total: bool = False) -> str:
    """One change in words: "this change raises the worst case of X from $41.20/h to $96.80/h"."""
    d = c["delta"]
    if total:
        b, a = c["before"]["worst_hourly"], c["after"]["worst_hourly"]
        return (f"in total, the worst case goes from {_shown(b)} to {_shown(a)} ({_signed(d['worst_hourly'], '/h')}, "
                f"{_signed(d['worst_monthly'], '/month')}); the floor from {_shown(c['before']['floor_hourly'])} to "
                f"{_shown(c['after']['floor_hourly'])}")
    name = clean(c["resource"])
    if c["change"] == "added":
        return (f"this change adds {name}: worst case {_shown(c['after']['worst_hourly'])}, floor "
                f"{_shown(c['after']['floor_hourly'])}")
    if c["change"] == "removed":
        return f"this change removes {name}, whose worst case was {_shown(c['before']['worst_hourly'])}"
    b, a = c["before"]["worst_hourly"], c["after"]["worst_hourly"]
    dw = d["worst_hourly"]
    verb = "raises" if dw is not None and dw > 0 else "lowers" if dw is not None and dw < 0 else "changes"
    text = f"this change {verb} the worst case of {name} from {_shown(b)} to {_shown(a)} ({_signed(dw, '/h')})"
    if _pair(c["before"]["floor_hourly"]) != _pair(c["after"]["floor_hourly"]):
        text += f"; its floor from {_shown(c['before']['floor_hourly'])} to {_shown(c['after']['floor_hourly'])}"
    return text
