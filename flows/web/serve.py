"""`kaohe web`: check the workspaces and the listening address, then serve with uvicorn.

The address and TLS come from `[web]` of the first workspace's kaohe.toml (`--host` and
`--port` override them). The loopback address needs nothing more; any other address is
served only over TLS, with `[web] certfile` and `keyfile` (paths relative to that
workspace, or absolute)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flows.workspace import Workspace
from transforms.errors import InputError


def listen_settings(workspaces: list[Workspace], host: str | None, port: int | None):
    """(host, port, certfile, keyfile) to serve on, checked."""
    from flows.web.app import is_loopback

    first = workspaces[0]
    web = first.settings.web
    host = host or web.host
    port = port or web.port
    certfile = keyfile = None
    if web.certfile and web.keyfile:
        certfile = (first.root / web.certfile).resolve()
        keyfile = (first.root / web.keyfile).resolve()
        for path, key in ((certfile, "certfile"), (keyfile, "keyfile")):
            if not path.is_file():
                raise InputError(f"[web] {key} 所指的文件 {path} 不存在", file="kaohe.toml")
    if not is_loopback(host) and certfile is None:
        raise InputError(
            f"网页只在本机地址 127.0.0.1 上以 HTTP 提供；要在 {host} 上提供，请在 "
            f"{first.root / 'kaohe.toml'} 的 [web] 中设置 TLS 证书 certfile 和私钥 keyfile"
            "（网页将只经 HTTPS 提供），或去掉 --host 只在本机使用"
        )
    return host, port, certfile, keyfile


def _check_port(host: str, port: int) -> None:
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as err:
            raise InputError(
                f"无法在 {host}:{port} 上提供网页（{err.strerror}）：端口可能已被占用，"
                "请用 --port 换一个端口，或先停止占用它的程序"
            ) from err


def serve(
    directories: list[Path],
    *,
    host: str | None = None,
    port: int | None = None,
    home: Path | None = None,
    say: Callable[[str], None] = print,
) -> None:
    import uvicorn

    from flows.web.accounts import Accounts, default_home
    from flows.web.app import create_app

    workspaces = [Workspace.load(d) for d in directories]
    host, port, certfile, keyfile = listen_settings(workspaces, host, port)
    _check_port(host, port)
    home = Path(home or default_home()).expanduser()
    accounts = Accounts(home)
    if not accounts.load():
        say(
            f"注意：还没有任何账号（{accounts.path}）。请先运行 kaohe web-user add 账号 --role admin"
            + (f" --home {home}" if home != default_home() else "")
        )
    app = create_app([w.root for w in workspaces], home, secure=certfile is not None)
    scheme = "https" if certfile else "http"
    shown = f"[{host}]" if ":" in host else host
    say(
        f"kaohe 网页：{scheme}://{shown}:{port}/ （工作区：{'、'.join(str(w.root) for w in workspaces)}；按 Ctrl+C 停止）"
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        log_level="warning",
        access_log=False,
        server_header=False,
    )
