"""[run] task_runner = "dask" on a real Dask cluster (issue 8 item 3): a scheduler and a
worker with two processes, started here as `dask scheduler` and `dask worker` subprocesses,
render the quarter and send the mail. The outputs and the messages an SMTP server (aiosmtpd
on 127.0.0.1) receives are those of the default runner (on every fourth unit of the 建德
example: the statements and the messages in several batches), and a send stopped by a server
that went down resumes without sending anything twice."""

from __future__ import annotations

import shutil
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from examples_e2e import assert_same_outputs, copy_example, read_csv, run
from processes import Background
from smtp_server import Recorder, free_port

from flows.cli import cli
from flows.delivery import MailError, send_period
from flows.render import statement_filename
from flows.workspace import init_workspace
from store.repository import Store
from transforms import schema
from transforms.errors import InputError

PERIOD = "2018Q2"
#: rendered with the default runner once a session (shared with test_dask_runner): every
#: fourth unit of the example's roster, 14 units with 22 addresses
EXAMPLE, EXAMPLE_PERIOD, ISSUED, EVERY = "jiande-2018", "2018Q2", "2018-07-05", 4
BIN = Path(sys.executable).parent
#: one worker for all the tests of both Dask files: one cluster, one default rendering
pytestmark = pytest.mark.xdist_group("dask")


# ------------------------------------------------------------------ the cluster


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """`dask scheduler` and `dask worker --nworkers 2 --nthreads 1` on 127.0.0.1; yields the
    scheduler's address and stops both (with the worker's processes) afterwards."""
    from distributed import Client

    procs = Background(tmp_path_factory.mktemp("dask"))
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(BIN / "dask")
    try:
        procs.start(
            "scheduler",
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        )
        procs.start(
            "worker",
            [dask, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
        )
        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        procs.stop(grace=3)  # the worker's nanny and its processes with it


@pytest.fixture
def smtp_servers():
    """Start aiosmtpd servers on free loopback ports (`start(handler)`); stop them after."""
    controllers = []

    def start(handler: Recorder | None = None, **options) -> Recorder:
        handler = handler or Recorder()
        ctl = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
        ctl.start()
        controllers.append(ctl)
        handler.port = ctl.port
        return handler

    yield start
    for ctl in controllers:
        ctl.stop()


def _configure(ws: Path, port: int, extra: str = "") -> Path:
    cfg = ws / "kaohe.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8")
        + f'\n[mail]\nhost = "127.0.0.1"\nport = {port}\nsender = "xxk@jiande.gov.cn"\n'
        + "retries = 3\nbackoff = 0.01\ntimeout = 5\n"
        + extra,
        encoding="utf-8",
    )
    return ws


