"""EMR API shapes shared by every document format: clusters (RunJobFlow,
CloudFormation ``AWS::EMR::Cluster``, Step Functions ``createCluster``),
serverless applications and job runs, mapped onto emrlint's model."""

from __future__ import annotations

from typing import Any, Dict

from emrlint.documents.doc import DocSection, Document, Schema, find_key
from emrlint.model import DictSection, Field, Resource
from emrlint.values import Unknown, refs_of

EBS_DEVICE: Schema = {
    "type": "VolumeSpecification.VolumeType",
    "size": "VolumeSpecification.SizeInGB",
    "iops": "VolumeSpecification.Iops",
    "throughput": "VolumeSpecification.Throughput",
}
GROUP: Schema = {
    "ebs_config": ("EbsConfiguration.EbsBlockDeviceConfigs", EBS_DEVICE),
    "ebs_optimized": "EbsConfiguration.EbsOptimized",
}
FLEET: Schema = {"instance_type_configs": ("InstanceTypeConfigs", GROUP)}
BOOTSTRAP: Schema = {"path": "ScriptBootstrapAction.Path|Path", "args": "ScriptBootstrapAction.Args|Args"}
EC2: Schema = {"subnet_id": "Ec2SubnetId|SubnetId", "subnet_ids": "Ec2SubnetIds|SubnetIds",
               "key_name": "Ec2KeyName|KeyName",
               "additional_master_security_groups": "AdditionalMasterSecurityGroups",
               "additional_slave_security_groups": "AdditionalSlaveSecurityGroups|AdditionalCoreSecurityGroups"}
BLOCK_PUBLIC_ACCESS: Schema = {"permitted_public_security_group_rule_range": ("PermittedPublicSecurityGroupRuleRanges", {})}
def application_names(section: DocSection) -> Field:
    """``applications`` as Terraform writes them, a list of names: the API's and CloudFormation's
    ``Applications: [{Name: Spark}, ...]`` (an entry whose name is unknown makes the list unknown)."""
    f = section.field("applications_as_written")
    value = f.value
    if isinstance(value, list):
        names: Any = []
        for item in value:
            name = item.get(find_key(item, "Name")) if isinstance(item, dict) and find_key(item, "Name") else item
            if isinstance(name, Unknown) or not isinstance(name, str):
                names = Unknown(refs_of(name)) if isinstance(name, Unknown) else Unknown()
                break
            names.append(name)
        value = names
    return Field(value, f.present, f.attr_loc, lambda: (f.origin, f.origin_call_sites), call_sites=section.doc.call_sites)


CLUSTER_COMMON: Schema = {
    "applications": application_names,
    "applications_as_written": "Applications",
    "bootstrap_action": ("BootstrapActions", BOOTSTRAP),
    "configurations_json": "Configurations",
    "step": ("Steps", {}),
}

# CloudFormation AWS::EMR::Cluster: Instances holds named groups and fleets
CFN_CLUSTER: Schema = {
    **CLUSTER_COMMON,
    "master_instance_group": ("Instances.MasterInstanceGroup", GROUP),
    "core_instance_group": ("Instances.CoreInstanceGroup", GROUP),
    "task_instance_group": ("Instances.TaskInstanceGroups", GROUP),
    "master_instance_fleet": ("Instances.MasterInstanceFleet", FLEET),
    "core_instance_fleet": ("Instances.CoreInstanceFleet", FLEET),
    "task_instance_fleet": ("Instances.TaskInstanceFleets", FLEET),
    "keep_job_flow_alive_when_no_steps": "Instances.KeepJobFlowAliveWhenNoSteps",
    "termination_protection": "Instances.TerminationProtected",
    "ec2_attributes": ("Instances", EC2),
}


