"""Parsing an issue's text (transforms/issue_text.py): lines in → masthead + articles out."""

from __future__ import annotations

from datetime import date

import pytest

from transforms.issue_text import Line, parse_date_text, parse_issue, parse_source

# A 《建德政务·动态》 issue as its text reads: masthead, 本期目录 with sections and dot
# leaders, sections 工作动态 / 简讯, titles, sources printed five different ways, briefs,
# the imprint. No layout: the parser must rely on the text alone.
DONGTAI = """\
建德政务·动态
2018年第12期（总第345期）
建德市人民政府办公室编印　　　　二〇一八年五月三日
━━━━━━━━━━━━━━━━━━━━
本期目录
【工作动态】
寿昌镇扎实推进“无违建”创建……………………1
市资投公司国有资产经营见实效…………………2
我市电信诈骗防范向基层延伸……………………3
【简讯】
市审管办举办“一窗受理”改革培训………………4
市农办召开防汛工作例会…………………………5
━━━━━━━━━━━━━━━━━━━━
工 作 动 态
寿昌镇扎实推进“无违建”创建
今年以来，寿昌镇紧紧围绕“无违建”创建目标，扎实推进各项工作。
一、强化组织领导
成立专班，挂图作战，全镇拆除违建3.2万平方米。
（寿昌镇 李静）
市资投公司国有资产经营见实效
一季度，市资投公司实现营业收入同比增长12%。（建德市资投公司、市财政局联合供稿）
我市电信诈骗防范向基层延伸
4月以来，市公安局会同各乡镇开展防范宣传进村入户活动。
来源：市公安局
简　讯
△市审管办举办“一窗受理”改革培训。4月10日，市审管办组织窗口人员开展培训。（市府办信息科 张三 整理）
△市农办召开防汛工作例会。会议部署了汛期各项工作。（王五）
━━━━━━━━━━━━━━━━━━━━
报：市委、市人大、市政府、市政协领导
送：各乡镇人民政府、街道办事处，市政府各部门、单位
建德市人民政府办公室　　　　2018年5月3日印发
""".splitlines()


def test_masthead_periodical_issue_total_chinese_date_office():
    masthead, _ = parse_issue(DONGTAI)
    assert masthead["periodical"] == "建德政务·动态"
    assert masthead["issue"] == "第12期"  # 第N期 is the issue; 总第N期 kept beside it
    assert masthead["total_issue"] == "总第345期"
    assert masthead["date"] == date(2018, 5, 3)  # 二〇一八年五月三日
    assert masthead["office"] == "建德市人民政府办公室"


def test_every_article_once_with_title_kind_and_source():
    # The TOC names 5 titles and the body prints the same 5: 5 articles, not 10.
    _, articles = parse_issue(DONGTAI)
    got = [(a["number"], a["title"], a["kind"], a["units"]) for a in articles]
    assert got == [
        (1, "寿昌镇扎实推进“无违建”创建", "动态", ["寿昌镇"]),  # writer 李静 dropped
        (2, "市资投公司国有资产经营见实效", "动态", ["建德市资投公司", "市财政局"]),
        (3, "我市电信诈骗防范向基层延伸", "动态", ["市公安局"]),  # 来源：
        (4, "市审管办举办“一窗受理”改革培训", "简讯", ["市府办信息科"]),  # 张三 整理 dropped
        (5, "市农办召开防汛工作例会", "简讯", []),  # only a writer: unreadable
    ]


def test_article_text_without_its_source():
    _, articles = parse_issue(DONGTAI)
    first, second, _, brief, _ = articles
    assert first["text"].splitlines() == [
        "今年以来，寿昌镇紧紧围绕“无违建”创建目标，扎实推进各项工作。",
        "一、强化组织领导",  # a sub-heading stays text, not a new article
        "成立专班，挂图作战，全镇拆除违建3.2万平方米。",
    ]
    assert first["source"] == "（寿昌镇 李静）"
    assert second["text"] == "一季度，市资投公司实现营业收入同比增长12%。"
    assert second["source"] == "（建德市资投公司、市财政局联合供稿）"
    assert brief["text"] == "4月10日，市审管办组织窗口人员开展培训。"


def test_footer_is_not_an_article_and_gives_nothing():
    _, articles = parse_issue(DONGTAI)
    assert not any("报：" in a["title"] or "印发" in a["text"] for a in articles)


def test_toc_without_separator_ends_where_the_first_title_is_printed_again():
    lines = [
        "杭州政务",
        "第139期",
        "杭州市人民政府办公厅　2018年6月18日",
        "本期目录",
        "建德市林下经济发展成效明显",
        "淳安县推进全域旅游",
        "建德市林下经济发展成效明显",
        "今年以来，建德市大力发展林下经济。",
        "（建德市林业局）",
        "淳安县推进全域旅游",
        "淳安县以全域旅游带动乡村振兴。",
        "（淳安县旅游委）",
    ]
    masthead, articles = parse_issue(lines)
    assert masthead["issue"] == "第139期" and masthead["date"] == date(2018, 6, 18)
    assert masthead["office"] == "杭州市人民政府办公厅"
    assert [(a["title"], a["units"]) for a in articles] == [
        ("建德市林下经济发展成效明显", ["建德市林业局"]),
        ("淳安县推进全域旅游", ["淳安县旅游委"]),
    ]


