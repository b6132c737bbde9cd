"""`kaohe send --bulletin FILE`: the office's edited and signed bulletin (.docx or .pdf)
mailed in place of the generated one, against a real SMTP server (aiosmtpd) on 127.0.0.1,
on SQLite and PostgreSQL (the `db_url` fixture). The workspace is test_delivery's: four
units, versions written by hand, no rendering."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from test_delivery import POINTS, _make_ws, _publish

from flows.cli import cli, main
from flows.delivery import send_period
from store.repository import Store
from transforms.errors import InputError

DOCX = "vnd.openxmlformats-officedocument.wordprocessingml.document"


def _signed_docx(path: Path, text: str = "建德市人民政府办公室 签发稿") -> Path:
    doc = Document()
    doc.add_paragraph(text)
    doc.save(path)
    return path


def _kaohe(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    """`kaohe ARGS` as the command runs it (flows.cli.main: errors as one line, exit 2)."""
    monkeypatch.setattr("sys.argv", ["kaohe", *args])
    code = 0
    try:
        main()
    except SystemExit as done:
        code = done.code or 0
    out = capsys.readouterr()
    return code, out.out + out.err


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _rows(db_url: str):
    store = Store.open(db_url)
    run = store.run("2018Q2", 1)
    rows = [(d.unit, d.address, d.bulletin, d.status) for d in store.delivery_rows(run.id)]
    signed = [(b.version, b.name, b.path, b.sha256) for b in store.signed_bulletins(run.id)]
    store.close()
    return rows, signed


@pytest.fixture
def draft_ws(tmp_path, db_url, smtp):
    """Version 1 is a draft (征求意见稿): questions that change points are open."""
    root = _make_ws(tmp_path / "ws", db_url, smtp.port)
    vdir = _publish(root, db_url, 1, POINTS)
    manifest = json.loads((vdir / "manifest.json").read_text())
    manifest |= {"draft": True, "open_questions": {"unit": 2}}
    (vdir / "manifest.json").write_text(json.dumps(manifest))
    return root


def test_a_signed_docx_is_mailed_in_place_of_the_draft_kept_and_recorded(
    draft_ws, smtp, db_url, tmp_path
):
    signed = _signed_docx(tmp_path / "签发稿（主任改定）.docx")
    vdir = draft_ws / "out" / "2018Q2" / "v1"
    before = _listing(vdir)
    # without it, the draft is refused
    with pytest.raises(InputError, match="征求意见稿"):
        send_period(draft_ws, "2018Q2")
    lines: list[str] = []
    report = send_period(draft_ws, "2018Q2", bulletin=signed, progress=lines.append)
    assert report.ok and len(report.sent) == 4
    assert smtp.to() == ["fgj2@jd.gov.cn", "fgj@jd.gov.cn", "mzj@jd.gov.cn", "xaj@jd.gov.cn"]
    for _, msg in smtp.received:
        assert "征求意见稿" not in msg["Subject"]  # sending the signed file is the approval
        parts = list(msg.iter_attachments())
        assert parts[0].get_filename() == "2018年第二季度政务信息工作情况通报.docx"
        assert parts[0].get_content_type() == f"application/{DOCX}"
        assert parts[0].get_content() == signed.read_bytes()
        assert parts[1].get_filename().endswith("得分说明.pdf")
    # the mail text names the .docx it carries
    body = smtp.received[0][1].get_body(("plain",)).get_content()
    assert "1. 2018年第二季度政务信息工作情况通报.docx" in body
    # kept beside the version folder, which stays as the run wrote it
    kept = vdir.with_name("v1.signed") / signed.name
    assert kept.read_bytes() == signed.read_bytes()
    assert _listing(vdir) == before
    rows, records = _rows(db_url)
    sha = _sha(signed)
    assert records == [(1, signed.name, str(kept), sha)]
    assert {(b, s) for _, _, b, s in rows} == {(sha, "sent")} and len(rows) == 4
    said = "\n".join(lines)
    assert "签发稿" in said and "不受征求意见稿限制" in said and str(kept) in said


def test_units_that_received_the_generated_bulletin_get_the_signed_one_only_when_asked(
    tmp_path, db_url, smtp
):
    root = _make_ws(tmp_path / "ws", db_url, smtp.port)
    vdir = _publish(root, db_url, 1, POINTS)
    assert send_period(root, "2018Q2").ok and len(smtp.received) == 4
    signed = tmp_path / "签发.pdf"
    signed.write_bytes(b"%PDF-1.7 signed by the director\n")

    lines: list[str] = []
    report = send_period(root, "2018Q2", bulletin=signed, progress=lines.append)
    assert report.sent == [] and report.already == 4 and len(smtp.received) == 4
    said = "\n".join(lines)
    assert f"4 封附的是生成的通报 {vdir / 'bulletin.pdf'}" in said
    assert "--resend" in said

    report = send_period(root, "2018Q2", bulletin=signed, resend=True)
    assert len(report.sent) == 4 and len(smtp.received) == 8
    for _, msg in smtp.received[4:]:
        first = next(msg.iter_attachments())
        assert first.get_filename().endswith("通报.pdf")
        assert first.get_content() == signed.read_bytes()

    # the same file again, even with --resend: nothing twice, and it says which file went
    lines = []
    report = send_period(root, "2018Q2", bulletin=signed, resend=True, progress=lines.append)
    assert report.sent == [] and report.already == 4 and len(smtp.received) == 8
    kept = vdir.with_name("v1.signed") / "签发.pdf"
    assert f"4 封附的是签发稿 {kept}" in "\n".join(lines)

    # a plain send afterwards sends nothing either
    report = send_period(root, "2018Q2")
    assert report.sent == [] and report.already == 4 and len(smtp.received) == 8
    rows, records = _rows(db_url)
    assert len(records) == 1 and len(rows) == 8
    assert sorted({b for _, _, b, _ in rows}) == ["", _sha(signed)]


def test_a_second_signed_file_of_the_same_name_is_kept_apart(tmp_path, db_url, smtp):
    root = _make_ws(tmp_path / "ws", db_url, smtp.port)
    vdir = _publish(root, db_url, 1, POINTS)
    (tmp_path / "a").mkdir()
    one = _signed_docx(tmp_path / "a" / "通报.docx")
    assert send_period(root, "2018Q2", bulletin=one).ok
    (tmp_path / "b").mkdir()
    two = _signed_docx(tmp_path / "b" / "通报.docx", "再次修改的签发稿")
    report = send_period(root, "2018Q2", bulletin=two, resend=True)
    assert len(report.sent) == 4 and len(smtp.received) == 8
    kept = sorted(p.name for p in vdir.with_name("v1.signed").iterdir())
    assert kept == ["通报.docx", f"通报~{_sha(two)[:8]}.docx"]
    assert (vdir.with_name("v1.signed") / "通报.docx").read_bytes() == one.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("通报.doc", b"\xd0\xcf\x11\xe0", "不是 .docx 或 .pdf"),
        ("通报.docx", b"PK\x03\x04 not really a zip", "内容不是 Word 文档"),
        ("通报.pdf", b"<html>not a pdf</html>", "内容不是PDF"),
        ("通报.pdf", b"", "大小为 0 字节"),
    ],
)
def test_a_file_that_is_no_bulletin_is_refused_naming_it(
    tmp_path, smtp, monkeypatch, capsys, name, content, said
):
    db_url = f"sqlite:///{tmp_path / 'kaohe.db'}"
    root = _make_ws(tmp_path / "ws", db_url, smtp.port)
    _publish(root, db_url, 1, POINTS)
    bad = tmp_path / name
    bad.write_bytes(content)
    code, out = _kaohe(
        monkeypatch, capsys, "send", str(root), "--period", "2018Q2", "--bulletin", str(bad)
    )
    assert code == 2, out
    assert out.startswith("错误：签发稿") and said in out and str(bad) in out
    assert smtp.received == []
    assert not (root / "out" / "2018Q2" / "v1.signed").exists()


def test_resend_needs_a_signed_bulletin(tmp_path, smtp, monkeypatch, capsys):
    db_url = f"sqlite:///{tmp_path / 'kaohe.db'}"
    root = _make_ws(tmp_path / "ws", db_url, smtp.port)
    _publish(root, db_url, 1, POINTS)
    code, out = _kaohe(monkeypatch, capsys, "send", str(root), "--period", "2018Q2", "--resend")
    assert code == 2 and "--resend 只能与 --bulletin 一起用" in out
    assert smtp.received == []


def test_the_cli_says_which_file_went_out(tmp_path, smtp):
    db_url = f"sqlite:///{tmp_path / 'kaohe.db'}"
    root = _make_ws(tmp_path / "ws", db_url, smtp.port)
    _publish(root, db_url, 1, POINTS)
    signed = _signed_docx(tmp_path / "签发稿.docx")
    result = CliRunner().invoke(
        cli, ["send", str(root), "--period", "2018Q2", "--bulletin", str(signed)]
    )
    assert result.exit_code == 0, result.output
    kept = root / "out" / "2018Q2" / "v1.signed" / "签发稿.docx"
    assert f"本次发出的通报是签发稿 {kept}（sha256 {_sha(signed)}）" in result.output
    # a dry run with a signed file writes the messages but keeps and records nothing
    (tmp_path / "d").mkdir()
    other = _signed_docx(tmp_path / "d" / "另一稿.docx", "另一稿")
    result = CliRunner().invoke(
        cli,
        ["send", str(root), "--period", "2018Q2", "--bulletin", str(other), "--dry-run"],
    )
    assert result.exit_code == 0, result.output
    eml = sorted((root / "out" / "2018Q2" / "v1" / "mail").glob("*.eml"))
    assert eml
    import email
    import email.policy

    msg = email.message_from_bytes(eml[0].read_bytes(), policy=email.policy.default)
    assert next(msg.iter_attachments()).get_content() == other.read_bytes()
    assert not (kept.parent / "另一稿.docx").exists()
    assert len(Document(io.BytesIO(kept.read_bytes())).paragraphs) == 1


def test_deliveries_made_before_signed_bulletins_count_as_the_generated_bulletin(tmp_path, smtp):
    """A database at revision 0003 whose deliveries were sent is upgraded (0004): its rows
    carried the generated bulletin, so a signed send mails nobody again without --resend."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from store.repository import alembic_config

    db_url = f"sqlite:///{tmp_path / 'old.db'}"
    root = _make_ws(tmp_path / "ws", db_url, smtp.port)
    _publish(root, db_url, 1, POINTS)  # recorded at the newest revision, then taken back
    engine = create_engine(db_url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0003")
        # a delivery as kaohe before 0004 wrote it
        conn.exec_driver_sql(
            "INSERT INTO deliveries (run_id, period, version, unit, address, correction, "
            "message_id, status, attempts, updated_at) SELECT id, '2018Q2', 1, '民政局', "
            "'mzj@jd.gov.cn', 0, '<old@x>', 'sent', 1, '2018-07-05 09:00:00' FROM runs"
        )
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"
    engine.dispose()
    signed = _signed_docx(tmp_path / "签发稿.docx")
    report = send_period(root, "2018Q2", bulletin=signed)
    assert report.already == 1 and len(report.sent) == 3
    assert "mzj@jd.gov.cn" not in smtp.to()
    rows, records = _rows(db_url)
    assert ("民政局", "mzj@jd.gov.cn", "", "sent") in rows and len(records) == 1
