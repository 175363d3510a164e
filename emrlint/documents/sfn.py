"""Step Functions state machines (Amazon States Language): EMR tasks become job runs and clusters.

Tasks whose ``Resource`` names an EMR service integration are read from their ``Parameters``
(or JSONata ``Arguments``), in every nested ``Parallel`` branch and ``Map`` processor:

* the optimized integrations ``arn:aws:states:::emr-serverless:startJobRun(.sync)``,
  ``...:elasticmapreduce:createCluster(.sync)``, ``...:elasticmapreduce:addStep(.sync)`` and
  ``...:emr-containers:startJobRun(.sync)``;
* the AWS SDK integrations ``arn:aws:states:::aws-sdk:emrserverless:startJobRun``,
  ``...:aws-sdk:emr:runJobFlow``, ``...:aws-sdk:emr:addJobFlowSteps`` and
  ``...:aws-sdk:emrcontainers:startJobRun`` (their parameters are the API's, in PascalCase).

The known parts of the ARN decide: a partition written as a placeholder
(``arn:${AWS::Partition}:states:::...``, ``arn:${Partition}:...``, a Terraform
``data.aws_partition`` interpolation) is still the same integration.  A JSONPath parameter
(``"ReleaseLabel.$": "$.label"``) is unknown.

Each state machine is also a resource of its own (:class:`~emrlint.model.StateMachine`) with
its ``Map`` states that start EMR work, their concurrency limits and how many EMR tasks each
iteration runs.
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

from emrlint.documents.doc import DocSection, Document, Resolver, find_key
from emrlint.values import UNKNOWN, Unknown, concat_parts
from emrlint.documents.emr import RUN_JOB_FLOW, add_uniform_groups, configurations_field, resource
from emrlint.findings import Loc
from emrlint.lazyre import lazy_re
from emrlint.model import (
    EmrTask,
    MapState,
    Resource,
    StateMachine,
    build_cluster,
    build_job_run,
)

# arn:PARTITION:states:::[aws-sdk:]SERVICE:ACTION[.pattern][:version]; "\0" stands for an unknown part,
# which may only be the partition: the service and the action must be known
_ARN = lazy_re(r"^arn:[^:]*:states:::(?:(aws-sdk):)?([a-z0-9-]+):([A-Za-z0-9]+)(?:\.[^:]*)?(?::[^:]*)?$")
KINDS = {
    ("emr-serverless", "startJobRun"): "serverless",
    ("emr-containers", "startJobRun"): "eks",
    ("elasticmapreduce", "createCluster"): "cluster",
    ("elasticmapreduce", "addStep"): "step",
    ("aws-sdk:emrserverless", "startJobRun"): "serverless",
    ("aws-sdk:emrcontainers", "startJobRun"): "eks",
    ("aws-sdk:emr", "runJobFlow"): "cluster",
    ("aws-sdk:emr", "addJobFlowSteps"): "steps",
}
MAX_NESTING = 64  # Map/Parallel nesting followed; deeper states are not read


def integration(resource_arn: Any) -> Optional[Tuple[str, str]]:
    """(service, action) of a Task's ``Resource`` when it is a Step Functions service
    integration: ``("elasticmapreduce", "createCluster")``, ``("aws-sdk:emr", "runJobFlow")``.
    A partly known ARN is recognised when its known parts settle it (an unknown partition)."""
    if isinstance(resource_arn, Unknown):
        if not resource_arn.parts:
            return None
        text = "".join(p if isinstance(p, str) else "\0" for p in resource_arn.parts)
    elif isinstance(resource_arn, str):
        text = resource_arn
    else:
        return None
    m = _ARN.match(text.strip())
    if m is None:
        return None
    service = f"aws-sdk:{m.group(2)}" if m.group(1) else m.group(2)
    return service, m.group(3)


def task_kind(resource_arn: Any) -> Optional[str]:
    """What an EMR Task starts ("cluster", "step", "steps", "serverless", "eks"), or None."""
    found = integration(resource_arn)
    return KINDS.get(found) if found is not None else None


_PLACEHOLDER = lazy_re(r"\$\{([^}]*)\}")


class SfnResolver(Resolver):
    """Values in a state machine: JSONata expressions (``"{% ... %}"``) are known only at run
    time, and ``${Name}`` placeholders take the template's ``DefinitionSubstitutions``."""

    def __init__(self, base: Resolver, substitutions: Any = None):
        self.base = base
        self.substitutions = substitutions if isinstance(substitutions, dict) else {}
        self.unknown_substitutions = isinstance(substitutions, Unknown)

    def select(self, raw: Any) -> Any:
        return self.base.select(raw)

    def origin(self, raw: Any) -> Any:
        return self.base.origin(raw)

    def value(self, raw: Any) -> Any:
        return self._runtime(self.base.value(raw))

    def _runtime(self, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("{%") and text.endswith("%}"):
                return UNKNOWN
            if "${" in value:
                pieces, pos = [], 0
                for m in _PLACEHOLDER.finditer(value):
                    pieces.append(value[pos:m.start()])
                    sub = self.substitutions.get(m.group(1), UNKNOWN)
                    pieces.append(sub if isinstance(sub, (str, Unknown)) else str(sub))
                    pos = m.end()
                pieces.append(value[pos:])
                return concat_parts(pieces)
            return value
        if isinstance(value, dict):
            return {k: self._runtime(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._runtime(v) for v in value]
        return value


def is_state_machine(root: Any) -> bool:
    return isinstance(root, dict) and isinstance(root.get("States"), dict) and "StartAt" in root


def _mode(doc: Document, state: Any) -> str:
    """The processing mode of a Map state: INLINE (also the legacy ``Iterator``), DISTRIBUTED, or ""."""
    processor = state.get("ItemProcessor")
    if not isinstance(processor, dict):
        return "INLINE"
    config = processor.get("ProcessorConfig")
    if config is None:
        return "INLINE"
    if not isinstance(config, dict):
        return ""
    key = find_key(config, "Mode")
    if key is None:
        return "INLINE"
    mode = doc.resolver.value(config[key])
    return mode.strip().upper() if isinstance(mode, str) and mode.strip().upper() in ("INLINE", "DISTRIBUTED") else ""


def _literal_items(doc: Document, state: Any) -> Optional[int]:
    """The number of items of a Map state whose JSONata ``Items`` is a literal array."""
    key = find_key(state, "Items")
    if key is None or str(key).endswith(".$"):
        return None
    items = doc.resolver.value(state[key])
    return len(items) if isinstance(items, list) else None


class _Walk:
    """One pass over a state machine: EMR task resources, and Map states with their EMR fan-out."""

    def __init__(self, doc: Document, name: str, loc: Loc):
        self.doc = doc
        self.name = name
        self.loc = loc
        self.resources: List[Resource] = []
        self.maps: List[MapState] = []

    def machine(self, machine: Any, depth: int) -> Tuple[float, List[EmrTask]]:
        """(the most EMR tasks this (sub)machine runs at once, its EMR tasks at any depth).
        States of one machine run one after another, so the most at once is the largest state's."""
        states = machine.get("States") if isinstance(machine, dict) else None
        if not isinstance(states, dict) or depth > MAX_NESTING:
            return 0.0, []
        most, tasks = 0.0, []
        for state_name, state in states.items():
            if not isinstance(state, dict):
                continue
            at_once, found = self.state(str(state_name), state, states, depth)
            most = max(most, at_once)
            tasks += found
        return most, tasks

    def state(self, state_name: str, state: Any, states: Any, depth: int) -> Tuple[float, List[EmrTask]]:
        kind = state.get("Type")
        state_loc = self.doc.loc_of(states, state_name, self.loc)
        if kind == "Task":
            started = self.task(state_name, state, state_loc)
            return (1.0, [started]) if started is not None else (0.0, [])
        if kind == "Parallel":
            branches = state.get("Branches")
            total, tasks = 0.0, []
            for branch in branches if isinstance(branches, list) else []:
                at_once, found = self.machine(branch, depth + 1)
                total += at_once
                tasks += found
            return total, tasks
        if kind == "Map":
            processor = state.get("ItemProcessor") if isinstance(state.get("ItemProcessor"), dict) else state.get("Iterator")
            before = len(self.maps)
            per_iteration, tasks = self.machine(processor, depth + 1)
            if not tasks:
                return 0.0, []
            fan = MapState(state_name, DocSection(self.doc, state, state_loc), _mode(self.doc, state),
                           _literal_items(self.doc, state), tasks, per_iteration,
                           any(inner.unbounded() for inner in self.maps[before:]))
            self.maps.append(fan)
            conc = fan.concurrency()
            at_once = per_iteration * (1.0 if isinstance(conc, Unknown) else conc)
            return at_once, tasks
        return 0.0, []

    def task(self, state_name: str, state: Any, state_loc: Loc) -> Optional[EmrTask]:
        target = self.doc.resolver.value(state.get("Resource"))
        found = integration(target)
        kind = KINDS.get(found) if found is not None else None
        if kind is None:
            return None
        service, action = found
        key = find_key(state, "Parameters") or find_key(state, "Arguments")
        params = state.get(key) if key is not None else {}
        params = params if isinstance(params, dict) else {}
        doc = self.doc
        address = f"{self.name}:{state_name}"
        type_ = f"states:{service}:{action}"
        if kind == "cluster":
            section = DocSection(doc, params, state_loc, RUN_JOB_FLOW)
            cluster = build_cluster(resource("cluster", type_, address, section, doc, "stepfunctions"))
            add_uniform_groups(cluster, section)
            cluster.configurations = configurations_field(section)
            self.resources.append(cluster)
        elif kind == "step":
            section = DocSection(doc, params, state_loc, {"hadoop_jar_step": ("Step.HadoopJarStep", {})})
            self.resources.append(resource("step", type_, address, section, doc, "stepfunctions"))
        elif kind == "steps":  # aws-sdk:emr:addJobFlowSteps: a list of steps
            outer = DocSection(doc, params, state_loc, {"cluster_id": "JobFlowId"})
            steps = outer.sections("steps")
            for i, step in enumerate(steps):
                if not isinstance(step, DocSection) or step.unknown:
                    continue
                item = DocSection(doc, step.node, step.loc, {"hadoop_jar_step": ("HadoopJarStep", {}),
                                                             "cluster_id": lambda _s: outer.field("cluster_id")})
                suffix = f"[{i}]" if len(steps) > 1 else ""
                self.resources.append(resource("step", type_, address + suffix, item, doc, "stepfunctions"))
        else:
            section = DocSection(doc, params, state_loc)
            self.resources.append(build_job_run(resource("job_run", type_, address, section, doc, "stepfunctions"), kind))
        return EmrTask(state_name, f"{service}:{action}", state_loc)


def load_state_machine(doc: Document, definition: Any, name: str, loc: Loc) -> List[Resource]:
    """The EMR tasks of a state machine (clusters, steps, job runs), then the state machine itself
    with the Map states that start EMR work."""
    walk = _Walk(doc, name, loc)
    walk.machine(definition, 0)
    machine = StateMachine("state_machine", "states:StateMachine", name, DocSection(doc, definition, loc), doc.path,
                           doc.call_sites, False, "stepfunctions", root=doc.path, maps=walk.maps)
    return walk.resources + [machine]
