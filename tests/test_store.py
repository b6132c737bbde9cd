"""The store on SQLite and on a real PostgreSQL: migrations, runs, ledgers, deliveries."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from store.models import Base
from store.repository import FIRST_REVISION, Store, alembic_config
from transforms import schema

TZ = ZoneInfo("Asia/Shanghai")


def _ledger(*rows):
    base = {
        "unit": "发改局",
        "period": "2018Q2",
        "date": date(2018, 5, 3),
        "rule_id": "J-3.1.1",
        "clause": "三（一）1",
        "rule": "《建德政务·动态》录用",
        "points": 4.0,
        "shared": False,
        "ref": "a1",
    }
    return schema.conform(pl.DataFrame([base | r for r in rows]), schema.LEDGER)


def _scores(*rows):
    return schema.conform(pl.DataFrame(list(rows)), schema.SCORES)


def _record(store, version, ledger, scores):
    return store.record_run(
        scheme="jiande-2018",
        period="2018Q2",
        version=version,
        inputs_hash=f"h{version}",
        started_at=datetime(2018, 7, 5, 9, 0, tzinfo=TZ),
        output_dir=f"out/2018Q2/v{version}",
        manifest={"version": version, "changes": None},
        ledger=ledger,
        scores=scores,
    )


def test_migrations_build_the_models_schema(db_url):
    store = Store.open(db_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
        assert diff == []
        assert "alembic_version" in inspect(conn).get_table_names()
    store.close()
    Store.open(db_url).close()  # opening again upgrades nothing and fails on nothing


def test_store_round_trip(db_url):
    store = Store.open(db_url)
    ledger = _ledger({}, {"ref": "a2", "points": 8.0, "date": None, "note": "要情"})
    scores = _scores(
        {"unit": "发改局", "group": "A", "points": 12.0, "rank": 1, "target_met": False}
    )
    run1 = _record(store, 1, ledger, scores)
    assert store.ledger(run1).equals(ledger)
    assert store.scores(run1)["points"].to_list() == [12.0]
    run2 = _record(store, 2, ledger.head(1), scores)
    assert store.latest_run("2018Q2").id == run2
    assert store.run("2018Q2", 1).id == run1
    assert store.latest_run("2018Q3") is None
    assert store.latest_run("2018Q2").manifest == {"version": 2, "changes": None}
    store.close()


def test_deliveries_are_kept_per_run_unit_and_address(db_url):
    store = Store.open(db_url)
    _record(store, 1, _ledger({}), _scores({"unit": "发改局", "group": "A", "points": 4.0}))
    run = store.run("2018Q2", 1)
    now = datetime(2018, 7, 5, 9, 30, tzinfo=TZ)
    store.save_delivery(
        run, "发改局", "a@x.cn", message_id="<1@x>", status="sending", updated_at=now
    )
    store.save_delivery(
        run, "发改局", "a@x.cn", status="sent", attempts=1, sent_at=now, updated_at=now
    )
    store.save_delivery(
        run,
        "发改局",
        "b@x.cn",
        message_id="<2@x>",
        status="failed",
        attempts=1,
        error="550 no such user",
        updated_at=now,
    )
    rows = store.deliveries(run.id)
    assert {k: v.status for k, v in rows.items()} == {
        ("发改局", "a@x.cn"): "sent",
        ("发改局", "b@x.cn"): "failed",
    }
    assert rows[("发改局", "a@x.cn")].message_id == "<1@x>"
    assert store.last_sent_version("2018Q2", "发改局", before=2) == 1
    assert store.last_sent_version("2018Q2", "发改局", before=1) is None
    assert store.last_sent_version("2018Q2", "民政局", before=2) is None
    store.close()


def test_a_database_made_before_migrations_is_upgraded(tmp_path):
    """kaohe before issue 6 made its tables with create_all: the store stamps that schema as
    the first migration and adds the deliveries table."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:  # the tables of the first migration, without its stamp
        command.upgrade(alembic_config(conn), FIRST_REVISION)
        conn.exec_driver_sql("DROP TABLE alembic_version")
    engine.dispose()
    store = Store.open(url)
    assert "deliveries" in inspect(store.engine).get_table_names()
    store.close()


def _write_deliveries(url: str, run, unit: str, n: int, ready, go, out) -> None:
    """One process's share of a Dask send: n messages, each saved before and after."""
    store = Store.open(url, migrate_schema=False)
    try:
        ready.wait()
        go.wait()
        for i in range(n):
            now = datetime.now(TZ)
            store.save_delivery(
                run,
                unit,
                f"a{i}@jd.gov.cn",
                message_id=f"<{unit}.{i}@jd>",
                status="sending",
                updated_at=now,
            )
            store.save_delivery(
                run,
                unit,
                f"a{i}@jd.gov.cn",
                status="sent",
                attempts=1,
                sent_at=now,
                updated_at=now,
            )
        out.put((unit, "ok"))
    except Exception as err:
        out.put((unit, repr(err)))
    finally:
        store.close()


def test_sqlite_writers_in_several_processes_wait_for_each_other(tmp_path):
    """The Dask runner's workers record deliveries in one SQLite file at once: a writer waits
    for another's lock (busy timeout) instead of failing with "database is locked"."""
    import sqlite3
    import time
    from multiprocessing import get_context

    from flows.delivery import RunRef

    path = tmp_path / "kaohe.db"
    url = f"sqlite:///{path}"
    store = Store.open(url)
    scores = _scores({"unit": "发改局", "group": "A", "points": 4.0, "rank": 1})
    run_id = _record(store, 1, _ledger({}), scores)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 30_000
    run = RunRef(run_id, "2018Q2", 1)
    units = ["发改局", "民政局", "财政局", "新安江街道"]
    ctx = get_context("spawn")
    ready, go, out = ctx.Barrier(len(units) + 1), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_write_deliveries, args=(url, run, u, 25, ready, go, out)) for u in units
    ]
    for p in procs:
        p.start()
    try:
        ready.wait(timeout=60)  # every process has started and opened the store
        # Another connection holds the write lock while the four start writing at once.
        holder = sqlite3.connect(path)
        holder.execute("BEGIN IMMEDIATE")
        go.set()
        time.sleep(0.5)
        holder.rollback()
        holder.close()
        results = sorted(out.get(timeout=60) for _ in units)
    finally:
        for p in procs:
            p.join(timeout=10)
    assert results == sorted((u, "ok") for u in units)
    rows = store.deliveries(run_id)
    store.close()
    assert len(rows) == 100 and {d.status for d in rows.values()} == {"sent"}
