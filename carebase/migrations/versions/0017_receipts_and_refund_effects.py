"""receipts and what refunds undo: an email's once-only key, the card a payment was charged
to, and what an invoice has been paid net of refunds

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_emails_dedupe_key"), ["dedupe_key"])
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_brand", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("card_last4", sa.String(length=4), nullable=True))
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paid_cents", sa.Integer(), nullable=False, server_default="0")
        )
    # invoices paid before the column existed were paid in full
    op.execute("UPDATE invoices SET paid_cents = total_cents WHERE status = 'PAID'")


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("paid_cents")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("card_last4")
        batch_op.drop_column("card_brand")
    with op.batch_alter_table("emails", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_emails_dedupe_key"), type_="unique")
        batch_op.drop_column("dedupe_key")
