"""The quarterly bulletin flow (季度通报流程): ingest → match → group → score → render.

The flow only wires the steps of `flows.steps` and does the IO of a run: it reads the
workspace, writes one whole output version and records the run in the store. A rerun with
unchanged inputs writes nothing and says so.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows import outputs, steps
from flows.dask_runner import batch_size, started_runner
from flows.memory import release_free_memory
from flows.outputs import Identity
from flows.render import (
    ReportContext,
    render_bulletin_and_exports,
    render_outputs,
    render_statement_batch,
    shared_statements,
    statement_batches,
    statement_jobs,
    statement_stems,
)
from flows.workspace import Workspace, not_data
from schemes.contract import ScoreResult
from store.repository import Store
from transforms import changes as ch
from transforms import review
from transforms.periods import Period


@dataclass
class RunOutcome:
    """What a run did: the version folder written, or why none was."""

    period: str
    version_dir: Path | None
    created: bool
    message: str
    result: ScoreResult | None = None


def _echo(progress, text: str) -> None:
    if progress is not None:
        progress(text)


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(ws: Workspace) -> steps.Inputs:
    return steps.ingest(ws)


@task(name="match-and-group", cache_policy=NO_CACHE)
def match_task(inputs: steps.Inputs, ws: Workspace) -> steps.Matched:
    return steps.match_and_group(inputs, ws.scheme)


@task(name="score", cache_policy=NO_CACHE)
def score_task(matched: steps.Matched, ws: Workspace, period: Period) -> ScoreResult:
    return steps.score(matched, ws.scheme, period)


@task(name="render", cache_policy=NO_CACHE)
def render_task(tmp: Path, ctx: ReportContext, progress: Any = None) -> list[Path]:
    def on_statement(done: int, total: int, unit: str) -> None:
        if progress is not None and (done == total or done % 10 == 0):
            progress(f"  单位得分说明 {done}/{total}")

    return render_outputs(tmp, ctx, on_statement)


#: statements per Dask task: a task run costs ~5 ms of Prefect bookkeeping, a statement ~0.1 s
DASK_BATCH = 50


@task(name="render-statements", cache_policy=NO_CACHE)
def render_batch_task(st_dir: str, jobs: list) -> list[str]:
    return render_statement_batch(st_dir, jobs)


def render_on_dask(
    tmp: Path, ctx: ReportContext, ws: Workspace, progress: Any = None
) -> list[Path]:
    """The outputs of `render_outputs`, with the statements rendered in batches of
    DASK_BATCH as Prefect tasks on the workspace's Dask task runner while this process
    renders the bulletin and the exports."""
    st_dir = tmp / "statements"
    st_dir.mkdir(parents=True, exist_ok=True)
    jobs = statement_jobs(ctx)
    size = batch_size(len(jobs), DASK_BATCH)
    batches = statement_batches(jobs, size)
    _echo(progress, f"  在 Dask 上分批生成得分说明：{len(batches)} 批，每批至多 {size} 个单位")
    done = 0
    statements: list[Path] = []
    with started_runner(ws) as runner:
        futures = [
            runner.submit(render_batch_task, {"st_dir": str(st_dir), "jobs": b}) for b in batches
        ]
        others = render_bulletin_and_exports(tmp, ctx)
        for fut, batch in zip(futures, batches, strict=True):
            statements += [Path(p) for p in fut.result()]
            done += len(batch)
            _echo(progress, f"  单位得分说明 {done}/{len(jobs)}")
    return others[:2] + statements + others[2:]


def _data_only(manifest: dict | None, ws: Workspace, per: Period) -> dict | None:
    """A manifest as if its version had hashed only data: versions written before lock,
    temporary and hidden files were left out (`flows.workspace.not_data`) may list an
    Excel lock file `~$…xlsx` that has since disappeared, which is no change of the data."""
    if not manifest or not manifest.get("inputs"):
        return manifest
    data = {p: h for p, h in manifest["inputs"].items() if not not_data(p)}
    if len(data) == len(manifest["inputs"]):
        return manifest
    manifest = {**manifest, "inputs": data}
    if manifest.get("kaohe") == outputs.KAOHE_VERSION:  # the hash is of this kaohe's
        manifest["inputs_hash"] = outputs.inputs_hash(data, ws.scheme_id, per.label)
    return manifest


def _recorded_as(run: Any, manifest: dict | None, data: dict | None, ident: Identity) -> bool:
    """True when `run` (a Run or None) is the complete record of the folder of `manifest`
    written by workspace `ident`: the same inputs, as hashed then or over its data only
    (`data`, see `_data_only`)."""
    if run is None or manifest is None or run.status != "complete":
        return False
    hashes = {manifest.get("inputs_hash"), (data or {}).get("inputs_hash")}
    return manifest.get("workspace") in (None, *ident.ids) and run.inputs_hash in hashes


def store_versions(store: Store, per: Period, ident: Identity) -> list[int]:
    """The versions of the period the workspace's database holds (their folders may be
    gone): a new version never takes a recorded number."""
    return [r.version for r in store.runs(per.label, workspace=ident.ids)]


def _record_and_publish(
    store: Store,
    ws: Workspace,
    per: Period,
    ident: str,
    tmp: Path,
    period_dir: Path,
    version: int,
    restore: Any,
    *,
    ihash: str,
    started: datetime,
    manifest: dict,
    result: ScoreResult,
) -> Path:
    """Record the run as pending, publish its folder, mark it complete: killed between
    any two steps, the next run or send finishes or undoes it (`outputs.reconcile`). A
    restored version (`restore`, its folder deleted) keeps its row and deliveries."""
    final = period_dir / f"v{version}"
    if restore is not None:
        final = outputs.publish(tmp, period_dir, version)
        outputs.fault_point("published")
        store.update_run(restore.id, output_dir=str(final), manifest=manifest)
        return final
    run_id = store.record_run(
        scheme=ws.scheme_id,
        period=per.label,
        version=version,
        inputs_hash=ihash,
        started_at=started,
        output_dir=str(final),
        manifest=manifest,
        ledger=result.ledger,
        scores=result.scores,
        workspace=ident,
        status="pending",
    )
    outputs.fault_point("recorded")
    try:
        outputs.publish(tmp, period_dir, version)
    except BaseException:
        store.drop_pending(run_id)
        raise
    outputs.fault_point("published")
    store.update_run(run_id, status="complete")
    return final


def run_period(
    workspace: str | Path,
    period: str,
    issued: date | None = None,
    progress: Any = None,
    force: bool = False,
    checked: steps.Inputs | None = None,
) -> RunOutcome:
    """Run a period end to end (inside a flow when called from `quarterly_bulletin`).

    `force` writes a new version even when the inputs are unchanged (after an upgrade of
    kaohe or of its templates). `checked` are the inputs `steps.check` read before the
    flow started (`kaohe run`): used when the files still have the hashes they had then,
    instead of reading them again; its submission log is emptied once the period's rows are
    taken (`steps.release_submissions`)."""
    ws = Workspace.load(workspace)
    per = Period.parse(period)
    with outputs.workspace_lock(ws.root):
        outputs.remove_stale_staging(ws.root / "out")  # left by a killed run
        ident = outputs.workspace_identity(ws.root, ws.database_url)
        if ident.note:
            _echo(progress, ident.note)
        hashes = ws.input_hashes()
        ihash = outputs.inputs_hash(hashes, ws.scheme_id, per.label)
        period_dir = ws.out_dir(per.label)
        store = Store.open(ws.database_url)
        try:
            for line in outputs.reconcile(store, ident, period_dir, per.label):
                _echo(progress, line)
            recorded = {r.version: r for r in store.runs(per.label, workspace=ident.ids)}
        finally:
            store.close()
        previous_dir = outputs.latest_version_dir(period_dir)
        raw_previous = outputs.read_manifest(previous_dir)
        previous = _data_only(raw_previous, ws, per)
        # The folder counts as the current version only when this workspace's database
        # holds it with the same inputs: a folder copied from another workspace, or one
        # whose recording was lost, gets a new version that is recorded.
        known = previous_dir is not None and _recorded_as(
            recorded.get(int(previous_dir.name[1:])), raw_previous, previous, ident
        )
        if known and previous.get("inputs_hash") == ihash and not force:
            message = f"输入数据与 {previous_dir.name} 相同，未生成新版本：{previous_dir}"
            if previous.get("draft"):
                message += "\n" + review.draft_notice(
                    str(previous_dir / "review.csv"), previous.get("open_questions") or {}
                )
            return RunOutcome(per.label, previous_dir, False, message)
        # The newest recorded version's folder was deleted (after it was mailed) and the
        # inputs are the same: it is written again under its number, so that its
        # deliveries keep counting and nobody is mailed twice.
        newest = recorded[max(recorded)] if recorded else None
        restore = (
            newest
            if newest is not None
            and not force
            and newest.status == "complete"
            and newest.inputs_hash == ihash
            and not (period_dir / f"v{newest.version}").exists()
            else None
        )

        _echo(progress, "读取输入数据…")
        started = datetime.now(ZoneInfo(ws.timezone))
        if checked is not None and checked.hashes == hashes:
            inputs = checked
        else:
            inputs = ingest_task(ws)
        _echo(
            progress,
            f"  录用 {inputs.adoptions.height} 条，报送 {inputs.submissions.height} 条，"
            f"事项 {inputs.events.height} 条",
        )
        # A scheduled run before the quarter's data is in must not mail zeros to all.
        steps.require_data(inputs, per)
        _echo(progress, "匹配单位、归并同一篇信息…")
        matched = match_task(inputs, ws)
        open_counts = review.open_questions(matched.review, per)
        _echo(progress, f"  待核实 {matched.review.height} 项")
        _echo(progress, f"按《{ws.scheme.title}》计分…")
        result = score_task(matched, ws, per)

        store = Store.open(ws.database_url)
        try:
            last_run = store.latest_run(per.label, workspace=ident.ids)
            before_scores = store.scores(last_run.id) if last_run else None
            before_ledger = store.ledger(last_run.id) if last_run else None
            changes = None
            # what the next run compares with: the answers in force, the period's rows
            decisions = ch.decision_records(inputs.decisions)
            before_files = {r.get("file") for r in (previous or {}).get("adoption_rows") or []}
            adoption_rows = ch.adoption_records(inputs.adoptions, per, sorted(before_files))
            if previous is not None:
                changes = {
                    "previous": previous.get("version"),
                    "inputs": outputs.diff_inputs(previous.get("inputs"), hashes),
                    "decisions": ch.diff_decisions(previous.get("decisions"), decisions),
                    "rows": ch.diff_adoption_rows(
                        previous.get("adoption_rows"), adoption_rows, per
                    ),
                    "units": ch.diff_scores(before_scores, result.scores),
                    "ledger": ch.diff_ledgers(before_ledger, result.ledger),
                }
                _echo(progress, ch.describe_changes(changes))
            if restore is not None:
                # the same version again: what it said it changed, as it said it
                changes = (restore.manifest or {}).get("changes")
                next_version = restore.version
                _echo(
                    progress,
                    f"v{restore.version} 的文件夹已被删除（数据库中仍有其记录），输入数据未变，按原版本号重新生成",
                )
            else:
                next_version = (
                    max([*outputs.versions(period_dir), *store_versions(store, per, ident)] or [0])
                    + 1
                )
            # the period's own roster (机构改革): what was scored is what is described
            scored = steps.period_inputs(matched, ws.scheme, per).inputs
            ctx = ReportContext(
                scheme=ws.scheme,
                office=ws.office,
                period=per,
                result=result,
                units=scored.units,
                adoptions=scored.adoptions,
                adoption_units=scored.adoption_units,
                submissions=steps.report_submissions(scored.submissions, per),
                events=scored.events,
                links=matched.links,
                review=matched.review,
                issued=issued or started.date(),
                version=next_version,
                doc_number=ws.doc_number,
                # a correction (更正说明) only of something issued: not of drafts alone
                changes=changes if _issued_before(store, period_dir, per, ident) else None,
            )
            counts = {
                "units": result.scores.height,
                "adoptions": inputs.adoptions.height,
                "submissions": inputs.submissions.height,
                "events": inputs.events.height,
                "ledger_rows": result.ledger.height,
                "review": matched.review.height,
            }
            # the year's log is not rendered: only the period's rows (ctx.submissions)
            del scored
            steps.release_submissions(inputs, matched)
            release_free_memory()  # what matching freed, before the render's workers grow
            if ws.requirements:
                ctx.requirements = ws.requirements
            if ws.recipients:
                ctx.recipients = ws.recipients
            if raw_previous and raw_previous.get("kaohe") == outputs.KAOHE_VERSION:
                ctx.reuse = previous_dir  # unchanged statements are shared, not written again
            _echo(progress, "生成通报与各单位得分说明…")
            with outputs.staging(period_dir) as tmp:
                stems = statement_stems(result.scores["unit"].to_list())
                if ws.task_runner == "dask":
                    render_on_dask(tmp, ctx, ws, progress)
                else:
                    render_task(tmp, ctx, progress)
                changed = len(stems) - shared_statements(tmp / "statements")
                if ctx.reuse is not None:
                    _echo(
                        progress,
                        f"  得分说明有变化的 {changed} 份；其余 {len(stems) - changed} 份与 "
                        f"{previous_dir.name} 相同，与之共用文件，不另占磁盘",
                    )
                manifest = {
                    "scheme": ws.scheme_id,
                    "period": per.label,
                    "version": next_version,
                    "created": started.isoformat(timespec="seconds"),
                    "issued": ctx.issued.isoformat(),  # the bulletin's 落款 date
                    "kaohe": outputs.KAOHE_VERSION,
                    "inputs_hash": ihash,
                    "inputs": hashes,
                    "counts": counts,
                    "changes": changes,
                    # open questions that change points: a draft (征求意见稿), not mailed
                    "draft": bool(open_counts),
                    "open_questions": open_counts,
                    "decisions": decisions,
                    "adoption_rows": adoption_rows,
                    # who wrote this version and which run of the database it is
                    "workspace": ident.id,
                    "run": uuid.uuid4().hex,
                    # each unit's statement, as kaohe send attaches it
                    "statements": {unit: f"statements/{stem}.pdf" for unit, stem in stems.items()},
                    # statements written anew (the others are hard links to the previous version's)
                    "statements_changed": changed,
                    # the bulletin's files (PDF, Word, the long 采用目录 apart) and their sha256
                    "bulletin": outputs.bulletin_files(tmp),
                }
                outputs.write_manifest(tmp / "manifest.json", manifest)
                final = _record_and_publish(
                    store,
                    ws,
                    per,
                    ident.id,
                    tmp,
                    period_dir,
                    next_version,
                    restore,
                    ihash=ihash,
                    started=started,
                    manifest=manifest,
                    result=result,
                )
        finally:
            store.close()
        if matched.review.height:
            _echo(
                progress,
                f"待核实 {matched.review.height} 项 → {final / 'review.csv'}"
                "（未写入公开通报的内容见 office_note.txt）",
            )
        message = f"已生成 {final.name}：{final}"
        if open_counts:
            message += "\n" + review.draft_notice(str(final / "review.csv"), open_counts)
        return RunOutcome(per.label, final, True, message, result)


def _issued_before(store: Store, period_dir: Path, period: Period, ident: Identity) -> bool:
    """True when an earlier version of the period was issued: not a draft (征求意见稿), or
    a draft mailed to some unit anyway (`kaohe send --allow-draft`)."""
    for v in outputs.versions(period_dir):
        manifest = outputs.read_manifest(period_dir / f"v{v}") or {}
        if not manifest.get("draft"):
            return True
        run = store.run(period.label, v, workspace=ident.ids)
        if run is not None and any(d.status == "sent" for d in store.delivery_rows(run.id)):
            return True
    return False


@flow(name="quarterly-bulletin", log_prints=False)
def quarterly_bulletin(
    workspace: str,
    period: str,
    issued: date | None = None,
    progress: Any = None,
    force: bool = False,
    checked: Any = None,
) -> RunOutcome:
    """Score one period of a workspace and write its bulletin, statements and exports.

    `checked`: the inputs `steps.check` read before the flow started (see `run_period`)."""
    return run_period(
        workspace, period, issued=issued, progress=progress, force=force, checked=checked
    )
