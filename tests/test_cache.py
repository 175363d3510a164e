"""The result cache and parallel processes never change what a scan finds; the cache
is per root module, touches only its own files, and never trusts an entry it did not
write or replays a question about a path outside the scan."""

from __future__ import annotations

import glob
import json
import os
import signal

import pytest

import emrlint.cache
import emrlint.engine
from emrlint.cache import Boundary, EntryStore, finding_to_json
from emrlint.config import selected_rules
from emrlint.engine import ScanOptions, scan

from conftest import FIXTURES, write_tree


def findings(result):
    return [finding_to_json(f) for f in result.findings]


@pytest.fixture
def cache_dir(tmp_path_factory, monkeypatch):
    d = tmp_path_factory.mktemp("emrlint-cache")
    monkeypatch.setenv("EMRLINT_CACHE_DIR", str(d))
    monkeypatch.delenv("EMRLINT_NO_CACHE", raising=False)
    return d


def _forbid(monkeypatch, name, why):
    def forbidden(*args, **kwargs):
        raise AssertionError(why)

    monkeypatch.setattr(emrlint.engine, name, forbidden)


def _plan_cases():
    return sorted({os.path.dirname(p) for p in glob.glob(os.path.join(FIXTURES, "**", "*.json"), recursive=True)
                   if b"planned_values" in open(p, "rb").read()})


@pytest.mark.parametrize("group", ["without plans", "with plans"])
def test_identical_findings_with_and_without_cache_and_with_1_and_2_processes(group, cache_dir, monkeypatch):
    """Every fixture: a scan in one model (no cache, one process), a first scan with the
    cache (root module by root module), a second one (from the scan entry), one from the
    root modules' entries alone, and one in two processes give the same findings."""
    repo = os.path.dirname(FIXTURES)
    monkeypatch.chdir(repo)
    plan_cases = [os.path.relpath(p, repo) for p in _plan_cases()]
    assert len(plan_cases) >= 10
    if group == "without plans":
        base = dict(paths=["fixtures"], excludes=[([p + "/" for p in plan_cases], repo)])
    else:
        base = dict(paths=plan_cases)
    base["rules"] = selected_rules(None, [])
    plain = scan(ScanOptions(**base))
    assert len(plain.findings) > (400 if group == "without plans" else 15)
    first = scan(ScanOptions(**base, cache=True))
    assert findings(first) == findings(plain) and first.suppressed == plain.suppressed

    with monkeypatch.context() as m:
        _forbid(m, "_scan", "the second scan of an unchanged tree must come from the cache")
        second = scan(ScanOptions(**base, cache=True))
    assert findings(second) == findings(plain)
    assert second.files == first.files and second.suppressed == first.suppressed

    if group == "without plans":
        for entry in cache_dir.glob("scan-*.entry"):
            entry.unlink()
        with monkeypatch.context() as m:
            _forbid(m, "_root_parts", "unchanged root modules must come from their cache entries")
            _forbid(m, "_parallel_roots", "unchanged root modules must come from their cache entries")
            from_parts = scan(ScanOptions(**base, cache=True))
        assert findings(from_parts) == findings(plain) and from_parts.suppressed == plain.suppressed

    used = []
    real = emrlint.engine._parallel_roots
    monkeypatch.setattr(emrlint.engine, "_parallel_roots", lambda *a: used.append(1) or real(*a))
    parallel = scan(ScanOptions(**base, jobs=2, parallel_min_bytes=1))
    assert findings(parallel) == findings(plain) and parallel.suppressed == plain.suppressed
    if group == "without plans":
        assert used, "two processes were not used"



def _claim_after(delay, order, next_root, out):
    import time

    time.sleep(delay)
    out.put(list(emrlint.engine._claimed(order, next_root)))


