"""Mailing the bulletin (通报发送): every scored unit gets the bulletin PDF and its own
statement (得分说明), one message per address of the roster, over SMTP.

Every message is recorded in the store's `deliveries` table before it goes out, just
before its content goes to the server and after, so sending again sends nothing twice and
a run that stops halfway (server down, a crash) resumes with what is not yet sent.
Temporary failures (4xx replies, connections lost before the message was handed over) are
retried with exponential backoff; a refused address (5xx), or one the server cannot take,
is recorded as failed and the others still go. A message handed over without an answer
(the connection dropped after DATA, or a crash) is uncertain: never retried by itself,
only with `kaohe send --resend-uncertain`. A version sent after an earlier one reached a
unit is a 更正 (correction) that tells the unit what changed for it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from flows import outputs, readers
from flows.workspace import CONFIG, Workspace
from store.repository import Store
from transforms import changes as ch
from transforms import review
from transforms.addresses import normalise_address
from transforms.errors import InputError
from transforms.periods import Period
from transforms.wording import cn_date, fmt_points, group_label

TEMPLATES = Path(__file__).resolve().parent.parent / "report_templates"


class MailError(InputError):
    """A problem that stops the whole sending run (settings, login, TLS, server down)."""


# ------------------------------------------------------------------------- settings


@dataclass
class MailSettings:
    """`[mail]` of kaohe.toml. `retries` is the number of attempts per message, `backoff`
    the first wait in seconds (doubled after each attempt, at most `backoff_max`)."""

    host: str
    sender: str
    port: int = 25
    starttls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: str | None = None
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 2.0
    backoff_max: float = 60.0

    @classmethod
    def from_workspace(cls, ws: Workspace) -> MailSettings:
        m = ws.mail
        if not m.get("host"):
            raise MailError(
                "没有配置邮件服务器：请在 kaohe.toml 的 [mail] 中填写 host 和 sender", file=CONFIG
            )
        password = None
        if m.get("username"):
            env = m.get("password_env")
            if not env:
                raise MailError(
                    "[mail] 设置了 username，但没有 password_env（保存 SMTP 密码的环境变量名）",
                    file=CONFIG,
                )
            password = os.environ.get(env)
            if not password:
                raise MailError(
                    f"环境变量 {env} 未设置：SMTP 登录密码从该变量读取（kaohe.toml [mail] "
                    f"password_env），请先执行 export {env}=…… 再运行"
                )
        starttls = bool(m.get("starttls", False))
        sender, why = normalise_address(sender_address(m)[0], any_host=True)
        if sender is None:
            raise MailError(f"[mail] 的发件人地址 sender {why}", file=CONFIG)
        try:
            return cls(
                host=str(m["host"]),
                sender=sender,
                port=int(m.get("port") or (587 if starttls else 25)),
                starttls=starttls,
                username=m.get("username") or None,
                password=password,
                cafile=m.get("cafile") or None,
                timeout=float(m.get("timeout", 30)),
                retries=max(1, int(m.get("retries", 4))),
                backoff=float(m.get("backoff", 2.0)),
                backoff_max=float(m.get("backoff_max", 60.0)),
            )
        except (TypeError, ValueError) as err:
            raise MailError(f"[mail] 设置有误：{err}", file=CONFIG) from err


def sender_address(mail: dict[str, Any]) -> tuple[str, str | None]:
    """The sender address of `[mail]` and, when `sender` is unset, the warning that says
    which address is used instead (the login `username` when it is an address, else
    kaohe@<host>) and how to set it."""
    sender = str(mail.get("sender") or "").strip()
    if sender:
        return sender, None
    username = str(mail.get("username") or "").strip()
    if "@" in username:
        used, why = username, "登录用户名"
    else:
        used, why = f"kaohe@{mail.get('host') or 'localhost'}", "默认地址"
    return used, (
        f"注意：kaohe.toml 的 [mail] 没有设置 sender（发件人地址），本次以{why} {used} 作为"
        f"发件人，收件单位看到的回复地址也是它；请在 kaohe.toml 的 [mail] 中加一行 "
        f'sender = "本办公室的邮箱地址"（例如 sender = "xxb@example.gov.cn"）'
    )


# ------------------------------------------------------------------------- messages


@dataclass
class Outgoing:
    """One message to one address of a unit: its text and the files it carries. The
    message is built when it is sent (`build`), on the machine that sends it, so that a
    plan of thousands of messages holds no PDF in memory and travels light to Dask."""

    unit: str
    address: str
    correction: bool
    subject: str
    body: str
    #: the From header
    sender: str
    #: the X-Kaohe-Run header: period and version folder
    run_label: str
    #: (file name in the message, path) of each attachment
    attachments: list[tuple[str, str]]
    timezone: str = "Asia/Shanghai"
    #: the bulletin it carries: "" the run's bulletin.pdf, else the sha256 of the signed
    #: bulletin sent in its place (the delivery rows' `bulletin`)
    bulletin: str = ""

    def build(self, message_id: str | None = None) -> EmailMessage:
        msg = EmailMessage(policy=SMTP_POLICY)
        msg["Subject"] = self.subject
        msg["From"] = self.sender
        msg["To"] = self.address
        msg["Date"] = format_datetime(datetime.now(ZoneInfo(self.timezone)))
        msg["X-Kaohe-Run"] = self.run_label
        if message_id:
            msg["Message-ID"] = message_id
        msg.set_content(self.body)
        for filename, path in self.attachments:
            msg.add_attachment(
                Path(path).read_bytes(),
                maintype="application",
                subtype=ATTACHMENT_TYPES.get(Path(filename).suffix.lower(), "octet-stream"),
                filename=filename,
            )
        return msg


#: MIME subtypes (of application/) of the files a message carries
ATTACHMENT_TYPES = {
    ".pdf": "pdf",
    ".docx": "vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class Plan:
    period: Period
    version: int
    version_dir: Path
    run: Any  # store.models.Run
    messages: list[Outgoing]
    no_address: list[str]
    #: the office's signed bulletin sent in place of bulletin.pdf, if any
    signed: Signed | None = None


@dataclass(frozen=True)
class Signed:
    """A signed bulletin (签发稿) as a send uses it: where it is kept, its sha256, and the
    name it came with."""

    path: Path
    sha256: str
    name: str


def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
    )


def _roster(ws: Workspace) -> dict[str, list[str]]:
    units = readers.read_units(ws.root / "units.csv", ws.root)
    if units.is_empty():
        units = ws.scheme.roster()
    return {r["unit"]: list(r["emails"] or []) for r in units.iter_rows(named=True)}


def _statement_path(version_dir: Path, unit: str, manifest: dict | None = None) -> Path:
    """The unit's statement as the run wrote it: manifest.json's `statements` maps each
    unit to its file (flows.render.statement_stems); a version written before it did
    named the file after the unit."""
    mapped = ((manifest or {}).get("statements") or {}).get(unit)
    if mapped:
        return version_dir / mapped
    from flows.render import statement_filename

    return version_dir / "statements" / f"{statement_filename(unit)}.pdf"


def bulletin_date(run: Any, timezone: str) -> date:
    """The date the bulletin of a recorded run is signed with (its 落款): `issued` of its
    manifest; a version recorded before manifests held it was signed on the day it was
    made, the default of `kaohe run --issued`."""
    issued = (run.manifest or {}).get("issued")
    if issued:
        return date.fromisoformat(str(issued))
    started = run.started_at
    if started.tzinfo is not None:
        started = started.astimezone(ZoneInfo(timezone))
    return started.date()


def plan(
    ws: Workspace,
    period: Period,
    store: Store,
    sender: str,
    say: Callable[[str], None] | None = None,
    signed: Path | None = None,
    keep: bool = True,
) -> Plan:
    """The messages of the latest version of `period`, one per unit and address.

    The version must be this workspace's (`outputs.workspace_identity`) and recorded with
    the same inputs as its folder; a run that was killed between publishing its folder and
    recording it is completed first (`outputs.reconcile`). Each unit's statement is the
    file manifest.json maps it to."""
    version_dir = outputs.latest_version_dir(ws.out_dir(period.label))
    if version_dir is None:
        raise InputError(
            f"{period.title}还没有生成通报：请先运行 kaohe run {ws.root} --period {period.label}"
        )
    version = int(version_dir.name[1:])
    ident = outputs.workspace_identity(ws.root, ws.database_url)
    if ident.note and say is not None:
        say(ident.note)
    for line in outputs.reconcile(store, ident, version_dir.parent, period.label):
        if say is not None:
            say(line)
    manifest = outputs.read_manifest(version_dir) or {}
    run = store.run(period.label, version, workspace=ident.ids)
    rerun = f"请运行 kaohe run {ws.root} --period {period.label}，它会生成并记录新的版本"
    if manifest.get("workspace") not in (None, *ident.ids):
        raise InputError(
            f"{version_dir} 不是本工作区生成的（工作区是复制来的，或该文件夹来自别的工作区），"
            f"不能从这里发送：{rerun}"
        )
    if run is None or run.status != "complete":
        raise InputError(
            f"数据库中没有本工作区 {period.label} {version_dir.name} 的运行记录"
            f"（{ws.database_url}）：{rerun}"
        )
    if manifest.get("inputs_hash") != run.inputs_hash:
        raise InputError(
            f"{version_dir} 与数据库中 {version_dir.name} 的运行记录不是同一次运行的结果"
            f"（文件夹被替换过？），为免发出与通报不符的数字，不予发送：{rerun}"
        )
    bulletin = version_dir / "bulletin.pdf"
    if not bulletin.is_file():
        raise InputError(f"缺少通报文件 {bulletin}")
    kept = None
    if signed is not None:
        kept = keep_signed(store, run, version_dir, signed, ws.timezone, keep=keep)
        bulletin = kept.path
    scores = store.scores(run.id)
    ledger = store.ledger(run.id)
    roster = _roster(ws)
    env = _env()
    issued = bulletin_date(run, ws.timezone)
    bulletin_name = f"{period.title}政务信息工作情况通报" + (
        f"（第{version}版）" if version > 1 else ""
    )
    #: previous version → what changed since, per unit (transforms.changes.unit_changes)
    earlier: dict[int, dict[str, dict[str, Any]]] = {}
    draft = bool((outputs.read_manifest(version_dir) or {}).get("draft"))
    messages, no_address = [], []
    for row in scores.iter_rows(named=True):
        unit = row["unit"]
        addresses = roster.get(unit) or []
        if not addresses:
            no_address.append(unit)
            continue
        statement = _statement_path(version_dir, unit, manifest)
        if not statement.is_file():
            raise InputError(f"缺少{unit}的得分说明 {statement}")
        previous = store.last_sent_version(period.label, unit, before=version, workspace=ident.ids)
        change_lines: list[str] = []
        if previous is not None:
            if previous not in earlier:
                prev_run = store.run(period.label, previous, workspace=ident.ids)
                earlier[previous] = ch.unit_changes(
                    {
                        "units": ch.diff_scores(store.scores(prev_run.id), scores),
                        "ledger": ch.diff_ledgers(store.ledger(prev_run.id), ledger),
                    }
                )
            change_lines = ch.change_lines(earlier[previous].get(unit))
        statement_name = f"{unit}{period.title}得分说明"
        suffix = bulletin.suffix.lower()
        ctx = {
            "unit": unit,
            "group": group_label(row["group"]),
            "points": fmt_points(row["points"]),
            "rank": row["rank"],
            "target_met": row["target_met"],
            "office": ws.office,
            "period_title": period.title,
            "version": version,
            "previous_version": previous,
            "correction": previous is not None,
            "change_lines": change_lines,
            "bulletin_name": bulletin_name + suffix,
            "statement_name": statement_name + ".pdf",
            "date_cn": cn_date(issued),
        }
        subject = " ".join(env.get_template("mail_subject.txt.j2").render(ctx).split())
        if draft and kept is None:  # a signed bulletin is the office's approval
            subject = f"【征求意见稿】{subject}"
        body = env.get_template("mail_body.txt.j2").render(ctx).strip() + "\n"
        # an address written twice is mailed once (and recorded once)
        for address in dict.fromkeys(addresses):
            messages.append(
                Outgoing(
                    unit=unit,
                    address=address,
                    correction=previous is not None,
                    subject=subject,
                    body=body,
                    sender=formataddr((ws.office, sender)),
                    run_label=f"{period.label} {version_dir.name}",
                    attachments=[
                        (bulletin_name + suffix, str(bulletin)),
                        (statement_name + ".pdf", str(statement)),
                    ],
                    timezone=ws.timezone,
                    bulletin=kept.sha256 if kept is not None else "",
                )
            )
    return Plan(period, version, version_dir, run, messages, no_address, kept)


# ------------------------------------------------------------------ signed bulletins

#: the signed bulletin's largest size (bytes): a bulletin with its tables is a few MB
SIGNED_MAX_BYTES = 50 * 1024 * 1024


def check_signed(path: Path) -> None:
    """An InputError naming the file unless it is a Word document (.docx) or a PDF that
    can be mailed: it exists, is not empty nor over SIGNED_MAX_BYTES, and is what its
    name says (a .docx is a zip holding word/document.xml, a .pdf starts with %PDF-)."""
    import zipfile

    what = f"签发稿 {path}"
    if path.suffix.lower() not in (".docx", ".pdf"):
        raise InputError(
            f"{what} 不是 .docx 或 .pdf 文件：请把签发的通报存为 Word 文档（.docx）或 PDF 后再发送"
            "（.doc 请在 WPS 或 Word 中“另存为” .docx）"
        )
    if not path.is_file():
        raise InputError(f"找不到{what}：请检查文件路径")
    size = path.stat().st_size
    if size == 0 or size > SIGNED_MAX_BYTES:
        raise InputError(
            f"{what} 大小为 {size} 字节，不像一份通报（应在 1 字节到 "
            f"{SIGNED_MAX_BYTES // 1024 // 1024} MB 之间）：请确认选对了文件"
        )
    if path.suffix.lower() == ".pdf":
        with open(path, "rb") as f:
            ok = f.read(5) == b"%PDF-"
    else:
        try:
            with zipfile.ZipFile(path) as z:
                ok = "word/document.xml" in z.namelist()
        except (zipfile.BadZipFile, OSError):
            ok = False
    if not ok:
        raise InputError(
            f"{what} 的内容不是{'PDF' if path.suffix.lower() == '.pdf' else ' Word 文档'}"
            "（文件损坏，或只是改了扩展名）：请在 WPS 或 Word 中重新保存后再发送"
        )


def signed_folder(version_dir: Path) -> Path:
    """Where the signed bulletins of a version are kept: `v<N>.signed/` beside `v<N>/`
    (the version folder stays as the run wrote it)."""
    return version_dir.with_name(f"{version_dir.name}.signed")


def keep_signed(
    store: Store, run: Any, version_dir: Path, source: Path, timezone: str, keep: bool = True
) -> Signed:
    """The signed bulletin `source`, checked (`check_signed`), copied beside the version
    folder (`v<N>.signed/<its name>`; a different file of the same name gets its hash's
    first digits) and recorded with the version and its sha256. The same file given again
    is the same record and copy. With `keep` False (a dry run) nothing is copied nor
    recorded."""
    import shutil

    source = Path(source)
    check_signed(source)
    sha = outputs.file_sha256(source)
    if not keep:
        return Signed(source, sha, source.name)
    known = store.signed_bulletin(run.id, sha)
    if known is not None and Path(known.path).is_file():
        return Signed(Path(known.path), sha, known.name)
    folder = signed_folder(version_dir)
    name = re.sub(r"[/\\\x00-\x1f\x7f]", "_", source.name).lstrip(".") or f"签发稿{source.suffix}"
    target = folder / name
    if target.exists() and outputs.file_sha256(target) != sha:
        target = folder / f"{Path(name).stem}~{sha[:8]}{Path(name).suffix}"
    if not target.exists():
        folder.mkdir(exist_ok=True)
        tmp = folder / f".{target.name}.{os.getpid()}.tmp"
        try:
            shutil.copyfile(source, tmp)
            if outputs.file_sha256(tmp) != sha:
                raise InputError(f"签发稿 {source} 在复制时被改动：请关闭正在编辑它的程序后再发送")
            os.replace(tmp, target)
        except OSError as err:
            raise InputError(
                f"无法把签发稿保存到 {folder}（{err.strerror or err}）：请确认工作区可写后再发送"
            ) from err
        finally:
            tmp.unlink(missing_ok=True)
    store.record_signed_bulletin(
        run,
        name=source.name,
        path=str(target),
        sha256=sha,
        size=target.stat().st_size,
        recorded_at=datetime.now(ZoneInfo(timezone)),
    )
    return Signed(target, sha, source.name)


# ------------------------------------------------------------------------- SMTP


@dataclass
class Attempt:
    """How one message went: sent, failed (refused for good, or an address the server
    cannot take), deferred (still failing temporarily after every retry), uncertain (the
    message was handed over but the server's answer never came: it may have arrived, so it
    is not sent again unless the office asks) or already (sent before, not sent again);
    `down` when the server could not be reached."""

    status: str
    attempts: int
    error: str | None = None
    down: bool = False
    #: an uncertain outcome of an earlier send, reported again (nothing was sent now)
    known: bool = False


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {text}".strip()


def _flatten(msg: EmailMessage, utf8: bool) -> bytes:
    """The message as it goes over the wire (CRLF lines), as smtplib's send_message makes
    it; with `utf8` (an address that needs SMTPUTF8) headers stay UTF-8."""
    buf = io.BytesIO()
    policy = msg.policy.clone(utf8=True) if utf8 else msg.policy
    BytesGenerator(buf, policy=policy).flatten(msg, linesep="\r\n")
    return buf.getvalue()


def _dot_stuffed(data: bytes) -> bytes:
    """DATA content: leading dots doubled, ended by CRLF . CRLF (RFC 5321 4.5.2)."""
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


#: mark(status, attempt): the Mailer's word to the delivery log while a message is in
#: flight: "sending" just before the message's content goes to the server (from then on
#: a crash leaves its outcome unknown), "queued" when the server is known not to have it
Mark = Callable[[str, int], None]


class Mailer:
    """One SMTP connection, opened on demand and reopened after it is lost."""

    def __init__(self, settings: MailSettings, sleep: Callable[[float], None] = time.sleep):
        self.s = settings
        self.sleep = sleep
        self.conn: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self._drop(quit=True)

    def _drop(self, quit: bool = False) -> None:
        if self.conn is not None:
            try:
                if quit:
                    self.conn.quit()
                else:
                    self.conn.close()
            except (smtplib.SMTPException, OSError):
                pass
        self.conn = None

    def _connect(self) -> smtplib.SMTP:
        if self.conn is not None:
            return self.conn
        s = self.s
        conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            conn.ehlo()
            if s.starttls:
                ctx = ssl.create_default_context(cafile=s.cafile)
                try:
                    conn.starttls(context=ctx)
                except smtplib.SMTPNotSupportedError as err:
                    raise MailError(
                        f"邮件服务器 {s.host}:{s.port} 不支持 STARTTLS（kaohe.toml [mail] starttls）"
                    ) from err
                except ssl.SSLError as err:
                    raise MailError(f"与邮件服务器 {s.host} 建立加密连接失败：{err}") from err
                conn.ehlo()
            if s.username:
                try:
                    conn.login(s.username, s.password or "")
                except smtplib.SMTPAuthenticationError as err:
                    raise MailError(
                        f"邮件服务器拒绝登录（用户 {s.username}）："
                        f"{_reply(err.smtp_code, err.smtp_error)}"
                    ) from err
                except smtplib.SMTPNotSupportedError as err:
                    raise MailError(
                        f"邮件服务器 {s.host} 不支持登录（AUTH）；未加密时请设置 starttls = true"
                    ) from err
                except UnicodeEncodeError as err:
                    raise MailError("SMTP 用户名和密码只能包含英文字母、数字和符号") from err
        except BaseException:
            conn.close()
            raise
        self.conn = conn
        return conn

    def _refused(self, conn: smtplib.SMTP, code: int, text: bytes) -> tuple[str, str]:
        """A reply that is not a yes: 5xx fails the address, anything else is retried. The
        transaction is reset (a 421 closes the connection) so that the next can start."""
        if code == 421 or code < 0:
            self._drop()
        else:
            try:
                conn.rset()
            except (smtplib.SMTPException, OSError):
                self._drop()
        return ("failed" if code >= 500 else "retry"), _reply(code, text)

    def _transaction(
        self, conn: smtplib.SMTP, msg: EmailMessage, address: str, attempt: int, mark: Mark
    ) -> tuple[str, str | None]:
        """MAIL, RCPT, DATA for one address: ("sent" | "failed" | "retry" | "uncertain",
        error). A connection lost before the content is complete raises (OSError): the
        server cannot have the message. Once the content has gone, a lost connection or a
        timeout is "uncertain", never retried here."""
        s = self.s
        utf8 = not (s.sender + address).isascii()
        if utf8 and not conn.has_extn("smtputf8"):
            return "failed", (
                f"邮件服务器 {s.host} 不接受含中文等非英文字符的地址（不支持 SMTPUTF8），"
                "请在 units.csv 中改用英文地址"
            )
        data = _flatten(msg, utf8)
        options = ["SMTPUTF8", "BODY=8BITMIME"] if utf8 else []
        if conn.does_esmtp and conn.has_extn("size"):
            options.append(f"size={len(data)}")
        code, text = conn.mail(s.sender, options)
        if code != 250:
            status, error = self._refused(conn, code, text)
            return status, f"发件人 {s.sender} 被拒绝：{error}"
        code, text = conn.rcpt(address)
        if code not in (250, 251):
            return self._refused(conn, code, text)
        conn.putcmd("data")
        code, text = conn.getreply()
        if code != 354:
            return self._refused(conn, code, text)
        mark("sending", attempt)
        try:
            conn.send(_dot_stuffed(data))
        except (smtplib.SMTPServerDisconnected, OSError):
            mark("queued", attempt)  # the final CRLF . CRLF did not go: not delivered
            raise
        try:
            code, text = conn.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as err:
            self._drop()
            return "uncertain", (
                f"邮件已交给服务器，但连接在服务器答复前中断（{err or '连接被关闭'}），"
                "对方是否收到不明"
            )
        if code == 250:
            return "sent", None
        mark("queued", attempt)
        return self._refused(conn, code, text)

    def send(self, msg: EmailMessage, address: str, mark: Mark | None = None) -> Attempt:
        """Send with retries: 4xx replies and connections lost before the message was
        handed over wait `backoff`, 2×, 4×… seconds between attempts; a 5xx reply, or an
        address the server cannot take, fails at once; a connection lost after the message
        was handed over is "uncertain" at once (retrying could deliver it twice)."""
        s = self.s
        mark = mark or (lambda _status, _attempt: None)
        error, down = None, False
        for attempt in range(1, s.retries + 1):
            try:
                conn = self._connect()
                status, error = self._transaction(conn, msg, address, attempt, mark)
                down = False
                if status != "retry":
                    return Attempt(status, attempt, error)
            except (smtplib.SMTPServerDisconnected, OSError) as err:
                error, down = f"无法连接邮件服务器 {s.host}:{s.port}（{err}）", True
                self._drop()
            if attempt < s.retries:
                self.sleep(min(s.backoff * 2 ** (attempt - 1), s.backoff_max))
        return Attempt("deferred", s.retries, error, down)


# ------------------------------------------------------------------------- the command


def received_files(store: Store, p: Plan, got: dict[str, int]) -> list[str]:
    """Which file went out in the messages sent before, in Chinese lines: 「N 封附的是…」
    per bulletin (the generated bulletin.pdf, or a signed file where it is kept)."""
    signed = {b.sha256: b for b in store.signed_bulletins(p.run.id)}
    lines = []
    for k, n in sorted(got.items(), key=lambda kv: (kv[0] != "", kv[0])):
        if not k:
            what = f"生成的通报 {p.version_dir / 'bulletin.pdf'}"
        elif k in signed:
            what = f"签发稿 {signed[k].path}（sha256 {k[:16]}…）"
        else:
            what = f"签发稿（sha256 {k[:16]}…）"
        lines.append(f"其中 {n} 封附的是{what}")
    return lines


@dataclass
class SendReport:
    period: str
    version: int
    total: int = 0
    #: the signed bulletin this send carries in place of bulletin.pdf, if any
    signed: Signed | None = None
    #: which file the messages sent before carried (received_files)
    received: list[str] = field(default_factory=list)
    already: int = 0
    sent: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    deferred: list[tuple[str, str, str]] = field(default_factory=list)
    #: handed to the server without its answer (or left so by a crash): maybe received
    uncertain: list[tuple[str, str, str]] = field(default_factory=list)
    no_address: list[str] = field(default_factory=list)
    stopped: str | None = None
    #: messages of this send that reached the server (any answer, or none after DATA)
    tried: int = 0
    written: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.failed or self.deferred or self.uncertain or self.stopped)

    @property
    def untried(self) -> bool:
        """Nothing could be tried: the server could not be reached for any message."""
        return bool(self.stopped) and self.tried == 0


def _eml_name(o: Outgoing) -> str:
    """<statement stem>_<address>.eml: unique per (unit, address) and of bounded length,
    like the statement's name (an address that had to be changed or cut gets a hash)."""
    stem = Path(o.attachments[-1][1]).stem
    addr = re.sub(r"[^\w.@+-]", "_", o.address)
    if addr != o.address or len(addr.encode("utf-8")) > 64:
        cut = addr.encode("utf-8")[:40].decode("utf-8", errors="ignore")
        addr = f"{cut}~{hashlib.sha256(o.address.encode('utf-8')).hexdigest()[:8]}"
    return f"{stem}_{addr}.eml"


