"""The `kaohe` command line (命令行)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from transforms.errors import InputError
from transforms.tomldata import TomlDataError


def _prefect_env() -> None:
    """Prefect's state lives outside the workspace and the repo; no telemetry offline."""
    os.environ.setdefault("PREFECT_HOME", str(Path.home() / ".kaohe" / "prefect"))
    # Prefect creates only the last folder of its home; its server cannot start without it.
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Prefect's own log lines are English and repeat our errors; users read ours.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    # So are Dask's ([run] task_runner = "dask"), in this process and in its workers.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
    # Prefect gives its temporary server 20 s to answer; a busy office machine (or CI)
    # has been seen to need more, and a run that waits is better than one that fails.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


#: set by `run` once its version is written (or found unchanged): a completed run ends
#: without tearing its interpreter down (`flows.lifetime.end_without_teardown`)
_RUN_DONE = False


def _say(text: str) -> None:
    click.echo(text, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """kaohe：政务信息工作考核与通报。"""


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--scheme", "scheme_id", default=None, help="考核办法，见 kaohe schemes")
@click.option(
    "--copy-regulation",
    is_flag=True,
    help="把该考核办法的数据文件复制为工作区的 考核办法.toml（可按本单位的办法修改）",
)
@click.option(
    "--regulation-from",
    "regulation_from",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="从一个考核办法文件（.toml）开始：复制为工作区的 考核办法.toml",
)
def init(
    directory: Path, scheme_id: str | None, copy_regulation: bool, regulation_from: Path | None
) -> None:
    """创建工作区。"""
    from flows.workspace import init_workspace

    if (scheme_id is None) == (regulation_from is None):
        raise click.UsageError("请给出 --scheme <考核办法> 或 --regulation-from <文件> 之一")
    if copy_regulation and scheme_id is None:
        raise click.UsageError("--copy-regulation 与 --scheme 一起使用")
    root = init_workspace(
        directory, scheme_id, copy_regulation=copy_regulation, regulation_from=regulation_from
    )
    _say(f"已创建工作区 {root}：请把录用情况放入 adoptions/，报送记录放入 submissions/，")
    _say("其他事项（领导批示、约稿、扣分等）放入 events/，然后运行 kaohe run。")
    if copy_regulation or regulation_from is not None:
        from schemes.files import WORKSPACE_FILE

        _say(
            f"考核办法在 {root / WORKSPACE_FILE}：对照本单位的考核办法修改后，"
            f"用 kaohe scheme check {root / WORKSPACE_FILE} 检查，kaohe scheme show 查看。"
        )


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--period", required=True, help="考核期：2018Q2、2018-05 或 2018")
@click.option(
    "--date",
    "issued",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="通报落款日期，如 2018-07-05（默认今天）",
)
@click.option("--force", is_flag=True, help="输入数据未变也生成新版本（如升级程序后）")
def run(directory: Path, period: str, issued, force: bool) -> None:
    """读取、匹配、计分并生成通报（新版本写入 out/<考核期>/v<N>/）。"""
    from flows import steps
    from flows.workspace import Workspace
    from transforms.periods import Period

    # A bad period, any bad input file or row (all of them at once) and a period without
    # data fail here, before Prefect is imported and before its server starts.
    per = Period.parse(period)
    ws = Workspace.load(directory)
    _say("检查输入数据…")
    checked = steps.check(ws)
    steps.require_data(checked, per)
    _prefect_env()
    from flows.lifetime import launch_temporary_server, start_temporary_server

    # The temporary server boots in its own process while this one imports Prefect, and
    # the statement workers load WeasyPrint and the fonts meanwhile.
    launch_temporary_server()
    if ws.task_runner != "dask":
        from flows.render import prestart_workers

        prestart_workers(checked.units.height)
    from flows.pipeline import quarterly_bulletin

    start_temporary_server()  # stopped when this process ends, even by kill -9

    outcome = quarterly_bulletin(
        str(directory),
        period,
        issued=issued.date() if issued else None,
        progress=_say,
        force=force,
        checked=checked,
    )
    _say(outcome.message)
    if outcome.version_dir is not None:
        click.echo(str(outcome.version_dir / "bulletin.pdf"))
    global _RUN_DONE
    _RUN_DONE = True


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--period", required=True, help="考核期：2018Q2、2018-05 或 2018")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
def score(directory: Path, period: str, fmt: str) -> None:
    """计分并把得分打印到标准输出（不生成文件）。"""
    from flows import steps
    from flows.workspace import Workspace
    from transforms.periods import Period

    ws = Workspace.load(directory)
    per = Period.parse(period)
    matched = steps.match_and_group(steps.check(ws), ws.scheme)
    result = steps.score(matched, ws.scheme, per)
    cols = ["unit", "group", "points", "rank", "target_met", "assessment"]
    cols += [c for c in ("target", "submitted", "adopted", "remark") if c in result.scores.columns]
    table = result.scores.select(cols)
    if fmt == "csv":
        sys.stdout.write(table.write_csv())
    else:
        sys.stdout.write(json.dumps(table.to_dicts(), ensure_ascii=False, indent=2) + "\n")


@cli.command()
def schemes() -> None:
    """列出可用的考核办法。"""
    from schemes import all_schemes

    for s in all_schemes():
        click.echo(f"{s.id}\t{s.doc_number}\t{s.title}")


@cli.group()
def scheme() -> None:
    """考核办法文件：检查（check）、查看（show）。"""


@scheme.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def check(file: Path) -> None:
    """检查考核办法文件：列出每一处错误及其行号（退出状态 2），无误时给出概要。"""
    from flows.workspace import read_regulation
    from transforms import regulation_text as show

    try:
        doc = read_regulation(file, str(file))
    except InputError as err:
        problems = err.problems
        _say(f"考核办法文件 {file} 有 {len(problems)} 处错误，请逐一改正后再检查：")
        for p in problems:
            _say(f"  {p.format()}")
        sys.exit(2)
    click.echo(f"考核办法文件无误：{show.summary(doc.value)}")


@scheme.command(name="show")
@click.argument("file_or_id")
def show_scheme(file_or_id: str) -> None:
    """把考核办法（文件或 kaohe schemes 所列的编号）打印为表格，便于与原文逐条核对。"""
    from flows.workspace import read_regulation
    from schemes import get_scheme
    from transforms import regulation_text as show

    path = Path(file_or_id)
    if path.suffix.lower() == ".toml" or path.is_file():
        reg = read_regulation(path, file_or_id).value
    else:
        reg = get_scheme(file_or_id)
    click.echo(show.render(reg), nl=False)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--period", required=True, help="考核期：2018Q2、2018-05 或 2018")
@click.option(
    "--dry-run", is_flag=True, help="不发送，把邮件写成 .eml 文件（out/<考核期>/v<N>/mail/）"
)
@click.option(
    "--allow-draft",
    is_flag=True,
    help="尚有影响得分的待核实问题（征求意见稿）时也发送；邮件主题注明【征求意见稿】",
)
@click.option(
    "--resend-uncertain",
    is_flag=True,
    help="重发“结果不明”的邮件（已交给邮件服务器但未收到答复，对方可能已收到）；"
    "请先向收件单位确认未收到再用",
)
@click.option(
    "--confirm-uncertain",
    is_flag=True,
    help="收件单位已确认收到“结果不明”的邮件时用：记为已发送，不再列出、不再重发",
)
@click.option(
    "--bulletin",
    "bulletin",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="本办修改并签发的通报（.docx 或 .pdf），代替生成的 bulletin.pdf 发送；"
    "保存在 out/<考核期>/v<N>.signed/，发送即视为审定印发（不受征求意见稿限制）",
)
@click.option(
    "--resend",
    is_flag=True,
    help="与 --bulletin 一起用：已收到本版通报的单位也再发一次签发稿",
)
def send(
    directory: Path,
    period: str,
    dry_run: bool,
    allow_draft: bool,
    resend_uncertain: bool,
    confirm_uncertain: bool,
    bulletin: Path | None,
    resend: bool,
) -> None:
    """把最新版本的通报和各单位得分说明发送到 units.csv 登记的邮箱。

    征求意见稿（review.csv 中尚有影响得分的问题未答复）不发送，除非加 --allow-draft。
    --bulletin 给出本办签发的通报时，发送的是它（视为审定印发），已收到本版通报的单位
    不再发送，除非加 --resend。

    退出状态：0 全部发出；1 有邮件被拒收、结果不明或暂未发出（均逐一列出）；
    2 一封也无法发送（设置有误、没有运行记录、邮件服务器无法连接）。"""
    _prefect_env()  # [run] task_runner = "dask" sends inside a Prefect flow
    from flows.delivery import send_period

    report = send_period(
        directory,
        period,
        dry_run=dry_run,
        allow_draft=allow_draft,
        progress=_say,
        resend_uncertain=resend_uncertain,
        confirm_uncertain=confirm_uncertain,
        bulletin=bulletin,
        resend=resend,
    )
    if dry_run:
        return
    _say(
        f"发送完毕：本次发送 {len(report.sent)} 封，此前已发送 {report.already} 封，"
        f"被拒收 {len(report.failed)} 封，结果不明 {len(report.uncertain)} 封，"
        f"暂未发出 {len(report.deferred)} 封"
    )
    if report.signed is not None and report.sent:
        _say(f"本次发出的通报是签发稿 {report.signed.path}（sha256 {report.signed.sha256}）")
    for unit, address, error in report.failed:
        _say(f"  被拒收：{unit} <{address}>：{error}（请核对 units.csv 中的邮箱）")
    for unit, address, error in report.uncertain:
        _say(f"  结果不明：{unit} <{address}>：{error}")
    for unit, address, error in report.deferred:
        _say(f"  暂未发出：{unit} <{address}>：{error}")
    if report.uncertain:
        _say(
            "结果不明的邮件可能已送达，不会自动重发：请向这些单位确认。确认未收到，运行 "
            f"kaohe send {directory} --period {period} --resend-uncertain 重发"
            "（重发的邮件与上次的 Message-ID 相同）；确认已收到，运行 "
            f"kaohe send {directory} --period {period} --confirm-uncertain 记为已发送"
        )
    if report.untried:
        _say("错误：邮件服务器无法连接，一封也未能发送；请检查 kaohe.toml [mail] 的 host 和 port")
        sys.exit(2)
    if not report.ok:
        _say("未发出的邮件已记录，改正后再次运行 kaohe send 只发送尚未送达的邮件")
        sys.exit(1)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--cron", default=None, help='计划（cron），默认 "0 9 5 1,4,7,10 *"：每季度结束后第5天9时'
)
@click.option("--timezone", default=None, help="计划所用时区，默认工作区的时区（Asia/Shanghai）")
def serve(directory: Path, cron: str | None, timezone: str | None) -> None:
    """按季度计划自动计分、生成并发送通报（需要持续运行的 Prefect 服务器）。"""
    _prefect_env()
    from flows import schedule
    from flows.workspace import Workspace

    ws = Workspace.load(directory)
    cron = cron or schedule.DEFAULT_CRON
    timezone = timezone or ws.timezone
    _say(f"已启动定时任务：{cron}（{timezone}），工作区 {ws.root}；按 Ctrl+C 停止")
    schedule.serve(ws.root, cron=cron, timezone=timezone)


