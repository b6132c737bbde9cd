"""Prefect's Dask task runner (prefect-dask) for thousands of units (`[run] task_runner =
"dask"` in kaohe.toml): statements rendered and messages sent in batches as Prefect tasks,
on a LocalCluster or on the Dask cluster at `[run] dask_address`.

Work goes out in batches, never one task per unit or message: a Prefect task run costs
~5 ms of bookkeeping, a statement ~0.1 s, a message a few ms on a near SMTP server.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.delivery import (
    Mailer,
    MailSettings,
    Outcome,
    Outgoing,
    RunRef,
    SendReport,
    deliver,
    mail_period,
)
from flows.workspace import CONFIG, Workspace
from store.repository import Store
from transforms.errors import InputError

#: workers of the LocalCluster started when no [run] dask_address is given
DASK_LOCAL_WORKERS = 2
#: messages per Dask task; each batch opens one SMTP and one database connection
DASK_SEND_BATCH = 50


def dask_task_runner(ws: Workspace):
    """The DaskTaskRunner of a workspace: its [run] dask_address, else a LocalCluster."""
    from prefect_dask import DaskTaskRunner

    if ws.dask_address:
        return DaskTaskRunner(address=ws.dask_address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": DASK_LOCAL_WORKERS,
            "threads_per_worker": 1,
            "dashboard_address": None,
        }
    )


@contextmanager
def started_runner(ws: Workspace) -> Iterator[Any]:
    """The workspace's Dask task runner, started and connected: a cluster that cannot be
    reached is an InputError naming [run] dask_address, not a traceback.

    Without PREFECT_API_URL this process runs a temporary Prefect server; the tasks are
    submitted with its address so that the workers of a LocalCluster record their task
    runs there instead of each starting a temporary server of its own (~5 s each)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    api = PREFECT_API_URL.value()
    if not api:
        from prefect.client.orchestration import get_client

        api = str(get_client(sync_client=True).api_url)
    with temporary_settings({PREFECT_API_URL: api}), dask_task_runner(ws) as runner:
        try:
            _ = runner.client  # connects to the cluster, or starts the LocalCluster
        except (OSError, TimeoutError) as err:
            if ws.dask_address:
                raise InputError(
                    f"无法连接 Dask 集群 {ws.dask_address}：{err}（请检查 [run] dask_address，"
                    "以及 dask scheduler 是否已启动）",
                    file=CONFIG,
                ) from err
            raise InputError(f"无法在本机启动 Dask 集群：{err}") from err
        yield runner


def batch_size(n: int, most: int, least: int = 10, spread: int = 8) -> int:
    """About `most` a batch; a small job is still cut into ~`spread` batches of at least
    `least` so that every worker gets some."""
    return max(least, min(most, -(-n // spread)))


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# ------------------------------------------------------------------------- sending


@task(name="send-mail-batch", cache_policy=NO_CACHE)
def send_batch_task(
    database_url: str,
    run: RunRef,
    items: list[tuple[int, Outgoing]],
    settings: MailSettings,
    stop_event: str,
    resend_uncertain: bool = False,
) -> list[Outcome]:
    """One batch of messages, sent from a Dask worker over its own SMTP connection and
    recorded through its own database connection (flows.delivery.deliver). The Dask event
    `stop_event` is set when the server is down or the batch fails (a refused login, …)
    so that the other batches stop before their next message."""
    from distributed import Event

    stop = Event(stop_event)
    if stop.is_set():
        return []
    store = Store.open(database_url, migrate_schema=False)
    try:
        with Mailer(settings) as mailer:
            done = deliver(
                run, items, store, mailer, stop=stop.is_set, resend_uncertain=resend_uncertain
            )
    except Exception:
        stop.set()
        raise
    finally:
        store.close()
    if any(o.attempt.down for o in done):
        stop.set()
    return done


def send_on_dask(
    ws: Workspace,
    run: RunRef,
    items: list[tuple[int, Outgoing]],
    settings: MailSettings,
    each: Callable[[Outcome], None],
    say: Callable[[str], None],
    resend_uncertain: bool = False,
) -> None:
    """Send numbered messages in batches on the workspace's Dask task runner; `each` gets
    every outcome in the order of `items` (batch after batch, as each one ends). When a
    batch fails, the others are told to stop and waited for before its error is raised:
    no batch may still be sending once the workspace lock is released."""
    if not items:
        return
    size = batch_size(len(items), DASK_SEND_BATCH)
    batches = chunks(items, size)
    say(f"  在 Dask 上分批发送：{len(batches)} 批，每批至多 {size} 封")
    from distributed import Event

    stop_event = f"kaohe-send-{uuid.uuid4().hex}"
    error: BaseException | None = None
    with started_runner(ws) as runner:
        futures = [
            runner.submit(
                send_batch_task,
                {
                    "database_url": ws.database_url,
                    "run": run,
                    "items": b,
                    "settings": settings,
                    "stop_event": stop_event,
                    "resend_uncertain": resend_uncertain,
                },
            )
            for b in batches
        ]
        for fut in futures:
            try:
                outcomes = fut.result()
            except Exception as err:  # raised once every batch has ended
                if error is None:
                    error = err
                    Event(stop_event, client=runner.client).set()
                continue
            for o in outcomes:
                each(o)
        # a lasting cluster forgets the event (it keeps only events that were set)
        Event(stop_event, client=runner.client).clear()
    if error is not None:
        raise error


@flow(name="send-bulletin", log_prints=False)
def send_bulletin(
    workspace: str,
    period: str,
    progress: Callable | None = None,
    resend_uncertain: bool = False,
    confirm_uncertain: bool = False,
    bulletin: str | None = None,
    resend: bool = False,
) -> SendReport:
    """Mail the latest version of a period with its messages sent on the Dask task runner
    (`kaohe send` of a workspace with [run] task_runner = "dask")."""
    return mail_period(
        Workspace.load(workspace),
        period,
        progress=progress,
        resend_uncertain=resend_uncertain,
        confirm_uncertain=confirm_uncertain,
        bulletin=bulletin,
        resend=resend,
    )
