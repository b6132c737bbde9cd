"""Generate the example workspace `examples/jiande-2018/` (invented data for the whole of 2018).

The data follow 建政办函〔2018〕22号 (the 建德 2018 regulation): the 56 units of its appendix,
adoptions by 《建德政务·动态》《建德政务·情况专报》《建德政务·参阅》《杭州政务》《浙江政务信息》,
mail logs of submissions, and the office's events (领导批示, 约稿, penalties …).

Everything is drawn from one seeded random generator and written in a fixed order, so a
rerun rewrites exactly the same bytes (the xlsx archive included):

    .venv/bin/python scripts/make_example_jiande.py [--out examples/jiande-2018]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

from schemes import get_scheme
from transforms.grouping import normalize_title, title_similarity

SEED = 20180227  # the day the regulation was issued
SCHEME = get_scheme("jiande-2018")
PLACES = SCHEME.place_prefixes
#: a new title must score below this against the unit's other titles (review starts at 65)
GUARD = 58
# Volume: articles per weekly 《建德政务·动态》; share of 动态 articles 杭州政务 adopts later
# (towns' adoptions score double there); towns' 直报 adoptions by 杭州政务 in the year.
DONGTAI_MIN, DONGTAI_MAX = 12, 20
P_HZ_DEPT, P_HZ_TOWN = 0.4, 0.15
N_DIRECT = 28
#: share of upward adoptions retitled so much that the office is asked (same article?)
P_RETITLE = 0.08
RETITLE_TEMPLATES = ["{u}{t}{r}", "{u}{w}{t}{r}", "{u}{m}推动{t}{r}", "{u}：{t}{r}"]
YEAR = 2018
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "examples" / "jiande-2018"

# --------------------------------------------------------------------------------------------
# Roster: the appendix of the regulation, verbatim, with invented mail codes and aliases.
# (name, mail code, aliases, how titles name the unit, activity weight)
# --------------------------------------------------------------------------------------------
TOWNS = "乡镇（街道）"
ROSTER: list[tuple[str, str, list[tuple[str, str, list[str], str, float]]]] = []


def _u(name, code, aliases, title_name, weight):
    return (name, code, aliases, title_name, weight)


ROSTER = [
    (
        TOWNS,
        "",
        [
            _u("新安江街道", "xaj", ["新安江街道办事处"], "新安江街道", 7),
            _u("更楼街道", "gl", ["更楼街道办事处"], "更楼街道", 5),
            _u("洋溪街道", "yx", ["洋溪街道办事处"], "洋溪街道", 5),
            _u("梅城镇", "mc", ["梅城"], "梅城镇", 6),
            _u("寿昌镇", "sc", ["寿昌"], "寿昌镇", 6),
            _u("大同镇", "dt", ["大同"], "大同镇", 6),
            _u("乾潭镇", "qt", ["乾潭"], "乾潭镇", 6),
            _u("三都镇", "sd", ["三都"], "三都镇", 3),
            _u("杨村桥镇", "ycq", ["杨村桥"], "杨村桥镇", 4),
            _u("下涯镇", "xy", ["下涯"], "下涯镇", 4),
            _u("大慈岩镇", "dcy", ["大慈岩"], "大慈岩镇", 3),
            _u("大洋镇", "dy", [], "大洋镇", 2.5),
            _u("航头镇", "ht", ["航头"], "航头镇", 3),
            _u("李家镇", "lj", [], "李家镇", 2),
            _u("莲花镇", "lh", [], "莲花镇", 2),
            _u("钦堂乡", "qtx", [], "钦堂乡", 1.5),
        ],
    ),
    (
        "A",
        "",
        [
            _u("市农办", "nb", ["农办", "农业和农村工作办公室"], "市农办", 4),
            _u("发改局", "fgj", ["发展和改革局", "市发改局", "发展改革局"], "市发改局", 7),
            _u("经信局", "jxj", ["经济和信息化局", "市经信局"], "市经信局", 6),
            _u("教育局", "jyj", [], "市教育局", 3),
            _u("公安局", "gaj", ["公安分局"], "市公安局", 3),
            _u("民政局", "mzj", [], "市民政局", 4),
            _u("财政（地税）局", "czj", ["财政局", "地税局", "财政地税局"], "市财政局", 3),
            _u("人力社保局", "rsj", ["人力资源和社会保障局", "人社局"], "市人力社保局", 4),
            _u("国土资源局", "gtj", ["国土局"], "市国土资源局", 3),
            _u("住建局", "zjj", ["住房和城乡建设局", "建设局"], "市住建局", 5),
            _u("交通运输局", "jtj", ["交通局"], "市交通运输局", 3),
            _u("农业局", "nyj", [], "市农业局", 6),
            _u("林业局", "lyj", [], "市林业局", 3),
            _u("水利水产局", "slj", [], "市水利水产局", 4),
            _u("旅游商务局", "lsj", ["旅商局"], "市旅游商务局", 6),
            _u("卫生计生局", "wjj", ["卫计局", "卫生和计划生育局"], "市卫生计生局", 3),
            _u("环保局", "hbj", ["环境保护局"], "市环保局", 5),
            _u("市场监管局", "scjg", ["市场监督管理局"], "市市场监管局", 6),
            _u("城管局", "cgj", ["城市管理局"], "市城管局", 4),
            _u("安全监管局", "ajj", ["安监局"], "市安全监管局", 2.5),
            _u("审管办", "sgb", ["行政审批服务管理办公室"], "市审管办", 5),
            _u(
                "开发区（航空小镇）",
                "kfq",
                ["开发区", "经济开发区", "航空小镇"],
                "建德经济开发区",
                5,
            ),
            _u("高铁新区管委会", "gtxq", ["高铁新区"], "高铁新区", 2.5),
        ],
    ),
    (
        "B",
        "",
        [
            _u("科技局", "kjj", [], "市科技局", 3),
            _u("司法局", "sfj", [], "市司法局", 3.5),
            _u("文广新局", "wgxj", ["文化广电新闻出版局"], "市文广新局", 3.5),
            _u("统计局", "tjj", [], "市统计局", 2.5),
            _u("体育局", "tyj", [], "市体育局", 2),
            _u("国税局", "gsj", ["国家税务局"], "市国税局", 3),
            _u("城投公司", "ctgs", ["城投集团"], "市城投公司", 3),
            _u("资投公司", "ztgs", [], "市资投公司", 1.5),
            _u("旅投公司", "ltgs", [], "市旅投公司", 3),
            _u("交投公司", "jtgs", [], "市交投公司", 1.5),
        ],
    ),
    (
        "C",
        "",
        [
            _u("民宗局", "mzzj", ["民族宗教事务局"], "市民宗局", 1.5),
            _u("移民局", "ymj", ["移民办"], "市移民局", 2.5),
            _u("审计局", "sjj", [], "市审计局", 2.5),
            _u("机关事务管理局", "jgsw", ["机关事务局"], "市机关事务管理局", 1),
            _u("公积金建德分中心", "gjj", ["住房公积金建德分中心"], "住房公积金建德分中心", 1),
            _u("气象局", "qxj", [], "市气象局", 2.5),
            _u("供电公司", "gdgs", ["国网建德市供电公司"], "建德供电公司", 3),
        ],
    ),
]


@dataclass
class Unit:
    name: str
    group: str
    code: str
    aliases: list[str]
    title_name: str
    weight: float
    emails: list[str] = field(default_factory=list)

    @property
    def is_town(self) -> bool:
        return self.group == TOWNS


# Names printed in periodicals that are not roster units (the review list shows them).
# 建德市水利局 is really 水利水产局: decisions.csv answers it (key 水利局).
OUTSIDERS = {
    "市委宣传部": ("xcb_jd@163.com", "宣传部"),
    "市老干部局": ("lgbjd@jiande.gov.cn", "老干部局"),
    "市妇联": ("jdfl2018@126.com", "妇联"),
    "建德市水利局": ("slj_xx@jiande.gov.cn", "水利局"),
    "市旅游局": ("", "旅游局"),
}

WRITERS = "张伟 王芳 李静 刘洋 陈敏 杨帆 赵磊 黄蕾 周杰 吴婷 徐斌 孙倩 胡军 朱丽 高峰 林霞 何平 郑洁".split()

# --------------------------------------------------------------------------------------------
# Topics: noun phrases the title templates are built from.
# --------------------------------------------------------------------------------------------
TOWN_TOPICS = [
    "老旧小区改造",
    "小城镇环境综合整治",
    "美丽乡村建设",
    "农村生活污水治理",
    "“两山”转化",
    "民宿经济发展",
    "村级集体经济增收",
    "低收入农户帮扶",
    "垃圾分类",
    "河长制落实",
    "“三改一拆”",
    "“无违建”创建",
    "乡村振兴",
    "基层治理“四个平台”建设",
    "扫黑除恶专项斗争",
    "草莓产业提质增效",
    "农家乐提档升级",
    "“最多跑一次”改革向村社延伸",
    "文化礼堂建设",
    "森林消防",
    "招商引资",
    "历史文化街区保护",
    "农房整治",
    "“千村示范万村整治”",
    "茶叶产业",
    "水果产业提升",
    "农村电商",
    "平安村社创建",
    "村级组织换届",
    "防汛防台",
    "移风易俗",
    "精品线路打造",
]
UNIT_TOPICS = {
    "市农办": ["乡村振兴", "村级集体经济增收", "农村人居环境整治", "美丽乡村建设"],
    "发改局": ["有效投资", "重大项目建设", "营商环境优化", "“亩均论英雄”改革", "区域协调发展"],
    "经信局": ["企业减负降本", "“亩均论英雄”改革", "工业转型升级", "“小升规”工作", "数字经济发展"],
    "教育局": ["城乡教育均衡发展", "校园安全管理", "教育集团化办学", "中小学课后托管"],
    "公安局": ["扫黑除恶专项斗争", "“最多跑一次”改革", "道路交通安全整治", "电信诈骗防范"],
    "民政局": ["居家养老服务", "社会救助", "社区治理创新", "殡葬改革"],
    "财政（地税）局": ["财政资金绩效管理", "减税降费", "政府采购改革", "地方税收征管"],
    "人力社保局": ["稳就业", "城乡居民养老保险", "技能人才培养", "根治欠薪"],
    "国土资源局": ["土地综合整治", "耕地保护", "建设用地保障", "不动产登记“一窗受理”"],
    "住建局": ["老旧小区改造", "农村危房改造", "棚户区改造", "建筑施工安全管理"],
    "交通运输局": ["“四好农村路”建设", "城乡公交一体化", "杭黄高铁配套工程", "交通治堵"],
    "农业局": [
        "草莓产业提质增效",
        "农业“两区”建设",
        "农产品质量安全",
        "农业面源污染治理",
        "新型职业农民培育",
    ],
    "林业局": ["松材线虫病防治", "森林消防", "珍贵彩色森林建设", "林下经济发展"],
    "水利水产局": [
        "“五水共治”",
        "河长制落实",
        "水产养殖尾水治理",
        "小水电清理整改",
        "农村饮用水达标提标",
    ],
    "旅游商务局": ["全域旅游", "民宿经济发展", "农村电商发展", "外贸稳增长", "旅游市场秩序整治"],
    "卫生计生局": ["医共体建设", "家庭医生签约服务", "分级诊疗", "基层卫生服务能力提升"],
    "环保局": ["新安江水质保护", "大气污染防治", "“污水零直排区”建设", "环境执法"],
    "市场监管局": [
        "食品安全",
        "“放心农贸市场”创建",
        "商事制度改革",
        "“证照分离”改革",
        "特种设备安全",
    ],
    "城管局": ["垃圾分类", "城市精细化管理", "违章建筑整治", "“厕所革命”"],
    "安全监管局": ["安全生产大检查", "危化品安全整治", "企业安全生产标准化"],
    "审管办": ["“最多跑一次”改革", "投资项目审批提速", "“一窗受理”改革", "政务服务网上办"],
    "开发区（航空小镇）": ["航空小镇建设", "通用航空产业发展", "招商引资", "园区有机更新"],
    "高铁新区管委会": ["高铁新区建设", "杭黄高铁站前区开发", "征地拆迁"],
    "科技局": ["科技型企业培育", "科技创新券", "产学研合作"],
    "司法局": ["人民调解", "公共法律服务体系建设", "社区矫正"],
    "文广新局": ["农村文化礼堂建设", "非物质文化遗产保护", "全民阅读"],
    "统计局": ["统计数据质量提升", "第四次全国经济普查", "统计监测"],
    "体育局": ["全民健身", "体育赛事经济", "体育小镇建设"],
    "国税局": ["纳税服务优化", "减税降费", "国地税征管体制改革"],
    "城投公司": ["城市基础设施建设", "保障性住房建设", "融资模式创新"],
    "资投公司": ["国有资产经营", "国企改革"],
    "旅投公司": ["旅游项目开发", "新安江旅游产品升级"],
    "交投公司": ["交通项目建设", "公路养护市场化"],
    "民宗局": ["民族团结进步创建", "宗教场所安全管理"],
    "移民局": ["水库移民后期扶持", "移民村美丽家园建设"],
    "审计局": ["审计全覆盖", "经济责任审计"],
    "机关事务管理局": ["公共机构节能", "公务用车改革"],
    "公积金建德分中心": ["住房公积金“最多跑一次”", "公积金缴存扩面"],
    "气象局": ["气象防灾减灾", "农业气象服务"],
    "供电公司": ["电力保供", "电能替代", "农网改造升级"],
}
SLOGANS = [
    "三聚焦",
    "四个一",
    "五个到位",
    "三化",
    "三个一批",
    "双线并进",
    "四步法",
    "三张清单",
    "六个一",
    "一线工作法",
    "五心服务",
    "红黄绿",
]
MEASURES = [
    "清单化管理",
    "项目化推进",
    "网格化管理",
    "数字化手段",
    "党建引领",
    "“一村一策”",
    "挂图作战",
    "专班运作",
    "闭环管理",
    "积分制管理",
]
# Topics any department writes about besides its own line of work.
DEPT_COMMON_TOPICS = [
    "作风建设",
    "结对帮扶低收入农户",
    "平安建设",
    "“大走访”活动",
    "清廉机关建设",
    "信访积案化解",
    "防汛防台",
    "机关党建",
    "干部队伍建设",
    "民生实事项目",
    "服务企业“一对一”",
    "驻村指导员工作",
]
# More topics of the busiest departments (they print many articles a quarter).
EXTRA_UNIT_TOPICS = {
    "市农办": ["农村综合改革", "消薄增收", "“千万工程”"],
    "发改局": ["政府投资项目管理", "价格监测", "物流业发展", "社会信用体系建设"],
    "经信局": ["企业技术改造", "“机器换人”", "节能降耗", "“两化”融合"],
    "住建局": ["建筑业转型", "房地产市场监管", "住房保障", "城市有机更新"],
    "农业局": ["畜禽养殖污染治理", "家庭农场培育", "农机化推广", "“菜篮子”工程"],
    "旅游商务局": ["旅游节庆活动", "乡村旅游品牌", "消费升级", "跨境电商"],
    "环保局": ["土壤污染防治", "工业固废治理", "环境信访办理"],
    "市场监管局": ["小微企业培育", "药品安全", "知识产权保护", "价格监督检查"],
    "审管办": ["企业投资项目“标准地”", "公共资源交易", "便民服务中心建设"],
    "开发区（航空小镇）": ["工业企业“腾笼换鸟”", "重点企业服务", "航空旅游"],
    "水利水产局": ["山塘水库安全", "水土保持"],
    "城管局": ["市容环境整治", "城市停车管理", "“美丽街巷”创建"],
    "人力社保局": ["人才引进", "劳动保障监察"],
    "民政局": ["社会组织培育", "婚姻登记服务"],
}
# Results and focal points: what makes one article's title its own.
RESULTS = [
    "跑出“加速度”",
    "按下“快进键”",
    "迈出新步伐",
    "再上新台阶",
    "交出高分答卷",
    "实现“开门红”",
    "形成长效机制",
    "打通“最后一公里”",
    "走在全市前列",
    "获上级肯定",
    "蹚出新路子",
    "激发新活力",
    "结出新硕果",
    "驶入快车道",
    "赢得群众点赞",
]
DEPT_FOCUS = [
    "重点企业",
    "基层站所",
    "办事窗口",
    "村社一线",
    "工业园区",
    "项目工地",
    "城区社区",
    "山区乡镇",
    "中小学校",
    "农贸市场",
]
VILLAGE_NAMES = (
    "三河 溪口 上马 里洪 新叶 长宁 墩头 马目 乌石 石岭 罗村 姚村 胡店 下王 麻车 童家 洪宅 汪山 "
    "梓洲 千鹤 陈家 黄泥 大坞 樟村 岭后 白沙 芝峰 坪上 桂花 湖岑 高峰 双泉 方家 徐坑 李村 梅坪"
).split()
WHEN = {
    1: ["一季度", "开年", "春节前后", "年初"],
    2: ["二季度", "汛期", "上半年", "春耕时节"],
    3: ["三季度", "盛夏", "暑期", "迎峰度夏期间"],
    4: ["四季度", "岁末", "冬季", "年末"],
}

DONGTAI_TEMPLATES = [
    "{u}多举措推进{t}",
    "{u}“{s}”推进{t}",
    "{u}探索{t}新路径",
    "{u}以{m}助推{t}",
    "{u}{t}取得阶段性成效",
    "{u}“{s}”抓实{t}",
    "{u}全力打好{t}攻坚战",
    "{u}创新推进{t}",
    "{u}{t}见实效",
    "{u}{t}{r}",
    "{u}：{t}{r}",
    "{u}在{v}试点{t}",
    "{u}聚焦{v}抓{t}",
    "{u}{w}{t}{r}",
    "{u}{n}项举措破解{t}难题",
    "{u}以“{s}”工作法推动{t}",
    "{u}{v}{t}{r}",
    "{u}把{t}抓在{w}",
    "{u}：{m}让{t}{r}",
    "{u}{t}“{s}”经验获推广",
]
DEPT_DONGTAI_TEMPLATES = [
    "我市{t}向基层延伸",
    "我市{t}工作稳步推进",
    "我市{w}{t}{r}",
]
JIANXUN_TEMPLATES = [
    "{u}召开{t}推进会",
    "{u}开展{t}专项检查",
    "{u}部署{t}工作",
    "{u}举办{t}培训",
    "{u}组织{v}{t}现场观摩",
    "{u}召开{w}{t}工作例会",
    "{u}启动{t}“{s}”行动",
    "{u}迎接上级{t}督查",
]
REPORT_TEMPLATES = [
    "关于{t}情况的调研",
    "关于加快推进{t}的几点思考",
    "{t}中存在的问题及对策建议",
    "{u}{t}的实践与启示",
    "关于我市{t}的调查与思考",
    "从{u}实践看{t}",
    "{w}我市{t}运行分析",
    "破解{t}难题需在{v}下功夫",
]
FILLER_SUBJECTS = [
    "{u}{t}工作简报",
    "{u}{m}推动{t}",
    "{u}召开{t}工作会议",
    "{u}{t}情况汇报",
    "{u}积极开展{t}",
    "{u}{t}工作月报",
    "{u}{w}{t}工作小结",
]

REWORD = [
    ("多举措推进", "多措并举推进"),
    ("扎实推进", "全力推进"),
    ("探索", "积极探索"),
    ("创新推进", "创新举措推进"),
    ("取得阶段性成效", "成效明显"),
    ("见实效", "取得实效"),
    ("全力打好", "打好"),
]


@dataclass
class Adoption:
    publication: str  # canonical name
    date: dt.date
    title: str
    units_printed: str
    kind: str
    issue: int = 0


@dataclass
class Article:
    units: list[str]  # roster names, or one outsider name
    title: str
    submitted: dt.datetime
    sender: str
    adoptions: list[Adoption] = field(default_factory=list)
    commission: bool = False
    topic: str = ""


class Gen:
    def __init__(self) -> None:
        self.r = random.Random(SEED)
        self.units: list[Unit] = []
        for group, _, entries in ROSTER:
            for name, code, aliases, title_name, weight in entries:
                self.units.append(Unit(name, group, code, aliases, title_name, weight))
        self.by_name = {u.name: u for u in self.units}
        self.articles: list[Article] = []
        # titles of the hand-placed articles are reserved
        self.used_titles: set[str] = {
            "大同镇探索“两山”转化新路径",
            "关于我市民宿经济发展情况的调研",
            "我市乡村振兴“十百千”工程推进情况",
            "建德大同镇探索“两山”转化新路径",
            "建德市大同镇探索“两山”转化新路径的做法",
            "建德市民宿经济发展情况的调研",
            "建德市乡村振兴“十百千”工程推进情况",
        }
        self.used_norm = {self.norm(t) for t in self.used_titles}
        # Units that send nothing in a month (rule: −10 per silent month).
        self.silent = {
            "机关事务管理局": [3, 8],
            "民宗局": [2],
            "交投公司": [2, 11],
            "钦堂乡": [2],
            "体育局": [7],
        }
        self._emails()
        self.credit: dict[str, float] = {}
        self.credit_towns: dict[str, float] = {}
        self.q_factor = {
            u.name: [
                self.r.choice([0.6, 0.8, 0.9, 1.0, 1.0, 1.0, 1.1, 1.2, 1.4, 1.8]) for _ in range(4)
            ]
            for u in self.units
        }
        # 2–3 small units a quarter with nothing adopted, each at most once a year (none of
        # them has a hand-placed article); with chance misses that makes 2–4 a quarter
        quiet = [u.name for u in self.units if u.weight <= 2.5]
        for q in range(4):
            for name in self.r.sample(quiet, self.r.randint(2, 3)):
                self.q_factor[name][q] = 0.0
                quiet.remove(name)
        towns = [u for u in self.units if u.is_town]
        self.villages = {u.name: self.r.sample(VILLAGE_NAMES, 5) for u in towns}
        # Each unit's titles so far (date, title): a new title must not look like one of them
        # (the review list would ask whether they are one article).
        self.unit_titles: dict[str, list[tuple[dt.date, str]]] = {}
        self.topic_used: dict[str, dict[str, int]] = {}
        self.n_titles = 0
        for unit, d, title in (
            ("大同镇", dt.date(YEAR, 6, 8), "大同镇探索“两山”转化新路径"),
            ("旅游商务局", dt.date(YEAR, 6, 5), "关于我市民宿经济发展情况的调研"),
            ("市农办", dt.date(YEAR, 12, 27), "我市乡村振兴“十百千”工程推进情况"),
            ("文广新局", dt.date(YEAR, 3, 16), "我市新时代文明实践站建设全面铺开"),
            ("水利水产局", dt.date(YEAR, 4, 20), "我市山塘水库汛前安全检查全面完成"),
            ("水利水产局", dt.date(YEAR, 8, 24), "我市农村饮用水达标提标工程提前完工"),
        ):
            self.unit_titles.setdefault(unit, []).append((d, title))

    # ---- helpers --------------------------------------------------------------------------
    def _emails(self) -> None:
        r = self.r
        for u in self.units:
            u.emails = [f"{u.code}_xx@jiande.gov.cn"]
            roll = r.random()
            if roll < 0.35:
                u.emails.append(f"jd{u.code}{r.randint(10, 99)}@163.com")
            elif roll < 0.55:
                u.emails.append(f"{u.code}xxk@126.com")

    def weekday(self, d: dt.date, forward: bool = True) -> dt.date:
        while d.weekday() >= 5:
            d += dt.timedelta(days=1 if forward else -1)
        return d

    def office_time(self, d: dt.date) -> dt.datetime:
        d = self.weekday(d, forward=False)
        if self.r.random() < 0.08:  # a few late-evening mails
            h, m = self.r.randint(19, 22), self.r.randint(0, 59)
        else:
            h, m = (
                self.r.choice([8, 9, 9, 10, 10, 11, 14, 14, 15, 15, 16, 17]),
                self.r.randint(0, 59),
            )
        return dt.datetime(d.year, d.month, d.day, h, m, self.r.randint(0, 59))

    def is_silent(self, unit: str, d: dt.date) -> bool:
        return d.month in self.silent.get(unit, [])

    def pick_unit(
        self, sub_date: dt.date, towns_only: bool = False, exclude=(), issue: dt.date | None = None
    ) -> Unit:
        q = ((issue or sub_date).month - 1) // 3  # the quarter of the adoption
        pool = [
            u
            for u in self.units
            if (not towns_only or u.is_town)
            and not self.is_silent(u.name, sub_date)
            and u.name not in exclude
            and self.q_factor[u.name][q] > 0
        ]
        if exclude:  # joint co-authors: a plain weighted draw
            return self.r.choices(pool, weights=[u.weight for u in pool])[0]
        # Smooth weighted round robin with noise: activity follows the weights closely (a
        # unit's points track its weight), while the quarter factors make activity uneven.
        credit = self.credit_towns if towns_only else self.credit
        added = 0.0
        for u in pool:
            inc = (u.weight * self.q_factor[u.name][q]) ** 1.2 * (0.5 + self.r.random())
            credit[u.name] = credit.get(u.name, 0.0) + inc
            added += inc
        best = max(pool, key=lambda u: credit[u.name])
        credit[best.name] -= added
        return best

    @staticmethod
    def norm(title: str) -> str:
        return normalize_title(title, PLACES)

    def topics(self, u: Unit) -> list[str]:
        if u.is_town:
            return TOWN_TOPICS
        return UNIT_TOPICS[u.name] + EXTRA_UNIT_TOPICS.get(u.name, []) + DEPT_COMMON_TOPICS

    def topic(self, u: Unit) -> str:
        """A topic of the unit, the least used ones first (its own line of work preferred)."""
        used = self.topic_used.setdefault(u.name, {})
        own = UNIT_TOPICS.get(u.name, [])

        def cost(t: str) -> float:
            return used.get(t, 0) + (0.0 if u.is_town or t in own else 0.6) + self.r.random()

        return min(self.topics(u), key=cost)

    def compose(self, u: Unit, tpl: str, d: dt.date, topic: str | None = None) -> str:
        r = self.r
        if u.is_town:
            focus = r.choice(self.villages[u.name]) + "村"
        else:
            focus = r.choice(DEPT_FOCUS)
        return tpl.format(
            u=u.title_name,
            t=topic or self.topic(u),
            s=r.choice(SLOGANS),
            m=r.choice(MEASURES),
            r=r.choice(RESULTS),
            v=focus,
            w=r.choice(WHEN[(d.month - 1) // 3 + 1]),
            n=r.choice("三四五六七八"),
        )

    def make_title(
        self, u: Unit, templates: list[str], d: dt.date, names: list[str] | None = None
    ) -> str:
        """A new title for unit `u` on date `d`, unlike the titles of its units within
        ±200 days (the matcher compares adoptions within 120 days; 杭州 adopts up to 60 days
        later). Of 40 tries the least similar one is kept."""
        names = names or [u.name]
        if not u.is_town:
            templates = templates + [
                t for t in DEPT_DONGTAI_TEMPLATES if templates is DONGTAI_TEMPLATES
            ]
        near = [
            t for n in names for (d2, t) in self.unit_titles.get(n, []) if abs((d2 - d).days) <= 200
        ]
        best, best_score = "", 101.0
        for _ in range(40):
            topic = self.topic(u)
            title = self.compose(u, self.r.choice(templates), d, topic)
            if title in self.used_titles or self.norm(title) in self.used_norm:
                continue
            score = max((title_similarity(title, t, PLACES) for t in near), default=0.0)
            if score < best_score:
                best, best_score, best_topic = title, score, topic
            if score < GUARD:
                break
        if not best:
            raise RuntimeError("title space exhausted")
        used = self.topic_used.setdefault(u.name, {})
        used[best_topic] = used.get(best_topic, 0) + 1
        self.used_titles.add(best)
        self.used_norm.add(self.norm(best))
        self.last_topic = best_topic
        for n in names:
            self.unit_titles.setdefault(n, []).append((d, best))
        return best

    NO_CITY_PREFIX = ("市农办", "开发区（航空小镇）", "高铁新区管委会", "公积金建德分中心")

    def city_name(self, name: str, base: str) -> str:
        """「市发改局」: the department with the city prefix, where the prefix is natural."""
        return base if name in self.NO_CITY_PREFIX else "市" + base

    def jiande_name(self, name: str, base: str) -> str:
        """「建德市发改局」: the department with the full place prefix."""
        if name == "公积金建德分中心":
            return "住房公积金建德分中心"
        if name == "市农办":
            return "建德市农办"
        if name == "开发区（航空小镇）":
            return "建德经济开发区"
        return "建德市" + base

    def printed(self, names: list[str]) -> str:
        """How a periodical prints the unit field."""
        r = self.r
        parts = []
        for name in names:
            if name in OUTSIDERS:
                parts.append(name)
                continue
            u = self.by_name[name]
            roll = r.random()
            if u.is_town:
                short = name[:-1] if name.endswith(("镇", "乡")) else name
                if roll < 0.55:
                    p = name
                elif roll < 0.7:
                    p = short if name.endswith(("镇", "乡")) else name + "办事处"
                elif roll < 0.85:
                    p = "建德市" + name
                else:
                    p = name + "（" + r.choice(WRITERS) + "）"
            else:
                base = {"财政（地税）局": "财政局", "开发区（航空小镇）": "开发区（航空小镇）"}.get(
                    name, name
                )
                if name == "开发区（航空小镇）" and roll < 0.3:
                    base = r.choice(["开发区", "开发区(航空小镇)", "航空小镇"])
                if name == "财政（地税）局" and roll < 0.2:
                    base = "财政(地税)局"
                with_city = self.city_name(name, base)
                if roll < 0.35:
                    p = with_city
                elif roll < 0.55:
                    p = base
                elif roll < 0.68:
                    p = self.jiande_name(name, base)
                elif roll < 0.8:
                    w = r.choice(WRITERS)
                    p = base + (f"（{w}）" if r.random() < 0.7 else f"({w})")
                elif roll < 0.88 and u.aliases:
                    p = r.choice(u.aliases)
                else:
                    p = with_city
            parts.append(p)
        if len(parts) == 1 and r.random() < 0.06 and not parts[0].endswith("）"):
            name = names[0]
            if name in self.by_name and not self.by_name[name].is_town:
                return f"（{self.jiande_name(name, self.short(name))}供稿）"
            return f"（建德市{name}供稿）"
        sep = r.choice(["、", "、", "、", "；"])
        return sep.join(parts)

    # ---- periodicals ----------------------------------------------------------------------
    def dongtai_dates(self) -> list[dt.date]:
        dates = []
        d = dt.date(YEAR, 1, 5)
        while d.year == YEAR:
            if not (dt.date(YEAR, 2, 12) <= d <= dt.date(YEAR, 2, 23)) and not (
                dt.date(YEAR, 10, 1) <= d <= dt.date(YEAR, 10, 7)
            ):
                dates.append(self.weekday(d))
            d += dt.timedelta(days=self.r.choice([7, 7, 7, 6, 8]))
        return [x for x in dates if x.year == YEAR]

    def monthly_dates(self, extra: int) -> list[dt.date]:
        dates = []
        for m in range(1, 13):
            n = 2 if m in self.r.sample(range(1, 13), extra) else 1
            days = sorted(self.r.sample(range(3, 27), n))
            dates += [self.weekday(dt.date(YEAR, m, d)) for d in days]
        return sorted(set(dates))

    def new_article(self, issue_date: dt.date, templates, towns_only=False, unit=None) -> Article:
        sub_date = issue_date - dt.timedelta(days=self.r.randint(2, 9))
        sub_date = max(sub_date, dt.date(YEAR, 1, 2))
        u = unit or self.pick_unit(sub_date, towns_only=towns_only, issue=issue_date)
        names = [u.name]
        if not u.is_town and self.r.random() < 0.05:  # a joint article
            other = self.pick_unit(
                sub_date,
                exclude=(u.name,) + tuple(x.name for x in self.units if x.is_town),
                issue=issue_date,
            )
            names.append(other.name)
        title = self.make_title(u, templates, issue_date, names)
        a = Article(names, title, self.office_time(sub_date), self.r.choice(u.emails))
        a.topic = self.last_topic
        self.articles.append(a)
        return a

    def build(self) -> None:
        r = self.r
        # 《建德政务·动态》: weekly, 10–20 articles, some 简讯.
        self.dt_dates = self.dongtai_dates()
        for d in self.dt_dates:
            # the first quarter has the fewest issues (春节), so they are fuller
            low = DONGTAI_MIN + (6 if d.month <= 3 else 0)
            for _ in range(r.randint(low, DONGTAI_MAX)):
                if r.random() < 0.13:
                    a = self.new_article(d, JIANXUN_TEMPLATES)
                    kind = "简讯"
                else:
                    a = self.new_article(d, DONGTAI_TEMPLATES)
                    kind = "动态"
                a.adoptions.append(
                    Adoption("建德政务·动态", d, a.title, self.printed(a.units), kind)
                )
            # The quarter's last issue prints one article of every active unit still without
            # one, so the units at zero are the quiet ones (plus a silent month's bad luck).
            q = quarter(d)
            if d == max(x for x in self.dt_dates if quarter(x) == q):
                have = {
                    n
                    for a in self.articles
                    for ad in a.adoptions
                    if quarter(ad.date) == q
                    for n in a.units
                }
                for u in self.units:
                    if u.name in have or self.q_factor[u.name][q - 1] == 0:
                        continue
                    if self.is_silent(u.name, d - dt.timedelta(days=9)):
                        continue
                    a = self.new_article(d, DONGTAI_TEMPLATES, unit=u)
                    a.adoptions.append(
                        Adoption("建德政务·动态", d, a.title, self.printed(a.units), "动态")
                    )
        # 《建德政务·情况专报》 and 《建德政务·参阅》: roughly monthly.
        for pub, extra in (("建德政务·情况专报", 3), ("建德政务·参阅", 1)):
            for d in self.monthly_dates(extra):
                for _ in range(1 if r.random() < 0.75 else 2):
                    a = self.new_article(d, REPORT_TEMPLATES)
                    kind = "" if r.random() < 0.7 else ("专报" if pub.endswith("专报") else "参阅")
                    a.adoptions.append(Adoption(pub, d, a.title, self.printed(a.units), kind))
        # Reported up: a share of 建德 articles adopted later by 杭州 / 浙江 with edited titles.
        for a in list(self.articles):
            first = a.adoptions[0]
            town = self.by_name[a.units[0]].is_town
            p_hz = {"动态": P_HZ_TOWN if town else P_HZ_DEPT, "简讯": 0.0}.get(first.kind, 0.4)
            if r.random() < p_hz:
                self.adopt_up(a, "杭州政务", first)
                if r.random() < 0.3:
                    self.adopt_up(a, "浙江政务信息", first)
            elif first.kind != "简讯" and r.random() < 0.02:
                self.adopt_up(a, "浙江政务信息", first)
        # Towns' 直报点: adopted by 杭州政务 only.
        for _ in range(N_DIRECT):
            d = self.weekday(dt.date(YEAR, 1, 8) + dt.timedelta(days=r.randint(0, 350)))
            a = self.new_article(d, DONGTAI_TEMPLATES, towns_only=True)
            kind = "专报" if r.random() < 0.2 else "要情"
            title = self.upper_title(a, d)
            a.adoptions.append(Adoption("杭州政务", d, title, self.printed(a.units), kind))
        self.special_articles()
        self.outsider_articles()

    def edit_title(self, title: str) -> str:
        r = self.r
        t = title
        for old, new in REWORD:
            if old in t and r.random() < 0.6:
                t = t.replace(old, new, 1)
                break
        for s in SLOGANS:
            t = t.replace(f"以“{s}”工作法", "").replace(f"“{s}”", "")
        roll = r.random()
        if "：" in t:
            return "建德" + t if t.startswith("市") else t
        if t.startswith("我市"):
            return "建德市" + t[2:] if roll < 0.6 else "建德：" + t[2:]
        if t.startswith("关于"):
            return "建德市" + t[2:] if roll < 0.5 else t
        if t.startswith("市"):
            return ("建德：" + t[1:]) if roll < 0.35 else "建德" + t
        if t.startswith(("建德", "住房公积金")):
            return t
        return ("建德：" + t) if roll < 0.4 else "建德市" + t

    def adopt_up(self, a: Article, pub: str, first: Adoption) -> None:
        r = self.r
        d = self.weekday(first.date + dt.timedelta(days=r.randint(5, 60)))
        if d.year != YEAR or any(x.publication == pub for x in a.adoptions):
            return
        if any(self.q_factor[n][quarter(d) - 1] == 0 for n in a.units if n in self.by_name):
            return  # a unit with nothing adopted that quarter
        kind = "专报" if first.publication != "建德政务·动态" and r.random() < 0.6 else "要情"
        if pub == "浙江政务信息" and r.random() < 0.15:
            kind = "专报"
        title = self.upper_title(a, d)
        a.adoptions.append(Adoption(pub, d, title, self.printed(a.units), kind))

    def upper_title(self, a: Article, d: dt.date) -> str:
        """The title as 杭州/浙江 print it: edited like `edit_title`, but still close to the
        article's own titles and unlike the unit's other titles."""
        own = {x.title for x in a.adoptions} | {a.title}
        others = [
            t
            for n in a.units
            for (d2, t) in self.unit_titles.get(n, [])
            if t not in own and abs((d2 - d).days) <= 200
        ]

        def scores(t: str) -> tuple[float, float]:
            mine = min(title_similarity(t, o, PLACES) for o in own)
            other = max((title_similarity(t, o, PLACES) for o in others), default=0.0)
            return mine, other

        # Now and then an editor rewrites the title so much that the office is asked whether
        # it is the same article (the review list's 「same_article」 questions).
        if a.topic and self.r.random() < P_RETITLE:
            u = self.by_name[a.units[0]]
            for _ in range(6):
                t = "建德" + self.compose(u, self.r.choice(RETITLE_TEMPLATES), d, a.topic)
                mine, other = scores(t)
                if 65 <= mine < 80 and other < GUARD and t not in self.used_titles:
                    best = t
                    break
            else:
                best = ""
            if best:
                self.used_titles.add(best)
                for n in a.units:
                    self.unit_titles.setdefault(n, []).append((d, best))
                return best
        best, best_key = a.title, (1, 101.0)
        for i in range(12):
            t = self.edit_title(a.title) if i < 11 else "建德" + a.title
            if t in self.used_titles and t not in own:
                continue
            mine, other = scores(t)
            key = (int(other >= GUARD or mine < 80), other)
            if key < best_key:
                best, best_key = t, key
            if key[0] == 0:
                break
        self.used_titles.add(best)
        for n in a.units:
            self.unit_titles.setdefault(n, []).append((d, best))
        return best

    def special_articles(self) -> None:
        """Hand-placed articles the events refer to."""
        dtong = self.by_name["大同镇"]
        # The State Council instruction (国务院领导批示) of Q3.
        a = Article(
            ["大同镇"],
            "大同镇探索“两山”转化新路径",
            dt.datetime(YEAR, 6, 4, 9, 12, 40),
            dtong.emails[0],
        )
        a.adoptions += [
            Adoption("建德政务·动态", dt.date(YEAR, 6, 8), a.title, "大同镇", "动态"),
            Adoption(
                "杭州政务",
                dt.date(YEAR, 7, 3),
                "建德大同镇探索“两山”转化新路径",
                "建德市大同镇",
                "要情",
            ),
            Adoption(
                "浙江政务信息",
                dt.date(YEAR, 7, 20),
                "建德市大同镇探索“两山”转化新路径的做法",
                "建德市大同镇",
                "专报",
            ),
        ]
        self.articles.append(a)
        # Commissioned articles (约稿) later adopted by 杭州政务.
        lsj = self.by_name["旅游商务局"]
        c1 = Article(
            ["旅游商务局"],
            "关于我市民宿经济发展情况的调研",
            dt.datetime(YEAR, 5, 14, 16, 20, 5),
            lsj.emails[0],
            commission=True,
        )
        c1.adoptions.append(
            Adoption(
                "杭州政务",
                dt.date(YEAR, 6, 5),
                "建德市民宿经济发展情况的调研",
                "建德市旅游商务局",
                "专报",
            )
        )
        nb = self.by_name["市农办"]
        c2 = Article(
            ["市农办"],
            "我市乡村振兴“十百千”工程推进情况",
            dt.datetime(YEAR, 12, 12, 10, 3, 51),
            nb.emails[0],
            commission=True,
        )
        c2.adoptions.append(
            Adoption(
                "杭州政务",
                dt.date(YEAR, 12, 27),
                "建德市乡村振兴“十百千”工程推进情况",
                "市农办",
                "要情",
            )
        )
        self.articles += [c1, c2]

    def outsider_articles(self) -> None:
        """Adoptions naming units outside the roster (or under an unknown name)."""
        rows = [
            (
                ["市委宣传部", "文广新局"],
                dt.date(YEAR, 3, 16),
                "我市新时代文明实践站建设全面铺开",
                "动态",
            ),
            (["市委宣传部"], dt.date(YEAR, 9, 14), "我市“最美建德人”评选活动引发热烈反响", "动态"),
            (
                ["市老干部局"],
                dt.date(YEAR, 5, 11),
                "市老干部局组织老同志为乡村振兴建言献策",
                "动态",
            ),
            (["市妇联"], dt.date(YEAR, 7, 27), "市妇联“巾帼建功”助力美丽庭院创建", "动态"),
            (["建德市水利局"], dt.date(YEAR, 4, 20), "我市山塘水库汛前安全检查全面完成", "动态"),
            (["建德市水利局"], dt.date(YEAR, 8, 24), "我市农村饮用水达标提标工程提前完工", "动态"),
            (["市旅游局"], dt.date(YEAR, 10, 19), "我市国庆假期旅游市场平稳有序", "简讯"),
        ]
        for names, d, title, kind in rows:
            sender = OUTSIDERS[names[0]][0] or "jdlyj_2018@qq.com"
            a = Article(names, title, self.office_time(d - dt.timedelta(days=3)), sender)
            # snap to the issue of 《建德政务·动态》 nearest that date (set later by numbering)
            a.adoptions.append(Adoption("建德政务·动态", d, title, "、".join(names), kind))
            self.articles.append(a)
            self.used_titles.add(title)

    # ---- issues ---------------------------------------------------------------------------
    def number_issues(self) -> list[Adoption]:
        allad = [ad for a in self.articles for ad in a.adoptions]
        for pub in ("建德政务·动态", "建德政务·情况专报", "建德政务·参阅"):
            if pub == "建德政务·动态":
                # hand-placed rows join the next regular weekly issue
                for ad in allad:
                    if ad.publication == pub and ad.date not in self.dt_dates:
                        later = [x for x in self.dt_dates if x >= ad.date]
                        ad.date = later[0]
            dates = sorted({ad.date for ad in allad if ad.publication == pub})
            for i, d in enumerate(dates, start=1):
                for ad in allad:
                    if ad.publication == pub and ad.date == d:
                        ad.issue = i
        for pub, per_year in (("杭州政务", 300), ("浙江政务信息", 320)):
            for ad in allad:
                if ad.publication == pub:
                    workdays = sum(
                        1
                        for k in range((ad.date - dt.date(YEAR, 1, 1)).days + 1)
                        if (dt.date(YEAR, 1, 1) + dt.timedelta(days=k)).weekday() < 5
                    )
                    ad.issue = max(1, round(workdays * per_year / 261))
        allad.sort(key=lambda x: (x.date, x.publication, x.issue, x.title))
        return allad

    # ---- submissions ----------------------------------------------------------------------
    def short(self, name: str) -> str:
        return {
            "财政（地税）局": "财政局",
            "开发区（航空小镇）": "开发区",
            "高铁新区管委会": "高铁新区",
        }.get(name, name)

    def subject(self, unit: str, title: str) -> str:
        r = self.r
        roll = r.random()
        if r.random() < 0.15 and not title.startswith("关于"):
            title += r.choice(["的做法", "（报送稿）", "的做法与成效"])
        if roll < 0.6:
            return f"【{self.short(unit)}】{title}"
        if roll < 0.75:
            return f"{self.short(unit)}：{title}"
        if roll < 0.85:
            return f"{title}（{self.short(unit)}）"
        return title

    def submissions(self) -> list[dict]:
        r = self.r
        rows: list[dict] = []
        for a in self.articles:
            if a.commission:
                continue  # their mails are written with the 约稿 events
            unit = a.units[0]
            subj = (
                self.subject(unit, a.title)
                if unit in self.by_name
                else f"【{OUTSIDERS[unit][1]}】{a.title}"
            )
            rows.append(
                {"time": a.submitted, "sender": a.sender, "subject": subj, "unit": "", "kind": ""}
            )
        # the rest of each unit's mail: articles that were not adopted
        for month in range(1, 13):
            first = dt.date(YEAR, month, 1)
            ndays = ((first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - first).days
            for u in self.units:
                if self.is_silent(u.name, first):
                    continue
                lam = 0.8 + 0.55 * u.weight
                n = max(1, round(r.gauss(lam, lam**0.5)))
                for _ in range(n):
                    d = first + dt.timedelta(days=r.randint(0, ndays - 1))
                    if d.weekday() >= 5:
                        d = self.weekday(d, forward=d.day < 25)
                    if d.month != month:
                        d = first + dt.timedelta(days=r.randint(1, 20))
                        d = self.weekday(d)
                    tpl = r.choice(FILLER_SUBJECTS + DONGTAI_TEMPLATES)
                    title = self.compose(u, tpl, d, r.choice(self.topics(u)))
                    rows.append(
                        {
                            "time": self.office_time(d),
                            "sender": r.choice(u.emails),
                            "subject": self.subject(u.name, title),
                            "unit": "",
                            "kind": "",
                        }
                    )
        # a clerk of 梅城镇 mailing from a personal box (the unit column names it in H1 logs)
        for d in [
            dt.date(YEAR, 3, 14),
            dt.date(YEAR, 5, 22),
            dt.date(YEAR, 9, 5),
            dt.date(YEAR, 11, 13),
        ]:
            title = self.make_title(self.by_name["梅城镇"], DONGTAI_TEMPLATES, d)
            rows.append(
                {
                    "time": self.office_time(d),
                    "sender": "13857198765@163.com",
                    "subject": f"【梅城】{title}",
                    "unit": "梅城镇" if d.month <= 6 else "",
                    "kind": "",
                }
            )
        # a sender nobody knows
        rows.append(
            {
                "time": dt.datetime(YEAR, 6, 19, 15, 2, 11),
                "sender": "jdxinxi@sina.com",
                "subject": "关于报送6月份信息的说明",
                "unit": "",
                "kind": "",
            }
        )
        return rows

    # ---- events ---------------------------------------------------------------------------
    def events(self, subs: list[dict]) -> list[dict]:
        r = self.r
        ev: list[dict] = []

        def add(date, type_, unit, title="", level="", value="", status="", note=""):
            ev.append(
                dict(
                    date=date,
                    type=type_,
                    unit=unit,
                    title=title,
                    level=level,
                    value=value,
                    status=status,
                    note=note,
                )
            )

        def in_roster(a: Article) -> bool:
            return all(n in self.by_name for n in a.units) and not a.commission

        special = [a for a in self.articles if a.title == "大同镇探索“两山”转化新路径"][0]
        local = [
            a
            for a in self.articles
            if in_roster(a)
            and a is not special
            and a.adoptions[0].publication.startswith("建德")
            and a.adoptions[0].kind != "简讯"
        ]
        hz = [a for a in local if any(x.publication == "杭州政务" for x in a.adoptions)]
        zj = [a for a in local if any(x.publication == "浙江政务信息" for x in a.adoptions)]

        def leader_unit(a: Article) -> str:
            n = a.units[0]
            if n in self.by_name and not self.by_name[n].is_town and r.random() < 0.4:
                return self.city_name(n, self.short(n))
            return n

        # 建德市 leaders
        picks = r.sample(local, 14)
        for a in picks:
            ad = a.adoptions[0]
            d = self.weekday(ad.date + dt.timedelta(days=r.randint(2, 15)))
            if d.year != YEAR:
                continue
            title = ad.title
            if r.random() < 0.3:
                for old, new in REWORD:
                    if old in title:
                        title = title.replace(old, new, 1)
                        break
                else:
                    title = title.replace("我市", "建德市", 1)
            add(
                d,
                "领导批示",
                leader_unit(a),
                title,
                "建德市",
                note=r.choice(["", "", "市长批示", "分管副市长批示"]),
            )
        # 杭州市 leaders (one article also instructed in 建德: only the highest counts)
        hz_picks = r.sample(hz, 6)
        for i, a in enumerate(hz_picks):
            ad = [x for x in a.adoptions if x.publication == "杭州政务"][0]
            d = self.weekday(ad.date + dt.timedelta(days=r.randint(3, 20)))
            if d.year != YEAR:
                continue
            level = "杭州市主要领导" if i == 0 else "杭州市"
            add(d, "领导批示", leader_unit(a), ad.title, level)
            if i == 1:
                first = a.adoptions[0]
                add(
                    self.weekday(first.date + dt.timedelta(days=3)),
                    "领导批示",
                    leader_unit(a),
                    first.title,
                    "建德市",
                    note="同一信息另获杭州市领导批示",
                )
        # 浙江省 leaders
        for a in zj[:1]:
            ad = [x for x in a.adoptions if x.publication == "浙江政务信息"][0]
            d = self.weekday(ad.date + dt.timedelta(days=r.randint(3, 12)))
            if d.year == YEAR:
                add(d, "领导批示", leader_unit(a), ad.title, "浙江省")
        add(
            dt.date(YEAR, 7, 26),
            "领导批示",
            "大同镇",
            "建德市大同镇探索“两山”转化新路径的做法",
            "浙江省",
        )
        add(
            dt.date(YEAR, 8, 16),
            "领导批示",
            "大同镇",
            "建德市大同镇探索“两山”转化新路径的做法",
            "国务院",
            note="国务院领导在《浙江政务信息》（专报）上批示",
        )

        # 约稿: date is the due date. (unit, due, title, status, value, sent, note)
        commissions = [
            ("发改局", (2, 9), "关于我市一季度重大项目开工情况的报告", "按时", 10, (2, 8), ""),
            ("新安江街道", (3, 20), "新安江街道老旧小区改造推进情况", "按时", 8, (3, 19), ""),
            (
                "农业局",
                (3, 28),
                "关于我市草莓产业发展情况的报告",
                "",
                7,
                (3, 26),
                "状态以邮件记录为准",
            ),
            (
                "住建局",
                (4, 18),
                "关于我市农村危房改造进展情况的报告",
                "逾期",
                "",
                (4, 23),
                "逾期5天报送",
            ),
            (
                "旅游商务局",
                (5, 15),
                "关于我市民宿经济发展情况的调研",
                "按时",
                12,
                None,
                "杭州市政府办公厅约稿",
            ),
            ("大同镇", (6, 12), "大同镇村级集体经济增收情况", "", 9, (6, 11), "状态以邮件记录为准"),
            ("经信局", (7, 20), "关于我市上半年工业经济运行情况的报告", "按时", 6, (7, 19), ""),
            (
                "环保局",
                (8, 15),
                "关于新安江水质保护工作情况的报告",
                "",
                8,
                (8, 13),
                "状态以邮件记录为准",
            ),
            ("寿昌镇", (9, 10), "寿昌镇小城镇环境综合整治工作情况", "按时", 9, (9, 7), ""),
            (
                "市场监管局",
                (10, 25),
                "关于我市“放心农贸市场”创建情况的报告",
                "按时",
                11,
                (10, 24),
                "",
            ),
            (
                "人力社保局",
                (11, 20),
                "关于我市根治欠薪工作情况的报告",
                "",
                7,
                (11, 16),
                "状态以邮件记录为准",
            ),
            (
                "市农办",
                (12, 14),
                "我市乡村振兴“十百千”工程推进情况",
                "按时",
                10,
                None,
                "杭州市政府办公厅约稿",
            ),
        ]
        for unit, due, title, status, value, sent, note in commissions:
            add(dt.date(YEAR, *due), "约稿", unit, title, "", value, status, note)
            u = self.by_name[unit]
            if sent is None:
                a = [x for x in self.articles if x.commission and x.title == title][0]
                when, sender = a.submitted, a.sender
            else:
                when, sender = self.office_time(dt.date(YEAR, *sent)), u.emails[0]
            subs.append(
                {"time": when, "sender": sender, "subject": title, "unit": "", "kind": "约稿"}
            )

        # penalties and the rest
        add(
            dt.date(YEAR, 3, 6),
            "应急信息迟报",
            "交通运输局",
            "S210省道塌方交通中断信息",
            note="事发后2小时报送",
        )
        add(
            dt.date(YEAR, 6, 20),
            "应急信息迟报",
            "寿昌镇",
            "寿昌镇强降雨致部分村庄受淹信息",
            note="迟报1小时",
        )
        add(
            dt.date(YEAR, 9, 17),
            "应急信息迟报",
            "寿昌镇",
            "寿昌镇一企业仓库火灾信息",
            note="第二次迟报",
        )
        add(
            dt.date(YEAR, 11, 8),
            "应急信息漏报",
            "乾潭镇",
            "乾潭镇一民房倒塌信息",
            note="未按要求报送",
        )
        add(
            dt.date(YEAR, 5, 10),
            "多头报送",
            "教育局",
            "市教育局校园安全隐患排查整治",
            note="同时报送市委办",
        )
        add(dt.date(YEAR, 10, 23), "多头报送", "莲花镇", "", note="同一信息重复报送市委办、市府办")
        add(dt.date(YEAR, 3, 29), "缺席会议", "统计局", "", note="全市政务信息工作会议")
        add(dt.date(YEAR, 7, 12), "缺席会议", "资投公司", "", note="政务信息业务培训")
        add(dt.date(YEAR, 11, 22), "缺席会议", "航头镇", "", note="政务信息工作推进会")
        add(
            dt.date(YEAR, 9, 28),
            "挂职",
            "经信局",
            "",
            value=1,
            note="信息员挂职2018年7月至9月，期满考核合格",
        )
        ev.sort(key=lambda e: (e["date"], e["type"], e["unit"]))
        return ev


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
PRINTED_PUBS = {
    "建德政务·动态": [
        ("《建德政务・动态》", 4),
        ("建德政务·动态", 4),
        ("《建德政务·动态》", 2),
        ("建德政务•动态", 1),
    ],
    "建德政务·情况专报": [("《建德政务・情况专报》", 2), ("建德政务·情况专报", 1)],
    "建德政务·参阅": [("《建德政务・参阅》", 2), ("建德政务·参阅", 1)],
    "杭州政务": [("《杭州政务》", 2), ("杭州政务", 1)],
    "浙江政务信息": [("《浙江政务信息》", 2), ("浙江政务信息", 1)],
}
CANONICAL_PUBS = list(PRINTED_PUBS)
EVENT_TYPES = [
    "领导批示",
    "约稿",
    "应急信息迟报",
    "应急信息漏报",
    "应急信息错报",
    "应急信息瞒报",
    "多头报送",
    "缺席会议",
    "挂职",
    "信息失实",
    "约稿致上级扣分",
    "直报任务未完成",
]
ADOPTION_HEADERS = {
    "zh": ["刊物", "期号", "日期", "标题", "单位", "类别"],
    "en": ["publication", "issue", "date", "title", "units", "kind"],
}
FIXED_ZIP_TIME = (2018, 12, 31, 18, 0, 0)


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_xlsx_deterministic(wb: openpyxl.Workbook, path: Path) -> None:
    """Save `wb` with fixed document-property and zip-entry timestamps (byte-stable reruns)."""
    stamp = dt.datetime(*FIXED_ZIP_TIME)
    wb.properties.created = stamp
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                start = text.find("<dcterms:modified")
                if start >= 0:
                    open_end = text.find(">", start) + 1
                    close = text.find("</dcterms:modified>", open_end)
                    text = text[:open_end] + "2018-12-31T10:00:00Z" + text[close:]
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    path.write_bytes(out.getvalue())


def quarter(d: dt.date) -> int:
    return (d.month - 1) // 3 + 1


def write_workspace(out: Path) -> dict:
    g = Gen()
    g.build()
    adoptions = g.number_issues()
    subs = g.submissions()
    events = g.events(subs)
    r = g.r

    for sub in ("adoptions", "submissions", "events"):
        d = out / sub
        d.mkdir(parents=True, exist_ok=True)
        for old in sorted(d.iterdir()):
            if old.suffix in (".csv", ".xlsx"):
                old.unlink()

    # kaohe.toml
    (out / "kaohe.toml").write_text(
        """# kaohe workspace: 建德市 2018 政务信息工作考核 (example, invented data)
