"""A regulation file checked as a whole (考核办法文件的检查), beyond keys and types.

`problems(doc, name)` returns every problem of a Regulation read by transforms.tomldata,
each an InputError naming the file and the line: a rule id written twice, a rule without
clause or name, an unknown rule kind or special rule, a key a rule's kind does not read,
and every name that must match another table of the file — periodicals, groups, unit
categories, event words, instruction levels, rule ids — with the closest known one.
Pure: no files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, is_dataclass

from transforms.errors import InputError
from transforms.tomldata import Document, closest

#: keys every rule has, whatever its kind
COMMON_RULE_KEYS = ("id", "clause", "name", "text", "reading", "kind", "special")

#: (table, key) → the values the engine knows for a key written as text; a new value the
#: engine learns is added here
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("Adoptions", "joint"): ("full", "split", "first"),
    ("Adoptions", "combine"): ("sum", "max"),
    ("Instructions", "combine"): ("sum", "max", "max_per_level"),
    ("Scoring", "target_period"): ("quarter", "year"),
    ("Scoring", "year"): ("quarters", "whole"),
    ("Group", "target_counts"): ("points", "submissions", "adoptions"),
}


def _unknown(word: str, known: Iterable[str], what: str, where: str) -> str:
    known = list(dict.fromkeys(known))
    near = closest(word, known)
    hint = f"是否为「{near}」？" if near else f"可用的有：{'、'.join(known) or '（无）'}"
    if where[0].isascii():
        where = f" {where}"
    if where[-1].isascii():
        where = f"{where} "
    return f"{what}「{word}」不在{where}中（{hint}）"


def _instances(value: object):
    """Every dataclass instance within `value` (itself included), depth first."""
    if is_dataclass(value) and not isinstance(value, type):
        yield value
        for f in fields(value):
            yield from _instances(getattr(value, f.name))
    elif isinstance(value, tuple | list | frozenset):
        for v in value:
            yield from _instances(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _instances(v)


def problems(doc: Document, name: str) -> list[InputError]:
    """Every problem of the regulation `doc.value` beyond keys and types."""
    from schemes.kinds import KINDS, SPECIALS

    reg = doc.value
    out: list[InputError] = []

    def add(obj: object, key: str | None, message: str) -> None:
        out.append(InputError(message, file=name, row=doc.line(obj, key)))

    # -- groups, units, periodicals
    group_names = [g.name for g in reg.groups]
    categories = [g.category for g in reg.groups if g.category]
    seen: dict[str, object] = {}
    for g in reg.groups:
        if g.name in seen:
            add(g, "name", f"考核类别「{g.name}」写了两次（第{doc.line(seen[g.name])}行）")
        seen.setdefault(g.name, g)
    where_unit: dict[str, str] = {}
    for g in reg.groups:
        for unit in g.units:
            if unit in where_unit:
                add(g, "units", f"单位「{unit}」同时列在「{where_unit[unit]}」和「{g.name}」中")
            where_unit.setdefault(unit, g.name)
    for g in reg.groups:
        for a in g.aliases:
            if a.unit not in g.units:
                add(a, "unit", _unknown(a.unit, g.units, "别名所属单位", f"「{g.name}」的 units"))
    for g in reg.unscored_groups:
        if g not in group_names:
            add(reg, "unscored_groups", _unknown(g, group_names, "考核类别", "[[groups]]"))
    pubs = [p.name for p in reg.publications]
    seen = {}
    for p in reg.publications:
        if p.name in seen:
            add(p, "name", f"刊物「{p.name}」写了两次（第{doc.line(seen[p.name])}行）")
        seen.setdefault(p.name, p)
    levels = [lv.level for lv in reg.levels]
    events = list(reg.event_words)
    # (the defaults of tables the file leaves out name event types the file need not have)
    for table in reg.instructions:
        if doc.line(table) and table.event not in events:
            add(table, "event", _unknown(table.event, events, "事项类型", "event_words"))
    if doc.line(reg.commissions) and reg.commissions.event not in events:
        add(
            reg.commissions,
            "event",
            _unknown(reg.commissions.event, events, "事项类型", "event_words"),
        )

    # -- values of a fixed vocabulary
    for obj in (reg.adoptions, *reg.instructions, reg.commissions, reg.scoring, *reg.groups):
        for (table, key), allowed in CHOICES.items():
            value = getattr(obj, key, None) if type(obj).__name__ == table else None
            if value is not None and value not in allowed:
                near = closest(str(value), allowed)
                hint = f"是否为「{near}」？" if near else "可选：" + "、".join(allowed)
                where = {"Instructions": "[[instructions]]", "Group": "[[groups]]"}.get(
                    table, f"[{table.lower()}]"
                )
                add(obj, key, f'{where} {key} = "{value}" 无效（{hint}）')

    # -- rules
    ids: dict[str, object] = {}
    raw_rules = doc.data.get("rules", [])
    rule_keys = {f.name for f in fields(type(reg.rules[0]))} if reg.rules else set()
    for n, rule in enumerate(reg.rules):
        if rule.id in ids:
            add(
                rule,
                "id",
                f"规则编号 {rule.id} 重复（第{doc.line(ids[rule.id], 'id')}行已用）：每条规则的 id 须不同",
            )
        ids.setdefault(rule.id, rule)
        if not rule.clause.strip():
            add(rule, "clause", f'规则 {rule.id} 没有写所依据的条款 clause（如 "三（一）1"）')
        if not rule.name.strip():
            add(rule, "name", f"规则 {rule.id} 没有写名称 name（得分说明中显示）")
        kind = None
        if rule.kind == "special":
            if not rule.special:
                add(
                    rule,
                    "kind",
                    f'规则 {rule.id} 是特殊规则（kind = "special"），须写 special = "…"（可用的：{"、".join(SPECIALS)}）',
                )
            elif rule.special not in SPECIALS:
                add(
                    rule,
                    "special",
                    _unknown(rule.special, SPECIALS, "特殊规则", "kaohe 的特殊规则"),
                )
            else:
                kind = SPECIALS[rule.special]
        elif rule.kind not in KINDS:
            add(rule, "kind", _unknown(rule.kind, KINDS, "规则类型", "kaohe 的规则类型"))
        else:
            kind = KINDS[rule.kind]
            if rule.special:
                add(rule, "special", f'规则 {rule.id}：special 只用于 kind = "special" 的规则')
        written = raw_rules[n] if n < len(raw_rules) and isinstance(raw_rules[n], dict) else {}
        if kind is not None:
            allowed = set(COMMON_RULE_KEYS) | set(kind.fields)
            for key in written:
                if key in rule_keys and key not in allowed:
                    used = "、".join(kind.fields) or "（无）"
                    add(
                        rule,
                        key,
                        f'规则 {rule.id}（kind = "{rule.special or rule.kind}"）不使用 {key}：请删去；'
                        f"这一类型使用的有：{used}",
                    )
        for word in rule.events:
            if word not in events:
                add(rule, "events", _unknown(word, events, "事项类型", "event_words"))
        for level in rule.levels:
            if level not in levels:
                add(rule, "levels", _unknown(level, levels, "批示级别", "[[levels]]"))
    names: set[str] = set()
    for param in reg.parameters:
        if param.name in names:
            add(param, "name", f"参数「{param.name}」写了两次")
        names.add(param.name)
        if param.rule not in ids:
            add(param, "rule", _unknown(param.rule, ids, "规则编号", "[[rules]] 的 id"))
        elif param.key not in rule_keys or param.key in COMMON_RULE_KEYS:
            numbers = [k for k in sorted(rule_keys) if k not in COMMON_RULE_KEYS]
            add(param, "key", _unknown(param.key, numbers, "规则的项", "[[rules]] 可设的项"))
    # count targets: their groups, what they count, the targets a shortfall names
    target_names = [t.name for r in reg.rules for t in r.targets]
    for rule in reg.rules:
        for t in rule.targets:
            if t.source not in ("submission", "adoption"):
                add(
                    t,
                    "source",
                    f'source = "{t.source}" 无效（可选：submission 报送、adoption 采用）',
                )
        if rule.target is not None and rule.target not in target_names:
            add(rule, "target", _unknown(rule.target, target_names, "目标", "targets 的 name"))
    # every name that must match another table, wherever a table of the file writes it
    names_of = {
        "publication": (pubs, "刊物", "[[publications]]"),
        "category": (categories, "单位类别", "groups 的 category"),
        "group": (group_names, "考核类别", "[[groups]]"),
        "level": ([p.level for p in reg.publications], "刊物级别", "[[publications]] 的 level"),
    }
    for obj in _instances(reg):
        if type(obj).__name__ in ("Regulation", "Group", "Publication", "Level"):
            continue
        for key, (known, what, where) in names_of.items():
            value = getattr(obj, key, None)
            if isinstance(value, str) and value not in known:
                add(obj, key, _unknown(value, known, what, where))
    for rule_id in reg.scoring.order:
        if rule_id not in ids:
            add(reg.scoring, "order", _unknown(rule_id, ids, "规则编号", "[[rules]] 的 id"))
    return out
