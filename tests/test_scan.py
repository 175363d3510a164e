"""Scans of whole trees: robustness, modules, references, suppressions, configuration."""

from __future__ import annotations

import os
import stat

import pytest

from emrlint.config import load_config, selected_rules
from emrlint.discovery import UsageError


CLUSTER_NO_LOG = '''
resource "aws_emr_cluster" "c" {
  name          = "c"
  release_label = "emr-7.1.0"
  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
'''


def test_malformed_file_is_one_finding_and_the_scan_goes_on(tf):
    got = tf({
        "a/broken.tf": 'resource "aws_emr_cluster" "x" {\n  name = "x"\n  log_uri = \n}\n',
        "b/main.tf": CLUSTER_NO_LOG,
    })
    assert ("EMR001", "a/broken.tf", 3) in got
    assert ("EMR301", "b/main.tf", 2) in got
    assert [g for g in got if g[0] == "EMR001"] == [("EMR001", "a/broken.tf", 3)]


def test_unclosed_block_points_at_end_of_file(tf):
    got = tf({"main.tf": 'resource "aws_emr_cluster" "x" {\n  name = "x"\n'}, full=True)
    (f,) = [f for f in got if f.rule == "EMR001"]
    assert f.loc.line == 2 and "end of file" in f.message


def test_binary_empty_invalid_utf8_and_unreadable_files_never_crash(tf, tmp_path):
    files = {
        "bin/main.tf": b"aws_emr\x00\x01\x02\xff",
        "empty/main.tf": "",
        "latin1/main.tf": 'resource "aws_emr_cluster" "x" {\n  name = "caf\xe9"\n}\n'.encode("latin-1"),
        "ok/main.tf": CLUSTER_NO_LOG,
        "locked/main.tf": CLUSTER_NO_LOG,
    }
    from conftest import write_tree

    write_tree(str(tmp_path), files)
    locked = tmp_path / "locked" / "main.tf"
    os.chmod(locked, 0)
    try:
        got = tf({})
    finally:
        os.chmod(locked, stat.S_IRUSR | stat.S_IWUSR)
    rules = {(r, p) for r, p, _ in got}
    assert ("EMR001", "bin/main.tf") in rules
    assert ("EMR001", "latin1/main.tf") in [(r, p) for r, p, _ in got]
    assert ("EMR001", "latin1/main.tf", 2) in got  # the line of the bad byte
    assert ("EMR301", "ok/main.tf") in rules
    assert not [g for g in got if g[1] == "empty/main.tf"]
    if os.geteuid() != 0:  # root can read anything
        assert ("EMR001", "locked/main.tf") in rules


def test_explicit_files_load_their_module_but_report_only_themselves(tf, tmp_path):
    files = {
        "main.tf": CLUSTER_NO_LOG,
        "variables.tf": 'variable "x" {\n  default = "emr-7"\n}\n',
        "other.tf": 'resource "aws_emrserverless_application" "a" {\n  name = "a"\n  release_label = var.x\n  type = "spark"\n}\n',
    }
    got = tf(files, paths=["variables.tf"])
    # the unpinned default lives in variables.tf: reported; main.tf and other.tf's other findings are not
    assert got == [("EMR201", "variables.tf", 2)]


def test_module_inputs_outputs_and_attached_groups(tf):
    files = {
        "main.tf": '''
            module "emr" {
              source  = "./modules/cluster"
              log_uri = "s3://logs/emr/"
            }
            resource "aws_emr_instance_group" "task" {
              cluster_id     = module.emr.cluster_id
              instance_type  = "r6g.2xlarge"
              instance_count = 4
              bid_price      = "0.35"
            }
        ''',
        "modules/cluster/main.tf": '''
            variable "log_uri" {
              type    = string
              default = null
            }
            resource "aws_emr_cluster" "this" {
              name          = "c"
              release_label = "emr-7.1.0"
              log_uri       = var.log_uri
              master_instance_group {
                instance_type = "m6g.xlarge"
              }
              core_instance_group {
                instance_type = "r6g.2xlarge"
              }
            }
            output "cluster_id" {
              value = aws_emr_cluster.this.id
            }
        ''',
    }
    assert tf(files) == []


