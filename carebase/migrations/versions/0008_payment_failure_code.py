"""payment failure code

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FAILURES = ("NO_CARD", "CARD_DECLINED", "NOT_CHARGED")


def upgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "failure_code",
                sa.Enum(*FAILURES, name="paymentfailure", native_enum=False, length=40),
                nullable=True,
            )
        )
    # rows failed before the code existed: their reason was only ever in the message
    op.execute(
        "UPDATE payments SET failure_code = CASE WHEN failure_message = 'No card on file' "
        "THEN 'NO_CARD' ELSE 'CARD_DECLINED' END WHERE status = 'FAILED'"
    )


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("failure_code")
