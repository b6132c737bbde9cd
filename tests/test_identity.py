"""Issue 13, points 1–3: every unit gets its own statement; a version's identity is its
workspace and its content; publishing and recording a version cannot be half done.

Real components throughout: `kaohe run` renders real PDFs on small 建德 workspaces, mail
goes to a real SMTP server (aiosmtpd, the `smtp` fixture), and the crash tests `kill -9` a
real `kaohe run` subprocess at a named point (the fault-injection hook of flows.outputs).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from click.testing import CliRunner
from examples_e2e import pdftext
from prefect.settings import get_current_settings
from sqlalchemy import MetaData, create_engine, insert

from flows import outputs
from flows.cli import cli
from flows.delivery import send_period
from flows.render import STEM_BYTES, statement_stems
from flows.workspace import init_workspace
from store.repository import Store, alembic_config
from transforms.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Shanghai")
LONG = "某" * 300  # 900 bytes: far past the 255 a file name may have

ADOPTIONS = "刊物,期号,日期,标题,单位,类别\n"


def _workspace(root: Path, units: dict[str, str], points: dict[str, int], extra: str = ""):
    """A 建德 workspace: `units` maps each unit to its address; `points[u]` adoptions of
    《建德政务·动态》 for unit u (4 points each)."""
    init_workspace(root, "jiande-2018")
    roster = "unit,group,aliases,emails\n" + "".join(f'"{u}",A,,{a}\n' for u, a in units.items())
    (root / "units.csv").write_text(roster, "utf-8")
    rows = [
        f'建德政务·动态,{10 + i},2018-05-0{1 + i % 9},"{u}的第{k}篇信息","{u}",动态\n'
        for i, u in enumerate(points)
        for k in range(points[u])
    ]
    (root / "adoptions" / "q2.csv").write_text(ADOPTIONS + "".join(rows), "utf-8")
    with open(root / "kaohe.toml", "a", encoding="utf-8") as f:
        f.write(extra)
    return root


def _mail(port: int, db_url: str | None = None) -> str:
    db = f'\n[database]\nurl = "{db_url}"\n' if db_url else ""
    return db + f'\n[mail]\nhost = "127.0.0.1"\nport = {port}\nsender = "xxk@jd.gov.cn"\n'


def _run(ws: Path, *extra: str):
    result = CliRunner().invoke(cli, ["run", str(ws), "--period", "2018Q2", *extra])
    assert result.exit_code == 0, result.output
    return result


def _statement_of(msg) -> tuple[str, bytes]:
    """(file name, bytes) of a received message's statement (its second attachment)."""
    part = list(msg.iter_attachments())[1]
    return part.get_filename(), part.get_payload(decode=True)


def _text(data: bytes, tmp: Path) -> str:
    path = tmp / "attachment.pdf"
    path.write_bytes(data)
    return "".join(pdftext(path).split())


def _by_address(smtp) -> dict[str, list]:
    out: dict[str, list] = {}
    for rcpt, msg in smtp.received:
        for a in rcpt:
            out.setdefault(a, []).append(msg)
    return out


# ------------------------------------------------------------------ 1. statement names


def test_statement_stems_are_unique_bounded_and_readable():
    units = ["新安江街道", "a/b", "a_b", ".x", "_.x", LONG, "A局", "a局", "tab\there"]
    stems = statement_stems(units)
    assert stems["新安江街道"] == "新安江街道" and stems["a_b"] == "a_b" and stems["_.x"] == "_.x"
    assert stems["a/b"].startswith("a_b~") and stems[".x"].startswith("_.x~")
    assert "/" not in "".join(stems.values()) and "\t" not in stems["tab\there"]
    # unique also where upper and lower case are one file (macOS, Windows)
    assert len({s.casefold() for s in stems.values()}) == len(units)
    assert all(len(s.encode()) <= STEM_BYTES + 65 for s in stems.values())
    assert len(stems[LONG].encode()) + len(".html") < 255
    assert stems["tab\there"] == "tab_here" and "~" in stems["A局"] and "~" in stems["a局"]
    # a changed name that meets no other stays readable
    assert statement_stems(["a/b", "新安江街道"]) == {"a/b": "a_b", "新安江街道": "新安江街道"}


