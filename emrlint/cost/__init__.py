"""emrlint's cost estimator: what every EMR cluster and EMR Serverless application can cost.

A reader of the model, like the rules: :func:`estimate_model` turns a model's clusters and
serverless applications into :class:`~emrlint.cost.estimate.Estimate` s (worst case per
hour, floor per hour, worst case per month, with their breakdown and how each figure was
reached); :mod:`emrlint.cost.report` renders them (terminal, JSON, CSV, Markdown) with their
totals, and :mod:`emrlint.cost.compare` diffs two JSON reports. ``emrlint cost`` runs the
scan engine with ``ScanOptions.cost`` set, so discovery, evaluation, configuration,
variables and exclusions are the scan's own.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

from emrlint.cost.estimate import KINDS, Estimate, estimate
from emrlint.cost.pricing import Pricing, PriceSettings

__all__ = ["Estimate", "Pricing", "PriceSettings", "estimate_model"]


def estimate_model(model: Any, settings: Optional[PriceSettings], sources: Any, errors: List[Any]) -> List[Estimate]:
    """Every cluster and serverless application of ``model``, estimated. A resource that is
    both in Terraform source and in a plan of it is estimated once, from the source; an
    estimator bug on one resource is an internal error for it (appended to ``errors``)."""
    from emrlint.engine import internal_error

    pricing = Pricing(settings, model)
    lines: Dict[str, List[str]] = {}

    def lines_of(path: str) -> List[str]:
        got = lines.get(path)
        if got is None:
            got = lines[path] = sources.lines(path)
        return got

    sourced = {(r.root, r.address) for r in model.resources if r.source_format == "terraform" and r.kind in KINDS}
    out: List[Estimate] = []
    for res in model.resources:
        if res.kind not in KINDS:
            continue
        if res.source_format == "terraform-plan" and _in_source(res, sourced):
            continue
        try:
            found = estimate(res, pricing, lines_of)
        except Exception as exc:  # a bug in the estimator: reported for this resource, never a traceback
            errors.append(internal_error(exc, f"estimating the cost of {res.address} failed", res.file, res.address))
            continue
        if found is not None:
            out.append(found)
    return out


def _in_source(res: Any, sourced: set) -> bool:
    """Whether a planned resource is also in the Terraform source it was planned from (the
    plan file's directory, or a directory above it)."""
    directory = os.path.dirname(res.file)
    while True:
        if (directory, res.address) in sourced:
            return True
        parent = os.path.dirname(directory)
        if parent == directory:
            return False
        directory = parent
