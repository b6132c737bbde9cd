"""Golden scoring outputs: every ScoreResult field of every period, written as files.

Used to prove that an engine change keeps every score, ledger row, commission, quota,
notice and note the same (byte for byte), on the four example workspaces and on synthetic
workspaces of every scheme (with and without mail logs, with commission statuses left to
the mail logs).

    python scripts/golden.py workspaces DIR     # generate the synthetic workspaces once
    python scripts/golden.py save WSDIR OUT     # score every workspace under WSDIR → OUT
    python scripts/golden.py check WSDIR OUT    # score again and compare with OUT

Each workspace is scored for each month, quarter and the whole year of its data.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

YEARS = {"jiande-2018": 2018, "xiaoshan-2018": 2018, "yinchuan-2018": 2018, "qingshan-2020": 2020}
FIELDS = ("ledger", "scores", "commissions", "quarters", "quotas", "notices")


def _periods(year: int):
    from transforms.periods import Period

    out = [Period.parse(f"{year}-{m:02d}") for m in range(1, 13)]
    out += [Period.parse(f"{year}Q{q}") for q in range(1, 5)]
    return out + [Period.parse(str(year))]


def workspaces(target: Path) -> None:
    """The four examples plus synthetic workspaces of every scheme and their variants."""
    from flows.synth import SynthSpec, write_workspace

    target.mkdir(parents=True, exist_ok=True)
    for ex in sorted((ROOT / "examples").iterdir()):
        if (ex / "kaohe.toml").exists():
            dest = target / f"example-{ex.name}"
            if not dest.exists():
                shutil.copytree(ex, dest, ignore=shutil.ignore_patterns("out", "kaohe.db*"))
    for scheme_id, year in YEARS.items():
        for seed in (1, 7):
            base = target / f"synth-{scheme_id}-s{seed}"
            if not base.exists():
                write_workspace(base, SynthSpec(scheme_id, 150, year, seed))
            nologs = target / f"synth-{scheme_id}-s{seed}-nologs"
            if not nologs.exists():
                shutil.copytree(base, nologs)
                for f in (nologs / "submissions").iterdir():
                    f.unlink()
            nostatus = target / f"synth-{scheme_id}-s{seed}-nostatus"
            if not nostatus.exists():
                shutil.copytree(base, nostatus)
                for f in (nostatus / "events").glob("*.csv"):
                    df = pl.read_csv(f, infer_schema=False)
                    col = "status" if "status" in df.columns else "状态"
                    if col in df.columns:
                        df.with_columns(pl.lit(None, pl.String).alias(col)).write_csv(f)


def save(wsdir: Path, out: Path) -> None:
    from flows import steps
    from flows.workspace import Workspace

    out.mkdir(parents=True, exist_ok=True)
    for ws_path in sorted(p for p in wsdir.iterdir() if (p / "kaohe.toml").exists()):
        ws = Workspace.load(ws_path)
        matched = steps.match_and_group(steps.check(ws), ws.scheme)
        year = YEARS[ws.scheme.id]
        for period in _periods(year):
            result = steps.score(matched, ws.scheme, period)
            d = out / ws_path.name / period.label
            d.mkdir(parents=True, exist_ok=True)
            for name in FIELDS:
                frame = getattr(result, name)
                if frame is None:
                    (d / f"{name}.none").write_text("")
                else:
                    frame.write_csv(d / f"{name}.csv")
            (d / "notes.txt").write_text("\n".join(result.notes) + "\n", encoding="utf-8")
        print(ws_path.name, flush=True)


def _diff(a: Path, b: Path) -> list[str]:
    out = []
    cmp = filecmp.dircmp(a, b)
    for name in cmp.left_only + cmp.right_only:
        out.append(f"only in one: {a / name} | {b / name}")
    for name in cmp.diff_files:
        out.append(f"differs: {b / name}")
    for name in cmp.common_dirs:
        out += _diff(a / name, b / name)
    return out


def check(wsdir: Path, golden: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        save(wsdir, Path(tmp))
        diffs = _diff(golden, Path(tmp))
        for line in diffs[:60]:
            print(line)
        if len(diffs) > 60:
            print(f"... {len(diffs) - 60} more")
        print("IDENTICAL" if not diffs else f"{len(diffs)} DIFFERENCES")
        if diffs and os.environ.get("GOLDEN_KEEP"):
            shutil.copytree(tmp, os.environ["GOLDEN_KEEP"], dirs_exist_ok=True)
        return 1 if diffs else 0


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    if cmd == "workspaces":
        workspaces(Path(args[0]))
    elif cmd == "save":
        save(Path(args[0]), Path(args[1]))
    elif cmd == "check":
        sys.exit(check(Path(args[0]), Path(args[1])))
    else:
        sys.exit(__doc__)