def _on_dask(ws: Path, address: str) -> Path:
    with open(ws / "kaohe.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[run]\ntask_runner = "dask"\ndask_address = "{address}"\n')
    return ws


def _send(ws: Path, period: str = PERIOD, *extra: str):
    return CliRunner().invoke(cli, ["send", str(ws), "--period", period, *extra])


def _mails(handler: Recorder) -> list[tuple]:
    """What the server received, in a stable order: recipients, subject, To, body text and
    the attachments' names and bytes."""
    out = []
    for rcpt, msg in handler.received:
        files = tuple((p.get_filename(), p.get_content()) for p in msg.iter_attachments())
        body = msg.get_body(("plain",)).get_content()
        out.append((tuple(rcpt), msg["Subject"], msg["To"], body, files))
    return sorted(out)


def _deliveries(db_url: str, period: str = PERIOD) -> dict[tuple[str, str], tuple[str, str]]:
    """(unit, address) → (status, Message-ID) of the run's delivery rows."""
    store = Store.open(db_url)
    try:
        run_ = store.run(period, 1)
        return {k: (d.status, d.message_id) for k, d in store.deliveries(run_.id).items()}
    finally:
        store.close()


# ------------------------------------------------------------------ render and send


def test_cluster_renders_and_sends_what_the_default_runner_does(
    tmp_path, rendered_example, dask_cluster, smtp_servers
):
    plain_smtp, dask_smtp = smtp_servers(), smtp_servers()
    plain = tmp_path / "default"
    shutil.copytree(rendered_example(EXAMPLE, EXAMPLE_PERIOD, ISSUED, EVERY), plain)
    _configure(plain, plain_smtp.port)
    dask = _on_dask(
        _configure(copy_example(tmp_path / "dask", EXAMPLE, EVERY), dask_smtp.port), dask_cluster
    )
    res = run(dask, EXAMPLE_PERIOD, "--date", ISSUED)
    assert res.exit_code == 0, res.output
    assert "在 Dask 上分批生成得分说明：2 批，每批至多 10 个单位" in res.output
    assert_same_outputs(plain / "out" / EXAMPLE_PERIOD / "v1", dask / "out" / EXAMPLE_PERIOD / "v1")

    # the example's 2018Q2 is a draft (征求意见稿: its review.csv has open questions)
    res = _send(plain, EXAMPLE_PERIOD, "--allow-draft")
    assert res.exit_code == 0, res.output
    res = _send(dask, EXAMPLE_PERIOD, "--allow-draft")
    assert res.exit_code == 0, res.output
    assert "在 Dask 上分批发送：3 批，每批至多 10 封" in res.output and "已发送" in res.output
    n = len(plain_smtp.received)
    # a message to every address of the roster
    units = read_csv(dask / "units.csv")
    assert n == sum(len(u["emails"].split(";")) for u in units) == 22
    assert f"本次发送 {n} 封" in res.output
    # The same messages, with the same PDFs byte for byte.
    assert _mails(dask_smtp) == _mails(plain_smtp)
    rows = _deliveries(f"sqlite:///{dask / 'kaohe.db'}", EXAMPLE_PERIOD)
    assert len(rows) == n and {s for s, _ in rows.values()} == {"sent"}
    assert len({m for _, m in rows.values()}) == n  # one Message-ID each

    res = _send(dask, EXAMPLE_PERIOD, "--allow-draft")
    assert res.exit_code == 0, res.output
    assert f"此前已发送 {n} 封" in res.output and len(dask_smtp.received) == n


# ------------------------------------------------------------------ the server goes down

UNITS = [f"第{i:02d}单位" for i in range(1, 41)]


def _small_ws(root: Path, db_url: str, port: int, address: str, extra_mail: str = "") -> Path:
    """40 units with one address each and a recorded version 1 (tiny PDFs, nothing
    rendered): four batches of ten messages."""
    init_workspace(root, "jiande-2018")
    (root / "units.csv").write_text(
        "unit,group,aliases,emails\n"
        + "".join(f"{u},A,,u{i}@jd.gov.cn\n" for i, u in enumerate(UNITS, 1)),
        encoding="utf-8",
    )
    with open(root / "kaohe.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[database]\nurl = "{db_url}"\n')
    _on_dask(_configure(root, port, extra_mail), address)
    vdir = root / "out" / PERIOD / "v1"
    (vdir / "statements").mkdir(parents=True)
    (vdir / "bulletin.pdf").write_bytes(b"%PDF-1.4 bulletin\n")
    for u in UNITS:
        (vdir / "statements" / f"{statement_filename(u)}.pdf").write_bytes(
            f"%PDF-1.4 {u}\n".encode()
        )
    scores = schema.conform(
        pl.DataFrame(
            [
                {"unit": u, "group": "A", "points": 50.0 - i, "rank": i, "target_met": False}
                for i, u in enumerate(UNITS, 1)
            ]
        ),
        schema.SCORES,
    )
    base = {"period": PERIOD, "clause": "三（一）", "rule": "录用", "date": date(2018, 5, 3)}
    ledger = schema.conform(
        pl.DataFrame(
            [
                base | {"unit": u, "rule_id": "J-3.1.1", "ref": f"a-{u}", "points": 50.0 - i}
                for i, u in enumerate(UNITS, 1)
            ]
        ),
        schema.LEDGER,
    )
    (vdir / "manifest.json").write_text('{"inputs_hash": "h1"}')
    store = Store.open(db_url)
    store.record_run(
        scheme="jiande-2018",
        period=PERIOD,
        version=1,
        inputs_hash="h1",
        started_at=datetime(2018, 7, 5, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
        output_dir=str(vdir),
        manifest={"version": 1},
        ledger=ledger,
        scores=scores,
    )
    store.close()
    return root


class GoesDown(Recorder):
    """Accepts `after` messages, then drops every connection at MAIL FROM (no reply: the
    client sees a lost connection, as when the server goes down) until `down` is cleared."""

    def __init__(self, after: int):
        super().__init__()
        self.after = after
        self.down = True

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.down and len(self.received) >= self.after:
            server.transport.abort()
            return "421 4.3.2 gone"  # never reaches the client: the connection is dropped
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"


def test_server_down_stops_every_batch_and_the_next_send_resumes(
    tmp_path, db_url, prefect_server, dask_cluster, smtp_servers
):
    smtp = smtp_servers(GoesDown(after=12))
    ws = _small_ws(tmp_path / "ws", db_url, smtp.port, dask_cluster)
    res = _send(ws)
    assert res.exit_code == 1, res.output
    assert "在 Dask 上分批发送：4 批，每批至多 10 封" in res.output
    assert "邮件服务器无法连接，已停止发送" in res.output
    assert "再次运行 kaohe send 将从中断处继续" in res.output
    first = _deliveries(db_url)
    sent = {a for (_, a), (s, _) in first.items() if s == "sent"}
    deferred = {a: m for (_, a), (s, m) in first.items() if s == "deferred"}
    got = [r[0] for r, _ in smtp.received]
    assert sorted(got) == sorted(sent) and len(got) >= 12
    assert {s for s, _ in first.values()} == {"sent", "deferred"}
    # Each batch stops at its first message finding the server down; the batches that
    # had not started by then do not start: at most one message per worker is deferred.
    assert 1 <= len(deferred) <= 2 and len(first) < len(UNITS)

    smtp.down = False
    res = _send(ws)
    assert res.exit_code == 0, res.output
    assert f"此前已发送 {len(sent)} 封" in res.output
    assert f"本次发送 {len(UNITS) - len(sent)} 封" in res.output
    got = [r[0] for r, _ in smtp.received]
    assert len(got) == len(set(got)) == len(UNITS)  # everyone once, nobody twice
    assert {s for s, _ in _deliveries(db_url).values()} == {"sent"}
    # A message that was tried before keeps its Message-ID.
    ids = {r[0]: m["Message-ID"] for r, m in smtp.received}
    assert all(ids[a] == m for a, m in deferred.items())


def _password_is_right(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"right"
    return AuthResult(success=ok, handled=False)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_refused_login_on_a_worker_stops_the_send_with_its_message(
    tmp_path, prefect_server, dask_cluster, smtp_servers, monkeypatch
):
    smtp = smtp_servers(
        authenticator=_password_is_right, auth_required=True, auth_require_tls=False
    )
    db_url = f"sqlite:///{tmp_path / 'k.db'}"
    login = 'username = "xxk"\npassword_env = "KAOHE_TEST_SMTP_PW"\n'
    ws = _small_ws(tmp_path / "ws", db_url, smtp.port, dask_cluster, login)
    monkeypatch.setenv("KAOHE_TEST_SMTP_PW", "wrong")
    with pytest.raises(MailError, match="邮件服务器拒绝登录（用户 xxk）"):
        send_period(ws, PERIOD)
    rows = _deliveries(db_url)
    assert smtp.received == [] and 1 <= len(rows) <= 2
    assert {s for s, _ in rows.values()} == {"deferred"}
    monkeypatch.setenv("KAOHE_TEST_SMTP_PW", "right")
    report = send_period(ws, PERIOD)
    assert report.ok and len(report.sent) == len(UNITS) == len(smtp.received)
    assert report.sent == [(u, f"u{i}@jd.gov.cn") for i, u in enumerate(UNITS, 1)]


def test_a_cluster_that_cannot_be_reached_is_named(tmp_path, prefect_server, smtp_servers):
    import dask

    smtp = smtp_servers()
    db_url = f"sqlite:///{tmp_path / 'k.db'}"
    nowhere = f"tcp://127.0.0.1:{free_port()}"  # no scheduler listens here
    ws = _small_ws(tmp_path / "ws", db_url, smtp.port, nowhere)
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(InputError, match=f"无法连接 Dask 集群 {nowhere}"):
            send_period(ws, PERIOD)
    assert smtp.received == [] and _deliveries(db_url) == {}


def test_a_signed_bulletin_goes_out_on_the_cluster_once(
    tmp_path, prefect_server, dask_cluster, smtp_servers
):
    """`kaohe send --bulletin` on the Dask runner: every batch carries the signed file and
    records it per message; sending it again sends nothing."""
    smtp = smtp_servers()
    db_url = f"sqlite:///{tmp_path / 'kaohe.db'}"
    ws = _small_ws(tmp_path / "ws", db_url, smtp.port, dask_cluster)
    signed = tmp_path / "签发稿.pdf"
    signed.write_bytes(b"%PDF-1.7 signed\n")
    res = _send(ws, PERIOD, "--bulletin", str(signed))
    assert res.exit_code == 0, res.output
    assert "在 Dask 上分批发送：" in res.output and "本次发出的通报是签发稿" in res.output
    assert len(smtp.received) == len(UNITS)
    assert all(
        next(m.iter_attachments()).get_content() == signed.read_bytes() for _, m in smtp.received
    )
    store = Store.open(db_url)
    try:
        run_ = store.run(PERIOD, 1)
        sha = store.signed_bulletins(run_.id)[0].sha256
        assert {(d.bulletin, d.status) for d in store.delivery_rows(run_.id)} == {(sha, "sent")}
    finally:
        store.close()
    res = _send(ws, PERIOD, "--bulletin", str(signed))
    assert res.exit_code == 0 and len(smtp.received) == len(UNITS)
    assert f"其中 {len(UNITS)} 封附的是签发稿" in res.output
