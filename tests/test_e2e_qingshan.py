"""End to end through the real Prefect flow, on a copy of the bundled 青山 example (the year)."""

from __future__ import annotations

from pathlib import Path

import pytest
from examples_e2e import pdftext, read_csv, run_example

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture(scope="module")
def year_run(tmp_path_factory) -> Path:
    return run_example(tmp_path_factory.mktemp("e2e"), "qingshan-2020", "2020")


def test_year_scores_ledger_and_bulletin(year_run):
    scores = {r["unit"]: r for r in read_csv(year_run / "scores.csv")}
    ledger = read_csv(year_run / "ledger.csv")
    assert len(scores) == 37  # 一类 14, 二类 13, 办事处（镇） 10
    for unit, r in scores.items():
        total = sum(float(x["points"]) for x in ledger if x["unit"] == unit)
        assert total == pytest.approx(float(r["points"])), unit
    # 区统计局 sent 117 of its 120 (一类): 3 × −2 = −6 in the year (四（三）1)
    stats = scores["区统计局"]
    assert stats["submitted"] == "117" and stats["target_met"].lower() == "false"
    short = [x for x in ledger if x["rule_id"] == "qingshan-2020/Q-4.3.1"]
    assert [float(x["points"]) for x in short if x["unit"] == "区统计局"] == [-6]
    assert "报送117/120条（扣6分）" in stats["remark"]
    # 区商务局 missed two 约稿 (different topics): −80 in all, not −110 (四（三）3)
    late = [x for x in ledger if x["rule_id"] == "qingshan-2020/Q-4.3.3"]
    assert sum(float(x["points"]) for x in late if x["unit"] == "区商务局") == -80

    text = pdftext(year_run / "bulletin.pdf")
    assert "2020年度" in text
    top = max(scores.values(), key=lambda r: float(r["points"]))
    assert top["unit"] in text and f"{float(top['points']):g}" in text
