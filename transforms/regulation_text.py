"""A regulation printed back as the tables an office compares with its document
(`kaohe scheme show`): groups and targets, the points tables (periodical × class × unit
category), instructions by level, events, quotas and targets, commissions, the year,
special rules, and the clauses with their rules. Plain text, Chinese, aligned (wide
characters count two columns: transforms.texttable). Pure: a Regulation in, text out.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass

from transforms.texttable import cell, table

#: rule kinds → the section of the printout that shows them (others: 其他规则)
SECTIONS = {
    "adoption": "录用计分",
    "instruction": "领导批示（按级别）",
    "event": "事项加减分",
    "escalating": "事项加减分",
    "commission_multiplier": "约稿",
    "commission_zero": "约稿",
    "year_zero": "当季、年度不得分",
    "target_failed": "当季、年度不得分",
    "silent_month": "报送任务与目标",
    "quota": "报送任务与目标",
    "class_quota": "报送任务与目标",
    "consecutive_misses": "报送任务与目标",
    "count_targets": "报送任务与目标",
    "target_shortfall": "报送任务与目标",
    "adoption_rate": "报送任务与目标",
    "base_score": "基础分",
    "rank_points": "年度与排名",
    "top_share": "年度与排名",
    "special": "特殊规则",
}

#: how the printout names a rule's parameters
PARAMS = {
    "events": "事项",
    "commissions": "约稿状态",
    "points": "分值",
    "per_value": "每单位数值计分",
    "default_value": "数值缺省",
    "cap": "单次上限",
    "label": "说明用语",
    "levels": "级别",
    "main": "主要领导",
    "amounts": "逐次分值",
    "cumulative": "累计",
    "publication": "刊物",
    "factor": "倍数",
    "requires_target": "须完成目标",
    "share": "比例",
    "no_instruction_bonus": "批示不加分",
    "special": "特殊规则",
    "window": "考核期",
    "by_group": "各组数量",
    "whole_window": "整期判定",
    "quota": "报送任务",
    "run": "连续次数",
    "assessment": "绩效分",
    "remark": "备注",
    "unjudged_note": "无报送记录时",
    "short_period_note": "短于考核期时",
    "floor": "扣完为止",
    "others": "其余批示每条",
    "count": "数量",
    "met_points": "完成得分",
    "missed_points": "未完成得分",
    "per_missing": "每少1篇",
    "words": "限于含有",
    "targets": "目标",
    "progress_note": "进度说明",
    "target": "目标",
    "notice_at": "通报次数",
    "notice": "通报",
}

_JOINT = {"full": "各单位均计全分", "split": "按单位数平分", "first": "只计第一单位"}
_COMBINE = {
    "sum": "累计",
    "max": "就高（全年只计最高）",
    "max_per_level": "各级分别计，同级只计最高",
}
_YEAR = {"quarters": "各季度得分相加", "whole": "全年作为一个考核期计分"}
_PERIOD = {"quarter": "季度", "year": "年度", "month": "月度", "bimonth": "两个月", None: "无"}


def _section(title: str, body: str) -> str:
    return f"【{title}】\n{body}\n"


def _table(header: list[str], rows: list[tuple]) -> str:
    """A table, or （无） when there is nothing to list."""
    return table(header, rows) if rows else "（无）"


def _value(value: object) -> str:
    """A parameter's value: a table (a dataclass) as its values joined by ：."""
    if is_dataclass(value):
        shown = [_value(getattr(value, f.name)) for f in fields(value)]
        return "：".join(v for v in shown if v)
    if isinstance(value, tuple) and value and is_dataclass(value[0]):
        return "；".join(_value(v) for v in value)
    return cell(value)


def _params(rule) -> str:
    """The rule's parameters that differ from their defaults, as 名称：值."""
    shown = []
    for f in fields(rule):
        if f.name in ("id", "clause", "name", "text", "reading", "kind", "table", "ranks"):
            continue
        value = getattr(rule, f.name)
        if value == f.default or value in ((), None, "", False):
            continue
        if f.name == "window":
            value = _PERIOD.get(value, value)
        shown.append(f"{PARAMS.get(f.name, f.name)}：{_value(value)}")
    return "；".join(shown)


def _rule_rows(rules) -> list[tuple]:
    return [(r.clause, r.id, r.name, _params(r), r.text) for r in rules]


