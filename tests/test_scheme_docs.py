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


# --------------------------------------------------------------------------- regulation files
# (every key, rule kind and special rule is documented: tests/test_regulation.py checks that
# docs/regulations.md's reference is what scripts/regulation_docs.py writes)

REGULATIONS = (ROOT / "docs" / "regulations.md").read_text(encoding="utf-8")
SHIPPED_FILES = sorted((ROOT / "schemes" / "regulations").glob("*.toml"))


def _reg_section(heading: str) -> str:
    m = re.search(rf"^## {re.escape(heading)}[^\n]*\n.*?(?=^## |\Z)", REGULATIONS, re.M | re.S)
    assert m, f"docs/regulations.md has no section '## {heading}'"
    return m.group(0)


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=[p.stem for p in SHIPPED_FILES])
def test_a_shipped_file_passes_kaohe_scheme_check(path):
    """What `kaohe scheme check` asks of an office's file, the shipped files meet: keys,
    types, unique rule ids, every rule with its clause and name, names that match."""
    from flows.workspace import read_regulation
    from schemes import get_scheme

    reg = read_regulation(path).value
    assert reg == get_scheme(path.stem)
    assert all(r.clause.strip() and r.name.strip() for r in reg.rules)


def test_the_walkthrough_names_every_rule_of_the_jiande_file():
    from schemes import get_scheme

    walk = _reg_section("建德's file, clause by clause")
    missing = [r.id for r in get_scheme("jiande-2018").rules if f"`{r.id}`" not in walk]
    assert not missing, f"the walk-through of 建德's file does not mention {missing}"


def test_the_toml_examples_of_the_guide_read():
    """Every ```toml block of docs/regulations.md reads onto the dataclasses (a block of
    keys without a table header is a rule's keys)."""
    from schemes.regulation import Regulation
    from transforms import tomldata

    head = 'id = "x"\ntitle = "x"\ndoc_number = "x"\noffice = "x"\n'
    blocks = re.findall(r"```toml\n(.*?)```", REGULATIONS, re.S)
    assert len(blocks) >= 3
    for block in blocks:
        if not re.search(r"^\[", block, re.M):
            block = '[[rules]]\nid = "x"\nclause = "x"\nname = "x"\n' + block
        tomldata.read(head + block, Regulation, "docs/regulations.md")


def test_the_guide_names_only_rule_kinds_the_engine_has():
    from schemes.kinds import KINDS, SPECIALS

    guide = REGULATIONS.split("## The regulation file: every key")[0]
    kinds = set(re.findall(r'\bkind = "([a-z_]+)"', guide))  # (a class: kind = "动态")
    assert {"adoption", "instruction", "escalating", "special"} <= kinds
    assert not kinds - set(KINDS) - {"special"}, kinds - set(KINDS)
    specials = set(re.findall(r'special = "(\w+)"', guide)) - {"name"}
    assert not specials - set(SPECIALS), specials - set(SPECIALS)
    assert (
        "`instruction_level_ranks_first`" in guide and "instruction_level_ranks_first" in SPECIALS
    )
