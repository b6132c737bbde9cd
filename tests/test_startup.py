"""How `kaohe run` and `kaohe score` start (issue 16): the temporary Prefect server boots in
its own process while the run imports Prefect (`flows.lifetime.launch_temporary_server`),
is the one the flow uses, and is not used when a lasting server is configured; `kaohe
score` never imports Prefect, WeasyPrint or SQLAlchemy. Real processes, a real server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Launch early, then adopt: prints the early pid, the adopted pid, the URL Prefect uses,
# whether Prefect's client reached the server in a flow (and recorded the run there),
# whether it imported Prefect's server module, and whether the early process still runs.
ADOPT = """
import os, sys
from flows.lifetime import launch_temporary_server, start_temporary_server
early = launch_temporary_server()
print("prefect imported before:", "prefect" in sys.modules)
print("early:", None if early is None else early.process.pid)
print("early port:", None if early is None else early.port)
pid = start_temporary_server()
print("adopted:", pid)
if early is not None:
    print("early alive:", early.process.poll() is None)
if pid is not None:
    import threading

    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    print("api url:", PREFECT_API_URL.value())
    print("env api url:", os.environ.get("PREFECT_API_URL"))
    seen = []  # a thread without settings of its own (Prefect's log and event workers)
    t = threading.Thread(target=lambda: seen.append(PREFECT_API_URL.value()))
    t.start()
    t.join()
    print("thread api url:", seen[0])

    @flow(name="probe")
    def probe():
        return 41 + 1

    print("flow:", probe())
    with get_client(sync_client=True) as client:
        print("client url:", client.api_url)
        print("recorded:", [r.state_type.value for r in client.read_flow_runs()])
    print("server module imported:", "prefect.server.api.server" in sys.modules)
