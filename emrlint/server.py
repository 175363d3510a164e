"""``emrlint server``: a Language Server (LSP over stdio) for editors.

It publishes emrlint's findings as diagnostics for Terraform, CloudFormation and job
documents when a file is opened, changed (after a short pause in typing) and saved.
Each scan is the same scan as ``emrlint scan``: the edited file's whole module directory
is evaluated, the configuration is found from the file's directory, and every open
buffer that differs from the file on disk is read instead of the file (unsaved edits in
``variables.tf`` change what ``main.tf`` reports).  A diagnostic carries the rule ID, the
severity, a link to the rule's page, and related locations (module call sites, the
resources a finding names).  A quick fix inserts a suppression comment with a reason
placeholder above the resource the finding is about.

The server needs pygls (``pip install 'emrlint[server]'``); nothing else imports it.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Dict, List, Optional, Sequence, Tuple

from emrlint.discovery import file_kind
from emrlint.findings import Finding, Loc
from emrlint.report import message as shown_message, shown

DEBOUNCE_SECONDS = 0.3
SOURCE = "emrlint"
QUICK_FIX_REASON = "TODO: say why this finding is acceptable"


# ---------------------------------------------------------------------------
# The scan (no pygls here: it is plain emrlint, testable on its own)
# ---------------------------------------------------------------------------


class Workbench:
    """Scans files with the editor's unsaved buffers in place of the files on disk."""

    def __init__(self) -> None:
        self.buffers: Dict[str, str] = {}  # absolute path -> text of an open document
        self.folders: List[str] = []  # the editor's workspace folders
        self._lock = threading.Lock()  # one scan at a time: scans are CPU-bound

    def open(self, path: str, text: str) -> None:
        self.buffers[path] = text

    def close(self, path: str) -> None:
        self.buffers.pop(path, None)

    def overlay(self) -> Dict[str, bytes]:
        """Open buffers whose text differs from the file on disk (or that are not on disk)."""
        out = {}
        for path, text in self.buffers.items():
            data = text.encode("utf-8")
            try:
                with open(path, "rb") as fh:
                    if fh.read(len(data) + 1) == data:
                        continue
            except OSError:
                pass
            out[path] = data
        return out

    def targets(self, path: str) -> List[str]:
        """The open documents scanned together with ``path``: those of its directory that emrlint reads."""
        directory = os.path.dirname(path)
        found = {p for p in self.buffers if os.path.dirname(p) == directory and file_kind(os.path.basename(p))}
        if file_kind(os.path.basename(path)):
            found.add(path)
        return sorted(found)

    def roots(self, path: str) -> List[str]:
        """What a scan of ``path`` may read besides its own directory: the workspace folder
        holding it, else the git repository holding it (modules it calls live there)."""
        inside = [f for f in self.folders if path.startswith(f.rstrip(os.sep) + os.sep)]
        if inside:
            return [max(inside, key=len)]
        directory = os.path.dirname(path)
        while True:
            if os.path.exists(os.path.join(directory, ".git")):
                return [directory]
            parent = os.path.dirname(directory)
            if parent == directory:
                return []
            directory = parent

    def scan(self, paths: Sequence[str]):
        """(findings by path, internal errors, a configuration error message or "")."""
        from emrlint.config import merge_cli, selected_rules
        from emrlint.discovery import UsageError
        from emrlint.engine import ScanOptions, scan
        from emrlint.layers import Layers

        by_path: Dict[str, List[Finding]] = {p: [] for p in paths}
        if not paths:
            return by_path, [], ""
        directory = os.path.dirname(paths[0])
        try:
            layers = Layers(cache=True)  # each file's nearest configuration, as `emrlint scan` finds it
            cfg = layers.config_for(directory)
            select, ignore = merge_cli(cfg, None, None)
            options = ScanOptions(paths=list(paths), rules=selected_rules(select, ignore),
                                  excludes=list(cfg.exclude_groups), severity=cfg.severity, params=cfg.params,
                                  layers=layers, overlay=self.overlay(), roots=self.roots(paths[0]), cache=True,
                                  jobs=1)
            if cfg.max_file_size:
                options.max_file_size = cfg.max_file_size
            with self._lock:
                result = scan(options)
        except UsageError as exc:  # a configuration error: the user must see it, not an empty file
            return by_path, [], str(exc)
        for f in result.findings:
            if f.loc.path in by_path:
                by_path[f.loc.path].append(f)
        return by_path, result.errors, ""


# ---------------------------------------------------------------------------
# LSP
# ---------------------------------------------------------------------------


def _range(loc: Loc, lines: Sequence[str], types):
    """The diagnostic's range: the exact span on one line, else the rest of its first line
    (a whole resource block would cover the screen)."""
    line = max(loc.line - 1, 0)
    start = max(loc.column - 1, 0)
    text = lines[line] if line < len(lines) else ""
    if loc.end_line == loc.line and loc.end_column > loc.column:
        end = loc.end_column - 1
    else:
        end = max(len(text.rstrip("\r\n")), start + 1)
    return types.Range(start=types.Position(line=line, character=start), end=types.Position(line=line, character=end))


