"""Reading and writing runs through SQLAlchemy (any URL: SQLite file, PostgreSQL)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, delete, inspect, make_url, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from store.models import Delivery, LedgerRow, Run, ScoreRow, SignedBulletin
from transforms import schema
from transforms.errors import InputError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: seconds a SQLite connection waits for another process's write lock before it fails
#: ("database is locked"): Dask workers record their deliveries in one file concurrently
SQLITE_BUSY_TIMEOUT = 60
#: the revision whose schema `create_all` made before migrations existed
FIRST_REVISION = "0001"


def _clean(value):
    """Polars nulls and NaN become SQL NULL."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def migrate(connection: Connection) -> None:
    """Create or upgrade the schema to the newest migration (`alembic upgrade head`).

    A database made by an older kaohe with `create_all` has the tables of the first
    migration but no `alembic_version`; it is stamped at that revision, then upgraded."""
    tables = set(inspect(connection).get_table_names())
    cfg = alembic_config(connection)
    if "runs" in tables and "alembic_version" not in tables:
        command.stamp(cfg, FIRST_REVISION)
    command.upgrade(cfg, "head")


class RunConflict(Exception):
    """A run would take the (workspace, period, version) of a recorded one."""

    def __init__(self, period: str, version: int):
        super().__init__(f"{period} v{version} is recorded already")
        self.period = period
        self.version = version


def _of(query, workspace: str | Sequence[str] | None):
    """`query` (over Run) limited to the runs of `workspace`, an id or the ids a
    workspace answers to (flows.outputs.Identity.ids); None: no limit."""
    if workspace is None:
        return query
    if isinstance(workspace, str):
        return query.where(Run.workspace == workspace)
    return query.where(Run.workspace.in_(list(workspace)))


_AGAIN = "然后重新运行"


def database_problem(err: BaseException) -> str | None:
    """The Chinese line for a database that is damaged, read-only, full, locked or cannot
    be reached; None for any other error (a wrong statement is kaohe's bug and keeps its
    traceback). Only the driver's own words are shown: str(err) holds the SQL and its
    parameters."""
    if not isinstance(err, sa_exc.OperationalError | sa_exc.DatabaseError) or isinstance(
        err, sa_exc.ProgrammingError | sa_exc.IntegrityError | sa_exc.DataError
    ):
        return None
    lines = str(getattr(err, "orig", None) or type(err).__name__).strip().splitlines()
    reason = lines[0] if lines else type(err).__name__
    low = reason.lower()
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return (
            f"数据库文件已损坏或不是 kaohe 的数据库（{reason}）。请从备份恢复 kaohe.db"
            "（或 kaohe.toml [database] url 所指的数据库）后重新运行；它记录了已发送的邮件，"
            "请勿直接删除"
        )
    if "readonly" in low or "read-only" in low:
        return f"数据库是只读的，无法写入（{reason}）。请把工作区放在可写的位置，{_AGAIN}"
    if "disk is full" in low or "no space" in low:
        return f"磁盘空间已满，数据库无法写入（{reason}）。请清理磁盘空间，{_AGAIN}"
    if "locked" in low:
        return f"数据库正被其他程序占用（{reason}）。请等它结束后重新运行"
    if isinstance(err, sa_exc.OperationalError):
        return (
            f"无法使用数据库（{reason}）。请检查 kaohe.toml [database] url 是否正确、"
            "数据库服务器能否连接，然后重新运行"
        )
    return None


class DatabaseUnavailable(InputError):
    """The database cannot be opened or used (damaged, read-only, unreachable …): one
    Chinese line naming it, without the SQL."""