@cli.command(name="fetch-mail")
@click.argument("directory", type=click.Path(path_type=Path))
def fetch_mail(directory: Path) -> None:
    """从 kaohe.toml [imap] 所设邮箱收取新的报送邮件，存入 submissions/imap/<文件夹>/。"""
    from flows.imap import fetch_mail as fetch

    result = fetch(directory, progress=_say)
    _say(f"收取新邮件 {result.fetched} 封，保存在 {result.folder}")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--scheme", "scheme_id", required=True, help="考核办法，见 kaohe schemes")
@click.option("--units", "n_units", type=click.IntRange(min=1), required=True, help="单位数量")
@click.option("--year", type=int, required=True, help="年度，如 2018")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="随机种子（相同种子生成相同文件）"
)
@click.option(
    "--profile",
    type=click.Choice(["default", "hard"]),
    default="default",
    show_default=True,
    help="噪声类型：default（性能基准）或 hard（与真实刊物一样难：改写标题、简称、联合供稿、名称相互包含）",
)
def synth(
    directory: Path, scheme_id: str, n_units: int, year: int, seed: int, profile: str
) -> None:
    """生成任意规模的合成工作区（单位、录用、报送记录、事项），用于测试与性能评估；
    真值（每个署名对应的单位、每条录用对应的信息与报送）写在 synth-truth/，kaohe 不读取。"""
    from flows.synth import SynthSpec, write_workspace

    counts = write_workspace(directory, SynthSpec(scheme_id, n_units, year, seed, profile))
    _say(
        f"已生成合成工作区 {directory}：单位 {counts.units} 个，录用 {counts.adoptions} 条，"
        f"报送 {counts.submissions} 条，事项 {counts.events} 条"
    )


