"""End to end through the real Prefect flow, on a copy of the bundled 萧山 example (the year)."""

from __future__ import annotations

from pathlib import Path

import pytest
from examples_e2e import pdftext, read_csv, run_example

from schemes import get_scheme

# one worker runs both tests: the year is run once (see test_e2e.py)
pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.xdist_group("e2e-xiaoshan")]
SCHEME = get_scheme("xiaoshan-2018")


@pytest.fixture(scope="module")
def year_run(tmp_path_factory) -> Path:
    return run_example(tmp_path_factory.mktemp("e2e"), "xiaoshan-2018", "2018")


def test_year_scores_leave_out_the_unscored_units_and_equal_the_ledger(year_run):
    scores = read_csv(year_run / "scores.csv")
    unscored = {u for u, g, *_ in SCHEME.roster().iter_rows() if g == "不列入考核"}
    assert len(scores) == 61  # A 11 + B 16 + C 34
    assert not unscored & {r["unit"] for r in scores}
    assert {r["group"] for r in scores} == {"A", "B", "C"}
    ledger = read_csv(year_run / "ledger.csv")
    assert not unscored & {r["unit"] for r in ledger}
    for r in scores:
        total = sum(float(x["points"]) for x in ledger if x["unit"] == r["unit"])
        assert total == pytest.approx(float(r["points"])), r["unit"]
        # the year-end result: target met when points reach the annual target (X3)
        assert float(r["target"]) == {"A": 90, "B": 60, "C": 30}[r["group"]]
        assert (r["target_met"] in ("True", "true", "1", "是")) == (
            float(r["points"]) >= float(r["target"])
        )
    # some units met the target and some did not; the −30 rule was applied to some
    met = [r["target_met"] in ("True", "true", "1", "是") for r in scores]
    assert any(met) and not all(met)
    assert any(x["rule_id"] == "xiaoshan-2018/X-4.5.4" for x in ledger)


def test_bulletin_names_the_top_unit_and_its_points(year_run):
    text = pdftext(year_run / "bulletin.pdf")
    assert "2018年度" in text
    top = max(read_csv(year_run / "scores.csv"), key=lambda r: float(r["points"]))
    assert top["unit"] in text
    assert f"{float(top['points']):g}" in text
