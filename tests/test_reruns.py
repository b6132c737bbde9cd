"""Reruns after corrections (更正), the workspace lock, and the scheduled quarter, on a
two-unit 建德 workspace (two statements per run keep each run to a few seconds). The
rerun test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from prefect.settings import get_current_settings

from flows import outputs, schedule
from flows.cli import cli
from flows.workspace import init_workspace
from transforms.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Shanghai")

ADOPTIONS = (
    "刊物,期号,日期,标题,单位,类别\n建德政务·动态,12,{date},发改局推进重点项目建设,发改局,动态\n"
)


def _workspace(root: Path, db_url: str) -> Path:
    init_workspace(root, "jiande-2018")
    (root / "units.csv").write_text(
        "unit,group,aliases,emails\n发改局,A,,fgj@jd.gov.cn\n民政局,A,,mzj@jd.gov.cn\n", "utf-8"
    )
    (root / "adoptions" / "q2.csv").write_text(ADOPTIONS.format(date="2018-05-03"), "utf-8")
    with open(root / "kaohe.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[database]\nurl = "{db_url}"\n')
    return root


def _run(ws: Path, period: str = "2018Q2"):
    result = CliRunner().invoke(cli, ["run", str(ws), "--period", period], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.usefixtures("prefect_server")
def test_rerun_after_correction_says_what_changed_and_why(tmp_path, db_url):
    ws = _workspace(tmp_path / "ws", db_url)
    _run(ws)
    again = _run(ws)
    assert "未生成新版本" in again.output
    period_dir = ws / "out" / "2018Q2"
    assert outputs.versions(period_dir) == [1]

    # The office corrects its data: the adoption was in July (2018Q3), and 民政局 had a
    # person on secondment (挂职, J8: +30).
    old_hash = _sha(ws / "adoptions" / "q2.csv")
    (ws / "adoptions" / "q2.csv").write_text(ADOPTIONS.format(date="2018-07-03"), "utf-8")
    (ws / "events" / "correction.csv").write_text(
        "日期,类型,单位,标题,级别,分值,状态,备注\n2018-05-20,挂职,民政局,,,1,,\n", "utf-8"
    )
    result = _run(ws)
    assert "与 v1 相比：数据文件新增 1 个，修改 1 个" in result.output
    assert "本期录用行变动 1 行" in result.output
    assert "得分变化的单位 2 个、仅排名变化的 0 个；计分明细新增 1 条、撤销 1 条" in result.output
    assert outputs.versions(period_dir) == [1, 2]
    # both units' statements changed: written anew, none shared with v1
    assert "得分说明有变化的 2 份；其余 0 份与 v1 相同" in result.output
    assert (
        json.loads((period_dir / "v2" / "manifest.json").read_text("utf-8"))["statements_changed"]
        == 2
    )
    assert all(p.stat().st_nlink == 1 for p in (period_dir / "v2" / "statements").iterdir())
    changes = json.loads((period_dir / "v2" / "manifest.json").read_text("utf-8"))["changes"]
    inputs = changes["inputs"]
    assert inputs["added"] == ["events/correction.csv"]
    assert inputs["changed"] == ["adoptions/q2.csv"] and inputs["removed"] == []
    assert inputs["hashes"]["adoptions/q2.csv"] == {
        "before": old_hash,
        "after": _sha(ws / "adoptions" / "q2.csv"),
    }
    assert inputs["hashes"]["events/correction.csv"]["before"] is None
    # 发改局 4 → 0 (its 动态 adoption left the quarter), 民政局 0 → 30: ranks swap
    units = {u["unit"]: u for u in changes["units"]}
    assert (units["发改局"]["before"], units["发改局"]["after"]) == (4.0, 0.0)
    assert (units["民政局"]["before"], units["民政局"]["after"]) == (0.0, 30.0)
    assert (units["发改局"]["rank_before"], units["发改局"]["rank_after"]) == (1, 2)
    assert (units["民政局"]["rank_before"], units["民政局"]["rank_after"]) == (2, 1)
    added, removed = changes["ledger"]["added"], changes["ledger"]["removed"]
    assert [(r["unit"], r["points"]) for r in added] == [("民政局", 30.0)]
    assert [(r["unit"], r["points"]) for r in removed] == [("发改局", 4.0)]
    assert removed[0]["title"] == "发改局推进重点项目建设"
    html = (period_dir / "v2" / "bulletin.html").read_text("utf-8")
    text = re.sub(r"<[^>]+>", "", html)
    # one paragraph: the row that changed, in words; the new file; the units in an attachment
    assert (
        "更正原因：adoptions/q2.csv 第2行《发改局推进重点项目建设》（《建德政务·动态》第12期）"
        "的日期由2018-05-03改为2018-07-03；新增数据文件events/correction.csv。"
        "据此更正2个单位的得分（更正前后对照见附件3）。"
    ) in text
    assert "修改数据文件adoptions" not in html
    assert '<td class="text">民政局</td>' in html and "＋挂职" in html
    # v1 is untouched
    v1 = json.loads((period_dir / "v1" / "manifest.json").read_text("utf-8"))
    assert v1["version"] == 1 and v1["changes"] is None


@pytest.mark.usefixtures("prefect_server")
def test_rerun_after_answering_a_question_names_the_answer(tmp_path, smtp):
    """Issue 12: the 更正说明 gave 「修改数据文件：decisions.csv」 as its only reason. The
    manifest keeps the answers in force; the next version names the answer in words.
    The unknown name itself is never in the public bulletin, only in the office's note."""
    ws = _mailing_workspace(tmp_path, smtp.port)
    with open(ws / "adoptions" / "q2.csv", "a", encoding="utf-8") as f:
        f.write("建德政务·动态,13,2018-05-10,文化惠民工程进农村,市文广局,动态\n")
    first = _run(ws)
    v1 = ws / "out" / "2018Q2" / "v1"
    assert f"待核实 1 项 → {v1 / 'review.csv'}" in first.output
    html = (v1 / "bulletin.html").read_text("utf-8")
    assert "文广局" not in html and "文化惠民工程进农村" not in html and "未识别" not in html
    note = (v1 / "office_note.txt").read_text("utf-8")
    assert "adoptions/q2.csv 第3行" in note and "署名「市文广局」" in note
    manifest = json.loads((v1 / "manifest.json").read_text("utf-8"))
    assert manifest["decisions"] == []
    assert [r["title"] for r in manifest["adoption_rows"]] == [
        "发改局推进重点项目建设",
        "文化惠民工程进农村",
    ]
    # v1 is a draft (the unknown name is open); sent for comments, it was issued, so the
    # next version is a correction of it (a draft never sent is corrected by nothing)
    sent = CliRunner().invoke(cli, ["send", str(ws), "--period", "2018Q2", "--allow-draft"])
    assert sent.exit_code == 0, sent.output

    (ws / "decisions.csv").write_text("type,key,answer\nunit,文广局,民政局\n", "utf-8")
    result = _run(ws)
    assert "核实答复变动 1 项" in result.output
    v2 = ws / "out" / "2018Q2" / "v2"
    html = (v2 / "bulletin.html").read_text("utf-8")
    assert "更正原因：将“文广局”认定为民政局。据此更正1个单位的得分" in html
    assert "decisions.csv" not in html
    assert '<td class="text">文化惠民工程进农村</td>' in html  # now 民政局's
    manifest = json.loads((v2 / "manifest.json").read_text("utf-8"))
    assert manifest["decisions"] == [{"type": "unit", "key": "文广局", "answer": "民政局"}]
    assert manifest["changes"]["decisions"]["added"] == manifest["decisions"]