@pytest.mark.usefixtures("prefect_server")
def test_units_whose_names_collide_each_get_their_own_statement(tmp_path, smtp):
    """a/b and a_b, .x and _.x used to share one file (the last written was attached to
    both mails), and a 300-character name stopped the run with `File name too long`."""
    units = {"a/b": "ab1@jd.gov.cn", "a_b": "ab2@jd.gov.cn", ".x": "x1@jd.gov.cn"}
    units |= {"_.x": "x2@jd.gov.cn", LONG: "long@jd.gov.cn"}
    # an adoption's unit cell "a/b" names two units (a joint article): a/b adopted none
    points = {"a/b": 0, "a_b": 2, ".x": 3, "_.x": 4, LONG: 5}
    ws = _workspace(tmp_path / "ws", units, points, _mail(smtp.port))
    _run(ws)
    vdir = ws / "out" / "2018Q2" / "v1"
    mapping = json.loads((vdir / "manifest.json").read_text("utf-8"))["statements"]
    assert set(mapping) == set(units) and len(set(mapping.values())) == len(units)
    assert mapping["a_b"] == "statements/a_b.pdf"
    assert all((vdir / p).is_file() and len(Path(p).name.encode()) < 255 for p in mapping.values())

    report = send_period(ws, "2018Q2")
    assert report.ok and len(report.sent) == len(units)
    got = _by_address(smtp)
    bodies = {}
    for unit, address in units.items():
        (msg,) = got[address]
        name, data = _statement_of(msg)
        assert name == f"{unit}2018年第二季度得分说明.pdf"
        text = _text(data, tmp_path)
        bodies[unit] = data
        # the statement names its own unit and the unit's own points (4 per adoption)
        assert unit in text
        assert f"{points[unit] * 4}" in text
        assert f"得分 {points[unit] * 4} 分" in msg.get_body().get_content()
    assert "a_b" not in _text(bodies["a/b"], tmp_path)
    assert "_.x" not in _text(bodies[".x"], tmp_path)
    assert len(set(bodies.values())) == len(units)

    # the dry run's .eml files are unique and bounded as well
    result = CliRunner().invoke(cli, ["send", str(ws), "--period", "2018Q2", "--dry-run"])
    assert result.exit_code == 0, result.output
    emls = list((vdir / "mail").glob("*.eml"))
    assert len(emls) == len(units) and all(len(p.name.encode()) < 255 for p in emls)


# ------------------------------------------------------------------ 2. identity


@pytest.mark.usefixtures("prefect_server")
def test_two_workspaces_sharing_a_database_never_mix_or_remail(tmp_path, smtp):
    """Two offices' workspaces with one `[database] url`: the second's v1 used to replace
    the first's row and delivery log, so the first's next send mailed everyone again, with
    the second's figures."""
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    units = {"发改局": "fgj@jd.gov.cn", "民政局": "mzj@jd.gov.cn"}
    a = _workspace(tmp_path / "a", units, {"发改局": 1, "民政局": 2}, _mail(smtp.port, db))
    b = _workspace(tmp_path / "b", units, {"发改局": 5, "民政局": 6}, _mail(smtp.port, db))
    _run(a)
    assert len(send_period(a, "2018Q2").sent) == 2
    _run(b)  # its own v1 in the same database
    again = send_period(a, "2018Q2")
    assert again.sent == [] and again.already == 2
    assert len(smtp.received) == 2
    report = send_period(b, "2018Q2")
    assert len(report.sent) == 2 and report.ok
    got = _by_address(smtp)
    assert [m.get_body().get_content().count("得分 4 分") for m in got["fgj@jd.gov.cn"]] == [1, 0]
    assert "得分 20 分" in got["fgj@jd.gov.cn"][1].get_body().get_content()
    assert "得分 24 分" in got["mzj@jd.gov.cn"][1].get_body().get_content()
    assert send_period(b, "2018Q2").sent == [] and len(smtp.received) == 4


@pytest.mark.usefixtures("prefect_server")
def test_a_deleted_version_folder_is_written_again_and_not_mailed_again(tmp_path, smtp):
    units = {"发改局": "fgj@jd.gov.cn", "民政局": "mzj@jd.gov.cn"}
    ws = _workspace(tmp_path / "ws", units, {"发改局": 1, "民政局": 2}, _mail(smtp.port))
    _run(ws)
    assert len(send_period(ws, "2018Q2").sent) == 2
    shutil.rmtree(ws / "out" / "2018Q2" / "v1")
    result = _run(ws)
    assert "v1 的文件夹已被删除" in result.output
    assert outputs.versions(ws / "out" / "2018Q2") == [1]
    again = send_period(ws, "2018Q2")
    assert again.sent == [] and again.already == 2 and len(smtp.received) == 2
    # changed data after the deletion: a new number, mailed as a correction
    shutil.rmtree(ws / "out" / "2018Q2" / "v1")
    with open(ws / "adoptions" / "q2.csv", "a", encoding="utf-8") as f:
        f.write("建德政务·动态,30,2018-06-01,发改局又一篇,发改局,动态\n")
    _run(ws)
    assert outputs.versions(ws / "out" / "2018Q2") == [2]
    report = send_period(ws, "2018Q2")
    assert len(report.sent) == 2
    assert all("更正" in m["Subject"] for _, m in smtp.received[2:])


