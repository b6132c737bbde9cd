"""The commands that need no Prefect server: init, schemes, score, and their errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def kaohe(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_init_makes_a_workspace_with_the_roster_and_refuses_twice(tmp_path):
    ws = tmp_path / "考核2018"
    proc = kaohe("init", str(ws), "--scheme", "jiande-2018")
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in ws.iterdir()} >= {
        "kaohe.toml",
        "units.csv",
        "decisions.csv",
        "adoptions",
        "submissions",
        "events",
    }
    units = (ws / "units.csv").read_text(encoding="utf-8").splitlines()
    assert units[0] == "unit,group,aliases,emails" and len(units) == 57  # 16+23+10+7
    assert 'scheme = "jiande-2018"' in (ws / "kaohe.toml").read_text(encoding="utf-8")
    again = kaohe("init", str(ws), "--scheme", "jiande-2018")
    assert again.returncode != 0 and "已经是 kaohe 工作区" in again.stderr


def test_empty_workspace_scores_every_unit_zero(tmp_path):
    ws = tmp_path / "ws"
    kaohe("init", str(ws), "--scheme", "jiande-2018")
    proc = kaohe("score", str(ws), "--period", "2018Q2", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) == 56 and {r["points"] for r in rows} == {0.0}
    assert {r["rank"] for r in rows} == {1}  # everyone ties (C4)


def test_schemes_lists_jiande():
    proc = kaohe("schemes")
    assert proc.returncode == 0 and "jiande-2018" in proc.stdout and "建政办函" in proc.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["score", "{ws}", "--period", "2018Q9"], ["考核期", "2018Q9"]),
        (["init", "{tmp}/x", "--scheme", "nowhere-2018"], ["未知的考核办法", "jiande-2018"]),
        (["score", "{tmp}/missing", "--period", "2018Q2"], ["不是 kaohe 工作区", "kaohe init"]),
    ],
)
def test_user_errors_are_one_line_and_non_zero(tmp_path, args, words):
    ws = tmp_path / "ws"
    kaohe("init", str(ws), "--scheme", "jiande-2018")
    proc = kaohe(*[a.format(ws=ws, tmp=tmp_path) for a in args])
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：")
    for w in words:
        assert w in lines[0]


def test_unknown_unit_in_events_names_file_and_row(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(
        ROOT / "examples" / "jiande-2018", ws, ignore=shutil.ignore_patterns("out", "kaohe.db")
    )
    (ws / "events" / "extra.csv").write_text(
        "date,type,unit,title,level,value,status,note\n"
        "2018-05-02,缺席会议,发改局,,,,,\n"
        "2018-05-09,缺席会议,市老干部局,,,,,\n",
        encoding="utf-8",
    )
    proc = kaohe("score", str(ws), "--period", "2018Q2")
    assert proc.returncode != 0
    assert "events/extra.csv 第3行" in proc.stderr and "市老干部局" in proc.stderr


def test_missing_column_in_adoptions_names_the_file(tmp_path):
    ws = tmp_path / "ws"
    kaohe("init", str(ws), "--scheme", "jiande-2018")
    (ws / "adoptions" / "q2.csv").write_text(
        "刊物,期号,标题,单位\n建德政务·动态,第1期,我市召开会议,发改局\n", encoding="utf-8"
    )
    proc = kaohe("score", str(ws), "--period", "2018Q2")
    assert proc.returncode != 0
    assert "adoptions/q2.csv" in proc.stderr and "日期" in proc.stderr


def test_score_twice_reads_the_issue_documents_once_and_prints_the_same(tmp_path):
    """`kaohe score` keeps what it extracted from the issue documents in the workspace
    (.kaohe-cache/issues, one entry per document); the second score reads it from there and
    prints the same scores; an entry of another document's bytes is not used."""
    ws = tmp_path / "ws"
    shutil.copytree(
        ROOT / "examples" / "jiande-2018", ws, ignore=shutil.ignore_patterns("out", "kaohe.db")
    )
    first = kaohe("score", str(ws), "--period", "2018Q2")
    assert first.returncode == 0, first.stderr
    entries = sorted((ws / ".kaohe-cache" / "issues").iterdir())
    assert len(entries) == 4 and all(p.suffix == ".json" for p in entries)
    stamps = [p.stat().st_mtime_ns for p in entries]
    second = kaohe("score", str(ws), "--period", "2018Q2")
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout and "unit,group,points" in first.stdout
    assert [p.stat().st_mtime_ns for p in entries] == stamps  # read, not written again
    # swap two entries' contents: neither is trusted, both are re-extracted
    a, b = entries[0].read_bytes(), entries[1].read_bytes()
    entries[0].write_bytes(b)
    entries[1].write_bytes(a)
    third = kaohe("score", str(ws), "--period", "2018Q2")
    assert third.returncode == 0, third.stderr
    assert third.stdout == first.stdout
    assert entries[0].read_bytes() == a and entries[1].read_bytes() == b
