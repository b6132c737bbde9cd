"""The workspace (工作区): the user's folder, its `kaohe.toml` and its input files."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from flows import settings as toml_settings
from flows.settings import CONFIG, Settings
from schemes import files as regulation_files
from schemes import get_scheme
from schemes.regulation import Regulation
from transforms import matching
from transforms.errors import InputError

INPUT_DIRS = ("adoptions", "submissions", "events")
#: kaohe's cache inside a workspace (hidden: never an input): what it extracted from input
#: files, kept by their sha256 (flows.issue_documents.issue_cache); safe to delete
CACHE_DIR = ".kaohe-cache"
# .xls is listed so that the reader can say it is unsupported instead of skipping it.
TABLE_SUFFIXES = (".csv", ".xlsx", ".xls")
# Publication issues as documents, read by flows.issue_documents (.doc: to say it is not read).
DOCUMENT_SUFFIXES = (".docx", ".pdf", ".html", ".htm", ".txt", ".doc")

#: Names a file manager or an editor leaves beside the data (compared in lower case).
NOT_DATA_NAMES = frozenset({"thumbs.db", ".ds_store", "desktop.ini"})
#: Suffixes of editors' temporary and swap files.
NOT_DATA_SUFFIXES = (".tmp", ".swp")


def not_data(path: PurePath | str) -> bool:
    """True for a path that is never an input: an editor's lock or temporary file (Excel's
    and WPS's `~$x.xlsx`, LibreOffice's `.~lock.x#`, `*.tmp`, vim's `*.swp`), a file or a
    folder of the path that is hidden (its name starts with `.`), or the files a file
    manager leaves (Thumbs.db, .DS_Store, desktop.ini). Such files are not read, not
    hashed and never make a new version.

    `path` is relative to the folder being listed (the workspace or one of its input
    folders): only its own components are looked at, not where the workspace lives."""
    parts = PurePath(path).parts
    if not parts:
        return False
    if any(part.startswith(".") for part in parts):
        return True
    name = parts[-1].lower()
    return name.startswith("~$") or name in NOT_DATA_NAMES or name.endswith(NOT_DATA_SUFFIXES)


@dataclass
class Workspace:
    """A loaded workspace: its folder and settings."""

    root: Path
    scheme_id: str
    office: str
    database_url: str
    timezone: str = "Asia/Shanghai"
    doc_number: str | None = None
    requirements: str | None = None
    recipients: str | None = None
    mail: dict = field(default_factory=dict)
    #: [run] task_runner: "default" (statements in a local process pool from 12 units on)
    #: or "dask" (statements in batches on prefect-dask's DaskTaskRunner)
    task_runner: str = "default"
    #: [run] dask_address: the scheduler of an existing Dask cluster ("tcp://host:8786");
    #: None starts a LocalCluster of 2 workers for the run
    dask_address: str | None = None
    #: kaohe.toml, typed and checked (flows.settings)
    settings: Settings | None = None
    #: kaohe.toml's `regulation`: the workspace's own regulation file (None: `scheme`)
    regulation: Path | None = None
    #: the regulation scored: the file `regulation` read and checked, or the shipped one,
    #: with kaohe.toml's [parameters] applied (None: `scheme_id`'s shipped module)
    _scheme: object = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, root: Path | str) -> Workspace:
        """The workspace at `root`: kaohe.toml checked, and the regulation file it names
        read and checked (every problem of either is an InputError naming file and line)."""
        root = Path(root).resolve()
        cfg = toml_settings.load(root)
        if cfg.regulation is not None:
            scheme = _own_regulation(root, cfg.regulation)
        else:
            scheme = get_scheme(str(cfg.scheme))
        scheme = _with_parameters(scheme, cfg)
        return cls(
            root=root,
            scheme_id=scheme.id,
            office=cfg.office or scheme.office,
            database_url=cfg.database.url or f"sqlite:///{root / 'kaohe.db'}",
            timezone=cfg.timezone,
            doc_number=cfg.bulletin.doc_number,
            requirements=cfg.bulletin.requirements,
            recipients=cfg.bulletin.recipients,
            # the keys of [mail] as written (flows.delivery applies the defaults)
            mail=cfg.given["mail"],
            task_runner=cfg.run.task_runner,
            dask_address=cfg.run.dask_address or None,
            settings=cfg,
            regulation=root / cfg.regulation if cfg.regulation is not None else None,
            _scheme=scheme,
        )

    @property
    def scheme(self):
        if self._scheme is not None:
            return self._scheme
        if self.regulation is not None:  # a Workspace built without load()
            self._scheme = _own_regulation(self.root, self.regulation)
            return self._scheme
        return get_scheme(self.scheme_id)

    def files(self, folder: str, suffixes: tuple[str, ...] = TABLE_SUFFIXES) -> list[Path]:
        """Input files of one folder, sorted; files that are not data (`not_data`) skipped."""
        d = self.root / folder
        if not d.is_dir():
            return []
        return sorted(
            p
            for p in d.iterdir()
            if p.suffix.lower() in suffixes and not not_data(p.name) and p.is_file()
        )

    def input_files(self) -> list[Path]:
        """Every file a run reads, in a stable order."""
        files = [self.root / CONFIG]
        if self.regulation is not None:  # an edit of the regulation makes a new version
            files.append(self.regulation)
        for name in ("units.csv", "decisions.csv"):
            if (self.root / name).is_file():
                files.append(self.root / name)
        for folder in INPUT_DIRS:
            d = self.root / folder
            if d.is_dir():
                files += sorted(
                    p for p in d.rglob("*") if not not_data(p.relative_to(d)) and p.is_file()
                )
        return files

    def input_hashes(self) -> dict[str, str]:
        """sha256 of every input file, keyed by its path relative to the workspace."""
        out = {}
        for p in self.input_files():
            out[p.relative_to(self.root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
        return out

    def out_dir(self, period_label: str) -> Path:
        return self.root / "out" / period_label


def read_regulation(path: Path | str, name: str | None = None):
    """The regulation file at `path` read and checked (schemes.files.read): a Document
    whose `value` is the Regulation. `name` is how messages call the file."""
    path = Path(path)
    name = name or path.name
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"无法读取考核办法文件：{err.strerror}", file=name) from err
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"无法读取：考核办法文件应为 UTF-8 编码（{err.reason}）；请用记事本或 WPS 另存为 UTF-8",
            file=name,
        ) from err
    return regulation_files.read(text, name)


def _with_parameters(scheme: Regulation, cfg: Settings) -> Regulation:
    """The regulation with kaohe.toml's [parameters] set (each parameter the file declares
    takes the workspace's value, else its default)."""
    try:
        return scheme.with_parameters(cfg.parameters)
    except InputError as err:
        declared = {p.name for p in scheme.parameters}
        name = next((k for k in cfg.parameters if k not in declared), "")
        raise InputError(
            f"[parameters] {err.message}（见 kaohe scheme show 的参数表）",
            file=CONFIG,
            row=cfg.lines.get(("parameters", name), cfg.lines.get(("parameters",))),
        ) from err


