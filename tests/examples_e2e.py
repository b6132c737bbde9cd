"""Shared plumbing of the end-to-end tests: copy a bundled example, run it through the real
flow with `kaohe run`, and read what it wrote."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from flows.cli import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def copy_example(directory: Path, name: str, every: int = 1) -> Path:
    """A copy of examples/<name> without any earlier outputs, database or identity.

    `every` > 1 keeps only every n-th unit of its roster (units.csv, from the first), for
    tests about "the same outputs" rather than scale, and the events and decisions.csv's
    answers of those units (naming a unit not on the roster is an error); the adoptions and
    mail logs of the other units stay, as names no unit of the roster has (review.csv)."""
    ws = directory / name
    ignore = shutil.ignore_patterns("out", "kaohe.db", ".kaohe.lock", ".kaohe-id")
    shutil.copytree(EXAMPLES / name, ws, ignore=ignore)
    if every > 1:
        units = read_csv(ws / "units.csv")[::every]
        _write_csv(ws / "units.csv", units)
        names = {n.removeprefix("市") for u in units for n in [u["unit"], *u["aliases"].split(";")]}
        for path in (ws / "events").glob("*.csv"):
            rows = read_csv(path)
            _write_csv(path, [r for r in rows if r["单位"].removeprefix("市") in names], rows)
        if (ws / "decisions.csv").exists():
            rows = read_csv(ws / "decisions.csv")
            kept = [r for r in rows if _answer_kept(r, names)]
            _write_csv(ws / "decisions.csv", kept, rows)
    return ws


#: the questions answered with units of the roster (transforms/review.py), by id and label
UNIT_ANSWERS = {"unit", "article_source", "submission", "未识别单位", "来源不明", "报送单位不明"}


def _answer_kept(row: dict, names: set[str]) -> bool:
    kind, answer = row.get("type", row.get("问题类型")), row.get("answer", row.get("答复")) or ""
    if kind not in UNIT_ANSWERS or answer == "忽略":
        return True
    return all(a.removeprefix("市") in names for a in answer.split("、"))


def _write_csv(path: Path, rows: list[dict], like: list[dict] | None = None) -> None:
    fields = list((like or rows)[0])
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fields)
        writer.writeheader()
        writer.writerows(rows)


def run(ws: Path, period: str, *extra: str):
    """`kaohe run WS --period P …` in-process (the session's Prefect server)."""
    return CliRunner().invoke(
        cli, ["run", str(ws), "--period", period, *extra], catch_exceptions=False
    )


def run_example(directory: Path, name: str, period: str) -> Path:
    """Copy an example, run one period, and return the version folder it wrote."""
    ws = copy_example(directory, name)
    result = run(ws, period)
    assert result.exit_code == 0, result.output
    return ws / "out" / period / "v1"


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def pdftext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def assert_same_outputs(a: Path, b: Path) -> None:
    """Two version folders hold the same files: the same names, the same scores and ledger,
    the same text in the bulletin and in a sample of the statements."""
    names_a = sorted(p.name for p in (a / "statements").glob("*.pdf"))
    names_b = sorted(p.name for p in (b / "statements").glob("*.pdf"))
    assert names_a and names_a == names_b
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
    for name in ("scores.csv", "ledger.csv"):
        assert read_csv(a / name) == read_csv(b / name), name
    assert pdftext(a / "bulletin.pdf") == pdftext(b / "bulletin.pdf")
    for name in names_a[:: max(1, len(names_a) // 4)]:
        assert pdftext(a / "statements" / name) == pdftext(b / "statements" / name), name