@dataclass(frozen=True)
class RunRef:
    """The run a send belongs to, as the delivery rows need it (light enough for Dask)."""

    id: int
    period: str
    version: int
    timezone: str = "Asia/Shanghai"


@dataclass
class Outcome:
    """How message `number` (1-based, in the order of the plan) went."""

    number: int
    unit: str
    address: str
    attempt: Attempt


STOPPED = "邮件服务器无法连接，已停止发送；已发送的不会重发，再次运行 kaohe send 将从中断处继续"

#: delivery statuses whose message may have reached the server: never sent again unless
#: the office asks (`kaohe send --resend-uncertain`). `sending` is what a crash leaves.
UNCERTAIN = ("sending", "uncertain")

INTERRUPTED = "上次发送在邮件交给服务器后中断（程序被终止或崩溃），对方是否收到不明"


def doubtful(run: RunRef, number: int, o: Outgoing, prev: Any, store: Store) -> Outcome:
    """The outcome of a message whose delivery row says it may have arrived (UNCERTAIN):
    reported again, not sent; a row left `sending` by a crash becomes `uncertain`."""
    error = prev.error if prev.status == "uncertain" and prev.error else INTERRUPTED
    if prev.status != "uncertain":
        store.save_delivery(
            run,
            o.unit,
            o.address,
            o.bulletin,
            status="uncertain",
            error=error,
            updated_at=datetime.now(ZoneInfo(run.timezone)),
        )
    return Outcome(number, o.unit, o.address, Attempt("uncertain", 0, error, known=True))


