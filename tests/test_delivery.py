"""Mailing the bulletin against a real SMTP server (aiosmtpd) on 127.0.0.1.

The workspace is small: four units, versions written by hand (two tiny PDFs per version)
and recorded in the store, so that no test renders a bulletin. Store-backed tests run on
SQLite and on PostgreSQL (the `db_url` fixture).
"""

from __future__ import annotations

import email
import email.policy
import ssl
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from smtp_server import Recorder, free_port

from flows.cli import cli
from flows.delivery import MailError, send_period
from flows.workspace import init_workspace
from store.repository import Store
from transforms import schema

TZ = ZoneInfo("Asia/Shanghai")
UNITS = """unit,group,aliases,emails
发改局,A,,fgj@jd.gov.cn;fgj2@jd.gov.cn
民政局,A,,mzj@jd.gov.cn
新安江街道,乡镇（街道）,,xaj@jd.gov.cn
财政局,A,,
"""


# ------------------------------------------------------------------ a small workspace


def _make_ws(root: Path, db_url: str, port: int, extra_mail: str = "") -> Path:
    init_workspace(root, "jiande-2018")
    (root / "units.csv").write_text(UNITS, encoding="utf-8")
    with open(root / "kaohe.toml", "a", encoding="utf-8") as f:
        f.write(
            f'\n[database]\nurl = "{db_url}"\n\n[mail]\nhost = "127.0.0.1"\nport = {port}\n'
            f'sender = "xxk@jiande.gov.cn"\nretries = 3\nbackoff = 0.01\ntimeout = 5\n' + extra_mail
        )
    return root


def _publish(
    ws: Path, db_url: str, version: int, points: dict[str, float], extra=(), manifest=None
) -> Path:
    """Write out/2018Q2/v<version>/ (bulletin and statements) and record its run."""
    vdir = ws / "out" / "2018Q2" / f"v{version}"
    (vdir / "statements").mkdir(parents=True)
    (vdir / "bulletin.pdf").write_bytes(f"%PDF-1.4 bulletin v{version}\n".encode())
    groups = {"发改局": "A", "民政局": "A", "新安江街道": "乡镇（街道）", "财政局": "A"}
    for unit in groups:
        (vdir / "statements" / f"{unit}.pdf").write_bytes(f"%PDF-1.4 {unit}\n".encode())
    ranks = {"发改局": 1, "民政局": 2, "财政局": 3, "新安江街道": 1}
    if points["民政局"] > points["发改局"]:
        ranks |= {"发改局": 2, "民政局": 1}
    scores = schema.conform(
        pl.DataFrame(
            [
                {"unit": u, "group": g, "points": points[u], "rank": ranks[u], "target_met": False}
                for u, g in groups.items()
            ]
        ),
        schema.SCORES,
    )
    rows = [
        {"unit": u, "rule_id": "J-3.1.1", "ref": f"a-{u}", "points": points[u], "note": "动态"}
        for u in groups
    ] + list(extra)
    base = {"period": "2018Q2", "clause": "三（一）", "rule": "录用", "date": date(2018, 5, 3)}
    ledger = schema.conform(pl.DataFrame([base | r for r in rows]), schema.LEDGER)
    store = Store.open(db_url)
    store.record_run(
        scheme="jiande-2018",
        period="2018Q2",
        version=version,
        inputs_hash=f"h{version}",
        started_at=datetime(2018, 7, 5, 9, tzinfo=TZ),
        output_dir=str(vdir),
        manifest={"version": version} | (manifest or {}),
        ledger=ledger,
        scores=scores,
    )
    store.close()
    return vdir


POINTS = {"发改局": 12.0, "民政局": 8.0, "新安江街道": 30.0, "财政局": 4.0}


@pytest.fixture
def ws(tmp_path, db_url, smtp):
    root = _make_ws(tmp_path / "ws", db_url, smtp.port)
    _publish(root, db_url, 1, POINTS)
    return root


def _statuses(db_url: str, version: int = 1) -> dict[tuple[str, str], tuple[str, int]]:
    store = Store.open(db_url)
    run = store.run("2018Q2", version)
    out = {k: (d.status, d.attempts) for k, d in store.deliveries(run.id).items()}
    store.close()
    return out


# ------------------------------------------------------------------ tests


