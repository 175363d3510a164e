"""``emrlint cost`` reports: totals, a stable JSON document, CSV, Markdown, and the terminal.

Every report carries the same figures: per resource its worst case per hour, floor per hour
and worst case per month with the breakdown; totals for the scan and for every module call;
files that were not read (their resources are missing from the totals); internal errors.
The JSON document (``format: emrlint-cost``, ``version: 1``) is described in docs/cost.md and
is what ``--compare`` reads back.
"""

from __future__ import annotations

import csv
import io
import os
import re
from typing import Any, Dict, List, Optional, Sequence, TextIO, Tuple

from emrlint import __version__
from emrlint.cost.estimate import Estimate, Figure, Line, Tally, money
from emrlint.cost.pricing import HOURS_PER_MONTH
from emrlint.findings import Finding, Loc, fingerprint
from emrlint.record import dataclass, field
from emrlint.report import jsontext, relpath
from emrlint.lazyre import lazy_re

FORMAT, VERSION = "emrlint-cost", 1
_CONTROL = lazy_re(r"[\x00-\x1f\x7f-\x9f]")


def clean(text: Any) -> str:
    """Text from scanned files, safe on a terminal: control characters become ``?``."""
    return _CONTROL.sub("?", str(text))


# ---------------------------------------------------------------------------
# identity and totals
# ---------------------------------------------------------------------------


def identity(e: Estimate, paths: Sequence[str]) -> str:
    """A resource's line-independent identity (the baseline's fingerprint: rule, resource
    address and a key), the key being its Terraform root module, or its file for a document,
    relative to the scanned path that holds it, so two checkouts of a tree (or two trees)
    match resource by resource."""
    where = e.root if e.source_format in ("terraform", "terraform-plan") and os.path.isdir(e.root) else e.path
    base = _scan_base(where, paths)
    key = os.path.relpath(where, base).replace(os.sep, "/") if base else relpath(where)
    return fingerprint(Finding("cost", "cost", "info", "", Loc(where, 1), e.address, key=f"{e.kind}|{key}"), "")


def _scan_base(where: str, paths: Sequence[str]) -> str:
    best = ""
    for p in paths:
        d = os.path.abspath(p)
        d = d if os.path.isdir(d) else os.path.dirname(d)
        try:
            inside = os.path.commonpath([d, os.path.abspath(where)]) == d
        except ValueError:
            inside = False
        if inside and len(d) > len(best):
            best = d
    return best


@dataclass
class Total:
    label: str
    resources: int
    worst: Figure
    floor: Figure
    monthly: Figure
    path: str = ""
    line: int = 0
    instances: List[str] = field(default_factory=list)


def _total(label: str, estimates: Sequence[Estimate]) -> Total:
    worst, floor = Tally(), Tally()
    maybe = 0
    for e in estimates:
        worst.add(e.worst, e.address)
        if e.maybe:
            maybe += 1
            continue  # it may not be created: in the worst case, not in the floor
        floor.add(e.floor, e.address)
    note = f"; {maybe} resource{'s' if maybe != 1 else ''} that may not be created counted in the worst case only" \
        if maybe else ""
    n = len(estimates)
    w = worst.figure(f"the sum of {n} resource{'s' if n != 1 else ''}' worst cases{note}")
    f = floor.figure(f"the sum of their floors{note}")
    m = Figure(w.usd * HOURS_PER_MONTH if w.known else None, f"the worst case for {HOURS_PER_MONTH} hours",
               list(w.unknown), w.at_least * HOURS_PER_MONTH if w.at_least is not None else None)
    return Total(label, n, w, f, m)


_KEY = lazy_re(r"\[[^\]]*\]")


def totals(estimates: Sequence[Estimate]) -> Tuple[Total, List[Total]]:
    """The scan's total, and one per module call (every instance of a call together; nested
    calls each get their own), in the order of the calls."""
    scan = _total("all resources", estimates)
    groups: Dict[Tuple[str, str], List[Estimate]] = {}
    where: Dict[Tuple[str, str], Tuple[str, int]] = {}
    instances: Dict[Tuple[str, str], List[str]] = {}
    for e in estimates:
        for address, path, line in e.call_sites:
            key = (e.root, _KEY.sub("", address))
            groups.setdefault(key, []).append(e)
            where.setdefault(key, (path, line))
            if address not in instances.setdefault(key, []):
                instances[key].append(address)
    out = []
    for key in sorted(groups, key=lambda k: (where[k][0], where[k][1], k[1])):
        t = _total(key[1], groups[key])
        t.path, t.line = where[key]
        t.instances = instances[key]
        out.append(t)
    return scan, out


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------


