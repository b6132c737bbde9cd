"""The project's own docs stay complete (issue 12 point 8), as tests/test_scheme_docs.py
does for clauses (datasette's test that its docs cover every plugin hook is the model):

- docs/workspace.md lists every column and every header alias the readers accept, marks
  the required columns, lists every kaohe.toml key the settings declare (and no other),
  and its date and time examples are read as it says;
- docs/readings.md has an entry for every reading a rule, docs/schemes.md or the code cites;
- README.md and docs/ point only inside the repository, and README says how to call
  `kaohe` after `make demo` (as scripts/demo.py does at its end).
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from flows import readers, settings
from flows.render import SCORES_CSV_COLUMNS
from schemes import all_schemes
from transforms.schema import LEDGER, REVIEW

ROOT = Path(__file__).resolve().parent.parent
WORKSPACE = (ROOT / "docs" / "workspace.md").read_text(encoding="utf-8")
READINGS = (ROOT / "docs" / "readings.md").read_text(encoding="utf-8")

#: the readers' header vocabularies → the section of docs/workspace.md describing the file
TABLES = {
    "UNIT_HEADERS": "`units.csv`",
    "ADOPTION_HEADERS": "`adoptions/`",
    "SUBMISSION_HEADERS": "`submissions/`",
    "EVENT_HEADERS": "`events/`",
    "DECISION_HEADERS": "`decisions.csv`",
}


def _section(doc: str, heading: str) -> str:
    """The part of `doc` under the heading `## <heading>` up to the next `## `."""
    m = re.search(rf"^## {re.escape(heading)}[^\n]*\n.*?(?=^## |\Z)", doc, flags=re.M | re.S)
    assert m, f"docs/workspace.md has no section '## {heading}'"
    return m.group(0)


def _row(section: str, first_cell: str) -> str | None:
    """The table row of `section` whose first cell is `first_cell`."""
    for line in section.splitlines():
        if line.startswith(f"| {first_cell} |"):
            return line
    return None


def _required_columns() -> dict[str, set[str]]:
    """{HEADERS name: the columns its reader requires}, read from flows/readers.py: each
    call given a *_HEADERS vocabulary and `required=(…)` (read_table(path, ws, X_HEADERS,
    required=…), or the same handed on to a helper that calls it)."""
    tree = ast.parse((ROOT / "flows" / "readers.py").read_text(encoding="utf-8"))
    out: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        vocab = [a.id for a in node.args if isinstance(a, ast.Name) and a.id in TABLES]
        required = [k.value for k in node.keywords if k.arg == "required"]
        if vocab and required:
            out.setdefault(vocab[0], set()).update(ast.literal_eval(required[0]))
    return out


ALIASES = [
    (vocab, column, alias)
    for vocab in TABLES
    for column, names in getattr(readers, vocab).items()
    for alias in dict.fromkeys((column, *names))
]


@pytest.mark.parametrize("vocab, column, alias", ALIASES, ids=[f"{v}:{a}" for v, _, a in ALIASES])
def test_every_accepted_header_is_documented_on_its_column(vocab, column, alias):
    section = _section(WORKSPACE, TABLES[vocab])
    row = _row(section, f"`{column}`")
    assert row, f"docs/workspace.md section {TABLES[vocab]} has no row for column `{column}`"
    assert f"`{alias}`" in row, (
        f"docs/workspace.md, {TABLES[vocab]} column `{column}`: header `{alias}` is missing"
    )


def test_columns_in_the_docs_exist_and_required_ones_are_marked():
    required = _required_columns()
    assert required.get("ADOPTION_HEADERS") == {"publication", "date", "title", "units"}
    for vocab, heading in TABLES.items():
        section = _section(WORKSPACE, heading)
        columns = getattr(readers, vocab)
        documented = re.findall(r"^\| `(\w+)` \| `", section, flags=re.M)
        assert set(documented) == set(columns), f"{heading}: columns {documented} vs {columns}"
        for column in required.get(vocab, ()):
            assert "**required**" in _row(section, f"`{column}`"), (
                f"{heading}: column `{column}` is required by the reader, not marked **required**"
            )


def test_chinese_column_names_of_messages_are_documented():
    """The names messages use for columns (readers._COLUMN_CN) are headers users can type."""
    for column, chinese in readers._COLUMN_CN.items():
        assert any(
            (row := _row(_section(WORKSPACE, h), f"`{column}`")) and f"`{chinese}`" in row
            for h in TABLES.values()
        ), f"「{chinese}」({column}) is not documented as a header of `{column}`"


KEYS = [(section, key) for section, keys in settings.declared_keys().items() for key in keys]


@pytest.mark.parametrize("section, key", KEYS, ids=[f"{s or ''}.{k}" for s, k in KEYS])
def test_every_kaohe_toml_key_is_documented(section, key):
    toml = _section(WORKSPACE, "`kaohe.toml`")
    name = f"`[{section}] {key}`" if section else f"`{key}`"
    row = _row(toml, name)
    assert row, f"docs/workspace.md does not document kaohe.toml key {name}"
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 4 and all(cells), f"{name}: type, default and meaning are needed"


def test_no_undeclared_key_is_documented():
    toml = _section(WORKSPACE, "`kaohe.toml`")
    documented = set(re.findall(r"^\| `(?:\[(\w+)\] )?(\w+)` \|", toml, flags=re.M))
    declared = {(s or "", k) for s, k in KEYS}
    assert documented == declared, (
        f"documented, not declared: {documented - declared}; "
        f"declared, not documented: {declared - documented}"
    )


def _examples(heading: str) -> list[str]:
    """The first cells (`…`) of the table under `### <heading>`'s paragraph `heading`."""
    section = _section(WORKSPACE, "Table files")
    m = re.search(rf"{re.escape(heading)}.*?\n\n(\|.*?)(?:\n\n|\Z)", section, flags=re.S)
    assert m, f"no table after {heading!r}"
    return re.findall(r"^\| `([^`]+)` \|", m.group(1), flags=re.M)


