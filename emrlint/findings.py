"""Locations, severities and findings."""

from __future__ import annotations

from typing import Optional, Tuple

from emrlint.record import dataclass, field

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


# Classes made by the hundred thousand in a large scan (these, and the model's attributes,
# blocks and bodies) keep their fields in slots: a third less memory each.
@dataclass(frozen=True, slots=True)
class Loc:
    """A place in a file.  ``path`` is absolute; lines and columns are 1-based."""

    path: str
    line: int
    column: int = 1
    end_line: int = 0
    end_column: int = 0

    def __post_init__(self) -> None:
        if self.end_line < self.line:
            object.__setattr__(self, "end_line", self.line)


@dataclass(frozen=True, slots=True)
class CallSite:
    """A ``module "name" { ... }`` call that a finding's resource was reached through."""

    address: str  # module.etl
    loc: Loc


@dataclass(frozen=True)
class Finding:
    rule: str
    name: str
    severity: str
    message: str
    loc: Loc
    resource: str = ""
    call_sites: Tuple[CallSite, ...] = ()
    related: Tuple[Tuple[str, Loc], ...] = field(default=())  # (description, location)
    key: str = ""  # what the finding is about, stable across edits (an attribute path)
    source_format: str = ""  # the format of the resource it is about (terraform, cloudformation...)
    subject: Optional[Loc] = None  # the resource's block: a suppression above it covers the finding
    secret: bool = False  # its lines hold a secret: no report shows their values

    def sort_key(self) -> tuple:
        return (self.loc.path, self.loc.line, self.loc.column, self.rule, self.resource, self.message)


@dataclass(frozen=True)
class ScanError:
    """A bug in emrlint met while checking one resource or loading one file: reported
    beside the findings (exit status 2) while the rest of the scan goes on."""

    message: str
    path: str = ""  # the file being checked or loaded (absolute), "" when none
    resource: str = ""
    rule: str = ""
    detail: str = ""  # the traceback, shown only with --debug


@dataclass
class Problem:
    """What a rule's ``check()`` yields; the engine turns it into a :class:`Finding`."""

    loc: Loc
    message: str
    related: Tuple[Tuple[str, Loc], ...] = ()
    call_sites: Optional[Tuple[CallSite, ...]] = None  # None: the resource's own
    key: str = ""  # what it is about, stable across unrelated edits: "log_uri", "bootstrap_action[0].args"
    secret: bool = False  # it points at a secret (a password literal): code frames mask the value


def fingerprint(finding: Finding, path: str) -> str:
    """A line-independent identity for baselines and SARIF: rule + resource
    address + attribute path (the file path stands in where there is no resource)."""
    from emrlint.digest import sha256_hex

    subject = finding.resource or path
    what = finding.key or (finding.message if not finding.resource else "")
    return sha256_hex(f"{finding.rule}|{subject}|{what}".encode("utf-8", "surrogatepass"))[:32]