def deliver(
    run: RunRef,
    items: list[tuple[int, Outgoing]],
    store: Store,
    mailer: Mailer,
    *,
    stop: Callable[[], bool] | None = None,
    each: Callable[[Outcome], None] | None = None,
    resend_uncertain: bool = False,
) -> list[Outcome]:
    """Send numbered messages in order over one connection, each recorded in `store` before
    it goes out (`queued`, with its Message-ID), just before its content goes to the
    server (`sending`) and after (its outcome).

    The one code path of every runner: the default runner calls it once with every message,
    the Dask runner once per batch, in each worker. A message the store already has as
    `sent` is skipped (sent before a crash or by an earlier try of the batch); one left
    `sending` (a crash, a killed worker) or `uncertain` may have arrived and is reported
    as uncertain, not sent, unless `resend_uncertain`. One that was tried before keeps its
    Message-ID, so a receiver can tell a resend from a new message. It stops after a
    message finding the server down, and before the next message when `stop()` says so
    (another batch found it down). A MailError (login, TLS) is recorded as `deferred` and
    raised."""
    tz = ZoneInfo(run.timezone)
    domain = mailer.s.sender.rpartition("@")[2] or None
    done: list[Outcome] = []

    def tell(outcome: Outcome) -> None:
        done.append(outcome)
        if each is not None:
            each(outcome)

    for number, o in items:
        if stop is not None and stop():
            break
        prev = store.delivery(run.id, o.unit, o.address, o.bulletin)
        if prev is not None and prev.status == "sent":
            # Sent by an earlier try of this batch (a Dask worker died after sending it).
            tell(Outcome(number, o.unit, o.address, Attempt("already", 0)))
            continue
        if prev is not None and prev.status in UNCERTAIN and not resend_uncertain:
            tell(doubtful(run, number, o, prev, store))
            continue
        msg_id = prev.message_id if prev is not None else make_msgid(domain=domain)
        tried = prev.attempts if prev is not None else 0
        message = o.build(msg_id)
        store.save_delivery(
            run,
            o.unit,
            o.address,
            o.bulletin,
            message_id=msg_id,
            correction=o.correction,
            status="queued",
            updated_at=datetime.now(tz),
        )

        def mark(status: str, attempt: int, o: Outgoing = o, tried: int = tried) -> None:
            store.save_delivery(
                run,
                o.unit,
                o.address,
                o.bulletin,
                status=status,
                attempts=tried + attempt,
                updated_at=datetime.now(tz),
            )

        try:
            result = mailer.send(message, o.address, mark)
        except MailError:
            store.save_delivery(
                run, o.unit, o.address, o.bulletin, status="deferred", updated_at=datetime.now(tz)
            )
            raise
        now = datetime.now(tz)
        store.save_delivery(
            run,
            o.unit,
            o.address,
            o.bulletin,
            status=result.status,
            attempts=tried + result.attempts,
            error=result.error,
            sent_at=now if result.status == "sent" else None,
            updated_at=now,
        )
        tell(Outcome(number, o.unit, o.address, result))
        if result.down:
            break
    return done


