"""Run a command and report its wall time, the CPU seconds of its whole process tree and
the peak memory of that tree (the sum of the RSS of the command and all its descendants,
sampled every 0.2 s from /proc). Used by `scripts/bench_province.py`; Linux only.

Usage: `python scripts/measure_tree.py -- COMMAND ...` (prints one JSON line last).
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


def tree_rss(pid: int) -> int:
    """Bytes resident in `pid` and every descendant."""
    kids = _children()
    todo, total, page = [pid], 0, os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(kids.get(p, ()))
    return total


def measure(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            done.wait(0.2)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    t.join()
    return {
        "wall_s": round(time.perf_counter() - start, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_mib": round(peak / 2**20),
        "exit": os.waitstatus_to_exitcode(status),
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    print(json.dumps(measure(args)))
