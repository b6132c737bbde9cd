"""Write publication issues as documents for the example workspace examples/jiande-2018.

Four issues, laid out the way the periodicals print them (报头 with the periodical's name in
red, 第N期（总第N期）, the issuing office and the date; 本期目录; section headers; titles in
bold; the source at the end of each article; the imprint 报/送 and 印发 at the foot):

- 《建德政务·动态》2018年第13期 as Word (.docx, python-docx),
- 《杭州政务》2018年第139期 as PDF (WeasyPrint from HTML),
- 《建德政务·情况专报》2018年第7期 as a web page (.html),
- 《浙江政务信息》2018年第124期 as plain text (.txt), its date in Chinese numerals.

Their articles are rows of examples/jiande-2018/adoptions/2018q2.csv (so they count once
with the spreadsheet), plus two articles only the documents hold: a brief of 审管办 in the
Word issue and a joint 专报 of 农业局 and 林业局 in the PDF; and one article whose source
names only its writer (it goes to the review list). Deterministic: the same files each run
(the .docx and .pdf carry fixed metadata).

    .venv/bin/python scripts/make_example_issues.py [--out examples/jiande-2018/adoptions]
"""

from __future__ import annotations

import argparse
import html
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "examples" / "jiande-2018" / "adoptions"
OFFICE = "建德市人民政府办公室"
RED = "C00000"


@dataclass(frozen=True)
class Article:
    title: str
    source: str  # the attribution as printed
    units: tuple[str, ...]  # the units it names (what the parser must read)
    in_spreadsheet: bool = True  # False: only the document holds it
    text: str = ""


@dataclass
class Issue:
    file: str
    periodical: str
    number: int
    total: int
    date: date
    office: str
    sections: list[tuple[str, str, list[Article]]] = field(default_factory=list)
    # (header as printed, kind it gives, articles); a header "" prints no section

    def articles(self) -> list[tuple[str, Article]]:
        return [(kind, a) for _, kind, arts in self.sections for a in arts]


def _text(title: str, unit: str, seed: int) -> str:
    """Two short paragraphs about the article, deterministic."""
    openers = ["今年以来", "近日", "一季度以来", "自年初起"]
    measures = [
        "强化组织领导，成立工作专班",
        "细化任务清单，实行挂图作战",
        "完善考核机制，压实工作责任",
    ]
    results = ["各项工作取得阶段性成效", "群众满意度明显提升", "形成了一批可复制的经验"]
    o = openers[seed % len(openers)]
    m1, m2 = measures[seed % 3], measures[(seed + 1) % 3]
    r = results[seed % len(results)]
    return (
        f"{o}，{unit}聚焦年度重点任务，{m1}，{m2}，推动各项工作落地见效。\n"
        f"截至目前，{r}。下一步，{unit}将继续加大工作力度，确保全年目标任务圆满完成。"
    )


def _a(title: str, source: str, units: tuple[str, ...], seed: int, **kw) -> Article:
    return Article(
        title, source, units, text=_text(title, units[0] if units else "我市", seed), **kw
    )