def account(report: SendReport, o: Outcome, total: int, say: Callable[[str], None]) -> None:
    """Add one outcome to the report and say it (the same lines for every runner)."""
    r = o.attempt
    head = f"  [{o.number}/{total}] {o.unit} <{o.address}>"
    if r.status not in ("already",) and not r.known and not r.down:
        report.tried += 1
    if r.status == "already":
        report.already += 1
        say(f"{head} 已发送过，不再重发")
    elif r.status == "sent":
        report.sent.append((o.unit, o.address))
        say(f"{head} 已发送")
    elif r.status == "failed":
        report.failed.append((o.unit, o.address, r.error or ""))
        say(f"{head} 被拒收：{r.error}")
    elif r.status == "uncertain":
        report.uncertain.append((o.unit, o.address, r.error or ""))
        if r.known:
            say(f"{head} 结果不明，未重发：{r.error}")
        else:
            say(f"{head} 结果不明：{r.error}；不自动重发")
    else:
        report.deferred.append((o.unit, o.address, r.error or ""))
        say(f"{head} 暂时无法发送（已试 {r.attempts} 次）：{r.error}")
        if r.down and report.stopped is None:
            report.stopped = r.error


class DraftError(InputError):
    """`kaohe send` of a draft version (征求意见稿) without --allow-draft."""


