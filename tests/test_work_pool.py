"""The README's work-pool steps, run as an IT person runs them: a lasting `prefect server
start`, `prefect work-pool create`, the README's prefect.yaml (its paths replaced by this
checkout and a temporary workspace), `prefect deploy --all`, `prefect worker start` and
`prefect deployment run … --param period=2018Q2`, every command a subprocess on this
checkout's venv (`source .venv/bin/activate`). The flow run the worker starts scores and
renders the quarter and mails it to an SMTP server (aiosmtpd on 127.0.0.1), and the
deployment's schedule is the README's: 09:00 in Shanghai on the 5th of January, April, July
and October. The workspace is the two-unit 建德 one of the schedule test (test_reruns), so
that the run takes seconds; the whole test takes about 20 s (25 s with both cores busy)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from processes import Background
from smtp_server import free_port
from test_reruns import _workspace

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the checkout's venv
DEPLOYMENT = "kaohe-scheduled-quarter/kaohe-quarterly"
#: the README's example paths, replaced by this checkout and the test's workspace
README_CHECKOUT, README_WORKSPACE = "/srv/kaohe/src", "/srv/kaohe/考核2018"


def _readme_work_pool() -> tuple[str, dict[str, list[str]]]:
    """The prefect.yaml and the `prefect …` commands of the README's work-pool part, the
    commands by their subcommand ("work-pool", "deploy", "worker", "deployment")."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    part = text[text.index("For production, deploy the same flow to a work pool") :]
    part = part[: part.index("\n## ")]
    blocks = re.findall(r"(?:^    .*\n|^\n)+", part, flags=re.M)
    (prefect_yaml,) = [b for b in blocks if "deployments:" in b]
    commands: dict[str, list[str]] = {}
    for line in part.splitlines():
        if line.startswith("    prefect "):
            words = shlex.split(line, comments=True)
            commands[words[1]] = words
    return "\n".join(line[4:] for line in prefect_yaml.splitlines()) + "\n", commands


