"""`emrlint server` end to end: a real LSP client (pytest-lsp) starts the server as a
subprocess over stdio, opens, edits and saves documents, and reads the diagnostics and
quick fixes it publishes."""

from __future__ import annotations

import os
import sys
import textwrap

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

CLUSTER = textwrap.dedent("""\
    resource "aws_emr_cluster" "etl" {
      name          = "nightly-etl"
      release_label = var.release_label
      service_role  = "EMR_DefaultRole"

      master_instance_group {
        instance_type = "m6g.xlarge"
      }

      core_instance_group {
        instance_type  = "r6g.2xlarge"
        instance_count = 2
        bid_price      = "0.30"
      }
    }
    """)
VARIABLES = 'variable "release_label" {\n  type    = string\n  default = "emr-7.1.0"\n}\n'
CONFIG = "select: [EMR001, EMR002, EMR201, EMR301]\n"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "emrlint", "server"],
                                              server_env={**os.environ, "EMRLINT_NO_CACHE": "1"}))
async def client(lsp_client: LanguageClient):
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(CLUSTER)
    (tmp_path / "infra" / "variables.tf").write_text(VARIABLES)
    (tmp_path / ".emrlint.yaml").write_text(CONFIG)
    return tmp_path


async def _open(client, path, text=None):
    uri = from_fs_path(str(path))
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="terraform", version=1, text=text if text is not None else path.read_text())))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


async def _until(client, predicate, timeout=30.0):
    """Wait for diagnostics notifications until ``predicate()`` holds."""
    import asyncio

    async def wait():
        while not predicate():
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    await asyncio.wait_for(wait(), timeout)


def _codes(client, uri):
    return sorted((d.code, d.range.start.line + 1) for d in client.diagnostics.get(uri, []))


@pytest.mark.asyncio
async def test_open_publishes_diagnostics_with_rule_severity_link_and_range(client: LanguageClient, tree):
    uri = await _open(client, tree / "infra" / "main.tf")
    [d] = client.diagnostics[uri]
    assert (d.code, d.source, d.severity) == ("EMR301", "emrlint", types.DiagnosticSeverity.Warning)
    assert d.code_description.href.endswith("/docs/rules/EMR301.md")
    assert (d.range.start.line, d.range.start.character) == (0, 0)
    assert d.range.end.line == 0  # the block's first line, not the whole block
    assert "log_uri" in d.message and "aws_emr_cluster.etl" in d.message


@pytest.mark.asyncio
async def test_a_change_is_rechecked_after_a_pause(client: LanguageClient, tree):
    uri = await _open(client, tree / "infra" / "main.tf")
    assert _codes(client, uri) == [("EMR301", 1)]
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=3, character=0), end=types.Position(line=3, character=0)),
            text='  log_uri       = "s3://acme-emr-logs/etl/"\n')]))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert _codes(client, uri) == []
    assert "log_uri" not in (tree / "infra" / "main.tf").read_text()  # the server never writes the file


@pytest.mark.asyncio
async def test_rapid_changes_are_checked_once_after_the_pause(client: LanguageClient, tree):
    import asyncio
    import time

    uri = await _open(client, tree / "infra" / "main.tf")
    assert _codes(client, uri) == [("EMR301", 1)]
    published = []
    edits = ['  log_uri       = "s3://acme-emr-logs/etl/"\n', "  # nightly\n", "  # owned by data-platform\n"]
    for version, text in enumerate(edits, start=2):  # typed in quick succession
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=3, character=0), end=types.Position(line=3, character=0)),
                text=text)]))
    typed = time.monotonic()
    published.append(await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 30))
    from emrlint.server import DEBOUNCE_SECONDS

    assert time.monotonic() - typed >= DEBOUNCE_SECONDS  # not before the pause
    assert (published[0].uri, published[0].version, list(published[0].diagnostics)) == (uri, 4, [])
    with pytest.raises(asyncio.TimeoutError):  # one check for the three changes, not three
        published.append(await asyncio.wait_for(
            client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 2 + 4 * DEBOUNCE_SECONDS))


@pytest.mark.asyncio
async def test_save_rechecks_with_what_changed_on_disk(client: LanguageClient, tree):
    sync = client.initialize_result.capabilities.text_document_sync
    assert sync.save, "the server asks to be told about saves"
    main = tree / "infra" / "main.tf"
    main.write_text(CLUSTER.replace('service_role  = "EMR_DefaultRole"',
                                    'service_role  = "EMR_DefaultRole"\n  log_uri       = var.log_uri'))
    (tree / "infra" / "logs.tf").write_text('variable "log_uri" {\n  default = null\n}\n')
    uri = await _open(client, main)
    assert _codes(client, uri) == [("EMR301", 5)]  # log_uri evaluates to null
    # another tool (a formatter, a git checkout) changes a file that is not open, then the user saves
    (tree / "infra" / "logs.tf").write_text('variable "log_uri" {\n  default = "s3://acme-emr-logs/etl/"\n}\n')
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    import asyncio

    params = await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 30)
    assert (params.uri, list(params.diagnostics)) == (uri, [])


