"""Publication issues as documents (flows/issue_documents.py): the example issues of
examples/jiande-2018 (and of xiaoshan-2018, yinchuan-2018, qingshan-2020) read article by
article, counted once with the spreadsheets, an unreadable source sent to the review list,
and files that are not issues refused."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import polars as pl
import pytest

from flows import steps
from flows.issue_documents import document_lines, read_issue, read_issues, unresolved_sources
from flows.readers import adoption_key, normalize_publication, read_adoptions
from flows.workspace import DOCUMENT_SUFFIXES, TABLE_SUFFIXES, Workspace
from transforms.errors import InputError
from transforms.issue_text import parse_issue
from transforms.periods import Period
from transforms.schema import ADOPTIONS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "jiande-2018"


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_example_issues", ROOT / "scripts" / "make_example_issues.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


GEN = _generator()
WS = Workspace.load(EXAMPLE)
NAMES = steps.publication_names(WS.scheme)


def _issue_ids():
    return [i.file for i in GEN.ISSUES]


# --------------------------------------------------------------------------- the examples


def test_the_example_workspace_holds_four_issues_one_per_format():
    docs = WS.files("adoptions", DOCUMENT_SUFFIXES)
    assert sorted(p.suffix for p in docs) == [".docx", ".html", ".pdf", ".txt"]
    assert sorted(p.name for p in docs) == sorted(_issue_ids())
    # .xls stays listed among the tables (the reader says it is unsupported)
    assert TABLE_SUFFIXES == (".csv", ".xlsx", ".xls")


@pytest.mark.parametrize("issue", GEN.ISSUES, ids=_issue_ids())
def test_example_issue_masthead(issue):
    masthead, _ = parse_issue(document_lines(EXAMPLE / "adoptions" / issue.file))
    assert NAMES[normalize_publication(masthead["periodical"])] == issue.periodical
    assert masthead["issue"] == f"第{issue.number}期"
    assert masthead["total_issue"] == f"总第{issue.total}期"
    assert masthead["date"] == issue.date
    assert masthead["office"] == issue.office


@pytest.mark.parametrize("issue", GEN.ISSUES, ids=_issue_ids())
def test_example_issue_every_article_and_source(issue):
    # Every article the generator printed, in order, once (the TOC adds none), with its
    # section's class and the units its source names.
    _, articles = parse_issue(document_lines(EXAMPLE / "adoptions" / issue.file))
    expected = [
        (n, a.title, kind, a.source, list(a.units))
        for n, (kind, a) in enumerate(issue.articles(), start=1)
    ]
    got = [(a["number"], a["title"], a["kind"], a["source"], a["units"]) for a in articles]
    assert got == expected
    for a, (_, printed) in zip(articles, issue.articles(), strict=True):
        assert a["text"].replace("\n", "") == printed.text.replace("\n", "")


def test_example_issue_counts_by_hand():
    # docx: 17 工作动态 + 4 简讯 = 21 articles, one (王建国) without a unit → 20 adoptions;
    # pdf: 6 要情 + 1 专报 = 7; html: 1; txt: 1 要情 + 2 专报 = 3.
    counts = {}
    for issue in GEN.ISSUES:
        adoptions, review = read_issue(EXAMPLE / "adoptions" / issue.file, EXAMPLE, NAMES)
        counts[Path(issue.file).suffix] = (len(adoptions), len(review))
    assert counts == {".docx": (20, 1), ".pdf": (7, 0), ".html": (1, 0), ".txt": (3, 0)}


@pytest.mark.parametrize("example", sorted(GEN.EXAMPLES))
def test_generator_reproduces_the_committed_files(tmp_path, example):
    paths = GEN.write_issues(tmp_path, GEN.EXAMPLES[example])
    adoptions = ROOT / "examples" / example / "adoptions"
    for path in paths:
        assert path.read_bytes() == (adoptions / path.name).read_bytes(), path.name
    # and the example holds no other issue documents
    on_disk = Workspace.load(adoptions.parent).files("adoptions", DOCUMENT_SUFFIXES)
    assert sorted(p.name for p in on_disk) == sorted(p.name for p in paths)


# --------------------------------------------------------------------------- counted once


def test_documents_and_spreadsheets_count_once():
    tables_only = read_adoptions(WS.files("adoptions"), WS.root, NAMES)
    inputs = steps.ingest(WS)
    # 31 articles with a unit in the documents, 29 of them already typed into
    # adoptions/2018q2.csv: only the 2 document-only articles are new.
    assert inputs.adoptions.height == tables_only.height + 2
    from_docs = inputs.adoptions.filter(~pl.col("source_file").str.ends_with(".csv"))
    from_docs = from_docs.filter(~pl.col("source_file").str.ends_with(".xlsx"))
    assert from_docs.select("source_file", "source_row", "title", "units_raw", "kind").rows() == [
        (
            "adoptions/2018-建德政务动态-第13期.docx",
            21,
            "市审管办举办“一窗受理”业务培训",
            "市审管办",
            "简讯",
        ),
        (
            "adoptions/2018-杭州政务-第139期.pdf",
            7,
            "建德市林下经济发展中存在的问题及对策建议",
            "建德市农业局、建德市林业局",
            "专报",
        ),
    ]
    # every spreadsheet article of the documents is there once, with the spreadsheet's units
    keys = {
        adoption_key(r["publication"], r["issue"], r["date"], r["title"]): r
        for r in inputs.adoptions.iter_rows(named=True)
    }
    for issue in GEN.ISSUES:
        for _, a in issue.articles():
            key = adoption_key(issue.periodical, f"第{issue.number}期", issue.date, a.title)
            if a.in_spreadsheet:
                assert keys[key]["source_file"] == "adoptions/2018q2.csv", a.title
            elif a.units:
                assert keys[key]["source_file"].endswith(issue.file)
            else:
                assert key not in keys


def test_unreadable_source_goes_to_the_review_list():
    matched = steps.match_and_group(steps.ingest(WS), WS.scheme)
    rows = matched.review.filter(pl.col("type") == "article_source").rows(named=True)
    assert len(rows) == 1
    (row,) = rows
    assert row["file"] == "adoptions/2018-建德政务动态-第13期.docx" and row["row"] == 17
    assert row["text"].startswith("我市“最多跑一次”改革便民服务再提速：近日，我市聚焦")
    assert len(row["text"]) == len("我市“最多跑一次”改革便民服务再提速：") + 80
    assert row["candidates"] == "（王建国）"
    assert "未能识别供稿单位" in row["reason"]


def test_unreadable_source_already_in_a_spreadsheet_needs_no_review(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(EXAMPLE, ws, ignore=shutil.ignore_patterns("out", "kaohe.db"))
    (ws / "adoptions" / "typed.csv").write_text(
        "刊物,期号,日期,标题,单位\n建德政务·动态,13,2018-04-09,我市“最多跑一次”改革便民服务再提速,审管办\n",
        encoding="utf-8",
    )
    inputs = steps.ingest(Workspace.load(ws))
    assert inputs.review.height == 0


def test_document_only_articles_add_their_points_and_nothing_else_changes(tmp_path):
    # Scores of 2018Q2 with the documents against a copy without them: the duplicated
    # articles add nothing; the two new ones add, by J1/J2: 审管办 简讯 in 《建德政务·动态》
    # +2; the joint 专报 in 《杭州政务》 +16 to 农业局 and to 林业局 each (C2: full points).
    bare = tmp_path / "bare"
    shutil.copytree(EXAMPLE, bare, ignore=shutil.ignore_patterns("out", "kaohe.db"))
    for p in Workspace.load(bare).files("adoptions", DOCUMENT_SUFFIXES):
        p.unlink()
    period = Period.parse("2018Q2")

    def points(root: Path) -> dict[str, float]:
        ws = Workspace.load(root)
        result = steps.score(steps.match_and_group(steps.ingest(ws), ws.scheme), ws.scheme, period)
        return dict(result.scores.select("unit", "points").iter_rows())

    with_docs, without = points(EXAMPLE), points(bare)
    changed = {u: with_docs[u] - without[u] for u in with_docs if with_docs[u] != without[u]}
    assert changed == {"审管办": 2.0, "农业局": 16.0, "林业局": 16.0}


# --------------------------------------------------------------------------- merging rule


def _doc_frame(rows: list[dict]) -> pl.DataFrame:
    base = {"adoption_id": "d", "issue": "第12期", "kind": None, "source_row": 1}
    return pl.DataFrame([{**base, **r} for r in rows], schema=ADOPTIONS)


def test_spreadsheet_row_wins_over_the_document(tmp_path):
    from datetime import date

    csv = tmp_path / "adoptions" / "q2.csv"
    csv.parent.mkdir()
    csv.write_text(
        "刊物,期号,日期,标题,单位\n建德政务·动态,12,2018-05-03,我市推进“最多跑一次”改革,市农业局\n",
        encoding="utf-8",
    )
    docs = _doc_frame(
        [
            {
                "publication": "建德政务·动态",
                "date": date(2018, 5, 3),
                "title": "我市推进 “最多跑一次” 改革",  # same normalised title
                "units_raw": "建德市农业局",  # printed otherwise
                "source_file": "adoptions/i.docx",
            },
            {
                "publication": "建德政务·动态",
                "date": date(2018, 5, 3),
                "title": "寿昌镇推进无违建创建",
                "units_raw": "寿昌镇",
                "source_file": "adoptions/i.docx",
                "source_row": 2,
            },
        ]
    )
    df = read_adoptions([csv], tmp_path, NAMES, documents=docs)
    assert df.select("title", "units_raw", "source_file").rows() == [
        ("我市推进“最多跑一次”改革", "市农业局", "adoptions/q2.csv"),
        ("寿昌镇推进无违建创建", "寿昌镇", "adoptions/i.docx"),
    ]


def test_one_article_typed_once_per_unit_names_both_units(tmp_path):
    # A joint article typed as two rows (one per unit) is one adoption naming both units:
    # the units of later rows are added to the first row's.
    csv = tmp_path / "q2.csv"
    csv.write_text(
        "刊物,期号,日期,标题,单位\n"
        "杭州政务,82,2018-04-09,建德：发改局打好有效投资攻坚战,市发改局\n"
        "杭州政务,第82期,2018-04-09,建德：发改局打好有效投资攻坚战,开发区\n"
        "杭州政务,82,2018-04-09,建德：发改局打好有效投资攻坚战,市发改局\n",
        encoding="utf-8",
    )
    df = read_adoptions([csv], tmp_path, NAMES)
    assert df.select("units_raw", "source_row").rows() == [("市发改局、开发区", 2)]


# --------------------------------------------------------------------------- not issues


def _error(path: Path, root: Path) -> str:
    with pytest.raises(InputError) as err:
        read_issues([path], root, NAMES)
    return str(err.value)


def test_old_doc_is_refused(tmp_path):
    path = tmp_path / "adoptions" / "第12期.doc"
    path.parent.mkdir()
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    assert "另存为 .docx" in _error(path, tmp_path)


def test_broken_docx_is_refused(tmp_path):
    path = tmp_path / "a.docx"
    path.write_bytes(b"PK not a package")
    assert _error(path, tmp_path).startswith("a.docx：不是有效的 docx 文件")


def test_pdf_without_text_layer_is_refused(tmp_path):
    from weasyprint import HTML

    path = tmp_path / "scan.pdf"
    HTML(string="<div style='width:5cm;height:5cm;background:#888'></div>").write_pdf(path)
    assert "没有文字层" in _error(path, tmp_path)


def test_text_without_a_periodical_of_the_scheme_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(
        "浙江日报\n2018年5月3日\n——————\n某标题\n正文。（市农业局）\n", encoding="utf-8"
    )
    msg = _error(path, tmp_path)
    assert msg.startswith("notes.txt：报头中找不到本考核办法的刊物")
    assert "建德政务·动态" in msg and "杭州政务" in msg


def test_issue_without_a_date_is_refused(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("建德政务·动态\n第12期\n——————\n某标题\n正文。（市农业局）\n", encoding="utf-8")
    assert "找不到出刊日期" in _error(path, tmp_path)


def test_html_in_gbk_with_font_tags_and_br(tmp_path):
    # An old-style page: GBK, the name in <font color=red>, lines split by <br>, a bold
    # title, the masthead written 建德政务 动态 (no dot) — still the scheme's periodical.
    page = (
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=gbk'></head>"
        "<body><center><font color='#FF0000' size=7>建德政务 动态</font><br>"
        "第12期<br>建德市人民政府办公室 2018年5月3日</center><hr>"
        "<p><b>寿昌镇扎实推进无违建创建</b></p><p>今年以来，寿昌镇扎实推进各项工作。</p>"
        "<p align=right>（寿昌镇）</p></body></html>"
    )
    path = tmp_path / "a.html"
    path.write_bytes(page.encode("gbk"))
    lines = document_lines(path)
    assert lines[0].text == "建德政务 动态" and lines[0].red and lines[0].centered
    adoptions, review = read_issue(path, tmp_path, NAMES)
    assert [(a["publication"], a["issue"], a["title"], a["units_raw"]) for a in adoptions] == [
        ("建德政务·动态", "第12期", "寿昌镇扎实推进无违建创建", "寿昌镇")
    ]
    assert review == []


def _copy_example(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(EXAMPLE, ws, ignore=shutil.ignore_patterns("out", "kaohe.db"))
    return ws


@pytest.mark.parametrize(("answer", "added"), [("审管办", 1), ("忽略", 0)])
def test_answered_source_makes_the_article_an_adoption(tmp_path, answer, added):
    # review.csv saved as decisions.csv with the answer filled in: a rerun reads the unit
    # (1 adoption more, from the document's 17th article) or leaves the article out.
    ws = _copy_example(tmp_path)
    before = steps.ingest(Workspace.load(ws))
    key = before.review["key"][0]
    with open(ws / "decisions.csv", "a", encoding="utf-8") as f:
        f.write(f"article_source,{key},{answer}\n")
    after = steps.ingest(Workspace.load(ws))
    assert after.review.height == 0
    assert after.adoptions.height == before.adoptions.height + added
    if added:
        docx = after.adoptions.filter(pl.col("source_file").str.ends_with("第13期.docx"))
        row = docx.filter(pl.col("source_row") == 17).row(0, named=True)
        assert row["units_raw"] == "审管办" and row["title"].startswith("我市“最多跑一次”")


def test_one_issue_as_docx_and_as_pdf_counts_once(tmp_path):
    # 《建德政务·动态》第13期 given twice, as Word and as PDF: 20 adoptions and 1 review row,
    # not 40 and 2.
    issue = GEN.ISSUES[0]
    GEN.write_docx(issue, tmp_path / "a.docx")
    GEN.write_pdf(issue, tmp_path / "b.pdf")
    docs, review = read_issues(
        [tmp_path / "a.docx", tmp_path / "b.pdf"], tmp_path, NAMES, decisions=None
    )
    assert docs.height == 40 and review.height == 2
    adoptions = read_adoptions([], tmp_path, NAMES, documents=docs)
    assert adoptions.height == 20
    assert set(adoptions["source_file"]) == {"a.docx"}
    assert unresolved_sources(review, adoptions).height == 1


def test_docx_masthead_in_a_table_and_titles_in_heading_style(tmp_path):
    # Some offices lay the masthead out in a borderless table and use Word's 标题 2 style
    # for the titles (bold through the style, not the runs).
    import docx
    from docx.shared import RGBColor

    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    name = table.cell(0, 0).paragraphs[0].add_run("杭州政务")
    name.font.color.rgb = RGBColor(0xFF, 0, 0)
    table.cell(1, 0).text = "2018年第82期"
    table.cell(1, 1).text = "杭州市人民政府办公厅　2018年4月9日"
    document.add_paragraph("━━━━━━━━━━━━")
    document.add_heading("建德：发改局打好有效投资攻坚战", level=2)
    document.add_paragraph("今年以来，建德市发改局紧盯重大项目，一季度完成有效投资45亿元。")
    document.add_paragraph("（建德市发改局、建德经济开发区）")
    path = tmp_path / "hz82.docx"
    document.save(path)
    lines = document_lines(path)
    assert lines[0].text == "杭州政务" and lines[0].red
    adoptions, review = read_issue(path, tmp_path, NAMES)
    assert [(a["issue"], a["date"].isoformat(), a["title"], a["units_raw"]) for a in adoptions] == [
        ("第82期", "2018-04-09", "建德：发改局打好有效投资攻坚战", "建德市发改局、建德经济开发区")
    ]
    assert review == []


# --------------------------------------------------------------------------- other examples
# xiaoshan-2018, yinchuan-2018 and qingshan-2020 each carry three issues made by the same
# generator with their schemes' periodicals and mastheads (《萧山信息》 printed over two lines
# 萧山信息 / 每日动态, 区跑改简报 by 区跑改办, 《政务信息（专刊）》 whose bracket is part of the
# name), sources printed their way (「（区农业局（林业局））」「来源：银川市发展改革委」
# 「（青山区教育局 供稿）」), one document-only article and one writer-only source each.

OTHERS = {name: issues for name, issues in GEN.EXAMPLES.items() if name != "jiande-2018"}
OTHER_ISSUES = [(name, issue) for name, issues in OTHERS.items() for issue in issues]


def _other_ids():
    return [f"{name}:{issue.file}" for name, issue in OTHER_ISSUES]


def _names(example: str) -> dict[str, str]:
    return steps.publication_names(Workspace.load(ROOT / "examples" / example).scheme)


@pytest.mark.parametrize(("example", "issue"), OTHER_ISSUES, ids=_other_ids())
def test_other_example_issue_masthead_articles_and_sources(example, issue):
    root = ROOT / "examples" / example
    path = root / "adoptions" / issue.file
    masthead, articles = parse_issue(document_lines(path))
    assert masthead["issue"] == f"第{issue.number}期"
    assert masthead["total_issue"] == f"总第{issue.total}期"
    assert masthead["date"] == issue.date
    assert masthead["office"] == issue.office
    expected = [
        (n, a.title, kind, a.source, list(a.units))
        for n, (kind, a) in enumerate(issue.articles(), start=1)
    ]
    got = [(a["number"], a["title"], a["kind"], a["source"], a["units"]) for a in articles]
    assert got == expected
    for a, (_, printed) in zip(articles, issue.articles(), strict=True):
        assert a["text"].replace("\n", "") == printed.text.replace("\n", "")
    # the masthead names the scheme's periodical (over two lines, or with its bracket)
    adoptions, review = read_issue(path, root, _names(example))
    assert {r["publication"] for r in adoptions} | {r["key"].split("|")[0] for r in review} == {
        issue.periodical
    }
    assert all(r["key"].startswith(issue.periodical + "|") for r in review)


def test_other_example_issue_counts_by_hand():
    # (adoptions, review rows) per document:
    # xiaoshan: docx 3 from 2018q4.csv + 1 document-only; pdf 3; txt 3 + 1 writer-only.
    # yinchuan: docx 7 + 1 document-only + 1 简讯; pdf 1 (a 专题 issue holds one article);
    #           html 7 + 1 writer-only.
    # qingshan: docx 2 + 1 document-only; pdf 6 in five sections + 1 writer-only; txt 6.
    counts = {}
    for example, issue in OTHER_ISSUES:
        root = ROOT / "examples" / example
        adoptions, review = read_issue(root / "adoptions" / issue.file, root, _names(example))
        counts[issue.file] = (len(adoptions), len(review))
    assert counts == {
        "2018-萧山信息每日动态-第109期.docx": (4, 0),
        "2018-萧山信息情况交流-第71期.pdf": (3, 0),
        "2018-区跑改简报-第47期.txt": (3, 1),
        "2018-银川政务信息-第43期.docx": (9, 0),
        "2018-银川专题信息-第10期.pdf": (1, 0),
        "2018-银川政务信息-第47期.html": (7, 1),
        "2020-政务信息专刊-第18期.docx": (3, 0),
        "2020-上报信息-第68期.pdf": (6, 1),
        "2020-政务信息普刊-第93期.txt": (6, 0),
    }


def _run(root: Path, period: Period):
    ws = Workspace.load(root)
    inputs = steps.ingest(ws)
    matched = steps.match_and_group(inputs, ws.scheme)
    return inputs, matched, steps.score(matched, ws.scheme, period)


# example → (period, document-only article: file, its number, title, units_raw,
#            the unit it scores for and the points it adds, writer-only article: file, number)
# Points by the schemes' tables: 《萧山信息·每日动态》 5分/篇 (X-4.1.2); 《银川政务信息》 3 per
# article that is not a 简讯 (Y-9.2.1); 《政务信息（专刊）》 100 per article.
SCORED = {
    "xiaoshan-2018": (
        "2018Q4",
        ("2018-萧山信息每日动态-第109期.docx", 4, "区发改局推行企业投资项目“标准地”改革"),
        ("区发改局", "区发改局", 5.0),
        ("2018-区跑改简报-第47期.txt", 4, "（通讯员 沈佳）"),
    ),
    "yinchuan-2018": (
        "2018Q2",
        ("2018-银川政务信息-第43期.docx", 8, "市发展改革委“三张清单”推动重点项目落地"),
        ("银川市发展改革委", "市发展改革委", 3.0),
        ("2018-银川政务信息-第47期.html", 8, "（执笔：马丽）"),
    ),
    "qingshan-2020": (
        "2020Q4",
        ("2020-政务信息专刊-第18期.docx", 3, "区教育局线上线下融合教学的经验做法"),
        ("青山区教育局", "区教育局", 100.0),
        ("2020-上报信息-第68期.pdf", 3, "（王海燕 撰稿）"),
    ),
}


@pytest.mark.parametrize("example", sorted(SCORED))
def test_other_example_documents_count_once_and_change_the_score_by_their_own_article(
    tmp_path, example
):
    period, (file, number, title), (units_raw, unit, added), (w_file, w_number, w_src) = SCORED[
        example
    ]
    root = ROOT / "examples" / example
    bare = tmp_path / "bare"
    shutil.copytree(root, bare, ignore=shutil.ignore_patterns("out", "kaohe.db"))
    for p in Workspace.load(bare).files("adoptions", DOCUMENT_SUFFIXES):
        p.unlink()
    p_ = Period.parse(period)
    with_in, with_m, with_r = _run(root, p_)
    bare_in, bare_m, bare_r = _run(bare, p_)

    # counted once: of all the documents' articles only the document-only one is new
    assert with_in.adoptions.height == bare_in.adoptions.height + 1
    from_docs = with_in.adoptions.filter(~pl.col("source_file").str.ends_with(".csv"))
    assert from_docs.select("source_file", "source_row", "title", "units_raw").rows() == [
        (f"adoptions/{file}", number, title, units_raw)
    ]
    keys = {
        adoption_key(r["publication"], r["issue"], r["date"], r["title"]): r["source_file"]
        for r in with_in.adoptions.iter_rows(named=True)
    }
    for issue in OTHERS[example]:
        for _, a in issue.articles():
            key = adoption_key(issue.periodical, f"第{issue.number}期", issue.date, a.title)
            if a.in_spreadsheet:  # the spreadsheet's row, not the document's
                assert keys[key].endswith(".csv"), a.title
            else:
                assert (key in keys) == bool(a.units), a.title

    # the writer-only source: on the review list with its text, once
    (row,) = with_m.review.filter(pl.col("type") == "article_source").rows(named=True)
    assert (row["file"], row["row"], row["candidates"]) == (f"adoptions/{w_file}", w_number, w_src)
    assert "未能识别供稿单位" in row["reason"]
    # the other review rows are those of the spreadsheets, and for an article no mail
    # log holds (the document-only one), its missing submission where the scheme links
    before = bare_m.review.filter(pl.col("type") != "no_submission")
    after = with_m.review.filter(~pl.col("type").is_in(["no_submission", "article_source"]))
    assert sorted(after["key"].to_list()) == sorted(before["key"].to_list())

    # the score: only the document-only article's unit changes, by its points
    def table(r):
        return {x["unit"]: (x["points"], x["adopted"]) for x in r.scores.iter_rows(named=True)}

    w, b = table(with_r), table(bare_r)
    changed = {u: (w[u][0] - b[u][0], w[u][1] - b[u][1]) for u in w if w[u] != b[u]}
    assert changed == {unit: (added, 1)}
    assert with_r.ledger.height == bare_r.ledger.height + 1


# --------------------------------------------------------------------------- the cache


def _example_copy(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("out", "kaohe.db", ".kaohe*"))
    return root


def _docs(root: Path) -> list[Path]:
    return sorted(p for p in (root / "adoptions").iterdir() if p.suffix in DOCUMENT_SUFFIXES)


def test_cached_lines_give_the_same_rows_without_opening_the_documents(tmp_path, monkeypatch):
    """The lines of each issue are kept by the sha256 of its bytes inside the workspace (a
    hidden folder, never an input); the next read takes them from there, rows identical."""
    import hashlib

    from flows import issue_documents

    root = _example_copy(tmp_path)
    hashes = Workspace.load(root).input_hashes()
    plain = read_issues(_docs(root), root, NAMES)
    first = read_issues(_docs(root), root, NAMES, cache=True)
    folder = issue_documents.issue_cache(root)
    assert folder == root / ".kaohe-cache" / "issues"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        hashlib.sha256(p.read_bytes()).hexdigest() + ".json" for p in _docs(root)
    )

    def unopened(path, file, suffix):
        raise AssertionError(f"{file} opened again")

    monkeypatch.setattr(issue_documents, "_extract_lines", unopened)
    again = read_issues(_docs(root), root, NAMES, cache=True)
    for frames in (first, again):
        assert frames[0].equals(plain[0]) and frames[1].equals(plain[1])
    assert not plain[0].is_empty()
    # not an input: the inputs (and so a run's version) are unchanged by the cache
    assert Workspace.load(root).input_hashes() == hashes


def test_size_bounds_are_checked_for_cached_documents(tmp_path, monkeypatch):
    from flows import readers

    root = _example_copy(tmp_path)
    read_issues(_docs(root), root, NAMES, cache=True)

    def too_big(path, file):
        if path.parent.name == "adoptions":
            raise InputError("文件过大", file=file)

    monkeypatch.setattr(readers, "check_size", too_big)
    with pytest.raises(InputError) as err:
        read_issues(_docs(root), root, NAMES, cache=True)
    assert len(err.value.problems) == 4  # every document, its entry notwithstanding


@pytest.mark.parametrize(
    "damage",
    ["truncated", "not json", "a line altered", "another kaohe", "another document"],
)
def test_a_damaged_cache_entry_is_not_trusted_and_is_rewritten(tmp_path, damage):
    import json

    from flows import cache, issue_documents

    root = _example_copy(tmp_path)
    pdf = root / "adoptions" / "2018-杭州政务-第139期.pdf"
    expected = document_lines(pdf)
    folder = issue_documents.issue_cache(root)
    assert document_lines(pdf, cache=folder) == expected
    (entry,) = folder.iterdir()
    good = entry.read_text(encoding="utf-8")
    data = json.loads(good)
    if damage == "truncated":
        entry.write_text(good[: len(good) // 2], encoding="utf-8")
    elif damage == "not json":
        entry.write_bytes(b"\x00\xff garbage")
    else:
        if damage == "a line altered":  # valid JSON, but not what was extracted
            data["lines"][0][0] = "伪造的标题"
        elif damage == "another kaohe":  # another version, code or library: re-extracted
            data["extractor"] = "0" * 64
            data["lines"][0][0] = "伪造的标题"
            data["digest"] = cache.digest(data["lines"])
        else:  # an entry copied under another document's name
            data["document"] = "0" * 64
        entry.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert document_lines(pdf, cache=folder) == expected
    assert json.loads(entry.read_text(encoding="utf-8")) == json.loads(good)  # rewritten


def test_an_edited_document_gets_a_new_entry_and_the_old_one_goes(tmp_path):
    from flows import issue_documents

    root = _example_copy(tmp_path)
    read_issues(_docs(root), root, NAMES, cache=True)
    folder = issue_documents.issue_cache(root)
    before = {p.name for p in folder.iterdir()}
    txt = root / "adoptions" / "2018-浙江政务信息-第124期.txt"
    txt.write_text(txt.read_text(encoding="utf-8").replace("建德", "建德市", 1), encoding="utf-8")
    adoptions, _ = read_issues(_docs(root), root, NAMES, cache=True)
    assert adoptions.equals(read_issues(_docs(root), root, NAMES)[0])
    after = {p.name for p in folder.iterdir()}
    assert len(after) == 4 and len(after - before) == 1 and len(before - after) == 1