def _r(x: Optional[float]) -> Optional[float]:
    return None if x is None else round(x, 6)


def figure_dict(f: Figure, context: str = "") -> Dict[str, Any]:
    """A figure; ``context`` (the region and rates) completes how it was reached."""
    how = f"{f.how}; {context}" if context else f.how
    return {"usd": _r(f.usd), "at_least": _r(f.at_least), "how": clean(how), "unknown": [clean(u) for u in f.unknown]}


def line_dict(ln: Line) -> Dict[str, Any]:
    out: Dict[str, Any] = {"role": ln.role, "name": clean(ln.name)}
    if ln.role in ("master", "core", "task"):
        out.update({"instance_type": ln.instance_type, "floor_instance_type": ln.floor_instance_type,
                    "max_count": ln.max_count, "min_count": ln.min_count, "ec2_hourly": _r(ln.ec2_hourly),
                    "emr_hourly": _r(ln.emr_hourly), "ebs_hourly": _r(ln.ebs_hourly), "ebs": clean(ln.ebs),
                    "count_how": clean(ln.count_how), "floor_count_how": clean(ln.floor_count_how)})
    else:
        out.update({"architecture": ln.architecture, "workers": ln.workers, "vcpu": ln.vcpu, "memory_gb": ln.memory_gb,
                    "billed_disk_gb": ln.disk_gb, "vcpu_hour": ln.vcpu_hour, "gb_hour": ln.gb_hour,
                    "storage_gb_hour": ln.storage_gb_hour})
    out["worst_hourly"] = figure_dict(ln.worst)
    out["floor_hourly"] = figure_dict(ln.floor)
    return out


def estimate_dict(e: Estimate, paths: Sequence[str]) -> Dict[str, Any]:
    return {
        "id": identity(e, paths), "resource": clean(e.address), "kind": e.kind, "type": e.type,
        "path": relpath(e.path), "line": e.line, "column": e.column, "source_format": e.source_format,
        "module": clean(e.call_sites[-1][0]) if e.call_sites else None,
        "call_sites": [{"module": clean(a), "path": relpath(p), "line": n} for a, p, n in e.call_sites],
        "region": e.region, "region_source": clean(e.region_how), "rates": clean(e.rates),
        "worst_hourly": figure_dict(e.worst, _context(e)), "floor_hourly": figure_dict(e.floor, _context(e)),
        "worst_monthly": figure_dict(e.monthly),
        "max_instances": e.max_instances, "max_instances_at_least": e.max_instances_at_least,
        "may_not_exist": clean(e.maybe) if e.maybe else None,
        "breakdown": [line_dict(ln) for ln in e.lines], "notes": [clean(n) for n in e.notes],
    }


def _context(e: Estimate) -> str:
    return f"{e.region_how}; {e.rates}"


def total_dict(t: Total) -> Dict[str, Any]:
    out: Dict[str, Any] = {"resources": t.resources, "worst_hourly": figure_dict(t.worst),
                           "floor_hourly": figure_dict(t.floor), "worst_monthly": figure_dict(t.monthly)}
    if t.path:
        out = {"module": clean(t.label), "path": relpath(t.path), "line": t.line,
               "instances": [clean(i) for i in t.instances], **out}
    return out


