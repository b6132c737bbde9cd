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

REGULATIONS = (ROOT / "docs" / "regulations.md").read_text(encoding="utf-8")
SHIPPED_FILES = sorted((ROOT / "schemes" / "regulations").glob("*.toml"))


def _reg_section(heading: str) -> str:
    m = re.search(rf"^## {re.escape(heading)}[^\n]*\n.*?(?=^## |\Z)", REGULATIONS, re.M | re.S)
    assert m, f"docs/regulations.md has no section '## {heading}'"
    return m.group(0)


def _dataclasses() -> dict[str, type]:
    """Every table a regulation file may write: the Regulation and the dataclasses its
    fields hold, by class name."""
    import dataclasses
    import typing

    from schemes.regulation import Regulation

    found: dict[str, type] = {}

    def walk(cls: type) -> None:
        if cls.__name__ in found:
            return
        found[cls.__name__] = cls
        for hint in typing.get_type_hints(cls).values():
            for arg in (hint, *typing.get_args(hint)):
                for inner in (arg, *typing.get_args(arg)):
                    if dataclasses.is_dataclass(inner):
                        walk(inner)

    walk(Regulation)
    return found


@pytest.mark.parametrize("name", sorted(_dataclasses()))
def test_every_key_of_a_regulation_file_is_documented(name):
    """docs/regulations.md documents every key of every table of a regulation file under
    `### <its dataclass>` (and no key the dataclass does not have)."""
    from dataclasses import fields

    cls = _dataclasses()[name]
    m = re.search(
        rf"^### `{name}`\n.*?(?=^##|\Z)", _reg_section("The regulation file"), re.M | re.S
    )
    assert m, f"docs/regulations.md does not document the table `{name}`"
    documented = re.findall(r"^\| `(\w+)` \|", m.group(0), re.M)
    declared = [f.name for f in fields(cls) if f.init and f.metadata.get("toml", True)]
    assert set(documented) == set(declared), (
        f"{name}: documented, not declared: {set(documented) - set(declared)}; "
        f"declared, not documented: {set(declared) - set(documented)}"
    )
    for row in re.findall(r"^\| `\w+` \|.*$", m.group(0), re.M):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) >= 4 and cells[3], f"{name}: {row} says nothing"


def test_every_rule_kind_and_special_rule_is_documented_with_its_keys():
    from schemes.kinds import KINDS, SPECIALS

    for heading, registry in (("Rule kinds", KINDS), ("Special rules", SPECIALS)):
        section = _reg_section(heading)
        for name, kind in registry.items():
            row = next((x for x in section.splitlines() if x.startswith(f"| `{name}` |")), None)
            assert row, f"docs/regulations.md, {heading}: `{name}` is missing"
            for key in kind.fields:
                assert f"`{key}`" in row, f"{heading} `{name}`: its key `{key}` is not listed"


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