def draft_of(ws: Workspace, period: Period) -> tuple[Path, dict[str, int]] | None:
    """(version folder, open questions by type) when the latest version of `period` is a
    draft (its manifest says so: questions that change points are open), else None."""
    version_dir = outputs.latest_version_dir(ws.out_dir(period.label))
    manifest = outputs.read_manifest(version_dir) or {}
    if version_dir is None or not manifest.get("draft"):
        return None
    return version_dir, dict(manifest.get("open_questions") or {})


def refuse_draft(ws: Workspace, period: Period) -> None:
    """A DraftError (exit 2) when the latest version of `period` is a draft."""
    draft = draft_of(ws, period)
    if draft is None:
        return
    version_dir, counts = draft
    raise DraftError(
        f"{period.title}通报（{version_dir.name}）是征求意见稿，未发送：尚有"
        f"{sum(counts.values())}个影响得分的问题待答复（{review.describe_open(counts)}），"
        f"见 {version_dir / 'review.csv'}。请把答复填入 {ws.root / 'decisions.csv'}"
        f"（可直接复制 review.csv 的行，填写“答复”列），运行 kaohe run {ws.root} --period "
        f"{period.label} 生成正式版后再发送；确需先把征求意见稿发给各单位，请运行 "
        f"kaohe send {ws.root} --period {period.label} --allow-draft"
    )


