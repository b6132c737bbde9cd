"""The workspace's settings (工作区配置): `kaohe.toml` read into typed settings.

Every key a workspace may set is declared here, one dataclass per section, with its type
and default; docs/workspace.md describes each of them (tests/test_docs.py keeps the two
in step). A key or section that is not declared (a typo: `sendr`), a value of the wrong
type or an impossible value is an error naming its line in kaohe.toml and, for an unknown
name, the closest declared one; nothing in the file is ignored. Every problem of the file
is reported at once.

tomllib gives no line numbers: `locate` finds them by scanning the text for the key
within its section (headers `[mail]`, dotted keys `mail.host = …`, inline tables).
"""

from __future__ import annotations

import difflib
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from transforms.errors import InputError

CONFIG = "kaohe.toml"
#: values of [run] task_runner
TASK_RUNNERS = ("default", "dask")
DEFAULT_TIMEZONE = "Asia/Shanghai"


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


@dataclass(frozen=True)
class MailSection:
    """[mail]: the SMTP server `kaohe send` mails through (flows.delivery.MailSettings)."""

    host: str | None = None
    #: default 587 with starttls, else 25
    port: int | None = None
    #: the From address
    sender: str | None = None
    starttls: bool = False
    username: str | None = None
    #: the name of the environment variable holding the SMTP password
    password_env: str | None = None
    #: a CA file to trust besides the system's
    cafile: str | None = None
    #: seconds per SMTP operation
    timeout: float = 30.0
    #: attempts per message
    retries: int = 4
    #: first wait between attempts, in seconds, doubled after each attempt
    backoff: float = 2.0
    #: the longest wait between attempts, in seconds
    backoff_max: float = 60.0
    #: the office's own address: a scheduled run that ends as a draft mails it the open
    #: questions instead of mailing the units
    office_address: str | None = None


@dataclass(frozen=True)
class ImapSection:
    """[imap]: the mailbox `kaohe fetch-mail` reads (flows.imap)."""

    host: str | None = None
    #: default 993 with ssl, else 143
    port: int | None = None
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
    max_file_mb: int = 512
    #: the most rows of one table file (a CSV's lines, an xlsx sheet's rows)
    max_rows: int = 2_000_000
    #: the most columns of one table file
    max_columns: int = 1_000
    #: the most title pairs compared when grouping adoptions into articles, when linking
    #: adoptions to submissions and events to articles (each); counted before comparing
    max_title_pairs: int = 50_000_000


@dataclass(frozen=True)
class WebSection:
    """[web]: the office's web page (`kaohe web`, flows.web). Served on the loopback
    address unless `host` says otherwise, and then only over TLS (`certfile`, `keyfile`)."""

    #: the address to listen on; another than 127.0.0.1/::1/localhost needs certfile+keyfile
    host: str = "127.0.0.1"
    port: int = 8765
    #: the TLS certificate (PEM, with its chain) and its private key
    certfile: str | None = None
    keyfile: str | None = None
    #: the largest file one upload may bring, in MB
    max_upload_mb: int = 64


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
TOP_LEVEL: dict[str, type] = {"scheme": str, "office": str, "timezone": str}


@dataclass(frozen=True)
class Settings:
    """kaohe.toml, checked. `given` holds each section's keys as written (for callers that
    need to know whether a key was set at all, e.g. ws.mail)."""

    scheme: str
    #: the issuing office; None: the scheme's own
    office: str | None = None
    #: the office's time zone: times are read and periods cut in it (C7)
    timezone: str = DEFAULT_TIMEZONE
    bulletin: BulletinSettings = field(default_factory=BulletinSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    run: RunSettings = field(default_factory=RunSettings)
    mail: MailSection = field(default_factory=MailSection)
    #: None when kaohe.toml has no [imap]
    imap: ImapSection | None = None
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    web: WebSection = field(default_factory=WebSection)
    given: dict[str, dict] = field(default_factory=dict, repr=False, compare=False)


def declared_keys() -> dict[str | None, tuple[str, ...]]:
    """Every declared key: None → the top-level keys, section name → its keys."""
    out: dict[str | None, tuple[str, ...]] = {None: tuple(TOP_LEVEL)}
    for name, cls in SECTIONS.items():
        out[name] = tuple(f.name for f in fields(cls))
    return out


# --------------------------------------------------------------------------- lines

_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]")
_NAME = r"(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
_KEY = re.compile(rf"^\s*({_NAME}(?:\s*\.\s*{_NAME})*)\s*=")