def test_documented_date_forms_are_read_as_documented():
    forms = _examples("A **date**")
    assert {"2018-06-19", "2018/6/19", "2018.6.19", "2018年6月19日", "20180619", "43270"} <= set(
        forms
    )
    for text in forms:
        assert readers.parse_date(text) == date(2018, 6, 19), text


def test_documented_time_forms_are_read():
    zone = ZoneInfo("Asia/Shanghai")
    forms = _examples("A **time**")
    assert len(forms) >= 5
    for text in forms:
        t = readers.parse_datetime(text, "Asia/Shanghai")
        assert t is not None and t.date() == date(2018, 5, 3), text
    offset = readers.parse_datetime("2018-05-03T09:12:33+08:00")
    assert offset == datetime(2018, 5, 3, 9, 12, 33, tzinfo=zone)


def test_every_output_column_is_documented():
    out = _section(WORKSPACE, "Outputs")
    for file, columns in (
        ("scores.csv", SCORES_CSV_COLUMNS),
        ("ledger.csv", list(LEDGER)),
        ("review.csv", list(REVIEW)),
    ):
        row = _row(out, f"`{file}`")
        assert row, f"docs/workspace.md does not describe {file}"
        missing = [c for c in columns if f"`{c}`" not in row]
        assert not missing, f"{file}: columns {missing} are not documented"


def _question_types() -> dict[str, str]:
    """Review question type id → its Chinese label (transforms/review.py's registry, where
    it exists; else the types the code asks today, without labels)."""
    try:
        from transforms import review
    except ImportError:
        ids = ("unit", "same_article", "article_source", "submission", "no_submission")
        return dict.fromkeys(ids, "")
    return {q.id: q.label for q in review.QUESTION_TYPES.values()}


def test_every_question_type_is_documented_with_its_answers():
    section = _section(WORKSPACE, "`decisions.csv`")
    for type_id, label in _question_types().items():
        row = _row(section, f"`{type_id}`")
        assert row, f"docs/workspace.md, decisions.csv: question type `{type_id}` is missing"
        assert label in row, f"question type `{type_id}`: its label {label} is not on its row"


# --------------------------------------------------------------------------- readings

