"""End to end through the real Prefect flow, on a copy of the bundled 建德 example."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from examples_e2e import copy_example, pdftext, run
from prefect.settings import get_current_settings

from flows import outputs
from flows.cli import cli

# one worker runs them all: the module's run of the example is made once (make test runs
# --dist loadgroup, which would otherwise send its tests to both workers, each making it)
pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.xdist_group("e2e-jiande")]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return copy_example(tmp_path_factory.mktemp("e2e"), "jiande-2018")


@pytest.fixture(scope="module")
def first_run(workspace):
    # the signing date of the reruns below: their unchanged statements are shared, not
    # rendered again (a statement shows the date)
    result = run(workspace, "2018Q2", "--date", "2018-07-05")
    assert result.exit_code == 0, result.output
    return workspace / "out" / "2018Q2" / "v1"


def test_run_writes_a_whole_version(first_run):
    names = {p.name for p in first_run.iterdir()}
    assert {
        "bulletin.html",
        "bulletin.pdf",
        "bulletin.docx",
        "statements",
        "scores.csv",
        "scores.xlsx",
        "ledger.csv",
        "review.csv",
        "manifest.json",
    } <= names
    manifest = json.loads((first_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scheme"] == "jiande-2018" and manifest["version"] == 1
    assert any(p.startswith("adoptions/") for p in manifest["inputs"])
    # the bulletin's files with their sha256 (bulletin.docx beside the PDF)
    assert list(manifest["bulletin"]) == ["bulletin.html", "bulletin.pdf", "bulletin.docx"]
    for name, sha in manifest["bulletin"].items():
        assert hashlib.sha256((first_run / name).read_bytes()).hexdigest() == sha
    # one statement per unit of the roster
    with open(first_run / "scores.csv", encoding="utf-8-sig") as f:
        scores = list(csv.DictReader(f))
    assert len(scores) == 56
    assert len(list((first_run / "statements").glob("*.pdf"))) == 56


def test_bulletin_pdf_names_units_and_their_points(first_run):
    text = pdftext(first_run / "bulletin.pdf")
    assert "2018年第二季度" in text
    with open(first_run / "scores.csv", encoding="utf-8-sig") as f:
        scores = list(csv.DictReader(f))
    top = max(scores, key=lambda r: float(r["points"]))
    assert top["unit"] in text
    points = float(top["points"])
    shown = f"{points:g}"
    assert shown in text


def test_statement_total_equals_points_and_ledger(first_run):
    with open(first_run / "scores.csv", encoding="utf-8-sig") as f:
        scores = {r["unit"]: float(r["points"]) for r in csv.DictReader(f)}
    with open(first_run / "ledger.csv", encoding="utf-8-sig") as f:
        ledger = list(csv.DictReader(f))
    for unit, points in scores.items():
        total = sum(float(r["points"]) for r in ledger if r["unit"] == unit)
        assert total == pytest.approx(points), unit
    unit = max(scores, key=scores.get)
    text = pdftext(first_run / "statements" / f"{unit}.pdf")
    assert unit in text and f"{scores[unit]:g}" in text


def test_rerun_without_changes_writes_nothing(first_run, workspace):
    result = run(workspace, "2018Q2")
    assert result.exit_code == 0
    assert "未生成新版本" in result.output
    assert sorted(p.name for p in first_run.parent.iterdir()) == ["v1"]


def test_forced_rerun_writes_a_version_that_says_nothing_changed(first_run, workspace):
    result = run(workspace, "2018Q2", "--force", "--date", "2018-07-05")
    assert result.exit_code == 0, result.output
    forced = first_run.parent / "v2"
    manifest = json.loads((forced / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["changes"]["units"] == [] and manifest["changes"]["inputs"]["changed"] == []
    # Leave the module's workspace as the later tests expect it: v1 only.
    shutil.rmtree(forced)


def test_rerun_after_correction_writes_v2_with_changes(first_run, workspace):
    events = workspace / "events" / "correction.csv"
    events.write_text(
        "日期,类型,单位,标题,级别,分值,状态,备注\n2018-05-20,挂职,发改局,,,1,,\n", "utf-8"
    )
    try:
        result = run(workspace, "2018Q2", "--date", "2018-07-05")
        assert result.exit_code == 0, result.output
        # v3 after the forced run: its v2 is deleted but recorded, its number not taken again
        v2 = outputs.latest_version_dir(first_run.parent)
        assert v2.name != "v1" and len(list(first_run.parent.iterdir())) == 2
        assert "二〇一八年七月五日" in pdftext(v2 / "bulletin.pdf")  # the signing date given
        manifest = json.loads((v2 / "manifest.json").read_text(encoding="utf-8"))
        changes = manifest["changes"]
        assert changes["inputs"]["added"] == ["events/correction.csv"]
        assert [u["unit"] for u in changes["units"] if u["unit"] == "发改局"]
        fgj = next(u for u in changes["units"] if u["unit"] == "发改局")
        assert fgj["after"] - fgj["before"] == 30  # 挂职 +30 per person (三（六）5)
    finally:
        events.unlink()


def test_score_prints_csv(workspace):
    result = CliRunner().invoke(cli, ["score", str(workspace), "--period", "2018Q2"])
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0].split(",")
    assert header[:6] == ["unit", "group", "points", "rank", "target_met", "assessment"]
    assert len(result.stdout.splitlines()) == 57


def test_bad_event_file_fails_with_one_line_and_no_version(tmp_path):
    ws = copy_example(tmp_path, "jiande-2018")
    (ws / "events" / "bad.csv").write_text(
        "日期,类型,单位\n2018-05-02,领导批示,发改局\n2018-05-03,表扬信,民政局\n", "utf-8"
    )
    env = dict(os.environ)
    # Reuse the session's Prefect server rather than starting another one.
    env["PREFECT_API_URL"] = str(get_current_settings().api.url)
    proc = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", str(ws), "--period", "2018Q2"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.startswith("错误")]
    assert len(lines) == 1, proc.stderr
    assert "events/bad.csv" in lines[0] and "第3行" in lines[0] and "表扬信" in lines[0]
    assert not (ws / "out" / "2018Q2").exists() or not any((ws / "out" / "2018Q2").iterdir())