ISSUES: list[Issue] = [
    Issue(
        file="2018-建德政务动态-第13期.docx",
        periodical="建德政务·动态",
        number=13,
        total=395,
        date=date(2018, 4, 9),
        office=OFFICE,
        sections=[
            (
                "工作动态",
                "动态",
                [
                    _a(
                        "乾潭镇全力打好老旧小区改造攻坚战",
                        "（建德市乾潭镇供稿）",
                        ("建德市乾潭镇",),
                        1,
                    ),
                    _a("大同镇“三化”抓实“两山”转化", "（大同镇 李静）", ("大同镇",), 2),
                    _a(
                        "市住建局以“一线工作法”工作法推动结对帮扶低收入农户",
                        "（市住建局）",
                        ("市住建局",),
                        3,
                    ),
                    _a("市农业局机关党建见实效", "（市农业局供稿）", ("市农业局",), 4),
                    _a(
                        "市安全监管局企业安全生产标准化实现“开门红”",
                        "（市安全监管局 陈刚 整理）",
                        ("市安全监管局",),
                        5,
                    ),
                    _a(
                        "市市场监管局：结对帮扶低收入农户迈出新步伐",
                        "来源：市市场监管局",
                        ("市市场监管局",),
                        6,
                    ),
                    _a(
                        "市机关事务管理局在城区社区试点公共机构节能",
                        "（市机关事务管理局）",
                        ("市机关事务管理局",),
                        7,
                    ),
                    _a("市民政局殡葬改革跑出“加速度”", "（市民政局供稿）", ("市民政局",), 8),
                    _a("市环保局“大走访”活动见实效", "（市环保局）", ("市环保局",), 9),
                    _a(
                        "市科技局全力打好结对帮扶低收入农户攻坚战",
                        "（市科技局）",
                        ("市科技局",),
                        10,
                    ),
                    _a(
                        "市财政局“一线工作法”抓实清廉机关建设",
                        "（市财政局 周敏）",
                        ("市财政局",),
                        11,
                    ),
                    _a("我市平安建设向基层延伸", "（市公安局供稿）", ("市公安局",), 12),
                    _a(
                        "我市第四次全国经济普查向基层延伸",
                        "（建德市统计局供稿）",
                        ("建德市统计局",),
                        13,
                    ),
                    _a(
                        "更楼街道：专班运作让低收入农户帮扶再上新台阶",
                        "（更楼街道）",
                        ("更楼街道",),
                        14,
                    ),
                    _a(
                        "李家镇上半年草莓产业提质增效驶入快车道",
                        "（建德市李家镇供稿）",
                        ("建德市李家镇",),
                        15,
                    ),
                    _a(
                        "梅城镇六项举措破解“千村示范万村整治”难题",
                        "（梅城镇）",
                        ("梅城镇",),
                        16,
                    ),
                    # the source names only the writer: to the review list
                    _a(
                        "我市“最多跑一次”改革便民服务再提速",
                        "（王建国）",
                        (),
                        17,
                        in_spreadsheet=False,
                    ),
                ],
            ),
            (
                "简讯",
                "简讯",
                [
                    _a("市农办召开汛期防汛防台工作例会", "（市农办）", ("市农办",), 18),
                    _a(
                        "市发改局召开春耕时节物流业发展工作例会",
                        "（市发改局）",
                        ("市发改局",),
                        19,
                    ),
                    _a(
                        "市旅游商务局举办信访积案化解培训",
                        "（市旅游商务局 王芳）",
                        ("市旅游商务局",),
                        20,
                    ),
                    # only in the document
                    _a(
                        "市审管办举办“一窗受理”业务培训",
                        "（市审管办）",
                        ("市审管办",),
                        21,
                        in_spreadsheet=False,
                    ),
                ],
            ),
        ],
    ),
    Issue(
        file="2018-杭州政务-第139期.pdf",
        periodical="杭州政务",
        number=139,
        total=1021,
        date=date(2018, 6, 18),
        office="杭州市人民政府办公厅",
        sections=[
            (
                "要情",
                "要情",
                [
                    _a(
                        "建德市市场监管局汛期防汛防台走在全市前列",
                        "（建德市市场监管局）",
                        ("建德市市场监管局",),
                        22,
                    ),
                    _a(
                        "建德市梅城镇精品线路打造成效明显",
                        "（建德市梅城镇 何平）",
                        ("建德市梅城镇",),
                        23,
                    ),
                    _a(
                        "建德市环保局以“五个到位”工作法推动防汛防台",
                        "（建德市环保局供稿）",
                        ("建德市环保局",),
                        24,
                    ),
                    _a(
                        "建德市统计局全力打好统计数据质量提升攻坚战",
                        "（建德市统计局）",
                        ("建德市统计局",),
                        25,
                    ),
                    _a(
                        "建德经济开发区全力打好工业企业“腾笼换鸟”攻坚战",
                        "（建德经济开发区）",
                        ("建德经济开发区",),
                        26,
                    ),
                    _a(
                        "建德：市场监管局六项举措破解小微企业培育难题",
                        "（建德市市场监管局）",
                        ("建德市市场监管局",),
                        27,
                    ),
                ],
            ),
            (
                "专报",
                "专报",
                [
                    # only in the document, written jointly by two units
                    _a(
                        "建德市林下经济发展中存在的问题及对策建议",
                        "来源：建德市农业局、建德市林业局",
                        ("建德市农业局", "建德市林业局"),
                        28,
                        in_spreadsheet=False,
                    ),
                ],
            ),
        ],
    ),
    Issue(
        file="2018-建德政务情况专报-第7期.html",
        periodical="建德政务·情况专报",
        number=7,
        total=52,
        date=date(2018, 6, 4),
        office=OFFICE,
        sections=[
            (
                "",
                None,
                [
                    _a(
                        "破解清廉机关建设难题需在中小学校下功夫",
                        "来源：市教育局",
                        ("市教育局",),
                        29,
                    ),
                ],
            ),
        ],
    ),
    Issue(
        file="2018-浙江政务信息-第124期.txt",
        periodical="浙江政务信息",
        number=124,
        total=1650,
        date=date(2018, 5, 21),
        office="浙江省人民政府办公厅",
        sections=[
            (
                "要情",
                "要情",
                [
                    _a("建德市平安建设向基层延伸", "（建德市公安局）", ("建德市公安局",), 30),
                ],
            ),
            (
                "专报",
                "专报",
                [
                    _a(
                        "建德市春耕时节我市扫黑除恶专项斗争运行分析",
                        "（建德市公安分局供稿）",
                        ("建德市公安分局",),
                        31,
                    ),
                    _a(
                        "建德市科技局全力打好结对帮扶低收入农户攻坚战",
                        "（建德市科技局 吴婷 整理）",
                        ("建德市科技局",),
                        32,
                    ),
                ],
            ),
        ],
    ),
]

