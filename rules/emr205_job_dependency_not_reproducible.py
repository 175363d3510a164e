"""A Spark job run or cluster step pulls dependencies that are not pinned, or fetches code over HTTP.

`--packages` (`spark.jars.packages`) resolves Maven coordinates when the job
starts. A coordinate without a version, with `LATEST`/`RELEASE` or with a version
range (`[1.0,2.0)`, `1.+`) resolves to whatever the repository holds that day:
two runs of the same job can load different library versions, and a new
upstream release can break a job nobody touched. Jars, Python files, archives or
the entry point fetched over `http(s)://` can change or disappear between runs
in the same way, and are downloaded again by every run.

## What fires

In EMR Serverless and EMR on EKS job runs (StartJobRun JSON/YAML, Step Functions
`startJobRun` tasks, `aws_emrcontainers_job_template`), in the
`sparkSubmitParameters` (`--packages`, `--jars`, `--py-files`, `--archives`,
`--conf spark.jars.packages=...`...) and `spark-defaults` of the configuration
overrides; and in `spark-submit` command lines of cluster steps (`step {
hadoop_jar_step { args } }`, RunJobFlow and CloudFormation `Steps`,
`AWS::EMR::Step`, Step Functions `addStep` tasks):

* a Maven coordinate in `--packages` or `spark.jars.packages` without a
  version (`group:artifact`), with `LATEST` or `RELEASE` (also Ivy's
  `latest.release`), a version range (`[1.0,2.0)`, `(,2.0]`) or a dynamic
  version (`1.+`);
* `--jars`, `--py-files`, `--archives`, `spark.jars`, `spark.submit.pyFiles`
  or `spark.archives` entries from `http://` or `https://`;
* an entry point (the job's `entryPoint`, or the application file of a step's
  `spark-submit`) from `http://` or `https://`.

A value whose known start settles it fires too (`"https://${var.host}/main.py"`);
of spark-submit parameters with an unknown part, only the words before that part are
read (the unknown text could regroup what follows).

## What does not fire

* parameters emrlint cannot read: a JSONPath parameter
  (`"SparkSubmitParameters.$": "$.params"`), a variable without default, a job
  template placeholder (`${hudi_version}`), unbalanced quotes; a step argument
  that is unknown;
* pinned coordinates (`org.apache.hudi:hudi-spark3.5-bundle_2.12:0.15.0`) and
  dependencies in S3 (`s3://...`) or on the image (`local://...`).

## How to fix

Pin every coordinate to an exact version
(`--packages org.apache.hudi:hudi-spark3.5-bundle_2.12:0.15.0`), or better,
build the dependencies into a versioned S3 artifact or custom image; copy
files fetched over HTTP to a versioned S3 bucket and reference the `s3://`
objects.

## Failing example (job run)

```json
{
  "applicationId": "00fgh7ak9d2rnb0l",
  "executionRoleArn": "arn:aws:iam::123456789012:role/emr-serverless-lakehouse-job",
  "executionTimeoutMinutes": 120,
  "jobDriver": {
    "sparkSubmit": {
      "entryPoint": "s3://acme-lakehouse-jobs/upsert/main.py",
      "sparkSubmitParameters": "--packages org.apache.hudi:hudi-spark3.5-bundle_2.12:LATEST --conf spark.dynamicAllocation.maxExecutors=40"
    }
  }
}
```

## Passing example (job run)

```json
{
  "applicationId": "00fgh7ak9d2rnb0l",
  "executionRoleArn": "arn:aws:iam::123456789012:role/emr-serverless-lakehouse-job",
  "executionTimeoutMinutes": 120,
  "jobDriver": {
    "sparkSubmit": {
      "entryPoint": "s3://acme-lakehouse-jobs/upsert/main.py",
      "sparkSubmitParameters": "--packages org.apache.hudi:hudi-spark3.5-bundle_2.12:0.15.0 --conf spark.dynamicAllocation.maxExecutors=40"
    }
  }
}
```

## Failing example

```hcl
resource "aws_emr_cluster" "nightly" {
  name          = "nightly"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/nightly/"

  master_instance_group {
    instance_type = "m7g.xlarge"
  }

  step {
    name              = "upsert"
    action_on_failure = "TERMINATE_CLUSTER"
    hadoop_jar_step {
      jar  = "command-runner.jar"
      args = ["spark-submit", "--deploy-mode", "cluster", "--jars", "https://repo1.maven.org/maven2/org/postgresql/postgresql/42.7.3/postgresql-42.7.3.jar", "s3://acme-lakehouse-jobs/upsert/main.py"]
    }
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "nightly" {
  name          = "nightly"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/nightly/"

  master_instance_group {
    instance_type = "m7g.xlarge"
  }

  step {
    name              = "upsert"
    action_on_failure = "TERMINATE_CLUSTER"
    hadoop_jar_step {
      jar  = "command-runner.jar"
      args = ["spark-submit", "--deploy-mode", "cluster", "--jars", "s3://acme-artifacts/jars/postgresql-42.7.3.jar", "s3://acme-lakehouse-jobs/upsert/main.py"]
    }
  }
}
```

## References

* [Spark: advanced dependency management (`--packages`, `--jars`)](https://spark.apache.org/docs/latest/submitting-applications.html#advanced-dependency-management)
* [EMR Serverless: using Python libraries and dependencies](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/using-python-libraries.html)
* [Amazon EMR: run commands and scripts (command-runner.jar)](https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-commandrunner.html)
* [Apache Ivy: dynamic revisions](https://ant.apache.org/ivy/history/latest-milestone/ivyfile/dependency.html#revision)
"""


