"""The layers keep apart: the scoring engine (schemes/) imports nothing of presentation,
and the presentation (the bulletin's figures, the statements, the words, the exports,
the mails) reads the result's fields, never the Chinese prose of the ledger or of the
remarks, and never guesses at attributes with getattr.

Read from the source (ast), so a new import or a new text test fails here by name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: what schemes/* may import of the project besides schemes.*: periods, frames, errors,
#: commission statuses, the count of submissions, how issues are written, the roster's
#: changes within a year and the TOML reader of regulation files (the neutral modules)
NEUTRAL = {
    "transforms.periods",
    "transforms.schema",
    "transforms.errors",
    "transforms.commissions",
    "transforms.submissions",
    "transforms.publication_text",
    "transforms.roster_changes",
    "transforms.tomldata",
}
#: the old home of issue_label: a re-export of the neutral module while schemes/engine.py
#: still imports it from there (allowed only as long as it imports nothing else)
SHIM = "transforms.summary"

#: modules that count, word or lay out what the outputs show
PRESENTATION_TRANSFORMS = [
    "transforms.wording",
    "transforms.figures",
    "transforms.verdicts",
    "transforms.statement_rows",
    "transforms.csvsafe",
    "transforms.changes",
    "transforms.charts",
]
#: the flows that render, export and mail the outputs
PRESENTATION_FLOWS = ["flows.render", "flows.docx_bulletin", "flows.delivery"]
PROJECT = ("transforms", "schemes", "flows", "store", "report_templates")

#: text columns of the ledger, the scores, the remark records and the notices: prose
PROSE = {"note", "remark", "reason", "text", "rule"}
#: string operations that read meaning out of a text
TEXT_TESTS = {
    "contains",
    "contains_any",
    "starts_with",
    "ends_with",
    "extract",
    "extract_all",
    "extract_groups",
    "find",
    "rfind",
    "startswith",
    "endswith",
    "split",
    "rsplit",
    "partition",
    "rpartition",
    "index",
    "rindex",
    "count_matches",
    "match",
    "search",
    "fullmatch",
    "findall",
    "finditer",
    "sub",
    "subn",
}


def _path(module: str) -> Path:
    base = ROOT.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _modules(package: str) -> list[str]:
    out = []
    for p in sorted((ROOT / package).rglob("*.py")):
        rel = p.relative_to(ROOT).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out.append(".".join(parts))
    return out


def imports(source: str) -> set[str]:
    """The modules a source imports (anywhere in it, functions too), as dotted names;
    `from pkg import mod` counts as pkg.mod when pkg.mod is a module of the project."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                if _path(sub).is_file():
                    out.add(sub)
    return out


def _project_imports(module: str) -> set[str]:
    return {m for m in imports(_path(module).read_text()) if m.split(".")[0] in PROJECT}


def closure(module: str) -> set[str]:
    """Every project module `module` imports, directly or not."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        m = todo.pop()
        for dep in _project_imports(m):
            if dep not in seen and _path(dep).is_file():
                seen.add(dep)
                todo.append(dep)
    return seen


def _refers_to_prose(node: ast.AST) -> str | None:
    """The prose column an expression reads: pl.col("note"), row["remark"],
    row.get("reason"), record.text; else None."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Constant):
            if sub.slice.value in PROSE:
                return str(sub.slice.value)
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute | ast.Name):
            name = sub.func.attr if isinstance(sub.func, ast.Attribute) else sub.func.id
            if name in ("col", "get") and sub.args and isinstance(sub.args[0], ast.Constant):
                if sub.args[0].value in PROSE:
                    return str(sub.args[0].value)
        if isinstance(sub, ast.Attribute) and sub.attr in PROSE:
            return sub.attr
    return None


def prose_reads(source: str) -> list[str]:
    """Where a source tests or takes apart prose (`PROSE` columns) or guesses at an
    attribute with getattr: one line per finding, «line: what»."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("getattr", "hasattr"):
                found.append(f"{node.lineno}: {func.id}")
                continue
            if isinstance(func, ast.Attribute) and func.attr in TEXT_TESTS:
                # the text is the receiver (text.startswith(…), pl.col(…).str.contains(…))
                # or an argument (re.sub(pattern, repl, text))
                for part in [func.value, *node.args]:
                    col = _refers_to_prose(part)
                    if col:
                        found.append(f"{node.lineno}: {func.attr} on {col}")
                        break
        elif isinstance(node, ast.Compare) and any(
            isinstance(op, ast.In | ast.NotIn) for op in node.ops
        ):
            for right in node.comparators:
                col = _refers_to_prose(right)
                if col:
                    found.append(f"{node.lineno}: in {col}")
    return found


def test_schemes_import_only_schemes_and_neutral_modules():
    bad = []
    for module in _modules("schemes"):
        for dep in sorted(_project_imports(module)):
            if dep == "schemes" or dep.startswith("schemes.") or dep in NEUTRAL:
                continue
            if dep == SHIM or dep == "transforms":
                continue  # checked below / the package itself
            bad.append(f"{module} imports {dep}")
    assert bad == []


def test_the_old_summary_module_is_only_a_re_export_of_the_neutral_module():
    if not _path(SHIM).is_file():
        pytest.skip("transforms/summary.py is gone: nothing to check")
    assert _project_imports(SHIM) <= NEUTRAL
    tree = ast.parse(_path(SHIM).read_text())
    assert not [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]


def test_nothing_of_presentation_is_reachable_from_the_engine():
    presentation = set(PRESENTATION_TRANSFORMS) | set(PRESENTATION_FLOWS)
    for module in _modules("schemes"):
        reached = closure(module)
        assert not reached & presentation, module
        assert not [m for m in reached if m.startswith(("flows", "store"))], module


@pytest.mark.parametrize("module", PRESENTATION_TRANSFORMS + PRESENTATION_FLOWS)
def test_presentation_reads_fields_not_prose(module):
    assert prose_reads(_path(module).read_text()) == []


def test_the_prose_check_finds_what_it_forbids():
    """The checks above can fail: each of these lines is found."""
    offences = [
        'led.filter(pl.col("note").str.contains("少"))',
        'rs = [r for r in remarks if not r["remark"].startswith("未完成季度目标")]',
        'reason = re.sub(r"^未完成[^：]{0,12}：", "", r["remark"] or "")',
        'quotas = getattr(result, "quotas", None)',
        'late = "逾期" in row.get("reason")',
        'kind = record.text.split("：")[0]',
        'pl.col("rule").str.contains("批示")',
    ]
    for line in offences:
        assert prose_reads(line), line
    # reading fields, and text shown as it is, are not offences
    fine = [
        'df.filter(pl.col("count").fill_null(0) < pl.col("required"))',
        'reason = (r["remark"] or "").strip().rstrip("。；;")',
        'ev = events.filter(pl.col("type") == "领导批示")',
    ]
    for line in fine:
        assert prose_reads(line) == [], line


def test_the_import_check_finds_a_presentation_import(tmp_path):
    src = "from transforms.figures import overview\nfrom transforms import wording as wd\n"
    found = imports(src)
    assert "transforms.figures" in found and "transforms.wording" in found