def test_editor_docs_configure_vs_code_neovim_and_helix():
    """docs/editors.md: each editor's snippet is valid in its own language and starts `emrlint server`;
    the install line is the README's."""
    import json
    import re

    try:
        import tomllib
    except ImportError:  # Python < 3.11
        import tomli as tomllib
    from conftest import REPO

    with open(os.path.join(REPO, "docs", "editors.md"), encoding="utf-8") as fh:
        doc = fh.read()
    sections = dict(re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", doc, re.M | re.S))
    vscode = next(v for k, v in sections.items() if k.startswith("VS Code"))
    neovim = next(v for k, v in sections.items() if k.startswith("Neovim"))
    helix = sections["Helix"]
    settings = json.loads(re.search(r"```json\n(.*?)```", vscode, re.S).group(1))
    assert [settings["glspc.server.command"], *settings["glspc.server.commandArguments"]] == ["emrlint", "server"]
    assert {"terraform", "yaml", "json"} <= set(settings["glspc.server.languageId"])
    for lua in re.findall(r"```lua\n(.*?)```", neovim, re.S):
        assert 'cmd = { "emrlint", "server" }' in lua and lua.count("(") == lua.count(")")
        assert lua.count("{") == lua.count("}")
    languages = tomllib.loads(re.search(r"```toml\n(.*?)```", helix, re.S).group(1))
    assert languages["language-server"]["emrlint"] == {"command": "emrlint", "args": ["server"]}
    assert {lang["name"] for lang in languages["language"] if "emrlint" in lang["language-servers"]} >= {
        "hcl", "tfvars", "yaml", "json"}
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    install = re.search(r"pipx install '([^']+)'", re.search(r"```sh\n(.*?)```", doc, re.S).group(1)).group(1)
    assert f"'{install}'" in readme, "the editors page installs what the README installs"


@pytest.mark.asyncio
async def test_an_unsaved_buffer_of_another_file_in_the_module_counts(client: LanguageClient, tree):
    main = await _open(client, tree / "infra" / "main.tf")
    assert _codes(client, main) == [("EMR301", 1)]
    variables = await _open(client, tree / "infra" / "variables.tf", VARIABLES.replace("emr-7.1.0", "emr-7.x"))
    # both open files of the directory are published together; the floating label is at its default
    await _until(client, lambda: _codes(client, variables) == [("EMR201", 3)])
    assert _codes(client, main) == [("EMR301", 1)]


@pytest.mark.asyncio
async def test_a_buffer_that_does_not_parse_is_emr001(client: LanguageClient, tree):
    uri = await _open(client, tree / "infra" / "main.tf", CLUSTER[:-3])
    assert [d.code for d in client.diagnostics[uri]] == ["EMR001"]
    assert client.diagnostics[uri][0].severity == types.DiagnosticSeverity.Error


@pytest.mark.asyncio
async def test_quick_fix_inserts_a_suppression_with_a_reason_that_silences_the_finding(client: LanguageClient, tree):
    uri = await _open(client, tree / "infra" / "main.tf")
    [d] = client.diagnostics[uri]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=d.range,
        context=types.CodeActionContext(diagnostics=[d])))
    [action] = actions
    assert action.kind == types.CodeActionKind.QuickFix
    [edit] = action.edit.changes[uri]
    assert edit.new_text.startswith("# emrlint:ignore EMR301 TODO: ")
    assert (edit.range.start.line, edit.range.start.character) == (0, 0)
    fixed = edit.new_text + CLUSTER
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)]))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert _codes(client, uri) == []  # silenced, and the placeholder counts as a reason (no EMR002)


@pytest.mark.asyncio
async def test_module_findings_carry_the_call_site_as_related_information(client: LanguageClient, tmp_path):
    (tmp_path / "modules" / "emr").mkdir(parents=True)
    (tmp_path / "modules" / "emr" / "main.tf").write_text(
        'variable "log_uri" {\n  type = string\n}\n\n' + CLUSTER.replace(
            'service_role  = "EMR_DefaultRole"', 'service_role  = "EMR_DefaultRole"\n  log_uri       = var.log_uri')
        .replace("var.release_label", '"emr-7.1.0"'))
    (tmp_path / "live").mkdir()
    (tmp_path / "live" / "main.tf").write_text('module "etl" {\n  source  = "../modules/emr"\n  log_uri = ""\n}\n')
    (tmp_path / ".emrlint.yaml").write_text(CONFIG)
    (tmp_path / ".git").mkdir()  # the repository holding the file: the module it calls is read from it
    uri = await _open(client, tmp_path / "live" / "main.tf")
    [d] = client.diagnostics[uri]
    assert d.code == "EMR301" and d.range.start.line == 2  # the module input that must change
    assert "module.etl.aws_emr_cluster.etl" in d.message
    assert any(r.message == "called from module.etl" and r.location.uri == uri and r.location.range.start.line == 0
               for r in d.related_information or [])


def test_diagnostics_escape_control_characters_like_every_report():
    from emrlint.findings import Finding, Loc
    from emrlint.server import diagnostic

    f = Finding("EMR301", "cluster-log-uri-missing", "warning", "log_uri \x1b[31m\x07 is empty", Loc("/x/main.tf", 1),
                "aws_emr_cluster.\x1bx")
    d = diagnostic(f, ['resource "aws_emr_cluster" "x" {'], types)
    assert "\x1b" not in d.message and "\x07" not in d.message and "\\x1b" in d.message
