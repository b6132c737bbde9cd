"""Fault injection for `kaohe send` (issue 13, points 4 and 5), against a real SMTP server
(aiosmtpd on 127.0.0.1) that refuses, cannot take non-ASCII addresses, drops the connection
after DATA or stalls, and a real `kaohe send` process killed with SIGKILL mid-send. Each
test checks what every address received, and that the report says the same.

The workspace is test_delivery's: four units,发改局 with two addresses, 财政局 with none, so
four messages (fgj, fgj2, mzj, xaj @jd.gov.cn).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from smtp_server import Recorder, free_port
from test_delivery import POINTS, _make_ws, _publish, _statuses

from flows.cli import cli
from flows.delivery import Mailer, MailSettings, RunRef, deliver, plan
from flows.readers import read_units
from flows.workspace import Workspace
from store.repository import Store
from transforms.addresses import normalise_address
from transforms.errors import InputError
from transforms.periods import Period

ROOT = Path(__file__).resolve().parent.parent
ADDRESSES = ["fgj2@jd.gov.cn", "fgj@jd.gov.cn", "mzj@jd.gov.cn", "xaj@jd.gov.cn"]


@pytest.fixture
def servers():
    """start(handler, **SMTP options) → the handler, its server listening on handler.port."""
    started: list[Controller] = []

    def start(handler: Recorder, port: int | None = None, **options) -> Recorder:
        ctl = Controller(handler, hostname="127.0.0.1", port=port or free_port(), **options)
        ctl.start()
        handler.port = ctl.port
        started.append(ctl)
        return handler

    yield start
    for ctl in started:
        ctl.stop()


def _workspace(tmp_path: Path, port: int, timeout: float = 5) -> tuple[Path, str]:
    db_url = f"sqlite:///{tmp_path / 'kaohe.db'}"
    root = _make_ws(tmp_path / "ws", db_url, port)
    toml = root / "kaohe.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("timeout = 5", f"timeout = {timeout}"),
        encoding="utf-8",
    )
    _publish(root, db_url, 1, POINTS)
    return root, db_url


def _send(ws: Path, *extra: str):
    return CliRunner().invoke(cli, ["send", str(ws), "--period", "2018Q2", *extra])


def _kaohe(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def _copies(handler: Recorder) -> dict[str, int]:
    out: dict[str, int] = {}
    for rcpt, _ in handler.received:
        for a in rcpt:
            out[a] = out.get(a, 0) + 1
    return out


# ------------------------------------------------------------------ handlers


class DropsAfterData(Recorder):
    """Keeps the message, then drops the connection instead of answering, for the
    addresses in `drop`: the client cannot know the message arrived."""

    def __init__(self, drop: set[str]):
        super().__init__()
        self.drop = drop

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), msg))
        if set(envelope.rcpt_tos) & self.drop:
            server.transport.abort()
        return "250 Message accepted"


class Holds(Recorder):
    """Stalls at `at` ("rcpt" or "data") for `address` while `hold` is set: at "data" the
    message is kept first, so the server has it while the client waits for the answer.
    `reached` is set when the stall begins."""

    def __init__(self, at: str, address: str, most: float = 60):
        super().__init__()
        self.at, self.address, self.most = at, address, most
        self.hold = True
        self.reached = threading.Event()
        self.stalls = 0

    async def _stall(self) -> None:
        self.stalls += 1
        self.reached.set()
        waited = 0.0
        while self.hold and waited < self.most:
            await asyncio.sleep(0.05)
            waited += 0.05

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.at == "rcpt" and address == self.address and self.hold:
            await self._stall()
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        if self.at == "data" and self.address in envelope.rcpt_tos and self.hold:
            msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.received.append((list(envelope.rcpt_tos), msg))
            await self._stall()
            return "250 Message accepted"
        return await super().handle_DATA(server, session, envelope)


# ------------------------------------------------------------------ the roster


def test_roster_addresses_are_checked_when_read(tmp_path, servers):
    """A full-width address is made ASCII; a Chinese local part, a header word, a quoted
    name, angle brackets or two @ is an error naming units.csv and the row, all at once,
    and `kaohe send` (like `kaohe run`) stops with exit 2 before anything is sent."""
    units = (
        "unit,group,aliases,emails\n"
        "发改局,A,,ｆｇｊ＠ｊｄ．ｇｏｖ．ｃｎ；fgj2@jd.gov.cn\n"  # row 2: full-width, fine
        "民政局,A,,张三@jd.gov.cn\n"  # row 3
        "新安江街道,乡镇（街道）,,xaj@jd.gov.cn Bcc: evil@x.cn\n"  # row 4
        '财政局,A,,"""Evil"" <cz@jd.gov.cn>"\n'  # row 5
        "教育局,A,,RCPT;jy@jd@gov.cn\n"  # row 6
    )
    path = tmp_path / "units.csv"
    path.write_text(units, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_units(path, tmp_path)
    text = str(err.value)
    assert "第2行" not in text
    assert (
        "units.csv 第3行：单位「民政局」的邮箱（emails 列）有误：「张三@jd.gov.cn」含有中文" in text
    )
    assert "units.csv 第4行" in text and "「Bcc:」不是邮箱地址（缺少 @）" in text
    assert (
        "units.csv 第5行" in text
        and '「"Evil"」' in text
        and "「<cz@jd.gov.cn>」含有尖括号" in text
    )
    assert "units.csv 第6行" in text and "「RCPT」" in text and "「jy@jd@gov.cn」含有多个 @" in text
    # the full-width address, alone in a good roster, is the ASCII one
    path.write_text(units.splitlines()[0] + "\n" + units.splitlines()[1] + "\n", encoding="utf-8")
    assert read_units(path, tmp_path).row(0, named=True)["emails"] == [
        "fgj@jd.gov.cn",
        "fgj2@jd.gov.cn",
    ]

    smtp = servers(Recorder())
    ws, _ = _workspace(tmp_path / "w", smtp.port)
    (ws / "units.csv").write_text(units, encoding="utf-8")
    proc = _kaohe("send", str(ws), "--period", "2018Q2")
    _, err_text = proc.communicate(timeout=120)
    assert proc.returncode == 2, err_text
    assert "units.csv 第3行" in err_text and "Traceback" not in err_text
    assert smtp.received == []


@pytest.mark.parametrize(
    ("text", "address", "why"),
    [
        ("ｇｌ＠ｊｄ．ｇｏｖ．ｃｎ", "gl@jd.gov.cn", None),
        ("gl_xx@jiande.gov.cn", "gl_xx@jiande.gov.cn", None),
        ("张三@jd.gov.cn", None, "含有中文"),
        ("gl@jd。gov。cn", None, "含有中文或其他非英文字符「。」"),  # not guessed to be a dot
        ("①@jd.gov.cn", None, "非英文字符「①」"),
        ("Bcc:", None, "缺少 @"),
        ("RCPT", None, "缺少 @"),
        ('"Evil"', None, "缺少 @"),
        ("<a@jd.gov.cn>", None, "尖括号"),
        ("a@jd.gov.cn>", None, "尖括号"),
        ("a@b@jd.gov.cn", None, "多个 @"),
        ("a..b@jd.gov.cn", None, "用户名不合规"),
        ("a@localhost", None, "域名「localhost」不合规"),
    ],
)
def test_what_is_an_address(text, address, why):
    got, reason = normalise_address(text)
    assert got == address
    assert (reason is None) if why is None else (why in reason)


def test_a_sender_may_be_on_a_local_host_but_must_be_an_address():
    assert normalise_address("kaohe@localhost", any_host=True) == ("kaohe@localhost", None)
    assert normalise_address("kaohe@127.0.0.1", any_host=True) == ("kaohe@127.0.0.1", None)
    assert normalise_address("信息科 <x@jd.gov.cn>", any_host=True)[0] is None


def test_a_bad_sender_in_settings_is_named(tmp_path, servers):
    smtp = servers(Recorder())
    ws, _ = _workspace(tmp_path, smtp.port)
    toml = ws / "kaohe.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("xxk@jiande.gov.cn", "信息科 <xxk@jiande.gov.cn>"),
        encoding="utf-8",
    )
    result = _send(ws)
    assert isinstance(result.exception, InputError)
    assert "[mail] 的发件人地址 sender 含有中文" in str(result.exception)
    assert smtp.received == []


