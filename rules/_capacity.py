"""EMR on EC2 cluster helpers shared by the cost and capacity rules (EMR103, EMR108, EMR109).

* whether a cluster is long-running (stays up when it has no steps), with each source
  format's default for an absent ``keep_job_flow_alive_when_no_steps``;
* whether a cluster has (or may have) scaling: managed scaling, or an automatic scaling
  policy on a core/task instance group;
* spelling attribute names the way the user wrote them (Terraform snake_case, or the
  CloudFormation/API PascalCase of the document).

Nothing here raises, and anything unknown is reported as unknown (None).
"""

from __future__ import annotations

from typing import Any, Optional

from emrlint.model import is_false, is_true
from emrlint.values import Unknown, refs_of

# formats whose documents use the EMR API's PascalCase names
DOCUMENT_FORMATS = ("cloudformation", "run-job-flow", "stepfunctions")


def spell(resource, terraform: str, document: str) -> str:
    """``terraform`` for Terraform sources and plans, ``document`` for CloudFormation and API documents."""
    return document if getattr(resource, "source_format", "") in DOCUMENT_FORMATS else terraform


def keep_alive_name(cluster) -> str:
    return spell(cluster, "keep_job_flow_alive_when_no_steps", "Instances.KeepJobFlowAliveWhenNoSteps")


def stays_alive(cluster) -> Optional[bool]:
    """True when the cluster keeps running once it has no steps left, False when it terminates,
    None when unknown.

    ``keep_job_flow_alive_when_no_steps`` absent or null means: true for Terraform (the
    provider's default) and CloudFormation; false for a RunJobFlow request (the API's default,
    also Step Functions ``createCluster``); for an ``aws emr create-cluster --cli-input-json``
    document (groups and fleets at the top level, no ``Instances``), true unless
    ``AutoTerminate`` is true."""
    value = cluster.field("keep_job_flow_alive_when_no_steps").value
    if isinstance(value, Unknown):
        return None
    if is_true(value):
        return True
    if is_false(value):
        return False
    if value is not None:
        return None  # something we cannot read as a boolean
    fmt = getattr(cluster, "source_format", "")
    if fmt == "stepfunctions":
        return False
    if fmt == "run-job-flow":
        if cluster.field("instances").present:
            return False  # RunJobFlow: KeepJobFlowAliveWhenNoSteps defaults to false
        auto = cluster.field("auto_terminate").value
        if isinstance(auto, Unknown):
            return None
        return not is_true(auto)  # create-cluster: alive unless AutoTerminate
    return True


def keep_alive_reason(cluster) -> str:
    """Why the cluster is long-running, in the user's spelling."""
    f = cluster.field("keep_job_flow_alive_when_no_steps")
    name = keep_alive_name(cluster)
    if f.value is not None:
        return f"{name} is true"
    if getattr(cluster, "source_format", "") == "run-job-flow" and not cluster.field("instances").present:
        if cluster.field("auto_terminate").value is not None:
            return "AutoTerminate is false"
        return "AutoTerminate is not set, and create-cluster keeps the cluster running"
    return f"{name} is not set, and defaults to true"


def _present(value: Any) -> Any:
    """True when an autoscaling policy value is set, False when absent/empty, None when unknown."""
    if isinstance(value, Unknown):
        return None
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip()) and value.strip() not in ("null", "{}")
    if isinstance(value, (dict, list)):
        return bool(value)
    return True


def may_scale(cluster, model=None) -> bool:
    """True when the cluster has, or may have, managed scaling or automatic scaling: an attached
    or inline managed scaling policy (even one that may not exist), a policy that may be attached
    unseen, or a core/task instance group with an ``autoscaling_policy`` that is set or unknown
    (also a separate instance group whose ``cluster_id`` cannot be evaluated: it may be this
    cluster's)."""
    if getattr(cluster, "scaling_incomplete", False) or getattr(cluster, "capacity_incomplete", False):
        return True
    if getattr(cluster, "scaling_policies", None):
        return True
    if cluster.body.sections("managed_scaling_policy"):
        return True
    for group in getattr(cluster, "instance_groups", []):
        if group.role not in ("core", "task"):
            continue
        state = _present(group.section.field("autoscaling_policy").value)
        if state is not False:
            return True
        if getattr(group.section, "unknown", False):
            return True
    if model is not None:
        return model.memo(("unattached autoscaling groups", cluster.root),
                          lambda: _unattached_autoscaling_groups(model, cluster.root))
    return False


def _unattached_autoscaling_groups(model, root: str) -> bool:
    """Whether a separate instance group of ``root`` whose cluster cannot be told may scale."""
    for res in model.of_kind("instance_group", root):
        cid = res.field("cluster_id").value
        if not isinstance(cid, Unknown) or refs_of(cid):
            continue
        if _present(res.field("autoscaling_policy").value) is not False:
            return True
    return False


def has_scalable_capacity(cluster) -> bool:
    """Whether the cluster has (or may have) core or task capacity: a single-node cluster has
    nothing for scaling to add or remove."""
    if getattr(cluster, "capacity_incomplete", False):
        return True
    return any(u.role in ("core", "task") for u in list(cluster.instance_groups) + list(cluster.instance_fleets))