@pytest.mark.usefixtures("prefect_server")
def test_a_run_of_a_locked_workspace_is_refused_and_the_next_writes_one_whole_version(tmp_path):
    """Another process holds the workspace (a run in progress): `kaohe run` in a second
    process is told so in one Chinese line and leaves no folder and no database behind;
    once the lock is free, the next run, its roster grown to POOL_MIN_UNITS units (the
    statement workers render them on two cores), writes one whole v1 (a statement for
    every unit) and no staging folder."""
    from flows.render import POOL_MIN_UNITS

    ws = _workspace(tmp_path / "ws", f"sqlite:///{tmp_path / 'k.db'}")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from flows.outputs import workspace_lock\n"
            f"with workspace_lock(Path({str(ws)!r})):\n"
            "    print('locked', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        env = dict(os.environ, PREFECT_API_URL=str(get_current_settings().api.url))
        proc = subprocess.run(
            [sys.executable, "-m", "flows.cli", "run", str(ws), "--period", "2018Q2"],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        )
    finally:
        holder.communicate("")
    assert proc.returncode == 2, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("错误")]
    assert errors == [f"错误：工作区 {ws} 正在被另一个 kaohe 进程使用，请等它结束后再运行"]
    assert not (ws / "out").exists() and not (tmp_path / "k.db").exists()
    with outputs.workspace_lock(ws):  # released by the holder
        pass

    roster = (ws / "units.csv").read_text("utf-8").splitlines()
    roster += [f"单位{i:02d},A,,u{i}@jd.gov.cn" for i in range(POOL_MIN_UNITS - 2)]
    (ws / "units.csv").write_text("\n".join(roster) + "\n", "utf-8")
    _run(ws)
    period_dir = ws / "out" / "2018Q2"
    assert sorted(p.name for p in period_dir.iterdir()) == ["v1"]
    statements = list((period_dir / "v1" / "statements").glob("*.pdf"))
    assert len(statements) == POOL_MIN_UNITS


