"""The workspace's settings (工作区配置): `kaohe.toml` read into typed settings.

Every key a workspace may set is declared here, one dataclass per section, with its type
and default; docs/workspace.md describes each of them (tests/test_docs.py keeps the two
in step). A key or section that is not declared (a typo: `sendr`), a value of the wrong
type or an impossible value is an error naming its line in kaohe.toml and, for an unknown
name, the closest declared one; nothing in the file is ignored. Every problem of the file
is reported at once.

The reading (types, defaults, unknown names, lines) is transforms.tomldata's, as for a
regulation file; the checks of values are the dataclasses' own (`_check` metadata and
`__post_init__`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from transforms import tomldata
from transforms.errors import InputError

CONFIG = "kaohe.toml"
#: values of [run] task_runner
TASK_RUNNERS = ("default", "dask")
DEFAULT_TIMEZONE = "Asia/Shanghai"


def _check(test: Callable[[object], bool], message: str) -> dict:
    """Field metadata: the value must pass `test`, else `message` (its `{value}` filled)
    is reported at the key's line."""
    return {"check": lambda v: None if test(v) else message.replace("{value}", str(v))}


def _port(section: str) -> dict:
    return _check(
        lambda v: 0 < v < 65536, f"[{section}] port「{{value}}」不是有效的端口号（1–65535）"
    )


def _at_least_one(section: str, key: str) -> dict:
    return _check(lambda v: v >= 1, f"[{section}] {key} 应至少为 1")


def _not_negative(section: str, key: str) -> dict:
    return _check(lambda v: v >= 0, f"[{section}] {key} 不能为负数")


def _valid_timezone(name: object) -> bool:
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _known_scheme(scheme_id: object) -> str | None:
    from schemes import SCHEMES

    if scheme_id in SCHEMES:
        return None
    near = tomldata.closest(str(scheme_id), SCHEMES)
    hint = f"（是否为 {near}？）" if near else ""
    return f"未知的考核办法「{scheme_id}」{hint}，可用的有：{'、'.join(SCHEMES)}"


@dataclass(frozen=True)
class BulletinSettings:
    """[bulletin]: wording of the bulletin (通报)."""

    #: 通报文号 printed above the red rule, e.g. 建政办信〔2018〕1号
    doc_number: str | None = None
    #: the paragraph 下一步工作要求 (default: a paragraph of the scheme's wording)
    requirements: str | None = None
    #: 主送 line, e.g. 各乡镇人民政府、街道办事处，市政府各部门、单位：
    recipients: str | None = None


@dataclass(frozen=True)
class DatabaseSettings:
    """[database]: where runs, ledgers, scores and deliveries are stored."""

    #: any SQLAlchemy URL; None: the SQLite file kaohe.db in the workspace
    url: str | None = None


@dataclass(frozen=True)
class RunSettings:
    """[run]: how a run renders and sends."""

    #: "default" (statements in a local process pool from 12 units on) or "dask"
    task_runner: str = "default"
    #: the scheduler of an existing Dask cluster ("tcp://host:8786"); None starts a
    #: LocalCluster of 2 workers for the run (needs task_runner = "dask")
    dask_address: str | None = None

    def __post_init__(self) -> None:
        problems = []
        runner = self.task_runner.strip().lower()
        if runner not in TASK_RUNNERS:
            known = "、".join(TASK_RUNNERS)
            problems.append(
                ("task_runner", f"[run] task_runner = {self.task_runner!r} 无效，可选：{known}")
            )
        object.__setattr__(self, "task_runner", runner)
        if self.dask_address and runner != "dask":
            problems.append(("dask_address", '[run] dask_address 需配合 task_runner = "dask" 使用'))
        if problems:
            raise tomldata.Invalid.of(problems)