@pytest.mark.usefixtures("prefect_server")
def test_a_moved_workspace_keeps_its_history_and_a_copy_its_own_copy_of_it(tmp_path, smtp):
    """With the default database (kaohe.db inside the workspace), a moved workspace takes
    its records along, and so does a copy: neither mails anyone again."""
    units = {"发改局": "fgj@jd.gov.cn", "民政局": "mzj@jd.gov.cn"}
    ws = _workspace(tmp_path / "ws", units, {"发改局": 1, "民政局": 2}, _mail(smtp.port))
    _run(ws)
    assert len(send_period(ws, "2018Q2").sent) == 2
    ident = json.loads((ws / ".kaohe-id").read_text())

    moved = tmp_path / "moved"
    ws.rename(moved)
    lines: list[str] = []
    report = send_period(moved, "2018Q2", progress=lines.append)
    assert report.sent == [] and report.already == 2
    assert any("移到" in line for line in lines)
    assert json.loads((moved / ".kaohe-id").read_text()) == {"id": ident["id"], "path": str(moved)}
    assert "输入数据与 v1 相同" in _run(moved).output

    copy = tmp_path / "copy"
    shutil.copytree(moved, copy)
    lines = []
    report = send_period(copy, "2018Q2", progress=lines.append)
    assert report.sent == [] and report.already == 2
    assert any("副本" in line for line in lines)
    copied = json.loads((copy / ".kaohe-id").read_text())
    assert copied["id"] != ident["id"] and copied["inherits"] == [ident["id"]]
    assert "输入数据与 v1 相同" in _run(copy).output
    assert send_period(moved, "2018Q2").already == 2
    assert len(smtp.received) == 2


@pytest.mark.usefixtures("prefect_server")
def test_a_copy_sharing_the_database_does_not_inherit_the_deliveries(tmp_path, smtp):
    """A copy that keeps the original's `[database] url` is a workspace of its own: the
    original's v1 in its out/ is not sent from it (it would count the original's
    deliveries as its own), and its own run writes and records v2."""
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    units = {"发改局": "fgj@jd.gov.cn", "民政局": "mzj@jd.gov.cn"}
    ws = _workspace(tmp_path / "ws", units, {"发改局": 1, "民政局": 2}, _mail(smtp.port, db))
    _run(ws)
    assert len(send_period(ws, "2018Q2").sent) == 2
    ident = json.loads((ws / ".kaohe-id").read_text())["id"]

    copy = tmp_path / "copy"
    shutil.copytree(ws, copy)
    result = CliRunner().invoke(cli, ["send", str(copy), "--period", "2018Q2"])
    assert isinstance(result.exception, InputError), result.output
    assert "不是本工作区生成的" in str(result.exception) and "kaohe run" in str(result.exception)
    assert "共用数据库" in result.output
    copied = json.loads((copy / ".kaohe-id").read_text())
    assert copied["id"] != ident and "inherits" not in copied
    assert len(smtp.received) == 2
    # the original is still itself
    assert send_period(ws, "2018Q2").already == 2
    # the copy's own run is a new version, recorded under its own id
    assert "已生成 v2" in _run(copy).output
    store = Store.open(db)
    assert store.run("2018Q2", 2, workspace=copied["id"]) is not None
    assert store.run("2018Q2", 2, workspace=ident) is None
    store.close()