def test_sections_yaoqing_and_zhuanbao_give_the_kind():
    lines = [
        "《浙江政务信息》",
        "二○一八年第一二四期　总第一六五〇期",
        "主办：浙江省人民政府办公厅　　二〇一八年五月二十一日",
        "————————————",
        "【要情】",
        "建德市平安建设向基层延伸",
        "今年以来，建德市深入推进平安建设。",
        "（建德市公安局）",
        "【专报】",
        "建德市扫黑除恶专项斗争运行分析",
        "一季度，建德市共打掉涉恶团伙3个。",
        "（建德市公安分局供稿）",
    ]
    masthead, articles = parse_issue(lines)
    assert masthead["periodical"] == "《浙江政务信息》"
    # 第一二四期 digit by digit, 总第一六五〇期 likewise
    assert masthead["issue"] == "第124期" and masthead["total_issue"] == "总第1650期"
    assert masthead["date"] == date(2018, 5, 21)
    assert masthead["office"] == "浙江省人民政府办公厅"
    assert [(a["kind"], a["units"]) for a in articles] == [
        ("要情", ["建德市公安局"]),
        ("专报", ["建德市公安分局"]),
    ]


def test_only_total_issue_printed_is_the_issue():
    masthead, _ = parse_issue(
        ["建德政务·参阅", "总第52期", "2018年6月4日", "——————", "标题", "正文。"]
    )
    assert masthead["issue"] == "总第52期" and masthead["total_issue"] == "总第52期"


def test_styled_lines_titles_by_bold_and_a_wrapped_title_joined():
    # As a PDF gives them: the masthead red and large, titles bold 16pt over two lines,
    # text 14pt; a text line without a full stop is still text (not bold).
    lines = [
        Line("建德政务", size=40, bold=True, red=True, centered=True),
        Line("2018年第7期", size=14, centered=True),
        Line("建德市人民政府办公室　2018年6月4日", size=14, centered=True),
        Line("──────────", size=14),
        Line("破解清廉机关建设难题需在", size=16, bold=True, centered=True),
        Line("中小学校下功夫", size=16, bold=True, centered=True),
        Line("今年以来，市教育局在全市中小学校开展清廉学校建设", size=14),
        Line("取得明显成效", size=14),
        Line("来源：市教育局", size=14),
    ]
    masthead, articles = parse_issue(lines)
    assert masthead["periodical"] == "建德政务"  # as printed; flows matches it to the scheme
    assert [(a["title"], a["units"]) for a in articles] == [
        ("破解清廉机关建设难题需在中小学校下功夫", ["市教育局"])
    ]
    assert articles[0]["text"].splitlines() == [
        "今年以来，市教育局在全市中小学校开展清廉学校建设",
        "取得明显成效",
    ]


def test_article_without_any_source_has_no_units():
    lines = [
        "建德政务·动态",
        "第13期",
        "2018年4月9日",
        "————————",
        "我市召开会议",
        "会议要求抓好落实。",
    ]
    _, articles = parse_issue(lines)
    assert [(a["title"], a["source"], a["units"]) for a in articles] == [("我市召开会议", None, [])]


@pytest.mark.parametrize(
    ("printed", "units"),
    [
        ("（区发改局）", ["区发改局"]),
        ("（建德市发改局供稿）", ["建德市发改局"]),
        ("（市府办信息科 张三 整理）", ["市府办信息科"]),
        ("来源：市农业局、市林业局", ["市农业局", "市林业局"]),
        ("信息来源：寿昌镇", ["寿昌镇"]),
        ("（市发改局 开发区管委会联合供稿）", ["市发改局", "开发区管委会"]),
        ("（供稿单位：寿昌镇李静）", ["寿昌镇"]),  # writer without a space
        ("(市公安局；市司法局)", ["市公安局", "市司法局"]),
        ("【建德市统计局 执笔：吴婷】", ["建德市统计局"]),
        ("（王五）", []),
        ("（执笔：张三）", []),
        # the other examples' forms: a unit name with its own brackets, 供稿 after a space
        ("（区农业局（林业局））", ["区农业局（林业局）"]),
        ("来源：区财政（地税）局、区发改局", ["区财政（地税）局", "区发改局"]),
        ("来源：银川市发展改革委", ["银川市发展改革委"]),
        ("（青山区教育局 供稿）", ["青山区教育局"]),
        ("（王海燕 撰稿）", []),
        ("（通讯员 沈佳）", []),
    ],
)
def test_parse_source(printed, units):
    assert parse_source(printed) == units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018年5月3日", date(2018, 5, 3)),
        ("建德市人民政府办公室　二〇一八年五月三日", date(2018, 5, 3)),
        ("二○一八年十二月二十八日印发", date(2018, 12, 28)),
        ("2018-06-04", date(2018, 6, 4)),
        ("2018年第12期", None),
        ("2018年2月30日", None),
    ],
)
def test_parse_date_text(text, expected):
    assert parse_date_text(text) == expected