def diagnostic(f: Finding, lines: Sequence[str], types, codec=None):
    """A finding as an LSP diagnostic; its texts are escaped and clipped like every report's."""
    from emrlint.links import rule_url

    severity = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
                "info": types.DiagnosticSeverity.Information}[f.severity]
    related = [(f"called from {cs.address}", cs.loc) for cs in f.call_sites] + list(f.related)
    info = [types.DiagnosticRelatedInformation(
        location=types.Location(uri=_uri(loc.path), range=_range(loc, [], types)), message=shown_message(text))
        for text, loc in related]
    rng = _range(f.loc, lines, types)
    if codec is not None:
        rng = codec.range_to_client_units(list(lines), rng)
    subject = f.subject if f.subject is not None and f.subject.path == f.loc.path else None
    return types.Diagnostic(
        range=rng, message=shown_message(f.message) + (f" ({shown(f.resource)})" if f.resource else ""),
        severity=severity,
        code=f.rule, code_description=types.CodeDescription(href=rule_url(f.rule)) if rule_url(f.rule) else None,
        source=SOURCE,
        related_information=info or None,
        data={"rule": f.rule, "line": (subject or f.loc).line})


def _uri(path: str) -> str:
    from pygls.uris import from_fs_path

    return from_fs_path(path)


def suppression_edit(uri: str, lines: Sequence[str], rule: str, line: int, types):
    """A text edit that inserts ``# emrlint:ignore RULE reason`` above 1-based ``line``, indented like it."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = text[: len(text) - len(text.lstrip(" \t"))]
    comment = f"{indent}# emrlint:ignore {rule} {QUICK_FIX_REASON}\n"
    position = types.Position(line=line - 1, character=0)
    return types.TextEdit(range=types.Range(start=position, end=position), new_text=comment)


def build_server():
    """The pygls server (imported here, so that nothing else needs pygls)."""
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.uris import to_fs_path

    from emrlint import __version__

    server = LanguageServer("emrlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    bench = Workbench()
    pending: Dict[str, asyncio.Task] = {}

    def path_of(uri: str) -> Optional[str]:
        path = to_fs_path(uri)
        return os.path.abspath(path) if path else None

    def lines_of(path: str) -> List[str]:
        text = bench.buffers.get(path)
        if text is None:
            try:
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
            except (OSError, UnicodeDecodeError):
                text = ""
        return text.splitlines()

    def publish(paths: List[str], by_path, errors, config_error: str) -> None:
        if config_error:
            server.window_show_message(types.ShowMessageParams(type=types.MessageType.Error,
                                                               message=f"emrlint: {shown_message(config_error)}"))
        for e in errors:
            server.window_log_message(types.LogMessageParams(type=types.MessageType.Error,
                                                             message=f"emrlint internal error: {shown_message(e.message)}"))
        for path in paths:
            uri = _uri(path)
            doc = server.workspace.text_documents.get(uri)
            codec = doc.position_codec if doc is not None else None
            lines = lines_of(path)
            diagnostics = [diagnostic(f, lines, types, codec) for f in by_path.get(path, [])]
            server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, diagnostics=diagnostics, version=doc.version if doc is not None else None))

    async def check(path: str, delay: float) -> None:
        key = os.path.dirname(path)
        previous = pending.pop(key, None)
        if previous is not None and not previous.done():
            previous.cancel()

        async def run() -> None:
            if delay:
                await asyncio.sleep(delay)
            paths = bench.targets(path)
            result = await asyncio.get_running_loop().run_in_executor(None, bench.scan, paths)
            publish(paths, *result)

        task = asyncio.ensure_future(run())
        pending[key] = task
        try:
            await task
        except asyncio.CancelledError:
            pass  # a newer change replaced it

    @server.feature(types.INITIALIZED)
    def initialized(ls, params: types.InitializedParams):
        folders = [path_of(f.uri) for f in (ls.workspace.folders or {}).values()]
        if not folders and ls.workspace.root_path:
            folders = [os.path.abspath(ls.workspace.root_path)]
        bench.folders = [f for f in folders if f]

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls, params: types.DidOpenTextDocumentParams):
        path = path_of(params.text_document.uri)
        if path:
            bench.open(path, params.text_document.text)
            await check(path, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls, params: types.DidChangeTextDocumentParams):
        path = path_of(params.text_document.uri)
        if path:
            bench.open(path, ls.workspace.get_text_document(params.text_document.uri).source)
            await check(path, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls, params: types.DidSaveTextDocumentParams):
        path = path_of(params.text_document.uri)
        if path:
            bench.open(path, ls.workspace.get_text_document(params.text_document.uri).source)
            await check(path, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseTextDocumentParams):
        path = path_of(params.text_document.uri)
        if path:
            bench.close(path)
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                               diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls, params: types.CodeActionParams):
        path = path_of(params.text_document.uri)
        if not path or path.lower().endswith((".json", ".jsonc")):
            return []  # JSON has no comments: a suppression there is a "//" key, written by hand
        lines = lines_of(path)
        actions = []
        for d in params.context.diagnostics:
            if d.source != SOURCE or not isinstance(d.data, dict) or d.data.get("rule") in ("EMR001", "EMR002", "EMR003"):
                continue
            rule, line = d.data["rule"], int(d.data.get("line") or d.range.start.line + 1)
            edit = suppression_edit(params.text_document.uri, lines, rule, line, types)
            actions.append(types.CodeAction(
                title=f"Suppress {rule} for this resource (emrlint:ignore with a reason)",
                kind=types.CodeActionKind.QuickFix, diagnostics=[d],
                edit=types.WorkspaceEdit(changes={params.text_document.uri: [edit]})))
        return actions

    return server


def main() -> int:
    try:
        server = build_server()
    except ImportError:
        from emrlint.discovery import UsageError

        raise UsageError("emrlint server needs pygls: pip install 'emrlint[server]'") from None
    server.start_io()
    return 0