def test_each_address_gets_bulletin_and_own_statement_once(ws, smtp, db_url):
    lines = []
    report = send_period(ws, "2018Q2", progress=lines.append)
    # 发改局 has two addresses, 民政局 and 新安江街道 one, 财政局 none: 4 messages
    assert smtp.to() == ["fgj2@jd.gov.cn", "fgj@jd.gov.cn", "mzj@jd.gov.cn", "xaj@jd.gov.cn"]
    assert report.no_address == ["财政局"] and report.ok
    assert any("未登记邮箱" in line and "财政局" in line for line in lines)
    rcpt, msg = next(r for r in smtp.received if r[0] == ["mzj@jd.gov.cn"])
    assert msg["Subject"] == "2018年第二季度政务信息工作情况通报（民政局）"
    assert msg["To"] == "mzj@jd.gov.cn" and "xxk@jiande.gov.cn" in msg["From"]
    names = [p.get_filename() for p in msg.iter_attachments()]
    assert names == ["2018年第二季度政务信息工作情况通报.pdf", "民政局2018年第二季度得分说明.pdf"]
    statement = list(msg.iter_attachments())[1].get_content()
    assert statement == "%PDF-1.4 民政局\n".encode()
    body = msg.get_body(("plain",)).get_content()
    assert body.startswith("民政局：") and "本期得分 8 分，在A类中排第 2 名" in body
    # recorded, and a second send sends nothing
    assert set(_statuses(db_url).values()) == {("sent", 1)}
    again = send_period(ws, "2018Q2")
    assert len(smtp.received) == 4 and again.already == 4 and again.sent == []


def test_refused_address_fails_busy_one_is_retried_the_rest_go(ws, smtp, db_url):
    smtp.refuse = {"fgj2@jd.gov.cn"}
    smtp.busy = {"mzj@jd.gov.cn": 2}  # 451 twice, accepted at the third attempt (retries=3)
    result = CliRunner().invoke(cli, ["send", str(ws), "--period", "2018Q2"])
    assert result.exit_code == 1
    assert "被拒收：发改局 <fgj2@jd.gov.cn>：550 5.1.1 No such user here" in result.output
    assert "本次发送 3 封" in result.output and "被拒收 1 封" in result.output
    assert smtp.to() == ["fgj@jd.gov.cn", "mzj@jd.gov.cn", "xaj@jd.gov.cn"]
    st = _statuses(db_url)
    assert st[("发改局", "fgj2@jd.gov.cn")] == ("failed", 1)
    assert st[("民政局", "mzj@jd.gov.cn")] == ("sent", 3)
    # the address is corrected by the mail admin: the next send delivers only that one
    smtp.refuse = set()
    result = CliRunner().invoke(cli, ["send", str(ws), "--period", "2018Q2"])
    assert result.exit_code == 0, result.output
    assert "此前已发送 3 封" in result.output and len(smtp.received) == 4
    assert _statuses(db_url)[("发改局", "fgj2@jd.gov.cn")] == ("sent", 2)


def test_a_send_stopped_halfway_resumes_where_it_stopped(ws, smtp, db_url):
    smtp.data_busy_after = 2  # the server accepts two messages, then answers 421
    first = send_period(ws, "2018Q2")
    assert len(first.sent) == 2 and len(first.deferred) == 2 and not first.ok
    got_first = smtp.to()
    smtp.data_busy_after = None
    second = send_period(ws, "2018Q2")
    assert second.already == 2 and len(second.sent) == 2 and second.ok
    assert len(smtp.received) == 4 and sorted(set(smtp.to())) == smtp.to()
    assert set(got_first) < set(smtp.to())


def test_a_batch_tried_again_sends_nothing_twice_and_counts_it(ws, smtp, db_url):
    """Dask runs a batch again when its worker dies: the messages it had sent are skipped
    and counted as already sent, in the report and on the terminal."""
    from flows.delivery import Mailer, MailSettings, RunRef, SendReport, account, deliver, plan
    from flows.workspace import Workspace
    from transforms.periods import Period

    w = Workspace.load(ws)
    settings = MailSettings.from_workspace(w)
    store = Store.open(db_url)
    try:
        p = plan(w, Period.parse("2018Q2"), store, settings.sender)
        run = RunRef(p.run.id, p.run.period, p.run.version, w.timezone)
        items = list(enumerate(p.messages, 1))
        reports, lines = [], []
        for _ in range(2):
            report = SendReport("2018Q2", p.version, total=len(items))
            with Mailer(settings) as mailer:
                deliver(
                    run,
                    items,
                    store,
                    mailer,
                    each=lambda o, r=report: account(r, o, 4, lines.append),
                )
            reports.append(report)
    finally:
        store.close()
    assert (len(reports[0].sent), reports[0].already) == (4, 0)
    assert (len(reports[1].sent), reports[1].already) == (0, 4)
    assert len(smtp.received) == 4
    assert sum("已发送过，不再重发" in line for line in lines) == 4


