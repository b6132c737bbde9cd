"""`kaohe fetch-mail` against a real IMAP server: Debian's dovecot-imapd, started by this test
on a free loopback port with a passwd-file user and a Maildir in a temporary folder, and
stopped afterwards."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from mailbuild import b_word, message
from smtp_server import free_port

from flows import mail
from flows.imap import STATE, fetch_mail
from flows.workspace import init_workspace
from transforms.errors import InputError

PASSWORD = "s3cret-报送"


CONF = """\
base_dir = {tmp}/run
state_dir = {tmp}/state
log_path = {tmp}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{tmp}/mail/%u
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {tmp}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={user} home={tmp}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


@pytest.fixture(scope="module")
def dovecot():
    """(host, port, user, password) of a throwaway dovecot; the user's mailbox is empty."""
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).exists():
        pytest.fail("dovecot-imapd 未安装：请运行 bash scripts/setup.sh")
    if os.geteuid() != 0:
        pytest.skip("dovecot 需要以 root 启动（它为每个邮箱切换到邮件用户），本环境不是 root")
    try:
        mail_user = pwd.getpwnam("dovecot").pw_name
    except KeyError:
        pytest.fail("系统中没有 dovecot 用户：dovecot-core 安装不完整")
    tmp = Path(tempfile.mkdtemp(prefix="kaohe-imap-"))
    tmp.chmod(0o755)  # the mail user must reach its Maildir
    for d in ("run", "state", "mail"):
        (tmp / d).mkdir()
    shutil.chown(tmp / "mail", mail_user, mail_user)
    (tmp / "passwd").write_text(f"xxk:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
    port = free_port()
    conf = tmp / "dovecot.conf"
    conf.write_text(CONF.format(tmp=tmp, port=port, user=mail_user), encoding="utf-8")
    # dovecot forks into the background: its output goes to a file, never to a pipe we
    # would wait on for ever.
    with open(tmp / "start.log", "wb") as out:
        proc = subprocess.run([binary, "-c", str(conf)], stdout=out, stderr=out)
    if proc.returncode:
        log = (
            (tmp / "dovecot.log").read_text(errors="replace")
            if (tmp / "dovecot.log").exists()
            else ""
        )
        shutil.rmtree(tmp, ignore_errors=True)
        start = (tmp / "start.log").read_text(errors="replace")
        pytest.fail(f"dovecot 未能启动：{start}{log}")
    try:
        deadline = time.monotonic() + 120  # polls: only a loaded machine waits long
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"dovecot 未在端口 {port} 监听")
                time.sleep(0.1)
        yield "127.0.0.1", port, "xxk", PASSWORD
    finally:
        subprocess.run(
            [binary, "-c", str(conf), "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.3)
        shutil.rmtree(tmp, ignore_errors=True)


def _append(server, *messages: bytes) -> None:
    from imapclient import IMAPClient

    host, port, user, password = server
    with IMAPClient(host, port=port, ssl=False) as c:
        c.plain_login(user, password)
        for m in messages:
            c.append("INBOX", m)


def _workspace(tmp_path: Path, server, env: str) -> Path:
    host, port, user, _ = server
    root = init_workspace(tmp_path / "ws", "jiande-2018")
    with open(root / "kaohe.toml", "a", encoding="utf-8") as f:
        f.write(
            f'\n[imap]\nhost = "{host}"\nport = {port}\nuser = "{user}"\n'
            f'folder = "INBOX"\npassword_env = "{env}"\nssl = false\n'
        )
    return root


def _msg(i: int) -> bytes:
    return message(
        sender="fgj@jd.gov.cn",
        subject=b_word(f"【发改局】第{i}篇信息"),
        date=f"Mon, {i} Apr 2018 09:00:00 +0800",
        message_id=f"imap{i}@jd",
        body="正文".encode("gbk"),
    )


def test_fetch_only_new_messages(dovecot, tmp_path, monkeypatch):
    monkeypatch.setenv("KAOHE_TEST_IMAP_PW", PASSWORD)
    root = _workspace(tmp_path, dovecot, "KAOHE_TEST_IMAP_PW")
    _append(dovecot, _msg(2), _msg(3))

    first = fetch_mail(root)
    folder = root / "submissions" / "imap" / "INBOX"
    assert first.folder == folder and first.fetched == 2
    names = sorted(p.name for p in folder.glob("*.eml"))
    assert len(names) == 2 and (folder / STATE).is_file()

    again = fetch_mail(root)  # nothing new
    assert again.fetched == 0 and again.last_uid == first.last_uid

    _append(dovecot, _msg(4))
    third = fetch_mail(root)
    assert third.fetched == 1 and third.last_uid > first.last_uid
    assert len(list(folder.glob("*.eml"))) == 3

    # The fetched files are read like any .eml: 3 submissions of 发改局, subjects decoded
    got = mail.read_mail(mail.mail_sources(root / "submissions"), root)
    assert got.submissions.height == 3
    assert sorted(got.submissions["subject"]) == [f"【发改局】第{i}篇信息" for i in (2, 3, 4)]
    assert all(f.startswith("submissions/imap/INBOX/") for f in got.submissions["source_file"])


def test_fetch_errors_are_clear(dovecot, tmp_path, monkeypatch):
    root = _workspace(tmp_path, dovecot, "KAOHE_TEST_IMAP_PW2")
    monkeypatch.delenv("KAOHE_TEST_IMAP_PW2", raising=False)
    with pytest.raises(InputError, match="环境变量 KAOHE_TEST_IMAP_PW2 未设置"):
        fetch_mail(root)
    monkeypatch.setenv("KAOHE_TEST_IMAP_PW2", "wrong")
    with pytest.raises(InputError, match="拒绝登录（用户 xxk）"):
        fetch_mail(root)
    bare = init_workspace(tmp_path / "bare", "jiande-2018")
    with pytest.raises(InputError, match=r"没有 \[imap\] 设置"):
        fetch_mail(bare)


def test_cli_fetch_mail(dovecot, tmp_path, monkeypatch):
    monkeypatch.setenv("KAOHE_TEST_IMAP_PW3", PASSWORD)
    root = _workspace(tmp_path, dovecot, "KAOHE_TEST_IMAP_PW3")
    env = {**os.environ, "KAOHE_TEST_IMAP_PW3": PASSWORD}
    kaohe = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "kaohe"
    proc = subprocess.run(
        [str(kaohe), "fetch-mail", str(root)], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert "收取新邮件" in proc.stderr
