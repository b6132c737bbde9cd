"""Periodical names as people type them (transforms/publications.py; issue 12, point 3).

A spreadsheet row, a masthead or a decision names a periodical without its middle dot, with
spaces, in 《》 or 〈〉, or by the short name the office uses; each resolves to the scheme's
canonical periodical. A short name that fits several periodicals (萧山's 「专报」) is a
review question of type `publication`, its rows held back until it is answered; a name that
fits none stops the run naming file, row and the known names. Issue documents whose
masthead sets the name over two lines or with spaced characters are recognised in every
format. `kaohe init` writes a roster holding the abbreviations periodicals print."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from pathlib import Path

import polars as pl
import pytest
from test_issue_documents import GEN  # scripts/make_example_issues.py, loaded once

from flows import steps
from flows.issue_documents import read_issue, read_issues
from flows.readers import read_adoptions
from flows.workspace import Workspace, init_workspace
from schemes import SCHEMES, get_scheme
from transforms.errors import InputError
from transforms.periods import Period
from transforms.publications import PublicationIndex
from transforms.schema import DECISIONS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _index(scheme_id: str) -> PublicationIndex:
    return steps.publication_names(get_scheme(scheme_id))


def _copy(example: str, tmp_path: Path) -> Path:
    ws = tmp_path / example
    shutil.copytree(EXAMPLES / example, ws, ignore=shutil.ignore_patterns("out", "kaohe.db"))
    return ws


# --------------------------------------------------------------------------- the index

#: (scheme, as typed, the periodical meant): the DESIGN's names as people type them.
SPELLINGS = [
    ("jiande-2018", "建德政务动态", "建德政务·动态"),
    ("jiande-2018", "建德政务 · 动态", "建德政务·动态"),
    ("jiande-2018", "建 德 政 务 动 态", "建德政务·动态"),
    ("jiande-2018", "《建德政务·动态》", "建德政务·动态"),
    ("jiande-2018", "〈建德政务・动态〉", "建德政务·动态"),
    ("jiande-2018", "《建德政务》动态", "建德政务·动态"),
    ("jiande-2018", "动态", "建德政务·动态"),
    ("jiande-2018", "动  态", "建德政务·动态"),
    ("jiande-2018", "情况专报", "建德政务·情况专报"),
    ("jiande-2018", "《情况专报》", "建德政务·情况专报"),
    ("jiande-2018", "专报", "建德政务·情况专报"),
    ("jiande-2018", "参阅", "建德政务·参阅"),
    ("jiande-2018", "杭州政务", "杭州政务"),
    ("jiande-2018", "《杭州政务》", "杭州政务"),
    ("jiande-2018", "浙江信息", "浙江政务信息"),
    ("jiande-2018", "浙江政务信息", "浙江政务信息"),
    ("xiaoshan-2018", "萧山信息每日动态", "萧山信息·每日动态"),
    ("xiaoshan-2018", "每日动态", "萧山信息·每日动态"),
    ("xiaoshan-2018", "萧山信息专报", "萧山信息·专报"),
    ("xiaoshan-2018", "今日要情", "杭州信息·今日要情"),
    ("xiaoshan-2018", "每日汇报", "浙江信息·每日汇报"),
    ("xiaoshan-2018", "上报中办专件", "浙江信息·上报中办专件"),
    ("xiaoshan-2018", "浙江信息 工作情况交流", "浙江信息·工作情况交流"),
    ("xiaoshan-2018", "萧山区跑改简报", "区跑改简报"),
    ("xiaoshan-2018", "中共中央办公厅", "中办"),
    ("yinchuan-2018", "《银川政务信息》", "银川政务信息"),
    ("yinchuan-2018", "银川专题", "银川专题信息"),
    ("yinchuan-2018", "快报", "宁夏政务快报"),
    ("yinchuan-2018", "晨报", "宁夏政务晨报"),
    ("yinchuan-2018", "国报", "国报信息"),
    ("qingshan-2020", "政务信息(专刊)", "政务信息（专刊）"),
    ("qingshan-2020", "政务信息专刊", "政务信息（专刊）"),
    ("qingshan-2020", "专刊", "政务信息（专刊）"),
    ("qingshan-2020", "普刊", "政务信息（普刊）"),
    ("qingshan-2020", "《上报信息》", "上报信息"),
    ("qingshan-2020", "国办", "国务院办公厅"),
]


@pytest.mark.parametrize(("scheme", "typed", "meant"), SPELLINGS)
def test_spelling_resolves_to_the_canonical_periodical(scheme, typed, meant):
    found = _index(scheme).resolve(typed)
    assert (found.name, found.candidates) == (meant, (meant,))


#: (scheme, short name, the periodicals it fits): questions, never guesses.
AMBIGUOUS = [
    ("jiande-2018", "建德政务", ("建德政务·动态", "建德政务·情况专报", "建德政务·参阅")),
    ("xiaoshan-2018", "专报", ("萧山信息·专报", "杭州信息·专报", "浙江信息·专报")),
    ("xiaoshan-2018", "《专 报》", ("萧山信息·专报", "杭州信息·专报", "浙江信息·专报")),
    ("xiaoshan-2018", "情况交流", ("萧山信息·情况交流", "杭州信息·情况交流")),
    ("xiaoshan-2018", "跑改简报", ("区跑改简报", "市跑改简报", "省跑改简报")),
    (
        "xiaoshan-2018",
        "浙江信息",
        ("浙江信息·每日汇报", "浙江信息·工作情况交流", "浙江信息·专报", "浙江信息·上报中办专件"),
    ),  # fmt: skip
    ("qingshan-2020", "政务信息", ("政务信息（普刊）", "政务信息（专刊）")),
]


@pytest.mark.parametrize(("scheme", "typed", "fits"), AMBIGUOUS)
def test_a_short_name_of_several_periodicals_is_ambiguous(scheme, typed, fits):
    index = _index(scheme)
    found = index.resolve(typed)
    assert found.name is None and found.ambiguous
    assert found.candidates == fits
    assert typed not in index  # as a Mapping: only what resolves


@pytest.mark.parametrize("scheme_id", sorted(SCHEMES))
def test_every_name_and_listed_alias_of_a_scheme_resolves_to_its_own_periodical(scheme_id):
    # the scheme's list holds no alias two periodicals share, and no two names collide
    # once dots, spaces and brackets are dropped
    scheme = get_scheme(scheme_id)
    index = steps.publication_names(scheme)
    for pub in scheme.publications:
        for spelling in (pub.name, *pub.aliases):
            assert index.resolve(spelling).candidates == (pub.name,), spelling
    assert index.known_list() == "、".join(p.name for p in scheme.publications)


def test_answer_resolves_the_spelling_and_a_wrong_answer_keeps_the_question():
    index = _index("xiaoshan-2018")
    decisions = pl.DataFrame(
        [
            {"type": "publication", "key": "专报", "answer": "《杭州信息专报》"},
            {"type": "publication", "key": "情况交流", "answer": "情况简报"},
            {"type": "unit", "key": "浙江信息", "answer": "浙江信息·专报"},  # other type
        ],
        schema=DECISIONS,
    )
    answered = index.answered(decisions)
    found = answered.resolve("专 报")
    assert (found.name, found.answered) == ("杭州信息·专报", True)
    wrong = answered.resolve("情况交流")
    assert wrong.name is None and wrong.ambiguous and wrong.answer == "情况简报"
    assert answered.resolve("浙江信息").name is None
    assert index.resolve("专报").name is None  # the index itself is unchanged


# --------------------------------------------------------------------------- spreadsheets


def _sheet(path: Path, rows: list[tuple[str, str, str, str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["刊物", "期号", "日期", "标题", "单位"])
        w.writerows(rows)
    return path


def test_spreadsheet_rows_with_each_spelling_give_the_canonical_periodical(tmp_path):
    typed = [t for s, t, _ in SPELLINGS if s == "jiande-2018"]
    rows = [(t, str(n), "2018-05-03", f"标题{n}", "市农业局") for n, t in enumerate(typed, 1)]
    path = _sheet(tmp_path / "adoptions" / "typed.csv", rows)
    adoptions = read_adoptions([path], tmp_path, _index("jiande-2018"))
    expected = [m for s, _, m in SPELLINGS if s == "jiande-2018"]
    assert adoptions.sort("source_row")["publication"].to_list() == expected


def test_a_plain_mapping_still_works_without_short_forms(tmp_path):
    path = _sheet(tmp_path / "a.csv", [("建德政务动态", "1", "2018-05-03", "标题", "市农业局")])
    names = {"建德政务·动态": "建德政务·动态"}
    assert read_adoptions([path], tmp_path, names)["publication"].to_list() == ["建德政务·动态"]


def test_unknown_periodical_names_file_row_and_the_known_names(tmp_path):
    path = _sheet(
        tmp_path / "adoptions" / "a.csv",
        [
            ("建德政务动态", "1", "2018-05-03", "标题一", "市农业局"),
            ("建德日报", "2", "2018-05-04", "标题二", "市农业局"),
        ],
    )
    with pytest.raises(InputError) as err:
        read_adoptions([path], tmp_path, _index("jiande-2018"), questions=[])
    msg = str(err.value)
    assert msg.startswith("adoptions/a.csv 第3行：刊物「建德日报」不在本考核办法的刊物之列")
    assert "建德政务·动态、建德政务·情况专报、建德政务·参阅、杭州政务、浙江政务信息" in msg


def test_an_ambiguous_name_without_a_question_list_is_an_error_not_a_guess(tmp_path):
    path = _sheet(tmp_path / "a.csv", [("专报", "1", "2018-05-03", "标题", "区农业局")])
    with pytest.raises(InputError) as err:
        read_adoptions([path], tmp_path, _index("xiaoshan-2018"))
    assert "可指多个刊物（萧山信息·专报、杭州信息·专报、浙江信息·专报）" in str(err.value)


def test_an_ambiguous_row_is_held_back_with_what_it_is_about(tmp_path):
    path = _sheet(
        tmp_path / "adoptions" / "a.csv",
        [
            ("专报", "62", "2018-10-11", "“掌上办事”推广的区民政局实践", "区民政局"),
            ("萧山信息专报", "63", "2018-10-12", "出生“一件事”联办的南阳街道实践", "南阳街道"),
        ],
    )
    asked: list[dict] = []
    adoptions = read_adoptions([path], tmp_path, _index("xiaoshan-2018"), questions=asked)
    assert adoptions["publication"].to_list() == ["萧山信息·专报"]
    (q,) = asked
    assert (q["type"], q["key"], q["file"], q["row"]) == (
        "publication",
        "专报",
        "adoptions/a.csv",
        2,
    )
    assert (q["publication"], q["date"], q["title"]) == (
        "《专报》第62期",
        "2018-10-11",
        "“掌上办事”推广的区民政局实践",
    )


# 萧山 2018Q4: two rows of adoptions/2018q4.csv typed 「专报」 instead of 萧山信息·专报.
Q4 = "adoptions/2018q4.csv"


def _retype(ws: Path, spelled: str) -> list[int]:
    """Retype every 萧山信息·专报 row of October 2018 in 2018q4.csv; their row numbers."""
    path = ws / Q4
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = []
    for n, line in enumerate(lines, start=1):
        if line.startswith("萧山信息·专报,") and ",2018-10-" in line:
            lines[n - 1] = spelled + line[len("萧山信息·专报") :]
            rows.append(n)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows


def _points(ws: Path, period: str = "2018Q4") -> dict[str, float]:
    w = Workspace.load(ws)
    matched = steps.match_and_group(steps.ingest(w), w.scheme)
    result = steps.score(matched, w.scheme, Period.parse(period))
    return dict(result.scores.select("unit", "points").iter_rows())


def test_zhuanbao_in_xiaoshan_is_one_question_held_back_until_answered(tmp_path):
    ws = _copy("xiaoshan-2018", tmp_path)
    original = steps.ingest(Workspace.load(ws))
    before = _points(ws)
    rows = _retype(ws, "专报")
    assert len(rows) >= 2

    asked = steps.ingest(Workspace.load(ws))
    # held back: the retyped rows are not adoptions
    held = asked.adoptions.filter((pl.col("source_file") == Q4) & pl.col("source_row").is_in(rows))
    assert held.height == 0
    assert asked.adoptions.height == original.adoptions.height - len(rows)
    # one question for the spelling, at its first row, with the three periodicals it fits
    questions = asked.review.filter(pl.col("type") == "publication").rows(named=True)
    assert len(questions) == 1
    (q,) = questions
    assert (q["key"], q["file"], q["row"]) == ("专报", Q4, rows[0])
    assert q["candidates"] == "萧山信息·专报、杭州信息·专报、浙江信息·专报"
    assert q["text"].startswith("刊物「专报」：")
    assert f"共{len(rows)}行暂不计分（此处为第一行）" in q["reason"]
    assert "decisions.csv" in q["reason"]
    # the rows held back cost their units the points
    assert _points(ws) != before

    # answered with the canonical name: the rows count again, as typed in full
    with open(ws / "decisions.csv", "a", encoding="utf-8") as f:
        f.write("type,key,answer\npublication,专报,萧山信息·专报\n")
    answered = steps.ingest(Workspace.load(ws))
    assert answered.review.filter(pl.col("type") == "publication").height == 0
    assert sorted(answered.adoptions["adoption_id"]) == sorted(original.adoptions["adoption_id"])
    assert _points(ws) == before


def test_a_question_copied_from_review_with_its_key_as_written_is_answered(tmp_path):
    # key 「《专 报》」 as the user may copy or type it: the same spelling
    ws = _copy("xiaoshan-2018", tmp_path)
    _retype(ws, "《专 报》")
    (q,) = (
        steps.ingest(Workspace.load(ws))
        .review.filter(pl.col("type") == "publication")
        .rows(named=True)
    )
    assert q["key"] == "专报"
    (ws / "decisions.csv").write_text(
        "type,key,answer\npublication,《专 报》,萧山信息专报\n", encoding="utf-8"
    )
    inputs = steps.ingest(Workspace.load(ws))
    assert inputs.review.filter(pl.col("type") == "publication").height == 0
    assert inputs.adoptions.filter(pl.col("publication") == "萧山信息·专报").height > 0


# --------------------------------------------------------------------------- documents

JIANDE_ISSUE = GEN.ISSUES[0]  # 《建德政务·动态》2018年第13期: 20 adoptions, 1 writer-only


def _write(issue, out: Path, suffix: str) -> Path:
    path = out / f"{Path(issue.file).stem}{suffix}"
    GEN.WRITERS[suffix](issue, path)
    return path


MASTHEADS = {
    "two-lines-spaced": ("建德政务", "动  态"),
    "two-lines-ideographic-spaces": ("建德政务", "动　　态"),
    "spaced-characters": ("建 德 政 务 · 动 态",),
    "no-dot": ("建德政务动态",),
    "short-name-below-office-name": ("建德政务", "情况专报"),
}


@pytest.mark.parametrize("suffix", [".docx", ".pdf", ".html", ".txt"])
@pytest.mark.parametrize("masthead", sorted(MASTHEADS))
def test_masthead_over_two_lines_or_spaced_is_recognised_in_every_format(
    tmp_path, suffix, masthead
):
    lines = MASTHEADS[masthead]
    meant = "建德政务·情况专报" if lines[-1] == "情况专报" else "建德政务·动态"
    issue = dataclasses.replace(JIANDE_ISSUE, masthead=lines, periodical=meant)
    path = _write(issue, tmp_path, suffix)
    adoptions, review = read_issue(path, tmp_path, _index("jiande-2018"))
    assert {a["publication"] for a in adoptions} == {meant}
    # every article read as in the example issue (the sub-title is no section header)
    assert (len(adoptions), len(review)) == (20, 1)
    assert [a["kind"] for a in adoptions[:16]] == ["动态"] * 16
    assert all(a["issue"] == "第13期" for a in adoptions)


def test_masthead_with_only_a_shared_short_name_is_one_question_then_read(tmp_path):
    # 萧山: an issue whose masthead prints only 「专  报」 — which of the three?
    issue = next(i for i in GEN.XIAOSHAN if i.file.endswith(".docx"))
    issue = dataclasses.replace(issue, masthead=("专  报",))
    ws = tmp_path / "ws"
    (ws / "adoptions").mkdir(parents=True)
    path = _write(issue, ws / "adoptions", ".docx")
    index = _index("xiaoshan-2018")
    adoptions, review = read_issues([path], ws, index, pl.DataFrame(schema=DECISIONS))
    assert adoptions.height == 0
    (q,) = review.rows(named=True)
    assert (q["type"], q["key"], q["file"]) == ("publication", "专报", f"adoptions/{path.name}")
    assert q["candidates"] == "萧山信息·专报、杭州信息·专报、浙江信息·专报"
    assert "报头" in q["text"]
    decisions = pl.DataFrame(
        [{"type": "publication", "key": "专报", "answer": "萧山信息·专报"}], schema=DECISIONS
    )
    adoptions, review = read_issues([path], ws, index.answered(decisions), decisions)
    assert review.height == 0 and adoptions.height == 4
    assert set(adoptions["publication"]) == {"萧山信息·专报"}


# --------------------------------------------------------------------------- init roster


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_init_roster_holds_every_abbreviation_of_the_example_roster(tmp_path, example):
    scheme_id = Workspace.load(EXAMPLES / example).scheme.id
    root = init_workspace(tmp_path / "new", scheme_id)

    def aliases(path: Path) -> dict[str, set[str]]:
        with open(path, encoding="utf-8") as f:
            return {
                r["unit"]: set(filter(None, r["aliases"].split(";"))) for r in csv.DictReader(f)
            }

    written, shown = aliases(root / "units.csv"), aliases(EXAMPLES / example / "units.csv")
    missing = {
        unit: sorted(names - written[unit])
        for unit, names in shown.items()
        if unit in written and names - written[unit]
    }
    assert missing == {}
    # and the abbreviations the issue saw printed raw in a 建德 bulletin
    if scheme_id == "jiande-2018":
        assert {"文广局"} <= written["文广新局"]
        assert {"人社局"} <= written["人力社保局"]
        assert {"旅游局"} <= written["旅游商务局"]


def test_init_roster_aliases_are_each_one_units(tmp_path):
    # an abbreviation two units share (or another unit's name) would be useless to the
    # matcher: none is written
    for scheme_id in SCHEMES:
        root = init_workspace(tmp_path / scheme_id, scheme_id)
        with open(root / "units.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        seen: dict[str, str] = {r["unit"]: r["unit"] for r in rows}
        for r in rows:
            for a in filter(None, r["aliases"].split(";")):
                assert seen.setdefault(a, r["unit"]) == r["unit"], a
