"""Certificate templates, signing, revocation, expiry

Revision ID: 0002_certificate_lifecycle
Revises: e805e16d1437
Create Date: 2026-11-29

* certificates.enrolment_id is unique only among current (not superseded)
  rows: a partial unique index replaces the unique constraint, so a reissue
  can keep the old row as superseded.
* Lifecycle columns (revocation, supersession, validity), signing columns
  and the template name.
* Per-course template and validity months.
* rate_limits: shared counters of app/common/ratelimit.py.
"""
from alembic import op
import sqlalchemy as sa

from app.common.db import UTCDateTime


revision = "0002_certificate_lifecycle"
down_revision = "e805e16d1437"
branch_labels = None
depends_on = None

CURRENT_ONLY = sa.text("status <> 'superseded'")


def upgrade():
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("window_start", UTCDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
    )

    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("certificate_template", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("certificate_validity_months", sa.Integer(), nullable=True))

    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_certificates_enrolment_id"), type_="unique")
        batch_op.add_column(sa.Column("valid_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("template", sa.String(length=100), server_default="default", nullable=False))
        batch_op.add_column(sa.Column("content_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("signed_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("signer", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("dev_signature", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("resigned_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("superseded_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("superseded_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_certificates_superseded_by_id_certificates"), "certificates",
                                    ["superseded_by_id"], ["id"], ondelete="RESTRICT")
        batch_op.create_check_constraint(op.f("ck_certificates_status_valid"),
                                         "status IN ('valid', 'revoked', 'superseded')")
        batch_op.create_index(batch_op.f("ix_certificates_enrolment_id"), ["enrolment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_superseded_by_id"), ["superseded_by_id"], unique=False)
        batch_op.create_index("uq_certificates_enrolment_current", ["enrolment_id"], unique=True,
                              sqlite_where=CURRENT_ONLY, postgresql_where=CURRENT_ONLY)


def downgrade():
    # Superseded rows cannot survive a unique enrolment_id: drop them, keep the current ones.
    op.execute("UPDATE certificates SET superseded_by_id = NULL")
    op.execute("DELETE FROM certificates WHERE status = 'superseded'")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index("uq_certificates_enrolment_current")
        batch_op.drop_index(batch_op.f("ix_certificates_superseded_by_id"))
        batch_op.drop_index(batch_op.f("ix_certificates_sha256"))
        batch_op.drop_index(batch_op.f("ix_certificates_enrolment_id"))
        batch_op.drop_constraint(op.f("ck_certificates_status_valid"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_certificates_superseded_by_id_certificates"), type_="foreignkey")
        for column in ("superseded_by_id", "superseded_at", "revoked_reason", "revoked_at", "resigned_at",
                       "dev_signature", "signer", "signed_at", "content_sha256", "template", "valid_until"):
            batch_op.drop_column(column)
        batch_op.create_unique_constraint(op.f("uq_certificates_enrolment_id"), ["enrolment_id"])

    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_column("certificate_validity_months")
        batch_op.drop_column("certificate_template")

    op.drop_table("rate_limits")
