"""Shared helpers of the EMR4xx security rules (a helper module, not a rule).

* :class:`Settings` reads a security configuration's decoded JSON
  (``aws_emr_security_configuration.configuration``, CloudFormation
  ``SecurityConfiguration``) and finds where a key is written: inside a
  CloudFormation mapping through the model's sections; inside ``jsonencode({...})``
  through the Terraform evaluator's origins (variables, module inputs, locals); in a
  heredoc (or any multi-line value) by looking for the key in the text of the value;
  else the attribute itself.
* :func:`cluster_security_configurations` follows a cluster's
  ``security_configuration`` to the security configuration resources of the scan.
* :func:`cluster_security_groups` and :func:`cluster_subnets` follow a cluster's
  ``ec2_attributes`` to security groups and subnets.

Every helper treats values it cannot read (unknowns, wrong types) as unknown and
never raises.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, List, Optional, Sequence, Tuple

from emrlint.findings import Loc
from emrlint.model import Field, get_ci, is_false, is_true  # noqa: F401  (re-exported for the rules)
from emrlint.text import quote
from emrlint.values import Unknown

# ---------------------------------------------------------------------------
# security configuration JSON
# ---------------------------------------------------------------------------

class _Invalid:
    """A value of the wrong shape (a string where an object belongs): nothing can be concluded."""

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "INVALID"


INVALID = _Invalid()


def unknowable(value: Any) -> bool:
    """True for values no rule may conclude anything from."""
    return isinstance(value, (Unknown, _Invalid))


def lookup(value: Any, path: Sequence[str]) -> Any:
    """The value at ``path`` (keys in any case spelling): None when a key is absent,
    an Unknown when an unknown value is met on the way, INVALID when a level is not an
    object."""
    cur = value
    for key in path:
        if isinstance(cur, Unknown):
            return cur
        if cur is None:
            return None
        if not isinstance(cur, dict):
            return INVALID
        try:
            cur = get_ci(cur, key)
        except Exception:  # pragma: no cover - get_ci only iterates a dict
            return INVALID
    return cur


def show(value: Any) -> str:
    """A JSON value as a message shows it."""
    return f"the string {quote(value)}" if isinstance(value, str) else quote(value)


def text(value: Any) -> Optional[str]:
    """A known, stripped string value, else None."""
    if isinstance(value, str):
        return value.strip()
    return None


class Settings:
    """The decoded JSON of a security configuration resource, with locations."""

    def __init__(self, sec: Any, ctx: Any):
        self.sec = sec
        self.ctx = ctx
        body = getattr(sec, "body", None)
        self.attr = "configuration"
        try:
            if body is not None and not body.field("configuration").present and body.field("security_configuration").present:
                self.attr = "security_configuration"
        except Exception:
            pass
        self.field: Optional[Field] = getattr(sec, "settings", None)
        self.value: Any = self.field.value if isinstance(self.field, Field) else None
        self.present = isinstance(self.field, Field) and self.field.present

    # -- values ----------------------------------------------------------------

    def get(self, *path: str) -> Any:
        if not isinstance(self.value, (dict, Unknown)) and self.value is not None:
            return INVALID  # a JSON array or scalar: not a security configuration we can read
        return lookup(self.value, path)

    def has(self, *path: str) -> bool:
        """Whether the last key of ``path`` is written (possibly with a null value)."""
        parent = self.get(*path[:-1]) if path else None
        if not isinstance(parent, dict) or not path:
            return False
        want = str(path[-1]).replace("_", "").lower()
        return any(str(k).replace("_", "").lower() == want for k in parent)

    def key(self, *path: str) -> str:
        """A finding key: the attribute and the JSON path (no values, no line numbers)."""
        return ".".join((self.attr,) + tuple(str(p) for p in path))

    # -- locations ---------------------------------------------------------------

    def whole(self) -> Loc:
        """Where the configuration is written (its value), or the resource when it is absent."""
        if isinstance(self.field, Field):
            try:
                return self.field.loc
            except Exception:
                return self.field.attr_loc
        return self.sec.loc

    def loc(self, *path: Any) -> Loc:
        """Where the key at ``path`` is written (its value when it is a scalar); the deepest
        enclosing key found when it is not written; the configuration itself otherwise."""
        if not path:
            return self.whole()
        finders = [self._section_loc, self._terraform_loc, self._text_loc]
        if self.get(*[p for p in path if not isinstance(p, int)]) is None:
            # a missing or null key: point at where it belongs (the key, or the object that lacks it),
            # not at the variable default that made it null
            finders = [self._section_loc, self._text_loc, self._enclosing_loc]
        for finder in finders:
            try:
                found = finder(path)
            except Exception:  # a helper must never make a rule fail
                found = None
            if found is not None:
                return found
        return self.whole()

    def _section_loc(self, path: Sequence[Any]) -> Optional[Loc]:
        """Through the model's sections: CloudFormation (and other documents) keep the
        position of every key of a mapping-valued property."""
        body = getattr(self.sec, "body", None)
        if body is None:
            return None
        section = body.section(self.attr)
        if section is None or getattr(section, "unknown", False):
            return None
        best = section.loc
        for i, key in enumerate(path):
            last = i == len(path) - 1
            if isinstance(key, int):
                continue  # list items are addressed by the enclosing key
            nxt_index = path[i + 1] if i + 1 < len(path) and isinstance(path[i + 1], int) else None
            if last:
                f = section.field(key)
                if f.present:
                    return f.origin if f.value is not None and not isinstance(f.value, (dict, list)) else f.attr_loc
                return best
            subs = section.sections(key)
            if not subs:
                f = section.field(key)
                return f.attr_loc if f.present else best
            chosen = subs[nxt_index] if nxt_index is not None and 0 <= nxt_index < len(subs) else subs[0]
            if getattr(chosen, "unknown", False):
                return chosen.loc
            section, best = chosen, chosen.loc
        return best

    def _terraform_loc(self, path: Sequence[Any]) -> Optional[Loc]:
        """Terraform: where the value at ``path`` inside ``jsonencode(...)`` was written,
        followed through variables, module inputs, locals and ``merge``.

        The model has no public way to ask a decoded JSON field for the origin of a
        sub-path (``Field.origin`` covers the whole value), so this asks the Terraform
        evaluator the same question the state machine loader asks it; anything
        unexpected falls back to the text search."""
        body = getattr(self.sec, "body", None)
        scope = getattr(body, "scope", None)
        attrs = getattr(getattr(body, "body", None), "attributes", None)
        if scope is None or not isinstance(attrs, dict) or self.attr not in attrs:
            return None
        if not isinstance(self.field, Field) or self.field.value is None:
            return None
        from emrlint.terraform.module import expr_origin

        found = expr_origin(attrs[self.attr], scope, ("json",) + tuple(path))
        loc = found[0] if isinstance(found, tuple) and found else None
        if not isinstance(loc, Loc) or loc == self.field.origin:
            return None  # no finer position than the whole value (a heredoc, file(), a data source)
        return loc

    def _enclosing_loc(self, path: Sequence[Any]) -> Optional[Loc]:
        """The object that lacks the key at ``path``, where the evaluator can place it (inside a
        templatefile() template, a file() document)."""
        parent = list(path[:-1])
        while parent and isinstance(parent[-1], int):
            parent.pop()
        while parent and self.get(*[p for p in parent if not isinstance(p, int)]) is None:
            parent.pop()  # the deepest enclosing key that is written
        return self._terraform_loc(parent) if parent else None

    def _text_loc(self, path: Sequence[Any]) -> Optional[Loc]:
        """Inside ``jsonencode({...})`` or heredoc JSON written in one span of a file: the
        keys of ``path`` looked up one after the other in that span."""
        if not isinstance(self.field, Field) or self.field.value is None:
            return None
        where = self.field.origin
        if where.end_line <= where.line:
            return None
        lines = self.ctx.sources.lines(where.path) if self.ctx is not None else []
        if not lines:
            return None
        first, last = where.line, min(where.end_line, len(lines))
        line, col = first, max(where.column - 1, 0)
        found: Optional[Tuple[int, int]] = None
        skip = 0
        for key in path:
            if isinstance(key, int):
                skip = max(key, 0)  # the n-th item of a list: the n-th occurrence of the next key
                continue
            pattern = re.compile(r'(?<![\w-])"?' + re.escape(str(key)) + r'"?\s*[:=]')
            hit = None
            ln, start = line, col
            while ln <= last:
                m = pattern.search(lines[ln - 1], start)
                if m is None:
                    ln, start = ln + 1, 0
                    continue
                if skip:
                    skip -= 1
                    start = m.end()
                    continue
                offset = m.start() + (1 if lines[ln - 1][m.start()] == '"' else 0)
                hit = (ln, offset)
                break
            skip = 0
            if hit is None:
                break
            found = hit
            line, col = hit[0], hit[1] + len(str(key))
        if found is None:
            return None
        return Loc(where.path, found[0], found[1] + 1)


# ---------------------------------------------------------------------------
# following a cluster to the resources it uses
# ---------------------------------------------------------------------------

ABSENT, UNKNOWN, FOUND = "absent", "unknown", "found"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cluster_security_configurations(cluster: Any, ctx: Any) -> Tuple[str, Field, List[Any]]:
    """(state, field, resources): ABSENT when the cluster names no security configuration
    (absent, null or empty), UNKNOWN when it cannot be evaluated or is not a resource of
    the scan, FOUND with the security configuration resources it names."""
    f = cluster.field("security_configuration")
    value = f.value
    if _blank(value):
        return ABSENT, f, []
    if not isinstance(value, (str, Unknown)):
        return UNKNOWN, f, []
    try:
        exact, possible = ctx.model.find(value, "security_configuration", cluster.root)
    except Exception:
        return UNKNOWN, f, []
    if possible or not exact:
        return UNKNOWN, f, []
    return FOUND, f, exact


API_NAMES = {
    "security_configuration": "SecurityConfiguration",
    "kerberos_attributes": "KerberosAttributes",
    "realm": "Realm",
    "kdc_admin_password": "KdcAdminPassword",
    "ad_domain_join_password": "ADDomainJoinPassword",
    "cross_realm_trust_principal_password": "CrossRealmTrustPrincipalPassword",
    "ec2_attributes": "Instances",
    "subnet_id": "Ec2SubnetId",
    "subnet_ids": "Ec2SubnetIds",
    "map_public_ip_on_launch": "MapPublicIpOnLaunch",
    "emr_managed_master_security_group": "EmrManagedMasterSecurityGroup",
    "emr_managed_slave_security_group": "EmrManagedSlaveSecurityGroup",
    "service_access_security_group": "ServiceAccessSecurityGroup",
    "additional_master_security_groups": "AdditionalMasterSecurityGroups",
    "additional_slave_security_groups": "AdditionalSlaveSecurityGroups",
    "block_public_security_group_rules": "BlockPublicSecurityGroupRules",
}


def is_terraform(resource: Any) -> bool:
    return str(getattr(resource, "source_format", "terraform")).startswith("terraform")


def spelled(resource: Any, dotted: str) -> str:
    """A dotted attribute path as the resource's format spells it (CloudFormation/API names
    outside Terraform): ``kerberos_attributes.realm`` -> ``KerberosAttributes.Realm``."""
    if is_terraform(resource):
        return dotted
    return ".".join(API_NAMES.get(p, p) for p in dotted.split("."))


def ec2_sections(cluster: Any) -> List[Any]:
    try:
        return list(cluster.body.sections("ec2_attributes"))
    except Exception:
        return []


SECURITY_GROUP_ATTRS = (
    "emr_managed_master_security_group",
    "emr_managed_slave_security_group",
    "service_access_security_group",
    "additional_master_security_groups",
    "additional_slave_security_groups",
)


def _split_ids(value: Any) -> Any:
    """Terraform's additional groups are one comma-separated string; CloudFormation's a list."""
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        out: List[Any] = []
        for v in value:
            if isinstance(v, str):
                out.extend(x.strip() for x in v.split(",") if x.strip())
            elif isinstance(v, Unknown):
                out.append(v)
        return out
    return value


def cluster_security_groups(cluster: Any, ctx: Any) -> Iterator[Tuple[str, Field, Any]]:
    """(attribute, field, security group resource) for every security group of the scan
    that the cluster's ``ec2_attributes`` name exactly (each group once)."""
    seen = set()
    for ec2 in ec2_sections(cluster):
        for attr in SECURITY_GROUP_ATTRS:
            f = ec2.field(attr)
            value = _split_ids(f.value)
            if value is None or value == []:
                continue
            try:
                exact, _ = ctx.model.find(value, "security_group", cluster.root)
            except Exception:
                continue
            for group in exact:
                if group.address in seen:
                    continue
                seen.add(group.address)
                yield attr, f, group