def test_remote_module_found_through_modules_json(tf):
    files = {
        "main.tf": '''
            module "emr" {
              source  = "terraform-aws-modules/emr/aws"
              version = "2.1.0"
              name    = "from-registry"
            }
        ''',
        ".terraform/modules/modules.json": '{"Modules":[{"Key":"","Source":"","Dir":"."},'
                                           '{"Key":"emr","Source":"registry.terraform.io/terraform-aws-modules/emr/aws",'
                                           '"Version":"2.1.0","Dir":".terraform/modules/emr"}]}',
        ".terraform/modules/emr/main.tf": '''
            variable "name" {}
            variable "log_uri" {
              default = null
            }
            resource "aws_emr_cluster" "this" {
              name          = var.name
              release_label = "emr-7.1.0"
              log_uri       = var.log_uri
            }
        ''',
    }
    got = tf(files, full=True)
    assert [(f.rule, f.resource) for f in got] == [("EMR301", "module.emr.aws_emr_cluster.this")]
    assert got[0].call_sites[0].address == "module.emr"


def test_remote_module_without_init_is_unknown(tf):
    assert tf({"main.tf": 'module "emr" {\n  source = "git::https://example.com/emr.git"\n}\n'}) == []


def test_release_label_from_data_source_points_at_the_local(tf):
    files = {"main.tf": '''
        data "aws_emr_release_labels" "latest" {}
        locals {
          label = data.aws_emr_release_labels.latest.release_labels[0]
        }
        resource "aws_emrserverless_application" "a" {
          name          = "a"
          release_label = local.label
          type          = "spark"
          maximum_capacity {
            cpu    = "4 vCPU"
            memory = "16 GB"
          }
        }
    '''}
    assert tf(files) == [("EMR201", "main.tf", 4)]


def test_count_and_for_each(tf):
    files = {"main.tf": '''
        variable "envs" {
          default = ["dev", "prod"]
        }
        variable "enabled" {}
        resource "aws_emr_cluster" "per_env" {
          for_each      = toset(var.envs)
          name          = "c-${each.key}"
          release_label = "emr-7.1.0"
          log_uri       = each.key == "prod" ? "s3://logs/prod/" : null
        }
        resource "aws_emr_cluster" "maybe" {
          count         = var.enabled ? 1 : 0
          name          = "maybe"
          release_label = "emr-7.1.0"
        }
        resource "aws_emr_cluster" "never" {
          count         = 0
          name          = "never"
          release_label = "emr-7.1.0"
        }
    '''}
    got = tf(files, full=True)
    assert sorted((f.rule, f.resource) for f in got) == [
        ("EMR301", 'aws_emr_cluster.maybe'),
        ("EMR301", 'aws_emr_cluster.per_env["dev"]'),
    ]


def test_terraform_json_syntax(tf):
    files = {"main.tf.json": '''{
          "variable": {"label": {"default": "emr-7.x"}},
          "resource": {
            "aws_emr_cluster": {
              "spark": {
                "name": "spark",
                "release_label": "${var.label}",
                "log_uri": "s3://logs/",
                "core_instance_group": {"instance_type": "r6g.xlarge", "bid_price": "0.2"}
              }
            }
          }
        }'''}
    got = tf(files)
    assert got == [("EMR201", "main.tf.json", 2)]  # the variable default


SUPPRESSED = '''
# emrlint:ignore EMR301 logs are shipped by the fluent-bit bootstrap action
resource "aws_emr_cluster" "a" {
  name          = "a"
  release_label = "emr-7" # emrlint:ignore EMR201 pinned by the AMI; reason here
  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}

resource "aws_emr_cluster" "b" {
  name = "b"
  # emrlint:ignore EMR201
  release_label = "latest"
  # emrlint:ignore EMR999 typo
  log_uri = "s3://logs/"
}
'''


