"""Output versions (输出版本): `out/<period>/v<N>/`, written whole or not at all.

A version is built in a hidden temporary folder beside its final place and renamed into
place only when everything in it is written, so a failed run leaves nothing behind and an
earlier version is never touched.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from transforms.errors import InputError

KAOHE_VERSION = "0.1.0"


def versions(period_dir: Path) -> list[int]:
    if not period_dir.is_dir():
        return []
    return sorted(int(m[1]) for p in period_dir.iterdir() if (m := re.fullmatch(r"v(\d+)", p.name)))


def latest_version_dir(period_dir: Path) -> Path | None:
    vs = versions(period_dir)
    return period_dir / f"v{vs[-1]}" if vs else None


def inputs_hash(hashes: dict[str, str], scheme_id: str, period: str) -> str:
    """One hash over every input file, the scheme, the period and kaohe's version."""
    h = hashlib.sha256()
    h.update(f"{KAOHE_VERSION}\n{scheme_id}\n{period}\n".encode())
    for path in sorted(hashes):
        h.update(f"{path}\t{hashes[path]}\n".encode())
    return h.hexdigest()


_STAGING = re.compile(r"\.staging-(\d+)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale_staging(out_dir: Path) -> list[Path]:
    """Remove the staging folders (`out/<period>/.staging-<pid>`) of runs that are gone
    (killed, the machine stopped): their pid is no running process. Called under the
    workspace lock, so no live run of this workspace is writing one. The removed folders."""
    removed = []
    for staged in out_dir.glob("*/.staging-*") if out_dir.is_dir() else ():
        m = _STAGING.fullmatch(staged.name)
        if m and int(m[1]) != os.getpid() and not _alive(int(m[1])):
            shutil.rmtree(staged, ignore_errors=True)
            removed.append(staged)
    return removed


@contextmanager
def staging(period_dir: Path) -> Iterator[Path]:
    """A temporary folder for the next version; removed on any failure. Staging folders
    left by killed runs (of any period) are removed first."""
    period_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(period_dir.parent)
    tmp = period_dir / f".staging-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def publish(tmp: Path, period_dir: Path) -> Path:
    """Move a finished staging folder to the next free `v<N>` and return it."""
    vs = versions(period_dir)
    final = period_dir / f"v{(vs[-1] if vs else 0) + 1}"
    os.rename(tmp, final)
    return final


@contextmanager
def workspace_lock(root: Path) -> Iterator[None]:
    """One run per workspace at a time; a second one is told so and stops."""
    lock_path = root / ".kaohe.lock"
    with open(lock_path, "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise InputError(
                f"工作区 {root} 正在被另一个 kaohe 进程使用，请等它结束后再运行"
            ) from err
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def diff_scores(before: pl.DataFrame | None, after: pl.DataFrame) -> list[dict]:
    """Units whose points or rank changed between two versions."""
    if before is None or before.is_empty():
        return []
    joined = after.select("unit", "points", "rank").join(
        before.select("unit", pl.col("points").alias("before"), pl.col("rank").alias("rank_b")),
        on="unit",
        how="full",
        coalesce=True,
    )
    changed = joined.filter(
        (pl.col("points").fill_null(-1e18) != pl.col("before").fill_null(-1e18))
        | (pl.col("rank").fill_null(-1) != pl.col("rank_b").fill_null(-1))
    )
    return [
        {
            "unit": r["unit"],
            "before": r["before"],
            "after": r["points"],
            "rank_before": r["rank_b"],
            "rank_after": r["rank"],
        }
        for r in changed.sort("unit").iter_rows(named=True)
    ]


_LEDGER_KEY = ["unit", "rule_id", "ref", "points"]


def diff_ledgers(before: pl.DataFrame | None, after: pl.DataFrame) -> dict:
    """Ledger rows added and removed (by unit, rule, record and points)."""
    if before is None:
        return {"added": [], "removed": []}
    shown = _LEDGER_KEY + ["clause", "title", "note"]
    a = after.select(shown)
    b = before.select(shown)
    added = a.join(b.select(_LEDGER_KEY), on=_LEDGER_KEY, how="anti", nulls_equal=True)
    removed = b.join(a.select(_LEDGER_KEY), on=_LEDGER_KEY, how="anti", nulls_equal=True)
    return {"added": added.to_dicts(), "removed": removed.to_dicts()}


def diff_inputs(before: dict[str, str] | None, after: dict[str, str]) -> dict:
    """Input files added, removed and changed (by their sha256), with both hashes."""
    before = before or {}
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(p for p in after if p in before and after[p] != before[p])
    return {
        "added": added,
        "removed": removed,
        "changed": changed,
        "hashes": {
            p: {"before": before.get(p), "after": after.get(p)}
            for p in sorted(added + removed + changed)
        },
    }


def write_manifest(path: Path, manifest: dict) -> None:
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n")


def read_manifest(version_dir: Path | None) -> dict | None:
    if version_dir is None or not (version_dir / "manifest.json").is_file():
        return None
    return json.loads((version_dir / "manifest.json").read_text(encoding="utf-8"))


def describe_changes(changes: dict) -> str:
    """One Chinese line summing up what a rerun changed against the previous version."""
    inputs = changes.get("inputs") or {}
    ledger = changes.get("ledger") or {}
    files = "，".join(
        f"{word} {len(inputs.get(key) or [])} 个"
        for key, word in (("added", "新增"), ("changed", "修改"), ("removed", "删除"))
        if inputs.get(key)
    )
    decisions = sum(len(v) for v in (changes.get("decisions") or {}).values())
    rows = sum(len(v) for v in (changes.get("rows") or {}).values())
    units = changes.get("units") or []
    points = sum(1 for u in units if u.get("before") != u.get("after"))
    return (
        f"与 v{changes.get('previous')} 相比：数据文件{files or '无变化'}"
        + (f"，核实答复变动 {decisions} 项" if decisions else "")
        + (f"，本期录用行变动 {rows} 行" if rows else "")
        + f"；得分变化的单位 {points} 个、仅排名变化的 {len(units) - points} 个；"
        f"计分明细新增 {len(ledger.get('added') or [])} 条、撤销 {len(ledger.get('removed') or [])} 条"
    )
