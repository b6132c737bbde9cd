"""Fetching mail from an IMAP mailbox (收取报送邮件): `kaohe fetch-mail DIR`.

A workspace may name the office's mailbox in `kaohe.toml`:

    [imap]
    host = "imap.example.gov.cn"
    port = 993                  # default 993 with ssl, 143 without
    user = "xxk@example.gov.cn"
    folder = "INBOX"            # default INBOX
    password_env = "KAOHE_IMAP_PASSWORD"   # the environment variable holding the password
    ssl = true                  # default true

New messages are saved as `submissions/imap/<folder>/<uid>.eml` (the raw message, as the
server has it), where the next run reads them like any .eml. The folder's UIDVALIDITY
and the last UID fetched are kept in `submissions/imap/<folder>/.kaohe-imap.json` (a
hidden file: not an input of runs), so each fetch asks only for newer messages; when the
server's UIDVALIDITY changes, every message is fetched again and files already present
are kept. The mailbox is opened read-only: nothing is marked or deleted on the server.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from flows import settings
from flows.settings import CONFIG
from transforms.errors import InputError

STATE = ".kaohe-imap.json"
BATCH = 100


@dataclass(frozen=True)
class ImapConfig:
    host: str
    user: str
    password_env: str
    port: int = 993
    folder: str = "INBOX"
    ssl: bool = True

    @classmethod
    def load(cls, root: Path) -> ImapConfig:
        imap = settings.load(root).imap
        if imap is None:
            raise InputError(
                "没有 [imap] 设置：请在其中填写 host、user、password_env（以及 folder、port、ssl）",
                file=CONFIG,
            )
        missing = [k for k in ("host", "user", "password_env") if not getattr(imap, k)]
        if missing:
            raise InputError(f"[imap] 缺少 {'、'.join(missing)}", file=CONFIG)
        return cls(
            host=str(imap.host),
            user=str(imap.user),
            password_env=str(imap.password_env),
            port=imap.port or (993 if imap.ssl else 143),
            folder=imap.folder or "INBOX",
            ssl=imap.ssl,
        )


@dataclass
class FetchResult:
    folder: Path
    fetched: int
    last_uid: int


def folder_dir(root: Path, folder: str) -> Path:
    """submissions/imap/<folder>, the folder's name made safe for a file system."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", folder).strip(". ") or "INBOX"
    return Path(root) / "submissions" / "imap" / safe


def _read_state(d: Path) -> dict:
    try:
        return json.loads((d / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_state(d: Path, state: dict) -> None:
    tmp = d / (STATE + ".tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    tmp.replace(d / STATE)


def fetch_mail(root: Path | str, progress=None) -> FetchResult:
    """Fetch the mailbox's new messages into submissions/imap/<folder>/<uid>.eml."""
    from imapclient import IMAPClient
    from imapclient.exceptions import IMAPClientError, LoginError

    root = Path(root).resolve()
    cfg = ImapConfig.load(root)
    password = os.environ.get(cfg.password_env)
    if password is None:
        raise InputError(
            f"环境变量 {cfg.password_env} 未设置：请先设置邮箱密码（[imap] password_env）",
            file=CONFIG,
        )
    d = folder_dir(root, cfg.folder)
    d.mkdir(parents=True, exist_ok=True)
    state = _read_state(d)
    where = f"{cfg.host}:{cfg.port}"
    try:
        client = IMAPClient(cfg.host, port=cfg.port, ssl=cfg.ssl, timeout=60)
    except (OSError, IMAPClientError) as err:
        raise InputError(f"无法连接邮件服务器 {where}：{err}") from err
    fetched = 0
    try:
        try:
            if password.isascii() and cfg.user.isascii():
                client.login(cfg.user, password)
            else:  # LOGIN is ASCII only; AUTHENTICATE PLAIN carries UTF-8
                client.plain_login(cfg.user, password)
        except LoginError as err:
            raise InputError(
                f"邮件服务器 {where} 拒绝登录（用户 {cfg.user}）：请检查用户名和密码"
            ) from err
        try:
            info = client.select_folder(cfg.folder, readonly=True)
        except IMAPClientError as err:
            raise InputError(f"邮箱中没有文件夹「{cfg.folder}」：{err}", file=CONFIG) from err
        validity = int(info.get(b"UIDVALIDITY", 0))
        last = int(state.get("last_uid", 0)) if state.get("uidvalidity") == validity else 0
        uids = sorted(u for u in client.search(["UID", f"{last + 1}:*"]) if u > last)
        for i in range(0, len(uids), BATCH):
            batch = uids[i : i + BATCH]
            data = client.fetch(batch, ["BODY.PEEK[]"])
            for uid in batch:
                raw = (data.get(uid) or {}).get(b"BODY[]")
                if raw is None:
                    continue
                target = d / f"{uid}.eml"
                if not target.exists():
                    tmp = d / f".{uid}.eml.tmp"
                    tmp.write_bytes(raw)
                    tmp.replace(target)
                    fetched += 1
                last = max(last, uid)
            _write_state(d, {"uidvalidity": validity, "last_uid": last, "folder": cfg.folder})
            if progress is not None:
                progress(f"  已收取 {min(i + BATCH, len(uids))}/{len(uids)} 封")
        _write_state(d, {"uidvalidity": validity, "last_uid": last, "folder": cfg.folder})
    except (OSError, IMAPClientError) as err:
        raise InputError(f"收取邮件失败（{where}）：{err}") from err
    finally:
        try:
            client.logout()
        except Exception:  # the connection may already be gone
            pass
    return FetchResult(d, fetched, last)