from emrlint.bootstrap import is_http_url
from emrlint.rulekit import Problem, is_unknown, quote
from emrlint.shellwords import split
from emrlint.values import Unknown, leading_text, shown
from emrlint.rules._jobruns import placeholder, spark_default_properties
from emrlint.lazyre import lazy_re

ID = "EMR205"
NAME = "job-dependency-not-reproducible"
SEVERITY = "warning"
KIND = ("job_run", "cluster", "step")

# spark-submit options and the spark.* setting each one sets
_URI_CONF = {"--jars": "spark.jars", "--py-files": "spark.submit.pyFiles", "--archives": "spark.archives"}
_URI_OPTION = {conf: option for option, conf in _URI_CONF.items()}
PACKAGES = "spark.jars.packages"
# spark-submit options that take a value (everything else starting with "-" is a flag)
_TAKES_VALUE = {"--master", "--deploy-mode", "--class", "--name", "--jars", "--packages", "--exclude-packages",
                "--repositories", "--py-files", "--files", "--archives", "--conf", "-c", "--properties-file",
                "--driver-memory", "--driver-java-options", "--driver-library-path", "--driver-class-path",
                "--executor-memory", "--proxy-user", "--driver-cores", "--total-executor-cores", "--executor-cores",
                "--num-executors", "--principal", "--keytab", "--queue", "--kill", "--status"}
_RANGE = lazy_re(r"^[\[\(].*[\]\)]$")




def _split_list(text):
    """Comma-separated entries, commas inside version ranges (``[1.0,2.0)``) kept."""
    out, depth, current = [], 0, ""
    for ch in text:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            out.append(current.strip())
            current = ""
        else:
            current += ch
    out.append(current.strip())
    return [e for e in out if e]


def _coordinate_problem(coordinate):
    """Why a Maven coordinate is not reproducible, or None."""
    parts = coordinate.split(":")
    if len(parts) < 3 or not parts[2].strip():
        return "has no version"
    version = parts[2].strip()
    if version.upper() in ("LATEST", "RELEASE") or version.lower().startswith("latest."):
        return f"asks for {version}"
    if _RANGE.match(version) or "," in version:
        return f"asks for the version range {version}"
    if version.endswith("+") or version == "*":
        return f"asks for the dynamic version {version}"
    return None


def _entries(value):
    """The comma-separated entries of a setting: (entry, complete) pairs; of a partly known
    value (``--jars https://${var.host}/x.jar``) the entries of its known start, the last one
    cut by the unknown part."""
    text = leading_text(value)
    entries = _split_list(text)
    cut = not isinstance(value, str) and bool(entries) and not text.rstrip().endswith(",")
    return [(e, not (cut and i == len(entries) - 1)) for i, e in enumerate(entries)]


def _findings(setting, value, where):
    """(message, key detail) for one spark.* setting value (a string, or a partly known one)."""
    if placeholder(value) or not isinstance(value, (str, Unknown)):
        return
    if setting == PACKAGES:
        for coordinate, complete in _entries(value):
            why = _coordinate_problem(coordinate) if complete else None
            if why is None:
                continue
            ga = ":".join(coordinate.split(":")[:2])
            message = (f"{where} pulls the Maven package {quote(coordinate, marks=False)}, which {why}: every run "
                       "resolves whatever the "
                       "repository holds that day, so two runs can load different code. Pin an exact version "
                       f"({quote(ga, marks=False)}:<version>).")
            yield message, f"{PACKAGES}|{ga}"
    elif setting in _URI_OPTION:
        for uri, complete in _entries(value):
            if is_http_url(uri):
                shown_uri = quote(uri if complete else uri + "${...}", marks=False)
                message = (f"{where} fetches {shown_uri} ({_URI_OPTION[setting]}) over HTTP at submit time; the file "
                           "can change or disappear between runs. Copy it to a versioned S3 bucket and reference the "
                           "s3:// object.")
                yield message, f"{setting}|{uri.split('#', 1)[0]}"


# ---------------------------------------------------------------------------
# job runs
# ---------------------------------------------------------------------------