def mail_office(ws: Workspace, period: Period) -> str | None:
    """Mail the office (`[mail] office_address`) the open questions of the draft latest
    version of `period`: a Chinese text saying what to do, review.csv attached. Returns the
    address mailed; None (nothing mailed) when the version is no draft or no office_address
    is set. A refused or undelivered message is a MailError."""
    draft = draft_of(ws, period)
    typed = str(ws.mail.get("office_address") or "").strip()
    if draft is None or not typed:
        return None
    # Checked as the roster's addresses are: a cell such as `Bcc: …` never reaches SMTP.
    address, why = normalise_address(typed, any_host=True)
    if address is None:
        raise MailError(f"[mail] 的本办邮箱 office_address {why}", file=CONFIG)
    version_dir, counts = draft
    settings = MailSettings.from_workspace(ws)
    total = sum(counts.values())
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["Subject"] = f"{period.title}政务信息通报为征求意见稿：{total}个问题待答复"
    msg["From"] = formataddr(("kaohe", settings.sender))
    msg["To"] = address
    msg["Date"] = format_datetime(datetime.now(ZoneInfo(ws.timezone)))
    msg["X-Kaohe-Run"] = f"{period.label} {version_dir.name}"
    msg["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    msg.set_content(
        f"{ws.office}：\n\n"
        f"{period.title}政务信息通报（{version_dir.name}）已按计划生成，但尚有{total}个"
        f"影响得分的问题待答复（{review.describe_open(counts)}），因此本版为征求意见稿，"
        "没有发送给各单位。\n\n"
        "请按以下步骤处理：\n"
        "1．打开附件 review.csv（也在 "
        f"{version_dir / 'review.csv'}），逐行核实，在“答复”列按“可填答复”列的说明填写；\n"
        f"2．把填好的行存为（或追加到）{ws.root / 'decisions.csv'}；\n"
        f"3．运行 kaohe run {ws.root} --period {period.label} 生成正式版；\n"
        f"4．运行 kaohe send {ws.root} --period {period.label} 发送给各单位。\n\n"
        "“影响得分”为“否”的问题仅供参考，不影响正式印发。\n"
    )
    msg.add_attachment(
        # text with its BOM, so that Excel reads the Chinese
        (version_dir / "review.csv").read_bytes().decode("utf-8"),
        subtype="csv",
        charset="utf-8",
        filename=f"{period.label}待核实清单review.csv",
    )
    with Mailer(settings) as mailer:
        attempt = mailer.send(msg, address)
    if attempt.status != "sent":
        raise MailError(
            f"待核实清单未能发送到 {address}：{attempt.error}（kaohe.toml [mail] office_address）",
            file=CONFIG,
        )
    return address