"""


def _run(script: str, env: dict[str, str]) -> dict[str, str]:
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dict(line.split(": ", 1) for line in proc.stdout.splitlines() if ": " in line)


def _env(tmp_path: Path) -> dict[str, str]:
    env = os.environ | {
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "CRITICAL",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("PREFECT_API_URL", None)
    (tmp_path / "prefect").mkdir()
    return env


def test_the_early_server_is_the_one_the_flow_uses(tmp_path):
    out = _run(ADOPT, _env(tmp_path))
    assert out["prefect imported before"] == "False"  # launched without importing Prefect
    early = int(out["early"])
    assert int(out["adopted"]) == early and out["early alive"] == "True"
    # Prefect uses it by its URL, as it would a lasting server: in its settings, in every
    # thread, and in the environment of the processes the run starts (Dask workers)
    url = f"http://127.0.0.1:{out['early port']}/api"
    assert out["api url"] == out["env api url"] == out["thread api url"] == url
    assert out["flow"] == "42"
    # the flow ran on the early server (its run recorded there, completed), and Prefect's
    # client started no server of its own: its server module was never imported
    assert out["client url"].rstrip("/") == url
    assert out["recorded"] == "['COMPLETED']"
    assert out["server module imported"] == "False"


def test_a_lasting_server_in_the_profile_stops_the_early_one(tmp_path):
    """PREFECT_API_URL set in Prefect's profile (not in the environment): the early server
    was launched, then stopped unused, and no temporary server is started."""
    env = _env(tmp_path)
    (tmp_path / "prefect" / "profiles.toml").write_text(
        'active = "lasting"\n\n[profiles.lasting]\nPREFECT_API_URL = "http://127.0.0.1:9/api"\n',
        encoding="utf-8",
    )
    out = _run(ADOPT, env)
    assert out["early"] != "None"
    assert out["adopted"] == "None" and out["early alive"] == "False"


def test_no_early_server_with_prefect_api_url_in_the_environment(tmp_path):
    env = _env(tmp_path) | {"PREFECT_API_URL": "http://127.0.0.1:9/api"}
    out = _run(ADOPT, env)
    assert out["early"] == "None" and out["adopted"] == "None"


PROBE = """
import atexit, sys
heavy = ("prefect", "weasyprint", "sqlalchemy", "alembic", "dask", "jinja2")
atexit.register(lambda: print("imported:", sorted(m for m in heavy if m in sys.modules), file=sys.stderr))
sys.argv = ["kaohe", *sys.argv[1:]]
from flows.cli import main
main()
"""


def test_kaohe_score_imports_no_server_renderer_or_database(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "score", "examples/jiande-2018", "--period", "2018Q2"],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("unit,group,points")
    assert "imported: []" in proc.stderr


def test_a_completed_run_ends_at_once_with_everything_recorded(tmp_path):
    """`kaohe run` ends without tearing down its interpreter once its version is written
    (flows.lifetime.end_without_teardown), but only after what must outlive it: its exit
    status and output, Prefect's record of the flow and of its tasks (sent before the server stops),
    the temporary server stopped, the statement workers (20 units: a pool) gone."""
    import sqlite3
    import time

    from test_faults_io import small_workspace

    ws = small_workspace(tmp_path / "ws", units=20)
    env = _env(tmp_path)
    run = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", str(ws), "--period", "2018Q2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: set[int] = set()  # every process the run started
    while run.poll() is None:
        try:
            kids = Path(f"/proc/{run.pid}/task/{run.pid}/children").read_text().split()
        except OSError:
            kids = []
        seen.update(int(k) for k in kids)
        time.sleep(0.05)
    out, err = run.communicate(timeout=240)
    assert run.returncode == 0, err[-3000:]
    assert out.strip() == str(ws / "out" / "2018Q2" / "v1" / "bulletin.pdf")
    assert "已生成 v1" in err and (ws / "out" / "2018Q2" / "v1" / "bulletin.pdf").is_file()
    # the temporary server's own messages (a traceback when stopped mid-request) are kept
    # in Prefect's home, out of the office's terminal
    assert (tmp_path / "prefect" / "kaohe-temporary-server.log").is_file()
    assert "Traceback" not in err and "| ERROR" not in err

    def alive(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        return state != "Z"

    # the server was stopped before the run ended; the workers had ended (the watchdog
    # and the resource tracker see the run's end themselves, at once)
    deadline = time.monotonic() + 60  # polls: only a loaded machine waits long
    while any(alive(p) for p in seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in seen if alive(p)]
    db = sqlite3.connect(tmp_path / "prefect" / "prefect.db")
    try:
        flows = db.execute("SELECT state_type FROM flow_run").fetchall()
        tasks = db.execute("SELECT name, state_type FROM task_run").fetchall()
    finally:
        db.close()
    assert flows == [("COMPLETED",)]
    assert sorted(name.rsplit("-", 1)[0] for name, _ in tasks) == [
        "match-and-group",
        "render",
        "score",
    ]
    assert {state for _, state in tasks} == {"COMPLETED"}


LOAD = """
import os, subprocess, sys
spawned = []
real = subprocess.Popen.__init__
def spy(self, args, *a, **k):
    spawned.append(os.path.basename(args[0]))
    real(self, args, *a, **k)
subprocess.Popen.__init__ = spy
if sys.argv[1] == "kaohe":
    from flows.libload import import_weasyprint
    import_weasyprint()
else:
    import weasyprint
import ctypes.util
from weasyprint.text import ffi
maps = open(f"/proc/{os.getpid()}/maps").read().splitlines()
libs = sorted({l.split()[-1] for l in maps if "/lib" in l and ".so" in l})
print("libs:", libs)
print("optional:", ffi.harfbuzz_subset is not None, ffi.harfbuzz_vector is not None)
print("spawned:", sorted(spawned))
print("find_library restored:", ctypes.util.find_library.__module__ == "ctypes.util")
"""


def test_statement_workers_load_weasyprint_without_a_compiler_and_the_same_libraries(tmp_path):
    """flows.libload.import_weasyprint (each statement worker) loads the same shared
    libraries as WeasyPrint's own import, listing glibc's cache once instead of running
    ldconfig, gcc and ld for every library name WeasyPrint tries."""
    env = _env(tmp_path)
    theirs = _run(LOAD.replace("sys.argv[1]", "'weasyprint'"), env)
    ours = _run(LOAD.replace("sys.argv[1]", "'kaohe'"), env)
    assert ours["libs"] == theirs["libs"] and "libpango-1.0.so" in ours["libs"]
    assert ours["optional"] == theirs["optional"]
    assert ours["spawned"] == "['ldconfig']"  # one listing of glibc's cache
    # WeasyPrint's own: one search (ldconfig, and gcc and ld where installed) per name
    assert theirs["spawned"].count("'ldconfig'") > 10
    assert ours["find_library restored"] == "True"
