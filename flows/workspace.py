"""The workspace (工作区): the user's folder, its `kaohe.toml` and its input files."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from flows import settings as toml_settings
from flows.settings import CONFIG, Settings
from schemes import get_scheme
from transforms import matching
from transforms.errors import InputError

INPUT_DIRS = ("adoptions", "submissions", "events")
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

    @classmethod
    def load(cls, root: Path | str) -> Workspace:
        root = Path(root).resolve()
        cfg = toml_settings.load(root)
        scheme = get_scheme(cfg.scheme)
        return cls(
            root=root,
            scheme_id=cfg.scheme,
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
        )

    @property
    def scheme(self):
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


def init_workspace(root: Path | str, scheme_id: str) -> Path:
    """Create a workspace with the scheme's roster; refuses to overwrite one."""
    scheme = get_scheme(scheme_id)
    root = Path(root)
    if (root / CONFIG).exists():
        raise InputError(f"{root} 已经是 kaohe 工作区（{CONFIG} 已存在），未做任何修改")
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
    (root / CONFIG).write_text(
        TOML_TEMPLATE.format(scheme=scheme_id, office=scheme.office), encoding="utf-8"
    )
    return root
