"""engine.consecutive_misses: N consecutive missed windows (连续N个季度未完成)."""

from __future__ import annotations

import pytest

from schemes.engine import consecutive_misses


def test_two_missed_in_a_row_complete_one_run():
    # Q1 missed, Q2 missed -> one run, completed at Q2
    assert consecutive_misses([("Q1", False), ("Q2", False), ("Q3", True)]) == ["Q2"]


def test_runs_start_afresh_after_completing():
    # four missed -> at Q2 and Q4; three missed -> at Q2 only
    four = [(f"Q{i}", False) for i in range(1, 5)]
    assert consecutive_misses(four) == ["Q2", "Q4"]
    assert consecutive_misses(four[:3]) == ["Q2"]


@pytest.mark.parametrize("breaker", [True, None])
def test_a_met_or_unjudged_window_breaks_the_run(breaker):
    # missed, (met | not judged), missed -> no run
    assert consecutive_misses([("Q1", False), ("Q2", breaker), ("Q3", False)]) == []


def test_other_run_lengths():
    # run=1: every miss; run=3: three in a row
    outcomes = [("a", False), ("b", False), ("c", False), ("d", True), ("e", False)]
    assert consecutive_misses(outcomes, 1) == ["a", "b", "c", "e"]
    assert consecutive_misses(outcomes, 3) == ["c"]
    with pytest.raises(ValueError):
        consecutive_misses(outcomes, 0)