CN_DIGITS = "〇一二三四五六七八九"


def cn_date(d: date) -> str:
    """二〇一八年五月二十一日."""

    def small(n: int) -> str:
        if n < 10:
            return CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")

    year = "".join(CN_DIGITS[int(c)] for c in str(d.year))
    return f"{year}年{small(d.month)}月{small(d.day)}日"


def ymd(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _brief(kind: str | None) -> bool:
    return kind == "简讯"


# --------------------------------------------------------------------------- .docx


def write_docx(issue: Issue, path: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    props = document.core_properties
    props.author = issue.office
    props.title = f"{issue.periodical}{issue.date.year}年第{issue.number}期"
    props.created = props.modified = datetime(issue.date.year, issue.date.month, issue.date.day)
    props.last_modified_by = issue.office
    props.revision = 1
    normal = document.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")

    def para(text: str, *, size=14, bold=False, red=False, align=None, indent=False):
        p = document.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(28)
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
        if red:
            run.font.color.rgb = RGBColor.from_string(RED)
        return p

    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    para(issue.periodical, size=36, bold=True, red=True, align=center)
    para(f"{issue.date.year}年第{issue.number}期（总第{issue.total}期）", align=center)
    para(f"{issue.office}编印\t\t\t{ymd(issue.date)}")
    para("━" * 22, red=True, align=center)
    para("本期目录", size=16, bold=True, align=center)
    for header, _kind, arts in issue.sections:
        if header:
            para(f"【{header}】", bold=True)
        for a in arts:
            para(f"{a.title}……………………{arts.index(a) + 1}")
    para("━" * 22, red=True, align=center)
    for header, kind, arts in issue.sections:
        if header:
            para(" ".join(header), size=16, bold=True, align=center)
        for a in arts:
            if _brief(kind):
                # △ + the title in bold + the text + the source, in one paragraph
                p = document.add_paragraph()
                p.paragraph_format.first_line_indent = Pt(28)
                head = p.add_run(f"△{a.title}。")
                head.bold = True
                p.add_run(a.text.replace("\n", "") + a.source)
                continue
            para(a.title, size=16, bold=True, align=center)
            for text in a.text.split("\n"):
                para(text, indent=True)
            para(a.source, align=right)
    para("━" * 22, align=center)
    para("报：市委、市人大、市政府、市政协领导")
    para("送：各乡镇人民政府、街道办事处，市政府各部门、单位")
    para(f"{issue.office}\t\t{ymd(issue.date)}印发")
    buf = io.BytesIO()
    document.save(buf)
    _write_zip_deterministic(buf.getvalue(), path)


def _write_zip_deterministic(data: bytes, path: Path) -> None:
    """Rewrite a zip package (docx) with fixed timestamps so that reruns give the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2018, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    path.write_bytes(out.getvalue())


# --------------------------------------------------------------------------- HTML / PDF

CSS = """
@page { size: A4; margin: 25mm 26mm 25mm 28mm; }
body { font-family: "Noto Serif CJK SC"; font-size: 14pt; line-height: 1.6; }
.masthead { color: #c00000; font-size: 40pt; font-weight: bold; text-align: center;
  margin: 0 0 6pt 0; }
.no, .office { text-align: center; margin: 0; }
hr { border: 0; border-top: 2pt solid #c00000; margin: 8pt 0; }
.toc-head, .section { font-size: 16pt; font-weight: bold; text-align: center; margin: 8pt 0; }
.toc { margin: 0; }
h2 { font-size: 16pt; font-weight: bold; text-align: center; margin: 14pt 0 6pt 0; }
p.body { text-indent: 2em; margin: 0; }
p.source { text-align: right; margin: 0; }
p.imprint { margin: 0; }
"""


def issue_html(issue: Issue, *, toc: bool = True) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(issue.periodical)}{issue.date.year}年第{issue.number}期</title>",
        f"<style>{CSS}</style></head><body>",
        f'<p class="masthead" style="color:#c00000">{e(issue.periodical)}</p>',
        f'<p class="no">{issue.date.year}年第{issue.number}期（总第{issue.total}期）</p>',
        f'<p class="office">{e(issue.office)}　　　　{ymd(issue.date)}</p>',
        "<hr>",
    ]
    if toc:
        parts.append('<p class="toc-head">本期目录</p>')
        for header, _kind, arts in issue.sections:
            if header:
                parts.append(f'<p class="toc"><b>【{e(header)}】</b></p>')
            for i, a in enumerate(arts, start=1):
                parts.append(f'<p class="toc">{e(a.title)}……………………{i}</p>')
        parts.append("<hr>")
    for header, _kind, arts in issue.sections:
        if header:
            parts.append(f'<p class="section">{e("　".join(header))}</p>')
        for a in arts:
            parts.append(f"<h2>{e(a.title)}</h2>")
            parts += [f'<p class="body">{e(t)}</p>' for t in a.text.split("\n")]
            parts.append(f'<p class="source">{e(a.source)}</p>')
    parts += [
        "<hr>",
        '<p class="imprint">报：市委、市人大、市政府、市政协领导</p>',
        '<p class="imprint">送：各乡镇人民政府、街道办事处，市政府各部门、单位</p>',
        f'<p class="imprint">{e(issue.office)}　　{ymd(issue.date)}印发</p>',
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_pdf(issue: Issue, path: Path) -> None:
    from weasyprint import HTML

    doc = HTML(string=issue_html(issue)).render()
    # fixed metadata: the same bytes each run
    doc.metadata.created = doc.metadata.modified = issue.date.isoformat() + "T00:00:00+08:00"
    doc.metadata.title = f"{issue.periodical}{issue.date.year}年第{issue.number}期"
    path.write_bytes(doc.write_pdf(uncompressed_pdf=False))


def write_html(issue: Issue, path: Path) -> None:
    # a web page of a single-article issue: no table of contents
    path.write_text(issue_html(issue, toc=False), encoding="utf-8")


# --------------------------------------------------------------------------- .txt


def write_txt(issue: Issue, path: Path) -> None:
    lines = [
        f"《{issue.periodical}》",
        f"{issue.date.year}年第{issue.number}期  总第{issue.total}期",
        f"主办：{issue.office}        {cn_date(issue.date)}",
        "————————————————————",
        "本期目录",
    ]
    for header, _kind, arts in issue.sections:
        if header:
            lines.append(f"【{header}】")
        lines += [f"  {a.title}" for a in arts]
    lines.append("————————————————————")
    for header, _kind, arts in issue.sections:
        if header:
            lines += ["", f"【{header}】", ""]
        for a in arts:
            lines += [a.title, *("    " + t for t in a.text.split("\n")), a.source, ""]
    lines += [
        "————————————————————",
        "报：省委、省人大、省政府、省政协领导",
        f"{issue.office}  {cn_date(issue.date)}印发",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


WRITERS = {".docx": write_docx, ".pdf": write_pdf, ".html": write_html, ".txt": write_txt}


def write_issues(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for issue in ISSUES:
        path = out / issue.file
        WRITERS[path.suffix](issue, path)
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    for path in write_issues(args.out):
        print(path)


if __name__ == "__main__":
    main()