@cli.command()
@click.argument("directories", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--host", default=None, help="监听地址，默认 127.0.0.1（kaohe.toml [web] host）")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="端口，默认 8765")
@click.option(
    "--home",
    type=click.Path(path_type=Path),
    default=None,
    help="账号、会话密钥和操作日志所在的文件夹，默认 ~/.kaohe/web（或环境变量 KAOHE_WEB_HOME）",
)
def web(
    directories: tuple[Path, ...], host: str | None, port: int | None, home: Path | None
) -> None:
    """在浏览器中完成考核工作的网页（可同时服务多个工作区）。

    只在本机地址 127.0.0.1 上提供服务，除非 kaohe.toml [web] 设置了其他地址（或用 --host），
    此时必须同时设置 TLS 证书和私钥（[web] certfile、keyfile），网页只经 HTTPS 提供。"""
    from flows.web.serve import serve

    serve(list(directories), host=host, port=port, home=home, say=_say)


@cli.group(name="web-user")
def web_user() -> None:
    """管理网页的账号（officer 信息员：上传、生成、答复；admin 管理员：另可发送、管理账号）。"""


def _accounts(home: Path | None):
    from flows.web.accounts import Accounts, default_home

    return Accounts(home or default_home())


_HOME_OPTION = click.option(
    "--home",
    type=click.Path(path_type=Path),
    default=None,
    help="账号文件所在的文件夹，默认 ~/.kaohe/web（或环境变量 KAOHE_WEB_HOME）",
)


@web_user.command(name="add")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(["officer", "admin"]), required=True, help="officer 或 admin"
)
@click.password_option(
    "--password", prompt="密码", confirmation_prompt="再次输入密码", help="密码（不填则提示输入）"
)
@_HOME_OPTION
def web_user_add(name: str, role: str, password: str, home: Path | None) -> None:
    """添加账号，或修改已有账号的角色和密码。"""
    accounts = _accounts(home)
    new = accounts.set(name, role, password)
    _say(f"已{'添加' if new else '修改'}账号 {name}（{role}），保存在 {accounts.path}")


