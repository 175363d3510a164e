"""The Terraform evaluator: values, unknowns and origins, through real module directories."""

from __future__ import annotations

import os


from emrlint.sources import Boundary, Sources
from emrlint.terraform.project import Options, TerraformProject
from emrlint.values import Unknown

from conftest import write_tree


def evaluate_locals(tmp_path, files, var_files=(), cli_vars=()):
    write_tree(str(tmp_path), files)
    paths = [os.path.join(str(tmp_path), p) for p in files if p.endswith((".tf", ".tfvars"))]
    project = TerraformProject(paths, Sources(Boundary([str(tmp_path)], var_files)), Options(var_files, cli_vars))
    mdir = project.module_dir(str(tmp_path))
    from emrlint.terraform.module import ModuleInstance

    inst = ModuleInstance(project, mdir, root_values=project.root_values(str(tmp_path), mdir))
    return inst, project


def local(tmp_path, body, **kw):
    inst, _ = evaluate_locals(tmp_path, {"main.tf": body}, **kw)
    return lambda name: inst.local_value(name)


def test_literals_interpolation_and_operators(tmp_path):
    get = local(tmp_path, '''
        locals {
          n     = 3
          s     = "emr-${local.n}.${1 + 1}.0"
          b     = local.n > 2 && !false
          cond  = local.b ? "yes" : "no"
          neg   = -local.n * 2
          f     = 1.5
          list  = [1, "two", true, null]
          obj   = { a = 1, "b-c" = 2, (local.cond) = 3 }
          esc   = "a\\"b $${literal} %%{x}"
        }
    ''')
    assert get("s") == "emr-3.2.0"
    assert get("b") is True
    assert get("cond") == "yes"
    assert get("neg") == -6
    assert get("f") == 1.5
    assert get("list") == [1, "two", True, None]
    assert get("obj") == {"a": 1, "b-c": 2, "yes": 3}
    assert get("esc") == 'a"b ${literal} %{x}'


def test_unknown_variable_propagates_and_keeps_known_parts(tmp_path):
    get = local(tmp_path, '''
        variable "bucket" {}
        locals {
          uri   = "s3://${var.bucket}/logs/"
          cond  = var.bucket == "x" ? 1 : 2
          same  = var.bucket == "x" ? "a" : "a"
          short = false && var.bucket == "x"
          n     = length([var.bucket, 1])
        }
    ''')
    uri = get("uri")
    assert isinstance(uri, Unknown) and uri.parts[0] == "s3://" and uri.parts[-1] == "/logs/"
    assert isinstance(get("cond"), Unknown)
    assert get("same") == "a"
    assert get("short") is False
    assert get("n") == 2


def test_for_expressions_splat_and_templates(tmp_path):
    get = local(tmp_path, '''
        locals {
          groups = [{ name = "a", spot = true }, { name = "b", spot = false }]
          names  = [for g in local.groups : upper(g.name) if g.spot]
          by     = { for g in local.groups : g.name => g.spot }
          grp    = { for g in local.groups : g.spot => g.name... }
          splat  = local.groups[*].name
          tmpl   = "%{ for g in local.groups }${g.name},%{ endfor }"
          iff    = "%{ if length(local.groups) > 1 }many%{ else }few%{ endif }"
          heredoc = <<-EOT
            [{"Classification": "spark-defaults",
              "Properties": {"spark.executor.memory": "${local.mem}"}}]
          EOT
          mem    = "4g"
          conf   = jsondecode(local.heredoc)
        }
    ''')
    assert get("names") == ["A"]
    assert get("by") == {"a": True, "b": False}
    assert get("grp") == {"true": ["a"], "false": ["b"]}
    assert get("splat") == ["a", "b"]
    assert get("tmpl") == "a,b,"
    assert get("iff") == "many"
    assert get("conf")[0]["Properties"]["spark.executor.memory"] == "4g"


def test_heredoc_with_unknown_interpolation_still_decodes(tmp_path):
    get = local(tmp_path, '''
        variable "mem" {}
        locals {
          conf = jsondecode(<<EOF
        [{"Classification": "spark-defaults", "Properties": {"spark.executor.memory": "${var.mem}", "a": "b"}}]
        EOF
          )
        }
    ''')
    conf = get("conf")
    assert conf[0]["Properties"]["a"] == "b"
    assert isinstance(conf[0]["Properties"]["spark.executor.memory"], Unknown)


