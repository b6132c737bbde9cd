"""Runs and sends started from the web page: `kaohe run` and `kaohe send` as child
processes, their progress lines kept for the page to poll.

A child process is exactly the command line's run or send (the same functions, the same
checks, the same workspace lock `.kaohe.lock` and the same Prefect server handling) and it
cannot take the web server down with it. One job at a time per workspace: a second is
refused here, and a run or send started elsewhere (a terminal, the schedule) holds the
workspace lock, which the child reports as the command line does.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flows.cli import _prefect_env


@dataclass
class Job:
    id: int
    workspace: str
    kind: str  # "run" | "send"
    label: str  # what the page shows: 运行 2018Q2 …
    user: str
    args: list[str]
    period: str = ""
    lines: list[str] = field(default_factory=list)
    status: str = "running"  # running | done | failed
    returncode: int | None = None
    started: datetime = field(default_factory=lambda: datetime.now().astimezone())
    finished: datetime | None = None
    on_end: object = None

    @property
    def running(self) -> bool:
        return self.status == "running"

    def as_json(self, since: int = 0) -> dict:
        return {
            "id": self.id,
            "status": self.status,
            "returncode": self.returncode,
            "lines": self.lines[since:],
            "count": len(self.lines),
        }


class Busy(Exception):
    """Another job of the workspace is still running."""


class Jobs:
    def __init__(self):
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.all: dict[int, Job] = {}
        self._current: dict[str, Job] = {}

    def current(self, workspace: str) -> Job | None:
        job = self._current.get(workspace)
        return job if job is not None and job.running else None

    def recent(self, workspace: str, n: int = 5) -> list[Job]:
        jobs = [j for j in self.all.values() if j.workspace == workspace]
        return sorted(jobs, key=lambda j: j.id, reverse=True)[:n]

    def start(
        self,
        workspace: str,
        kind: str,
        label: str,
        user: str,
        args: list[str],
        period: str = "",
        on_end=None,
    ) -> Job:
        """Start `python -m flows.cli ARGS`; Busy when the workspace has a job running."""
        with self._lock:
            running = self.current(workspace)
            if running is not None:
                raise Busy(running.label)
            job = Job(next(self._ids), workspace, kind, label, user, args, period, on_end=on_end)
            self.all[job.id] = job
            self._current[workspace] = job
        _prefect_env()  # the child inherits PREFECT_HOME & co. (as `kaohe run` sets them)
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "flows.cli", *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=env,
                text=True,
                encoding="utf-8",
                errors="replace",
                bufsize=1,
            )
        except OSError as err:
            job.lines.append(f"错误：无法启动（{err}）")
            self._end(job, 2)
            return job
        threading.Thread(target=self._follow, args=(job, proc), daemon=True).start()
        return job

    def _follow(self, job: Job, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip("\n")
            if line.strip():
                job.lines.append(line)
        self._end(job, proc.wait())

    def _end(self, job: Job, code: int) -> None:
        job.returncode = code
        job.finished = datetime.now().astimezone()
        job.status = "done" if code == 0 else "failed"
        if callable(job.on_end):
            try:
                job.on_end(job)
            except Exception:  # the audit line must not kill the follower thread
                pass

    def wait(self, job: Job, timeout: float) -> None:
        end = time.monotonic() + timeout
        while job.running and time.monotonic() < end:
            time.sleep(0.1)


def workspace_busy(root: Path) -> bool:
    """True when another process holds the workspace lock (a run or send elsewhere)."""
    import fcntl

    path = Path(root) / ".kaohe.lock"
    if not path.exists():
        return False
    with open(path) as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
    return False