def send_period(
    workspace: str | Path,
    period: str,
    *,
    dry_run: bool = False,
    allow_draft: bool = False,
    progress: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    resend_uncertain: bool = False,
    confirm_uncertain: bool = False,
    bulletin: str | Path | None = None,
    resend: bool = False,
) -> SendReport:
    """Mail the latest version of `period` (or with `dry_run` write it as .eml files).
    Messages whose outcome is uncertain are reported, and sent again only with
    `resend_uncertain`; `confirm_uncertain` records them as sent (their units said they
    have them).

    A draft version (征求意见稿: open questions that change points, see
    transforms.review) is refused with a DraftError unless `allow_draft` (or `dry_run`,
    which mails nothing); its messages' subjects then say 征求意见稿.

    `bulletin`: the office's edited and signed bulletin (.docx or .pdf), mailed in place of
    the generated bulletin.pdf (`keep_signed`: kept beside the version folder, recorded
    with the version and its sha256). Giving it is the office's approval: the draft refusal
    does not apply and the subjects carry no 征求意见稿. A unit that already received a
    bulletin of this version (the generated one or another signed file) is not mailed
    again unless `resend`; the same signed file never goes twice to an address.

    With `[run] task_runner = "dask"` the messages go out in batches on the workspace's
    Dask task runner, inside the Prefect flow `send-bulletin` (flows.dask_runner)."""
    ws = Workspace.load(workspace)
    if resend and bulletin is None:
        raise InputError("--resend 只能与 --bulletin 一起用：它把签发稿再发给已收到本版通报的单位")
    if bulletin is not None:
        check_signed(Path(bulletin))
    elif not (dry_run or allow_draft):
        refuse_draft(ws, Period.parse(period))
    if ws.task_runner == "dask" and not dry_run:
        from flows.dask_runner import send_bulletin
        from flows.lifetime import start_temporary_server

        start_temporary_server()  # Prefect's temporary server ends with us, even by kill -9
        return send_bulletin(
            str(ws.root),
            period,
            progress=progress,
            resend_uncertain=resend_uncertain,
            confirm_uncertain=confirm_uncertain,
            bulletin=None if bulletin is None else str(bulletin),
            resend=resend,
        )
    return mail_period(
        ws,
        period,
        dry_run=dry_run,
        progress=progress,
        sleep=sleep,
        resend_uncertain=resend_uncertain,
        confirm_uncertain=confirm_uncertain,
        bulletin=bulletin,
        resend=resend,
    )