def render(reg) -> str:
    """The regulation `reg` as text tables."""
    parts: list[str] = []
    parts.append(
        f"《{reg.title}》（{reg.doc_number}）\n"
        f"编号 {reg.id}；发文机关 {reg.office}；得分列名称 {reg.assessment_label}\n"
        f"事项类型（events/ 的 type）：{'、'.join(reg.event_words) or '（无）'}\n"
    )
    # groups and targets
    rows = [
        (
            g.name,
            g.target,
            g.category or "",
            len(g.units),
            "不列入考核" if g.name in reg.unscored_groups else g.note,
        )
        for g in reg.groups
    ]
    target = _PERIOD.get(reg.scoring.target_period, reg.scoring.target_period)
    parts.append(
        _section(
            f"考核类别与目标（目标期：{target}）",
            table(["考核类别", "目标", "单位类别", "单位数", "说明"], rows),
        )
    )
    # the roster
    rows = [(g.name, "、".join(g.units)) for g in reg.groups]
    parts.append(
        _section("考核对象名单（kaohe init 写入 units.csv）", table(["考核类别", "单位"], rows))
    )
    aliases = [(a.unit, "、".join(a.names)) for g in reg.groups for a in g.aliases]
    if aliases:
        parts.append(_section("单位别称", table(["单位", "别称"], aliases)))
    # periodicals
    rows = [(p.name, p.level, p.default_kind or "", "、".join(p.aliases)) for p in reg.publications]
    parts.append(_section("刊物", table(["刊物", "级别", "默认类别", "简称"], rows)))
    # points tables
    rules = [r for r in reg.rules if r.kind == "adoption"]
    rows = [
        (
            line.publication or "（任意刊物）",
            line.kind or "（任意类别）",
            line.category or "（任意单位）",
            line.points,
            r.clause,
            r.id,
        )
        for r in rules
        for line in r.table
    ]
    a = reg.adoptions
    parts.append(
        _section(
            "录用计分（刊物 × 类别 × 单位类别）",
            table(["刊物", "类别", "单位类别", "分值", "条款", "规则"], rows)
            + f"\n联合供稿：{_JOINT.get(a.joint, a.joint)}；"
            f"同一信息被多个刊物录用：{_COMBINE.get(a.combine, a.combine)}",
        )
    )
    # instructions
    words = {lv.level: "、".join(lv.words) for lv in reg.levels}
    rows = [
        (
            "、".join(r.levels),
            "、".join(words.get(lv, "") for lv in r.levels),
            "主要领导" if r.main else "其他领导" if r.main is False else "",
            r.points,
            r.clause,
            r.id,
        )
        for r in reg.rules
        if r.kind == "instruction"
    ]
    combine = "；".join(
        f"{t.event}：{_COMBINE.get(t.combine, t.combine)}" for t in reg.instructions
    )
    parts.append(
        _section(
            "领导批示（按级别）",
            table(["级别", "事项中可写作", "领导", "分值", "条款", "规则"], rows)
            + (f"\n同一信息多次批示：{combine}" if combine else ""),
        )
    )
    # the other sections: one table each of the rules they show
    done = {"adoption", "instruction"}
    order = list(dict.fromkeys(v for k, v in SECTIONS.items() if k not in done))
    by_section: dict[str, list] = {title: [] for title in order}
    others = []
    for r in reg.rules:
        if r.kind in done:
            continue
        title = SECTIONS.get(r.kind)
        (by_section[title] if title else others).append(r)
    for title in order:
        rules = by_section[title]
        body = _table(["条款", "规则", "名称", "参数", "条文"], _rule_rows(rules))
        if title == "约稿":
            c = reg.commissions
            body += f"\n约稿事项类型：{c.event}；报送邮件中的标记：{c.marker}"
        if title == "报送任务与目标":
            counts = [
                (
                    t.name,
                    {"submission": "报送", "adoption": "采用"}.get(t.source, t.source),
                    g.group,
                    f"{cell(g.count)}{t.unit_word}",
                    "、".join(t.kinds),
                    r.id,
                )
                for r in rules
                for t in r.targets
                for g in t.by_group
            ]
            if counts:
                body += "\n\n" + table(
                    ["目标", "计数", "考核类别", "全年数量", "限于类别", "规则"], counts
                )
        if title == "年度与排名":
            body += f"\n年度计分：{_YEAR.get(reg.scoring.year, reg.scoring.year)}"
            ranks = [(rp.group, rp.first, rp.last, rp.rest, r.id) for r in rules for rp in r.ranks]
            if ranks:
                body += "\n\n" + table(
                    ["考核类别", "第1名", "逐名递减至", "其后各名", "规则"], ranks
                )
        if rules or title in ("约稿", "年度与排名"):
            parts.append(_section(title, body))
    if others:
        parts.append(
            _section(
                "其他规则", table(["条款", "规则", "名称", "参数", "条文"], _rule_rows(others))
            )
        )
    # parameters the workspace sets
    if reg.parameters:
        rows = [(p.name, p.default, p.rule, p.key, p.text) for p in reg.parameters]
        parts.append(
            _section(
                "由工作区设定的参数（kaohe.toml 的 [parameters]）",
                table(["参数", "缺省值", "规则", "项", "说明"], rows),
            )
        )
    # clauses
    clauses: dict[str, list[str]] = {}
    for r in reg.rules:
        clauses.setdefault(r.clause, []).append(f"{r.id} {r.name}")
    rows = [(clause, "；".join(names)) for clause, names in clauses.items()]
    parts.append(_section("条款与规则", table(["条款", "规则"], rows)))
    return "\n".join(parts).rstrip() + "\n"


def summary(reg) -> str:
    """One line: what the file holds (for `kaohe scheme check`)."""
    units = sum(len(g.units) for g in reg.groups)
    clauses = len({r.clause for r in reg.rules})
    return (
        f"《{reg.title}》（{reg.doc_number}），编号 {reg.id}：考核类别 {len(reg.groups)} 个"
        f"（单位 {units} 个），刊物 {len(reg.publications)} 种，规则 {len(reg.rules)} 条"
        f"（条款 {clauses} 处）"
    )
