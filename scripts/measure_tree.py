"""Run a command and report its wall time, the CPU seconds of its whole process tree and
the peak memory of that tree (the sum of the RSS of the command and all its descendants,
sampled every 0.2 s from /proc). Used by `scripts/bench_province.py`; Linux only.

Besides the tree's peak it says what each process held: `at_peak` (MiB of each process at
the sample where the tree peaked) and `peaks` (each process's own peak), by role — `main`
(the command), `server` (a Prefect server), `worker` (a statement worker, numbered in the
order they appeared), other descendants by their program's name. `--trace FILE` writes
every sample (seconds, role, pid, MiB) as CSV.

Usage: `python scripts/measure_tree.py [--trace FILE] -- COMMAND ...` (prints one JSON
line last).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(d.name))
    return kids


def tree_processes(pid: int) -> dict[int, int]:
    """pid → bytes resident, for `pid` and every descendant."""
    kids = _children()
    todo, out, page = [pid], {}, os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        try:
            out[p] = int(Path(f"/proc/{p}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(kids.get(p, ()))
    return out


def tree_rss(pid: int) -> int:
    """Bytes resident in `pid` and every descendant."""
    return sum(tree_processes(pid).values())


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "main"
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = b" ".join(argv).decode(errors="replace")
    if "prefect.server" in text or "uvicorn" in text:
        return "server"
    if "resource_tracker" in text:
        return "resource tracker"
    if "multiprocessing" in text or "dask" in text:
        return "worker"
    return Path(argv[0].decode(errors="replace")).name or "?"


def measure(cmd: list[str], env: dict[str, str] | None = None, trace: Path | None = None) -> dict:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    peak = 0
    at_peak: dict[str, int] = {}
    peaks: dict[str, int] = {}
    names: dict[int, str] = {}
    counts: dict[str, int] = {}
    done = threading.Event()
    out = trace.open("w", encoding="utf-8") if trace is not None else None
    if out is not None:
        out.write("seconds,role,pid,mib\n")

    def name(pid: int) -> str:
        if pid not in names:
            role = _role(pid, proc.pid)
            counts[role] = counts.get(role, 0) + 1
            names[pid] = role if role in ("main", "server") else f"{role} {counts[role]}"
        return names[pid]

    def sample() -> None:
        nonlocal peak, at_peak
        while not done.is_set():
            procs = tree_processes(proc.pid)
            rss = {name(p): b for p, b in procs.items()}
            now = time.perf_counter() - start
            for pid, b in procs.items():
                role = name(pid)
                peaks[role] = max(peaks.get(role, 0), b)
                if out is not None:
                    out.write(f"{now:.1f},{role},{pid},{b / 2**20:.0f}\n")
            if sum(rss.values()) > peak:
                peak, at_peak = sum(rss.values()), {r: b for r, b in rss.items()}
            done.wait(0.2)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    t.join()
    if out is not None:
        out.close()
    mib = {r: round(b / 2**20) for r, b in sorted(at_peak.items(), key=lambda x: -x[1])}
    return {
        "wall_s": round(time.perf_counter() - start, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_mib": round(peak / 2**20),
        "at_peak": {r: b for r, b in mib.items() if b >= 1},
        "peaks": {r: round(b / 2**20) for r, b in sorted(peaks.items()) if b >= 2**20},
        "exit": os.waitstatus_to_exitcode(status),
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    trace = None
    if args[:1] == ["--trace"]:
        trace, args = Path(args[1]), args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    print(json.dumps(measure(args, trace=trace), ensure_ascii=False))