def _parts(dotted: str) -> tuple[str, ...]:
    """`mail.host`, `"mail" . host` → ("mail", "host")."""
    return tuple(p.strip("\"'") for p in re.findall(_NAME, dotted))


def locate(text: str) -> dict[tuple[str, ...], int]:
    """The line (1-based) where each table and key of a TOML text is first written:
    ("mail",) → the line of `[mail]`, ("mail", "host") → the line of its `host = …`."""
    where: dict[tuple[str, ...], int] = {}
    section: tuple[str, ...] = ()
    open_quote: str | None = None
    for n, line in enumerate(text.splitlines(), start=1):
        if open_quote:  # inside a multi-line string
            if line.count(open_quote) % 2:
                open_quote = None
            continue
        if m := _HEADER.match(line):  # [table] or [[array of tables]]
            section = _parts(m[1])
            where.setdefault(section, n)
            continue
        if m := _KEY.match(line):
            path = section + _parts(m[1])
            for i in range(len(section) + 1, len(path) + 1):
                where.setdefault(path[:i], n)
            rest = line[m.end() :]
            for q in ('"""', "'''"):
                if rest.count(q) % 2:
                    open_quote = q
    return where


# --------------------------------------------------------------------------- checking


def _closest(name: str, known: typing.Iterable[str]) -> str | None:
    hit = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return hit[0] if hit else None


