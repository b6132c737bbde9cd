"""Seconds at county scale (`make bench`, issue 16): the bundled 建德 example.

Each measure in a fresh process as a user runs it, several times:

- `kaohe run` of examples/jiande-2018 for 2018Q2 (a fresh copy each time, no earlier
  version), from start to the bulletin written: imports, the check, the temporary Prefect
  server, matching, scoring, the bulletin and 56 statements;
- the same run against a lasting Prefect server (`prefect server start`, started once
  before the runs, named by PREFECT_API_URL, as an office that schedules its runs has):
  no server boots during the run; the CPU the server spends on the run's requests is
  counted with the run's;
- a run stopped by bad input: the same example with five typos in four files (those of
  tests/test_bad_input.py), which must fail with exit status 2 before Prefect starts;
- `kaohe score` of a fresh copy of the example for 2018Q2 (its issue documents read), then
  again on that copy (their lines taken from the workspace's cache, .kaohe-cache/).

Wall time, CPU time (user + system of the process and of every child it waited for: the
Prefect server, the statement workers) and the 1-minute load average before each run are
reported: this 2-core machine is often shared, and the wall time means little without the
load beside it. Results go to docs/benchmarks.md, section "County scale (issue 16)".

A benchmark, never a test. Usage:
    .venv/bin/python scripts/bench_run.py [--runs 3] [--kaohe [LABEL=]PATH ...] [--no-write]
`--kaohe`, given several times, times several installations taking turns (e.g.
`--kaohe before=../main/.venv/bin/kaohe --kaohe after=.venv/bin/kaohe`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "jiande-2018"
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## County scale (issue 16)"

#: measure → (issue 16's "now", target), seconds of wall time
TARGETS = {
    "run": (26.0, 8.0),
    "run, lasting server": (26.0, 8.0),
    "bad input": (15.0, 3.0),
    "score, first": (1.3, 1.0),
    "score": (1.3, 1.0),
}

# Five typos in four files (tests/test_bad_input.py TYPOS): file, line, old, new.
TYPOS = (
    ("adoptions/2018q2.csv", 3, "2018-04-02", "2018-02-30"),
    ("adoptions/2018q2.csv", 5, "建德政务", "建德政务周刊"),
    ("adoptions/2018q1.csv", 3, "大同镇召开“无违建”创建推进会", ""),
    ("events/events.csv", 3, "领导批示", "领导表扬"),
    ("events/events.csv", 4, "市司法局", "市司法厅"),
)


def copy_example(directory: Path) -> Path:
    ws = directory / "jiande-2018"
    ignore = shutil.ignore_patterns("out", "kaohe.db", ".kaohe.lock", ".kaohe-id", ".kaohe-cache")
    shutil.copytree(EXAMPLE, ws, ignore=ignore)
    return ws


def add_typos(ws: Path) -> None:
    for rel, row, old, new in TYPOS:
        path = ws / rel
        lines = path.read_text(encoding="utf-8").split("\n")
        if old not in lines[row - 1]:
            raise SystemExit(f"{rel} line {row} no longer holds {old!r}: update TYPOS")
        lines[row - 1] = lines[row - 1].replace(old, new, 1)
        path.write_text("\n".join(lines), encoding="utf-8")


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process `pid` and its live descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return total


def timed(
    cmd: list[str], env: dict[str, str], expect: int, server: int | None = None
) -> dict[str, float]:
    """Wall and CPU seconds of `cmd` (and the children it waited for; with `server`, the
    CPU that process tree spent meanwhile too), load before it."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    served = tree_cpu(server) if server else 0.0
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != expect:
        raise SystemExit(
            f"{' '.join(cmd)} exited {proc.returncode}, not {expect}:\n{proc.stderr[-2000:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if server:
        cpu += tree_cpu(server) - served
    return {"wall": wall, "cpu": cpu, "load": load}


@contextlib.contextmanager
def lasting_server(kaohe: str, home: Path, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """`prefect server start` of `kaohe`'s installation in its own Prefect home, on a free
    port, until the block ends: its API URL and pid."""
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    home.mkdir(parents=True, exist_ok=True)
    prefect = Path(kaohe).parent / "prefect"
    server = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env | {"PREFECT_HOME": str(home), "PREFECT_UI_ENABLED": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        end = time.monotonic() + 300
        while True:
            if server.poll() is not None:
                raise SystemExit(f"prefect server start exited {server.returncode}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/health", timeout=5) as answer:
                    if answer.status == 200:
                        break
            if time.monotonic() > end:
                raise SystemExit("prefect server start did not answer in 300 s")
            time.sleep(0.5)
        yield url, server.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, 15)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()


def measure(kaohes: list[str], runs: int, work: Path) -> dict[str, dict[str, list[dict]]]:
    """kaohe → measure → samples; the installations take turns, so that they share the
    machine's load alike."""
    # One Prefect home per installation for all its runs, as a user has (~/.kaohe/prefect):
    # its database is created by a warm-up run, not timed.
    envs = {}
    for n, kaohe in enumerate(kaohes):
        envs[kaohe] = os.environ | {
            "PREFECT_HOME": str(work / f"prefect{n}"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            # a loaded machine boots the server slowly: time it, do not fail (default 20 s)
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        }
        envs[kaohe].pop("PREFECT_API_URL", None)
    run_args = ["--period", "2018Q2", "--date", "2018-07-05"]
    out: dict[str, dict[str, list[dict]]] = {k: {m: [] for m in TARGETS} for k in kaohes}
    with contextlib.ExitStack() as stack:
        lasting = {}
        for n, kaohe in enumerate(kaohes):
            url, pid = stack.enter_context(lasting_server(kaohe, work / f"lasting{n}", envs[kaohe]))
            lasting[kaohe] = (envs[kaohe] | {"PREFECT_API_URL": url}, pid)
            warm = copy_example(work / f"warm{n}")
            timed([kaohe, "run", str(warm), *run_args], envs[kaohe], 0)
            warm = copy_example(work / f"warm-lasting{n}")
            timed([kaohe, "run", str(warm), *run_args], lasting[kaohe][0], 0)
        for i in range(runs):
            for n, kaohe in enumerate(kaohes):
                env, res = envs[kaohe], out[kaohe]
                ws = copy_example(work / f"run{n}-{i}")
                res["run"].append(timed([kaohe, "run", str(ws), *run_args], env, 0))
                ws = copy_example(work / f"lasting{n}-{i}")
                served, server = lasting[kaohe]
                res["run, lasting server"].append(
                    timed([kaohe, "run", str(ws), *run_args], served, 0, server)
                )
                bad = copy_example(work / f"bad{n}-{i}")
                add_typos(bad)
                res["bad input"].append(timed([kaohe, "run", str(bad), *run_args], env, 2))
                fresh = copy_example(work / f"score{n}-{i}")
                score = [kaohe, "score", str(fresh), "--period", "2018Q2"]
                res["score, first"].append(timed(score, env, 0))
                res["score"].append(timed(score, env, 0))
                print(
                    f"  run {i + 1}/{runs} {kaohe}: "
                    + ", ".join(
                        f"{k} {v[-1]['wall']:.1f} s (CPU {v[-1]['cpu']:.1f})"
                        for k, v in res.items()
                    )
                )
    return out


def table(results: dict[str, dict[str, list[dict]]], labels: dict[str, str]) -> list[str]:
    rows = [
        "| measure | kaohe | issue 16: now → target (wall) | wall, median (min–max) "
        "| CPU, median | load avg (1 min) before |",
        "|---|---|---|---|---|---|",
    ]
    names = {
        "run": "`kaohe run`, 建德 example, 2018Q2",
        "run, lasting server": "`kaohe run`, the same, a lasting Prefect server (PREFECT_API_URL)",
        "bad input": "a run stopped by bad input (five typos)",
        "score, first": "`kaohe score`, 建德 example, first (issue documents read)",
        "score": "`kaohe score`, 建德 example, again (issue documents cached)",
    }
    for key in TARGETS:
        for kaohe, by_measure in results.items():
            samples = by_measure[key]
            walls = [s["wall"] for s in samples]
            cpus = [s["cpu"] for s in samples]
            loads = [s["load"] for s in samples]
            now, target = TARGETS[key]
            rows.append(
                f"| {names[key]} | {labels[kaohe]} | {now:g} s → ≤ {target:g} s | "
                f"{statistics.median(walls):.1f} s ({min(walls):.1f}–{max(walls):.1f}) | "
                f"{statistics.median(cpus):.1f} s | {min(loads):.1f}–{max(loads):.1f} |"
            )
    return rows


def write_section(lines: list[str]) -> None:
    """Replace the results table of SECTION in docs/benchmarks.md (the text around it,
    written by hand, is kept); create the section when it is missing."""
    text = DOC.read_text(encoding="utf-8")
    start_mark, end_mark = "<!-- bench_run.py: begin -->", "<!-- bench_run.py: end -->"
    block = "\n".join([start_mark, *lines, end_mark])
    if start_mark in text and end_mark in text:
        head, rest = text.split(start_mark, 1)
        text = head + block + rest.split(end_mark, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{block}\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--kaohe",
        action="append",
        metavar="[LABEL=]PATH",
        help="the kaohe to time (again for several, e.g. before=/path/to/main/.venv/bin/kaohe); "
        "default this checkout's",
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    labels: dict[str, str] = {}
    for item in args.kaohe or [f"this checkout={ROOT / '.venv' / 'bin' / 'kaohe'}"]:
        label, _, path = item.rpartition("=")
        labels[path] = label or path
    print(f"County scale (issue 16): {', '.join(labels)}, {args.runs} runs")
    with tempfile.TemporaryDirectory(prefix="kaohe-bench-run-") as tmp:
        results = measure(list(labels), args.runs, Path(tmp))
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        f"Measured {when} by `scripts/bench_run.py` ({args.runs} runs, {os.cpu_count()} cores):",
        "",
        *table(results, labels),
    ]
    print("\n".join(lines))
    if not args.no_write:
        write_section(lines)
        print(f"written to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
