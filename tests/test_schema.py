"""emrlint/schema.py names what the loaders produce: model attributes exist, and every
attribute or block written in the fixtures' EMR resources has a name there."""

from __future__ import annotations

import os

import pytest

from emrlint import model
from emrlint.record import fields
from emrlint.schema import KINDS
from emrlint.terraform.build import RESOURCE_TYPES
from emrlint.terraform.project import parse_source

from conftest import FIXTURES

META = {"count", "for_each", "provider", "depends_on", "lifecycle", "timeouts", "tags_all"}


def _sections(schema):
    yield schema
    for sec in schema.sections.values():
        yield from _sections(sec)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_model_attributes_named_by_the_schema_exist(kind):
    cls = model.KIND_CLASSES.get(kind, model.Resource)
    names = {f.name for f in fields(cls)} | set(dir(cls))
    doc = KINDS[kind]
    for f in doc.fields.values():
        if f.attribute:
            assert f.attribute in names, f"{kind}: {cls.__name__} has no attribute {f.attribute}"
    for sec in doc.sections.values():
        if sec.collection:
            assert sec.collection in names, f"{kind}: {cls.__name__} has no {sec.collection}"
            item = {"instance_groups": model.InstanceGroup, "instance_fleets": model.InstanceFleet}.get(sec.collection)
            for f in sec.fields.values():
                if f.attribute:
                    assert item is not None and f.attribute in {g.name for g in fields(item)}


def _walk(body, schema, where, missing, path):
    for name in body.attributes:
        if name not in META and name not in schema.fields and name not in schema.sections:
            missing.append(f"{path}: {where}{name}")
    for block in body.blocks:
        inner, name = block.body, block.type
        if block.type == "dynamic":
            name = block.labels[0] if block.labels else ""
            content = next((b for b in block.body.blocks if b.type == "content"), None)
            if content is None:
                continue
            inner = content.body
        if name in META or name in schema.fields:
            continue
        if name not in schema.sections:
            missing.append(f"{path}: {where}{name}")
            continue
        _walk(inner, schema.sections[name], f"{where}{name}.", missing, path)


def test_every_name_the_fixtures_write_is_in_the_schema():
    missing = []
    for dirpath, _, files in os.walk(FIXTURES):
        for name in files:
            if not name.endswith(".tf"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as fh:
                parsed, _ = parse_source(path, fh.read())
            if parsed is None:
                continue
            for block in parsed.body.blocks:
                if block.type != "resource" or len(block.labels) != 2 or block.labels[0] not in RESOURCE_TYPES:
                    continue
                kind = RESOURCE_TYPES[block.labels[0]][0]
                if kind not in KINDS:
                    continue
                body = block.body
                if block.labels[0] == "aws_emrcontainers_job_template":  # the model's job run is its data
                    data = next((b for b in body.blocks if b.type == "job_template_data"), None)
                    if data is None:
                        continue
                    body = data.body
                _walk(body, KINDS[kind], "", missing, os.path.relpath(path, FIXTURES))
    assert not missing, "names missing from emrlint/schema.py:\n" + "\n".join(sorted(set(missing)))
