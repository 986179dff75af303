"""the booking widget: slot holds, appointment metadata, widget origins

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import carebase.models.base

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slot_holds",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_type_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", carebase.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", carebase.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", carebase.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("used_at", carebase.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", carebase.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", carebase.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_type_id"],
            ["appointment_types.id"],
            name=op.f("fk_slot_holds_appointment_type_id_appointment_types"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_slot_holds_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["accounts.id"],
            name=op.f("fk_slot_holds_provider_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot_holds")),
    )
    with op.batch_alter_table("slot_holds", schema=None) as batch_op:
        batch_op.create_index(
            "ix_slot_holds_provider_time", ["provider_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            "ix_slot_holds_address", ["organization_id", "address", "expires_at"], unique=False
        )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("metadata", sa.JSON(), nullable=True))
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("widget_origins", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("widget_origins")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_column("metadata")
    with op.batch_alter_table("slot_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_slot_holds_address")
        batch_op.drop_index("ix_slot_holds_provider_time")
    op.drop_table("slot_holds")
