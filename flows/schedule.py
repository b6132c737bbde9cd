"""The quarterly schedule (定时任务): a few days after each quarter ends, score the quarter
just ended, render its bulletin and mail it.

`kaohe serve DIR` serves the flow `scheduled_quarter` from this process with a cron
schedule in the office's zone (Prefect's `flow.serve`); production deploys the same flow to
a work pool instead, from a prefect.yaml naming it by module path,
`flows.schedule.scheduled_quarter` (README; tests/test_work_pool.py).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from prefect import flow
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from flows.delivery import draft_of, mail_office, send_period
from flows.pipeline import run_period
from transforms.periods import Period

#: 09:00 on the 5th of January, April, July and October
DEFAULT_CRON = "0 9 5 1,4,7,10 *"
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEPLOYMENT_NAME = "kaohe-quarterly"
#: what the Prefect UI shows for the flow and its deployments (served or deployed)
DESCRIPTION = "每季度结束后计分、生成通报并发送给各单位"


def quarter_just_ended(now: datetime, timezone: str = DEFAULT_TIMEZONE) -> Period:
    """The last quarter that ended before `now`, cut in the office's zone (C7).

    2018-07-05 09:00 in Shanghai → 2018Q2; 2019-01-05 → 2018Q4; 2018-06-30 23:30 → 2018Q1.
    A naive `now` is read as a time in `timezone`."""
    tz = ZoneInfo(timezone)
    local = now.replace(tzinfo=tz) if now.tzinfo is None else now.astimezone(tz)
    q = (local.month - 1) // 3 + 1
    if q == 1:
        return Period(local.year - 1, "quarter", 4)
    return Period(local.year, "quarter", q - 1)


@flow(name="kaohe-scheduled-quarter", description=DESCRIPTION, log_prints=True)
def scheduled_quarter(
    workspace: str, period: str | None = None, send: bool = True
) -> dict[str, Any]:
    """Score and render the quarter just ended (or `period`) and mail it to the units; a
    draft (征求意见稿: questions that change points are open) is mailed to nobody but the
    office (`[mail] office_address`), which gets the open questions (review.csv)."""
    from flows.workspace import Workspace

    ws = Workspace.load(workspace)
    label = period or quarter_just_ended(datetime.now(ZoneInfo(ws.timezone)), ws.timezone).label
    outcome = run_period(workspace, label, progress=print)
    print(outcome.message)
    result: dict[str, Any] = {"period": label, "version": str(outcome.version_dir)}
    per = Period.parse(label)
    if send and draft_of(ws, per):
        # A draft is not mailed to the units: the office gets the open questions.
        result["draft"] = True
        if not ws.mail.get("host"):
            note = "kaohe.toml 未配置 [mail]，本版为征求意见稿，未发送任何邮件"
        elif not str(ws.mail.get("office_address") or "").strip():
            note = (
                f"{per.title}通报为征求意见稿，未发送给各单位；kaohe.toml [mail] 未设置 "
                "office_address（信息科的邮箱），待核实清单未发给任何人：请查看 "
                f"{outcome.version_dir / 'review.csv'}，答复后运行 kaohe run 和 kaohe send"
            )
        else:
            result["office"] = mail_office(ws, per)
            note = (
                f"{per.title}通报为征求意见稿，未发送给各单位；待核实清单已发送到 "
                f"{result['office']}"
            )
        print(note)
        result["note"] = note
        return result
    if send and ws.mail.get("host"):
        report = send_period(workspace, label, progress=print)
        result |= {
            "sent": len(report.sent),
            "already": report.already,
            "failed": report.failed,
            "deferred": report.deferred,
            "uncertain": report.uncertain,
        }
        if not report.ok:
            unsure = (
                f"，{len(report.uncertain)} 封结果不明（不会自动重发）" if report.uncertain else ""
            )
            raise RuntimeError(
                f"{label} 通报有 {len(report.failed) + len(report.deferred)} 封邮件未能发出"
                f"{unsure}，请查看记录后再次运行 kaohe send"
            )
    elif send:
        print("kaohe.toml 未配置 [mail]，未发送邮件")
    return result


def deployment_options(
    workspace: str | Path,
    cron: str = DEFAULT_CRON,
    timezone: str = DEFAULT_TIMEZONE,
    name: str = DEPLOYMENT_NAME,
) -> dict[str, Any]:
    """What `serve` (and `to_deployment`) are given: the name, the cron schedule in the
    office's zone and the workspace. The entrypoint is the installed module, so the runner
    finds the flow whatever the current folder."""
    return {
        "name": name,
        "schedule": Cron(cron, timezone=timezone),
        "parameters": {"workspace": str(Path(workspace).resolve())},
        "description": DESCRIPTION,
        "tags": ["kaohe"],
        "entrypoint_type": EntrypointType.MODULE_PATH,
    }


def deployment(workspace: str | Path, cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE):
    """The deployment `kaohe serve` runs (a RunnerDeployment, built without a server)."""
    return scheduled_quarter.to_deployment(**deployment_options(workspace, cron, timezone))


def serve(workspace: str | Path, cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE):
    """Serve the scheduled flow from this process until interrupted (needs a lasting
    Prefect server: PREFECT_API_URL)."""
    scheduled_quarter.serve(**deployment_options(workspace, cron, timezone))
