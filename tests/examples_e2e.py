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
    tests about "the same outputs" rather than scale: the other units' rows stay in the
    data, as names no unit of the roster has."""
    ws = directory / name
    ignore = shutil.ignore_patterns("out", "kaohe.db", ".kaohe.lock", ".kaohe-id")
    shutil.copytree(EXAMPLES / name, ws, ignore=ignore)
    if every > 1:
        header, *rows = (ws / "units.csv").read_text(encoding="utf-8").splitlines(True)
        (ws / "units.csv").write_text(header + "".join(rows[::every]), encoding="utf-8")
    return ws


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