def test_try_can_lookup_coalesce_merge(tmp_path):
    get = local(tmp_path, '''
        locals {
          m     = { a = 1 }
          t     = try(local.m.missing, "fallback")
          c     = can(local.m.missing)
          l     = lookup(local.m, "a", 0)
          co    = coalesce(null, "", "x")
          mg    = merge({ a = 1, b = 2 }, { b = 3 })
          legacy = "${lookup(local.m, "a")}"
        }
    ''')
    assert get("t") == "fallback"
    assert get("c") is False
    assert get("l") == 1
    assert get("co") == "x"
    assert get("mg") == {"a": 1, "b": 3}
    assert get("legacy") == 1


def test_variable_precedence_tfvars_auto_and_cli(tmp_path):
    files = {
        "main.tf": '''
            variable "a" { default = "default" }
            variable "b" { default = "default" }
            variable "c" { default = "default" }
            variable "d" { default = "default" }
            variable "n" { type = number }
            locals { all = [var.a, var.b, var.c, var.d, var.n] }
        ''',
        "terraform.tfvars": 'a = "tfvars"\nb = "tfvars"\nc = "tfvars"\n',
        "z.auto.tfvars": 'b = "auto"\nc = "auto"\n',
        "extra.tfvars": 'c = "varfile"\n',
    }
    inst, _ = evaluate_locals(tmp_path, files, var_files=[str(tmp_path / "extra.tfvars")], cli_vars=[("n", "5")])
    assert inst.local_value("all") == ["tfvars", "auto", "varfile", "default", 5]


def test_optional_object_attributes_get_defaults(tmp_path):
    get = local(tmp_path, '''
        variable "cluster" {
          type = object({
            name    = string
            log_uri = optional(string)
            count   = optional(number, 3)
          })
          default = { name = "x" }
        }
        locals { c = var.cluster }
    ''')
    assert get("c") == {"name": "x", "log_uri": None, "count": 3}


def test_cycles_and_errors_are_unknown(tmp_path):
    get = local(tmp_path, '''
        locals {
          a = local.b
          b = local.a
          e = {}.missing
          d = data.aws_emr_release_labels.x.release_labels[0]
        }
    ''')
    assert isinstance(get("a"), Unknown)
    assert isinstance(get("e"), Unknown)
    d = get("d")
    assert isinstance(d, Unknown) and "data.aws_emr_release_labels.x" in d.refs


def test_resource_references(tmp_path):
    get = local(tmp_path, '''
        resource "aws_s3_object" "script" {
          bucket = "acme"
          key    = "bootstrap/install.sh"
        }
        resource "aws_emr_cluster" "c" {
          count = 2
          name  = "c${count.index}"
        }
        locals {
          path = "s3://${aws_s3_object.script.bucket}/${aws_s3_object.script.key}"
          id   = aws_s3_object.script.id
          names = aws_emr_cluster.c[*].name
          cid  = aws_emr_cluster.c[1].id
        }
    ''')
    assert get("path") == "s3://acme/bootstrap/install.sh"
    assert get("id").refs == frozenset({"aws_s3_object.script"})
    assert get("names") == ["c0", "c1"]
    assert get("cid").refs == frozenset({"aws_emr_cluster.c[1]"})


def test_templatefile_and_file(tmp_path):
    files = {
        "main.tf": '''
            locals {
              rendered = templatefile("${path.module}/tpl/conf.json.tpl", { mem = "8g", extra = ["a", "b"] })
              conf     = jsondecode(local.rendered)
              raw      = file("${path.module}/tpl/plain.txt")
              outside  = file("/etc/hostname")
            }
        ''',
        "tpl/conf.json.tpl": '{"mem": "${mem}", "esc": "$${keep}", "x": [%{ for e in extra }"${e}",%{ endfor }"z"]}',
        "tpl/plain.txt": "hello\n",
    }
    inst, _ = evaluate_locals(tmp_path, files)
    assert inst.local_value("conf") == {"mem": "8g", "esc": "${keep}", "x": ["a", "b", "z"]}
    assert inst.local_value("raw") == "hello\n"
    assert isinstance(inst.local_value("outside"), Unknown)