def mail_period(
    ws: Workspace,
    period: str,
    *,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    resend_uncertain: bool = False,
    confirm_uncertain: bool = False,
    bulletin: str | Path | None = None,
    resend: bool = False,
) -> SendReport:
    """`send_period` of a loaded workspace, on its task runner."""
    say = progress or (lambda _text: None)
    if resend_uncertain and confirm_uncertain:
        raise InputError("--resend-uncertain（重发）与 --confirm-uncertain（确认已收到）只能选一个")
    per = Period.parse(period)
    settings = None if dry_run else MailSettings.from_workspace(ws)
    sender, warning = sender_address(ws.mail)
    if warning:
        say(warning)
    with outputs.workspace_lock(ws.root):
        store = Store.open(ws.database_url)
        try:
            p = plan(
                ws,
                per,
                store,
                sender,
                say,
                signed=None if bulletin is None else Path(bulletin),
                keep=not dry_run,
            )
            report = SendReport(per.label, p.version, total=len(p.messages))
            report.no_address = p.no_address
            report.signed = p.signed
            kind = "更正通报" if any(o.correction for o in p.messages) else "通报"
            say(f"{per.title}{kind}（{p.version_dir.name}）：{len(p.messages)} 封邮件")
            if p.signed is not None:
                say(
                    f"  附送签发稿 {p.signed.path}（sha256 {p.signed.sha256[:16]}…），代替生成的 "
                    f"{p.version_dir.name}/bulletin.pdf；已记为 {p.version_dir.name} 的签发稿"
                )
                if draft_of(ws, per):
                    say(
                        "  本版生成时为征求意见稿；发送签发稿即视为本办审定印发，本次不受征求意见稿"
                        "限制，邮件主题不注明【征求意见稿】"
                    )
            elif draft_of(ws, per):
                say("  本版为征求意见稿（尚有影响得分的问题待答复），邮件主题注明【征求意见稿】")
            if p.no_address:
                say(
                    f"  未登记邮箱，未发送：{'、'.join(p.no_address)}（请在 units.csv 的 emails 列填写）"
                )
            if dry_run:
                mail_dir = p.version_dir / "mail"
                mail_dir.mkdir(exist_ok=True)
                domain = sender.rpartition("@")[2] or None
                for o in p.messages:
                    path = mail_dir / _eml_name(o)
                    path.write_bytes(o.build(make_msgid(domain=domain)).as_bytes())
                    report.written.append(path)
                say(f"试运行：未发送，{len(report.written)} 封邮件已写入 {mail_dir}")
                return report
            _send(
                ws,
                p,
                store,
                settings,
                report,
                say,
                sleep,
                resend_uncertain,
                confirm_uncertain,
                resend,
            )
            return report
        finally:
            store.close()


def _send(
    ws: Workspace,
    p: Plan,
    store: Store,
    settings: MailSettings,
    report: SendReport,
    say: Callable[[str], None],
    sleep: Callable[[float], None],
    resend_uncertain: bool = False,
    confirm_uncertain: bool = False,
    resend: bool = False,
) -> None:
    key = p.signed.sha256 if p.signed is not None else ""
    done = store.deliveries(p.run.id, key)
    # what each address already received of this version, whatever the bulletin
    received = {(d.unit, d.address): d for d in store.delivery_rows(p.run.id) if d.status == "sent"}
    run = RunRef(p.run.id, p.run.period, p.run.version, ws.timezone)
    todo, unsure = [], []
    got: dict[str, int] = {}  # bulletin (key) → messages that carried it before
    for o in p.messages:
        d = done.get((o.unit, o.address))
        if d is not None and d.status == "sent":
            got[key] = got.get(key, 0) + 1
            continue
        if d is not None and d.status in UNCERTAIN and not resend_uncertain:
            unsure.append((o, d))
        elif (o.unit, o.address) in received and not resend:
            other = received[(o.unit, o.address)].bulletin
            got[other] = got.get(other, 0) + 1
        else:
            todo.append(o)
    if confirm_uncertain:
        for o, d in unsure:
            store.save_delivery(
                run,
                o.unit,
                o.address,
                o.bulletin,
                status="sent",
                error=f"{d.error or INTERRUPTED}；收件单位确认已收到（kaohe send --confirm-uncertain）",
                sent_at=d.updated_at,
                updated_at=datetime.now(ZoneInfo(ws.timezone)),
            )
            say(f"  结果不明，已确认收到，记为已发送：{o.unit} <{o.address}>")
        unsure = []
    report.already = len(p.messages) - len(todo) - len(unsure)
    if report.already:
        say(f"  已发送过 {report.already} 封，不再重发；本次发送 {len(todo)} 封")
        report.received = received_files(store, p, got)
        for line in report.received:
            say(f"    {line}")
        if p.signed is not None and not resend and any(k != key for k in got):
            say("    已收到本版通报的单位不再发送签发稿；确需把签发稿再发给它们，请加 --resend")
    if unsure:
        say(f"  上次发送结果不明的 {len(unsure)} 封不自动重发：")
        for number, (o, d) in enumerate(unsure, 1):
            account(report, doubtful(run, number, o, d, store), len(unsure), say)
    if not todo:
        return  # nothing left: no connection, no cluster
    items = list(enumerate(todo, 1))
    if ws.task_runner == "dask":
        from flows.dask_runner import send_on_dask

        send_on_dask(
            ws,
            run,
            items,
            settings,
            lambda o: account(report, o, len(todo), say),
            say,
            resend_uncertain=resend_uncertain,
        )
    else:
        with Mailer(settings, sleep) as mailer:
            deliver(
                run,
                items,
                store,
                mailer,
                each=lambda o: account(report, o, len(todo), say),
                resend_uncertain=resend_uncertain,
            )
    if report.stopped:
        say(STOPPED)
