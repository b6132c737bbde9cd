"""Output versions, the workspace lock, diffs and the store, without Prefect."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from flows import outputs
from store.repository import Store
from transforms import changes as ch
from transforms import schema
from transforms.errors import InputError


def test_staging_failure_leaves_nothing(tmp_path):
    period_dir = tmp_path / "out" / "2018Q2"
    with pytest.raises(RuntimeError):
        with outputs.staging(period_dir) as tmp:
            (tmp / "bulletin.html").write_text("x")
            raise RuntimeError("render failed")
    assert list(period_dir.iterdir()) == []
    with outputs.staging(period_dir) as tmp:
        (tmp / "a").write_text("1")
        v1 = outputs.publish(tmp, period_dir)
    with outputs.staging(period_dir) as tmp:
        v2 = outputs.publish(tmp, period_dir)
    assert (v1.name, v2.name) == ("v1", "v2")
    assert (v1 / "a").read_text() == "1"
    assert sorted(p.name for p in period_dir.iterdir()) == ["v1", "v2"]


def test_second_run_is_refused_while_locked(tmp_path):
    with outputs.workspace_lock(tmp_path):
        with pytest.raises(InputError, match="正在被另一个 kaohe 进程使用"):
            with outputs.workspace_lock(tmp_path):
                pass
    with outputs.workspace_lock(tmp_path):  # free again afterwards
        pass


def test_inputs_hash_changes_with_any_file():
    a = outputs.inputs_hash({"adoptions/q2.csv": "1", "kaohe.toml": "2"}, "jiande-2018", "2018Q2")
    b = outputs.inputs_hash({"adoptions/q2.csv": "3", "kaohe.toml": "2"}, "jiande-2018", "2018Q2")
    c = outputs.inputs_hash({"adoptions/q2.csv": "1", "kaohe.toml": "2"}, "jiande-2018", "2018Q3")
    assert len({a, b, c}) == 3


def _scores(rows):
    return schema.conform(pl.DataFrame(rows), schema.SCORES)


def test_diff_scores_and_ledgers():
    before = _scores(
        [
            {"unit": "发改局", "points": 12.0, "rank": 1},
            {"unit": "民政局", "points": 8.0, "rank": 2},
        ]
    )
    after = _scores(
        [
            {"unit": "发改局", "points": 12.0, "rank": 2},
            {"unit": "民政局", "points": 16.0, "rank": 1},
        ]
    )
    changed = ch.diff_scores(before, after)
    assert changed == [
        {"unit": "发改局", "before": 12.0, "after": 12.0, "rank_before": 1, "rank_after": 2},
        {"unit": "民政局", "before": 8.0, "after": 16.0, "rank_before": 2, "rank_after": 1},
    ]
    row = {"unit": "民政局", "rule_id": "J-3.1.1", "ref": "a1", "points": 4.0, "note": "x"}
    led_b = schema.conform(pl.DataFrame([row]), schema.LEDGER)
    led_a = schema.conform(pl.DataFrame([row, row | {"ref": "a2", "points": 8.0}]), schema.LEDGER)
    d = ch.diff_ledgers(led_b, led_a)
    assert [r["ref"] for r in d["added"]] == ["a2"] and d["removed"] == []


def test_store_round_trip(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'k.db'}")
    ledger = schema.conform(
        pl.DataFrame(
            [
                {
                    "unit": "发改局",
                    "period": "2018Q2",
                    "date": date(2018, 5, 3),
                    "rule_id": "J-3.1.1",
                    "clause": "三（一）1",
                    "rule": "《建德政务·动态》录用",
                    "points": 4.0,
                    "shared": False,
                }
            ]
        ),
        schema.LEDGER,
    )
    scores = _scores(
        [{"unit": "发改局", "group": "A", "points": 4.0, "rank": 1, "target_met": False}]
    )
    started = datetime(2018, 7, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    kw = dict(
        scheme="jiande-2018",
        period="2018Q2",
        inputs_hash="h",
        started_at=started,
        output_dir="x",
        manifest={"a": 1},
        ledger=ledger,
        scores=scores,
    )
    run_id = store.record_run(version=1, **kw)
    assert store.latest_run("2018Q2").version == 1
    assert store.ledger(run_id).equals(ledger)
    assert store.scores(run_id)["points"].to_list() == [4.0]
    run2 = store.record_run(version=2, **kw)
    assert store.latest_run("2018Q2").id == run2
    assert store.latest_run("2018Q3") is None
    store.close()