# ------------------------------------------------------------------ refusals


def test_an_address_the_server_cannot_take_fails_alone_and_the_rest_go(tmp_path, servers):
    """Before: a non-ASCII address against a server without SMTPUTF8 was 「无法连接邮件服务
    器」, retried, and stopped the send at that message. Now it fails for that address only,
    as does an address refused at RCPT (550), and the others are sent."""
    smtp = servers(Recorder(), enable_SMTPUTF8=False)
    smtp.refuse = {"fgj2@jd.gov.cn"}
    ws, db_url = _workspace(tmp_path, smtp.port)
    w = Workspace.load(ws)
    settings = MailSettings.from_workspace(w)
    waits: list[float] = []
    store = Store.open(db_url)
    try:
        p = plan(w, Period.parse("2018Q2"), store, settings.sender)
        run = RunRef(p.run.id, p.run.period, p.run.version, w.timezone)
        # an address that came by another way than units.csv (which refuses it)
        zhang = p.messages[2].__class__(**(vars(p.messages[2]) | {"address": "张三@jd.gov.cn"}))
        items = list(enumerate([p.messages[0], zhang, *p.messages[1:]], 1))
        with Mailer(settings, sleep=waits.append) as mailer:
            done = deliver(run, items, store, mailer)
    finally:
        store.close()
    status = {o.address: o.attempt for o in done}
    assert status["张三@jd.gov.cn"].status == "failed"
    assert "不支持 SMTPUTF8" in status["张三@jd.gov.cn"].error
    assert "无法连接" not in status["张三@jd.gov.cn"].error
    assert status["fgj2@jd.gov.cn"].status == "failed"
    assert [a for a, s in status.items() if s.status == "sent"] == [
        "fgj@jd.gov.cn",
        "mzj@jd.gov.cn",
        "xaj@jd.gov.cn",
    ]
    assert waits == [] and not any(o.attempt.down for o in done)
    assert smtp.to() == ["fgj@jd.gov.cn", "mzj@jd.gov.cn", "xaj@jd.gov.cn"]
    # a server that offers SMTPUTF8 takes it
    utf8 = servers(Recorder())  # aiosmtpd's Controller offers SMTPUTF8 by default
    with Mailer(MailSettings(host="127.0.0.1", port=utf8.port, sender="xxk@jiande.gov.cn")) as m:
        got = m.send(zhang.build("<z@jiande.gov.cn>"), zhang.address)
    assert got.status == "sent" and utf8.to() == ["张三@jd.gov.cn"]
    assert utf8.received[0][1]["To"] == "张三@jd.gov.cn"


