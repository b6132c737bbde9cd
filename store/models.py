"""The database schema: runs (运行记录) and their ledgers and scores.

SQLite file in the workspace by default; any SQLAlchemy URL (PostgreSQL in production).
A run is one version of one period's output of one workspace; its ledger and scores are
stored whole, so a rerun adds a new run rather than patching an old one, and a run's
deliveries are never deleted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Run(Base):
    """One run of the pipeline for one period that wrote an output version."""

    __tablename__ = "runs"
    __table_args__ = (
        UniqueConstraint("workspace", "period", "version", name="uq_run_workspace_period_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    inputs_hash: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    output_dir: Mapped[str] = mapped_column(Text)
    manifest: Mapped[dict] = mapped_column(JSON)
    #: the id of the workspace that wrote the run (flows.outputs.workspace_identity); None
    #: for a run recorded before runs had one, until its workspace claims it
    workspace: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    #: pending (recorded, its folder not yet published) or complete
    status: Mapped[str] = mapped_column(String(16), default="complete", server_default="complete")


class LedgerRow(Base):
    """One ledger row (计分明细) of a run."""

    __tablename__ = "ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(128), index=True)
    period: Mapped[str] = mapped_column(String(16))
    date: Mapped[date | None] = mapped_column(Date, nullable=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    clause: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(Text)
    points: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    article_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    publication: Mapped[str | None] = mapped_column(String(64), nullable=True)
    issue: Mapped[str | None] = mapped_column(String(64), nullable=True)
    shared: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class ScoreRow(Base):
    """One unit's score (得分) in a run."""

    __tablename__ = "scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(128))
    group: Mapped[str] = mapped_column(String(64))
    points: Mapped[float] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    target: Mapped[float | None] = mapped_column(Float, nullable=True)
    target_met: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    assessment: Mapped[float | None] = mapped_column(Float, nullable=True)
    submitted: Mapped[int | None] = mapped_column(Integer, nullable=True)
    adopted: Mapped[int | None] = mapped_column(Integer, nullable=True)
    remark: Mapped[str | None] = mapped_column(Text, nullable=True)


class Delivery(Base):
    """One mail of a run's bulletin and statement to one address of a unit (发送记录).

    A row is written before the message goes out (status `queued`), marked `sending` just
    before its content goes to the server and updated after, so that a `kaohe send` that
    stops halfway resumes with the rows not yet `sent`, except those that may have arrived
    (`sending` left by a crash, `uncertain`): those wait for `kaohe send --resend-uncertain`.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint(
            "run_id", "unit", "address", "bulletin", name="uq_delivery_run_unit_address_bulletin"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(128))
    address: Mapped[str] = mapped_column(String(320))
    correction: Mapped[bool] = mapped_column(Boolean, default=False)
    message_id: Mapped[str] = mapped_column(String(255))
    #: queued (not yet handed over), sending (handed over, answer pending: after a crash,
    #: uncertain), sent, deferred (temporary failure), failed (refused), uncertain (handed
    #: over, no answer: may have arrived)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: the bulletin the message carried: "" the run's own bulletin.pdf, else the sha256 of
    #: the office's signed bulletin (SignedBulletin) sent in its place
    bulletin: Mapped[str] = mapped_column(String(64), default="", server_default="")


class SignedBulletin(Base):
    """A bulletin the office edited and signed (签发稿, .docx or .pdf), mailed in place of
    the run's generated bulletin by `kaohe send --bulletin`: kept beside the version folder
    (`out/<period>/v<N>.signed/<name>`), recorded with the version it stands for."""

    __tablename__ = "signed_bulletins"
    __table_args__ = (UniqueConstraint("run_id", "sha256", name="uq_signed_run_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    #: the file's name as the office gave it
    name: Mapped[str] = mapped_column(Text)
    #: where it is kept (absolute path)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