def _allowed(annotation: object) -> tuple[type, ...]:
    """The Python types a declared field accepts (None excluded)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return tuple(a for a in typing.get_args(annotation) if a is not type(None))
    return (annotation,)  # type: ignore[return-value]


_TYPE_CN = {str: "文字（加英文引号）", int: "整数", float: "数字", bool: "true 或 false"}


def _type_ok(value: object, allowed: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in allowed
    if isinstance(value, int):
        return int in allowed or float in allowed
    if isinstance(value, float):
        return float in allowed
    return isinstance(value, tuple(t for t in allowed if t not in (int, float, bool)))


class SettingsError(InputError):
    """Every problem of kaohe.toml, one line each, in line order. `file`, `row` and
    `message` are those of the first problem; `problems` lists them all."""

    def __init__(self, problems: list[InputError]):
        self._settings_problems = list(problems)
        first = self._settings_problems[0]
        super().__init__(first.message, file=first.file, row=first.row)

    @property
    def problems(self) -> list[InputError]:
        return list(self._settings_problems)

    def format(self) -> str:
        return "\n".join(p.format() for p in self._settings_problems)


def parse(text: str) -> Settings:
    """Check the text of a kaohe.toml and return its settings; SettingsError lists every
    problem (unknown keys or sections, wrong types, impossible values) with its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"格式错误：{err}", file=CONFIG) from err
    lines = locate(text)
    problems: list[InputError] = []

    def problem(path: tuple[str, ...], message: str) -> None:
        row = None
        for i in range(len(path), 0, -1):  # the key's line, else its section's
            if path[:i] in lines:
                row = lines[path[:i]]
                break
        problems.append(InputError(message, file=CONFIG, row=row))

    def label(section: str | None, key: str) -> str:
        return f"[{section}] {key}" if section else key

    def check_value(section: str | None, key: str, value: object, annotation: object) -> bool:
        allowed = _allowed(annotation)
        if _type_ok(value, allowed):
            return True
        want = "或".join(_TYPE_CN.get(t, t.__name__) for t in allowed)
        shown = "一个设置节" if isinstance(value, dict) else f"「{value}」"
        path = (section, key) if section else (key,)
        space = " " if want[0].isascii() else ""
        problem(path, f"{label(section, key)} 的值{shown}类型不对，应为{space}{want}")
        return False

    top_hints = typing.get_type_hints(Settings)
    top: dict[str, object] = {}
    sections: dict[str, dict] = {}
    for key, value in data.items():
        if key in SECTIONS:
            if not isinstance(value, dict):
                problem((key,), f"{key} 应为设置节 [{key}]，而不是单个值")
                continue
            sections[key] = value
        elif key in TOP_LEVEL:
            if check_value(None, key, value, top_hints[key]):
                top[key] = value
        elif isinstance(value, dict):
            near = _closest(key, SECTIONS)
            hint = f"（是否为 [{near}]？）" if near else f"（可用的设置节：{'、'.join(SECTIONS)}）"
            problem((key,), f"未知设置节 [{key}]{hint}")
        else:
            near = _closest(key, [*TOP_LEVEL, *SECTIONS])
            hint = f"（是否为 {near}？）" if near else f"（可用的设置：{'、'.join(TOP_LEVEL)}）"
            problem((key,), f"未知设置 {key}{hint}")

    built: dict[str, object] = {}
    for name, cls in SECTIONS.items():
        if name not in sections:
            continue
        hints = typing.get_type_hints(cls)
        values = {}
        for key, value in sections[name].items():
            if key not in hints:
                near = _closest(key, hints)
                known = "、".join(hints)
                hint = f"（是否为 {near}？）" if near else f"（[{name}] 可用的设置：{known}）"
                problem((name, key), f"未知设置 [{name}] {key}{hint}")
            elif check_value(name, key, value, hints[key]):
                values[key] = float(value) if hints[key] is float else value
        built[name] = values

    scheme = top.get("scheme")
    if "scheme" not in data:
        problems.append(InputError('缺少 scheme = "…"（考核办法，见 kaohe schemes）', file=CONFIG))
    elif scheme is not None:
        from schemes import SCHEMES

        if scheme not in SCHEMES:
            near = _closest(str(scheme), SCHEMES)
            hint = f"（是否为 {near}？）" if near else ""
            problem(
                ("scheme",), f"未知的考核办法「{scheme}」{hint}，可用的有：{'、'.join(SCHEMES)}"
            )
    tz = top.get("timezone")
    if isinstance(tz, str):
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            problem(("timezone",), f"时区「{tz}」无效，应写作 Asia/Shanghai 这样的时区名")

    run = built.get("run", {})
    if "task_runner" in run:
        runner = str(run["task_runner"]).strip().lower()
        if runner not in TASK_RUNNERS:
            problem(
                ("run", "task_runner"),
                f"[run] task_runner = {run['task_runner']!r} 无效，可选：{'、'.join(TASK_RUNNERS)}",
            )
        run["task_runner"] = runner
    if run.get("dask_address") and run.get("task_runner", "default") != "dask":
        problem(("run", "dask_address"), '[run] dask_address 需配合 task_runner = "dask" 使用')
    for section in ("mail", "imap", "web"):
        port = built.get(section, {}).get("port")
        if isinstance(port, int) and not 0 < port < 65536:
            problem((section, "port"), f"[{section}] port「{port}」不是有效的端口号（1–65535）")
    mail = built.get("mail", {})
    for key in ("retries",):
        if key in mail and mail[key] < 1:
            problem(("mail", key), f"[mail] {key} 应至少为 1")
    for key in ("timeout", "backoff", "backoff_max"):
        if key in mail and mail[key] < 0:
            problem(("mail", key), f"[mail] {key} 不能为负数")

    web = built.get("web", {})
    if bool(web.get("certfile")) != bool(web.get("keyfile")):
        given_key = "certfile" if web.get("certfile") else "keyfile"
        problem(("web", given_key), "[web] certfile 和 keyfile 须同时填写（TLS 证书及其私钥）")
    if "max_upload_mb" in web and web["max_upload_mb"] < 1:
        problem(("web", "max_upload_mb"), "[web] max_upload_mb 应至少为 1")

    for key, value in built.get("limits", {}).items():
        if value < 1:
            problem(("limits", key), f"[limits] {key} 应至少为 1")

    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise SettingsError(problems)
    given = {name: dict(sections.get(name, {})) for name in SECTIONS}
    return Settings(
        scheme=str(scheme),
        office=top.get("office") or None,  # type: ignore[arg-type]
        timezone=str(tz or DEFAULT_TIMEZONE),
        bulletin=BulletinSettings(**built.get("bulletin", {})),
        database=DatabaseSettings(**built.get("database", {})),
        run=RunSettings(**run),
        mail=MailSection(**mail),
        imap=ImapSection(**built["imap"]) if "imap" in built else None,
        limits=LimitsSettings(**built.get("limits", {})),
        web=WebSection(**web),
        given=given,
    )


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