# ------------------------------------------------------------------ uncertain outcomes


def test_a_connection_dropped_after_data_is_uncertain_and_resent_only_when_asked(tmp_path, servers):
    """Before: the first message arrived 4 times per send and the report said 0 sent."""
    smtp = servers(DropsAfterData({"mzj@jd.gov.cn"}))
    ws, db_url = _workspace(tmp_path, smtp.port)
    result = _send(ws)
    assert result.exit_code == 1, result.output
    assert _copies(smtp) == dict.fromkeys(ADDRESSES, 1)  # nobody twice
    # the report agrees with the server: 3 sent, 1 uncertain (and it did arrive)
    assert "本次发送 3 封" in result.output and "结果不明 1 封" in result.output
    assert (
        "结果不明：民政局 <mzj@jd.gov.cn>：邮件已交给服务器，但连接在服务器答复前中断"
        in result.output
    )
    assert "--resend-uncertain" in result.output
    assert _statuses(db_url)[("民政局", "mzj@jd.gov.cn")] == ("uncertain", 1)
    first_id = next(m["Message-ID"] for r, m in smtp.received if r == ["mzj@jd.gov.cn"])

    again = _send(ws)  # a plain send again sends nothing and still lists it
    assert again.exit_code == 1, again.output
    assert len(smtp.received) == 4
    assert "此前已发送 3 封" in again.output and "结果不明：民政局 <mzj@jd.gov.cn>" in again.output

    smtp.drop = set()  # the office learns 民政局 has no copy and asks for one
    resent = _send(ws, "--resend-uncertain")
    assert resent.exit_code == 0, resent.output
    assert _copies(smtp) == dict.fromkeys(ADDRESSES, 1) | {"mzj@jd.gov.cn": 2}
    ids = [m["Message-ID"] for r, m in smtp.received if r == ["mzj@jd.gov.cn"]]
    assert ids == [first_id, first_id]  # the same message, so the receiver can tell
    assert _statuses(db_url)[("民政局", "mzj@jd.gov.cn")] == ("sent", 2)


