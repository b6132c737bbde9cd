"""Questions a person can answer, and a draft that stays a draft (issue 12, points 5 and 6).

review.csv is Chinese, shows what each question is about and which answers it takes; a
row copied into decisions.csv works; answering one question never brings a new question of
the same kind. While a question that changes points is open the bulletin and statements
say 征求意见稿, `kaohe send` refuses them without --allow-draft, and a scheduled quarter
mails the office the open questions instead of the units (a real SMTP server, aiosmtpd).
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from examples_e2e import copy_example
from test_render import make_context
from test_reruns import _mailing_workspace

from flows import readers, schedule, steps
from flows.cli import cli
from flows.render import render_outputs, write_exports
from flows.workspace import Workspace
from transforms import review, schema
from transforms.errors import InputError
from transforms.periods import Period

ROOT = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------ the registry


def test_every_type_has_a_chinese_label_answers_and_a_rule():
    ids = set(review.QUESTION_TYPES)
    assert {"unit", "same_article", "no_submission", "article_source", "submission"} <= ids
    assert {"date", "publication", "mail"} <= ids
    for q in review.QUESTION_TYPES.values():
        assert q.label and q.accepts and not q.label.isascii()
        assert review.decision_type(q.label) is q and review.decision_type(q.id) is q
    # informational questions never hold a bulletin back
    assert not review.QUESTION_TYPES["no_submission"].changes_points
    assert not review.QUESTION_TYPES["mail"].changes_points
    assert review.QUESTION_TYPES["unit"].changes_points
    assert review.QUESTION_TYPES["date"].changes_points


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        ("unit", ["文广新局", "忽略"], ["是", "2018-06-19"]),
        ("same_article", ["是", "否"], ["发改局", "忽略", ""]),
        (
            "date",
            ["2018-06-19", "2018.6.19", "2018年6月19日", "确认"],
            ["6月19日", "是", "2018-02-30"],
        ),
        ("publication", ["建德政务·动态"], ["否"]),
        ("no_submission", ["已核实"], ["发改局"]),
    ],
)
def test_answers_are_checked_against_their_question(kind, good, bad):
    for answer in good:
        assert review.check_answer(kind, answer) is None, answer
    for answer in bad:
        problem = review.check_answer(kind, answer)
        assert problem and review.QUESTION_TYPES[kind].accepts in problem, answer


# ------------------------------------------------------------------ review.csv → decisions.csv


def _jiande_matched(ws: Path) -> steps.Matched:
    w = Workspace.load(ws)
    return steps.match_and_group(steps.ingest(w), w.scheme)


@pytest.fixture(scope="module")
def jiande(tmp_path_factory) -> tuple[Path, steps.Matched]:
    ws = copy_example(tmp_path_factory.mktemp("jiande"), "jiande-2018")
    return ws, _jiande_matched(ws)


def _review_csv(tmp_path: Path, matched: steps.Matched) -> list[dict[str, str]]:
    ctx = make_context(review=matched.review)
    write_exports(tmp_path, ctx)
    with open(tmp_path / "review.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_review_csv_is_chinese_and_says_what_each_question_is_about(tmp_path, jiande):
    _, matched = jiande
    rows = _review_csv(tmp_path, matched)
    assert list(rows[0])[:3] == ["问题类型", "识别码", "答复"]
    labels = {r["问题类型"] for r in rows}
    assert labels <= {q.label for q in review.QUESTION_TYPES.values()}
    assert {"未识别单位", "疑似同一篇信息", "无对应报送", "来源不明"} <= labels
    # questions that change points come first
    changes = [r["影响得分"] for r in rows]
    assert changes == sorted(changes, key=lambda v: v != "是")
    unit = next(r for r in rows if r["问题类型"] == "未识别单位" and r["识别码"] == "老干部局")
    assert unit["单位"] == "市老干部局" and unit["文件"] == "adoptions/2018q2.csv"
    assert unit["标题"] and unit["日期"] and unit["刊物及期号"].startswith("《建德政务·动态》")
    assert unit["可填答复"] == review.QUESTION_TYPES["unit"].accepts
    # a question keyed by hashes still shows what it is about
    for r in rows:
        if r["问题类型"] in ("无对应报送", "疑似同一篇信息"):
            assert r["标题"] and r["日期"] and r["刊物及期号"] and r["单位"], r
            assert r["可填答复"] in ("“已核实”（不再提示；得分不受影响）", "是 / 否")


def test_a_copied_row_of_review_csv_answers_its_question(tmp_path, jiande):
    _, matched = jiande
    with open(_write(tmp_path, matched), encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    header, rows = table[0], table[1:]
    unit = next(r for r in rows if r[0] == "未识别单位" and r[1] == "老干部局")
    pair = next(r for r in rows if r[0] == "疑似同一篇信息")
    # under decisions.csv's English header: the row as copied, the answer filled in
    unit[2], pair[2] = "人力社保局", "否"
    _csv(
        tmp_path / "decisions.csv",
        [["type", "key", "answer"], unit, pair, ["unit", "妇联", "忽略"]],
    )
    got = readers.read_decisions(tmp_path / "decisions.csv", tmp_path)
    assert got.rows() == [
        ("unit", "老干部局", "人力社保局"),
        ("same_article", pair[1], "否"),
        ("unit", "妇联", "忽略"),
    ]
    # review.csv itself saved as decisions.csv (Chinese header) with one answer
    unit[2] = "忽略"
    _csv(tmp_path / "decisions.csv", [header, unit, pair[:2] + [""] + pair[3:]])
    assert readers.read_decisions(tmp_path / "decisions.csv", tmp_path).rows() == [
        ("unit", "老干部局", "忽略")
    ]


def test_an_answer_that_does_not_fit_is_an_error_naming_the_row(tmp_path, jiande):
    _, matched = jiande
    key = matched.review.filter(type="same_article")["key"][0]
    _csv(
        tmp_path / "decisions.csv",
        [
            ["问题类型", "识别码", "答复"],
            ["未识别单位", "妇联", "忽略"],
            ["疑似同一篇信息", key, "发改局"],
        ],
    )
    with pytest.raises(InputError) as err:
        readers.read_decisions(tmp_path / "decisions.csv", tmp_path)
    assert str(err.value).startswith("decisions.csv 第3行：")
    assert "「是」或「否」" in str(err.value)
    _csv(tmp_path / "decisions.csv", [["type", "key", "answer"], ["单位", "妇联", "忽略"]])
    with pytest.raises(InputError, match="decisions.csv 第2行：问题类型「单位」无法识别"):
        readers.read_decisions(tmp_path / "decisions.csv", tmp_path)


def test_two_different_answers_to_one_question_stop_the_run_naming_both_rows(tmp_path):
    # Issue 13: the last of two answers won in silence and moved points between units.
    _csv(
        tmp_path / "decisions.csv",
        [
            ["type", "key", "answer"],
            ["unit", "文广局", "市文化广电新闻出版局"],
            ["unit", "妇联", "忽略"],
            ["日期存疑", "建德政务·动态|第12期|2017-06-19|标题", "2018-06-19"],
            ["date", "建德政务·动态|第12期|2017-06-19|标题", "2018/6/19"],  # the same date
            ["unit", "文广局", "旅游局"],
        ],
    )
    with pytest.raises(InputError) as err:
        readers.read_decisions(tmp_path / "decisions.csv", tmp_path)
    message = str(err.value)
    assert message.startswith("decisions.csv 第6行：与第2行答复了同一问题")
    assert "「市文化广电新闻出版局」与「旅游局」" in message
    assert "第5行" not in message  # one date written two ways is one answer
    _csv(
        tmp_path / "decisions.csv",
        [["type", "key", "answer"], ["unit", "妇联", "忽略"], ["unit", "妇联", "忽略"]],
    )
    decisions = readers.read_decisions(tmp_path / "decisions.csv", tmp_path)
    assert decisions.rows() == [("unit", "妇联", "忽略")]


def _write(tmp_path: Path, matched: steps.Matched) -> Path:
    write_exports(tmp_path, make_context(review=matched.review))
    return tmp_path / "review.csv"


def _csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def test_answering_questions_never_brings_new_no_submission_questions(tmp_path, jiande):
    """The issue: 14 of 22 questions were no_submission rows, and answering unit names
    created new ones. Answer every unit, submission and article_source question of the
    Jiande example with a unit: the no_submission rows stay as they were."""
    src, before = jiande
    ws = tmp_path / "ws"
    shutil.copytree(src, ws, ignore=shutil.ignore_patterns("out", "kaohe.db"))
    with open(src / "decisions.csv", encoding="utf-8") as f:
        answers = list(csv.reader(f))  # the example's own answers (水利局)
    for r in before.review.iter_rows(named=True):
        if r["type"] == "unit":
            best = (r["candidates"] or "").split("(")[0]
            answers.append(["unit", r["key"], best or "忽略"])
        elif r["type"] in ("submission", "article_source"):
            answers.append([r["type"], r["key"], "文广新局"])
    assert len(answers) > 10
    _csv(ws / "decisions.csv", answers)
    after = _jiande_matched(ws)
    assert after.review.filter(pl.col("type").is_in(["unit", "submission"])).is_empty()
    asked = before.review.filter(type="no_submission").sort("key")
    again = after.review.filter(type="no_submission").sort("key")
    assert asked.height == 14
    # nothing new, nothing changed (a row may only go when an answer links it)
    assert set(again["key"]) <= set(asked["key"])
    assert again.rows() == asked.filter(pl.col("key").is_in(again["key"].implode())).rows()
    # and answering them (已核实) closes them without touching points
    _csv(
        ws / "decisions.csv",
        answers + [["无对应报送", k, "已核实"] for k in again["key"].to_list()],
    )
    assert _jiande_matched(ws).review.filter(type="no_submission").is_empty()


# ------------------------------------------------------------------ drafts


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    return ["".join(p.split()) for p in text.split("\f") if p.strip()]


def test_open_questions_mark_every_page_as_a_draft(tmp_path):
    draft = make_context()  # the sample's review list: an unknown unit name
    assert review.open_questions(draft.review, draft.period) == {"unit": 1}
    render_outputs(tmp_path / "draft", draft)
    pages = _pages(tmp_path / "draft" / "bulletin.pdf")
    assert len(pages) > 1 and all("征求意见稿" in p for p in pages)
    assert "征求意见稿" in (tmp_path / "draft" / "bulletin.html").read_text(encoding="utf-8")
    for st in (tmp_path / "draft" / "statements").glob("*.pdf"):
        assert all("征求意见稿" in p for p in _pages(st)), st
    # informational questions only: no mark
    info = schema.conform(
        pl.DataFrame([{"type": "no_submission", "key": "a1", "date": "2018-05-03"}]),
        schema.REVIEW,
    )
    render_outputs(tmp_path / "final", make_context(review=info))
    assert not any("征求意见稿" in p for p in _pages(tmp_path / "final" / "bulletin.pdf"))
    html = (tmp_path / "final" / "statements" / "新安江街道.html").read_text(encoding="utf-8")
    assert 'draft-mark"' not in html and "征求意见稿" not in html


def test_a_question_about_a_later_quarter_does_not_hold_this_one():
    rows = pl.DataFrame(
        [
            {"type": "unit", "key": "旅游局", "date": "2018-10-08"},
            {"type": "same_article", "key": "a|b", "date": "2018-03-01 / 2018-11-02"},
        ]
    )
    rv = schema.conform(rows, schema.REVIEW)
    assert review.open_questions(rv, Period.parse("2018Q2")) == {"same_article": 1}
    assert review.open_questions(rv, Period.parse("2018Q4")) == {"unit": 1, "same_article": 1}
    undated = schema.conform(pl.DataFrame([{"type": "submission", "key": "x@y.cn"}]), schema.REVIEW)
    assert review.open_questions(undated, Period.parse("2018Q1")) == {"submission": 1}


def _draft_workspace(tmp_path: Path, port: int, office: str | None) -> Path:
    """The two-unit workspace of test_reruns with an adoption naming 市文广局, a unit the
    roster does not know: 2018Q2 is a draft."""
    ws = _mailing_workspace(tmp_path, port)
    with open(ws / "adoptions" / "q2.csv", "a", encoding="utf-8") as f:
        f.write("建德政务·动态,13,2018-05-10,文广局推进文化礼堂建设,市文广局,动态\n")
    if office:
        with open(ws / "kaohe.toml", "a", encoding="utf-8") as f:
            f.write(f'office_address = "{office}"\n')
    return ws


@pytest.mark.usefixtures("prefect_server")
def test_send_refuses_a_draft_until_answered_or_allowed(tmp_path, smtp):
    ws = _draft_workspace(tmp_path, smtp.port, None)
    run = CliRunner().invoke(cli, ["run", str(ws), "--period", "2018Q2"], catch_exceptions=False)
    assert run.exit_code == 0 and "征求意见稿" in run.output
    manifest = json.loads((ws / "out" / "2018Q2" / "v1" / "manifest.json").read_text("utf-8"))
    assert manifest["draft"] is True and manifest["open_questions"] == {"unit": 1}
    # `kaohe send` as the user calls it: one Chinese message, exit 2, nothing mailed
    refused = subprocess.run(
        [sys.executable, "-m", "flows.cli", "send", str(ws), "--period", "2018Q2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert refused.returncode == 2 and smtp.received == []
    said = refused.stdout + refused.stderr
    assert "Traceback" not in said
    assert "征求意见稿" in said and "1个影响得分的问题" in said and "未识别单位1项" in said
    assert str(ws / "out" / "2018Q2" / "v1" / "review.csv") in said and "--allow-draft" in said
    # a dry run mails nothing and may show the draft
    dry = CliRunner().invoke(cli, ["send", str(ws), "--period", "2018Q2", "--dry-run"])
    assert dry.exit_code == 0 and smtp.received == []
    # told to: the draft goes out, saying so
    sent = CliRunner().invoke(cli, ["send", str(ws), "--period", "2018Q2", "--allow-draft"])
    assert sent.exit_code == 0, sent.output
    assert smtp.subjects() and all(s.startswith("【征求意见稿】") for s in smtp.subjects())


@pytest.mark.usefixtures("prefect_server")
def test_a_scheduled_draft_mails_the_office_then_a_run_and_a_send_finish(tmp_path, smtp):
    ws = _draft_workspace(tmp_path, smtp.port, "xxk-office@jd.gov.cn")
    result = schedule.scheduled_quarter(str(ws), period="2018Q2")
    assert result["draft"] is True and result["office"] == "xxk-office@jd.gov.cn"
    assert smtp.to() == ["xxk-office@jd.gov.cn"]  # no unit got the draft
    ((_, msg),) = smtp.received
    assert "1个问题待答复" in msg["Subject"]
    body = msg.get_body(("plain",)).get_content()
    assert "decisions.csv" in body and "kaohe run" in body and "kaohe send" in body
    (att,) = list(msg.iter_attachments())
    table = att.get_content()
    table = table.decode("utf-8-sig") if isinstance(table, bytes) else table.lstrip("\ufeff")
    lines = table.splitlines()
    assert lines[0].startswith("问题类型,识别码,答复,可填答复")
    assert any(line.startswith("未识别单位,文广局,") for line in lines)

    # the office answers by copying the row; a run and a send finish the quarter
    row = next(line for line in lines if line.startswith("未识别单位,"))
    cells = next(csv.reader([row]))
    cells[2] = "民政局"
    _csv(ws / "decisions.csv", [["type", "key", "answer"], cells])
    smtp.received.clear()
    run = CliRunner().invoke(cli, ["run", str(ws), "--period", "2018Q2"], catch_exceptions=False)
    assert run.exit_code == 0 and "征求意见稿" not in run.output
    manifest = json.loads((ws / "out" / "2018Q2" / "v2" / "manifest.json").read_text("utf-8"))
    assert manifest["draft"] is False and manifest["open_questions"] == {}
    # the draft was never issued: the first formal version corrects nothing
    v2 = "".join(_pages(ws / "out" / "2018Q2" / "v2" / "bulletin.pdf"))
    assert "更正说明" not in v2 and "征求意见稿" not in v2
    sent = CliRunner().invoke(cli, ["send", str(ws), "--period", "2018Q2"])
    assert sent.exit_code == 0, sent.output
    assert smtp.to() == ["fgj@jd.gov.cn", "mzj@jd.gov.cn"]
    assert not any("征求意见稿" in s for s in smtp.subjects())


@pytest.mark.usefixtures("prefect_server")
def test_a_scheduled_draft_without_office_address_mails_nobody(tmp_path, smtp):
    ws = _draft_workspace(tmp_path, smtp.port, None)
    result = schedule.scheduled_quarter(str(ws), period="2018Q2")
    assert result["draft"] is True and "office" not in result
    assert smtp.received == []
    assert "未设置 office_address" in result["note"] and "review.csv" in result["note"]


@pytest.mark.usefixtures("prefect_server")
def test_a_bad_office_address_is_named_and_never_reaches_the_server(tmp_path, smtp):
    from flows.delivery import MailError, mail_office

    ws = _draft_workspace(tmp_path, smtp.port, "Bcc: xxk@jd.gov.cn")
    run = CliRunner().invoke(cli, ["run", str(ws), "--period", "2018Q2"], catch_exceptions=False)
    assert run.exit_code == 0 and "征求意见稿" in run.output
    with pytest.raises(MailError, match="office_address"):
        mail_office(Workspace.load(ws), Period.parse("2018Q2"))
    assert smtp.received == []