def test_suppressions(tf):
    got = tf({"main.tf": SUPPRESSED})
    assert got == [("EMR002", "main.tf", 13), ("EMR002", "main.tf", 15)]


def test_suppression_above_module_call_silences_its_findings(tf):
    files = {
        "main.tf": '# emrlint:ignore EMR301 logs go to CloudWatch through the agent\nmodule "c" {\n  source = "./m"\n}\n',
        "m/main.tf": CLUSTER_NO_LOG,
    }
    assert tf(files) == []


def test_select_ignore_and_severity(tf, tmp_path):
    files = {"main.tf": CLUSTER_NO_LOG.replace('"emr-7.1.0"', '"emr-7"')}
    assert {r for r, _, _ in tf(files)} == {"EMR201", "EMR301"}
    assert {r for r, _, _ in tf(files, select=["EMR3"])} == {"EMR301"}
    assert {r for r, _, _ in tf(files, select=["release-label-unpinned"])} == {"EMR201"}
    got = tf(files, full=True, severity={"EMR301": "error"})
    assert {f.rule: f.severity for f in got} == {"EMR201": "error", "EMR301": "error"}


def test_config_file_and_exclude(tf, tmp_path):
    (tmp_path / ".emrlint.yaml").write_text("ignore: [EMR201]\nexclude: [legacy/]\n")
    cfg = load_config(str(tmp_path / ".emrlint.yaml"))
    files = {"main.tf": CLUSTER_NO_LOG.replace('"emr-7.1.0"', '"emr-7"'), "legacy/main.tf": CLUSTER_NO_LOG}
    got = tf(files)
    assert ("EMR301", "legacy/main.tf", 2) in got
    from emrlint.engine import ScanOptions, scan

    found = scan(ScanOptions(paths=["."], rules=selected_rules(["EMR2", "EMR301"], cfg.ignore),
                             excludes=[(cfg.exclude, cfg.base_dir)])).findings
    assert [(f.rule, os.path.relpath(f.loc.path)) for f in found] == [("EMR301", "main.tf")]


@pytest.mark.parametrize("text,line,needle", [
    ("select: [EMR1]\nfail_onn: error\n", 2, "unknown key 'fail_onn'"),
    ("params:\n  EMR102:\n    min_spot_shar: 0.5\n", 3, "unknown parameter 'min_spot_shar'"),
    ("params:\n  EMR102:\n    min_spot_share: lots\n", 3, "expected a number"),
    ("select: [EMR9]\n", 1, "unknown rule 'EMR9'"),
    ("severity:\n  EMR301: fatal\n", 2, "expected one of"),
    ("select: [\n", 2, "YAML syntax error"),
])
def test_config_errors_name_the_key_and_line(tmp_path, text, line, needle):
    path = tmp_path / ".emrlint.yaml"
    path.write_text(text)
    with pytest.raises(UsageError) as exc:
        load_config(str(path))
    assert f".emrlint.yaml:{line}:" in str(exc.value)
    assert needle in str(exc.value)


def test_pyproject_config(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n\n[tool.emrlint]\nignore = ["EMR102"]\n\n'
                    '[tool.emrlint.params.EMR102]\nmin_spot_share = 0.25\nbogus = 1\n')
    with pytest.raises(UsageError) as exc:
        load_config(str(path))
    assert "pyproject.toml:9:" in str(exc.value) and "bogus" in str(exc.value)
    path.write_text('[tool.emrlint]\nignore = ["EMR102"]\n\n[tool.emrlint.params.EMR102]\nmin_spot_share = 0.25\n')
    cfg = load_config(str(path))
    assert cfg.ignore == ["EMR102"] and cfg.params == {"EMR102": {"min_spot_share": 0.25}}


