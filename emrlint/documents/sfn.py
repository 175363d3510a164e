"""Step Functions state machines (Amazon States Language): EMR tasks become job runs and clusters.

Tasks whose ``Resource`` is ``arn:aws:states:::emr-serverless:startJobRun(.sync)``,
``...:elasticmapreduce:createCluster(.sync)``, ``...:elasticmapreduce:addStep(.sync)``
or ``...:emr-containers:startJobRun(.sync)`` are read from their ``Parameters``
(or JSONata ``Arguments``), in every nested ``Parallel`` branch and ``Map``
processor.  A JSONPath parameter (``"ReleaseLabel.$": "$.label"``) is unknown.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, List, Tuple

from emrlint.documents.doc import DocSection, Document, Resolver, find_key
from emrlint.values import UNKNOWN, Unknown, concat_parts
from emrlint.documents.emr import RUN_JOB_FLOW, add_uniform_groups, configurations_field, resource
from emrlint.findings import Loc
from emrlint.model import Resource, build_cluster, build_job_run

_TASK = re.compile(r"states:::(emr-serverless|elasticmapreduce|emr-containers):(\w+)")
KINDS = {
    ("emr-serverless", "startJobRun"): "serverless",
    ("emr-containers", "startJobRun"): "eks",
    ("elasticmapreduce", "createCluster"): "cluster",
    ("elasticmapreduce", "addStep"): "step",
}


_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


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


def _states(definition: Any) -> Iterator[Tuple[str, Any, Any]]:
    """(name, state, its States mapping) for every state, nested ones included."""
    stack = [definition]
    while stack:
        machine = stack.pop()
        states = machine.get("States") if isinstance(machine, dict) else None
        if not isinstance(states, dict):
            continue
        for name, state in states.items():
            if not isinstance(state, dict):
                continue
            yield str(name), state, states
            for branch in state.get("Branches") or []:
                stack.append(branch)
            for key in ("Iterator", "ItemProcessor"):
                if isinstance(state.get(key), dict):
                    stack.append(state[key])


def load_state_machine(doc: Document, definition: Any, name: str, loc: Loc) -> List[Resource]:
    out: List[Resource] = []
    for state_name, state, states in _states(definition):
        if state.get("Type") != "Task":
            continue
        target = doc.resolver.value(state.get("Resource"))
        m = _TASK.search(target) if isinstance(target, str) else None
        kind = KINDS.get((m.group(1), m.group(2))) if m else None
        if kind is None:
            continue
        key = find_key(state, "Parameters") or find_key(state, "Arguments")
        params = state.get(key) if key is not None else {}
        state_loc = doc.loc_of(states, state_name, loc)
        schema = RUN_JOB_FLOW if kind == "cluster" else {"hadoop_jar_step": ("Step.HadoopJarStep", {})} if kind == "step" else None
        section = DocSection(doc, params if isinstance(params, dict) else {}, state_loc, schema)
        address = f"{name}:{state_name}"
        type_ = f"states:{m.group(1)}:{m.group(2)}"
        if kind == "cluster":
            cluster = build_cluster(resource("cluster", type_, address, section, doc, "stepfunctions"))
            add_uniform_groups(cluster, section)
            cluster.configurations = configurations_field(section)
            out.append(cluster)
        elif kind == "step":
            out.append(resource("step", type_, address, section, doc, "stepfunctions"))
        else:
            out.append(build_job_run(resource("job_run", type_, address, section, doc, "stepfunctions"), kind))
    return out