# RunJobFlow (API, boto3, Step Functions createCluster): Instances.InstanceGroups with InstanceRole;
# `aws emr create-cluster --cli-input-json`: top-level InstanceGroups with InstanceGroupType
RUN_JOB_FLOW: Schema = {
    **CLUSTER_COMMON,
    "keep_job_flow_alive_when_no_steps": "Instances.KeepJobFlowAliveWhenNoSteps",
    "termination_protection": "Instances.TerminationProtected",
    "ec2_attributes": ("Instances|Ec2Attributes", EC2),
}
def _uniform(role: str):
    """RunJobFlow's uniform form (``Instances.MasterInstanceType``, ``SlaveInstanceType``,
    ``InstanceCount``): one master and InstanceCount - 1 core instances, On-Demand."""
    def sections(section: DocSection) -> list:
        instances_key = find_key(section.node, "Instances")
        instances = section.node.get(instances_key) if instances_key is not None else None
        type_key = find_key(instances, "MasterInstanceType" if role == "master" else "SlaveInstanceType")
        if type_key is None:
            return []
        doc = section.doc
        loc = doc.loc_of(instances, type_key, section.loc)
        fields = {"instance_type": Field(doc.resolver.value(instances[type_key]), True, loc)}
        count_key = find_key(instances, "InstanceCount")
        if role == "core" and count_key is not None:
            total = doc.resolver.value(instances[count_key])
            count = total - 1 if isinstance(total, int) and not isinstance(total, bool) else total
            fields["instance_count"] = Field(count, True, doc.loc_of(instances, count_key, loc))
        elif role == "master":
            fields["instance_count"] = Field(1, True, loc)
        return [DictSection(loc, fields)]
    return sections


def add_uniform_groups(cluster: Any, section: DocSection) -> None:
    """A RunJobFlow request in the uniform form has no groups or fleets: model its instances."""
    if cluster.instance_groups or cluster.instance_fleets:
        return
    from emrlint.model import InstanceGroup

    for role in ("master", "core"):
        for s in _uniform(role)(section):
            cluster.instance_groups.append(InstanceGroup(role, s))


for _role in ("master", "core", "task"):
    RUN_JOB_FLOW[f"{_role}_instance_group"] = ("Instances.InstanceGroups|InstanceGroups", GROUP,
                                               {"InstanceRole|InstanceGroupType": (_role.upper(),)})
    RUN_JOB_FLOW[f"{_role}_instance_fleet"] = ("Instances.InstanceFleets|InstanceFleets", FLEET,
                                               {"InstanceFleetType": (_role.upper(),)})

SERVERLESS_APP: Schema = {
    "initial_capacity": ("InitialCapacity", {"initial_capacity_type": "Key", "initial_capacity_config": ("Value", {})}),
}


def resource(kind: str, type_: str, address: str, section: DocSection, doc: Document, fmt: str,
             maybe: bool = False) -> Resource:
    return Resource(kind, type_, address, section, doc.path, doc.call_sites, maybe, fmt, root=doc.path)


def classification_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(v, dict) and find_key(v, "Classification") is not None for v in value)


def normalise_configurations(value: Any) -> Any:
    """CloudFormation spells a classification's Properties ``ConfigurationProperties``."""
    if isinstance(value, list):
        return [normalise_configurations(v) for v in value]
    if isinstance(value, dict):
        out: Dict[str, Any] = {}
        for k, v in value.items():
            key = {"configurationproperties": "Properties", "properties": "Properties",
                   "classification": "Classification", "configurations": "Configurations"}.get(k.lower(), k)
            out[key] = normalise_configurations(v) if key == "Configurations" else v
        return out
    return value


def configurations_field(section: DocSection) -> Any:
    """The cluster's classifications (``Configurations``) with CloudFormation's spelling normalised;
    its elements point where they are written in the document."""
    f = section.field("configurations_json")
    if not f.present:
        return None
    raw = None
    if isinstance(section, DocSection):
        container, key, found = section._locate("configurations_json")
        raw = container[key] if found and key is not None and isinstance(container, dict) else None
    return Field(normalise_configurations(f.value), True, f.attr_loc, lambda: (f.origin, f.origin_call_sites),
                 locate=(lambda path: _locate(section.doc, raw, path)) if raw is not None else None)


_ALIASES = {"Properties": ("Properties", "ConfigurationProperties")}


def _locate(doc: Document, raw: Any, path: Any) -> Any:
    """(origin, call sites) of the element at ``path`` of a normalised classification list, found in
    the document's own nodes (intrinsics resolved, items that are ``AWS::NoValue`` skipped)."""
    from emrlint.documents.doc import NoValue

    node, container, where = raw, None, None
    for part in path:
        node = doc.resolver.select(node)
        if isinstance(part, int):
            if not isinstance(node, list):
                return None
            kept = [i for i, item in enumerate(node) if not isinstance(doc.resolver.select(item), NoValue)]
            if part >= len(kept):
                return None
            container, where = node, kept[part]
        else:
            where = next((k for k in (find_key(node, a) for a in _ALIASES.get(part, (part,))) if k is not None), None)
            if where is None:
                return None
            container = node
        node = container[where]
    if container is None:
        return None
    origin = doc.resolver.origin(node) or doc.loc_of(container, where)
    return origin, doc.call_sites
