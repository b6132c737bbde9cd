"""Servers the tests start as real subprocesses (`dask scheduler` and `dask worker`,
`prefect server start`, a Prefect worker): each in its own process group with its output in
a log file, and stopped as a whole afterwards (with whatever processes it started)."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path


class Background:
    """`start(name, args)` runs a command in its own session, its output in `logs/<name>.log`
    (`log(name)` reads it); `stop()` ends every process group started, SIGTERM first and
    SIGKILL for what is left after `grace` seconds."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.procs: dict[str, subprocess.Popen] = {}

    def start(
        self, name: str, args: list[str], *, env: dict | None = None, cwd: Path | None = None
    ) -> subprocess.Popen:
        with open(self.logs / f"{name}.log", "wb") as log:
            proc = subprocess.Popen(
                args,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=cwd or self.logs,
                env=env,
                start_new_session=True,  # its own process group, stopped as a whole
            )
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def logs_text(self, tail: int = 4000) -> str:
        """The end of every log, to explain a failure."""
        return "\n".join(f"--- {name}.log\n{self.log(name)[-tail:]}" for name in self.procs)

    def stop(self, grace: float = 5.0) -> None:
        """Last started, first stopped: a worker goes before the server it talks to."""
        for proc in reversed(self.procs.values()):
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
            _signal_group(proc, signal.SIGKILL)  # what is left of its group
            proc.wait()
        self.procs.clear()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