def test_server_down_stops_and_the_next_send_delivers(tmp_path, db_url):
    port = free_port()  # nothing listens here yet
    root = _make_ws(tmp_path / "ws", db_url, port)
    _publish(root, db_url, 1, POINTS)
    waits = []
    down = send_period(root, "2018Q2", sleep=waits.append)
    assert down.stopped and "无法连接邮件服务器" in down.stopped and down.sent == []
    assert waits == [0.01, 0.02]  # three attempts, backoff doubling
    assert set(_statuses(db_url).values()) == {("deferred", 3)}
    handler = Recorder()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        up = send_period(root, "2018Q2")
    finally:
        ctl.stop()
    assert up.ok and len(up.sent) == 4 and len(handler.received) == 4


def test_a_corrected_version_is_sent_as_correction(ws, smtp, db_url):
    send_period(ws, "2018Q2")
    # v2: 发改局 gains a 挂职 +30 (J8), which moves it above nobody (already first)
    fix = {"unit": "发改局", "rule_id": "J-3.6.5", "ref": "e-1", "points": 30.0, "note": "挂职1人"}
    _publish(ws, db_url, 2, POINTS | {"发改局": 42.0}, extra=[fix])
    report = send_period(ws, "2018Q2")
    assert report.ok and len(report.sent) == 4
    new = dict((r[0], m) for r, m in smtp.received[4:])
    fgj = new["fgj@jd.gov.cn"]
    assert fgj["Subject"] == "【更正】2018年第二季度政务信息工作情况通报（发改局）"
    body = fgj.get_body(("plain",)).get_content()
    assert "（第1版）有更正" in body and "（第2版）" in body
    assert "得分由 12 分更正为 42 分" in body
    assert "新增计分：J-3.6.5 30 分（挂职1人）" in body
    names = [p.get_filename() for p in fgj.iter_attachments()]
    assert names[0] == "2018年第二季度政务信息工作情况通报（第2版）.pdf"
    assert "得分和排名没有变化" in new["mzj@jd.gov.cn"].get_body(("plain",)).get_content()


def test_dry_run_writes_eml_files_and_records_nothing(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'k.db'}"
    root = _make_ws(tmp_path / "ws", db_url, free_port())
    vdir = _publish(root, db_url, 1, POINTS)
    result = CliRunner().invoke(cli, ["send", str(root), "--period", "2018Q2", "--dry-run"])
    assert result.exit_code == 0, result.output
    emls = sorted(p.name for p in (vdir / "mail").iterdir())
    assert emls == [
        "发改局_fgj2@jd.gov.cn.eml",
        "发改局_fgj@jd.gov.cn.eml",
        "新安江街道_xaj@jd.gov.cn.eml",
        "民政局_mzj@jd.gov.cn.eml",
    ]
    msg = email.message_from_bytes(
        (vdir / "mail" / "民政局_mzj@jd.gov.cn.eml").read_bytes(), policy=email.policy.default
    )
    assert msg["Subject"] == "2018年第二季度政务信息工作情况通报（民政局）" and msg["Message-ID"]
    assert "试运行" in result.output
    assert _statuses(db_url) == {}


