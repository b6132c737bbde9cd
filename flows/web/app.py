"""The FastAPI application of `kaohe web`: routes, login, CSRF checks, audit lines.

Every page needs a login; every POST carries the session's CSRF token (the login form a
token of its own cookie) and is refused without it. Officers upload, run and answer;
admins may also send, replace the regulation and manage accounts. Every action, allowed
or refused, is a line of the audit log.
"""

from __future__ import annotations

import ipaddress
import secrets
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from flows.web import data
from flows.web.accounts import ROLES, Accounts, Audit, Sessions, Throttle, same_token, secret_key
from flows.web.jobs import Busy, Jobs, workspace_busy
from flows.workspace import Workspace
from transforms.errors import InputError
from transforms.periods import Period

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "kaohe_session"
LOGIN_COOKIE = "kaohe_login"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Site:
    """One served workspace: its name in URLs and its folder."""

    slug: str
    root: Path

    def load(self) -> Workspace:
        return Workspace.load(self.root)


class Redirect(Exception):
    def __init__(self, url: str):
        self.url = url


class Refused(Exception):
    def __init__(self, status: int, message: str, link: tuple[str, str] | None = None):
        self.status = status
        self.message = message
        self.link = link  # (url, text) of the page where it can be put right


def _slugs(roots: Iterable[Path]) -> dict[str, Site]:
    sites: dict[str, Site] = {}
    for root in roots:
        root = Path(root).resolve()
        slug, n = root.name or "workspace", 1
        while slug in sites:
            n += 1
            slug = f"{root.name}-{n}"
        sites[slug] = Site(slug, root)
    return sites