scheme = "jiande-2018"
office = "建德市人民政府办公室"

# Database: default is the SQLite file kaohe.db in this folder. Any SQLAlchemy URL works.
# [database]
# url = "postgresql+psycopg://kaohe@db.example.internal/kaohe"

# Mail for `kaohe send`. The password is read from the environment variable named below.
# [mail]
# host = "smtp.jiande.gov.cn"
# port = 587
# sender = "xxk@jiande.gov.cn"
# starttls = true
# username = "xxk@jiande.gov.cn"
# password_env = "KAOHE_SMTP_PASSWORD"
""",
        encoding="utf-8",
    )

    # units.csv
    write_csv(
        out / "units.csv",
        ["unit", "group", "aliases", "emails"],
        [[u.name, u.group, ";".join(u.aliases), ";".join(u.emails)] for u in g.units],
    )

    # adoptions/: Q1 Chinese CSV, Q2 English CSV, Q3 xlsx (Chinese, title row), Q4 English CSV
    def pub_text(pub: str) -> str:
        names, weights = zip(*PRINTED_PUBS[pub], strict=True)
        return r.choices(names, weights=weights)[0]

    by_q: dict[int, list[Adoption]] = {q: [] for q in range(1, 5)}
    for ad in adoptions:
        by_q[quarter(ad.date)].append(ad)
    for q, lang in ((1, "zh"), (2, "en"), (4, "en")):
        rows = []
        for ad in by_q[q]:
            issue = f"第{ad.issue}期" if lang == "zh" else str(ad.issue)
            rows.append(
                [
                    pub_text(ad.publication),
                    issue,
                    ad.date.isoformat(),
                    ad.title,
                    ad.units_printed,
                    ad.kind,
                ]
            )
        write_csv(out / "adoptions" / f"2018q{q}.csv", ADOPTION_HEADERS[lang], rows)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "录用情况"
    ws.append(["2018年第三季度信息录用情况统计"])
    ws.merge_cells("A1:F1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(ADOPTION_HEADERS["zh"])
    for ad in by_q[3]:
        ws.append(
            [
                pub_text(ad.publication),
                f"第{ad.issue}期",
                ad.date,
                ad.title,
                ad.units_printed,
                ad.kind or None,
            ]
        )
        ws.cell(ws.max_row, 3).number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEF", (20, 10, 12, 48, 24, 8), strict=True):
        ws.column_dimensions[col].width = width
    write_xlsx_deterministic(wb, out / "adoptions" / "2018q3.xlsx")

    # submissions/: one file per month; H1 English with unit/kind, H2 Chinese 时间,发件人,主题
    subs.sort(key=lambda s: (s["time"], s["sender"], s["subject"]))
    for m in range(1, 13):
        month_rows = [s for s in subs if s["time"].month == m]
        if m <= 6:
            rows = [
                [
                    s["time"].strftime("%Y-%m-%d %H:%M:%S"),
                    s["sender"],
                    s["subject"],
                    s["unit"],
                    s["kind"],
                ]
                for s in month_rows
            ]
            write_csv(
                out / "submissions" / f"2018-{m:02d}.csv",
                ["time", "sender", "subject", "unit", "kind"],
                rows,
            )
        else:
            rows = []
            for s in month_rows:
                subject = ("约稿：" + s["subject"]) if s["kind"] == "约稿" else s["subject"]
                rows.append([s["time"].strftime("%Y-%m-%d %H:%M"), s["sender"], subject])
            write_csv(out / "submissions" / f"2018-{m:02d}.csv", ["时间", "发件人", "主题"], rows)

    # events/events.csv
    write_csv(
        out / "events" / "events.csv",
        ["日期", "类型", "单位", "标题", "级别", "分值", "状态", "备注"],
        [
            [
                e["date"].isoformat(),
                e["type"],
                e["unit"],
                e["title"],
                e["level"],
                e["value"],
                e["status"],
                e["note"],
            ]
            for e in events
        ],
    )

    # decisions.csv: 「建德市水利局」 is 水利水产局 (key: the name without place prefix / writer)
    write_csv(out / "decisions.csv", ["type", "key", "answer"], [["unit", "水利局", "水利水产局"]])

    (out / "README.md").write_text(README, encoding="utf-8")
    return {"adoptions": adoptions, "subs": subs, "events": events, "units": g.units}


README = """# Example workspace: 建德市 2018 (`jiande-2018`)