def test_processes_claim_root_modules_one_at_a_time_from_one_list():
    """A parallel scan's processes take root modules from one shared list as they finish
    the last: each root module goes to exactly one process, and one that is busy (or slow
    to start) leaves the rest to the others instead of holding a fixed share."""
    import multiprocessing

    order = [f"stacks/s{i}" for i in range(12)]
    context = multiprocessing.get_context()
    next_root = context.Value("i", 0)
    first, second = emrlint.engine._claimed(order, next_root), emrlint.engine._claimed(order, next_root)
    mine, theirs = [], []
    for i, root in enumerate(first):  # two claimants, one of them twice as fast
        mine.append(root)
        if i % 2:
            theirs.append(next(second))
    assert sorted(mine + theirs) == sorted(order) and not set(mine) & set(theirs)
    assert len(mine) == 8 and theirs == ["stacks/s2", "stacks/s5", "stacks/s8", "stacks/s11"]
    assert list(second) == []

    if "fork" not in multiprocessing.get_all_start_methods():
        return
    context = multiprocessing.get_context("fork")
    next_root, out = context.Value("i", 0), context.SimpleQueue()
    late = context.Process(target=_claim_after, args=(1.0, order, next_root, out))
    late.start()
    try:
        assert list(emrlint.engine._claimed(order, next_root)) == order  # the late process finds nothing left
        assert out.get() == []
    finally:
        late.join(10)


CLUSTER = '''
module "emr" {
  source  = "../shared/emr"
  log_uri = var.log_uri
}
variable "log_uri" {
  default = null
}
'''
MODULE = '''
variable "log_uri" {}
resource "aws_emr_cluster" "this" {
  name          = "c"
  release_label = "emr-7.1.0"
  log_uri       = var.log_uri
  configurations_json = file("${path.module}/conf.json")
}
'''


def test_any_changed_input_is_a_miss(cache_dir, tmp_path, monkeypatch):
    write_tree(str(tmp_path), {"infra/main.tf": CLUSTER, "shared/emr/main.tf": MODULE,
                               "shared/emr/conf.json": "[]"})
    monkeypatch.chdir(tmp_path)
    options = ScanOptions(paths=["infra", "shared"], rules=["EMR301", "EMR201"], cache=True)

    def rules():
        return [(f["rule"], f["loc"][1]) for f in findings(scan(options))]

    assert rules() == [("EMR301", 6)]
    real_scan = emrlint.engine._scan
    calls = []
    monkeypatch.setattr(emrlint.engine, "_scan", lambda *a: calls.append(1) or real_scan(*a))
    assert rules() == [("EMR301", 6)] and calls == []  # from the cache
    # a module in another scanned directory, read through its source
    (tmp_path / "shared/emr/main.tf").write_text(MODULE.replace('"emr-7.1.0"', '"emr-7"'))
    assert rules() == [("EMR201", 5), ("EMR301", 6)] and len(calls) == 1
    # a new file in the root module's directory (terraform.tfvars) changes the inputs
    (tmp_path / "infra/terraform.tfvars").write_text('log_uri = "s3://logs/"\n')
    assert rules() == [("EMR201", 5)] and len(calls) == 2
    assert rules() == [("EMR201", 5)] and len(calls) == 2  # and that result is cached in turn


def _stacks(n):
    files = {}
    for i in range(n):
        files[f"modules/emr{i}/main.tf"] = MODULE.replace('"emr-7.1.0"', f'"emr-7.{i}.0"').replace(
            '  configurations_json = file("${path.module}/conf.json")\n', "")
        files[f"stacks/s{i}/main.tf"] = CLUSTER.replace("../shared/emr", f"../../modules/emr{i}")
    files["modules/network/main.tf"] = 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n'
    return files


def test_a_one_file_edit_rechecks_only_the_root_modules_that_read_it(cache_dir, tmp_path, monkeypatch):
    write_tree(str(tmp_path), _stacks(4))
    monkeypatch.chdir(tmp_path)
    options = ScanOptions(paths=["."], rules=["EMR201", "EMR301"], cache=True)
    checked = []
    real = emrlint.engine._root_parts
    monkeypatch.setattr(emrlint.engine, "_root_parts",
                        lambda o, t, b, roots, *a: checked.append(sorted(os.path.basename(r) for r in roots))
                        or real(o, t, b, roots, *a))
    assert len(findings(scan(options))) == 4 and checked == [["s0", "s1", "s2", "s3"]]
    # a file no root module reads (a module without EMR resources that nothing uses)
    (tmp_path / "modules/network/main.tf").write_text('resource "aws_vpc" "main" {\n  cidr_block = "10.1.0.0/16"\n}\n')
    assert len(findings(scan(options))) == 4 and checked == [["s0", "s1", "s2", "s3"]]
    # a file that one root module reads through its module call
    (tmp_path / "modules/emr2/main.tf").write_text(MODULE.replace('"emr-7.1.0"', '"emr-7"').replace(
        '  configurations_json = file("${path.module}/conf.json")\n', ""))
    edited = scan(options)
    assert checked[-1] == ["s2"]
    fresh = scan(ScanOptions(paths=["."], rules=["EMR201", "EMR301"]))
    assert findings(edited) == findings(fresh) and len(findings(fresh)) == 5
    # a new root module
    write_tree(str(tmp_path), {"stacks/s9/main.tf": CLUSTER.replace("../shared/emr", "../../modules/emr0")})
    scan(options)
    assert checked[-1] == ["s9"]