def create_app(
    workspaces: Iterable[Path | str], home: Path | str, *, secure: bool = False
) -> FastAPI:
    """The web application over `workspaces`, with accounts, key and audit log in `home`.
    `secure`: served over TLS (cookies are then sent over TLS only)."""
    home = Path(home).expanduser()
    sites = _slugs(Path(w) for w in workspaces)
    accounts = Accounts(home)
    audit = Audit(home)
    sessions = Sessions(secret_key(home))
    throttle = Throttle()
    jobs = Jobs()
    flashes: dict[str, list[tuple[str, str]]] = {}
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["q"] = lambda s: urllib.parse.quote(str(s), safe="")
    env.filters["size"] = _size
    env.filters["when"] = lambda t: t.strftime("%Y-%m-%d %H:%M") if t else ""
    env.globals["ROLES"] = ROLES
    env.globals["STATUS_LABELS"] = data.STATUS_LABELS
    env.globals["FOLDER_LABELS"] = data.FOLDER_LABELS
    env.globals["UPLOAD_SUFFIXES"] = data.UPLOAD_SUFFIXES

    app = FastAPI(title="kaohe", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.jobs = jobs
    app.state.accounts = accounts

    # ------------------------------------------------------------------ plumbing

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(Redirect)
    async def redirect(request: Request, exc: Redirect):
        return RedirectResponse(exc.url, status_code=303)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused):
        user = current(request)
        return page(
            request, "error.html.j2", user, status=exc.status, message=exc.message, link=exc.link
        )

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError):
        user = current(request)
        return page(request, "error.html.j2", user, status=400, message=exc.format())

    def address(request: Request) -> str:
        return request.client.host if request.client else "-"

    def current(request: Request):
        s = sessions.read(request.cookies.get(SESSION_COOKIE))
        if s is None:
            return None
        user = accounts.get(s.get("u", ""))
        if user is None or user.stamp != s.get("s"):
            return None  # removed, or its password changed since
        request.state.csrf = s["c"]
        return user

    def require(request: Request, admin: bool = False):
        user = current(request)
        if user is None:
            raise Redirect("/login?next=" + urllib.parse.quote(request.url.path))
        if admin and not user.admin:
            audit.write(user.name, address(request), request.url.path, outcome="refused: not admin")
            raise Refused(403, "此操作需要管理员账号：请联系管理员。")
        return user

    async def posted(request: Request, admin: bool = False, **form_args):
        """The form of a POST after its checks: logged in, the right role, the CSRF token."""
        user = require(request, admin)
        form = await request.form(**form_args)
        if not same_token(form.get("csrf"), getattr(request.state, "csrf", None)):
            audit.write(user.name, address(request), request.url.path, outcome="refused: CSRF")
            raise Refused(403, "表单已过期或来源不明（CSRF 校验失败），未执行：请刷新页面后重试。")
        return user, form

    def site(slug: str) -> Site:
        if slug not in sites:
            raise Refused(404, f"没有名为「{slug}」的工作区。")
        return sites[slug]

    def flash(request: Request, kind: str, text: str) -> None:
        token = getattr(request.state, "csrf", None)
        if token:
            flashes.setdefault(token, []).append((kind, text))

    def refuse(request: Request, user, action: str, err: InputError, **where) -> None:
        """A refused action: its audit line (who, what, why) and the user's message."""
        audit.write(
            user.name, address(request), action, outcome=f"refused: {err.format()}", **where
        )
        flash(request, "error", err.format())

    def page(request: Request, template: str, user, status: int = 200, **ctx) -> HTMLResponse:
        token = getattr(request.state, "csrf", None)
        messages = flashes.pop(token, []) if token else []
        html = env.get_template(template).render(
            user=user, csrf=token, sites=sites, messages=messages, **ctx
        )
        return HTMLResponse(html, status_code=status)

    def load(s: Site) -> Workspace:
        try:
            return s.load()
        except InputError as err:
            link = None
            if _regulation_available():
                link = (
                    f"/w/{urllib.parse.quote(s.slug)}/regulation",
                    "查看、检查或替换考核办法文件",
                )
            raise Refused(500, f"工作区 {s.root} 无法打开：{err.format()}", link) from err

    def parse_period(text: str) -> Period:
        try:
            return Period.parse((text or "").strip())
        except (InputError, ValueError) as err:
            raise Refused(400, f"考核期「{text}」无效：应写作 2018Q2、2018-05 或 2018。") from err

    # ------------------------------------------------------------------ login

    @app.get("/static/{name}")
    async def static(name: str):
        path = HERE / "static" / name
        if name not in ("style.css", "app.js") or not path.is_file():
            return Response(status_code=404)
        kind = "text/css" if name.endswith(".css") else "text/javascript"
        return FileResponse(path, media_type=f"{kind}; charset=utf-8")

    @app.get("/favicon.ico")
    async def favicon():
        return Response(status_code=204)

    @app.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request, next: str = "/"):
        token = secrets.token_urlsafe(24)
        response = page(request, "login.html.j2", None, login_token=token, next=_local(next))
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure)
        return response

    @app.post("/login")
    async def login(request: Request):
        form = await request.form()
        name = str(form.get("name") or "").strip()
        password = str(form.get("password") or "")
        nxt = _local(str(form.get("next") or "/"))
        ip = address(request)

        def again(message: str, status: int = 400):
            token = secrets.token_urlsafe(24)
            r = page(
                request,
                "login.html.j2",
                None,
                status=status,
                login_token=token,
                next=nxt,
                error=message,
                name=name,
            )
            r.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure)
            return r

        if not same_token(form.get("csrf"), request.cookies.get(LOGIN_COOKIE)):
            audit.write(name or None, ip, "login", outcome="refused: CSRF")
            return again("登录表单已过期，请重新输入账号和密码。", 403)
        wait = throttle.wait(name, ip)
        if wait:
            audit.write(name, ip, "login", outcome=f"refused: wait {wait}s")
            return again(f"登录失败次数过多，请 {wait} 秒后再试。", 429)
        user = await run_in_threadpool(accounts.authenticate, name, password)
        if user is None:
            throttle.failed(name, ip)
            audit.write(name, ip, "login", outcome="failed")
            return again("账号或密码不正确。", 401)
        throttle.succeeded(name, ip)
        audit.write(name, ip, "login")
        response = RedirectResponse(nxt, status_code=303)
        response.set_cookie(
            SESSION_COOKIE, sessions.make(user), httponly=True, samesite="strict", secure=secure
        )
        response.delete_cookie(LOGIN_COOKIE)
        return response

    @app.post("/logout")
    async def logout(request: Request):
        user, _ = await posted(request)
        audit.write(user.name, address(request), "logout")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    # ------------------------------------------------------------------ workspaces

    @app.get("/", response_class=HTMLResponse)
    async def index(request: Request):
        user = require(request)
        if len(sites) == 1:
            raise Redirect(f"/w/{urllib.parse.quote(next(iter(sites)))}")
        return page(request, "index.html.j2", user)

    @app.get("/w/{slug}", response_class=HTMLResponse)
    async def workspace(request: Request, slug: str):
        user = require(request)
        s = site(slug)
        ws = load(s)

        def gather():
            periods = []
            for label in data.periods(s.root):
                v = data.version(s.root, label)
                periods.append((label, v))
            return periods, data.prefect_info(s.root)

        periods, prefect = await run_in_threadpool(gather)
        return page(
            request,
            "workspace.html.j2",
            user,
            site=s,
            ws=ws,
            periods=periods,
            prefect=prefect,
            job=jobs.current(slug),
            recent=jobs.recent(slug),
            suggested=periods[0][0] if periods else _quarter_ended(ws.timezone),
            regulation=_regulation_available(),
        )

    @app.get("/w/{slug}/files", response_class=HTMLResponse)
    async def files(request: Request, slug: str, check: int = 0):
        user = require(request)
        s = site(slug)
        ws = load(s)
        listed = await run_in_threadpool(data.input_files, s.root)
        checked = await run_in_threadpool(data.check_inputs, ws) if check else None
        return page(
            request,
            "files.html.j2",
            user,
            site=s,
            ws=ws,
            files=listed,
            checked=checked,
            limit_mb=_upload_limit(ws) // (1024 * 1024),
        )

    @app.post("/w/{slug}/upload")
    async def upload(request: Request, slug: str):
        s = site(slug)
        require(request)
        ws = load(s)
        limit = _upload_limit(ws)
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            raise Refused(411, "上传请求缺少长度（Content-Length），未保存。")
        if int(length) > limit + 1024 * 1024:
            audit.write(
                None, address(request), "upload", workspace=slug, outcome="refused: too large"
            )
            raise Refused(
                413,
                f"文件超过上传上限 {limit // (1024 * 1024)} MB，未保存（上限见 kaohe.toml [web] max_upload_mb）。",
            )
        user, form = await posted(request, max_part_size=1024 * 1024)
        folder = str(form.get("folder") or "")
        replace = form.get("replace") == "1"
        uploads = [f for f in form.getlist("file") if isinstance(f, UploadFile) and f.filename]
        if not uploads:
            flash(request, "error", "请选择要上传的文件。")
            raise Redirect(f"/w/{urllib.parse.quote(slug)}/files")
        for f in uploads:
            try:
                target = await run_in_threadpool(
                    data.save_upload, s.root, folder, f.filename, _chunks(f), limit, replace
                )
            except InputError as err:
                refuse(
                    request, user, "upload", err, workspace=slug, detail=f"{folder}/{f.filename}"
                )
                continue
            rel = target.relative_to(s.root).as_posix()
            audit.write(user.name, address(request), "upload", workspace=slug, detail=rel)
            flash(request, "ok", f"已保存 {rel}（{_size(target.stat().st_size)}）。")
        raise Redirect(f"/w/{urllib.parse.quote(slug)}/files?check=1")

    # ------------------------------------------------------------------ runs and jobs
    @app.post("/w/{slug}/fetch-mail")
    async def fetch_mail(request: Request, slug: str):
        user, _ = await posted(request)
        s = site(slug)
        if load(s).settings.imap is None:
            raise Refused(
                400,
                "kaohe.toml 没有设置 [imap]（报送邮箱），无法收取邮件：请系统管理员设置后再试。",
            )
        job = start_job(
            request, user, s, "fetch-mail", "收取报送邮件", ["fetch-mail", str(s.root)], ""
        )
        raise Redirect(f"/w/{urllib.parse.quote(slug)}/jobs/{job.id}")

    @app.post("/w/{slug}/run")
    async def run(request: Request, slug: str):
        user, form = await posted(request)
        s = site(slug)
        per = parse_period(str(form.get("period") or ""))
        args = ["run", str(s.root), "--period", per.label]
        issued = str(form.get("date") or "").strip()
        if issued:
            try:
                datetime.strptime(issued, "%Y-%m-%d")
            except ValueError as err:
                raise Refused(400, f"落款日期「{issued}」无效：应写作 2018-07-05。") from err
            args += ["--date", issued]
        if form.get("force") == "1":
            args.append("--force")
        job = start_job(request, user, s, "run", f"生成 {per.title}通报", args, per.label)
        raise Redirect(f"/w/{urllib.parse.quote(slug)}/jobs/{job.id}")

    def start_job(
        request, user, s: Site, kind: str, label: str, args: list[str], period: str, cleanup=None
    ):
        ip = address(request)
        detail = " ".join(args[2:])
        if workspace_busy(s.root) and jobs.current(s.slug) is None:
            audit.write(
                user.name, ip, kind, workspace=s.slug, detail=detail, outcome="refused: busy"
            )
            raise Refused(
                409,
                f"工作区正在被另一个 kaohe 进程使用（命令行或定时任务），请等它结束后再{label}。",
            )

        def ended(job):
            if cleanup is not None:  # an upload the child has copied where it keeps it
                _remove_upload(cleanup)
            audit.write(
                user.name,
                ip,
                f"{kind} finished",
                workspace=s.slug,
                detail=detail,
                outcome="ok" if job.returncode == 0 else f"exit {job.returncode}",
            )

        try:
            job = jobs.start(s.slug, kind, label, user.name, args, period=period, on_end=ended)
        except Busy as err:
            if cleanup is not None:
                _remove_upload(cleanup)
            audit.write(
                user.name, ip, kind, workspace=s.slug, detail=detail, outcome="refused: busy"
            )
            raise Refused(409, f"本工作区正在{err}，请等它结束后再试。") from err
        audit.write(user.name, ip, kind, workspace=s.slug, detail=detail, outcome="started")
        return job

    @app.get("/w/{slug}/jobs/{job_id}", response_class=HTMLResponse)
    async def job_page(request: Request, slug: str, job_id: int):
        user = require(request)
        s = site(slug)
        job = jobs.all.get(job_id)
        if job is None or job.workspace != slug:
            raise Refused(404, "没有这项任务（网页服务重启后，此前的任务记录不再保留）。")
        return page(request, "job.html.j2", user, site=s, job=job)

    @app.get("/w/{slug}/jobs/{job_id}/status")
    async def job_status(request: Request, slug: str, job_id: int, since: int = 0):
        require(request)
        job = jobs.all.get(job_id)
        if job is None or job.workspace != slug:
            return JSONResponse({"error": "not found"}, status_code=404)
        return JSONResponse(job.as_json(max(0, since)))

    # ------------------------------------------------------------------ periods

    def version_or_404(s: Site, period: str, v: int | None) -> data.Version:
        per = parse_period(period)
        found = data.version(s.root, per.label, v)
        if found is None:
            raise Refused(
                404, f"{per.title}还没有生成过通报（或没有版本 v{v}）：请先在工作区首页运行。"
            )
        return found

    @app.get("/w/{slug}/p/{period}", response_class=HTMLResponse)
    async def period_page(request: Request, slug: str, period: str, v: int | None = None):
        user = require(request)
        s = site(slug)
        ver = version_or_404(s, period, v)
        per = parse_period(period)
        groups = await run_in_threadpool(data.scores_by_group, ver)
        return page(
            request,
            "period.html.j2",
            user,
            site=s,
            period=per,
            version=ver,
            versions=data.versions(s.root, per.label),
            groups=groups,
            files=ver.files(),
            latest=data.version(s.root, per.label).number == ver.number,
        )

    @app.get("/w/{slug}/p/{period}/unit", response_class=HTMLResponse)
    async def unit_page(request: Request, slug: str, period: str, name: str, v: int | None = None):
        user = require(request)
        s = site(slug)
        ver = version_or_404(s, period, v)
        rows = await run_in_threadpool(data.ledger, ver, name)
        score = data.unit_score(ver, name)
        if score is None:
            raise Refused(404, f"{ver.name} 的得分表中没有单位「{name}」。")
        statement = (ver.manifest.get("statements") or {}).get(name)
        return page(
            request,
            "unit.html.j2",
            user,
            site=s,
            period=parse_period(period),
            version=ver,
            unit=name,
            rows=rows,
            score=score,
            statement=statement,
        )

    @app.get("/w/{slug}/p/{period}/file/{v}/{path:path}")
    async def download(request: Request, slug: str, period: str, v: int, path: str):
        user = require(request)
        s = site(slug)
        ver = version_or_404(s, period, v)
        base = ver.path.resolve()
        if path.startswith(data.SIGNED + "/"):  # the office's signed bulletin of the version
            base = data.signed_dir(ver).resolve()
            path = path[len(data.SIGNED) + 1 :]
        target = (base / path).resolve()
        if (
            not target.is_relative_to(base)
            or not target.is_file()
            or target.suffix.lower() not in data.DOWNLOAD_SUFFIXES
            or data.not_data(target.relative_to(base))
        ):
            raise Refused(404, "没有这个文件。")
        audit.write(
            user.name,
            address(request),
            "download",
            workspace=slug,
            detail=f"{period}/{base.name}/{target.relative_to(base).as_posix()}",
        )
        return FileResponse(target, filename=target.name, content_disposition_type="attachment")

    # ------------------------------------------------------------------ review questions

    @app.get("/w/{slug}/p/{period}/review", response_class=HTMLResponse)
    async def review_page(request: Request, slug: str, period: str):
        user = require(request)
        s = site(slug)
        ver = version_or_404(s, period, None)
        qs = await run_in_threadpool(data.questions, s.root, ver, parse_period(period))
        return page(
            request,
            "review.html.j2",
            user,
            site=s,
            period=parse_period(period),
            version=ver,
            questions=qs,
        )

    @app.post("/w/{slug}/answer")
    async def answer(request: Request, slug: str):
        from flows.decisions import write_answer

        user, form = await posted(request)
        s = site(slug)
        per = parse_period(str(form.get("period") or ""))
        type_id = str(form.get("type") or "")
        key = str(form.get("key") or "")
        text = str(form.get("other") or "").strip() or str(form.get("choice") or "").strip()
        back = f"/w/{urllib.parse.quote(slug)}/p/{per.label}/review"
        try:
            before = await run_in_threadpool(write_answer, s.root, type_id, key, text)
        except InputError as err:
            refuse(request, user, "answer", err, workspace=slug, detail=f"{type_id} {key} → {text}")
            raise Redirect(back) from None
        audit.write(
            user.name,
            address(request),
            "answer",
            workspace=slug,
            detail=f"{type_id} {key} → {text}" + (f"（原答复：{before}）" if before else ""),
        )
        flash(
            request,
            "ok",
            f"已写入 decisions.csv：「{key}」→「{text}」。答完后请回到工作区首页重新运行，生成新版本。",
        )
        raise Redirect(back)

    # ------------------------------------------------------------------ sending

    @app.get("/w/{slug}/p/{period}/send", response_class=HTMLResponse)
    async def send_page(request: Request, slug: str, period: str):
        user = require(request)
        s = site(slug)
        ws = load(s)
        ver = version_or_404(s, period, None)
        per = parse_period(period)
        sent = await run_in_threadpool(data.deliveries, ws, per.label, ver.number)
        uncertain = [d for d in sent or [] if d["status"] in ("uncertain", "sending")]
        return page(
            request,
            "send.html.j2",
            user,
            site=s,
            ws=ws,
            period=per,
            version=ver,
            deliveries=sent,
            uncertain=uncertain,
            job=jobs.current(slug),
            mail_ready=bool(ws.mail.get("host")),
            signed_send=signed_send_available(),
            signed=data.signed_files(ver),
            eml=[f for f in ver.files() if f.startswith("mail/") and f.endswith(".eml")],
        )

    @app.post("/w/{slug}/p/{period}/send")
    async def send(request: Request, slug: str, period: str):
        s = site(slug)
        limit = _upload_limit(load(s))
        length = request.headers.get("content-length") or ""
        if length.isdigit() and int(length) > limit + 1024 * 1024:
            raise Refused(413, f"签发稿超过上传上限 {limit // (1024 * 1024)} MB，未发送。")
        user, form = await posted(request, admin=True, max_part_size=1024 * 1024)
        per = parse_period(period)
        ver = version_or_404(s, period, None)
        back = f"/w/{urllib.parse.quote(slug)}/p/{per.label}/send"
        if form.get("confirm") != "1":
            flash(request, "error", "请先勾选“我已核对，确认发送”。")
            raise Redirect(back)
        args = ["send", str(s.root), "--period", per.label]
        signed = form.get("bulletin")
        signed_path = None
        if isinstance(signed, UploadFile) and signed.filename and signed_send_available():
            try:
                signed_path = await run_in_threadpool(
                    data.save_signed, home, signed.filename, _chunks(signed), limit
                )
            except InputError as err:
                flash(request, "error", err.format())
                raise Redirect(back) from None
            args += ["--bulletin", str(signed_path)]
            if form.get("resend") == "1":
                args.append("--resend")
        elif ver.draft and form.get("dry_run") != "1":  # a dry run mails nobody
            if form.get("allow_draft") != "1":
                flash(request, "error", "本版是征求意见稿：确需发送，请勾选“征求意见稿也发送”。")
                raise Redirect(back)
            args.append("--allow-draft")
        if form.get("dry_run") == "1":
            args.append("--dry-run")
        mode = form.get("uncertain")
        if mode == "resend":
            args.append("--resend-uncertain")
        elif mode == "confirm":
            args.append("--confirm-uncertain")
        what = f"签发稿 {signed.filename}" if signed_path else "通报"
        if "--dry-run" in args:
            what += "（试运行，不发送）"
        job = start_job(
            request,
            user,
            s,
            "send",
            f"发送 {per.title}{what}（{ver.name}）",
            args,
            per.label,
            cleanup=signed_path,
        )
        raise Redirect(f"/w/{urllib.parse.quote(slug)}/jobs/{job.id}")

    # ------------------------------------------------------------------ the regulation

    async def regulation_page(request, user, s: Site, checked=None, status: int = 200):
        from flows.web import regulation

        if not regulation.available():
            raise Refused(404, "此版本的 kaohe 还不能读取考核办法文件。")
        reg = await run_in_threadpool(regulation.current, s.root)
        return page(
            request, "regulation.html.j2", user, status=status, site=s, reg=reg, checked=checked
        )

    async def uploaded_toml(request: Request, form, back: str) -> tuple[bytes, str]:
        f = form.get("file")
        if not isinstance(f, UploadFile) or not f.filename:
            flash(request, "error", "请选择考核办法文件（.toml）。")
            raise Redirect(back)
        name = data.safe_name(f.filename.replace("\\", "/").rsplit("/", 1)[-1])
        if not name.lower().endswith(".toml"):
            flash(request, "error", f"「{name}」不是考核办法文件：应为 .toml 文件。")
            raise Redirect(back)
        raw = b"".join(_chunks(f))
        if len(raw) > 4 * 1024 * 1024:
            flash(request, "error", f"「{name}」太大（超过 4 MB），不像考核办法文件。")
            raise Redirect(back)
        return raw, name

    @app.get("/w/{slug}/regulation", response_class=HTMLResponse)
    async def regulation_show(request: Request, slug: str):
        user = require(request)
        return await regulation_page(request, user, site(slug))

    @app.get("/w/{slug}/regulation/file")
    async def regulation_file(request: Request, slug: str):
        from flows import settings as toml_settings

        user = require(request)
        s = site(slug)
        own = getattr(toml_settings.load(s.root), "regulation", None)
        target = (s.root / own).resolve() if own else None
        if target is None or not target.is_relative_to(s.root) or not target.is_file():
            raise Refused(404, "本工作区没有自己的考核办法文件。")
        audit.write(user.name, address(request), "download", workspace=slug, detail=own)
        return FileResponse(target, filename=target.name, content_disposition_type="attachment")

    @app.post("/w/{slug}/regulation/check", response_class=HTMLResponse)
    async def regulation_check(request: Request, slug: str):
        from flows.web import regulation

        user, form = await posted(request, max_part_size=4 * 1024 * 1024)
        s = site(slug)
        raw, name = await uploaded_toml(request, form, f"/w/{urllib.parse.quote(slug)}/regulation")
        summary, problems = await run_in_threadpool(regulation.check_bytes, raw, name)
        audit.write(
            user.name,
            address(request),
            "regulation check",
            workspace=slug,
            detail=name,
            outcome="ok" if not problems else f"{len(problems)} problems",
        )
        checked = {"name": name, "summary": summary, "problems": problems}
        return await regulation_page(request, user, s, checked)

    @app.post("/w/{slug}/regulation/replace")
    async def regulation_replace(request: Request, slug: str):
        from flows.web import regulation

        user, form = await posted(request, admin=True, max_part_size=4 * 1024 * 1024)
        s = site(slug)
        back = f"/w/{urllib.parse.quote(slug)}/regulation"
        if form.get("confirm") != "1":
            flash(request, "error", "请先勾选确认后再替换。")
            raise Redirect(back)
        raw, name = await uploaded_toml(request, form, back)
        if workspace_busy(s.root) or jobs.current(slug) is not None:
            raise Refused(409, "工作区正在生成或发送通报，请等它结束后再替换考核办法文件。")
        try:
            own = await run_in_threadpool(regulation.replace, s.root, raw, name)
        except InputError as err:
            refuse(request, user, "regulation replace", err, workspace=slug, detail=name)
            raise Redirect(back) from None
        audit.write(
            user.name,
            address(request),
            "regulation replace",
            workspace=slug,
            detail=f"{name} → {own}",
        )
        flash(request, "ok", f"已用 {name} 替换 {own}：下次生成通报时按新文件计分。")
        raise Redirect(back)

    # ------------------------------------------------------------------ accounts, audit

    @app.get("/account", response_class=HTMLResponse)
    async def account_page(request: Request):
        user = require(request)
        return page(request, "account.html.j2", user)

    @app.post("/account")
    async def account_change(request: Request):
        user, form = await posted(request)
        ip = address(request)
        new = str(form.get("new") or "")
        ok = await run_in_threadpool(accounts.authenticate, user.name, str(form.get("old") or ""))
        try:
            if ok is None:
                raise InputError("原密码不正确，密码未修改。")
            if new != str(form.get("again") or ""):
                raise InputError("两次输入的新密码不一致，密码未修改。")
            accounts.set(user.name, user.role, new)
        except InputError as err:
            audit.write(user.name, ip, "password change", outcome=f"refused: {err.format()}")
            flash(request, "error", err.format())
            raise Redirect("/account") from None
        audit.write(user.name, ip, "password change")
        response = RedirectResponse("/", status_code=303)
        # the old sessions end with the old password; this one goes on with the new
        response.set_cookie(
            SESSION_COOKIE,
            sessions.make(accounts.get(user.name)),
            httponly=True,
            samesite="strict",
            secure=secure,
        )
        return response

    @app.get("/admin/users", response_class=HTMLResponse)
    async def users_page(request: Request):
        user = require(request, admin=True)
        return page(
            request,
            "users.html.j2",
            user,
            users=sorted(accounts.load().values(), key=lambda u: u.name),
        )

    @app.post("/admin/users")
    async def users_add(request: Request):
        user, form = await posted(request, admin=True)
        name = str(form.get("name") or "").strip()
        role = str(form.get("role") or "")
        try:
            new = accounts.set(name, role, str(form.get("password") or ""))
        except InputError as err:
            refuse(request, user, "account set", err, detail=name)
            raise Redirect("/admin/users") from None
        audit.write(user.name, address(request), "account set", detail=f"{name} {role}")
        flash(request, "ok", f"已{'添加' if new else '修改'}账号 {name}（{ROLES[role]}）。")
        raise Redirect("/admin/users")

    @app.post("/admin/users/remove")
    async def users_remove(request: Request):
        user, form = await posted(request, admin=True)
        name = str(form.get("name") or "")
        if name == user.name:
            flash(request, "error", "不能删除自己正在使用的账号。")
            raise Redirect("/admin/users")
        removed = accounts.remove(name)
        audit.write(
            user.name,
            address(request),
            "account remove",
            detail=name,
            outcome="ok" if removed else "not found",
        )
        flash(
            request,
            "ok" if removed else "error",
            f"已删除账号 {name}。" if removed else f"没有账号 {name}。",
        )
        raise Redirect("/admin/users")

    @app.get("/admin/audit", response_class=HTMLResponse)
    async def audit_page(request: Request):
        user = require(request, admin=True)
        return page(request, "audit.html.j2", user, entries=audit.tail(300))

    app.state.sites = sites
    app.state.audit = audit
    return app


def _regulation_available() -> bool:
    from flows.web import regulation

    return regulation.available()


def signed_send_available() -> bool:
    """True when `kaohe send` takes the office's signed bulletin (`--bulletin FILE`)."""
    from flows.cli import send

    return any(p.name == "bulletin" for p in send.params)


def _remove_upload(path: Path | str) -> None:
    path = Path(path)
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()
    except OSError:
        pass


def _local(url: str) -> str:
    """Only a path of this site (no scheme, no host) to go back to after the login."""
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def _upload_limit(ws: Workspace) -> int:
    mb = ws.settings.web.max_upload_mb if ws.settings is not None else 64
    return mb * 1024 * 1024


def _chunks(f: UploadFile, size: int = 1024 * 1024):
    f.file.seek(0)
    while chunk := f.file.read(size):
        yield chunk


def _quarter_ended(timezone: str) -> str:
    from zoneinfo import ZoneInfo

    from flows.schedule import quarter_just_ended

    return quarter_just_ended(datetime.now(ZoneInfo(timezone)), timezone).label
