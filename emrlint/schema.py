"""The model's vocabulary: resource kinds, their fields and sections, by normalised name.

Every loader maps its format onto these names (Terraform's, snake_case: ``LogUri`` and
``logUri`` are ``log_uri``), so a rule or a policy written against them reads Terraform,
plans, CloudFormation, RunJobFlow/StartJobRun documents and Step Functions alike.  This
table is what YAML policies are validated against (an unknown kind or field name is a
configuration error) and what ``docs/model.md`` is generated from.

A *field* is one value (``Field``); a *section* is a nested block (``Section``), written
once or ``repeated``.  A section whose ``collection`` is set is one of the model's own lists
rather than a block as written: a cluster's ``instance_groups`` hold its inline groups and
the ``aws_emr_instance_group`` resources attached to it, each with its ``role``.  A field
with ``formats`` is read only from those source formats; in the others a policy treats it
as unknown (the loaders of those formats do not map it).  ``open`` maps (tags, decoded
JSON) may be read further by key: ``tags.CostCenter``, ``settings.EncryptionConfiguration``.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

from emrlint.record import dataclass, field

# the source formats a resource can come from (Resource.source_format)
FORMATS = ("terraform", "terraform-plan", "cloudformation", "run-job-flow", "create-application", "job-run",
           "stepfunctions", "configurations", "block-public-access")
TERRAFORM = ("terraform", "terraform-plan")


@dataclass(frozen=True)
class FieldDoc:
    description: str
    type: str = "string"  # string, number, bool, list, map, any
    formats: Optional[Tuple[str, ...]] = None  # None: every format that has the kind
    open: bool = False  # a map (or decoded JSON) whose keys may be named further: tags.Team
    attribute: str = ""  # read from this attribute of the model object, not from the written block


@dataclass(frozen=True)
class SectionDoc:
    description: str
    fields: Dict[str, FieldDoc] = field(default_factory=dict)
    sections: Dict[str, "SectionDoc"] = field(default_factory=dict)
    repeated: bool = False
    collection: str = ""  # an attribute of the model object listing the sections (with their roles)


@dataclass(frozen=True)
class KindDoc:
    description: str
    sources: Tuple[str, ...]
    fields: Dict[str, FieldDoc] = field(default_factory=dict)
    sections: Dict[str, SectionDoc] = field(default_factory=dict)


def _f(description: str, type: str = "string", **kw) -> FieldDoc:
    return FieldDoc(description, type, **kw)


TAGS = _f("Tags as a map of key to value (CloudFormation's and the API's lists of Key/Value pairs included)",
          "map", open=True)
ROLE = _f("`master`, `core` or `task` (set by emrlint from where the group or fleet is written, or from the "
          "cluster it is attached to)", attribute="role")

EBS_CONFIG = SectionDoc("An EBS volume specification of each instance", {
    "size": _f("Volume size in GiB", "number"),
    "type": _f("Volume type: gp3, gp2, io1, io2, st1, sc1, standard"),
    "iops": _f("Provisioned IOPS", "number"),
    "throughput": _f("Throughput in MiB/s (gp3)", "number"),
    "volumes_per_instance": _f("Volumes of this specification per instance", "number"),
}, repeated=True)

CONFIGURATION = SectionDoc("A configuration classification", {
    "classification": _f("The classification (spark-defaults, hive-site...)"),
    "properties": _f("Its properties", "map", open=True),
}, repeated=True)

GROUP_FIELDS = {
    "name": _f("The group's name"),
    "instance_type": _f("EC2 instance type (m7g.xlarge)"),
    "instance_count": _f("Number of instances", "number"),
    "bid_price": _f("Spot maximum price in USD; set means Spot"),
    "market": _f("ON_DEMAND or SPOT (CloudFormation, RunJobFlow)"),
    "autoscaling_policy": _f("Automatic scaling policy (JSON)", "any"),
    "configurations_json": _f("Configuration classifications of the group (JSON)", "any"),
    "custom_ami_id": _f("Custom AMI of the group"),
    "ebs_optimized": _f("EBS-optimized instances", "bool"),
}
GROUP_SECTIONS = {"ebs_config": EBS_CONFIG}

INSTANCE_TYPE_CONFIG = SectionDoc("One instance type a fleet may launch", {
    "instance_type": _f("EC2 instance type"),
    "weighted_capacity": _f("Units this type counts for", "number"),
    "bid_price": _f("Spot maximum price in USD"),
    "bid_price_as_percentage_of_on_demand_price": _f("Spot maximum price as a percentage of On-Demand", "number"),
    "custom_ami_id": _f("Custom AMI for this type"),
}, {"ebs_config": EBS_CONFIG, "configurations": CONFIGURATION}, repeated=True)

LAUNCH_SPECIFICATIONS = SectionDoc("How a fleet provisions On-Demand and Spot capacity", {}, {
    "on_demand_specification": SectionDoc("On-Demand provisioning", {
        "allocation_strategy": _f("lowest-price or prioritized"),
    }),
    "spot_specification": SectionDoc("Spot provisioning", {
        "allocation_strategy": _f("capacity-optimized, price-capacity-optimized, lowest-price, diversified..."),
        "timeout_action": _f("SWITCH_TO_ON_DEMAND or TERMINATE_CLUSTER"),
        "timeout_duration_minutes": _f("Minutes to wait for Spot capacity", "number"),
        "block_duration_minutes": _f("Spot block duration (deprecated)", "number"),
    }),
})

FLEET_FIELDS = {
    "name": _f("The fleet's name"),
    "target_on_demand_capacity": _f("On-Demand units", "number"),
    "target_spot_capacity": _f("Spot units", "number"),
}
FLEET_SECTIONS = {"instance_type_configs": INSTANCE_TYPE_CONFIG, "launch_specifications": LAUNCH_SPECIFICATIONS}

COMPUTE_LIMITS = SectionDoc("The limits of a managed scaling policy", {
    "unit_type": _f("Instances, InstanceFleetUnits or VCPU"),
    "minimum_capacity_units": _f("Smallest size", "number"),
    "maximum_capacity_units": _f("Largest size", "number"),
    "maximum_core_capacity_units": _f("Largest core size", "number"),
    "maximum_ondemand_capacity_units": _f("Largest On-Demand size", "number"),
}, repeated=True)
SCALING_POLICY_FIELDS = {
    "scaling_strategy": _f("DEFAULT or ADVANCED"),
    "utilization_performance_index": _f("Advanced scaling's utilisation/performance balance", "number"),
}

HADOOP_JAR_STEP = SectionDoc("What a step runs", {
    "jar": _f("The JAR (command-runner.jar, s3://...)"),
    "main_class": _f("Main class"),
    "args": _f("Arguments", "list"),
    "properties": _f("Java properties", "map", open=True),
}, repeated=True)

BOOTSTRAP_FIELDS = {
    "name": _f("The action's name"),
    "path": _f("The script (s3://..., file:/...)"),
    "args": _f("Its arguments", "list"),
}

CLUSTER = KindDoc(
    "An EMR on EC2 cluster",
    ("aws_emr_cluster", "AWS::EMR::Cluster", "RunJobFlow / create-cluster requests",
     "Step Functions createCluster tasks"),
    {
        "name": _f("Cluster name"),
        "release_label": _f("EMR release (emr-7.1.0)"),
        "applications": _f("Applications installed (Spark, Hive...), as a list of names", "list"),
        "log_uri": _f("S3 prefix for logs"),
        "log_encryption_kms_key_id": _f("KMS key encrypting the logs"),
        "service_role": _f("The EMR service role"),
        "autoscaling_role": _f("Role for automatic scaling"),
        "security_configuration": _f("Name of the security configuration"),
        "custom_ami_id": _f("Custom AMI"),
        "os_release_label": _f("Amazon Linux release"),
        "ebs_root_volume_size": _f("Root volume size in GiB", "number"),
        "scale_down_behavior": _f("TERMINATE_AT_INSTANCE_HOUR or TERMINATE_AT_TASK_COMPLETION"),
        "termination_protection": _f("Termination protection", "bool"),
        "keep_job_flow_alive_when_no_steps": _f("Keep running when no steps are left (long-running)", "bool"),
        "step_concurrency_level": _f("Steps that may run at once", "number"),
        "unhealthy_node_replacement": _f("Replace unhealthy core nodes", "bool"),
        "visible_to_all_users": _f("Visible to all IAM users", "bool"),
        "additional_info": _f("Additional features (JSON)", "any"),
        "configurations_json": _f("Configuration classifications as written (JSON text in Terraform)", "any"),
        "configurations": _f("Configuration classifications, decoded: a list of {Classification, Properties, "
                             "Configurations}", "list", attribute="configurations"),
        "list_steps_states": _f("Step states Terraform reads", "list", formats=TERRAFORM),
        "master_instance_type": _f("AWS provider 1.x: the master's instance type", formats=TERRAFORM),
        "core_instance_type": _f("AWS provider 1.x: the core instances' type", formats=TERRAFORM),
        "core_instance_count": _f("AWS provider 1.x: the number of instances", "number", formats=TERRAFORM),
        "tags": TAGS,
    },
    {
        "master_instance_group": SectionDoc("The primary node's instance group", GROUP_FIELDS, GROUP_SECTIONS),
        "core_instance_group": SectionDoc("The core instance group", GROUP_FIELDS, GROUP_SECTIONS),
        "task_instance_group": SectionDoc("Task instance groups (CloudFormation, RunJobFlow)", GROUP_FIELDS,
                                          GROUP_SECTIONS, repeated=True),
        "master_instance_fleet": SectionDoc("The primary node's instance fleet", FLEET_FIELDS, FLEET_SECTIONS),
        "core_instance_fleet": SectionDoc("The core instance fleet", FLEET_FIELDS, FLEET_SECTIONS),
        "task_instance_fleet": SectionDoc("Task instance fleets (CloudFormation, RunJobFlow)", FLEET_FIELDS,
                                          FLEET_SECTIONS, repeated=True),
        "instance_groups": SectionDoc(
            "Every instance group of the cluster: inline (master, core, task) and attached "
            "(aws_emr_instance_group, AWS::EMR::InstanceGroupConfig, through cluster_id), with its role",
            {"role": ROLE, **GROUP_FIELDS}, GROUP_SECTIONS, repeated=True, collection="instance_groups"),
        "instance_fleets": SectionDoc(
            "Every instance fleet of the cluster: inline and attached (aws_emr_instance_fleet, "
            "AWS::EMR::InstanceFleetConfig), with its role",
            {"role": ROLE, **FLEET_FIELDS}, FLEET_SECTIONS, repeated=True, collection="instance_fleets"),
        "bootstrap_actions": SectionDoc("Every bootstrap action", BOOTSTRAP_FIELDS, repeated=True,
                                        collection="bootstrap_actions"),
        "bootstrap_action": SectionDoc("A bootstrap action as written", BOOTSTRAP_FIELDS, repeated=True),
        "steps": SectionDoc("What every step of the cluster runs: inline steps and attached ones (AWS::EMR::Step)",
                            HADOOP_JAR_STEP.fields, repeated=True, collection="steps"),
        "step": SectionDoc("A step as written", {
            "name": _f("The step's name"),
            "action_on_failure": _f("TERMINATE_CLUSTER, CANCEL_AND_WAIT, CONTINUE..."),
        }, {"hadoop_jar_step": HADOOP_JAR_STEP}, repeated=True),
        "scaling_policies": SectionDoc(
            "Every managed scaling policy of the cluster: inline (CloudFormation, RunJobFlow) and attached "
            "(aws_emr_managed_scaling_policy)", SCALING_POLICY_FIELDS, {"compute_limits": COMPUTE_LIMITS},
            repeated=True, collection="scaling_policies"),
        "managed_scaling_policy": SectionDoc("An inline managed scaling policy (CloudFormation, RunJobFlow)",
                                             SCALING_POLICY_FIELDS, {"compute_limits": COMPUTE_LIMITS}),
        "auto_termination_policy": SectionDoc("Terminate the cluster when idle", {
            "idle_timeout": _f("Idle seconds before termination", "number"),
        }),
        "ec2_attributes": SectionDoc("Where and as whom the instances run", {
            "subnet_id": _f("Subnet"),
            "subnet_ids": _f("Subnets a fleet may choose from", "list"),
            "key_name": _f("EC2 key pair"),
            "instance_profile": _f("Instance profile of the nodes", formats=TERRAFORM),
            "emr_managed_master_security_group": _f("EMR-managed security group of the primary node"),
            "emr_managed_slave_security_group": _f("EMR-managed security group of the other nodes"),
            "service_access_security_group": _f("Service access security group (private subnets)"),
            "additional_master_security_groups": _f("More security groups of the primary node", "any"),
            "additional_slave_security_groups": _f("More security groups of the other nodes", "any"),
        }),
        "kerberos_attributes": SectionDoc("Kerberos authentication", {
            "realm": _f("Kerberos realm"),
            "kdc_admin_password": _f("Password of the cluster's KDC admin"),
            "ad_domain_join_user": _f("Active Directory user joining the domain"),
            "ad_domain_join_password": _f("Its password"),
            "cross_realm_trust_principal_password": _f("Cross-realm trust password"),
        }),
        "placement_group_config": SectionDoc("Placement groups", {
            "instance_role": _f("MASTER, CORE or TASK"),
            "placement_strategy": _f("SPREAD, PARTITION, CLUSTER or NONE"),
        }, repeated=True),
        "instance_group": SectionDoc("AWS provider 1.x: an instance group with its instance_role",
                                     {"instance_role": _f("MASTER, CORE or TASK"), **GROUP_FIELDS}, GROUP_SECTIONS,
                                     repeated=True),
    },
)

INSTANCE_GROUP = KindDoc(
    "A separately declared instance group (it is also among its cluster's instance_groups)",
    ("aws_emr_instance_group", "AWS::EMR::InstanceGroupConfig"),
    {"cluster_id": _f("The cluster it is attached to"), "instance_role": _f("TASK (CloudFormation)"),
     **GROUP_FIELDS}, GROUP_SECTIONS)

INSTANCE_FLEET = KindDoc(
    "A separately declared instance fleet (it is also among its cluster's instance_fleets)",
    ("aws_emr_instance_fleet", "AWS::EMR::InstanceFleetConfig"),
    {"cluster_id": _f("The cluster it is attached to"), "instance_fleet_type": _f("TASK (CloudFormation)"),
     **FLEET_FIELDS}, FLEET_SECTIONS)

WORKER_CONFIGURATION = SectionDoc("The size of one worker", {
    "cpu": _f("vCPU (\"4 vCPU\")"),
    "memory": _f("Memory (\"16 GB\")"),
    "disk": _f("Disk (\"20 GB\")"),
})

SERVERLESS_APPLICATION = KindDoc(
    "An EMR Serverless application",
    ("aws_emrserverless_application", "AWS::EMRServerless::Application", "CreateApplication requests"),
    {
        "name": _f("Application name"),
        "release_label": _f("EMR release (emr-7.1.0)"),
        "type": _f("spark or hive"),
        "architecture": _f("X86_64 or ARM64"),
        "tags": TAGS,
    },
    {
        "maximum_capacity": SectionDoc("The most the application may use at once", {
            "cpu": _f("vCPU (\"400 vCPU\")"), "memory": _f("Memory (\"3000 GB\")"), "disk": _f("Disk (\"20000 GB\")"),
        }),
        "initial_capacity": SectionDoc("Pre-initialized workers", {
            "initial_capacity_type": _f("Driver, Executor, HiveDriver or TezTask"),
        }, {"initial_capacity_config": SectionDoc("How many workers of what size", {
            "worker_count": _f("Workers", "number"),
        }, {"worker_configuration": WORKER_CONFIGURATION})}, repeated=True),
        "network_configuration": SectionDoc("The VPC the application runs in", {
            "subnet_ids": _f("Subnets", "list"),
            "security_group_ids": _f("Security groups", "list"),
        }),
        "auto_start_configuration": SectionDoc("Start when a job is submitted", {"enabled": _f("On", "bool")}),
        "auto_stop_configuration": SectionDoc("Stop when idle", {
            "enabled": _f("On", "bool"), "idle_timeout_minutes": _f("Idle minutes before stopping", "number"),
        }),
        "image_configuration": SectionDoc("A custom image", {"image_uri": _f("The image (ECR URI)")}),
        "interactive_configuration": SectionDoc("Interactive use", {
            "livy_endpoint_enabled": _f("Livy endpoint", "bool"), "studio_enabled": _f("EMR Studio", "bool"),
        }),
        "scheduler_configuration": SectionDoc("The job queue", {
            "max_concurrent_runs": _f("Jobs that run at once", "number"),
            "queue_timeout_minutes": _f("Minutes a job may wait", "number"),
        }),
        "monitoring_configuration": SectionDoc("Where logs and metrics go", {}, {
            "s3_monitoring_configuration": SectionDoc("Logs to S3", {
                "log_uri": _f("S3 prefix"), "encryption_key_arn": _f("KMS key"),
            }),
            "cloudwatch_logging_configuration": SectionDoc("Logs to CloudWatch", {
                "enabled": _f("On", "bool"), "log_group_name": _f("Log group"),
                "log_stream_name_prefix": _f("Stream prefix"), "encryption_key_arn": _f("KMS key"),
            }),
            "managed_persistence_monitoring_configuration": SectionDoc("EMR's managed log storage", {
                "enabled": _f("On", "bool"), "encryption_key_arn": _f("KMS key"),
            }),
            "prometheus_monitoring_configuration": SectionDoc("Metrics to Prometheus", {
                "remote_write_url": _f("Remote write URL"),
            }),
        }),
        "runtime_configuration": SectionDoc("Configuration classifications", {
            "classification": _f("The classification"), "properties": _f("Its properties", "map", open=True),
        }, repeated=True),
        "identity_center_configuration": SectionDoc("IAM Identity Center", {
            "identity_center_instance_arn": _f("Identity Center instance"),
        }),
    },
)

SPARK_SUBMIT = SectionDoc("A Spark job", {
    "entry_point": _f("The script or JAR"),
    "entry_point_arguments": _f("Its arguments", "list"),
    "spark_submit_parameters": _f("spark-submit options (EMR Serverless)"),
    "spark_submit_params": _f("spark-submit options (EMR on EKS)"),
})

JOB_RUN = KindDoc(
    "An EMR Serverless or EMR on EKS job run",
    ("StartJobRun requests (emr-serverless, emr-containers)", "aws_emrcontainers_job_template",
     "Step Functions startJobRun tasks"),
    {
        "name": _f("Job name"),
        "application_id": _f("The EMR Serverless application"),
        "virtual_cluster_id": _f("The EMR on EKS virtual cluster"),
        "execution_role_arn": _f("The job's role"),
        "release_label": _f("EMR release (EMR on EKS)"),
        "execution_timeout_minutes": _f("Minutes before the job is cancelled", "number"),
        "mode": _f("BATCH or STREAMING"),
        "configuration_overrides": _f("Application and monitoring configuration", "map", open=True),
        "job_tags": _f("Tags of the job runs an EMR on EKS job template starts", "map", open=True),
        "tags": TAGS,
    },
    {
        "job_driver": SectionDoc("What the job runs", {}, {
            "spark_submit": SPARK_SUBMIT,
            "spark_submit_job_driver": SPARK_SUBMIT,
            "spark_sql_job_driver": SectionDoc("A Spark SQL job (EMR on EKS)", {
                "entry_point": _f("The SQL file"), "spark_sql_parameters": _f("spark-sql options"),
            }),
            "hive": SectionDoc("A Hive job", {
                "query": _f("The query file"), "init_query_file": _f("Initialisation query"),
                "parameters": _f("Hive parameters"),
            }),
        }),
        "parameter_configuration": SectionDoc("A parameter of an EMR on EKS job template", {
            "name": _f("Its name"), "type": _f("NUMBER or STRING"), "default_value": _f("Its default"),
        }, repeated=True),
        "retry_policy": SectionDoc("Retries", {"max_attempts": _f("Attempts", "number"),
                                               "max_failed_attempts_per_hour": _f("Failures per hour", "number")}),
    },
)

SECURITY_CONFIGURATION = KindDoc(
    "An EMR security configuration",
    ("aws_emr_security_configuration", "AWS::EMR::SecurityConfiguration"),
    {
        "name": _f("Its name (what clusters refer to)"),
        "name_prefix": _f("A prefix Terraform completes into its name", formats=TERRAFORM),
        "configuration": _f("The settings as written (JSON text in Terraform)", "any"),
        "security_configuration": _f("The settings as written (CloudFormation)", "any",
                                     formats=("cloudformation",)),
        "settings": _f("The settings, decoded: EncryptionConfiguration, AuthenticationConfiguration...", "map",
                       open=True, attribute="settings"),
    },
)

MANAGED_SCALING_POLICY = KindDoc(
    "A separately declared managed scaling policy (it is also among its cluster's scaling_policies)",
    ("aws_emr_managed_scaling_policy",),
    {"cluster_id": _f("The cluster it is attached to"), **SCALING_POLICY_FIELDS},
    {"compute_limits": COMPUTE_LIMITS},
)

STEP = KindDoc(
    "A separately declared step",
    ("AWS::EMR::Step", "Step Functions addStep tasks"),
    {"name": _f("The step's name"), "action_on_failure": _f("TERMINATE_CLUSTER, CANCEL_AND_WAIT, CONTINUE..."),
     "cluster_id": _f("The cluster it runs on")},
    {"hadoop_jar_step": HADOOP_JAR_STEP},
)

BLOCK_PUBLIC_ACCESS = KindDoc(
    "EMR block public access for the account and region",
    ("aws_emr_block_public_access_configuration", "PutBlockPublicAccessConfiguration requests"),
    {"block_public_security_group_rules": _f("Block security groups open to the internet", "bool")},
    {"permitted_public_security_group_rule_range": SectionDoc("Ports that may still be open", {
        "min_range": _f("First port", "number"), "max_range": _f("Last port", "number"),
    }, repeated=True)},
)

SECURITY_GROUP = KindDoc(
    "A security group (emrlint reads its ingress rules)",
    ("aws_security_group", "AWS::EC2::SecurityGroup"),
    {"name": _f("Its name"), "name_prefix": _f("A prefix Terraform completes into its name", formats=TERRAFORM),
     "description": _f("Description"), "vpc_id": _f("VPC"),
     "revoke_rules_on_delete": _f("Revoke its rules before deleting it", "bool", formats=TERRAFORM), "tags": TAGS},
    {"ingress": SectionDoc("An inline ingress rule", {
        "from_port": _f("First port", "number"), "to_port": _f("Last port", "number"),
        "protocol": _f("Protocol"), "cidr_blocks": _f("IPv4 ranges", "list"),
        "ipv6_cidr_blocks": _f("IPv6 ranges", "list"), "security_groups": _f("Source security groups", "list"),
        "description": _f("Description"),
    }, repeated=True), "egress": SectionDoc("An inline egress rule", {
        "from_port": _f("First port", "number"), "to_port": _f("Last port", "number"),
        "protocol": _f("Protocol"), "cidr_blocks": _f("IPv4 ranges", "list"),
        "ipv6_cidr_blocks": _f("IPv6 ranges", "list"), "security_groups": _f("Destination security groups", "list"),
        "description": _f("Description"),
    }, repeated=True)},
)

SUBNET = KindDoc(
    "A subnet",
    ("aws_subnet", "AWS::EC2::Subnet"),
    {"vpc_id": _f("VPC"), "cidr_block": _f("IPv4 range"), "availability_zone": _f("Availability zone"),
     "map_public_ip_on_launch": _f("Instances get public IP addresses", "bool"), "tags": TAGS},
)

STATE_MACHINE = KindDoc(
    "A Step Functions state machine that starts EMR work",
    ("aws_sfn_state_machine", "AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine",
     "ASL definitions"),
    {"name": _f("Its name"), "role_arn": _f("Its role"), "type": _f("STANDARD or EXPRESS"),
     "definition": _f("The state machine's definition (ASL, JSON text in Terraform)", "any"), "tags": TAGS},
)

KINDS: Dict[str, KindDoc] = {
    "cluster": CLUSTER,
    "instance_group": INSTANCE_GROUP,
    "instance_fleet": INSTANCE_FLEET,
    "serverless_application": SERVERLESS_APPLICATION,
    "job_run": JOB_RUN,
    "security_configuration": SECURITY_CONFIGURATION,
    "managed_scaling_policy": MANAGED_SCALING_POLICY,
    "step": STEP,
    "block_public_access": BLOCK_PUBLIC_ACCESS,
    "security_group": SECURITY_GROUP,
    "subnet": SUBNET,
    "state_machine": STATE_MACHINE,
}