def test_notes_page_numbers_question_titles_and_briefs_without_bullets():
    # 【编者按】 is a note, not a source; 「— 2 —」 a page number; a title may end in ？;
    # in a 简讯 section each paragraph is a brief even without △.
    lines = [
        "建德政务·动态",
        "2018年第14期",
        "建德市人民政府办公室　2018年4月16日",
        "━━━━━━━━━━",
        "【编者按】",
        "近期，各地积极探索基层治理新路径，现将有关做法刊发如下。",
        "基层治理如何“接地气”？",
        "大同镇推行“四个平台”建设，打通服务群众最后一公里。",
        "— 2 —",
        "全镇办结群众诉求1200余件。",
        "（大同镇）",
        "简讯",
        "市审管办举办业务培训。4月10日，市审管办组织窗口人员开展培训。（市审管办）",
        "市农办召开例会。会议部署汛期工作。（市农办）",
    ]
    _, articles = parse_issue(lines)
    assert [(a["title"], a["kind"], a["units"]) for a in articles] == [
        ("基层治理如何“接地气”？", None, ["大同镇"]),
        ("市审管办举办业务培训", "简讯", ["市审管办"]),
        ("市农办召开例会", "简讯", ["市农办"]),
    ]
    assert articles[0]["text"].splitlines() == [
        "大同镇推行“四个平台”建设，打通服务群众最后一公里。",
        "全镇办结群众诉求1200余件。",
    ]


def test_bracketed_unit_names_end_an_article_on_their_own_line_and_after_the_text():
    lines = [
        "区跑改简报",
        "2018年第47期",
        "主办：区跑改办　2018年5月20日",
        "————————————",
        "区农业局创新开展“多证合一”改革",
        "今年以来，区农业局深化改革。",
        "（区农业局（林业局））",
        "区住建局推进“一窗受理”",
        "区住建局窗口实现一窗通办。（区住建局（规划分局） 张三 整理）",
    ]
    _, articles = parse_issue(lines)
    assert [(a["title"], a["units"], a["text"]) for a in articles] == [
        ("区农业局创新开展“多证合一”改革", ["区农业局（林业局）"], "今年以来，区农业局深化改革。"),
        ("区住建局推进“一窗受理”", ["区住建局（规划分局）"], "区住建局窗口实现一窗通办。"),
    ]


@pytest.mark.parametrize("printed", ["政务信息（专刊）", "《政务信息（专刊）》", "政务信息(专刊)"])
def test_masthead_name_with_brackets_is_kept_whole(printed):
    # 青山区 prints 《政务信息（普刊）》 and 《政务信息（专刊）》: without the bracket the two
    # periodicals are one name. The whole name is the first reading, the bare one follows;
    # bracketed notes (（内部资料）) are still dropped.
    masthead, _ = parse_issue(
        [
            Line(printed, bold=True, size=36, red=True),
            Line("（内部资料　注意保存）"),
            "2020年第18期（总第18期）",
            "青山区人民政府办公室编印　2020年11月5日",
            "━━━━━━━━━━",
            "标题",
            "正文。",
        ]
    )
    name = printed.replace("（", "(").replace("）", ")")
    assert masthead["periodical"] == name
    # the whole name, then the bare one; the (内部资料) line gives no candidate
    whole, bare = masthead["periodical_candidates"]
    assert whole == name and "(" not in bare and "政务信息" in bare


def test_toc_entry_wrapped_over_two_lines_and_no_rule_after_the_toc():
    # A PDF: the rules are drawn, not text, and a long title wraps in the TOC before its dot
    # leader. The wrapped entry is one entry, the body starts at its title, and the body's
    # lines are not taken for TOC entries.
    lines = [
        Line("银川专题信息", bold=True, size=40, red=True),
        Line("2018年第10期（总第186期）", size=14),
        Line("银川市人民政府办公厅　2018年5月28日", size=14),
        Line("本期目录", bold=True, size=16),
        Line("市民政局重点项目服务存在的问题及建议的调查与思", size=14),
        Line("考……………………1", size=14),
        Line("市民政局重点项目服务存在的问题及建议的调查与思考", bold=True, size=16),
        Line("近日，银川市民政局聚焦年度重点任务，推动各项工作落地见效。", size=14),
        Line("截至目前，形成了一批可复制的经验。", size=14),
        Line("（银川市民政局 供稿）", size=14),
        Line("报：自治区政府办公厅", size=14),
    ]
    _, articles = parse_issue(lines)
    assert [(a["title"], a["units"], len(a["text"].splitlines())) for a in articles] == [
        ("市民政局重点项目服务存在的问题及建议的调查与思考", ["银川市民政局"], 2)
    ]
