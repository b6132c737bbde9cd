"""The office's web page (issue 17) in a real browser against a real server process.

One server (`kaohe web` in a subprocess, on the session's Prefect server) and one Chromium
(Debian's, driven by Playwright) serve every test of this module; the module runs on one
xdist worker (`xdist_group`, `make test` runs `--dist loadgroup`). The quarter is driven as
an officer and an admin would: log in, upload an adoption sheet, run, answer the review
question with the form (decisions.csv checked on disk), read scores and a unit's ledger,
download the PDF, send with confirmation to a real SMTP server. Then what must be refused
is refused: a wrong CSRF token, an officer sending, an upload outside the folder, a fast
series of wrong passwords; and the pages can be used with the keyboard.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from smtp_server import Recorder, free_port

from flows.decisions import write_answer
from flows.web import accounts as acc
from flows.workspace import init_workspace
from store.repository import Store
from transforms.errors import InputError

pytestmark = pytest.mark.xdist_group("web")

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse 1"
UNITS = """unit,group,aliases,emails
三都镇,乡镇（街道）,,sd@jiande.gov.cn
洋溪街道,乡镇（街道）,洋溪,yx@jiande.gov.cn
发改局,A,市发改局,fgj@jiande.gov.cn
"""
#: three adoptions of 2018Q2; the third names a unit the roster does not know
ADOPTIONS = """publication,issue,date,title,units,kind
《建德政务・动态》,12,2018-04-02,三都镇启动森林消防“一线工作法”行动,三都镇,简讯
《杭州政务》,82,2018-04-09,洋溪街道民宿经济发展经验获推广,洋溪街道,要情
《建德政务・动态》,15,2018-05-02,我市重点项目推进有新进展,发展改革委,动态
"""


@pytest.fixture(scope="module")
def smtp_server():
    from aiosmtpd.controller import Controller

    handler = Recorder()
    ctl = Controller(handler, hostname="127.0.0.1", port=free_port())
    ctl.start()
    handler.port = ctl.port
    yield handler
    ctl.stop()


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status
    except OSError:
        return 0


@pytest.fixture(scope="module")
def web(tmp_path_factory, prefect_server, smtp_server):
    """`kaohe web` over a small jiande workspace, with an admin and an officer."""
    from prefect.settings import PREFECT_API_URL

    root = tmp_path_factory.mktemp("web")
    ws = init_workspace(root / "考核2018", "jiande-2018")
    (ws / "units.csv").write_text(UNITS, encoding="utf-8")
    with open(ws / "kaohe.toml", "a", encoding="utf-8") as f:
        f.write(
            f'\n[mail]\nhost = "127.0.0.1"\nport = {smtp_server.port}\n'
            'sender = "xxk@jiande.gov.cn"\nretries = 1\n\n[web]\nmax_upload_mb = 1\n'
        )
    # a second workspace, served too, with a regulation file of its own
    other = init_workspace(root / "考核2019", "jiande-2018", copy_regulation=True)
    home = root / "webhome"
    accounts = acc.Accounts(home)
    accounts.set("主任", "admin", PASSWORD)
    accounts.set("xiaoli", "officer", PASSWORD)
    accounts.set("guesser", "officer", PASSWORD)
    accounts.set("changer", "officer", PASSWORD)
    port = free_port()
    env = dict(os.environ, PREFECT_API_URL=PREFECT_API_URL.value() or "")
    log = open(root / "server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "web", str(ws), str(other)]
        + ["--port", str(port), "--home", str(home)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while _get(url + "/login") != 200:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail((root / "server.log").read_text(errors="replace"))
        time.sleep(0.2)
    yield SimpleNamespace(url=url, ws=ws, other=other, home=home, smtp=smtp_server, root=root)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium 未安装：请运行 bash scripts/setup.sh")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def new_context(browser, **options):
    """A browser context whose waits (for an element, a navigation) last up to 90 s: they
    poll, so only a loaded machine waits that long (Playwright's 30 s ran out on one)."""
    context = browser.new_context(**options)
    context.set_default_timeout(90_000)
    return context


def login(browser, web, name: str, password: str = PASSWORD):
    context = new_context(browser, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.goto(web.url + "/")
    page.get_by_label("账号").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    # several workspaces: the list of them first
    page.get_by_role("link", name="考核2018").click()
    page.wait_for_url(re.compile(r"/w/"))
    return page


def wait_job(page, timeout: float = 240_000) -> str:
    """Wait on a job page until the run or send ends; its log."""
    ended = "#job-state[data-status=done], #job-state[data-status=failed]"
    page.locator(ended).wait_for(timeout=timeout)
    return page.locator("#job-log").inner_text()


def audit_lines(web) -> list[dict]:
    path = web.home / acc.AUDIT_FILE
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_quarter_in_the_browser(browser, web, tmp_path):
    page = login(browser, web, "主任")
    home = page.url

    # upload the quarter's adoption sheet; the check shows what it contributed
    page.get_by_role("link", name="上传数据、查看已有文件").click()
    sheet = tmp_path / "2018q2.csv"
    sheet.write_text(ADOPTIONS, encoding="utf-8")
    page.get_by_label("放入").select_option("adoptions")
    page.get_by_label(re.compile("^文件")).set_input_files(str(sheet))
    page.get_by_role("button", name="上传").click()
    page.get_by_text("已保存 adoptions/2018q2.csv").wait_for()
    assert (web.ws / "adoptions" / "2018q2.csv").read_text(encoding="utf-8") == ADOPTIONS
    row = page.locator("tr", has_text="adoptions/2018q2.csv")
    assert row.locator("td").last.inner_text() == "3"  # three rows read
    assert "检查通过" in page.locator("main").inner_text()

    # run the quarter and watch it
    page.goto(home)
    page.get_by_label("考核期").fill("2018Q2")
    page.get_by_label(re.compile("落款日期")).fill("2018-07-05")
    page.get_by_role("button", name="生成通报").click()
    log = wait_job(page)
    assert "已生成 v1" in log and "征求意见稿" in log, log
    assert page.locator("#job-state").inner_text() == "完成"

    # a draft is not sent on one tick: sending it anyway takes a second one
    page.get_by_role("link", name=re.compile("查看 2018Q2 的通报")).click()
    assert "征求意见稿" in page.locator("main").inner_text()
    period_page = page.url
    page.get_by_role("link", name="发送邮件…").click()
    page.get_by_label("我已核对通报和得分，确认发送").check()
    page.get_by_role("button", name="发送", exact=True).click()
    assert "请勾选“征求意见稿也发送”" in page.locator("main").inner_text()
    assert page.get_by_label(re.compile("征求意见稿也发送")).is_visible()
    assert web.smtp.received == []
    # a dry run writes the messages for reading, mails nobody
    page.get_by_label(re.compile("^试运行")).check()
    page.get_by_label("我已核对通报和得分，确认发送").check()
    page.get_by_role("button", name="发送", exact=True).click()
    assert "试运行" in wait_job(page)
    page.get_by_role("link", name="发送记录").click()
    page.get_by_text(re.compile("试运行写出的邮件（3 封）")).click()
    with page.expect_download() as dl:
        page.get_by_role("link", name=re.compile(r"三都镇.*\.eml")).click()
    assert b"sd@jiande.gov.cn" in Path(dl.value.path()).read_bytes()
    assert web.smtp.received == []
    page.goto(period_page)

    # the draft asks one question: answer it with the unit kaohe offers
    page.get_by_role("link", name="答复待核实问题").click()
    question = page.locator("form.question", has_text="发展改革委")
    choice = question.get_by_label("选择答复")
    assert choice.locator("option").all_inner_texts() == ["（请选择）", "发改局", "忽略"]
    choice.select_option("发改局")
    question.get_by_role("button", name="保存答复").click()
    page.get_by_text("已写入 decisions.csv").wait_for()
    decisions = (web.ws / "decisions.csv").read_text(encoding="utf-8")
    assert decisions == "type,key,answer\nunit,发展改革委,发改局\n"  # as typed by hand
    assert "已答复：发改局" in page.locator("form.question").first.inner_text()

    # run again: the answer makes the final version
    page.goto(home)
    page.get_by_label("考核期").fill("2018Q2")
    page.get_by_label(re.compile("落款日期")).fill("2018-07-05")
    page.get_by_role("button", name="生成通报").click()
    log = wait_job(page)
    assert "已生成 v2" in log and "征求意见稿" not in log, log
    page.get_by_role("link", name=re.compile("查看 2018Q2 的通报")).click()
    main = page.locator("main").inner_text()
    assert "正式版" in main and "v2" in main
    assert "核实答复变动 1 项" in main  # what changed between the versions

    # scores per group, a unit's ledger with the clause of every point
    table = page.locator("table.scores", has=page.locator("caption", has_text="A"))
    assert "发改局" in table.inner_text()
    table.get_by_role("link", name="发改局").click()
    ledger = page.locator("table.ledger")
    assert "我市重点项目推进有新进展" in ledger.inner_text()
    clauses = ledger.locator("td.clause").all_inner_texts()
    assert clauses and all(re.match(r"[一二三四五六七八九十]+（", c) for c in clauses), clauses
    with page.expect_download() as dl:
        page.get_by_role("link", name="下载得分说明（PDF）").click()
    assert Path(dl.value.path()).read_bytes().startswith(b"%PDF")

    # the bulletin as a PDF
    page.go_back()
    with page.expect_download() as dl:
        page.get_by_role("link", name="通报（PDF）").click()
    assert dl.value.suggested_filename == "bulletin.pdf"
    with page.expect_download() as word:
        page.get_by_role("link", name="通报（Word）").click()
    assert word.value.suggested_filename == "bulletin.docx"
    assert Path(word.value.path()).read_bytes().startswith(b"PK")
    assert (
        Path(dl.value.path()).read_bytes()
        == (web.ws / "out" / "2018Q2" / "v2" / "bulletin.pdf").read_bytes()
    )

    # send, after the confirmation; the mail arrives at the SMTP server
    page.get_by_role("link", name="发送邮件…").click()
    page.get_by_role(
        "button", name="发送", exact=True
    ).click()  # not confirmed: the browser holds it
    assert web.smtp.received == [] and "/send" in page.url
    page.get_by_label("我已核对通报和得分，确认发送").check()
    page.get_by_role("button", name="发送", exact=True).click()
    log = wait_job(page)
    assert "本次发送 3 封" in log, log
    assert web.smtp.to() == ["fgj@jiande.gov.cn", "sd@jiande.gov.cn", "yx@jiande.gov.cn"]
    for _, msg in web.smtp.received:
        names = [p.get_filename() for p in msg.iter_attachments()]
        assert any(n and n.endswith(".pdf") for n in names), names
        assert "2018年第二季度" in msg["Subject"]
    page.get_by_role("link", name="发送记录").click()
    statuses = page.locator("table").last.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert statuses == ["已发送"] * 3
    store = Store.open(f"sqlite:///{web.ws / 'kaohe.db'}")
    try:
        run = store.latest_run("2018Q2", workspace=None)
        assert run.version == 2
        assert sorted(d.status for d in store.deliveries(run.id).values()) == ["sent"] * 3
    finally:
        store.close()

    # the director's signed bulletin, to the units that already have v2: only when asked
    signed = tmp_path / "签发稿.pdf"
    generated = (web.ws / "out" / "2018Q2" / "v2" / "bulletin.pdf").read_bytes()
    signed.write_bytes(generated + b"%% signed by the director\n")
    page.get_by_label(re.compile("本办修改并签发的通报")).set_input_files(str(signed))
    page.get_by_label("已收到本版通报的单位也再发一次签发稿").check()
    page.get_by_label("我已核对通报和得分，确认发送").check()
    page.get_by_role("button", name="发送", exact=True).click()
    log = wait_job(page)
    assert "签发稿" in log and "本次发送 3 封" in log, log
    assert len(web.smtp.received) == 6
    for _, msg in web.smtp.received[3:]:
        payloads = [p.get_content() for p in msg.iter_attachments()]
        assert signed.read_bytes() in payloads and generated not in payloads
    assert (
        web.ws / "out" / "2018Q2" / "v2.signed" / "签发稿.pdf"
    ).read_bytes() == signed.read_bytes()
    assert not list((web.home / "uploads").rglob("*.pdf"))  # the upload is not kept twice
    page.get_by_role("link", name="发送记录").click()
    with page.expect_download() as dl:
        page.get_by_role("link", name="签发稿.pdf").click()
    assert Path(dl.value.path()).read_bytes() == signed.read_bytes()

    # the schedule's server saw the runs; the audit log has who did what
    page.goto(home)
    runs = page.locator("section", has=page.get_by_role("heading", name="定时任务与运行记录"))
    assert "2018Q2" in runs.inner_text()
    actions = [(e["user"], e["action"], e["outcome"]) for e in audit_lines(web)]
    for action in ("upload", "answer", "download"):
        assert ("主任", action, "ok") in actions, actions
    assert ("主任", "run", "started") in actions and ("主任", "send finished", "ok") in actions
    page.context.close()


def test_the_regulation_is_shown_checked_and_replaced(browser, web, tmp_path):
    own = web.other / "考核办法.toml"
    original = own.read_bytes()
    page = login(browser, web, "主任")
    page.goto(web.url + "/w/" + "考核2019")
    page.get_by_role("link", name="考核办法").click()
    main = page.locator("main").inner_text()
    assert "考核办法.toml" in main and "考核办法文件无误" in main
    assert "三（一）" in page.locator("pre.regulation").inner_text()  # the clauses' tables

    # a file with a misspelt key: every problem with its line, nothing written
    bad = tmp_path / "新办法.toml"
    bad.write_text(original.decode("utf-8").replace("title =", "titel =", 1), encoding="utf-8")
    form = page.locator("form", has=page.get_by_role("heading", name="检查考核办法文件"))
    form.get_by_label(re.compile("考核办法文件")).set_input_files(str(bad))
    form.get_by_role("button", name="检查").click()
    result = page.locator("section", has=page.get_by_role("heading", name=re.compile("检查结果")))
    assert re.search(r"第\d+行.*titel", result.inner_text()), result.inner_text()
    replace = page.locator("form", has=page.get_by_role("heading", name="替换考核办法文件"))
    replace.get_by_label(re.compile("新的考核办法文件")).set_input_files(str(bad))
    replace.get_by_label(re.compile("确认替换")).check()
    replace.get_by_role("button", name="替换").click()
    assert "未替换" in page.locator("main").inner_text()
    assert own.read_bytes() == original

    # a good one replaces the workspace's file
    good = tmp_path / "修订.toml"
    good.write_bytes(original + "\n# 2019年修订\n".encode())
    replace = page.locator("form", has=page.get_by_role("heading", name="替换考核办法文件"))
    replace.get_by_label(re.compile("新的考核办法文件")).set_input_files(str(good))
    replace.get_by_label(re.compile("确认替换")).check()
    replace.get_by_role("button", name="替换").click()
    page.get_by_text("已用 修订.toml 替换 考核办法.toml").wait_for()
    assert own.read_bytes() == good.read_bytes()
    assert ("主任", "regulation replace", "ok") in [
        (e["user"], e["action"], e["outcome"]) for e in audit_lines(web)
    ]
    page.context.close()

    # an officer may check, not replace
    page = login(browser, web, "xiaoli")
    page.goto(web.url + "/w/考核2019/regulation")
    assert page.get_by_role("heading", name="替换考核办法文件").count() == 0
    r = page.request.post(
        web.url + "/w/考核2019/regulation/replace",
        multipart={
            "csrf": _csrf(page),
            "confirm": "1",
            "file": {"name": "x.toml", "mimeType": "text/plain", "buffer": original},
        },
    )
    assert r.status == 403 and own.read_bytes() == good.read_bytes()
    page.context.close()


def _csrf(page) -> str:
    return page.locator("form[action='/logout'] input[name=csrf]").get_attribute("value")


def test_a_wrong_csrf_token_is_refused(browser, web):
    page = login(browser, web, "主任")
    base = page.url
    before = len(list((web.ws / "out").glob("*/*"))) if (web.ws / "out").exists() else 0
    page.locator("form[action$='/run'] input[name=csrf]").evaluate("e => e.value = 'forged'")
    page.get_by_label("考核期").fill("2018Q3")
    page.get_by_role("button", name="生成通报").click()
    assert "CSRF 校验失败" in page.locator("main").inner_text()
    # a POST from another site carries no token at all
    r = page.request.post(base + "/run", form={"period": "2018Q3"})
    assert r.status == 403
    after = len(list((web.ws / "out").glob("*/*"))) if (web.ws / "out").exists() else 0
    assert after == before
    assert any(e["outcome"] == "refused: CSRF" for e in audit_lines(web))
    page.context.close()


def test_an_officer_cannot_send(browser, web):
    page = login(browser, web, "xiaoli")
    assert "账号管理" not in page.locator("header").inner_text()
    base = page.url
    page.goto(base + "/p/2018Q1/send")  # no version: told so
    assert "还没有生成过通报" in page.locator("main").inner_text()
    # with the page's own token, the POST is still refused
    r = page.request.post(base + "/p/2018Q2/send", form={"csrf": _csrf(page), "confirm": "1"})
    assert r.status == 403 and "需要管理员账号" in r.text()
    assert page.request.get(web.url + "/admin/users").status == 403
    assert ("xiaoli", "refused: not admin") in [(e["user"], e["outcome"]) for e in audit_lines(web)]
    page.context.close()


def test_uploads_stay_in_their_folder(browser, web):
    page = login(browser, web, "xiaoli")
    url = page.url + "/upload"
    token = _csrf(page)
    sent = []

    def upload(folder: str, name: str, body: bytes = b"publication,issue\n", **more) -> str:
        r = page.request.post(
            url,
            multipart={
                "csrf": token,
                "folder": folder,
                "file": {"name": name, "mimeType": "text/csv", "buffer": body},
                **more,
            },
        )
        sent.append(name)
        assert r.status in (200, 413), r.status
        return r.text()

    # the sheet as the quarter uploads it (the same bytes again: nothing changes)
    assert "已保存" in upload("adoptions", "2018q2.csv", ADOPTIONS.encode(), replace="1")

    assert "含有路径" in upload("adoptions", "../kaohe.toml")
    assert "含有路径" in upload("adoptions", "..\\..\\evil.csv")
    assert "不能上传到" in upload("../", "evil.csv")
    assert "类型（.sh）不能放入" in upload("events", "run.sh")
    assert "临时文件" in upload("adoptions", "~$open.xlsx")
    assert "已存在" in upload("adoptions", "2018q2.csv")  # not replaced unasked
    big = b"x" * (1024 * 1024 + 1)  # [web] max_upload_mb = 1
    assert "超过上传上限 1 MB" in upload("adoptions", "big.csv", big + b"x" * 1024 * 1024)
    assert "超过上传上限 1 MB" in upload("adoptions", "big.csv", big)
    assert not (web.root / "evil.csv").exists() and not (web.ws / "evil.csv").exists()
    assert "scheme" in (web.ws / "kaohe.toml").read_text(encoding="utf-8")
    assert (web.ws / "adoptions" / "2018q2.csv").read_text(encoding="utf-8") == ADOPTIONS
    assert sorted(p.name for p in (web.ws / "adoptions").iterdir()) == ["2018q2.csv"]
    page.context.close()


def test_failed_logins_are_slowed(browser, web):
    context = new_context(browser)
    page = context.new_page()
    page.goto(web.url + "/login")
    for _ in range(acc.FREE_FAILURES):
        page.get_by_label("账号").fill("guesser")
        page.get_by_label("密码").fill("wrong password")
        page.get_by_role("button", name="登录").click()
        assert "账号或密码不正确" in page.locator("#login-error").inner_text()
    page.get_by_label("账号").fill("guesser")
    page.get_by_label("密码").fill(PASSWORD)  # even the right one must wait now
    page.get_by_role("button", name="登录").click()
    assert re.search(r"请 \d+ 秒后再试", page.locator("#login-error").inner_text())
    assert "/login" in page.url
    context.close()


def test_a_changed_password_ends_the_other_sessions(browser, web):
    elsewhere = login(browser, web, "changer")
    page = login(browser, web, "changer")
    page.get_by_role("link", name="修改密码").click()
    page.get_by_label("原密码").fill("not the password")
    page.get_by_label(re.compile("^新密码")).fill("a new password")
    page.get_by_label("再次输入新密码").fill("a new password")
    page.get_by_role("button", name="修改").click()
    assert "原密码不正确" in page.locator("main").inner_text()
    page.get_by_label("原密码").fill(PASSWORD)
    page.get_by_label(re.compile("^新密码")).fill("a new password")
    page.get_by_label("再次输入新密码").fill("a new password")
    page.get_by_role("button", name="修改").click()
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_role("link", name="考核2018").click()  # this session goes on
    elsewhere.reload()
    assert "/login" in elsewhere.url  # the other one ended
    elsewhere.context.close()
    page.context.close()
    login(browser, web, "changer", "a new password").context.close()


def test_pages_work_with_the_keyboard_and_every_field_has_a_label(browser, web):
    context = new_context(browser)
    page = context.new_page()
    page.goto(web.url + "/")
    # the login by keyboard alone: the name field has the focus, Tab, Enter
    assert page.evaluate("document.activeElement.id") == "name"
    page.keyboard.type("xiaoli")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("link", name="考核2019").wait_for()  # the list of workspaces
    page.get_by_role("link", name="考核2018").click()
    page.wait_for_url(re.compile(r"/w/"))
    unlabelled = """() => [...document.querySelectorAll('input, select, textarea')]
        .filter(e => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label'))
        .map(e => e.outerHTML)"""
    base = page.url
    for path in ("", "/files", "/p/2018Q2", "/p/2018Q2/send", "/p/2018Q2/review"):
        page.goto(base + path)
        assert page.evaluate(unlabelled) == [], path
        assert page.locator("h1").count() == 1
    # the first Tab reaches the link that skips the header, Enter moves to the content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # the run form from the keyboard: period, Tab to the date, Tab to the box, Space ticks it
    page.goto(base)
    page.get_by_label("考核期").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "date"
    for _ in range(4):  # a date field takes a Tab per part (year, month, day)
        if page.evaluate("document.activeElement.name") == "force":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.get_by_label("数据未变也生成新版本").is_checked()
    context.close()


# --------------------------------------------------------------------------- without a browser


def test_passwords_sessions_and_throttle(tmp_path):
    stored = acc.hash_password("s3cret-pass")
    assert stored.startswith("scrypt$") and "s3cret-pass" not in stored
    assert acc.verify_password("s3cret-pass", stored)
    assert not acc.verify_password("s3cret-pasS", stored)
    assert acc.hash_password("s3cret-pass") != stored  # salted
    accounts = acc.Accounts(tmp_path)
    accounts.set("a", "admin", "s3cret-pass")
    assert oct(accounts.path.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(InputError, match="太短"):
        accounts.set("b", "officer", "short")
    with pytest.raises(InputError, match="角色"):
        accounts.set("b", "boss", "s3cret-pass")
    user = accounts.authenticate("a", "s3cret-pass")
    sessions = acc.Sessions(acc.secret_key(tmp_path))
    cookie = sessions.make(user)
    assert sessions.read(cookie)["u"] == "a"
    body, sig = cookie.rsplit(".", 1)
    assert sessions.read(body + "." + sig[::-1]) is None
    assert acc.Sessions(b"another key").read(cookie) is None
    now = [100.0]
    throttle = acc.Throttle(clock=lambda: now[0])
    for _ in range(acc.FREE_FAILURES):
        assert throttle.wait("a", "1.2.3.4") == 0
        throttle.failed("a", "1.2.3.4")
    assert throttle.wait("a", "1.2.3.4") == 2
    assert throttle.wait("a", "5.6.7.8") == 0  # per account and address
    now[0] += 2
    assert throttle.wait("a", "1.2.3.4") == 0
    throttle.failed("a", "1.2.3.4")
    assert throttle.wait("a", "1.2.3.4") == 4


def test_answers_are_written_under_the_files_own_header(tmp_path):
    header = "问题类型,识别码,答复,可填答复\r\n"
    (tmp_path / "decisions.csv").write_bytes(
        (header + "未识别单位,老干部局,忽略,\r\n").encode("gb18030")
    )
    (tmp_path / "kaohe.toml").write_text('scheme = "jiande-2018"\n', encoding="utf-8")
    before = write_answer(tmp_path, "unit", "老干部局", "发改局")
    assert before == "忽略"  # replaced, not left beside the new one
    write_answer(tmp_path, "same_article", "a1|b2", "是")
    raw = (tmp_path / "decisions.csv").read_bytes()
    assert (
        raw.decode("gb18030")
        == header + "未识别单位,老干部局,发改局,\r\n疑似同一篇信息,a1|b2,是,\r\n"
    )
    with pytest.raises(InputError, match="是」或「否"):
        write_answer(tmp_path, "same_article", "a1|b2", "发改局")
    from flows.readers import read_decisions

    got = read_decisions(tmp_path / "decisions.csv", tmp_path)
    assert got.rows() == [("unit", "老干部局", "发改局"), ("same_article", "a1|b2", "是")]


def test_another_host_only_over_tls(tmp_path):
    import trustme

    from flows.settings import parse
    from flows.web.serve import listen_settings
    from flows.workspace import Workspace

    ws_dir = init_workspace(tmp_path / "ws", "jiande-2018")
    ws = Workspace.load(ws_dir)
    assert listen_settings([ws], None, None)[:2] == ("127.0.0.1", 8765)
    with pytest.raises(InputError, match="certfile"):
        listen_settings([ws], "0.0.0.0", None)
    ca = trustme.CA()
    cert = ca.issue_cert("kaohe.example")
    cert.private_key_and_cert_chain_pem.write_to_path(str(ws_dir / "web.pem"))
    with open(ws_dir / "kaohe.toml", "a", encoding="utf-8") as f:
        f.write('\n[web]\nhost = "0.0.0.0"\ncertfile = "web.pem"\nkeyfile = "web.pem"\n')
    host, port, certfile, keyfile = listen_settings([Workspace.load(ws_dir)], None, 9443)
    assert (host, port, certfile) == ("0.0.0.0", 9443, ws_dir / "web.pem")
    with pytest.raises(InputError, match="同时填写"):
        parse('scheme = "jiande-2018"\n[web]\ncertfile = "a.pem"\n')


def test_web_user_command_asks_for_the_password(tmp_path):
    from click.testing import CliRunner

    from flows.cli import cli

    home = tmp_path / "home"
    r = CliRunner().invoke(
        cli,
        ["web-user", "add", "王科长", "--role", "admin", "--home", str(home)],
        input="a long password\na long password\n",
    )
    assert r.exit_code == 0, r.output
    assert "a long password" not in (home / acc.USERS_FILE).read_text(encoding="utf-8")
    assert acc.Accounts(home).authenticate("王科长", "a long password").admin
    r = CliRunner().invoke(cli, ["web-user", "list", "--home", str(home)])
    assert r.output == "王科长\tadmin\n"
    r = CliRunner().invoke(cli, ["web-user", "remove", "王科长", "--home", str(home)])
    assert r.exit_code == 0 and acc.Accounts(home).load() == {}


def test_served_over_tls_with_the_settings_certificate(tmp_path):
    import ssl

    import trustme

    ws = init_workspace(tmp_path / "ws", "jiande-2018")
    ca = trustme.CA()
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(ws / "web.pem"))
    port = free_port()
    with open(ws / "kaohe.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[web]\nport = {port}\ncertfile = "web.pem"\nkeyfile = "web.pem"\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "web", str(ws), "--home", str(tmp_path / "home")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    context = ssl.create_default_context()
    ca.configure_trust(context)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(
                    f"https://127.0.0.1:{port}/login", context=context, timeout=2
                ) as r:
                    cookies = r.headers.get_all("set-cookie")
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies), cookies
        with pytest.raises(OSError):  # no plain HTTP on that port
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