@web_user.command(name="remove")
@click.argument("name")
@_HOME_OPTION
def web_user_remove(name: str, home: Path | None) -> None:
    """删除账号（其已登录的会话随即失效）。"""
    accounts = _accounts(home)
    if not accounts.remove(name):
        raise InputError(f"没有账号 {name}（{accounts.path}）")
    _say(f"已删除账号 {name}")


@web_user.command(name="list")
@_HOME_OPTION
def web_user_list(home: Path | None) -> None:
    """列出账号和角色。"""
    for user in sorted(_accounts(home).load().values(), key=lambda u: u.name):
        click.echo(f"{user.name}\t{user.role}")


def main() -> None:
    if sys.argv[1:2] == ["run"]:
        from flows.lifetime import end_without_teardown

        end_without_teardown(when=lambda: _RUN_DONE)  # the first handler: the last to run
    try:
        cli.main(standalone_mode=False)
    except InputError as err:
        problems = err.problems
        if isinstance(err, TomlDataError) and len(problems) > 1:  # one file's problems
            _say(f"错误：{err.file} 中有 {len(problems)} 处错误，请逐一改正后重新运行：")
            for p in problems:
                _say(f"  {p.format()}")
        else:
            _say(f"错误：{err}")
        sys.exit(2)
    except click.exceptions.Abort:
        _say("已取消")
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except Exception as err:
        # A read-only or full disk, a damaged or unreachable database: one line saying
        # what to do. Anything else is a bug and keeps its traceback.
        from flows.faults import describe

        line = describe(err)
        if line is None:
            raise
        _say(f"错误：{line}")
        sys.exit(2)


if __name__ == "__main__":
    main()