A year of government-information work scored under 建政办函〔2018〕22号
(2018年全市政务信息工作考核办法). **All data here are invented**: the 56 units are the
regulation's appendix, but every article, mail address, submission and event is made up.

- `kaohe.toml` — scheme and office; database and mail settings are commented examples.
- `units.csv` — the roster with aliases and (invented) mail addresses.
- `adoptions/` — articles adopted by 《建德政务·动态》《建德政务·情况专报》《建德政务·参阅》
  《杭州政务》《浙江政务信息》, one file per quarter (Q1 Chinese headers, Q2/Q4 English
  headers, Q3 an .xlsx with a title row). Unit names are printed the way periodicals print
  them, and a few names are not roster units, so the review list has entries.
- `submissions/` — one mail log per month (January–June English headers with `unit` and
  `kind`, July–December Chinese headers 时间,发件人,主题).
- `events/events.csv` — leader instructions, commissions (约稿) and penalties.
- `decisions.csv` — one answered review entry (建德市水利局 is 水利水产局).

Names printed in the adoptions that are deliberately not roster units: 市委宣传部 (twice, once
jointly with 文广新局), 市老干部局, 市妇联, 建德市水利局 (answered in `decisions.csv`) and
市旅游局 (ambiguous: 旅游商务局 or 旅投公司). Mail senders outside the roster include their
addresses, a personal mailbox of a 梅城镇 clerk (mapped by the `unit` column in January–June
only) and one address nobody knows. Units with months without any submission (−10 each):
钦堂乡 (Feb), 民宗局 (Feb), 交投公司 (Feb, Nov), 机关事务管理局 (Mar, Aug), 体育局 (Jul).