def _own_regulation(root: Path, relative: str | Path):
    """The regulation file kaohe.toml names, read and checked."""
    path = root / relative
    name = PurePath(relative).as_posix()
    if PurePath(relative).is_absolute() or not path.resolve().is_relative_to(root.resolve()):
        raise InputError(
            f"kaohe.toml：regulation = {str(relative)!r} 应为本工作区中的文件"
            '（相对于工作区的路径，如 "考核办法.toml"）：请把文件复制到工作区中'
        )
    if not path.is_file():
        raise InputError(
            f"kaohe.toml 所写的考核办法文件 {name} 不存在：请把文件放在工作区 {root} 中，"
            "或改正 regulation 的文件名"
        )
    return read_regulation(path, name).value


TOML_TEMPLATE = """\
# kaohe 工作区配置（每项设置的说明见 kaohe 的 docs/workspace.md）
scheme = "{scheme}"
office = "{office}"
# timezone = "Asia/Shanghai"

# [bulletin]
# doc_number = "建政办信〔2018〕1号"       # 通报文号
# requirements = "下一步工作要求……"         # 通报“下一步工作要求”段落
# recipients = "各乡镇人民政府、街道办事处，市政府各部门、单位："   # 主送

# [database]
# url = "postgresql+psycopg://kaohe@localhost/kaohe"   # 默认：本目录下的 kaohe.db (SQLite)

# [run]                                    # 单位数以千计时：在 Dask 上分批生成得分说明、发送邮件
# task_runner = "dask"                     # 默认 "default"（本机进程池）
# dask_address = "tcp://10.0.0.5:8786"     # 已有的 Dask 集群；不填则本机启动 2 个 worker

# [mail]
# host = "smtp.example.gov.cn"
# port = 587
# sender = "xxk@example.gov.cn"
# starttls = true
# username = "xxk@example.gov.cn"
# password_env = "KAOHE_SMTP_PASSWORD"
# office_address = "xxk@example.gov.cn"   # 征求意见稿时，定时任务把待核实问题发到本办邮箱

# [imap]                                   # kaohe fetch-mail：收取报送邮件到 submissions/imap/
# host = "imap.example.gov.cn"
# port = 993
# user = "xxk@example.gov.cn"
# folder = "INBOX"
# password_env = "KAOHE_IMAP_PASSWORD"
# ssl = true
"""


