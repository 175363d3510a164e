"""Job-run helpers shared by EMR110, EMR111, EMR205 and EMR302.

* the spark-submit sections of a job run's driver (``sparkSubmit`` of EMR Serverless,
  ``sparkSubmitJobDriver`` of EMR on EKS and of ``aws_emrcontainers_job_template``);
* ``spark-defaults`` written as Terraform blocks in an ``aws_emrcontainers_job_template``
  (``configuration_overrides { application_configuration { classification, properties } }``),
  which the model's ``JobRun.spark.conf`` does not include;
* the EMR Serverless application a job run runs on, when it is in the scan;
* values that are template placeholders (``${name}`` job template parameters).

Nothing here raises: whatever cannot be read is reported as unknown and callers stay
silent on it.
"""

from __future__ import annotations

import weakref
from typing import Any, Dict, List, Optional, Tuple

from emrlint.model import Field, Section, classification_properties, get_ci
from emrlint.values import UNKNOWN, Unknown


def placeholder(value: Any) -> bool:
    """A string that still holds a ``${...}`` placeholder (a job template parameter)."""
    return isinstance(value, str) and "${" in value


def submit_sections(job) -> List[Section]:
    """The ``spark_submit`` / ``spark_submit_job_driver`` sections of the job's driver."""
    out: List[Section] = []
    for driver in job.body.sections("job_driver"):
        out += driver.sections("spark_submit") + driver.sections("spark_submit_job_driver")
    return out


def is_spark_job(job) -> bool:
    """A Spark job (spark-submit or, on EKS, Spark SQL), not a Hive job."""
    if job.spark.entry_point is not None or job.spark.conf:
        return True
    return any(d.sections("spark_sql_job_driver") for d in job.body.sections("job_driver"))


def _block_classifications(sections: List[Section]) -> Any:
    """Classification blocks (``application_configuration``, ``runtime_configuration``) -> a
    list of {Classification, Properties, Configurations} dicts (Unknown when a block or a
    value cannot be read)."""
    out: List[Dict[str, Any]] = []
    for block in sections:
        if block.maybe:
            return UNKNOWN
        name = block.field("classification").value
        props = block.field("properties").value
        if isinstance(name, Unknown) or isinstance(props, Unknown):
            return UNKNOWN
        nested = _block_classifications(block.sections("configurations"))
        if isinstance(nested, Unknown):
            return nested
        out.append({"Classification": name, "Properties": props if isinstance(props, dict) else {},
                    "Configurations": nested})
    return out


def section_spark_defaults(section: Section, name: str) -> Any:
    """``spark-defaults`` of the classification list ``name`` of a section, written as a value
    (documents, plans: ``RuntimeConfiguration: [...]``) or as Terraform blocks
    (``runtime_configuration { classification, properties }``): a dict, None, or an Unknown."""
    f = section.field(name)
    if f.present:
        return classification_properties(f.value, "spark-defaults")
    entries = _block_classifications(section.sections(name))
    if isinstance(entries, Unknown):
        return entries
    return classification_properties(entries, "spark-defaults") if entries else None


def spark_default_properties(job) -> Optional[List[Field]]:
    """The ``properties`` fields of the ``spark-defaults`` classification blocks under the
    Terraform ``configuration_overrides`` of an ``aws_emrcontainers_job_template`` (nested
    ``configurations`` too), which the model's ``JobRun.spark.conf`` does not include (it reads
    a ``configuration_overrides`` value only); None when the blocks cannot be read (a
    ``dynamic`` block with an unknown ``for_each``, an unknown classification)."""
    if job.field("configuration_overrides").present:
        return []  # a value (documents, Step Functions): already in job.spark.conf
    out: List[Field] = []
    blocks = job.body.sections("configuration_overrides")
    if any(b.maybe for b in blocks):
        return None
    stack = [c for b in blocks for c in b.sections("application_configuration")]
    while stack:
        block = stack.pop(0)
        name = block.field("classification").value
        if block.maybe or isinstance(name, Unknown):
            return None
        if name == "spark-defaults":
            out.append(block.field("properties"))
        stack += block.sections("configurations")
    return out


def overrides_unknown(job) -> bool:
    """The job's configuration overrides are written but cannot be read."""
    value = job.field("configuration_overrides").value
    return isinstance(value, Unknown)


def application_of(job, ctx) -> Tuple[list, list]:
    """(exact, possible) EMR Serverless applications in the scan that the job run runs on."""
    if getattr(job, "platform", "") != "serverless":
        return [], []
    app_id = job.field("application_id").value
    if app_id is None:
        return [], []
    return ctx.model.find(app_id, "serverless_application", job.root)


_LINKS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def serverless_job_links(ctx) -> List[Tuple[Any, list, list]]:
    """(job run, exact applications, possible applications) of every EMR Serverless job run in
    the scan, computed once per model (rules that look at an application's job runs would
    otherwise search the model once per application and job run)."""
    model = ctx.model
    links = _LINKS.get(model)
    if links is None:
        links = []
        for res in model.resources:
            if res.kind == "job_run" and getattr(res, "platform", "") == "serverless":
                exact, possible = application_of(res, ctx)
                links.append((res, exact, possible))
        _LINKS[model] = links
    return links


def dig(value: Any, *path: str) -> Any:
    """``value[path[0]][path[1]]...`` with keys matched in any spelling (``logUri``, ``LogUri``,
    ``log_uri``); None when a level is absent, an Unknown when a level is unknown."""
    for name in path:
        if isinstance(value, Unknown):
            return value
        if not isinstance(value, dict):
            return None
        value = get_ci(value, name)
    return value
