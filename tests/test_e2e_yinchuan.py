"""End to end through the real Prefect flow, on a copy of the bundled 银川 example (the year)."""

from __future__ import annotations

from pathlib import Path

import pytest
from examples_e2e import pdftext, read_csv, run_example

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture(scope="module")
def year_run(tmp_path_factory) -> Path:
    return run_example(tmp_path_factory.mktemp("e2e"), "yinchuan-2018", "2018")


def test_year_scores_ledger_and_bulletin(year_run):
    scores = {r["unit"]: r for r in read_csv(year_run / "scores.csv")}
    ledger = read_csv(year_run / "ledger.csv")
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

    text = pdftext(year_run / "bulletin.pdf")
    assert "2018年度" in text
    top = max(scores.values(), key=lambda r: float(r["points"]))
    assert top["unit"] in text and f"{float(top['points']):g}" in text
