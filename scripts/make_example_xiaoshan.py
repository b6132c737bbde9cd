"""Generate the example workspace `examples/xiaoshan-2018/` (invented data for 2018).

The data follow 萧跑改办〔2018〕3号 (萧山区“最多跑一次”改革信息宣传目标考核办法): its roster
of A (11), B (16), C (34) and 不列入考核 (19) units, adoptions by the 14 periodicals of the
regulation from 区跑改简报 up to 中办, mail logs of the basic tasks (动态, 专报, 总结计划) and
约稿, and the office's events (领导批示, 媒体报道, 约稿, 总结计划迟报, 重大信息漏报).

One seeded random generator, a fixed order of writing: a rerun rewrites the same bytes.

    .venv/bin/python scripts/make_example_xiaoshan.py [--out examples/xiaoshan-2018]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from schemes import get_scheme
from transforms.grouping import title_similarity

SEED = 20180424  # the day the draft was sent out
YEAR = 2018
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "examples" / "xiaoshan-2018"
SCHEME = get_scheme("xiaoshan-2018")
PLACES = SCHEME.place_prefixes
GUARD = 58  # a new title must stay below this against the unit's recent titles
#: the office's mailbox export starts in February: January has no mail logs (C5)
FIRST_LOG_MONTH = 2
#: how diligent (share of basic tasks done) and how often adopted, by group
DILIGENCE = {"A": (0.8, 1.0), "B": (0.8, 1.0), "C": (0.82, 1.0)}
QUALITY = {"A": 0.9, "B": 0.85, "C": 1.1}

# mail codes (invented) per unit, in roster order
CODES = {
    "A": "scjg fgj gtfj gafj rsj mzj xxzx wjj zjj hbj cgj",
    "B": "bszx bwb daj wgxj zsj swj nsj nyj jtj czj jyj jxj gsj gjj xfdd ajj",
    "C": "cx dw dc hs gl lp py sq ss bg yq xj xt yiq jj jh wy lt ny yn nw kfq hsnc cxyt qb zgh rfb tb cl lyj sfj mzzj xfj kjj",  # noqa: E501
    "不列入考核": "rmyh hg jyjy qxj hsh yc ctjt hjjt smk yd lt2 dx hs2 zsy zsh yz dw2 zr xa",
}

TOPICS = [
    "企业开办全程电子化", "投资项目审批“最多100天”", "“一窗受理、集成服务”", "不动产登记“一小时办结”",
    "“证照分离”改革试点", "办事事项“网上办、掌上办”", "“跑零次”事项清单", "政务服务网应用推广",
    "“多证合一”改革", "“最多跑一次”向村社延伸", "便民服务中心标准化建设", "“代办员”全程代办服务",
    "公共数据共享", "“互联网+政务服务”", "自助服务终端进村", "民生事项“一证通办”",
    "容缺受理机制", "审批流程再造", "群众满意度测评", "“无差别全科受理”", "窗口服务作风提升",
    "“掌上办事”推广", "工程建设项目审批提速", "企业投资项目“标准地”", "“照后减证”",
    "办税“最多跑一次”", "医保报销“零跑腿”", "社保卡“一卡通办”", "出生“一件事”联办",
    "二手房交易“一窗办”", "户籍业务“就近办”", "养老服务补贴“网上办”", "残疾人证办理“零跑腿”",
    "学籍转接“一次办”", "消防审验“一次办”", "公积金提取“秒办”", "“异地通办”服务",
    "“双随机一公开”监管", "小微企业“简易注销”", "电子证照归集应用", "“跑改”进企业走访",
    "“红色代办”服务", "审批中介服务规范", "“帮办代办”进园区", "政务服务“好差评”",
]  # fmt: skip
DYNAMIC_TPL = [
    "{u}推进{t}", "{u}：{t}跑出加速度", "{u}多措并举深化{t}", "{u}“三个一”抓实{t}",
    "{u}{t}取得实效", "{u}以{t}提升群众获得感", "{u}全力攻坚{t}", "{u}探索{t}新模式",
    "{u}{t}见成效", "{u}创新开展{t}",
]  # fmt: skip
SPECIAL_TPL = [
    "关于{u}{t}的调研与思考", "{u}{t}的做法与启示", "{u}推进{t}面临的问题及建议",
    "{t}的{u}实践",
]  # fmt: skip
SURNAMES = "张王李赵陈刘杨黄吴周徐孙马朱胡郭何高林郑"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"

LOCAL_DYN = ["萧山信息·每日动态", "区跑改简报"]
LOCAL_SPECIAL = ["萧山信息·专报", "萧山信息·情况交流"]
CITY = ["市跑改简报", "杭州信息·今日要情", "杭州信息·专报", "杭州信息·情况交流"]
PROVINCE = ["省跑改简报", "浙江信息·每日汇报", "浙江信息·工作情况交流", "浙江信息·专报"]
MEDIA = [("杭州市", "杭州日报"), ("杭州市", "钱江晚报"), ("杭州市", "杭州电视台"), ("浙江省", "浙江日报"), ("浙江省", "浙江新闻"), ("国家", "人民日报"), ("国家", "新华网")]  # fmt: skip


@dataclass
class Unit:
    name: str
    group: str
    code: str
    aliases: tuple[str, ...]
    diligence: float  # share of basic tasks done
    quality: float  # adoption odds
    titles: list[tuple[dt.date, str]] = field(default_factory=list)

    @property
    def short(self) -> str:
        """How titles name the unit: 区市场监管局, 瓜沥镇 …"""
        return self.name.split("（")[0]


@dataclass
class Article:
    unit: Unit
    kind: str
    title: str
    sent: dt.datetime
    adoptions: list[tuple[str, dt.date, str]] = field(default_factory=list)  # pub, date, title


class Gen:
    def __init__(self) -> None:
        self.r = random.Random(SEED)
        self.units: list[Unit] = []
        codes = {g: c.split() for g, c in CODES.items()}
        seen: dict[str, int] = {}
        for name, group, aliases, _ in SCHEME.roster().iter_rows():
            i = seen.get(group, 0)
            seen[group] = i + 1
            scored = group != "不列入考核"
            self.units.append(
                Unit(
                    name,
                    group,
                    codes[group][i],
                    tuple(aliases),
                    diligence=self.r.uniform(*DILIGENCE[group]) if scored else 0.15,
                    quality=self.r.uniform(0.7, 1.3) * QUALITY[group] if scored else 0.5,
                )
            )
        self.articles: list[Article] = []
        self.mails: list[dict] = []
        self.events: list[list] = []

    # ---- helpers -----------------------------------------------------------------------
    def when(self, day: dt.date) -> dt.datetime:
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return dt.datetime(day.year, day.month, day.day, self.r.randint(8, 17), self.r.randint(0, 59), self.r.randint(0, 59))  # fmt: skip

    def title(self, u: Unit, kind: str, day: dt.date) -> str:
        tpls = SPECIAL_TPL if kind == "专报" else DYNAMIC_TPL
        recent = [t for d, t in u.titles if (day - d).days < 130]
        best = None
        for _ in range(40):
            t = self.r.choice(tpls).format(u=u.short, t=self.r.choice(TOPICS))
            worst = max((title_similarity(t, o, PLACES) for o in recent), default=0)
            if worst < GUARD:
                best = t
                break
            if best is None or worst < best[1]:
                best = (t, worst)
        t = best if isinstance(best, str) else best[0]
        u.titles.append((day, t))
        return t

    def sender(self, u: Unit) -> str:
        if u.code in ("scjg", "gl", "jyj") and self.r.random() < 0.3:
            return f"{u.code}xxy@163.com"
        return f"{u.code}@xiaoshan.gov.cn"

    def mail(self, u: Unit, t: dt.datetime, subject: str, kind: str | None) -> None:
        self.mails.append(dict(time=t, sender=self.sender(u), subject=subject, kind=kind or ""))

    def printed(self, u: Unit) -> str:
        """The unit as an editor prints it."""
        x = self.r.random()
        base = u.short
        if x < 0.45:
            return u.name
        if x < 0.6 and base.startswith("区"):
            return "萧山" + base
        if x < 0.7 and u.aliases:
            return u.aliases[0]
        if x < 0.8 and base.startswith("区"):
            return base[1:] + f"（{self.r.choice(SURNAMES)}{self.r.choice(GIVEN)}）"
        if x < 0.88 and base.endswith(("镇", "街道")):
            return "萧山区" + base
        return u.name

    # ---- the year ----------------------------------------------------------------------
    def build(self) -> None:
        due = {"A": (2, 1), "B": (2, 0.5), "C": (0.5, 1 / 3)}
        for m in range(1, 13):
            first = dt.date(YEAR, m, 1)
            for u in self.units:
                n_dyn, n_spec = due.get(u.group, (0.4, 0.1))
                # basic tasks: what is due, sometimes one more, sometimes one missing
                dyn = self.count(n_dyn, u)
                spec = self.count(n_spec, u)
                for kind, n in (("动态", dyn), ("专报", spec)):
                    for _ in range(n):
                        day = first + dt.timedelta(days=self.r.randint(0, 26))
                        t = self.when(day)
                        a = Article(u, kind, self.title(u, kind, day), t)
                        self.articles.append(a)
                        self.submit(a)
                if u.group != "不列入考核":
                    self.summary(u, m)
        for a in self.articles:
            self.adopt(a)

    def count(self, mean: float, u: Unit) -> int:
        base = int(mean) + (1 if self.r.random() < mean - int(mean) else 0)
        if self.r.random() > u.diligence:
            base = max(0, base - 1)
        if self.r.random() < 0.15 * u.quality:
            base += 1
        return base

    def submit(self, a: Article) -> None:
        x = self.r.random()
        if x < 0.55:  # kind column filled
            self.mail(a.unit, a.sent, a.title, a.kind)
        elif a.kind == "专报":
            self.mail(a.unit, a.sent, f"【专报】{a.title}", None)
        else:
            self.mail(a.unit, a.sent, f"{a.unit.short}：{a.title}" if x < 0.8 else a.title, None)

    def summary(self, u: Unit, m: int) -> None:
        if self.r.random() > u.diligence + 0.08:
            return  # missing this month
        late = self.r.random() < 0.06
        day = dt.date(YEAR, m, 20 + (self.r.randint(2, 6) if late else -self.r.randint(0, 4)))
        t = self.when(day)
        nxt = m % 12 + 1
        if m % 3 == 0 and self.r.random() < u.diligence + 0.05:
            q = "一二三四"[m // 3 - 1]
            subj = f"{u.short}{m}月暨第{q}季度工作总结及下阶段工作计划"
        else:
            subj = f"{u.short}{m}月工作总结及{nxt}月工作计划"
        self.mail(u, t, subj, "总结计划" if self.r.random() < 0.5 else None)
        if late:
            self.events.append([t.date().isoformat(), "总结计划迟报", u.name, subj, "", "", "", f"{m}月20日截止"])  # fmt: skip

    def adopt(self, a: Article) -> None:
        q = a.unit.quality
        day = a.sent.date()
        local = LOCAL_SPECIAL if a.kind == "专报" else LOCAL_DYN
        p_local = (0.42 if a.kind == "专报" else 0.30) * q
        if self.r.random() < p_local:
            a.adoptions.append((self.r.choice(local), day + dt.timedelta(days=self.r.randint(1, 6)), a.title))  # fmt: skip
            p_city = (0.18 if a.kind == "专报" else 0.07) * q
            if self.r.random() < p_city:
                pub = self.r.choice(CITY[2:] if a.kind == "专报" else CITY[:2])
                up = day + dt.timedelta(days=self.r.randint(8, 30))
                a.adoptions.append((pub, up, self.upper_title(a)))
                if self.r.random() < 0.22 * q:
                    pub = self.r.choice(PROVINCE[1:] if a.kind == "专报" else PROVINCE[:2])
                    a.adoptions.append((pub, up + dt.timedelta(days=self.r.randint(5, 25)), self.upper_title(a)))  # fmt: skip

    def upper_title(self, a: Article) -> str:
        """Editors above add the district's name in front of the unit's."""
        x = self.r.random()
        if x < 0.5 or not a.title.startswith(a.unit.short):
            return a.title
        place = "萧山区" if x < 0.8 else "杭州市萧山区"
        return place + a.title.removeprefix("区")

    # ---- events ------------------------------------------------------------------------
    def make_events(self) -> None:
        levels = {"萧山信息": "萧山区", "区跑改": "萧山区", "市跑改": "杭州市", "杭州": "杭州市", "省跑改": "浙江省", "浙江": "浙江省"}  # fmt: skip
        leaders = ["分管副区长", "区委副书记", "区长", "区委书记"]
        adopted = [a for a in self.articles if a.adoptions and a.unit.group != "不列入考核"]
        for u in self.units:
            arts = [a for a in adopted if a.unit is u]
            if not arts or self.r.random() < 0.2:
                continue  # no instruction this year: -30 at the year end
            k = 1 + (self.r.random() < 0.35) + (u.group == "A" and self.r.random() < 0.4)
            for a in sorted(self.r.sample(arts, min(k, len(arts))), key=lambda a: a.sent):
                pub, day, title = a.adoptions[-1]
                day += dt.timedelta(days=self.r.randint(2, 12))
                if day.year > YEAR:
                    continue
                level = next(v for k2, v in levels.items() if pub.startswith(k2))
                note = self.r.choice(leaders)
                if level == "浙江省" and self.r.random() < 0.5:
                    level = "杭州市"
                if level == "杭州市":
                    x = self.r.random()
                    level, note = (
                        ("杭州市主要领导", "杭州市委书记") if x < 0.25 else
                        ("杭州市", "杭州市副市长") if x < 0.6 else
                        ("萧山区", note)
                    )  # fmt: skip
                elif level == "浙江省":
                    note = "浙江省副省长"
                self.events.append(
                    [day.isoformat(), "领导批示", u.name, title, level, "", "", note]
                )
        upper = [a for a in adopted if len(a.adoptions) > 1]
        for a in self.r.sample(upper, min(22, len(upper))):
            lv, medium = self.r.choice(MEDIA[:5])
            mday = a.adoptions[-1][1] + dt.timedelta(days=self.r.randint(1, 20))
            if mday.year == YEAR:
                self.events.append([mday.isoformat(), "媒体报道", a.unit.name, a.title, lv, "", "", medium])  # fmt: skip
        # one instruction of 国家 level on an article adopted by 中办
        star = next(a for a in adopted if any(p.startswith("浙江信息") for p, _, _ in a.adoptions))
        lv, medium = MEDIA[5]
        pday = max(d for _, d, _ in star.adoptions) + dt.timedelta(days=10)
        star.adoptions.append(("中办", pday, star.title))
        self.events.append([(pday + dt.timedelta(days=6)).isoformat(), "领导批示", star.unit.name, star.title, "国家", "", "", "国务院领导批示"])  # fmt: skip
        self.events.append([(pday + dt.timedelta(days=9)).isoformat(), "媒体报道", star.unit.name, star.title, lv, "", "", medium])  # fmt: skip
        # 约稿: the office commissions articles, due ~10 days later
        topics = ["企业开办“一日办结”经验", "投资项目审批改革成效", "“最多跑一次”向基层延伸", "民生事项“一证通办”", "“跑改”与营商环境"]  # fmt: skip
        scored = [u for u in self.units if u.group in ("A", "B")]
        for k in range(14):
            u = scored[(k * 7) % len(scored)]
            due = dt.date(YEAR, 2 + k % 10, 10 + k % 8)
            topic = topics[k % len(topics)]
            status = ""
            x = self.r.random()
            if k == 3:
                status = "逾期"  # recorded by hand
            elif x < 0.7:
                self.mail(u, self.when(due - dt.timedelta(days=self.r.randint(1, 5))), f"约稿：{u.short}{topic}", "约稿")  # fmt: skip
            elif x < 0.85:
                self.mail(u, self.when(due + dt.timedelta(days=self.r.randint(2, 6))), f"约稿：{u.short}{topic}", "约稿")  # fmt: skip
            self.events.append(
                [due.isoformat(), "约稿", u.name, topic, "", "", status, "区跑改办约稿"]
            )
        self.events.append(["2018-07-12", "重大信息漏报", "区城市管理局", "台风“玛莉亚”防御部署", "", "20", "", "未及时报送"])  # fmt: skip
        self.events.append(["2018-09-03", "重大信息迟报", "临浦镇", "峙山隧道施工期间交通组织", "", "10", "", ""])  # fmt: skip
        self.events.sort(key=lambda e: (e[0], e[1], e[2]))


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_workspace(out: Path) -> None:
    g = Gen()
    g.build()
    g.make_events()
    for sub in ("adoptions", "submissions", "events"):
        for old in (out / sub).glob("*.csv"):
            old.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / "kaohe.toml").write_text(
        "# kaohe workspace: 萧山区 2018 “最多跑一次”改革信息宣传目标考核 (example, invented data)\n"
        'scheme = "xiaoshan-2018"\n'
        'office = "杭州市萧山区全面深化“最多跑一次”改革领导小组办公室"\n',
        encoding="utf-8",
    )
    write_csv(
        out / "units.csv",
        ["unit", "group", "aliases", "emails"],
        [
            [
                u.name,
                u.group,
                ";".join(u.aliases),
                f"{u.code}@xiaoshan.gov.cn"
                + (f";{u.code}xxy@163.com" if u.code in ("scjg", "gl", "jyj") else ""),
            ]
            for u in g.units
        ],  # fmt: skip
    )
    # adoptions: one row per (periodical, article), numbered issues per periodical
    rows = []
    for a in g.articles:
        names = [g.printed(a.unit)]
        if a.unit.group != "不列入考核" and g.r.random() < 0.03:
            other = g.r.choice([u for u in g.units if u.group == "C"])
            names.append(g.printed(other))
        for pub, day, title in a.adoptions:
            if day.year == YEAR:
                rows.append([pub, day, title, "、".join(names), a.kind])
    rows.sort(key=lambda r: (r[1], r[0], r[2]))
    issue: dict[tuple[str, dt.date], int] = {}
    count: dict[str, int] = {}
    by_q: dict[int, list[list]] = {q: [] for q in range(1, 5)}
    for pub, day, title, units, kind in rows:
        if (pub, day) not in issue:
            count[pub] = count.get(pub, 0) + 1
            issue[(pub, day)] = count[pub]
        shown = f"《{pub}》" if g.r.random() < 0.3 else pub
        kind = kind if pub.startswith(("萧山信息", "区跑改")) else ""
        by_q[(day.month - 1) // 3 + 1].append([shown, issue[(pub, day)], day.isoformat(), title, units, kind])  # fmt: skip
    for q, qrows in by_q.items():
        write_csv(out / "adoptions" / f"2018q{q}.csv", ["刊物", "期号", "日期", "标题", "单位", "类别"], qrows)  # fmt: skip
    # mail logs, one file per month from FIRST_LOG_MONTH
    g.mails.sort(key=lambda m: (m["time"], m["sender"], m["subject"]))
    for m in range(FIRST_LOG_MONTH, 13):
        mrows = [
            [x["time"].strftime("%Y-%m-%d %H:%M:%S"), x["sender"], x["subject"], x["kind"]]
            for x in g.mails
            if x["time"].month == m
        ]
        write_csv(out / "submissions" / f"2018-{m:02d}.csv", ["time", "sender", "subject", "kind"], mrows)  # fmt: skip
    write_csv(out / "events" / "events.csv", ["日期", "类型", "单位", "标题", "级别", "分值", "状态", "备注"], g.events)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    write_workspace(args.out)
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
