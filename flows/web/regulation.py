"""The workspace's regulation (考核办法) on the web page: shown as the tables `kaohe scheme
show` prints, checked as `kaohe scheme check` checks a file, and replaced — after the same
check, by an admin, with a confirmation — where kaohe.toml names the workspace's own file
(`regulation = "考核办法.toml"`). The regulation is read here without `Workspace.load`, so
that a broken file can still be seen and replaced from the page."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from flows import outputs
from flows import settings as toml_settings
from transforms.errors import InputError

SUFFIX = ".toml"


@dataclass
class Current:
    """What the workspace scores under."""

    own: str | None  # the workspace's file (relative), or None: a shipped regulation
    scheme_id: str | None
    table: str | None = None  # `kaohe scheme show`'s text
    summary: str | None = None  # `kaohe scheme check`'s summary
    problems: list[str] = field(default_factory=list)


def available() -> bool:
    """True when kaohe reads regulation files (`kaohe scheme check|show`)."""
    from flows import workspace

    return hasattr(workspace, "read_regulation")


def current(root: Path) -> Current:
    from flows.workspace import read_regulation
    from schemes import get_scheme
    from schemes.regulation import Regulation
    from transforms import regulation_text as show

    cfg = toml_settings.load(root)
    own = getattr(cfg, "regulation", None)
    out = Current(own, cfg.scheme)
    try:
        if own:
            reg = read_regulation(root / own, own).value
        else:
            reg = get_scheme(str(cfg.scheme))
            if not isinstance(reg, Regulation):
                return out
        out.table = show.render(reg)
        out.summary = show.summary(reg)
    except InputError as err:
        out.problems = [p.format() for p in err.problems]
    return out


def check_bytes(raw: bytes, name: str):
    """(summary, []) of a good file, (None, problems) of a bad one: `kaohe scheme check`."""
    from flows.workspace import read_regulation
    from transforms import regulation_text as show

    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f".kaohe-web-{secrets.token_hex(6)}{SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        doc = read_regulation(tmp, name)
    except InputError as err:
        return None, [p.format() for p in err.problems]
    finally:
        tmp.unlink(missing_ok=True)
    return show.summary(doc.value), []


def replace(root: Path, raw: bytes, name: str) -> str:
    """Write `raw` as the workspace's own regulation file after the check; its relative
    path. An InputError when the workspace has no file of its own or the new one is bad."""
    cfg = toml_settings.load(root)
    own = getattr(cfg, "regulation", None)
    if not own:
        raise InputError(
            f"本工作区使用内置的考核办法 {cfg.scheme}，没有自己的考核办法文件，未替换：如需按"
            '本单位的办法计分，请系统管理员在 kaohe.toml 中写 regulation = "考核办法.toml"'
            "（可用 kaohe init --copy-regulation 得到一份起草用的文件）"
        )
    summary, problems = check_bytes(raw, name)
    if problems:
        raise InputError(
            f"上传的考核办法文件有 {len(problems)} 处错误，未替换：" + "；".join(problems)
        )
    target = (root / own).resolve()
    if not target.is_relative_to(root.resolve()):
        raise InputError(f"kaohe.toml 的 regulation = {own!r} 不在工作区中，未替换")
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    with outputs.workspace_lock(root):
        try:
            tmp.write_bytes(raw)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    return own