def init_workspace(
    root: Path | str,
    scheme_id: str | None,
    copy_regulation: bool = False,
    regulation_from: Path | str | None = None,
) -> Path:
    """Create a workspace with the regulation's roster; refuses to overwrite one.

    `scheme_id` names a shipped regulation: kaohe.toml says `scheme = "<id>"`, or, with
    `copy_regulation`, the regulation's file is copied as 考核办法.toml and kaohe.toml says
    `regulation = "考核办法.toml"`. `regulation_from` starts from a regulation file instead
    (checked before anything is written), copied the same way."""
    root = Path(root)
    if (root / CONFIG).exists():
        raise InputError(f"{root} 已经是 kaohe 工作区（{CONFIG} 已存在），未做任何修改")
    text = None
    if regulation_from is not None:
        doc = read_regulation(regulation_from, str(regulation_from))
        text = Path(regulation_from).read_bytes().decode("utf-8-sig")
        scheme = doc.value
    else:
        scheme = get_scheme(str(scheme_id))
        if copy_regulation:
            text = regulation_files.shipped_text(scheme.id)
    root.mkdir(parents=True, exist_ok=True)
    for folder in INPUT_DIRS:
        (root / folder).mkdir(exist_ok=True)
    roster = scheme.roster()
    with open(root / "units.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["unit", "group", "aliases", "emails"])
        for row in roster.iter_rows(named=True):
            w.writerow(
                [
                    row["unit"],
                    row["group"],
                    ";".join(matching.printed_aliases(row["unit"], row["aliases"] or [])),
                    ";".join(row["emails"] or []),
                ]
            )
    (root / "decisions.csv").write_text("type,key,answer\n", encoding="utf-8")
    config = TOML_TEMPLATE.format(scheme=scheme.id, office=scheme.office)
    if text is not None:
        (root / regulation_files.WORKSPACE_FILE).write_text(text, encoding="utf-8")
        config = config.replace(
            f'scheme = "{scheme.id}"\n',
            f'regulation = "{regulation_files.WORKSPACE_FILE}"   # 本工作区的考核办法文件'
            f"（复制自 {scheme.id}；kaohe scheme check 检查）\n",
        )
    (root / CONFIG).write_text(config, encoding="utf-8")
    return root