def test_min_spot_share_param(tf):
    files = {"main.tf": '''
        resource "aws_emr_cluster" "c" {
          name          = "c"
          release_label = "emr-7.1.0"
          log_uri       = "s3://logs/"
          core_instance_fleet {
            target_on_demand_capacity = 8
            target_spot_capacity      = 2
          }
        }
    '''}
    assert tf(files) == []
    assert tf(files, params={"EMR102": {"min_spot_share": 0.5}}) == [("EMR102", "main.tf", 8)]


def test_var_file_and_cli_var(tf, tmp_path):
    files = {
        "main.tf": 'variable "label" {}\nresource "aws_emr_cluster" "c" {\n  name = "c"\n  release_label = var.label\n'
                   '  log_uri = "s3://l/"\n}\n',
        "env/prod.tfvars": 'label = "emr-7"\n',
    }
    assert tf(files) == []  # unknown without a value
    assert tf(files, var_files=[str(tmp_path / "env/prod.tfvars")]) == [("EMR201", "env/prod.tfvars", 1)]
    assert tf(files, vars=[("label", "latest")]) == [("EMR201", "main.tf", 1)]


def test_configurations_json_is_decoded_into_the_model(tmp_path, monkeypatch):
    from conftest import write_tree
    from emrlint.model import Model, classification_properties
    from emrlint.sources import Boundary, Sources
    from emrlint.terraform.build import build_model
    from emrlint.terraform.project import Options, TerraformProject
    from emrlint.values import Unknown

    monkeypatch.chdir(tmp_path)
    write_tree(str(tmp_path), {"main.tf": '''
        variable "max_executors" {}
        resource "aws_emr_cluster" "heredoc" {
          name = "h"
          configurations_json = <<EOF
          [
            {"Classification": "spark-defaults",
             "Properties": {"spark.dynamicAllocation.maxExecutors": "${var.max_executors}",
                            "spark.executor.memory": "8g"}},
            {"Classification": "hadoop-env", "Configurations": [
              {"Classification": "export", "Properties": {"JAVA_HOME": "/usr/lib/jvm/java-17"}}]}
          ]
        EOF
        }
        resource "aws_emr_cluster" "encoded" {
          name = "e"
          configurations_json = jsonencode([
            { Classification = "spark-defaults", Properties = { "spark.executor.cores" = "4" } }
          ])
        }
    '''})
    project = TerraformProject([str(tmp_path / "main.tf")], Sources(Boundary([str(tmp_path)])), Options())
    model = Model()
    build_model(project, model)
    clusters = {c.address: c for c in model.of_kind("cluster")}
    heredoc = clusters["aws_emr_cluster.heredoc"].configurations
    props = classification_properties(heredoc.value, "spark-defaults")
    assert props["spark.executor.memory"] == "8g"
    assert isinstance(props["spark.dynamicAllocation.maxExecutors"], Unknown)
    assert classification_properties(heredoc.value, "export") == {"JAVA_HOME": "/usr/lib/jvm/java-17"}
    assert heredoc.attr_loc.line == 5
    encoded = clusters["aws_emr_cluster.encoded"].configurations
    assert classification_properties(encoded.value, "spark-defaults") == {"spark.executor.cores": "4"}


def test_two_root_modules_calling_one_module_each_get_its_finding(tf):
    module = '''
    variable "name" {}
    resource "aws_emr_cluster" "this" {
      name          = var.name
      release_label = "emr-7.1.0"
      master_instance_group {
        instance_type = "m6g.xlarge"
      }
    }
    '''
    call = 'module "etl" {\n  source = "../mod"\n  name   = "%s"\n}\n'
    got = tf({"mod/main.tf": module, "dev/main.tf": call % "dev", "prod/main.tf": call % "prod"},
             select=["EMR301"], full=True)
    assert sorted((f.loc.path.rsplit("/", 2)[-2:][0], f.loc.line, f.call_sites[0].loc.path.rsplit("/", 2)[-2])
                  for f in got) == [("mod", 3, "dev"), ("mod", 3, "prod")]


