"""Accounts, sessions, CSRF tokens, slowed logins and the audit log of the web page.

Everything lives in the web home (`~/.kaohe/web` unless `--home` or `KAOHE_WEB_HOME` says
otherwise), a folder outside every workspace and outside anything the page serves:

- `users.toml`: one table per account, its role and its password hashed with scrypt and a
  random salt (the password itself is never stored); written 0600;
- `secret`: the random key that signs session cookies (0600), made on first use;
- `audit.log`: one JSON object per line for every action (who, when, from where, what,
  in which workspace, and how it ended).

Roles: `officer` uploads, runs and answers questions; `admin` may also send mail, replace
the regulation and manage accounts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from transforms.errors import InputError

ROLES = {"officer": "信息员", "admin": "管理员"}
#: environment variable naming the web home
HOME_ENV = "KAOHE_WEB_HOME"
USERS_FILE = "users.toml"
SECRET_FILE = "secret"
AUDIT_FILE = "audit.log"
#: a session lasts a working day
SESSION_SECONDS = 8 * 3600
#: failed logins of one account from one address allowed before waiting starts
FREE_FAILURES = 3
#: the longest wait between attempts, in seconds
MAX_WAIT = 300
MIN_PASSWORD = 8
_NAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{1,40}$")
# scrypt parameters (~16 MB, ~50 ms): slow for a guesser, quick for a login
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def default_home() -> Path:
    return Path(os.environ.get(HOME_ENV) or Path.home() / ".kaohe" / "web").expanduser()


def _private_write(path: Path, data: bytes) -> None:
    """Write `path` atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    n, r, p = _SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"]
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(digest) // 2,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password: str  # the scrypt hash

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def stamp(self) -> str:
        """Changes with the password: sessions made before a change stop working."""
        return hashlib.sha256(self.password.encode()).hexdigest()[:16]


def check_name(name: str) -> None:
    if not _NAME.match(name or ""):
        raise InputError(f"账号名「{name}」无效：请用 1–40 个汉字、字母、数字或 _ . -（不含空格）")


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InputError(f"密码太短：至少 {MIN_PASSWORD} 个字符")


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


class Accounts:
    """The accounts of one web home (`users.toml`)."""

    def __init__(self, home: Path | str):
        self.home = Path(home).expanduser()
        self.path = self.home / USERS_FILE
        self._lock = threading.Lock()

    def load(self) -> dict[str, User]:
        if not self.path.is_file():
            return {}
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise InputError(f"账号文件无法读取：{err}", file=str(self.path)) from err
        users = {}
        for name, entry in (data.get("users") or {}).items():
            if isinstance(entry, dict) and entry.get("role") in ROLES and entry.get("password"):
                users[name] = User(name, entry["role"], entry["password"])
        return users

    def _save(self, users: dict[str, User]) -> None:
        lines = ["# kaohe web 账号（由 kaohe web-user 和网页的账号管理写入；密码仅存 scrypt 散列）"]
        for u in sorted(users.values(), key=lambda u: u.name):
            lines += [
                "",
                f"[users.{_toml_string(u.name)}]",
                f"role = {_toml_string(u.role)}",
                f"password = {_toml_string(u.password)}",
            ]
        _private_write(self.path, ("\n".join(lines) + "\n").encode("utf-8"))

    def get(self, name: str) -> User | None:
        return self.load().get(name)

    def set(self, name: str, role: str, password: str) -> bool:
        """Add the account or change its role and password; True when it was new."""
        check_name(name)
        if role not in ROLES:
            raise InputError(f"角色「{role}」无效，可选：{'、'.join(ROLES)}")
        check_password(password)
        with self._lock:
            users = self.load()
            new = name not in users
            users[name] = User(name, role, hash_password(password))
            self._save(users)
        return new

    def remove(self, name: str) -> bool:
        with self._lock:
            users = self.load()
            if name not in users:
                return False
            del users[name]
            self._save(users)
        return True

    def authenticate(self, name: str, password: str) -> User | None:
        user = self.get(name)
        if user is None:
            # as slow as a real check, so that a guesser cannot tell names apart by time
            verify_password(password, _dummy_hash())
            return None
        return user if verify_password(password, user.password) else None


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_hex(8)))
    return _DUMMY[0]


# --------------------------------------------------------------------------- sessions


def secret_key(home: Path) -> bytes:
    path = Path(home) / SECRET_FILE
    if not path.is_file():
        _private_write(path, secrets.token_hex(32).encode())
    return path.read_bytes().strip()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    """Signed session cookies: `user|stamp|csrf|expiry`, HMAC-SHA256 with the home's key."""

    def __init__(self, key: bytes):
        self.key = key

    def _sign(self, payload: bytes) -> str:
        return _b64(hmac.new(self.key, payload, hashlib.sha256).digest())

    def make(self, user: User) -> str:
        data = {
            "u": user.name,
            "s": user.stamp,
            "c": secrets.token_urlsafe(24),
            "e": int(time.time()) + SESSION_SECONDS,
        }
        payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        return f"{_b64(payload)}.{self._sign(payload)}"

    def read(self, cookie: str | None) -> dict | None:
        """The session's data, or None when the cookie is missing, forged or expired."""
        if not cookie or "." not in cookie:
            return None
        body, sig = cookie.rsplit(".", 1)
        try:
            payload = _unb64(body)
        except ValueError:
            return None
        if not hmac.compare_digest(self._sign(payload), sig):
            return None
        try:
            data = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("e", 0) < time.time():
            return None
        return data


def same_token(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(str(given), str(expected))


# --------------------------------------------------------------------------- slowed logins


class Throttle:
    """Failed logins per (account, address): after FREE_FAILURES failures each further
    attempt must wait 2, 4, 8 … seconds (at most MAX_WAIT) after the previous failure."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}
        self._lock = threading.Lock()

    def wait(self, name: str, address: str) -> int:
        """Seconds to wait before this account may try again from this address (0: now)."""
        with self._lock:
            count, last = self._failures.get((name, address), (0, 0.0))
        if count < FREE_FAILURES:
            return 0
        delay = min(2 ** (count - FREE_FAILURES + 1), MAX_WAIT)
        return max(0, int(last + delay - self.clock() + 0.999))

    def failed(self, name: str, address: str) -> None:
        with self._lock:
            now = self.clock()
            if len(self._failures) > 10_000:  # forget failures long past (bounded memory)
                old = [k for k, (_, last) in self._failures.items() if now - last > 2 * MAX_WAIT]
                for k in old:
                    del self._failures[k]
            count, _ = self._failures.get((name, address), (0, 0.0))
            self._failures[(name, address)] = (count + 1, now)

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._failures.pop((name, address), None)


# --------------------------------------------------------------------------- audit log


class Audit:
    """The audit log: one JSON line per action, appended and flushed at once."""

    def __init__(self, home: Path | str):
        self.path = Path(home) / AUDIT_FILE
        self._lock = threading.Lock()

    def write(
        self,
        user: str | None,
        address: str | None,
        action: str,
        *,
        workspace: str | None = None,
        detail: str = "",
        outcome: str = "ok",
    ) -> None:
        entry = {
            "time": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
            "user": user,
            "address": address,
            "workspace": workspace,
            "action": action,
            "detail": detail,
            "outcome": outcome,
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as f:
                f.write(line)

    def tail(self, n: int = 200) -> list[dict]:
        if not self.path.is_file():
            return []
        lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:]
        out = []
        for line in reversed(lines):
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out
