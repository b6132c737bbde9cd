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
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from transforms.errors import InputError

if TYPE_CHECKING:
    from store.repository import Store

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


def publish(tmp: Path, period_dir: Path, version: int | None = None) -> Path:
    """Move a finished staging folder to `v<version>` (by default the next free `v<N>`)
    and return it. The rename is atomic: the folder is there whole or not at all."""
    if version is None:
        vs = versions(period_dir)
        version = (vs[-1] if vs else 0) + 1
    final = period_dir / f"v{version}"
    os.rename(tmp, final)
    return final


#: fault injection for the tests (tests/test_identity.py): a run whose environment names a
#: point of FAULT_POINTS in KAOHE_TEST_PAUSE_AT creates the file KAOHE_TEST_PAUSE_FILE when
#: it gets there and waits, so that the test can kill it there. Unset, it does nothing.
FAULT_POINTS = ("recorded", "published")


def fault_point(name: str) -> None:
    if os.environ.get("KAOHE_TEST_PAUSE_AT") != name:
        return
    flag = os.environ.get("KAOHE_TEST_PAUSE_FILE")
    if flag:
        Path(flag).write_text(str(os.getpid()))
    time.sleep(3600)


# --------------------------------------------------------------------------- identity

#: the file in the workspace that holds its id and the folder it was last used in
ID_FILE = ".kaohe-id"


@dataclass
class Identity:
    """Who a workspace is in the database: `id` ties the runs it writes to it (a shared
    `[database] url` keeps each workspace's apart); `inherits` are the ids of the
    workspaces it is a copy of whose records it carries in its own database, `note`, when
    set, says in Chinese that the workspace was found moved or copied."""

    id: str
    inherits: tuple[str, ...] = ()
    note: str | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids whose runs and deliveries are this workspace's."""
        return (self.id, *self.inherits)


def _read_id(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"]:
        return data
    return None


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def own_database(root: Path, database_url: str) -> bool:
    """True when the database is a SQLite file inside the workspace (the default
    kaohe.db): copied along with the workspace, it is the copy's own."""
    from sqlalchemy import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return False
    return Path(url.database).resolve().is_relative_to(Path(root).resolve())


def workspace_identity(root: Path, database_url: str) -> Identity:
    """The workspace's id, kept in `.kaohe-id` (hidden, so never an input) with the folder
    it was last seen in; created on the first `kaohe init`, run or send.

    - Moved (the folder it was last seen in no longer holds the same id): it keeps its id,
      so its runs and deliveries.
    - Copied (that folder still holds the same id): the copy gets a new id, and `note`
      says so. With its own database (kaohe.db inside the workspace, copied with it) the
      copy carries the original's records (`inherits`): what they say was mailed was
      mailed, and nothing is mailed again from the copy. With a database shared with the
      original (`[database] url` outside the workspace) it inherits nothing: the
      original's versions in its out/ are not sent from the copy (flows.delivery.plan)
      and its next `kaohe run` writes its own version."""
    root = Path(root).resolve()
    path = root / ID_FILE
    data = _read_id(path)
    inherits = tuple(str(i) for i in (data or {}).get("inherits") or ())
    if data is not None and str(data.get("path")) == str(root):
        return Identity(data["id"], inherits)
    note = None
    ident = data["id"] if data is not None else uuid.uuid4().hex
    if data is not None:
        old = Path(str(data.get("path") or ""))
        other = _read_id(old / ID_FILE) if old.is_absolute() else None
        if _same_folder(old, root):
            pass
        elif other is not None and other["id"] == data["id"]:
            ident = uuid.uuid4().hex
            if own_database(root, database_url):
                inherits = (data["id"], *inherits)
                note = (
                    f"本工作区是 {old} 的副本：已为它分配新的标识；它带着自己的数据库副本，"
                    f"其中的运行和发送记录照旧有效，已发送的不会重发"
                )
            else:
                inherits = ()
                note = (
                    f"本工作区是 {old} 的副本，且与原工作区共用数据库：已为它分配新的标识，"
                    f"原工作区的运行和发送记录不计入本工作区；本工作区的通报需重新运行 "
                    f"kaohe run 生成后才能发送"
                )
        else:
            note = f"工作区已从 {old} 移到 {root}，沿用原来的运行记录和发送记录"
    record = {"id": ident, "path": str(root)}
    if inherits:
        record["inherits"] = list(inherits)
    tmp = root / f"{ID_FILE}.{os.getpid()}.tmp"
    try:
        tmp.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise InputError(
            f"无法写入工作区标识文件 {path}（{err.strerror or err}）：请确认工作区可写后再运行"
        ) from err
    return Identity(ident, inherits, note)


# ------------------------------------------------------------------ runs and folders


def reconcile(store: Store, ident: Identity, period_dir: Path, period: str) -> list[str]:
    """Make the database agree with the published version folders of one period of one
    workspace, after whatever stopped an earlier run or send (kill -9, a full disk).
    Returns what was done, in Chinese lines.

    - A run recorded before runs belonged to a workspace is claimed when its folder here
      holds the same inputs, or when it was written under this workspace's out/ and its
      folder is gone (deleted after sending: its deliveries must keep counting).
    - A pending run whose folder was published (same run token in manifest.json) is
      completed; one whose folder never appeared is deleted (it has no deliveries)."""
    done: list[str] = []
    for run in store.runs(period, workspace=None):
        folder = period_dir / f"v{run.version}"
        manifest = read_manifest(folder)
        if manifest is not None:
            ours = manifest.get("inputs_hash") == run.inputs_hash
        else:
            ours = not folder.exists() and Path(run.output_dir).parent == period_dir
        if ours and store.run(period, run.version, workspace=ident.ids) is None:
            store.update_run(run.id, workspace=ident.id)
    for run in store.runs(period, workspace=ident.ids):
        if run.status != "pending":
            continue
        folder = period_dir / f"v{run.version}"
        manifest = read_manifest(folder)
        token = (run.manifest or {}).get("run")
        if manifest is not None and token and manifest.get("run") == token:
            store.update_run(run.id, status="complete", output_dir=str(folder))
            done.append(f"已补记 {period} {folder.name} 的运行记录（上次运行在记录完成前中断）")
        elif store.drop_pending(run.id):
            done.append(f"上次运行在发布 {period} v{run.version} 之前中断，已撤销其未完成的记录")
    return done


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


#: the bulletin's files of a version folder, in the order manifest.json lists them
BULLETIN_FILES = ("bulletin.html", "bulletin.pdf", "bulletin.docx", "bulletin-articles.docx")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def bulletin_files(folder: Path) -> dict[str, str]:
    """{file name: sha256} of the bulletin's files written in `folder` (manifest.json's
    `bulletin`)."""
    return {n: file_sha256(folder / n) for n in BULLETIN_FILES if (folder / n).is_file()}


def write_manifest(path: Path, manifest: dict) -> None:
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n")


def read_manifest(version_dir: Path | None) -> dict | None:
    if version_dir is None or not (version_dir / "manifest.json").is_file():
        return None
    return json.loads((version_dir / "manifest.json").read_text(encoding="utf-8"))