def _old_database(url: str, ws: Path, vdir: Path, manifest: dict) -> None:
    """A database as kaohe made it before runs had a workspace (schema 0002), with v1
    recorded and mailed to both units."""
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0002")
        old = MetaData()
        old.reflect(conn)
        runs, scores, ledger, deliveries = (
            old.tables[t] for t in ("runs", "scores", "ledger", "deliveries")
        )
        when = datetime(2018, 7, 5, 9, tzinfo=TZ)
        run = {
            "id": 1,
            "scheme": "jiande-2018",
            "period": "2018Q2",
            "version": 1,
            "inputs_hash": manifest["inputs_hash"],
            "started_at": when,
            "finished_at": when,
            "output_dir": str(vdir),
            "manifest": {"version": 1},
        }
        conn.execute(insert(runs).values(run))
        for unit, points in (("发改局", 4.0), ("民政局", 8.0)):
            conn.execute(
                insert(scores).values(run_id=1, unit=unit, group="A", points=points, rank=1)
            )
            conn.execute(
                insert(ledger).values(
                    run_id=1,
                    unit=unit,
                    period="2018Q2",
                    date=date(2018, 5, 3),
                    rule_id="J-3.1.1",
                    clause="三（一）",
                    rule="录用",
                    points=points,
                )
            )
        for unit, address in (("发改局", "fgj@jd.gov.cn"), ("民政局", "mzj@jd.gov.cn")):
            conn.execute(
                insert(deliveries).values(
                    run_id=1,
                    period="2018Q2",
                    version=1,
                    unit=unit,
                    address=address,
                    correction=False,
                    message_id=f"<{address}>",
                    status="sent",
                    attempts=1,
                    sent_at=when,
                    updated_at=when,
                )
            )
    engine.dispose()


@pytest.mark.usefixtures("prefect_server")
def test_an_upgraded_database_mails_nothing_again(tmp_path, smtp):
    """A workspace whose v1 was mailed by the previous kaohe: its database (schema 0002,
    no workspace ids) is migrated on the next send, which sends nothing."""
    units = {"发改局": "fgj@jd.gov.cn", "民政局": "mzj@jd.gov.cn"}
    ws = _workspace(tmp_path / "ws", units, {"发改局": 1, "民政局": 2}, _mail(smtp.port))
    _run(ws)
    vdir = ws / "out" / "2018Q2" / "v1"
    # what the previous kaohe left: no workspace id, no statement map, the old database
    manifest = json.loads((vdir / "manifest.json").read_text("utf-8"))
    for key in ("workspace", "run", "statements"):
        manifest.pop(key)
    outputs.write_manifest(vdir / "manifest.json", manifest)
    (ws / ".kaohe-id").unlink()
    (ws / "kaohe.db").unlink()
    _old_database(f"sqlite:///{ws / 'kaohe.db'}", ws, vdir, manifest)

    report = send_period(ws, "2018Q2")
    assert report.sent == [] and report.already == 2 and smtp.received == []
    assert "输入数据与 v1 相同" in _run(ws).output
    store = Store.open(f"sqlite:///{ws / 'kaohe.db'}")
    ident = json.loads((ws / ".kaohe-id").read_text())["id"]
    assert store.run("2018Q2", 1, workspace=ident).id == 1
    store.close()


# ------------------------------------------------------------------ 3. kill -9


def _killed_run(ws: Path, point: str, tmp_path: Path) -> None:
    """`kaohe run` in a subprocess, killed with SIGKILL when it reaches `point`."""
    flag = tmp_path / f"paused-{point}"
    env = dict(
        os.environ,
        PREFECT_API_URL=str(get_current_settings().api.url),
        KAOHE_TEST_PAUSE_AT=point,
        KAOHE_TEST_PAUSE_FILE=str(flag),
    )
    cmd = [sys.executable, "-m", "flows.cli", "run", str(ws), "--period", "2018Q2"]
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while not flag.exists():
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "the run never reached " + point
            time.sleep(0.1)
        assert int(flag.read_text()) == proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.usefixtures("prefect_server")