@pytest.fixture
def background(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = Background(logs)
    yield procs
    procs.stop()


def test_readme_work_pool_steps_deploy_schedule_and_run_the_quarter(tmp_path, smtp, background):
    site = tmp_path / "site"  # /srv/kaohe: prefect.yaml beside the checkout
    site.mkdir()
    api = f"http://127.0.0.1:{free_port()}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",  # the venv, activated
        "VIRTUAL_ENV": str(BIN.parent),
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",  # saves copying the UI at start
        "PREFECT_WORKER_QUERY_SECONDS": "2",
    }
    port = api.split(":")[2].split("/")[0]
    prefect = str(BIN / "prefect")
    background.start(
        "server", [prefect, "server", "start", "--host", "127.0.0.1", "--port", port], env=env
    )
    env["PREFECT_API_URL"] = api

    ws = _workspace(tmp_path / "考核2018", f"sqlite:///{tmp_path / 'kaohe.db'}")
    with open(ws / "kaohe.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[mail]\nhost = "127.0.0.1"\nport = {smtp.port}\nsender = "xxk@jd.gov.cn"\n')
    prefect_yaml, commands = _readme_work_pool()
    prefect_yaml = prefect_yaml.replace(README_CHECKOUT, str(ROOT))
    prefect_yaml = prefect_yaml.replace(README_WORKSPACE, str(ws))
    (site / "prefect.yaml").write_text(prefect_yaml, encoding="utf-8")
    assert yaml.safe_load(prefect_yaml)["deployments"][0]["parameters"] == {"workspace": str(ws)}

    http = httpx.Client(base_url=api, timeout=60, transport=RetryUnavailable())
    _wait_for_server(http, background)

    def prefect_cli(name: str) -> str:
        args = [prefect, *commands[name][1:]]
        done = subprocess.run(
            args, cwd=site, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
        assert done.returncode == 0, f"{shlex.join(args)}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    try:
        prefect_cli("work-pool")  # prefect work-pool create kaohe-pool --type process
        prefect_cli("deploy")  # prefect deploy --all
        background.start("worker", [prefect, *commands["worker"][1:]], env=env, cwd=site)
        out = prefect_cli("deployment")  # prefect deployment run … --param period=2018Q2
        run_id = re.search(r"UUID: ([0-9a-f-]{36})", out).group(1)

        deployment = http.get(f"/deployments/name/{DEPLOYMENT}").raise_for_status().json()
        assert deployment["entrypoint"] == "flows.schedule.scheduled_quarter"
        assert deployment["work_pool_name"] == "kaohe-pool"
        assert deployment["parameters"] == {"workspace": str(ws)}
        (schedule,) = deployment["schedules"]
        assert schedule["schedule"]["cron"] == "0 9 5 1,4,7,10 *"
        assert schedule["schedule"]["timezone"] == "Asia/Shanghai"
        starts = _next_scheduled_runs(http, deployment["id"], ws)

        state = _wait_for_run(http, run_id, background)
        assert state["type"] == "COMPLETED", f"{state}\n{background.logs_text()}"
    finally:
        http.close()

    # the next four runs: 09:00 in Shanghai on the 5th of January, April, July and October
    local = [s.astimezone(ZoneInfo("Asia/Shanghai")) for s in starts[:4]]
    assert [(t.day, t.hour, t.minute) for t in local] == [(5, 9, 0)] * 4
    assert sorted(t.month for t in local) == [1, 4, 7, 10]

    assert (ws / "out" / "2018Q2" / "v1" / "bulletin.pdf").is_file()
    assert smtp.to() == ["fgj@jd.gov.cn", "mzj@jd.gov.cn"]
    assert all("2018年第二季度" in s for s in smtp.subjects())
    worker_log = background.log("worker")
    assert "已生成 v1" in worker_log and "2 封邮件" in worker_log  # the run's lines, in Chinese


class RetryUnavailable(httpx.HTTPTransport):
    """Send a request again when the server answers 503, as Prefect's own client does
    (PREFECT_CLIENT_MAX_RETRIES): its SQLite database is busy while the worker, the
    scheduler and this test write at once, and the server says so with a retryable 503."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for delay in (0.25, 0.5, 1, 2, 4, 8):
            response = super().handle_request(request)
            if response.status_code != 503:
                return response
            response.close()
            time.sleep(delay)
        return super().handle_request(request)


def _wait_for_server(http: httpx.Client, background: Background, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if http.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if background.procs["server"].poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"prefect server start 未能启动\n{background.logs_text()}")
        time.sleep(0.3)


def _wait_for_run(
    http: httpx.Client, run_id: str, background: Background, timeout: float = 240
) -> dict:
    """The flow run's final state (or its state when `timeout` runs out)."""
    deadline = time.monotonic() + timeout
    while True:
        state = http.get(f"/flow_runs/{run_id}").raise_for_status().json()["state"]
        if state["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
            return state
        if background.procs["worker"].poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"flow run 未结束：{state}\n{background.logs_text()}")
        time.sleep(0.5)


def _next_scheduled_runs(http: httpx.Client, deployment_id: str, ws: Path) -> list[datetime]:
    """Ask the server to schedule the deployment's runs of the coming year (it schedules
    100 days ahead by itself) and return their start times."""
    end = datetime.now(UTC) + timedelta(days=366)
    http.post(
        f"/deployments/{deployment_id}/schedule", json={"end_time": end.isoformat(), "min_runs": 4}
    ).raise_for_status()
    runs = (
        http.post(
            "/flow_runs/filter",
            json={
                "deployments": {"id": {"any_": [deployment_id]}},
                "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
                "sort": "EXPECTED_START_TIME_ASC",
            },
        )
        .raise_for_status()
        .json()
    )
    soon = datetime.now(UTC) + timedelta(minutes=1)  # not the run started by hand
    runs = [r for r in runs if datetime.fromisoformat(r["expected_start_time"]) > soon]
    assert all(r["parameters"] == {"workspace": str(ws)} for r in runs)
    return [datetime.fromisoformat(r["expected_start_time"]) for r in runs]
