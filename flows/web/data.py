"""What the web page shows of a workspace and what it writes into one: its input files
(and what each contributed), its periods and versions, scores, ledgers, review questions,
deliveries, the Prefect schedule; and uploads, which land only in an input folder."""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePath

import polars as pl

from flows import outputs
from flows.mail import MAIL_SUFFIXES
from flows.workspace import DOCUMENT_SUFFIXES, INPUT_DIRS, TABLE_SUFFIXES, Workspace, not_data
from transforms import review
from transforms.changes import describe_changes
from transforms.errors import InputError

FOLDER_LABELS = {
    "adoptions": "录用情况（刊物录用表、刊物各期文件）",
    "submissions": "报送记录（邮件、报送记录表）",
    "events": "其他事项（领导批示、约稿、扣分等）",
}
#: what each input folder takes from an upload (the suffixes its readers read)
UPLOAD_SUFFIXES: dict[str, tuple[str, ...]] = {
    "adoptions": tuple(
        s for s in (*TABLE_SUFFIXES, *DOCUMENT_SUFFIXES) if s not in (".xls", ".doc")
    ),
    "submissions": (".csv", ".xlsx", *sorted(MAIL_SUFFIXES)),
    "events": (".csv", ".xlsx"),
}
#: files a visitor may download from a version folder
DOWNLOAD_SUFFIXES = (".pdf", ".html", ".csv", ".xlsx", ".docx", ".json", ".txt", ".eml")
MAX_NAME_BYTES = 120


# --------------------------------------------------------------------------- input files


@dataclass
class InputFile:
    folder: str
    path: str  # relative to the workspace
    size: int
    modified: datetime
    rows: int | None = None  # what a check read from it


def input_files(root: Path) -> list[InputFile]:
    out = []
    for folder in INPUT_DIRS:
        d = root / folder
        if not d.is_dir():
            continue
        for p in sorted(d.rglob("*")):
            if not p.is_file() or not_data(p.relative_to(d)):
                continue
            st = p.stat()
            out.append(
                InputFile(
                    folder,
                    p.relative_to(root).as_posix(),
                    st.st_size,
                    datetime.fromtimestamp(st.st_mtime).astimezone(),
                )
            )
    return out


@dataclass
class CheckResult:
    ok: bool
    problems: list[str]
    rows: dict[str, int]  # file → rows it contributed
    totals: dict[str, int]


_check_cache: dict[tuple, CheckResult] = {}


def check_inputs(ws: Workspace) -> CheckResult:
    """`steps.check` of the workspace (as `kaohe run` does first): what each file
    contributed, or every problem of the inputs (one line each). Cached by input hashes."""
    from flows import steps

    key = (str(ws.root), tuple(sorted(ws.input_hashes().items())))
    if key in _check_cache:
        return _check_cache[key]
    try:
        inputs = steps.check(ws)
    except InputError as err:
        result = CheckResult(False, err.format().splitlines(), {}, {})
    else:
        rows: dict[str, int] = {}
        for frame in (inputs.adoptions, inputs.submissions, inputs.events):
            if frame.height and "source_file" in frame.columns:
                for file, n in frame.group_by("source_file").len().iter_rows():
                    if file:
                        rows[file] = rows.get(file, 0) + n
        totals = {
            "adoptions": inputs.adoptions.height,
            "submissions": inputs.submissions.height,
            "events": inputs.events.height,
            "units": inputs.units.height,
        }
        result = CheckResult(True, [], rows, totals)
    if len(_check_cache) > 32:
        _check_cache.clear()
    _check_cache[key] = result
    return result


