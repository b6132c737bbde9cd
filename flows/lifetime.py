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

import atexit
import contextlib
import ctypes
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

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
    (PREFECT_API_URL) or Prefect may not start one. A server launched early
    (`launch_temporary_server`) is adopted: this process's Prefect then uses it by its URL
    (`PREFECT_API_URL`), as it would a lasting server, and never imports Prefect's server
    module (≈ 2 s of CPU)."""
    global _early
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_EPHEMERAL_ENABLED,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
    )

    early, _early = _early, None
    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        if early is not None:  # a lasting server is configured (profile, .env, prefect.toml)
            early.stop()
        return None
    if early is not None:
        pid = _adopt(early, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
        if pid is not None:
            return pid
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the one Prefect's client uses (one per process)
    server.start()
    proc = server.server_process
    if proc is None:
        return None
    _start_watchdog(proc.pid)
    return proc.pid


def _start_watchdog(pid: int) -> None:
    """The watchdog of server `pid` (a new server gets a new one)."""
    global _watchdog, _watched
    if _watchdog is not None and _watchdog.poll() is None and _watched == pid:
        return
    _watched = pid
    _watchdog = subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, str(pid), SERVER_APP],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # not stopped with the run's process group
        close_fds=True,
    )
    if _watchdog.stdin is not None:
        os.set_inheritable(_watchdog.stdin.fileno(), False)


#: the pid the current watchdog guards
_watched: int | None = None


class EarlyServer:
    """A temporary server launched by `launch_temporary_server` before Prefect is imported
    in this process: its port and process, until `start_temporary_server` adopts it."""

    def __init__(self, port: int, process: subprocess.Popen) -> None:
        self.port = port
        self.process = process

    def stop(self) -> None:
        """Stop it (it was never used: SIGKILL loses nothing)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def terminate(self) -> None:
        """Stop it once used, as Prefect stops its temporary server: SIGTERM, so that it
        writes what it has received, then SIGKILL after 5 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


#: the server launched early in this process, if any (adopted or stopped once)
_early: EarlyServer | None = None


def _server_command(port: int) -> list[str]:
    # Prefect's own command line (SubprocessASGIServer._run_uvicorn_command), found
    # without importing Prefect: its package folder from the import system's spec.
    import importlib.util

    spec = importlib.util.find_spec("prefect")
    app_dir = Path(spec.origin).parent.parent if spec and spec.origin else Path.cwd()
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(app_dir),
        "--factory",
        SERVER_APP,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]


def _free_port() -> int | None:
    for _ in range(20):
        port = random.randrange(8000, 9000)  # Prefect's range for its temporary server
        with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return None


#: the temporary server's own output (uvicorn, its errors), in PREFECT_HOME, one run's
SERVER_LOG = "kaohe-temporary-server.log"


def _popen_server(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    # Its messages go to a log in Prefect's home, not to the office's terminal: stopped at
    # the end of a run while a request is in flight, the server logs a harmless traceback.
    try:
        home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
        home.mkdir(parents=True, exist_ok=True)
        log = open(home / SERVER_LOG, "wb")  # noqa: SIM115 (the child keeps it)
    except OSError:
        log = subprocess.DEVNULL
    try:
        return subprocess.Popen(
            _server_command(port), env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
    finally:
        if log is not subprocess.DEVNULL:
            log.close()


def launch_temporary_server() -> EarlyServer | None:
    """Launch Prefect's temporary server now, without importing Prefect, so that it boots
    (several seconds) while this process imports Prefect and the flow; its watchdog too.
    `start_temporary_server` then adopts it, or stops it when a lasting server turns out
    to be configured. Nothing when PREFECT_API_URL is set in the environment."""
    global _early
    if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
        return None  # a lasting server, or Prefect's settings are already in force here
    port = _free_port()
    if port is None:
        return None
    _early = EarlyServer(port, _popen_server(port))
    _start_watchdog(_early.process.pid)
    return _early


def _adopt(early: EarlyServer, timeout: float) -> int | None:
    """Once `early` answers, make it the server of this process's Prefect by its URL
    (`PREFECT_API_URL` in the environment, so also in the processes the run starts, and in
    Prefect's settings, for every thread), stopped when this process exits; its pid."""
    import httpx

    own = sys.modules.get("prefect.server.api.server")
    if own is not None and any(s.running for s in own.SubprocessASGIServer._instances.values()):
        early.stop()  # Prefect started its own meanwhile: ours is not needed
        return None
    end = time.monotonic() + timeout
    with httpx.Client() as client:
        while True:
            if early.process.poll() == 3:  # the port was taken meanwhile: another one
                port = _free_port()
                if port is None:
                    break
                early.port, early.process = port, _popen_server(port)
                _start_watchdog(early.process.pid)
            elif early.process.poll() is not None:
                break
            try:
                # uvicorn listens once the app has started: until then a bare connect,
                # cheap, is refused (an HTTP request per poll cost the booting server
                # seconds of CPU on a loaded machine)
                if _listening(early.port) and (
                    client.get(f"http://127.0.0.1:{early.port}/api/health").status_code == 200
                ):
                    _use_server(f"http://127.0.0.1:{early.port}/api")
                    atexit.register(early.terminate)
                    return early.process.pid
            except httpx.TransportError:
                pass
            if time.monotonic() > end:
                break
            time.sleep(0.05)
    early.stop()  # did not come up: Prefect starts its own and reports why not
    return None


def _use_server(url: str) -> None:
    """Point Prefect, already imported, at the server `url` for the rest of this process:
    the environment (read by the processes started from now on) and Prefect's global
    settings, which every thread without settings of its own reads."""
    import prefect.context

    os.environ["PREFECT_API_URL"] = url
    refresh = getattr(prefect.context, "refresh_global_settings_context", None)
    if refresh is not None:
        refresh()
    else:  # older Prefect 3: the same, by hand
        prefect.context.GLOBAL_SETTINGS_CONTEXT = prefect.context.root_settings_context()


def _listening(port: int) -> bool:
    """True when something accepts connections on 127.0.0.1:`port`."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def end_without_teardown(when: Callable[[], bool] | None = None) -> None:
    """When this process exits, end it at once (os._exit(0)) once its exit handlers have
    run, instead of freeing an interpreter that holds polars, WeasyPrint, Pango, the fonts
    and Prefect object by object (seconds on a loaded machine). Registered first, so run
    last: Prefect's events and logs have been sent, its temporary server stopped, the
    workers ended; logging and the standard streams are flushed first. `when`: only if it
    then returns true (a failed `kaohe run` exits as usual, its status and traceback
    unchanged)."""

    def end() -> None:
        if when is not None and not when():
            return
        import logging

        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(0)

    atexit.register(end)


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