@dataclass
class Store:
    engine: Engine

    @classmethod
    def open(cls, url: str, *, migrate_schema: bool = True) -> Store:
        """A store on `url`, its schema migrated to the newest revision unless
        `migrate_schema` is false (a worker of a run whose process has migrated it)."""
        connect_args = {}
        if make_url(url).get_backend_name() == "sqlite":
            # Several processes write one SQLite file (the Dask runner's workers): a writer
            # waits for the lock instead of failing at once. The driver starts a transaction
            # only at the first write, so no transaction reads before it writes and waiting
            # cannot deadlock.
            connect_args["timeout"] = SQLITE_BUSY_TIMEOUT
        engine = create_engine(url, future=True, connect_args=connect_args)
        if migrate_schema:
            try:
                with engine.begin() as conn:
                    migrate(conn)
            except sa_exc.SQLAlchemyError as err:
                engine.dispose()
                problem = database_problem(err)
                if problem is None:
                    raise
                shown = make_url(url).render_as_string(hide_password=True)
                raise DatabaseUnavailable(f"数据库 {shown}：{problem}") from None
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def latest_run(
        self, period: str, *, workspace: str | Sequence[str] | None = None
    ) -> Run | None:
        """The complete run of `period` with the highest version (of `workspace` when
        given; None looks at every workspace's runs)."""
        with Session(self.engine) as s:
            q = select(Run).where(Run.period == period, Run.status == "complete")
            return s.scalars(_of(q, workspace).order_by(Run.version.desc()).limit(1)).first()

    def runs(self, period: str, *, workspace: str | Sequence[str] | None) -> list[Run]:
        """Every run of `period` of `workspace` (None: the runs no workspace has claimed),
        pending or complete, in version order."""
        with Session(self.engine) as s:
            q = select(Run).where(Run.period == period)
            q = q.where(Run.workspace.is_(None)) if workspace is None else _of(q, workspace)
            return list(s.scalars(q.order_by(Run.version)).all())

    def record_run(
        self,
        *,
        scheme: str,
        period: str,
        version: int,
        inputs_hash: str,
        started_at: datetime,
        output_dir: str,
        manifest: dict,
        ledger: pl.DataFrame,
        scores: pl.DataFrame,
        workspace: str | None = None,
        status: str = "complete",
    ) -> int:
        """Store a run with its whole ledger and scores in one transaction.

        A run never replaces another and its deliveries are never deleted: a (workspace,
        period, version) that is already recorded raises RunConflict, except a pending row
        that has no deliveries (a run that died before publishing its folder), which is
        replaced."""
        with Session(self.engine) as s, s.begin():
            q = select(Run).where(Run.period == period, Run.version == version)
            q = q.where(Run.workspace.is_(None)) if workspace is None else _of(q, workspace)
            for old in s.scalars(q):
                sent = s.scalars(select(Delivery.id).where(Delivery.run_id == old.id)).first()
                if old.status != "pending" or sent is not None:
                    raise RunConflict(period, version)
                s.execute(delete(LedgerRow).where(LedgerRow.run_id == old.id))
                s.execute(delete(ScoreRow).where(ScoreRow.run_id == old.id))
                s.delete(old)
            s.flush()
            run = Run(
                scheme=scheme,
                period=period,
                version=version,
                inputs_hash=inputs_hash,
                started_at=started_at,
                finished_at=datetime.now(started_at.tzinfo),
                output_dir=output_dir,
                manifest=manifest,
                workspace=workspace,
                status=status,
            )
            s.add(run)
            s.flush()
            ledger_rows = [
                {k: _clean(v) for k, v in row.items()} | {"run_id": run.id}
                for row in schema.conform(ledger, schema.LEDGER).iter_rows(named=True)
            ]
            score_rows = [
                {k: _clean(v) for k, v in row.items()} | {"run_id": run.id}
                for row in schema.conform(scores, schema.SCORES).iter_rows(named=True)
            ]
            if ledger_rows:
                s.execute(LedgerRow.__table__.insert(), ledger_rows)
            if score_rows:
                s.execute(ScoreRow.__table__.insert(), score_rows)
            return run.id

    def update_run(self, run_id: int, **fields) -> None:
        """Set `fields` of a run (status, workspace, output_dir, manifest); never its
        ledger, scores or deliveries."""
        with Session(self.engine) as s, s.begin():
            run = s.get(Run, run_id)
            for k, v in fields.items():
                setattr(run, k, v)

    def drop_pending(self, run_id: int) -> bool:
        """Delete a pending run that has no deliveries (its folder was never published);
        False, and nothing deleted, for any other run."""
        with Session(self.engine) as s, s.begin():
            run = s.get(Run, run_id)
            if run is None or run.status != "pending":
                return False
            if s.scalars(select(Delivery.id).where(Delivery.run_id == run_id)).first():
                return False
            s.execute(delete(LedgerRow).where(LedgerRow.run_id == run_id))
            s.execute(delete(ScoreRow).where(ScoreRow.run_id == run_id))
            s.delete(run)
            return True

    def ledger(self, run_id: int) -> pl.DataFrame:
        return self._frame(LedgerRow, schema.LEDGER, run_id)

    def scores(self, run_id: int) -> pl.DataFrame:
        return self._frame(ScoreRow, schema.SCORES, run_id)

    def _frame(self, model, contract: dict, run_id: int) -> pl.DataFrame:
        """A run's rows of `model` as a frame with the columns of `contract`."""
        with Session(self.engine) as s:
            rows = s.execute(
                select(*[getattr(model, c) for c in contract])
                .where(model.run_id == run_id)
                .order_by(model.id)
            ).all()
        return pl.DataFrame([tuple(r) for r in rows], schema=contract, orient="row")

    # ------------------------------------------------------------------ runs and mail

    def run(
        self, period: str, version: int, *, workspace: str | Sequence[str] | None = None
    ) -> Run | None:
        """The run of (period, version) of `workspace` (when given), pending or complete."""
        with Session(self.engine) as s:
            q = select(Run).where(Run.period == period, Run.version == version)
            return s.scalars(_of(q, workspace)).first()

    def deliveries(self, run_id: int, bulletin: str = "") -> dict[tuple[str, str], Delivery]:
        """The run's delivery rows of one bulletin ("" the run's own, else a signed one's
        sha256) keyed by (unit, address)."""
        with Session(self.engine) as s:
            rows = s.scalars(
                select(Delivery).where(Delivery.run_id == run_id, Delivery.bulletin == bulletin)
            ).all()
        return {(d.unit, d.address): d for d in rows}

    def delivery_rows(self, run_id: int) -> list[Delivery]:
        """Every delivery row of the run, whatever bulletin it carried."""
        with Session(self.engine) as s:
            return list(
                s.scalars(
                    select(Delivery).where(Delivery.run_id == run_id).order_by(Delivery.id)
                ).all()
            )

    def delivery(self, run_id: int, unit: str, address: str, bulletin: str = "") -> Delivery | None:
        """The delivery row of (run, unit, address, bulletin), if any."""
        with Session(self.engine) as s:
            return s.scalars(
                select(Delivery).where(
                    Delivery.run_id == run_id,
                    Delivery.unit == unit,
                    Delivery.address == address,
                    Delivery.bulletin == bulletin,
                )
            ).first()

    def signed_bulletin(self, run_id: int, sha256: str) -> SignedBulletin | None:
        with Session(self.engine) as s:
            return s.scalars(
                select(SignedBulletin).where(
                    SignedBulletin.run_id == run_id, SignedBulletin.sha256 == sha256
                )
            ).first()

    def signed_bulletins(self, run_id: int) -> list[SignedBulletin]:
        """The signed bulletins recorded for the run, oldest first."""
        with Session(self.engine) as s:
            return list(
                s.scalars(
                    select(SignedBulletin)
                    .where(SignedBulletin.run_id == run_id)
                    .order_by(SignedBulletin.id)
                ).all()
            )

    def record_signed_bulletin(self, run, **fields) -> SignedBulletin:
        """The record of a signed bulletin of `run` (by its sha256), made when new."""
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            row = s.scalars(
                select(SignedBulletin).where(
                    SignedBulletin.run_id == run.id, SignedBulletin.sha256 == fields["sha256"]
                )
            ).first()
            if row is None:
                row = SignedBulletin(
                    run_id=run.id, period=run.period, version=run.version, **fields
                )
                s.add(row)
            return row

    def last_sent_version(
        self, period: str, unit: str, before: int, *, workspace: str | Sequence[str] | None = None
    ) -> int | None:
        """The newest version of `period` older than `before` that reached the unit (from
        `workspace`, when given)."""
        with Session(self.engine) as s:
            return s.scalars(
                _of(select(Delivery.version).join(Run, Run.id == Delivery.run_id), workspace)
                .where(
                    Delivery.period == period,
                    Delivery.unit == unit,
                    Delivery.status == "sent",
                    Delivery.version < before,
                )
                .order_by(Delivery.version.desc())
                .limit(1)
            ).first()

    def save_delivery(self, run, unit: str, address: str, bulletin: str = "", **fields) -> None:
        """Insert or update the row of (run, unit, address, bulletin) with `fields`;
        committed at once so that a crash right after leaves the outcome on record. `run` is
        a Run or anything with its `id`, `period` and `version` (flows.delivery.RunRef)."""
        with Session(self.engine) as s, s.begin():
            row = s.scalars(
                select(Delivery).where(
                    Delivery.run_id == run.id,
                    Delivery.unit == unit,
                    Delivery.address == address,
                    Delivery.bulletin == bulletin,
                )
            ).first()
            if row is None:
                row = Delivery(
                    run_id=run.id,
                    period=run.period,
                    version=run.version,
                    unit=unit,
                    address=address,
                    attempts=0,
                    correction=False,
                    bulletin=bulletin,
                )
                s.add(row)
            for k, v in fields.items():
                setattr(row, k, v)