def _job(job):
    for setting, f in job.spark.conf.items():  # what the parameters prove, even when not all is known
        for message, detail in _findings(setting, f.value, "Job run"):
            yield Problem(f.origin, message, key=detail)
    if job.spark.known:
        for props in spark_default_properties(job) or []:  # job template spark-defaults blocks
            if isinstance(props.value, dict):
                for setting, value in props.value.items():
                    if setting in job.spark.conf:
                        continue  # sparkSubmitParameters win
                    for message, detail in _findings(setting, value, "Job run"):
                        yield Problem(props.origin, message, key=detail)
    entry_points = [job.spark.entry_point]  # read even when the Spark parameters cannot be
    entry_points += [s.field("entry_point") for d in job.body.sections("job_driver")
                     for s in d.sections("spark_sql_job_driver")]  # EMR on EKS Spark SQL
    for ep in entry_points:
        if ep is None or not is_http_url(ep.value) or placeholder(ep.value):
            continue
        yield Problem(
            ep.origin,
            f"Job run entry point {shown(ep.value)} is fetched over HTTP at submit time; it can change or "
            "disappear between runs. Copy it to a versioned S3 bucket and point entryPoint at the s3:// object.",
            key="entry_point",
        )
        break


# ---------------------------------------------------------------------------
# cluster steps: spark-submit command lines in hadoop_jar_step args
# ---------------------------------------------------------------------------


def _submit_words(args):
    """The tokens after ``spark-submit`` in a step's args (a list of tokens, or a token holding a
    whole ``spark-submit ...`` command line, as ``bash -c`` steps have); None when there is none."""
    for i, token in enumerate(args):
        if is_unknown(token) or not isinstance(token, str):
            continue
        if token.strip().rsplit("/", 1)[-1] == "spark-submit":
            return list(args[i + 1:])
        if "spark-submit " in token:
            try:
                words = split(token)
            except ValueError:
                return None
            for j, word in enumerate(words):
                if word.rsplit("/", 1)[-1] == "spark-submit":
                    return words[j + 1:]
    return None


def _parse_submit(words):
    """(setting -> value, entry point) of spark-submit words; unknown words are skipped, and an
    unknown word where an option name could be stops the reading (its arity is unknown)."""
    settings, entry = {}, None
    i = 0
    while i < len(words):
        word = words[i]
        if is_unknown(word) or not isinstance(word, str):
            break
        name, eq, inline = word.partition("=") if word.startswith("--") else (word, "", "")
        if not word.startswith("-"):
            entry = word
            break
        if name in _TAKES_VALUE:
            if eq:
                value = inline
            elif i + 1 < len(words):
                i += 1
                value = words[i]
            else:
                break
            if isinstance(value, str):
                if name in ("--conf", "-c"):
                    key, _, val = value.partition("=")
                    settings[key.strip()] = val
                elif name == "--packages":
                    settings[PACKAGES] = value
                elif name in _URI_CONF:
                    settings[_URI_CONF[name]] = value
        i += 1
    return settings, entry


def _step_problems(args_f, label, key_prefix):
    args = args_f.value
    if not isinstance(args, list):
        return
    words = _submit_words(args)
    if words is None:
        return
    settings, entry = _parse_submit(words)
    for setting, value in settings.items():
        for message, detail in _findings(setting, value, label):
            yield Problem(args_f.origin, message, key=f"{key_prefix}args|{detail}")
    if is_http_url(entry) and not placeholder(entry):
        yield Problem(
            args_f.origin,
            f"{label} runs {quote(entry.strip(), marks=False)}, fetched over HTTP at submit time; it can change or "
            "disappear "
            "between runs. Copy it to a versioned S3 bucket and submit the s3:// object.",
            key=f"{key_prefix}args|entry_point",
        )


def _step_name(section, index):
    name = section.field("name").value
    return f'"{name}"' if isinstance(name, str) and name else f"#{index + 1}"


def _cluster(cluster):
    for index, step in enumerate(cluster.body.sections("step")):
        label = f"Step {_step_name(step, index)}"
        for jar_step in step.sections("hadoop_jar_step"):
            yield from _step_problems(jar_step.field("args"), f"{label} (spark-submit)",
                                      f"step[{_step_name(step, index)}].hadoop_jar_step.")


def _step_resource(res):
    named = res.body.section("step") or res.body  # Step Functions addStep: Parameters.Step
    label = f"Step {_step_name(named, 0)}" if isinstance(named.field("name").value, str) else "Step"
    for jar_step in res.body.sections("hadoop_jar_step"):
        yield from _step_problems(jar_step.field("args"), f"{label} (spark-submit)", "hadoop_jar_step.")


def check(resource, ctx):
    if resource.kind == "job_run":
        yield from _job(resource)
    elif resource.kind == "cluster":
        yield from _cluster(resource)
    else:
        yield from _step_resource(resource)