def document(estimates: Sequence[Estimate], paths: Sequence[str], not_read: Sequence[Finding] = (),
             errors: Sequence[Any] = (), comparison: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    scan, modules = totals(estimates)
    doc: Dict[str, Any] = {
        "tool": {"name": "emrlint", "version": __version__},
        "format": FORMAT, "version": VERSION, "currency": "USD", "hours_per_month": HOURS_PER_MONTH,
        "resources": [estimate_dict(e, paths) for e in estimates],
        "totals": {"scan": total_dict(scan), "modules": [total_dict(t) for t in modules]},
        "not_read": [{"path": relpath(f.loc.path), "line": f.loc.line, "column": f.loc.column, "message": clean(f.message)}
                     for f in not_read],
        "errors": [{"message": clean(e.message), "path": relpath(e.path) if e.path else "", "resource": clean(e.resource)}
                   for e in errors],
    }
    if comparison is not None:
        doc["compare"] = comparison
    return doc


def render_json(doc: Dict[str, Any]) -> str:
    return jsontext.dumps(doc) + "\n"


# ---------------------------------------------------------------------------
# CSV: one row per breakdown line, and one per resource ("total")
# ---------------------------------------------------------------------------

CSV_COLUMNS = ["resource", "path", "line", "module", "region", "row", "name", "instance_type", "max_count", "min_count",
               "ec2_hourly", "emr_hourly", "ebs_hourly", "vcpu", "memory_gb", "billed_disk_gb", "worst_hourly",
               "worst_hourly_at_least", "floor_hourly", "floor_hourly_at_least", "worst_monthly", "unknown", "how"]


def render_csv(doc: Dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)

    def num(x):
        return "" if x is None else f"{x:.6f}".rstrip("0").rstrip(".") if isinstance(x, float) else str(x)

    for r in doc["resources"]:
        base = [_csv_safe(r["resource"]), r["path"], r["line"], _csv_safe(r["module"] or ""), r["region"]]
        for ln in r["breakdown"]:
            w.writerow(base + [ln["role"], _csv_safe(ln["name"]), ln.get("instance_type") or "",
                               num(ln.get("max_count")), num(ln.get("min_count")), num(ln.get("ec2_hourly")),
                               num(ln.get("emr_hourly")), num(ln.get("ebs_hourly")), num(ln.get("vcpu")),
                               num(ln.get("memory_gb")), num(ln.get("billed_disk_gb")),
                               num(ln["worst_hourly"]["usd"]), num(ln["worst_hourly"]["at_least"]),
                               num(ln["floor_hourly"]["usd"]), num(ln["floor_hourly"]["at_least"]), "",
                               _csv_safe("; ".join(ln["worst_hourly"]["unknown"] + ln["floor_hourly"]["unknown"])),
                               _csv_safe(ln["worst_hourly"]["how"])])
        w.writerow(base + ["total", "", "", num(r["max_instances"]), "", "", "", "", "", "", "",
                           num(r["worst_hourly"]["usd"]), num(r["worst_hourly"]["at_least"]),
                           num(r["floor_hourly"]["usd"]), num(r["floor_hourly"]["at_least"]),
                           num(r["worst_monthly"]["usd"]), _csv_safe("; ".join(r["worst_hourly"]["unknown"])),
                           _csv_safe(r["worst_hourly"]["how"])])
    t = doc["totals"]["scan"]
    w.writerow(["(all resources)", "", "", "", "", "total", "", "", "", "", "", "", "", "", "", "",
                num(t["worst_hourly"]["usd"]), num(t["worst_hourly"]["at_least"]), num(t["floor_hourly"]["usd"]),
                num(t["floor_hourly"]["at_least"]), num(t["worst_monthly"]["usd"]),
                _csv_safe("; ".join(t["worst_hourly"]["unknown"])), ""])
    return buf.getvalue()


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# ---------------------------------------------------------------------------
# text: the terminal (rich) and plain text when piped
# ---------------------------------------------------------------------------


def shown(f: Dict[str, Any], per: str = "/h") -> str:
    """A figure as a report shows it: ``$12.34/h``, ``at least $5.00/h``, ``unknown``."""
    if f["usd"] is not None:
        return money(f["usd"]) + per
    if f["at_least"]:
        return f"at least {money(f['at_least'])}{per}"
    return "unknown"


def _rows(r: Dict[str, Any]) -> List[List[str]]:
    rows = []
    for ln in r["breakdown"]:
        if ln["role"] in ("master", "core", "task"):
            rows.append([ln["role"], ln["name"], ln.get("instance_type") or "?",
                         _n(ln.get("max_count")), _n(ln.get("min_count")), _rate(ln.get("ec2_hourly")),
                         _rate(ln.get("emr_hourly")), _rate(ln.get("ebs_hourly")),
                         shown(ln["worst_hourly"], ""), shown(ln["floor_hourly"], "")])
        else:
            what = []
            for key, unit in (("vcpu", "vCPU"), ("memory_gb", "GB"), ("billed_disk_gb", "GB disk")):
                if ln.get(key) is not None and not (key == "billed_disk_gb" and ln[key] == 0):
                    what.append(f"{ln[key]:g} {unit}")
            n = ln.get("workers")
            workers = f"{n:g} worker{'s' if n != 1 else ''}: " if n is not None else ""
            rows.append([ln["role"], ln["name"], (ln.get("architecture") or "?"), workers + (", ".join(what) or "?"),
                         _rate(ln.get("vcpu_hour")), _rate(ln.get("gb_hour")), _rate(ln.get("storage_gb_hour")),
                         shown(ln["worst_hourly"], ""), shown(ln["floor_hourly"], "")])
    return rows


def _rate(x: Optional[float]) -> str:
    """A rate per instance-hour, unrounded where it is above a cent ($0.192), else to 4 digits."""
    if x is None:
        return "?"
    return f"${x:g}" if x >= 0.01 or x == 0 else money(x)


def _n(x: Any) -> str:
    return "?" if x is None else str(x)


HEAD = ["role", "group or fleet", "type", "max", "min", "EC2/h", "EMR/h", "EBS/h", "worst/h", "floor/h"]
SERVERLESS_HEAD = ["part", "capacity", "arch", "amount", "vCPU-h", "GB-h", "disk GB-h", "worst/h", "floor/h"]


def head_of(r: Dict[str, Any]) -> List[str]:
    return SERVERLESS_HEAD if r["kind"] == "serverless_application" else HEAD


def render_text(doc: Dict[str, Any], stream: TextIO, color: Optional[bool] = None) -> None:
    """The terminal report: a rich table per resource on a terminal, aligned plain text otherwise."""
    from emrlint.report.terminal import use_color

    if use_color(stream, color):
        _render_rich(doc, stream)
        return
    out = stream.write
    for r in doc["resources"]:
        out(_resource_head(r) + "\n")
        head = head_of(r)
        rows = [head] + _rows(r)
        widths = [max(len(clean(row[i])) for row in rows) for i in range(len(head))]
        left = 4 if head is SERVERLESS_HEAD else 3
        for row in rows:
            out("  " + "  ".join(clean(c).ljust(widths[i]) if i < left else clean(c).rjust(widths[i])
                                 for i, c in enumerate(row)).rstrip() + "\n")
        for line in _resource_notes(r):
            out(f"  {clean(line)}\n")
        out("\n")
    for line in _footer(doc):
        out(clean(line) + "\n")


def _resource_head(r: Dict[str, Any]) -> str:
    month = shown(r["worst_monthly"], "/month")
    return (f"{r['resource']} ({r['path']}:{r['line']}): worst case {shown(r['worst_hourly'])}"
            + (f" ({month})" if month != "unknown" else "") + f", floor {shown(r['floor_hourly'])}")


def _resource_notes(r: Dict[str, Any]) -> List[str]:
    context = f"; {r['region_source']}; {r['rates']}"
    out = [f"worst: {r['worst_hourly']['how'].replace(context, '')}", f"floor: {r['floor_hourly']['how'].replace(context, '')}",
           f"rates: {r['region_source']}; {r['rates']}"]
    unknown = list(dict.fromkeys(r["worst_hourly"]["unknown"] + r["floor_hourly"]["unknown"]))
    out += [f"unknown: {u}" for u in unknown]
    if r["may_not_exist"]:
        out.append(f"may not exist: {r['may_not_exist']}")
    out += [f"note: {n}" for n in r["notes"]]
    return out


def _footer(doc: Dict[str, Any]) -> List[str]:
    out = []
    t = doc["totals"]["scan"]
    n = t["resources"]
    out.append(f"Total ({n} resource{'s' if n != 1 else ''}): worst case {shown(t['worst_hourly'])} "
               f"({shown(t['worst_monthly'], '/month')}), floor {shown(t['floor_hourly'])}")
    if t["worst_hourly"]["unknown"]:
        out.append(f"  the worst case is unknown where: {'; '.join(t['worst_hourly']['unknown'][:5])}"
                   + (f" (and {len(t['worst_hourly']['unknown']) - 5} more)" if len(t['worst_hourly']['unknown']) > 5
                      else ""))
    for m in doc["totals"]["modules"]:
        k = len(m["instances"])
        out.append(f"  {m['module']} ({m['path']}:{m['line']}, {k} instance{'s' if k != 1 else ''}): worst case "
                   f"{shown(m['worst_hourly'])} ({shown(m['worst_monthly'], '/month')}), floor "
                   f"{shown(m['floor_hourly'])}")
    for nr in doc["not_read"]:
        out.append(f"not read: {nr['path']}:{nr['line']}: {nr['message']} Its resources are not in the totals.")
    for e in doc["errors"]:
        out.append(f"internal error{' in ' + e['path'] if e['path'] else ''}: {e['message']}")
    out.append("On-Demand rates; not counted: data transfer, S3, CloudWatch, Spot discounts, Savings Plans and "
               "Reserved Instances, root volumes (docs/cost.md).")
    cmp = doc.get("compare")
    if cmp is not None:
        out += [""] + compare_lines(cmp)
    return out


def _render_rich(doc: Dict[str, Any], stream: TextIO) -> None:
    from rich.table import Table
    from rich.text import Text

    from emrlint.report.terminal import make_console

    console = make_console(stream, True)
    for r in doc["resources"]:
        table = Table(title=Text(clean(_resource_head(r)), style="bold"), title_justify="left", show_edge=False,
                      pad_edge=False)
        head = head_of(r)
        for i, h in enumerate(head):
            table.add_column(h, justify="left" if i < (4 if head is SERVERLESS_HEAD else 3) else "right")
        for row in _rows(r):
            table.add_row(*(Text(clean(c)) for c in row))
        console.print(table)
        for line in _resource_notes(r):
            console.print(Text("  " + clean(line), style="dim" if not line.startswith("unknown") else "yellow"))
        console.print()
    for line in _footer(doc):
        console.print(Text(clean(line), style="bold" if line.startswith("Total") else None))


# ---------------------------------------------------------------------------
# Markdown (a pull-request comment)
# ---------------------------------------------------------------------------


def _md(text: Any) -> str:
    return clean(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(doc: Dict[str, Any]) -> str:
    out: List[str] = ["## EMR cost (emrlint)", ""]
    cmp = doc.get("compare")
    if cmp is not None:
        out += [_md(line) if line and not line.startswith("|") else line for line in compare_markdown(cmp)] + [""]
    t = doc["totals"]["scan"]
    out.append(f"**Total**: worst case {shown(t['worst_hourly'])} ({shown(t['worst_monthly'], '/month')}), "
               f"floor {shown(t['floor_hourly'])}")
    out += ["", "| resource | worst case | floor | worst case per month |", "|---|---:|---:|---:|"]
    for r in doc["resources"]:
        out.append(f"| `{_md(r['resource'])}` ({_md(r['path'])}:{r['line']}) | {shown(r['worst_hourly'])} | "
                   f"{shown(r['floor_hourly'])} | {shown(r['worst_monthly'], '/month')} |")
    for m in doc["totals"]["modules"]:
        out.append(f"| **`{_md(m['module'])}`** ({len(m['instances'])} instances) | {shown(m['worst_hourly'])} | "
                   f"{shown(m['floor_hourly'])} | {shown(m['worst_monthly'], '/month')} |")
    out += ["", "<details><summary>How each figure was reached</summary>", ""]
    for r in doc["resources"]:
        head = head_of(r)
        left = 4 if head is SERVERLESS_HEAD else 3
        out += [f"#### `{_md(r['resource'])}`", "", "| " + " | ".join(head) + " |",
                "|" + "---|" * left + "---:|" * (len(head) - left)]
        for row in _rows(r):
            out.append("| " + " | ".join(_md(c) for c in row) + " |")
        out.append("")
        out += [f"- {_md(line)}" for line in _resource_notes(r)]
        out.append("")
    out += ["</details>", ""]
    for nr in doc["not_read"]:
        out.append(f"- not read: {_md(nr['path'])}:{nr['line']}: {_md(nr['message'])}")
    out.append("On-Demand rates. Not counted: data transfer, S3, CloudWatch, Spot discounts, Savings Plans and Reserved "
               "Instances, root volumes.")
    return "\n".join(out) + "\n"


def compare_lines(cmp: Dict[str, Any]) -> List[str]:
    from emrlint.cost.compare import sentence

    out = [f"Compared with {cmp['base']}:"]
    if not cmp["resources"]:
        out.append("  no resource's cost changed")
    for c in cmp["resources"]:
        out.append("  " + sentence(c))
    out.append("  " + sentence(cmp["total"], total=True))
    return out


def compare_markdown(cmp: Dict[str, Any]) -> List[str]:
    from emrlint.cost.compare import sentence

    out = [f"**Change against {clean(cmp['base'])}**", ""]
    for c in cmp["resources"]:
        out.append("- " + sentence(c))
    if not cmp["resources"]:
        out.append("- no resource's cost changed")
    out.append("- " + sentence(cmp["total"], total=True))
    return out
