"""常山县政务信息工作考核办法 (常政办发〔2014〕97号) written from the guide alone.

docs/examples/changshan-2014.toml is a regulation kaohe was not built with; this test
checks the file with `kaohe scheme check` and scores a tiny workspace made from it with
`kaohe init --regulation-from`, against numbers worked by hand from the clauses.
"""

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

REGULATION = Path(__file__).resolve().parents[1] / "docs" / "examples" / "changshan-2014.toml"
KAOHE = str(Path(sys.executable).parent / "kaohe")

ADOPTIONS = """刊物,期号,日期,标题,供稿单位,类别
常山政务,12,2014-04-10,天马街道推进旧城改造,天马街道,
衢州政务信息动态,30,2014-05-12,天马街道网格化管理经验,天马街道,单篇
政务参阅,5,2014-06-03,城乡结合部产业转型调研,天马街道;发改局,
要情快报,40,2014-04-20,一季度重点项目进展,发改局,
"""


def _mail_log() -> str:
    rows = ["时间,报送单位,主题"]

    def add(unit: str, month: int, n: int, start: int = 0, subject: str = "信息") -> None:
        for i in range(n):
            day = 10 + start + i
            rows.append(
                f"2014-{month:02d}-{day:02d} 09:00,{unit},{unit}{subject}{month}-{start + i}"
            )

    add("天马街道", 4, 8)  # April: 8, the towns' monthly minimum
    add("天马街道", 5, 7)
    add("天马街道", 5, 1, start=7, subject="【长篇】调研")  # May: 8 with the quarter's 长篇
    add("天马街道", 6, 7)  # June: one short
    add("球川镇", 4, 8)  # April only, no 长篇
    for month in (4, 5, 6):
        add("发改局", month, 2)  # departments: 2 a month (the 附件 is unpublished)
    return "\n".join(rows) + "\n"


def _run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return subprocess.run([KAOHE, *args], capture_output=True, text=True, env=env, timeout=60)


def test_changshan_file_is_clean():
    done = _run("scheme", "check", str(REGULATION))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "常政办发〔2014〕97号" in done.stdout


def test_changshan_tiny_workspace_scores_as_worked_by_hand(tmp_path):
    ws = tmp_path / "ws"
    done = _run("init", str(ws), "--regulation-from", str(REGULATION))
    assert done.returncode == 0, done.stdout + done.stderr
    (ws / "adoptions" / "q2.csv").write_text(ADOPTIONS, encoding="utf-8")
    (ws / "submissions" / "log.csv").write_text(_mail_log(), encoding="utf-8")

    done = _run("score", str(ws), "--period", "2014Q2")
    assert done.returncode == 0, done.stdout + done.stderr
    points = {row["unit"]: float(row["points"]) for row in csv.DictReader(io.StringIO(done.stdout))}

    # 三（二）1–2: 常山政务 10 + 衢州政务信息动态（单篇）50 + 政务参阅 30 (joint, full);
    # 三（一）1: base 10 in April and May, none in June (7 < 8); 长篇 sent in May.
    assert points["天马街道"] == 10 + 50 + 30 + 10 + 10
    # 要情快报 5 + 政务参阅 30 (joint) + base 10 in each of the three months (2 a month).
    assert points["发改局"] == 5 + 30 + 3 * 10
    # base 10 in April only; no 长篇 in the quarter: −5 (the parameter's default).
    assert points["球川镇"] == 10 - 5
    # nothing sent: no base, −5 for the missing 长篇.
    assert points["紫港街道"] == -5
    assert points["农业局"] == 0
    assert "县妇联" not in points  # 三（一）4: encouraged, not ranked