@dataclass(frozen=True)
class MailSection:
    """[mail]: the SMTP server `kaohe send` mails through (flows.delivery.MailSettings)."""

    host: str | None = None
    #: default 587 with starttls, else 25
    port: int | None = field(default=None, metadata=_port("mail"))
    #: the From address
    sender: str | None = None
    starttls: bool = False
    username: str | None = None
    #: the name of the environment variable holding the SMTP password
    password_env: str | None = None
    #: a CA file to trust besides the system's
    cafile: str | None = None
    #: seconds per SMTP operation
    timeout: float = field(default=30.0, metadata=_not_negative("mail", "timeout"))
    #: attempts per message
    retries: int = field(default=4, metadata=_at_least_one("mail", "retries"))
    #: first wait between attempts, in seconds, doubled after each attempt
    backoff: float = field(default=2.0, metadata=_not_negative("mail", "backoff"))
    #: the longest wait between attempts, in seconds
    backoff_max: float = field(default=60.0, metadata=_not_negative("mail", "backoff_max"))
    #: the office's own address: a scheduled run that ends as a draft mails it the open
    #: questions instead of mailing the units
    office_address: str | None = None


@dataclass(frozen=True)
class ImapSection:
    """[imap]: the mailbox `kaohe fetch-mail` reads (flows.imap)."""

    host: str | None = None
    #: default 993 with ssl, else 143
    port: int | None = field(default=None, metadata=_port("imap"))
    user: str | None = None
    folder: str = "INBOX"
    #: the name of the environment variable holding the mailbox password
    password_env: str | None = None
    ssl: bool = True


@dataclass(frozen=True)
class LimitsSettings:
    """[limits]: bounds on the inputs, so that a wrong or hostile file stops the run in
    seconds with a message instead of filling the memory. The defaults admit a province's
    year (5,000 units, 1,000,000 mail-log rows) with room to spare."""

    #: the largest input file, in MB, on disk and, for .xlsx and .docx, unpacked
    max_file_mb: int = field(default=512, metadata=_at_least_one("limits", "max_file_mb"))
    #: the most rows of one table file (a CSV's lines, an xlsx sheet's rows)
    max_rows: int = field(default=2_000_000, metadata=_at_least_one("limits", "max_rows"))
    #: the most columns of one table file
    max_columns: int = field(default=1_000, metadata=_at_least_one("limits", "max_columns"))
    #: the most title pairs compared when grouping adoptions into articles, when linking
    #: adoptions to submissions and events to articles (each); counted before comparing
    max_title_pairs: int = field(
        default=50_000_000, metadata=_at_least_one("limits", "max_title_pairs")
    )


@dataclass(frozen=True)
class WebSection:
    """[web]: the office's web page (`kaohe web`, flows.web). Served on the loopback
    address unless `host` says otherwise, and then only over TLS (`certfile`, `keyfile`)."""

    #: the address to listen on; another than 127.0.0.1/::1/localhost needs certfile+keyfile
    host: str = "127.0.0.1"
    port: int = field(default=8765, metadata=_port("web"))
    #: the TLS certificate (PEM, with its chain) and its private key
    certfile: str | None = None
    keyfile: str | None = None
    #: the largest file one upload may bring, in MB
    max_upload_mb: int = field(default=64, metadata=_at_least_one("web", "max_upload_mb"))

    def __post_init__(self) -> None:
        if bool(self.certfile) != bool(self.keyfile):
            raise tomldata.Invalid(
                "[web] certfile 和 keyfile 须同时填写（TLS 证书及其私钥）",
                key="certfile" if self.certfile else "keyfile",
            )


#: the sections of kaohe.toml and their dataclasses
SECTIONS: dict[str, type] = {
    "bulletin": BulletinSettings,
    "database": DatabaseSettings,
    "run": RunSettings,
    "mail": MailSection,
    "imap": ImapSection,
    "limits": LimitsSettings,
    "web": WebSection,
}
#: top-level keys (outside any section) and their types
TOP_LEVEL: dict[str, type] = {"scheme": str, "regulation": str, "office": str, "timezone": str}