def _one_cluster(tmp_path):
    write_tree(str(tmp_path), {"main.tf": MODULE.replace("var.log_uri", "null").replace(
        '  configurations_json = file("${path.module}/conf.json")\n', "")})


def test_pruning_deletes_only_emrlint_entries(tmp_path, monkeypatch):
    """With the cache in the scanned directory itself, pruning leaves every other file
    alone, even ones named like entries with another pattern, and links."""
    _one_cluster(tmp_path)
    job = {"applicationId": "00f1", "executionRoleArn": "arn:aws:iam::1:role/r", "jobDriver": {"sparkSubmit": {
        "entryPoint": "s3://b/job.py"}}}
    user_files = {f"jobs/run-{i}.json": json.dumps(job) for i in range(5)}
    user_files.update({"scan-notes.json": "{}", "part-x.entry": "mine", ".emrlint-tmp-notes": "mine too"})
    write_tree(str(tmp_path), user_files)
    os.symlink(str(tmp_path / "jobs/run-0.json"), str(tmp_path / ("scan-" + "a" * 64 + ".entry")))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMRLINT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("EMRLINT_NO_CACHE", raising=False)
    monkeypatch.setattr(emrlint.cache, "MAX_ENTRIES", 1)
    expected = findings(scan(ScanOptions(paths=["."], rules=selected_rules(None, []))))
    for i in range(3):  # different options: different entries, pruned down to one
        got = scan(ScanOptions(paths=["."], rules=selected_rules(None, []), severity={"EMR301": "error"} if i % 2 else {},
                               cache=True))
        if not i % 2:
            assert findings(got) == expected
    for rel, text in user_files.items():
        assert (tmp_path / rel).read_text() == text
    assert os.path.islink(str(tmp_path / ("scan-" + "a" * 64 + ".entry")))
    assert len([n for n in os.listdir(tmp_path) if emrlint.cache._ENTRY_NAME.match(n)]) == 2  # one + the link


def _entries(cache_dir):
    return sorted(cache_dir.glob("*.entry"))