def cluster_subnets(cluster: Any, ctx: Any) -> Iterator[Tuple[str, Field, Any]]:
    """(attribute, field, subnet resource) for every subnet of the scan the cluster names."""
    seen = set()
    for ec2 in ec2_sections(cluster):
        for attr in ("subnet_id", "subnet_ids"):
            f = ec2.field(attr)
            value = f.value
            if isinstance(value, list):
                value = [v for v in value if isinstance(v, (str, Unknown))]
            elif not isinstance(value, (str, Unknown)):
                continue
            try:
                exact, _ = ctx.model.find(value, "subnet", cluster.root)
            except Exception:
                continue
            for subnet in exact:
                if subnet.address in seen:
                    continue
                seen.add(subnet.address)
                yield attr, f, subnet


ENCRYPTION = "EncryptionConfiguration"


def encryption_switch(s: "Settings", switch: Tuple[str, str], kind: str, why: str, fix: str):
    """The shared start of EMR402 and EMR404: a security configuration that evaluates to
    null, has no ``EncryptionConfiguration``, or whose ``switch`` (``EnableAtRestEncryption``,
    ``EnableInTransitEncryption``) is not true.  Yields those problems; returns True when the
    switch is on and the rule should look further (``on = yield from encryption_switch(...)``)."""
    from emrlint.rulekit import Problem

    if s.field is None or not s.present:
        return False  # no configuration attribute: not a security configuration emrlint can read
    if s.value is None:
        yield Problem(s.whole(), f"Security configuration {s.attr} evaluates to null: {why}. {fix}", key=s.key(*switch))
        return False
    enc = s.get(ENCRYPTION)
    if unknowable(enc):
        return False
    if enc is None:
        yield Problem(s.loc(), f"Security configuration has no {ENCRYPTION}, so {kind} encryption is off: {why}. {fix}",
                      key=s.key(*switch))
        return False
    value = s.get(*switch)
    if unknowable(value):
        return False
    if not is_true(value):
        state = "is not set" if value is None else f"is {show(value)}"
        yield Problem(s.loc(*(switch if value is not None else (ENCRYPTION,))),
                      f"{ENCRYPTION}.{switch[1]} {state}: {why}. {fix}", key=s.key(*switch))
        return False
    return True