# ------------------------------------------------------------------ the schedule


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2018, 7, 5, 9, 0, tzinfo=TZ), "2018Q2"),
        (datetime(2019, 1, 5, 9, 0, tzinfo=TZ), "2018Q4"),
        (datetime(2018, 4, 1, 0, 0, tzinfo=TZ), "2018Q1"),
        # 2018-06-30 23:30 in Shanghai is still in Q2: the quarter just ended is Q1
        (datetime(2018, 6, 30, 15, 30, tzinfo=ZoneInfo("UTC")), "2018Q1"),
        # 2018-06-30 16:30 UTC is 2018-07-01 00:30 in Shanghai: Q2 has ended
        (datetime(2018, 6, 30, 16, 30, tzinfo=ZoneInfo("UTC")), "2018Q2"),
        (datetime(2018, 12, 31, 23, 59), "2018Q3"),  # naive: read in Shanghai
    ],
)
def test_quarter_just_ended(now, expected):
    assert schedule.quarter_just_ended(now).label == expected


def test_serve_builds_a_quarterly_deployment_in_the_office_zone(tmp_path):
    d = schedule.deployment(tmp_path)
    assert d.name == "kaohe-quarterly"
    assert d.entrypoint == "flows.schedule.scheduled_quarter"
    assert d.parameters == {"workspace": str(tmp_path.resolve())}
    (s,) = d.schedules
    assert (s.schedule.cron, s.schedule.timezone) == ("0 9 5 1,4,7,10 *", "Asia/Shanghai")
    other = schedule.deployment(tmp_path, cron="0 8 10 1,4,7,10 *", timezone="Asia/Urumqi")
    assert other.schedules[0].schedule.timezone == "Asia/Urumqi"


def _mailing_workspace(tmp_path: Path, port: int) -> Path:
    """The two-unit workspace, mailing through the SMTP server on `port`."""
    ws = _workspace(tmp_path / "ws", f"sqlite:///{tmp_path / 'k.db'}")
    with open(ws / "kaohe.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[mail]\nhost = "127.0.0.1"\nport = {port}\nsender = "xxk@jd.gov.cn"\n')
    return ws


@pytest.mark.usefixtures("prefect_server")
def test_scheduled_flow_scores_renders_and_sends(tmp_path, smtp):
    ws = _mailing_workspace(tmp_path, smtp.port)
    result = schedule.scheduled_quarter(str(ws), period="2018Q2")
    assert result["period"] == "2018Q2" and result["sent"] == 2
    assert smtp.to() == ["fgj@jd.gov.cn", "mzj@jd.gov.cn"]
    assert (ws / "out" / "2018Q2" / "v1" / "bulletin.pdf").is_file()


@pytest.mark.usefixtures("prefect_server")
def test_a_period_without_data_writes_and_sends_nothing(tmp_path, smtp):
    """A scheduled run before the quarter's data is imported (here 2018Q3: the workspace
    holds only a May adoption) stops with a message saying what to do; no version is
    written and nobody is mailed a bulletin of zeros."""
    ws = _mailing_workspace(tmp_path, smtp.port)
    result = CliRunner().invoke(cli, ["run", str(ws), "--period", "2018Q3"])
    # `kaohe` (flows.cli.main) prints an InputError as one line and exits 1
    assert isinstance(result.exception, InputError)
    assert "2018年第三季度没有任何录用、报送或事项数据" in str(result.exception)
    assert "adoptions/" in str(result.exception)
    with pytest.raises(Exception, match="没有任何录用"):
        schedule.scheduled_quarter(str(ws), period="2018Q3")
    assert smtp.received == []
    assert not (ws / "out" / "2018Q3").exists() or not outputs.versions(ws / "out" / "2018Q3")
    _run(ws, "2018Q2")  # the quarter that has data still runs