Regenerate (deterministic; rewrites exactly the same files):

    .venv/bin/python scripts/make_example_jiande.py
"""


# --------------------------------------------------------------------------------------------
# Self-check: read the files back with the csv module / openpyxl and report counts.
# --------------------------------------------------------------------------------------------
def _norm_pub(text: str) -> str:
    t = text.strip().replace("《", "").replace("》", "")
    for dot in ("・", "•", "･"):
        t = t.replace(dot, "·")
    return t


def _read_table(path: Path) -> list[dict]:
    if path.suffix == ".xlsx":
        ws = openpyxl.load_workbook(path, read_only=True).active
        values = list(ws.iter_rows(values_only=True))
        start = next(i for i, row in enumerate(values) if row[0] in ("刊物", "publication"))
        header = list(values[start])
        return [dict(zip(header, row, strict=True)) for row in values[start + 1 :]]
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def check(out: Path) -> None:
    zh2en = dict(zip(ADOPTION_HEADERS["zh"], ADOPTION_HEADERS["en"], strict=True))
    units = _read_table(out / "units.csv")
    assert list(units[0]) == ["unit", "group", "aliases", "emails"]
    groups: dict[str, int] = {}
    for u in units:
        groups[u["group"]] = groups.get(u["group"], 0) + 1
        assert u["emails"], u
    assert groups == {TOWNS: 16, "A": 23, "B": 10, "C": 7}, groups
    roster = {u["unit"] for u in units}
    assert len(roster) == 56

    per_pub: dict[str, int] = {}
    per_kind: dict[tuple[str, str], int] = {}
    total = 0
    for path in sorted((out / "adoptions").iterdir()):
        rows = _read_table(path)
        for i, row in enumerate(rows):
            row = {zh2en.get(k, k): v for k, v in row.items()}
            assert set(row) == set(ADOPTION_HEADERS["en"]), (path, row)
            pub = _norm_pub(row["publication"])
            assert pub in CANONICAL_PUBS, (path, i, row["publication"])
            d = row["date"]
            d = d.date() if isinstance(d, dt.datetime) else dt.date.fromisoformat(d)
            assert d.year == YEAR and quarter(d) == int(path.stem[-1]), (path, d)
            assert row["title"] and row["units"], (path, i)
            per_pub[pub] = per_pub.get(pub, 0) + 1
            per_kind[(pub, row["kind"] or "")] = per_kind.get((pub, row["kind"] or ""), 0) + 1
            total += 1
    n_subs = 0
    for path in sorted((out / "submissions").iterdir()):
        rows = _read_table(path)
        assert list(rows[0])[:3] in (["time", "sender", "subject"], ["时间", "发件人", "主题"]), (
            path
        )
        for row in rows:
            t = row.get("time") or row["时间"]
            assert dt.datetime.fromisoformat(t).year == YEAR
        n_subs += len(rows)
    events = _read_table(out / "events" / "events.csv")
    assert list(events[0]) == ["日期", "类型", "单位", "标题", "级别", "分值", "状态", "备注"]
    by_type: dict[str, int] = {}
    for e in events:
        assert e["类型"] in EVENT_TYPES, e
        assert dt.date.fromisoformat(e["日期"]).year == YEAR
        assert e["单位"]
        by_type[e["类型"]] = by_type.get(e["类型"], 0) + 1
    outputs = ("out", "kaohe.db", ".kaohe.lock")  # what kaohe writes there (git-ignored)
    size = sum(
        p.stat().st_size
        for p in out.rglob("*")
        if p.is_file() and p.relative_to(out).parts[0] not in outputs
    )
    print(f"adoptions: {total}  " + ", ".join(f"{k} {v}" for k, v in per_pub.items()))
    print(
        "  by kind: "
        + ", ".join(f"{p}/{k or '(默认)'} {v}" for (p, k), v in sorted(per_kind.items()))
    )
    print(f"submissions: {n_subs}")
    print("events: " + ", ".join(f"{k} {v}" for k, v in by_type.items()))
    print(f"total size: {size / 1024:.0f} KB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    write_workspace(args.out)
    check(args.out)


if __name__ == "__main__":
    main()
