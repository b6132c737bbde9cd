"""End to end through the real Prefect flow, on a copy of the bundled 银川 example (the year)."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import cli

pytestmark = pytest.mark.usefixtures("prefect_server")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def year_run(tmp_path_factory) -> Path:
    ws = tmp_path_factory.mktemp("e2e") / "yinchuan"
    shutil.copytree(
        EXAMPLES / "yinchuan-2018",
        ws,
        ignore=shutil.ignore_patterns("out", "kaohe.db", ".kaohe.lock"),
    )
    result = CliRunner().invoke(cli, ["run", str(ws), "--period", "2018"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return ws / "out" / "2018" / "v1"


def _csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_year_scores_ledger_and_bulletin(year_run):
    scores = {r["unit"]: r for r in _csv(year_run / "scores.csv")}
    ledger = _csv(year_run / "ledger.csv")
    # the example's roster: 6 县（市）区, 3 开发区, 3 驻外办事处, 26 部门, 3 + 3 + 4 others
    assert len(scores) == 48
    for unit, r in scores.items():
        total = sum(float(x["points"]) for x in ledger if x["unit"] == unit)
        assert total == pytest.approx(float(r["points"])), unit
    # 市统计局 missed Q2 and Q3 in a row: one 通报批评 -> 0.1 in the performance assessment,
    # a 0-point ledger row, and its points are not reduced by it
    stats = scores["市统计局"]
    assert float(stats["assessment"]) == pytest.approx(0.1)
    assert stats["target_met"].lower() == "false"
    crit = [x for x in ledger if x["rule_id"] == "yinchuan-2018/Y-9.1.2"]
    assert {x["unit"] for x in crit} == {"市统计局", "市地震局"}
    assert all(float(x["points"]) == 0 for x in crit)
    # no adoption all year: 0.2
    assert float(scores["驻深办"]["assessment"]) == pytest.approx(0.2)
    assert scores["驻深办"]["adopted"] == "0"

    text = subprocess.run(
        ["pdftotext", "-layout", str(year_run / "bulletin.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "2018年度" in text
    top = max(scores.values(), key=lambda r: float(r["points"]))
    assert top["unit"] in text and f"{float(top['points']):g}" in text