def test_starttls_and_login_with_password_from_environment(tmp_path, monkeypatch):
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret-pw"
        logins.append((mechanism, auth_data.login, ok))
        return AuthResult(success=ok, handled=False)

    handler = Recorder()
    ctl = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_ctx,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    ctl.start()
    try:
        db_url = f"sqlite:///{tmp_path / 'k.db'}"
        tls = (
            f'starttls = true\nusername = "xxk"\npassword_env = "KAOHE_TEST_SMTP_PW"\n'
            f'cafile = "{cafile}"\n'
        )
        root = _make_ws(tmp_path / "ws", db_url, ctl.port, tls)
        _publish(root, db_url, 1, POINTS)
        monkeypatch.delenv("KAOHE_TEST_SMTP_PW", raising=False)
        with pytest.raises(MailError, match="环境变量 KAOHE_TEST_SMTP_PW 未设置"):
            send_period(root, "2018Q2")
        monkeypatch.setenv("KAOHE_TEST_SMTP_PW", "wrong")
        with pytest.raises(MailError, match="邮件服务器拒绝登录（用户 xxk）"):
            send_period(root, "2018Q2")
        monkeypatch.setenv("KAOHE_TEST_SMTP_PW", "s3cret-pw")
        report = send_period(root, "2018Q2")
        assert report.ok and len(handler.received) == 4
        assert logins[-1][1:] == (b"xxk", True)
    finally:
        ctl.stop()


def _eml(vdir: Path, name: str) -> email.message.EmailMessage:
    return email.message_from_bytes(
        (vdir / "mail" / name).read_bytes(), policy=email.policy.default
    )


def test_mail_text_carries_the_bulletins_date(tmp_path):
    """The mail's text is dated as its bulletin is signed (kaohe run --date 2018-07-06,
    though the run was made on the 5th); its Date header is the time it is sent."""
    db_url = f"sqlite:///{tmp_path / 'k.db'}"
    root = _make_ws(tmp_path / "ws", db_url, free_port())
    vdir = _publish(root, db_url, 1, POINTS, manifest={"issued": "2018-07-06"})
    send_period(root, "2018Q2", dry_run=True)
    msg = _eml(vdir, "民政局_mzj@jd.gov.cn.eml")
    body = msg.get_body(("plain",)).get_content()
    assert "现将二〇一八年七月六日印发的2018年第二季度政务信息工作情况通报" in body
    assert body.rstrip().endswith("二〇一八年七月六日")
    assert "七月五日" not in body
    assert msg["Date"].datetime.date() >= date(2026, 1, 1) > date(2018, 7, 6)
    # a version recorded before manifests held the date: the day it was made
    vdir2 = _publish(root, db_url, 2, POINTS)
    send_period(root, "2018Q2", dry_run=True)
    body = _eml(vdir2, "民政局_mzj@jd.gov.cn.eml").get_body(("plain",)).get_content()
    assert "现将二〇一八年七月五日印发的" in body
    assert body.rstrip().endswith("二〇一八年七月五日")


def test_send_warns_when_sender_is_unset(tmp_path):
    """Without [mail] sender, kaohe send says which address it uses instead and how to
    set it; with it, nothing."""
    db_url = f"sqlite:///{tmp_path / 'k.db'}"
    root = tmp_path / "ws"
    init_workspace(root, "jiande-2018")
    (root / "units.csv").write_text(UNITS, encoding="utf-8")
    with open(root / "kaohe.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[database]\nurl = "{db_url}"\n\n[mail]\nhost = "smtp.jd.gov.cn"\n')
    vdir = _publish(root, db_url, 1, POINTS)
    result = CliRunner().invoke(cli, ["send", str(root), "--period", "2018Q2", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "没有设置 sender" in result.output
    assert "kaohe@smtp.jd.gov.cn 作为发件人" in result.output
    assert 'sender = "' in result.output
    assert "kaohe@smtp.jd.gov.cn" in _eml(vdir, "民政局_mzj@jd.gov.cn.eml")["From"]
    # a login name that is an address is the better guess
    with open(root / "kaohe.toml", "a", encoding="utf-8") as f:
        f.write('username = "xxk@jd.gov.cn"\npassword_env = "KAOHE_UNUSED"\n')
    result = CliRunner().invoke(cli, ["send", str(root), "--period", "2018Q2", "--dry-run"])
    assert "登录用户名 xxk@jd.gov.cn 作为发件人" in result.output
    assert "xxk@jd.gov.cn" in _eml(vdir, "民政局_mzj@jd.gov.cn.eml")["From"]
    # set: no warning
    other = _make_ws(tmp_path / "ws2", f"sqlite:///{tmp_path / 'k2.db'}", free_port())
    _publish(other, f"sqlite:///{tmp_path / 'k2.db'}", 1, POINTS)
    result = CliRunner().invoke(cli, ["send", str(other), "--period", "2018Q2", "--dry-run"])
    assert result.exit_code == 0 and "没有设置 sender" not in result.output