def test_a_server_that_stalls_after_data_is_uncertain_before_it_is_retried(tmp_path, servers):
    """No answer to the end of DATA within `timeout`: uncertain at once, no retry."""
    smtp = servers(Holds("data", "fgj2@jd.gov.cn", most=4))
    ws, db_url = _workspace(tmp_path, smtp.port, timeout=1)
    started = time.monotonic()
    result = _send(ws)
    # held once, not retried (a retry would be held again); "uncertain" below says it gave
    # up at the timeout, not at the server's answer; wall time only bounded in minutes, as
    # a loaded machine can stretch seconds
    assert smtp.stalls == 1 and time.monotonic() - started < 180
    assert result.exit_code == 1, result.output
    assert "结果不明 1 封" in result.output and "本次发送 3 封" in result.output
    assert _copies(smtp) == dict.fromkeys(ADDRESSES, 1)
    assert _statuses(db_url)[("发改局", "fgj2@jd.gov.cn")] == ("uncertain", 1)
    assert "--confirm-uncertain 记为已发送" in result.output
    both = _send(ws, "--resend-uncertain", "--confirm-uncertain")
    assert isinstance(both.exception, InputError) and "只能选一个" in str(both.exception)
    # 发改局 says it has the message: recorded as sent, nothing mailed, exit 0 from now on
    confirmed = _send(ws, "--confirm-uncertain")
    assert confirmed.exit_code == 0, confirmed.output
    assert "已确认收到，记为已发送：发改局 <fgj2@jd.gov.cn>" in confirmed.output
    assert _copies(smtp) == dict.fromkeys(ADDRESSES, 1)
    assert _statuses(db_url)[("发改局", "fgj2@jd.gov.cn")] == ("sent", 1)
    assert _send(ws).exit_code == 0 and len(smtp.received) == 4


def test_a_server_that_stalls_before_data_is_retried_then_the_send_stops(tmp_path, servers):
    """A stall before the message is handed over is a server gone quiet: nothing can have
    arrived, so it is retried, then the send stops and the next one delivers it, once."""
    smtp = servers(Holds("rcpt", "mzj@jd.gov.cn", most=30))
    ws, db_url = _workspace(tmp_path, smtp.port, timeout=0.5)
    result = _send(ws)
    assert result.exit_code == 1, result.output
    assert "已停止发送" in result.output and "暂未发出：民政局 <mzj@jd.gov.cn>" in result.output
    assert _statuses(db_url)[("民政局", "mzj@jd.gov.cn")] == ("deferred", 3)
    smtp.hold = False
    result = _send(ws)
    assert result.exit_code == 0, result.output
    assert _copies(smtp) == dict.fromkeys(ADDRESSES, 1)


@pytest.mark.parametrize("at", ["rcpt", "data"])
def test_kill_9_mid_send_never_gives_an_address_two_copies(tmp_path, servers, at):
    """`kill -9` of a real `kaohe send` while the server holds message 3 (mzj): before its
    content went (at RCPT) it is sent by the next send; after (at DATA, the server has
    it) it is uncertain, listed and not resent until --resend-uncertain."""
    smtp = servers(Holds(at, "mzj@jd.gov.cn"))
    ws, db_url = _workspace(tmp_path, smtp.port)
    env = os.environ | {"PREFECT_HOME": str(tmp_path / "prefect")}
    proc = _kaohe("send", str(ws), "--period", "2018Q2", env=env)
    try:
        assert smtp.reached.wait(120), proc.communicate(timeout=5)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    smtp.hold = False
    before = _statuses(db_url)
    # at RCPT nothing was handed over (no attempt counted yet); at DATA it was, once
    assert before[("民政局", "mzj@jd.gov.cn")] == (
        ("queued", 0) if at == "rcpt" else ("sending", 1)
    )

    result = _send(ws)
    copies = _copies(smtp)
    assert copies == dict.fromkeys(ADDRESSES, 1), copies
    if at == "rcpt":
        assert result.exit_code == 0, result.output
        assert _statuses(db_url)[("民政局", "mzj@jd.gov.cn")] == ("sent", 1)
        return
    assert result.exit_code == 1, result.output
    assert "结果不明 1 封" in result.output
    assert "结果不明：民政局 <mzj@jd.gov.cn>：上次发送在邮件交给服务器后中断" in result.output
    assert _statuses(db_url)[("民政局", "mzj@jd.gov.cn")] == ("uncertain", 1)
    resent = _send(ws, "--resend-uncertain")
    assert resent.exit_code == 0, resent.output
    assert _copies(smtp)["mzj@jd.gov.cn"] == 2
    ids = {m["Message-ID"] for r, m in smtp.received if r == ["mzj@jd.gov.cn"]}
    assert len(ids) == 1


# ------------------------------------------------------------------ exit status


def test_exit_status_2_when_nothing_could_be_tried(tmp_path):
    port = free_port()  # nothing listens here
    ws, db_url = _workspace(tmp_path, port, timeout=1)
    result = _send(ws)
    assert result.exit_code == 2, result.output
    assert "一封也未能发送" in result.output and "[mail] 的 host 和 port" in result.output
    # no run of the period: exit 2 with the message, no traceback
    proc = _kaohe("send", str(ws), "--period", "2018Q3")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "还没有生成通报" in err and "Traceback" not in err
