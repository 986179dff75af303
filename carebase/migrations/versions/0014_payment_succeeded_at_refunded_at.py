"""payments.succeeded_at and refunds.refunded_at, for the revenue report

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import carebase.models.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "succeeded_at", carebase.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.create_index(
            "ix_payments_org_succeeded", ["organization_id", "succeeded_at"], unique=False
        )
    # before the column, a payment still SUCCEEDED was last changed when it succeeded; one
    # refunded since was changed by the refund, so its creation is the closest time kept
    op.execute(
        "UPDATE payments SET succeeded_at = CASE WHEN status = 'SUCCEEDED' THEN updated_at "
        "ELSE created_at END WHERE status IN ('SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED')"
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refunded_at", carebase.models.base.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE refunds SET refunded_at = created_at")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.alter_column(
            "refunded_at",
            existing_type=carebase.models.base.UTCDateTime(timezone=True),
            nullable=False,
        )
        batch_op.create_index(
            "ix_refunds_org_refunded", ["organization_id", "refunded_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index("ix_refunds_org_refunded")
        batch_op.drop_column("refunded_at")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_org_succeeded")
        batch_op.drop_column("succeeded_at")