@pytest.mark.parametrize(
    ("point", "then"),
    [("published", "send"), ("published", "run"), ("recorded", "run")],
)
def test_a_run_killed_between_publishing_and_recording_is_repaired(tmp_path, smtp, point, then):
    """Killed after its folder was published but before its row was complete, `kaohe run`
    used to say the inputs equal v1 and `kaohe send` that v1 has no run in the database;
    now the next run or send completes (or, killed before publishing, redoes) it, and each
    unit gets its own statement once."""
    units = {"发改局": "fgj@jd.gov.cn", "民政局": "mzj@jd.gov.cn"}
    ws = _workspace(tmp_path / "ws", units, {"发改局": 1, "民政局": 2}, _mail(smtp.port))
    _killed_run(ws, point, tmp_path)
    published = outputs.versions(ws / "out" / "2018Q2")
    assert published == ([1] if point == "published" else [])
    lines: list[str] = []
    if then == "run":
        out = _run(ws).output
        if point == "published":
            assert "已补记 2018Q2 v1 的运行记录" in out and "输入数据与 v1 相同" in out
        else:
            assert "已撤销其未完成的记录" in out and "已生成 v1" in out
    report = send_period(ws, "2018Q2", progress=lines.append)
    assert report.ok and len(report.sent) == 2, lines
    if then == "send":
        assert any("已补记" in line for line in lines)
    assert outputs.versions(ws / "out" / "2018Q2") == [1]
    got = _by_address(smtp)
    for unit, address in units.items():
        (msg,) = got[address]
        assert unit in _text(_statement_of(msg)[1], tmp_path)
    assert send_period(ws, "2018Q2").sent == [] and len(smtp.received) == 2


@pytest.mark.usefixtures("prefect_server")
def test_a_published_version_the_database_lost_is_superseded_without_force(tmp_path, smtp):
    """A v1 folder whose run is in no database (left by an earlier kaohe killed before it
    recorded it, or a database replaced): `kaohe send` says to run again, and `kaohe run`
    does, without --force, writing and recording v2."""
    units = {"发改局": "fgj@jd.gov.cn", "民政局": "mzj@jd.gov.cn"}
    ws = _workspace(tmp_path / "ws", units, {"发改局": 1, "民政局": 2}, _mail(smtp.port))
    _run(ws)
    (ws / "kaohe.db").unlink()
    result = CliRunner().invoke(cli, ["send", str(ws), "--period", "2018Q2"])
    assert isinstance(result.exception, InputError)
    assert "没有本工作区 2018Q2 v1 的运行记录" in str(result.exception)
    assert "--force" not in str(result.exception)
    assert "已生成 v2" in _run(ws).output
    assert len(send_period(ws, "2018Q2").sent) == 2
    assert {p.name for p in (ws / "out" / "2018Q2").iterdir()} == {"v1", "v2"}


def test_a_recorded_run_is_never_replaced_and_its_deliveries_stay(db_url):
    """On SQLite and PostgreSQL."""
    import polars as pl

    from store.repository import RunConflict
    from transforms import schema

    store = Store.open(db_url)
    scores = schema.conform(
        pl.DataFrame([{"unit": "发改局", "group": "A", "points": 4.0, "rank": 1}]), schema.SCORES
    )
    kw = dict(
        scheme="jiande-2018",
        period="2018Q2",
        version=1,
        started_at=datetime(2018, 7, 5, 9, tzinfo=TZ),
        output_dir="out/2018Q2/v1",
        manifest={},
        ledger=schema.conform(
            pl.DataFrame(
                [
                    {
                        "unit": "发改局",
                        "period": "2018Q2",
                        "rule_id": "J-3.1.1",
                        "clause": "三（一）",
                        "rule": "录用",
                        "points": 4.0,
                    }
                ]
            ),
            schema.LEDGER,
        ),
        scores=scores,
    )
    a = store.record_run(inputs_hash="a", workspace="A", **kw)
    run = store.run("2018Q2", 1, workspace="A")
    store.save_delivery(
        run,
        "发改局",
        "fgj@jd.gov.cn",
        message_id="<1@x>",
        status="sent",
        updated_at=datetime(2018, 7, 5, 10, tzinfo=TZ),
    )
    # another workspace's v1 in the same database is a run of its own
    b = store.record_run(inputs_hash="b", workspace="B", **kw)
    assert a != b and store.run("2018Q2", 1, workspace="B").id == b
    with pytest.raises(RunConflict):
        store.record_run(inputs_hash="c", workspace="A", **kw)
    # a pending run (its folder never published) without deliveries is replaced
    store.record_run(inputs_hash="p", workspace="C", status="pending", **kw)
    store.record_run(inputs_hash="q", workspace="C", status="pending", **kw)
    assert [r.inputs_hash for r in store.runs("2018Q2", workspace="C")] == ["q"]
    assert store.latest_run("2018Q2", workspace="C") is None  # pending is not a version yet
    assert list(store.deliveries(a)) == [("发改局", "fgj@jd.gov.cn")]
    assert store.last_sent_version("2018Q2", "发改局", before=2, workspace="A") == 1
    assert store.last_sent_version("2018Q2", "发改局", before=2, workspace="B") is None
    store.close()
