"""docs/schemes.md covers every rule of every registered scheme (like datasette's test that
the docs cover every plugin hook)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from schemes import SCHEMES, all_schemes

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "schemes.md").read_text(encoding="utf-8")


def _section(scheme_id: str) -> str:
    """The part of the doc under `## <scheme_id>` up to the next `## `."""
    m = re.search(rf"^## {re.escape(scheme_id)}\b.*?(?=^## |\Z)", DOC, flags=re.M | re.S)
    assert m, f"docs/schemes.md has no section '## {scheme_id}'"
    return m.group(0)


RULES = [(s.id, r) for s in all_schemes() for r in s.rules]


@pytest.mark.parametrize("scheme_id, rule", RULES, ids=[f"{s}:{r.id}" for s, r in RULES])
def test_rule_is_documented_with_its_clause(scheme_id, rule):
    assert rule.clause.strip(), f"{scheme_id} rule {rule.id} has no clause"
    assert rule.name.strip(), f"{scheme_id} rule {rule.id} has no name"
    section = _section(scheme_id)
    rows = [line for line in section.splitlines() if f"`{rule.id}`" in line]
    assert rows, f"{scheme_id} rule {rule.id} is missing from docs/schemes.md"
    assert any(rule.clause in line for line in rows), (
        f"{scheme_id} rule {rule.id}: its clause {rule.clause} is not on its row"
    )
    assert any("`test_" in line for line in rows), f"{scheme_id} rule {rule.id} names no test"


def test_every_registered_scheme_has_a_section():
    for scheme_id in SCHEMES:
        _section(scheme_id)


def test_tests_named_in_the_doc_exist():
    defined = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M))
    named = set(re.findall(r"`(test_\w+)`", DOC))
    assert named, "docs/schemes.md names no tests"
    assert not named - defined, f"tests named in docs/schemes.md but not defined: {named - defined}"
