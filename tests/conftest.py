"""Shared fixtures. Prefect runs against one temporary server for the whole session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from smtp_server import Recorder, free_port

# Prefect's state never goes into the repo or the user's home during tests; each xdist
# worker has its own (two temporary servers must not share one SQLite database).
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="kaohe-prefect-")
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="kaohe-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
# A `kaohe run` subprocess waits this long for its temporary server (Prefect's default, 20 s,
# ran out on a loaded machine: the test then failed, not the code it tests).
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
# Likewise an SMTP server (aiosmtpd's Controller) for its thread to answer: 5 s by default.
os.environ.setdefault("AIOSMTPD_CONTROLLER_TIMEOUT", "60")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """`make test` runs --dist loadgroup so that the tests marked xdist_group share one
    worker and its expensive fixtures; a pytest that xdist cannot group with (9.2, see
    pyproject.toml) would silently spread them and make each worker build them."""
    if getattr(config.option, "loadgroup", False):
        lost = [
            i.nodeid for i in items if i.get_closest_marker("xdist_group") and "@" not in i.nodeid
        ]
        if lost:
            raise pytest.UsageError(
                f"--dist loadgroup ignored the xdist_group of {lost[0]} (and {len(lost) - 1} "
                "more): this pytest-xdist cannot group on this pytest; see pyproject.toml"
            )


# ------------------------------------------------------------------ the suite's CPU (issue 16)

#: KAOHE_TEST_CPU=/tmp/cpu: each pytest process (each xdist worker) appends one JSON line
#: per test to /tmp/cpu.<pid>: [node id, CPU s of this process, CPU s of its children, wall
#: s], set-up and teardown included. A child's CPU counts when it is reaped: a session's
#: server (Prefect, PostgreSQL) counts for the test after which it stops.
_CPU_LOG = os.environ.get("KAOHE_TEST_CPU")


if _CPU_LOG:
    import json
    import resource
    import time

    def _cpu() -> tuple[float, float, float]:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime, time.monotonic()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(item, nextitem):
        before = _cpu()
        yield
        after = _cpu()
        line = [item.nodeid, *(round(b - a, 2) for a, b in zip(before, after, strict=True))]
        with open(f"{_CPU_LOG}.{os.getpid()}", "a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect server per test session (starting one takes ~5 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def rendered_example(tmp_path_factory, prefect_server):
    """`kaohe run` of a bundled example with the default runner, done once per session:
    `rendered_example(name, period, issued)` is the workspace it wrote (out/ and kaohe.db
    included). Read it, or copy it before changing it. `every` > 1: the example with every
    n-th unit of its roster only (`examples_e2e.copy_example`)."""
    from examples_e2e import copy_example, run

    done: dict[tuple[str, str, str, int], Path] = {}

    def get(name: str, period: str, issued: str, every: int = 1) -> Path:
        if (name, period, issued, every) not in done:
            ws = copy_example(tmp_path_factory.mktemp("rendered"), name, every)
            result = run(ws, period, "--date", issued)
            assert result.exit_code == 0, result.output
            done[name, period, issued, every] = ws
        return done[name, period, issued, every]

    return get


# ------------------------------------------------------------------ databases (issue 6)


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster (Debian's `postgresql`) on a free loopback port, owned
    by the `postgres` user, in a temporary folder removed afterwards. Yields a URL without
    the database name."""
    import glob
    import shutil
    import subprocess
    import time

    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        pytest.fail("PostgreSQL 未安装：请运行 bash scripts/setup.sh")
    bindir = Path(bins[-1]).parent
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    tmp = Path(tempfile.mkdtemp(prefix="kaohe-pg-"))
    data = tmp / "data"
    if as_pg:
        shutil.chown(tmp, "postgres", "postgres")
    subprocess.run(
        as_pg + [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={tmp} -F"
    log = tmp / "server.log"
    subprocess.run(
        as_pg
        + [str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(log), "-w", "-t", "180"]
        + ["start"],
        check=True,
        capture_output=True,
    )
    # If pytest is killed (kill -9, a CI timeout), no finalizer runs: a watchdog outside
    # the session stops the cluster and removes its folder once this process is gone.
    stop = as_pg + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
    watchdog = subprocess.Popen(
        [
            "sh",
            "-c",
            'while kill -0 "$1" 2>/dev/null; do sleep 2; done; shift; "$@"; rm -rf "$TMPDIR_PG"',
            "watchdog",
            str(os.getpid()),
            *stop,
        ],
        env={**os.environ, "TMPDIR_PG": str(tmp)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while subprocess.run(
            [str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True
        ).returncode:
            if time.monotonic() > deadline:
                pytest.fail(f"PostgreSQL 未能启动：{log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        watchdog.kill()
        watchdog.wait()
        subprocess.run(stop, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh empty database: a SQLite file, or a new database on the session's cluster."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kaohe.db'}"
        return
    from sqlalchemy import create_engine, text

    base = request.getfixturevalue("postgres_server")
    name = f"t{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**8}"
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ------------------------------------------------------------------ an SMTP server (issue 6)


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives; its port is
    `smtp.port`."""
    from aiosmtpd.controller import Controller

    handler = Recorder()
    ctl = Controller(handler, hostname="127.0.0.1", port=free_port())
    ctl.start()
    handler.port = ctl.port
    yield handler
    ctl.stop()
