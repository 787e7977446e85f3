"""The ``background_jobs`` table: one row per long-running job and its visible state."""
from __future__ import annotations

import json
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.db import UTCDateTime, utcnow
from app.extensions import db

STATUS_QUEUED = "queued"
STATUS_RUNNING = "running"
STATUS_FINISHED = "finished"
STATUS_FAILED = "failed"
STATUSES = (STATUS_QUEUED, STATUS_RUNNING, STATUS_FINISHED, STATUS_FAILED)

KIND_COMPLETION_EXPORT = "completion_export"
KIND_CERTIFICATE_ISSUE = "certificate_issue"
KIND_CERTIFICATE_REGENERATE = "certificate_regenerate"

KIND_LABELS = {
    KIND_COMPLETION_EXPORT: _l("Ekspor laporan penyelesaian"),
    KIND_CERTIFICATE_ISSUE: _l("Penerbitan sertifikat massal"),
    KIND_CERTIFICATE_REGENERATE: _l("Pembuatan ulang sertifikat massal"),
}
STATUS_LABELS = {
    STATUS_QUEUED: _l("Menunggu giliran"),
    STATUS_RUNNING: _l("Sedang berjalan"),
    STATUS_FINISHED: _l("Selesai"),
    STATUS_FAILED: _l("Gagal"),
}


class BackgroundJob(db.Model):
    """A job started by a user and run by a worker (RQ) or an in-process thread.

    - ``kind``: which job function runs it (see :data:`app.jobs.tasks.HANDLERS`).
    - ``status``: ``queued`` → ``running`` → ``finished`` or ``failed``.
    - ``progress_done`` / ``progress_total``: units done (rows, certificates)
      out of the total known when the job started (``None`` until then).
    - ``parameters``: JSON text of what to do (filters, format).
    - ``summary``: JSON text of the outcome counts (certificate jobs).
    - ``result_file``: path of the result relative to ``LENTERA_DATA_DIR``
      (``jobs/<random>.<ext>``, a generated name); ``result_name``: the
      download name offered to the user.
    - ``error``: Indonesian message when ``failed`` (never a stack trace).
    - times are UTC; ``updated_at`` moves with every progress report, so a
      job whose process died can be told from a slow one.
    """

    __tablename__ = "background_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'finished', 'failed')", name="status_valid"),
        CheckConstraint("progress_done >= 0", name="progress_done_nonnegative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=STATUS_QUEUED)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    parameters: Mapped[str] = mapped_column(Text, default="{}")
    summary: Mapped[str | None] = mapped_column(Text)
    result_file: Mapped[str | None] = mapped_column(String(120))
    result_name: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")

    @property
    def kind_label(self) -> str:
        """The kind in the reader's language."""
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        """The status in the reader's language."""
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def params(self) -> dict:
        """``parameters`` decoded (an empty dict when blank)."""
        return json.loads(self.parameters or "{}")

    @property
    def outcome(self) -> dict:
        """``summary`` decoded (an empty dict when blank)."""
        return json.loads(self.summary or "{}")

    @property
    def is_active(self) -> bool:
        """Queued or running: the page keeps refreshing."""
        return self.status in (STATUS_QUEUED, STATUS_RUNNING)

    @property
    def percent(self) -> int | None:
        """Whole percent done (truncated), or ``None`` while the total is unknown."""
        if not self.progress_total:
            return 100 if self.status == STATUS_FINISHED else None
        return min(100, self.progress_done * 100 // self.progress_total)
