"""The processes a run starts end with it, even when it is killed with `kill -9`.

Local render workers (`die_with_parent`, the initializer of flows.render's process pool)
ask the kernel to kill them when the run dies (PR_SET_PDEATHSIG). The temporary Prefect
server is tied to the run by a watchdog (`start_temporary_server`):

Without `PREFECT_API_URL` Prefect starts a temporary API server (`python -m uvicorn …
prefect.server.api.server:create_app`) as a child of the process that first needs it and
stops it at exit (atexit). A run killed with `kill -9` runs no atexit: the server lived on
as an orphan, holding its port and its database. `start_temporary_server` starts that
server itself, before the flow, and a small watchdog process beside it: the watchdog holds
the read end of a pipe whose write end only the run holds, so it sees end-of-file the
moment the run ends, however it ends, and then stops the server. With `PREFECT_API_URL`
set (a lasting server, `kaohe serve`) nothing is started.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys

#: what identifies the temporary server's command line (the watchdog checks it before it
#: signals the pid, which could otherwise have been reused)
SERVER_APP = "prefect.server.api.server:create_app"

# The watchdog: wait for end-of-file on stdin (the run has ended), then stop the server
# (SIGTERM, SIGKILL after 5 s) if the pid is still that server.
_WATCHDOG = """
import os, signal, sys, time
pid, app = int(sys.argv[1]), sys.argv[2]
sys.stdin.buffer.read()
def server():
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return app.encode() in f.read()
    except OSError:
        return False
for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 0.0)):
    if not server():
        break
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        break
    end = time.monotonic() + wait
    while time.monotonic() < end and server():
        time.sleep(0.05)
"""

#: the watchdog of this process's server (its stdin, the pipe, stays open while we live)
_watchdog: subprocess.Popen | None = None


def start_temporary_server() -> int | None:
    """Start Prefect's temporary server now, with a watchdog that stops it when this
    process ends (even by SIGKILL); its pid, or None when a lasting server is configured
    (PREFECT_API_URL) or Prefect may not start one."""
    global _watchdog
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return None
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the one Prefect's client uses (one per process)
    server.start()
    proc = server.server_process
    if proc is None:
        return None
    if _watchdog is None or _watchdog.poll() is not None:
        _watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(proc.pid), SERVER_APP],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not stopped with the run's process group
            close_fds=True,
        )
        if _watchdog.stdin is not None:
            os.set_inheritable(_watchdog.stdin.fileno(), False)
    return proc.pid


#: prctl option: the signal a process gets when its parent dies (linux/prctl.h)
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Initializer of a worker process: SIGKILL when the process (thread) that started it
    ends, however it ends; exit at once if `parent` has already gone. Outside Linux: only
    the second check."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)