def safe_name(name: str) -> str:
    """The file name of an upload as it may be written: its last component only, NFC,
    without control characters or path separators; an InputError for a name that would
    never be read (hidden, an editor's lock file) or is empty or too long."""
    name = unicodedata.normalize("NFC", name or "")
    name = PurePath(name.replace("\\", "/")).name
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C" and c not in '/\\:*?"<>|')
    name = name.strip()
    if not name or name in (".", ".."):
        raise InputError("文件名为空或无效：请给文件起一个名字后再上传")
    if not_data(name):
        raise InputError(
            f"文件名「{name}」是隐藏文件或编辑器的临时文件，kaohe 不会读取：请改名后再上传"
        )
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise InputError(f"文件名「{name}」太长（超过 {MAX_NAME_BYTES} 字节）：请改短后再上传")
    return name


def upload_target(root: Path, folder: str, filename: str) -> Path:
    """Where an upload to `folder` named `filename` goes, checked: an input folder, a
    suffix its readers read, a clean name, inside the folder."""
    if folder not in UPLOAD_SUFFIXES:
        raise InputError(f"不能上传到「{folder}」：只能上传到 {'、'.join(UPLOAD_SUFFIXES)}")
    raw = (filename or "").replace("\\", "/")
    if "/" in raw or raw.strip() in (".", ".."):
        raise InputError(f"文件名「{filename}」含有路径：请只上传文件本身")
    name = safe_name(raw)
    suffix = PurePath(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES[folder]:
        raise InputError(
            f"「{name}」的类型（{suffix or '无扩展名'}）不能放入 {folder}/：可以上传 "
            f"{' '.join(UPLOAD_SUFFIXES[folder])}"
        )
    base = (root / folder).resolve()
    target = (base / name).resolve()
    if target.parent != base:
        raise InputError(f"文件名「{filename}」无效：只能写入 {folder}/ 文件夹")
    return target


def save_upload(root: Path, folder: str, filename: str, chunks, limit: int, replace: bool) -> Path:
    """Write an upload into place (a hidden temporary file renamed, under the workspace
    lock): refused past `limit` bytes, or over an existing file unless `replace`."""
    target = upload_target(root, folder, filename)
    if target.exists() and not replace:
        raise InputError(
            f"{folder}/{target.name} 已存在：如要用新文件替换它，请勾选“替换同名文件”后重新上传"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".upload-{secrets.token_hex(6)}.tmp"
    size = 0
    try:
        with open(tmp, "wb") as f:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise InputError(
                        f"「{target.name}」超过上传上限 {limit // (1024 * 1024)} MB，未保存"
                        "（上限见 kaohe.toml [web] max_upload_mb）"
                    )
                f.write(chunk)
        if size == 0:
            raise InputError(f"「{target.name}」是空文件，未保存")
        with outputs.workspace_lock(root):
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


# --------------------------------------------------------------------------- signed bulletins

#: the download path prefix of a version's signed bulletins
SIGNED = "signed"
SIGNED_SUFFIXES = (".docx", ".pdf")


def signed_dir(v: Version) -> Path:
    """Where `kaohe send --bulletin` keeps the office's signed bulletins of a version."""
    return v.path.with_name(f"{v.path.name}.signed")


def signed_files(v: Version) -> list[str]:
    d = signed_dir(v)
    if not d.is_dir():
        return []
    return sorted(
        p.name
        for p in d.iterdir()
        if p.is_file() and p.suffix.lower() in SIGNED_SUFFIXES and not not_data(p.name)
    )


def save_signed(home: Path, filename: str, chunks, limit: int) -> Path:
    """Keep an uploaded signed bulletin in the web home until `kaohe send --bulletin`
    has copied it beside its version (a folder of its own per upload, its name kept)."""
    raw = (filename or "").replace("\\", "/")
    if "/" in raw:
        raise InputError(f"文件名「{filename}」含有路径：请只上传文件本身")
    name = safe_name(raw)
    if PurePath(name).suffix.lower() not in SIGNED_SUFFIXES:
        raise InputError(f"签发稿「{name}」应为 .docx 或 .pdf 文件")
    folder = Path(home) / "uploads" / secrets.token_hex(8)
    folder.mkdir(parents=True, mode=0o700)
    target = folder / name
    size = 0
    with open(target, "wb") as f:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                f.close()
                target.unlink()
                folder.rmdir()
                raise InputError(
                    f"签发稿「{name}」超过上传上限 {limit // (1024 * 1024)} MB，未发送"
                )
            f.write(chunk)
    if size == 0:
        target.unlink()
        folder.rmdir()
        raise InputError(f"签发稿「{name}」是空文件，未发送")
    return target


# --------------------------------------------------------------------------- outputs


def _read_csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")


@dataclass
class Version:
    number: int
    path: Path
    manifest: dict

    @property
    def name(self) -> str:
        return f"v{self.number}"

    @property
    def draft(self) -> bool:
        return bool(self.manifest.get("draft"))

    @property
    def open_questions(self) -> str:
        return review.describe_open(self.manifest.get("open_questions") or {})

    @property
    def open_count(self) -> int:
        return sum((self.manifest.get("open_questions") or {}).values())

    @property
    def changes(self) -> str | None:
        ch = self.manifest.get("changes")
        return describe_changes(ch) if ch else None

    def files(self) -> list[str]:
        out = []
        for p in sorted(self.path.rglob("*")):
            rel = p.relative_to(self.path)
            if p.is_file() and p.suffix.lower() in DOWNLOAD_SUFFIXES and not not_data(rel):
                out.append(rel.as_posix())
        return out


def periods(root: Path) -> list[str]:
    out = root / "out"
    if not out.is_dir():
        return []
    found = [p.name for p in out.iterdir() if p.is_dir() and outputs.versions(p)]
    return sorted(found, reverse=True)


def versions(root: Path, period: str) -> list[Version]:
    d = root / "out" / period
    return [
        Version(n, d / f"v{n}", outputs.read_manifest(d / f"v{n}") or {})
        for n in sorted(outputs.versions(d), reverse=True)
    ]


def version(root: Path, period: str, number: int | None = None) -> Version | None:
    vs = versions(root, period)
    if number is None:
        return vs[0] if vs else None
    return next((v for v in vs if v.number == number), None)


def scores_by_group(v: Version) -> list[tuple[str, list[dict]]]:
    path = v.path / "scores.csv"
    if not path.is_file():
        return []
    df = _read_csv(path)
    groups: dict[str, list[dict]] = {}
    for r in df.iter_rows(named=True):
        groups.setdefault(r.get("group") or "", []).append(r)
    return list(groups.items())


def ledger(v: Version, unit: str) -> list[dict]:
    path = v.path / "ledger.csv"
    if not path.is_file():
        return []
    df = _read_csv(path)
    return df.filter(pl.col("unit") == unit).to_dicts()


def unit_score(v: Version, unit: str) -> dict | None:
    for _, rows in scores_by_group(v):
        for r in rows:
            if r["unit"] == unit:
                return r
    return None


_SCORE = re.compile(r"[（(]\d+[)）]$")


@dataclass
class Question:
    type: str
    label: str
    key: str
    accepts: str
    changes_points: bool
    about: dict
    candidates: list[str]
    choices: list[str]  # fixed answers of the type (是/否, 确认, 忽略, 已核实)
    answer: str  # the answer decisions.csv holds now ('' when none)
    n: int = 0  # its place in review.csv (1-based), for the page's ids
    #: it can change what this period prints (transforms.review.open_questions' test)
    this_period: bool = True


def _choices(type_id: str) -> list[str]:
    return {
        "unit": [review.IGNORE],
        "same_article": [review.YES, review.NO],
        "date": [review.CONFIRM],
        "article_source": [review.IGNORE],
        "submission": [review.IGNORE],
        "no_submission": [review.CHECKED],
        "mail": [review.CHECKED],
    }.get(type_id, [])


def questions(root: Path, v: Version, period=None) -> list[Question]:
    """The review questions of a version (review.csv), with the answers decisions.csv
    holds now; with `period`, each says whether it can change what the period prints."""
    path = v.path / "review.csv"
    if not path.is_file():
        return []
    df = _read_csv(path)
    answers = current_answers(root)
    out = []
    for r in df.iter_rows(named=True):
        q = review.decision_type(r.get("问题类型"))
        if q is None:
            continue
        key = r.get("识别码") or ""
        cands = []
        for c in re.split(r"[；;]", r.get("候选") or ""):
            c = _SCORE.sub("", c.strip())
            if c and c not in cands:
                cands.append(c)
        about = {
            label: r.get(label)
            for label in ("单位", "标题", "日期", "刊物及期号", "文件", "行号", "内容", "说明")
            if r.get(label)
        }
        out.append(
            Question(
                q.id,
                q.label,
                key,
                q.accepts,
                q.changes_points,
                about,
                cands,
                _choices(q.id),
                answers.get((q.id, key), ""),
                len(out) + 1,
                period is None
                or review._touches(r.get("日期"), date(period.year, 1, 1), period.end),
            )
        )
    return out


def current_answers(root: Path) -> dict[tuple[str, str], str]:
    from flows.readers import read_decisions

    try:
        df = read_decisions(root / "decisions.csv", root)
    except InputError:
        return {}
    return {(r["type"], r["key"]): r["answer"] for r in df.iter_rows(named=True)}


# --------------------------------------------------------------------------- deliveries


def deliveries(ws: Workspace, period: str, number: int) -> list[dict] | None:
    """The deliveries of a version from the database (None: the run is not recorded)."""
    from store.repository import Store

    ident = outputs._read_id(ws.root / outputs.ID_FILE)
    if ident is None:
        return None
    ids = [ident["id"], *(ident.get("inherits") or [])]
    store = Store.open(ws.database_url)
    try:
        run = store.run(period, number, workspace=ids)
        if run is None:
            return None
        rows = sorted(store.deliveries(run.id).values(), key=lambda d: (d.unit, d.address))
        return [
            {
                "unit": d.unit,
                "address": d.address,
                "status": d.status,
                "attempts": d.attempts,
                "error": d.error,
                "updated": d.updated_at,
            }
            for d in rows
        ]
    finally:
        store.close()


STATUS_LABELS = {
    "queued": "排队中",
    "sending": "结果不明（发送中断）",
    "sent": "已发送",
    "deferred": "暂未发出",
    "failed": "被拒收",
    "uncertain": "结果不明",
}


# --------------------------------------------------------------------------- Prefect


def prefect_info(root: Path) -> dict:
    """The schedule's next runs and the last flow runs of this workspace, from the
    Prefect server of PREFECT_API_URL ({'configured': False} without one)."""
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        return {"configured": False}
    try:
        return _prefect_runs(str(root))
    except Exception as err:  # an unreachable server is a line on the page, not an error
        return {"configured": True, "error": str(err) or type(err).__name__}


def _prefect_runs(root: str) -> dict:
    import anyio
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    async def fetch():
        async with get_client() as client:
            runs = await client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=200)
            scheduled = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    state=FlowRunFilterState(
                        type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])
                    )
                ),
                sort=FlowRunSort.EXPECTED_START_TIME_ASC,
                limit=200,
            )
            return runs, scheduled

    runs, scheduled = anyio.run(fetch)

    def mine(r) -> bool:
        ws = (r.parameters or {}).get("workspace")
        return ws is not None and os.path.realpath(str(ws)) == os.path.realpath(root)

    def row(r) -> dict:
        return {
            "name": r.name,
            "state": r.state_name or (r.state.name if r.state else ""),
            "start": r.start_time or r.expected_start_time,
            "period": (r.parameters or {}).get("period") or "",
        }

    return {
        "configured": True,
        "next": [row(r) for r in scheduled if mine(r)][:3],
        "last": [row(r) for r in runs if mine(r) and r.state_type != StateType.SCHEDULED][:10],
    }
