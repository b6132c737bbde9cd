"""A whole quarterly run at province scale (`make bench-province`, issue 16; minutes).

1. `kaohe synth` writes the 5,000-unit workspace (scheme jiande-2018, seed 1, 2018) —
   the timing baseline of docs/benchmarks.md;
2. `kaohe run --period 2018Q2` (default runner, temporary Prefect server): wall seconds,
   CPU seconds and peak memory of the whole process tree (`scripts/measure_tree.py`:
   the RSS of the run and all its workers summed, sampled every 0.2 s);
3. a one-row correction (the first adoption row of the quarter deleted) and the run
   again with the same `--date`: what the new version costs on disk beside the first
   (statements unchanged are hard links to the first version's) and how many statements
   changed (manifest.json `statements_changed`);
4. the ratio of `kaohe score --period 2018` (the year) to the time polars takes just to
   read the same input files.

A benchmark, never a test. Usage:
`.venv/bin/python scripts/bench_province.py [--units 5000] [--keep DIR]`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from measure_tree import measure  # noqa: E402

KAOHE = str(ROOT / ".venv" / "bin" / "kaohe")


def disk_bytes(*folders: Path) -> int:
    """Bytes of the files under `folders`, each file (inode) counted once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for folder in folders:
        for dirpath, _, names in os.walk(folder):
            for name in names:
                st = os.lstat(os.path.join(dirpath, name))
                if (st.st_dev, st.st_ino) not in seen:
                    seen.add((st.st_dev, st.st_ino))
                    total += st.st_blocks * 512
    return total


def polars_read_seconds(ws: Path) -> float:
    """Seconds polars takes to read every CSV input of the workspace (all as text)."""
    import polars as pl

    t = time.perf_counter()
    for p in sorted(ws.rglob("*.csv")):
        if "out" not in p.relative_to(ws).parts:
            pl.read_csv(p, infer_schema=False)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=5000)
    ap.add_argument("--keep", type=Path, help="write the workspace here and keep it")
    args = ap.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="kaohe-province-"))
    ws = base / f"jiande-2018-{args.units}"
    env = dict(os.environ)
    env.setdefault("PREFECT_HOME", str(base / "prefect"))
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "600")
    try:
        shutil.rmtree(ws, ignore_errors=True)
        subprocess.run(
            [KAOHE, "synth", str(ws), "--scheme", "jiande-2018", "--units", str(args.units)]
            + ["--year", "2018", "--seed", "1"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        run = [KAOHE, "run", str(ws), "--period", "2018Q2", "--date", "2018-07-10"]
        first = measure(run, env)
        print("first run:", json.dumps(first), flush=True)
        q2 = ws / "adoptions" / "2018q2.csv"
        lines = q2.read_text("utf-8").splitlines(keepends=True)
        q2.write_text(lines[0] + "".join(lines[2:]), "utf-8")  # one row less
        second = measure(run, env)
        print("after a one-row correction:", json.dumps(second), flush=True)
        period = ws / "out" / "2018Q2"
        v1, v2 = period / "v1", period / "v2"
        manifest = json.loads((v2 / "manifest.json").read_text("utf-8"))
        alone, both = disk_bytes(v1), disk_bytes(v1, v2)
        print(
            f"disk: v1 {alone / 1e6:.1f} MB; v2 beside v1 {(both - alone) / 1e6:.1f} MB "
            f"(v2 read whole {disk_bytes(v2) / 1e6:.1f} MB); statements changed "
            f"{manifest['statements_changed']} of {len(manifest['statements'])}",
            flush=True,
        )
        t = time.perf_counter()
        subprocess.run(
            [KAOHE, "score", str(ws), "--period", "2018"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        score_s = time.perf_counter() - t
        read_s = polars_read_seconds(ws)
        print(
            f"kaohe score of the year {score_s:.1f} s; polars reads the inputs in "
            f"{read_s:.2f} s; ratio {score_s / read_s:.0f}×"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