@dataclass(frozen=True)
class Settings:
    """kaohe.toml, checked. `given` holds each section's keys as written (for callers that
    need to know whether a key was set at all, e.g. ws.mail)."""

    #: the id of a regulation kaohe ships (kaohe schemes); exclusive with `regulation`
    scheme: str | None = field(default=None, metadata={"check": _known_scheme})
    #: the workspace's own regulation file (考核办法.toml), relative to the workspace
    regulation: str | None = None
    #: the issuing office; None: the scheme's own
    office: str | None = None
    #: the office's time zone: times are read and periods cut in it (C7)
    timezone: str = field(
        default=DEFAULT_TIMEZONE,
        metadata=_check(_valid_timezone, "时区「{value}」无效，应写作 Asia/Shanghai 这样的时区名"),
    )
    bulletin: BulletinSettings = field(default_factory=BulletinSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    run: RunSettings = field(default_factory=RunSettings)
    mail: MailSection = field(default_factory=MailSection)
    #: None when kaohe.toml has no [imap]
    imap: ImapSection | None = None
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    web: WebSection = field(default_factory=WebSection)
    #: [parameters]: numbers the regulation leaves open, by the names its file declares
    #: (`"季度报送数量" = 20`; `kaohe scheme show` lists them)
    parameters: dict[str, float] = field(default_factory=dict)
    given: dict[str, dict] = field(
        default_factory=dict, repr=False, compare=False, metadata={"toml": False}
    )
    #: the line of each key of kaohe.toml (transforms.tomldata.locate), for later messages
    lines: dict = field(default_factory=dict, repr=False, compare=False, metadata={"toml": False})

    def __post_init__(self) -> None:
        if self.scheme is None and self.regulation is None:
            raise tomldata.Invalid(
                '缺少 scheme = "…"（考核办法，见 kaohe schemes），'
                '或 regulation = "考核办法.toml"（本工作区的考核办法文件）'
            )
        if self.scheme is not None and self.regulation is not None:
            raise tomldata.Invalid(
                "scheme 与 regulation 只能写一个：用本工作区的考核办法文件时删去 scheme",
                key="regulation",
            )
        if self.office == "":
            object.__setattr__(self, "office", None)


def declared_keys() -> dict[str | None, tuple[str, ...]]:
    """Every declared key: None → the top-level keys, section name → its keys."""
    out: dict[str | None, tuple[str, ...]] = {None: tuple(TOP_LEVEL)}
    for name, cls in SECTIONS.items():
        out[name] = tuple(f.name for f in fields(cls))
    return out


# --------------------------------------------------------------------------- checking

#: kaohe.toml calls a key 设置 and a table 设置节
WORDS = tomldata.Words(key="设置", table="设置节")
#: kept for callers of flows.settings: line numbers and the error are tomldata's
locate = tomldata.locate
SettingsError = tomldata.TomlDataError


def parse(text: str) -> Settings:
    """Check the text of a kaohe.toml and return its settings; SettingsError lists every
    problem (unknown keys or sections, wrong types, impossible values) with its line."""
    doc = tomldata.read_document(text, Settings, CONFIG, WORDS)
    cfg = doc.value
    given = {name: dict(doc.data.get(name, {})) for name in SECTIONS}
    object.__setattr__(cfg, "given", given)
    object.__setattr__(cfg, "lines", doc.lines)
    return cfg


def load(root: Path | str) -> Settings:
    """The settings of the workspace `root` (its kaohe.toml)."""
    root = Path(root)
    path = root / CONFIG
    if not path.is_file():
        raise InputError(
            f"{root} 不是 kaohe 工作区（缺少 {CONFIG}）。请先运行 kaohe init {root} --scheme <考核办法>"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"无法读取：文件应为 UTF-8 编码（{err.reason}）", file=CONFIG) from err
    return parse(text)