_READING = re.compile(r"(?<![\w/.-])([CJXYQ]\d{1,2})(?![\w])")


def _cited() -> dict[str, set[str]]:
    """Reading id → where it is cited: the rules' `reading`, docs/schemes.md, README.md and
    the code (schemes/, transforms/, flows/, report_templates/)."""
    cited: dict[str, set[str]] = {}
    for scheme in all_schemes():
        for rule in scheme.rules:
            for rid in re.split(r"[,，\s]+", rule.reading.strip()):
                if rid:
                    cited.setdefault(rid, set()).add(f"{scheme.id} {rule.id}")
    texts = [ROOT / "docs" / "schemes.md", ROOT / "README.md"]
    for folder in ("schemes", "transforms", "flows", "report_templates"):
        texts += sorted(p for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".j2"))
    for path in texts:
        for rid in _READING.findall(path.read_text(encoding="utf-8")):
            cited.setdefault(rid, set()).add(path.relative_to(ROOT).as_posix())
    return cited


def _entries() -> dict[str, str]:
    return dict(re.findall(r"^- \*\*([CJXYQ]\d{1,2})\*\* (.+)$", READINGS, flags=re.M))


def test_every_cited_reading_has_an_entry():
    cited, entries = _cited(), _entries()
    assert {"C1", "J1", "X1", "Y1", "Q1"} <= set(cited)
    missing = {rid: sorted(where) for rid, where in cited.items() if rid not in entries}
    assert not missing, f"readings cited but missing from docs/readings.md: {missing}"


def test_every_rule_cites_only_known_readings_and_entries_have_text():
    entries = _entries()
    assert all(len(text) > 20 for text in entries.values())
    for scheme in all_schemes():
        prefix = {"jiande-2018": "J", "xiaoshan-2018": "X", "yinchuan-2018": "Y"}.get(
            scheme.id, "Q"
        )
        for rule in scheme.rules:
            for rid in filter(None, re.split(r"[,，\s]+", rule.reading.strip())):
                assert rid[0] in ("C", prefix), f"{scheme.id} {rule.id} cites {rid}"


# --------------------------------------------------------------------------- references

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_TOP = (
    "docs",
    "tests",
    "flows",
    "schemes",
    "transforms",
    "store",
    "scripts",
    "report_templates",
    "examples",
)


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_docs_point_only_inside_the_repository(path):
    text = path.read_text(encoding="utf-8")
    assert "../" not in text, f"{path.name} points outside the repository"
    assert not re.search(r"\bDESIGN\b|shared/", text), f"{path.name} cites the team's notes"
    # links and paths in backquotes name files of the repo
    paths = re.findall(r"\]\(([^)#\s]+)\)", text)
    paths += [
        p
        for p in re.findall(r"`([\w./-]+)`", text)
        if p.split("/", 1)[0] in _TOP and "/" in p and not p.startswith("examples/*")
    ]
    missing = [p for p in paths if "://" not in p and not (ROOT / p.rstrip("/")).exists()]
    assert not missing, f"{path.name} names paths that are not in the repository: {missing}"


def test_code_cites_no_notes_outside_the_repository():
    hits = []
    for folder in ("flows", "schemes", "transforms", "store", "scripts", "report_templates"):
        for p in (ROOT / folder).rglob("*"):
            if p.suffix in (".py", ".j2", ".css") and re.search(
                r"\bDESIGN\b|\.\./shared", p.read_text(encoding="utf-8")
            ):
                hits.append(p.relative_to(ROOT).as_posix())
    assert not hits, f"these files cite notes a user does not have: {hits}"


def test_readme_and_demo_say_how_to_call_kaohe():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/kaohe" in readme and "source .venv/bin/activate" in readme
    spec = importlib.util.spec_from_file_location("demo", ROOT / "scripts" / "demo.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    hint = demo.how_to_call()
    assert "how_to_call()" in inspect.getsource(demo.main), "make demo prints the hint"
    assert ".venv/bin/kaohe" in hint and "source .venv/bin/activate" in hint
    assert re.search(r"[\u4e00-\u9fff]", hint), "the hint is for users: in Chinese"