CORRUPTIONS = {
    "truncated": lambda raw, key: raw[: len(raw) // 2],
    "empty": lambda raw, key: b"",
    "not ours": lambda raw, key: b"\x00\xff" * 100,
    "unsigned json": lambda raw, key: raw.split(b"\n", 1)[1],
    "other result, wrong signature": lambda raw, key: raw.replace(b"log_uri", b"LOG_URI"),
    "signed with another key": lambda raw, key: _signed(b"0" * 64, json.loads(raw.split(b"\n", 1)[1])),
    "signed, findings malformed": lambda raw, key: _signed(key, _reshape(json.loads(raw.split(b"\n", 1)[1]))),
    "signed, deeply nested": lambda raw, key: _signed_body(key, b"[" * 200_000 + b"]" * 200_000),
    "signed, another entry's key": lambda raw, key: _signed(key, dict(json.loads(raw.split(b"\n", 1)[1]),
                                                                      key="0" * 64)),
}


def _signed_body(key, body):
    return emrlint.cache._MAGIC + emrlint.cache._sign(key, body).encode() + b"\n" + body


def _signed(key, payload):
    return _signed_body(key, json.dumps(payload).encode())


def _reshape(payload):
    if "result" in payload:
        payload["result"]["findings"] = [{"rule": 1, "loc": "x"}]
    else:
        payload["findings"] = [["EMR301"]]
        payload["suppressions"] = [{"loc": 5}]
    return payload


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_a_malformed_or_forged_entry_is_a_miss(corruption, cache_dir, tmp_path, monkeypatch):
    _one_cluster(tmp_path)
    monkeypatch.chdir(tmp_path)
    options = ScanOptions(paths=["."], rules=["EMR301"], cache=True, jobs=2)
    expected = findings(scan(options))
    key = (cache_dir / emrlint.cache.KEY_FILE).read_bytes().strip()
    assert oct((cache_dir / emrlint.cache.KEY_FILE).stat().st_mode & 0o777) == "0o600"
    entries = _entries(cache_dir)
    assert [e.name.split("-")[0] for e in entries] == ["part", "scan"]
    for entry in entries:
        entry.write_bytes(CORRUPTIONS[corruption](entry.read_bytes(), key))
    assert findings(scan(options)) == expected
    assert findings(scan(options)) == expected  # rewritten whole, and used
    assert all(e.read_bytes().startswith(emrlint.cache._MAGIC) for e in _entries(cache_dir))


def test_a_malformed_key_file_makes_every_entry_a_miss(cache_dir, tmp_path, monkeypatch):
    _one_cluster(tmp_path)
    monkeypatch.chdir(tmp_path)
    options = ScanOptions(paths=["."], rules=["EMR301"], cache=True)
    expected = findings(scan(options))
    (cache_dir / emrlint.cache.KEY_FILE).write_text("not a key\n")
    calls = []
    real = emrlint.engine._scan
    monkeypatch.setattr(emrlint.engine, "_scan", lambda *a: calls.append(1) or real(*a))
    assert findings(scan(options)) == expected and calls == [1]
    assert findings(scan(options)) == expected and calls == [1]  # a new key, new entries


def test_recorded_paths_outside_the_scan_are_never_replayed(cache_dir, tmp_path, monkeypatch):
    """An entry (signed with the cache's own key) that names a file or a directory outside
    the scanned tree is a miss: those paths are not read, listed or globbed; a FIFO
    outside would hang the scan if it were opened."""
    outside = tmp_path / "outside"
    outside.mkdir()
    os.mkfifo(str(outside / "pipe"))
    tree = tmp_path / "tree"
    _one_cluster(tree)
    monkeypatch.chdir(tree)
    options = ScanOptions(paths=["."], rules=["EMR301"], cache=True, jobs=2)
    expected = findings(scan(options))
    store = EntryStore(str(cache_dir))
    forged = {
        "inputs": {str(outside / "pipe"): None},
        "queries": [["glob", "/", "**", []], ["list", str(outside), "", []]],
    }
    for entry in _entries(cache_dir):
        kind, key = entry.name[: -len(".entry")].split("-", 1)
        payload = store.get(kind, key)
        assert payload is not None
        payload["inputs"].update(forged["inputs"])
        payload["queries"] += forged["queries"]
        if kind == "scan":
            payload["result"]["findings"] = []
        else:
            payload["findings"] = []
        assert store.put(kind, key, {k: v for k, v in payload.items() if k not in ("key", "kind")})
    asked = []
    real_answer = emrlint.sources.answer
    monkeypatch.setattr(emrlint.sources, "answer", lambda kind, path, arg="": asked.append(path) or real_answer(kind, path, arg))
    previous = signal.signal(signal.SIGALRM, lambda *a: pytest.fail("a path outside the scan was opened"))
    signal.alarm(20)
    try:
        assert findings(scan(options)) == expected
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert all(p.startswith(str(tree)) for p in asked), asked


def test_boundary():
    b = Boundary(["/repo/infra"], ["/etc/vars.tfvars"])
    assert "/repo/infra" in b and "/repo/infra/a/main.tf" in b and "/etc/vars.tfvars" in b
    assert "/repo/infra2/main.tf" not in b and "/repo/infra/../secrets" not in b and "/" not in b
    assert "relative/main.tf" not in b and 5 not in b and "/repo/infra/\0" not in b


def test_boundary_resolves_paths_as_realpath_does(tmp_path):
    """Real paths come from the nearest directory already resolved, one ``lstat`` per new
    directory: the same answer as ``os.path.realpath`` through links to directories
    (relative, absolute, chained, to ``..``), dangling links, loops and missing parts."""
    (tmp_path / "repo/infra/modules/emr").mkdir(parents=True)
    (tmp_path / "repo/infra/modules/emr/main.tf").write_text("")
    (tmp_path / "elsewhere/deep").mkdir(parents=True)
    links = {"repo/infra/shared": "modules", "repo/infra/out": str(tmp_path / "elsewhere"),
             "repo/infra/chain": "shared", "repo/infra/up": "..", "repo/infra/gone": "nothing-here",
             "repo/infra/loop1": "loop2", "repo/infra/loop2": "loop1", "elsewhere/back": "../repo/infra"}
    for link, target in links.items():
        os.symlink(target, tmp_path / link)
    infra = str(tmp_path / "repo" / "infra")
    paths = [f"{infra}/{tail}" for tail in (
        "", "modules", "modules/emr/main.tf", "shared/emr/main.tf", "chain/emr", "out/deep/x.tf", "out/back/shared/emr",
        "up/infra/chain/emr/main.tf", "gone/x/y.tf", "loop1/a.tf", "missing/a/b/c.tf", "modules/emr/missing/d.tf")]
    boundary = Boundary([infra])
    for round_ in range(2):  # resolved afresh, then from what the first round remembered
        for path in paths + [p.rstrip("/") for p in reversed(paths)]:
            path = os.path.normpath(path)
            assert boundary.real(path) == os.path.realpath(path), (round_, path)
    assert boundary.contains(f"{infra}/shared/emr/main.tf") and not boundary.contains(f"{infra}/out/deep/x.tf")
    assert boundary.contains(f"{infra}/out/back/modules")


def test_no_cache_environment_variable(cache_dir, tmp_path, monkeypatch):
    write_tree(str(tmp_path), {"main.tf": MODULE})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMRLINT_NO_CACHE", "1")
    scan(ScanOptions(paths=["."], rules=["EMR301"], cache=True))
    assert not list(cache_dir.iterdir())


def test_cache_key_depends_on_options(cache_dir):
    boundary = Boundary(["/x"])
    a = emrlint.cache.ScanCache({"rules": ["EMR301"]}, {}, boundary)
    b = emrlint.cache.ScanCache({"rules": ["EMR201"]}, {}, boundary)
    c = emrlint.cache.ScanCache({"rules": ["EMR301"], "files": ["/x/other.tf"]}, {}, boundary)
    assert len({a.key, b.key, c.key}) == 3
    assert a.part_key({"root": "/x"}) != emrlint.cache.ScanCache({}, {"rules": ["EMR201"]}, boundary).part_key({"root": "/x"})


HIT = """
import sys
from emrlint.cli import main
sys.stdout = open(__import__("os").devnull, "w")
code = main(["scan", "--no-config", "--format", "json", "main.tf"])
sys.stdout = sys.__stdout__
print(code, sorted(m for m in sys.modules if m.startswith(("emrlint.rules.", "emrlint.model", "emrlint.terraform",
                                                           "lark", "hcl2", "ruamel", "rich"))))
"""


def test_a_cache_hit_loads_no_rule_and_no_parser(cache_dir, tmp_path):
    import subprocess
    import sys

    _one_cluster(tmp_path)
    env = dict(os.environ, EMRLINT_CACHE_DIR=str(cache_dir))
    env.pop("EMRLINT_NO_CACHE", None)
    runs = [subprocess.run([sys.executable, "-c", HIT], cwd=str(tmp_path), env=env, capture_output=True, text=True,
                           check=True).stdout.split(" ", 1) for _ in range(2)]
    assert runs[0][0] == runs[1][0] == "1"
    assert "emrlint.rules.emr301" in runs[0][1]
    assert runs[1][1].strip() == "[]"


def test_rule_codes_resolve_from_module_names_alone():
    from emrlint.registry import all_rules, resolve_ids, rule_index

    assert rule_index() == {r.id: r.name for r in all_rules().values()}
    assert resolve_ids("no-spot-capacity") == ["EMR102"] and resolve_ids("emr10")[:2] == ["EMR101", "EMR102"]