def test_file_functions_answer_unknown_outside_the_scanned_directory(tmp_path):
    """The boundary is the scanned directory's real path: absolute paths, ``..``, links to
    files and directories outside and a ``..`` after a link are all unknown, never read,
    never answered from the file system (fileexists would tell what exists outside)."""
    outside = tmp_path / "outside"
    write_tree(str(outside), {"secret.txt": "s3cr3t\n", "tpl.sh": "pip install ${pkg}\n", "sub/x.txt": "x\n"})
    tree = tmp_path / "tree"
    files = {
        "main.tf": f'''
            locals {{
              absolute     = file("{outside}/secret.txt")
              dotdot       = file("${{path.module}}/../outside/secret.txt")
              linked       = file("${{path.module}}/link.txt")
              via_dir_link = file("${{path.module}}/out/secret.txt")
              after_link   = file("${{path.module}}/out/../outside/secret.txt")
              template     = templatefile("${{path.module}}/tpl.sh", {{ pkg = "x" }})
              exists_out   = fileexists("{outside}/secret.txt")
              exists_link  = fileexists("${{path.module}}/link.txt")
              missing_in   = fileexists("${{path.module}}/nothing.txt")
              set_out      = fileset("{outside}", "*")
              set_dir_link = fileset("${{path.module}}/out", "*")
              set_linked   = fileset(path.module, "*.txt")
              set_deep     = fileset(path.module, "**/*.sh")
              inside       = file("${{path.module}}/conf/inside.txt")
              set_inside   = fileset("${{path.module}}/conf", "**")
            }}
        ''',
        "conf/inside.txt": "fine\n",
        "conf/nested/b.txt": "b\n",
    }
    write_tree(str(tree), files)
    os.symlink(str(outside / "secret.txt"), str(tree / "link.txt"))
    os.symlink(str(outside), str(tree / "out"))
    os.symlink(str(outside / "tpl.sh"), str(tree / "tpl.sh"))
    inst, project = evaluate_locals(tree, {})
    for name in ("absolute", "dotdot", "linked", "via_dir_link", "after_link", "template", "exists_out",
                 "exists_link", "set_out", "set_dir_link", "set_linked", "set_deep"):
        assert isinstance(inst.local_value(name), Unknown), name
    assert inst.local_value("missing_in") is False
    assert inst.local_value("inside") == "fine\n"
    assert inst.local_value("set_inside") == ["inside.txt", "nested/b.txt"]
    read = [project.sources.content(p) for p in project.sources.read_paths()]
    assert b"fine\n" in read and not [data for data in read if data and (b"s3cr3t" in data or b"pip" in data)]


def test_fileset_does_not_follow_link_loops(tmp_path):
    """Two links back up the tree made Python's recursive glob run for hours; fileset()
    never follows a link, so the answer is unknown at once."""
    write_tree(str(tmp_path), {"main.tf": 'locals {\n  all = fileset(path.module, "**")\n}\n', "a/x.sh": "x\n"})
    os.symlink("..", str(tmp_path / "a" / "up"))
    os.symlink("..", str(tmp_path / "a" / "up2"))
    inst, _ = evaluate_locals(tmp_path, {})
    assert isinstance(inst.local_value("all"), Unknown)


def test_origins_follow_variables_locals_and_literals(tmp_path):
    files = {
        "main.tf": '''
            variable "cfg" {
              default = {
                label = "emr-7"
              }
            }
            locals {
              label = var.cfg.label
            }
            resource "aws_emr_cluster" "c" {
              release_label = local.label
            }
        ''',
    }
    inst, _ = evaluate_locals(tmp_path, files)
    from emrlint.terraform.module import TerraformSection

    block = inst.mdir.resources[("aws_emr_cluster", "c")]
    field = TerraformSection(block.body, inst.scope, block.loc).field("release_label")
    assert field.value == "emr-7"
    assert field.attr_loc.line == 11
    assert field.origin.line == 4  # the literal inside the variable default


def test_fileset_lists_files_below_the_module(tmp_path):
    files = {
        "main.tf": 'locals {\n  scripts = fileset("${path.module}/scripts", "**/*.sh")\n'
                   '  none = fileset("${path.module}/missing", "*")\n}\n',
        "scripts/a.sh": "echo a\n",
        "scripts/nested/b.sh": "echo b\n",
        "scripts/readme.md": "x\n",
    }
    inst, _ = evaluate_locals(tmp_path, files)
    assert inst.local_value("scripts") == ["a.sh", "nested/b.sh"]
    assert isinstance(inst.local_value("none"), Unknown)