def test_cluster_that_may_not_exist_is_checked_as_if_it_exists(tf):
    files = {"main.tf": '''
    variable "enabled" {
      type = bool
    }
    resource "aws_emr_cluster" "c" {
      count         = var.enabled ? 1 : 0
      name          = "c"
      release_label = "emr-7.1.0"
      log_uri       = "s3://logs/emr/"
      master_instance_group {
        instance_type = "m6g.xlarge"
      }
      core_instance_group {
        instance_type  = "r6g.2xlarge"
        instance_count = 4
      }
    }
    module "optional" {
      source  = "./mod"
      count   = var.enabled ? 1 : 0
    }
    ''', "mod/main.tf": '''
    resource "aws_emr_cluster" "m" {
      name          = "m"
      release_label = "emr-7.1.0"
      master_instance_group {
        instance_type = "m6g.xlarge"
      }
      core_instance_group {
        instance_type  = "r6g.2xlarge"
      }
    }
    '''}
    got = tf(files, select=["EMR102", "EMR301"], full=True)
    # EMR102 on instance groups points at the cluster's first line (where a Spot task group is added)
    assert sorted((f.rule, "/".join(f.loc.path.split("/")[-2:]), f.loc.line) for f in got if "/mod/" in f.loc.path) == [
        ("EMR102", "mod/main.tf", 2), ("EMR301", "mod/main.tf", 2)]
    assert [(f.rule, f.loc.line) for f in got if "/mod/" not in f.loc.path] == [("EMR102", 5)]
    by = {(f.rule, f.resource): f.message for f in got}
    assert set(by) == {("EMR102", "aws_emr_cluster.c"), ("EMR102", "module.optional.aws_emr_cluster.m"),
                       ("EMR301", "module.optional.aws_emr_cluster.m")}
    assert by["EMR102", "aws_emr_cluster.c"].endswith(
        "This applies if aws_emr_cluster.c is created: its count cannot be evaluated.")
    assert by["EMR301", "module.optional.aws_emr_cluster.m"].endswith(
        "This applies if module.optional.aws_emr_cluster.m is created: the count of module.optional cannot be evaluated.")


def test_same_address_twice_in_a_module_directory_is_emr004_and_both_are_checked(tf):
    cluster = '''
    resource "aws_emr_cluster" "c" {
      name          = "c"
      release_label = "%s"
      master_instance_group {
        instance_type = "m6g.xlarge"
      }
    }
    '''
    call = 'module "jobs" {\n  source = "./mod"\n  label  = "%s"\n}\n'
    module = ('variable "label" {}\nresource "aws_emrserverless_application" "a" {\n  name = "a"\n'
              '  type = "spark"\n  release_label = var.label\n}\n')
    got = tf({"b.tf": cluster % "emr-7" + call % "emr-6.x", "a.tf": cluster % "latest" + call % "emr-7.1.0",
              "mod/main.tf": module}, select=["EMR004", "EMR201"])
    assert got == [("EMR201", "a.tf", 4), ("EMR004", "b.tf", 2), ("EMR201", "b.tf", 4), ("EMR004", "b.tf", 9),
                   ("EMR201", "b.tf", 11)]


def test_override_files_merge_into_their_declarations_and_are_not_duplicates(tf):
    files = {
        "main.tf": '''
        variable "label" {
          default = "emr-7.1.0"
        }
        resource "aws_emr_cluster" "c" {
          name          = "c"
          release_label = var.label
          master_instance_group {
            instance_type = "m6g.xlarge"
          }
          core_instance_group {
            instance_type = "r6g.xlarge"
            bid_price     = "0.30"
          }
        }
        ''',
        "z_override.tf": '''
        variable "label" {
          default = "emr-7"
        }
        resource "aws_emr_cluster" "c" {
          core_instance_group {
            instance_type = "r6g.xlarge"
          }
        }
        ''',
    }
    got = tf(files, select=["EMR004", "EMR102", "EMR201", "EMR301"])
    # the override's default and its core group (On-Demand) replace main.tf's; log_uri stays missing
    assert got == [("EMR102", "main.tf", 5), ("EMR301", "main.tf", 5), ("EMR201", "z_override.tf", 3)]
