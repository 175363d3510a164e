"""A bootstrap action installs software that is not pinned, or fetches its script over HTTP.

Bootstrap actions run on every node when it joins the cluster, including
nodes added by scaling hours after the cluster started. `pip install pandas`
installs whatever pandas is newest *at that moment*, so two nodes of one cluster
can run different library versions, and next week's cluster differs from
today's. Scripts fetched over `http(s)://` can change (or disappear) under you.

## What fires

* a bootstrap action whose `path` is an `http://` or `https://` URL instead of
  an S3 object (also when the rest of the URL is not known, as in
  `"https://${var.host}/bootstrap.sh"`: its known start is the scheme);
* args that install packages without an exact version: `pip install pandas`,
  `pip install -U x`, `yum install -y x`, `conda install x`, `npm install x`
  without `@version`;
* args that pass package specs to an install script (a script whose name
  mentions pip, install, packages, libs or requirements) without `==` pins, such
  as `numpy` or `pandas>=2`;
* when the script is a file in the scanned tree (uploaded by an `aws_s3_object`
  or `aws_s3_bucket_object` whose `key` matches the path and whose `source` is a
  local file, or whose `content` is `file(...)`/`templatefile(...)`): each
  offending command *in the script*, reported in the script at the command's
  first line: unpinned `pip install` (also `python -m pip`, and `-r` files in
  the tree with unpinned lines), `--upgrade`/`-U` with unpinned requirements,
  `yum`/`dnf`/`apt-get install` without versions, `curl|wget ... | sh`,
  `git clone` without a pinned ref, downloads of `latest` URLs. The message names
  the bootstrap action that runs the script.

Scripts are read with a shell tokenizer (quoting, line continuations, `&&`
chains, heredoc bodies, comments), not by matching raw lines.

## What does not fire

* a script that is not in the scanned tree, a `-r` file that is not in the
  tree, or an install whose package list is unknown (a variable, a template
  placeholder, a constraints file `-c`): unknown is never unpinned;
* `echo "pip install x"`, comments, heredoc bodies; IMDS calls such as
  `curl http://169.254.169.254/latest/meta-data/...`.

## How to fix

Pin every package (`pandas==2.2.2`, `yum install -y htop-2.2.0`), install from a
requirements file with `==` pins (ideally with hashes), and keep bootstrap
scripts in S3 (or better, bake them into a custom AMI).

## Failing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "spark"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/spark/"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_fleet {
    target_on_demand_capacity = 2
    target_spot_capacity      = 4
    instance_type_configs {
      instance_type = "r6g.2xlarge"
    }
  }

  bootstrap_action {
    name = "python-libs"
    path = "s3://acme-emr-artifacts/bootstrap/run-command.sh"
    args = ["sudo pip3 install pandas pyarrow"]
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "spark"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/spark/"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_fleet {
    target_on_demand_capacity = 2
    target_spot_capacity      = 4
    instance_type_configs {
      instance_type = "r6g.2xlarge"
    }
  }

  bootstrap_action {
    name = "python-libs"
    path = "s3://acme-emr-artifacts/bootstrap/run-command.sh"
    args = ["sudo pip3 install pandas==2.2.2 pyarrow==16.1.0"]
  }
}
```

## References

* [Create bootstrap actions to install additional software](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-bootstrap.html)
* [pip: repeatable installs](https://pip.pypa.io/en/stable/topics/repeatable-installs/)
"""

import os

from emrlint.bootstrap import analyze_args, analyze_script, is_http_url
from emrlint.findings import Loc
from emrlint.rulekit import Problem, quote
from emrlint.values import shown

ID = "EMR202"
NAME = "bootstrap-action-not-reproducible"
SEVERITY = "warning"
KIND = "cluster"


def _action_name(action, index):
    name = action.section.field("name").value
    return quote(name) if isinstance(name, str) and name else f"#{index + 1}"


def check(cluster, ctx):
    for index, action in enumerate(cluster.bootstrap_actions):
        path_f = action.section.field("path")
        args_f = action.section.field("args")
        path = path_f.value
        label = f"bootstrap action {_action_name(action, index)} of {cluster.address}"
        if is_http_url(path):  # "https://${var.host}/x.sh" too: its known start is the scheme
            yield Problem(
                path_f.origin,
                f"Bootstrap action {_action_name(action, index)} fetches its script over HTTP ({shown(path)}); the script can "
                "change or disappear between cluster launches. Copy it to S3 (versioned) and point path at the s3:// object.",
                key=f"bootstrap_action[{_action_name(action, index)}].path",
            )
        args = args_f.value
        if isinstance(args, list):
            script_name = path if isinstance(path, str) else ""
            for off in analyze_args(args, script_name=script_name):
                yield Problem(args_f.origin, f"Bootstrap action {_action_name(action, index)} args: {off.message}",
                              key=f"bootstrap_action[{_action_name(action, index)}].args|{off.command}")
        script = ctx.model.script_for(path, cluster.root)
        if script is None:
            continue
        base = os.path.dirname(script.path)

        def read_file(p, base=base):
            full = os.path.normpath(os.path.join(base, p))
            return ctx.sources.try_text(full) if not os.path.isabs(p) and ctx.sources.isfile(full) else None

        for off in analyze_script(script.text, read_file=read_file):
            yield Problem(
                Loc(script.path, off.line, off.column, off.end_line),
                f"{off.message} (run by {label})",
                related=(("the bootstrap action that runs this script", action.loc),),
                key=f"bootstrap_action[{_action_name(action, index)}].script|{os.path.basename(script.path)}|{off.command}",
            )
