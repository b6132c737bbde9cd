"""Reading and writing runs through SQLAlchemy (any URL: SQLite file, PostgreSQL)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import polars as pl
from sqlalchemy import create_engine, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from store.models import Base, LedgerRow, Run, ScoreRow
from transforms import schema


def _clean(value):
    """Polars nulls and NaN become SQL NULL."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclass
class Store:
    engine: Engine

    @classmethod
    def open(cls, url: str) -> Store:
        engine = create_engine(url, future=True)
        Base.metadata.create_all(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def latest_run(self, period: str) -> Run | None:
        with Session(self.engine) as s:
            return s.scalars(
                select(Run).where(Run.period == period).order_by(Run.version.desc()).limit(1)
            ).first()

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
    ) -> int:
        """Store a run with its whole ledger and scores in one transaction."""
        with Session(self.engine) as s, s.begin():
            # A version number is the output folder's; a stale row (folder removed by hand)
            # is replaced as a whole, never patched.
            old = s.scalars(select(Run).where(Run.period == period, Run.version == version))
            for run in old:
                s.execute(delete(LedgerRow).where(LedgerRow.run_id == run.id))
                s.execute(delete(ScoreRow).where(ScoreRow.run_id == run.id))
                s.delete(run)
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

    def ledger(self, run_id: int) -> pl.DataFrame:
        cols = list(schema.LEDGER)
        with Session(self.engine) as s:
            rows = s.execute(
                select(*[getattr(LedgerRow, c) for c in cols])
                .where(LedgerRow.run_id == run_id)
                .order_by(LedgerRow.id)
            ).all()
        return pl.DataFrame([tuple(r) for r in rows], schema=schema.LEDGER, orient="row")

    def scores(self, run_id: int) -> pl.DataFrame:
        cols = list(schema.SCORES)
        with Session(self.engine) as s:
            rows = s.execute(
                select(*[getattr(ScoreRow, c) for c in cols])
                .where(ScoreRow.run_id == run_id)
                .order_by(ScoreRow.id)
            ).all()
        return pl.DataFrame([tuple(r) for r in rows], schema=schema.SCORES, orient="row")
