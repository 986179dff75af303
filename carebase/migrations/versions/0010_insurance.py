"""insurance: billing identity, policies, claims, superbills, X12 counters

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import carebase.models.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "x12_counters",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", carebase.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", carebase.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_x12_counters_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_x12_counters")),
        sa.UniqueConstraint("organization_id", name=op.f("uq_x12_counters_organization_id")),
    )
    op.create_table(
        "insurance_policies",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("payer_name", sa.String(length=200), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("member_id", sa.String(length=80), nullable=False),
        sa.Column("group_number", sa.String(length=80), nullable=True),
        sa.Column(
            "priority",
            sa.Enum("PRIMARY", "SECONDARY", name="policypriority", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column(
            "plan_type",
            sa.Enum(
                "MEDICARE",
                "MEDICAID",
                "TRICARE",
                "CHAMPVA",
                "GROUP_HEALTH",
                "FECA_BLACK_LUNG",
                "OTHER",
                name="plantype",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "relationship",
            sa.Enum(
                "SELF",
                "SPOUSE",
                "CHILD",
                "OTHER",
                name="subscriberrelationship",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("subscriber", sa.JSON(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("removed_at", carebase.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", carebase.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", carebase.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["accounts.id"],
            name=op.f("fk_insurance_policies_client_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_insurance_policies_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_policies")),
    )
    with op.batch_alter_table("insurance_policies", schema=None) as batch_op:
        batch_op.create_index("ix_insurance_policies_client", ["client_id"], unique=False)

    op.create_table(
        "superbills",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("paid_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("visits", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", carebase.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", carebase.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["accounts.id"],
            name=op.f("fk_superbills_client_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_superbills_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_superbills")),
    )
    with op.batch_alter_table("superbills", schema=None) as batch_op:
        batch_op.create_index("ix_superbills_client", ["client_id"], unique=False)

    op.create_table(
        "claims",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("rendering_provider_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "DRAFT",
                "SUBMITTED",
                "ACCEPTED",
                "REJECTED",
                "PAID",
                "DENIED",
                name="claimstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("diagnosis_codes", sa.JSON(), nullable=False),
        sa.Column("service_lines", sa.JSON(), nullable=False),
        sa.Column("total_charge_cents", sa.Integer(), nullable=False),
        sa.Column("paid_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("submitted_at", carebase.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", carebase.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", carebase.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_claims_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["accounts.id"],
            name=op.f("fk_claims_client_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_claims_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["insurance_policies.id"],
            name=op.f("fk_claims_policy_id_insurance_policies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["rendering_provider_id"],
            ["accounts.id"],
            name=op.f("fk_claims_rendering_provider_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claims_appointment_id"), ["appointment_id"], unique=False
        )
        batch_op.create_index("ix_claims_client", ["client_id"], unique=False)
        batch_op.create_index(
            "ix_claims_org_created", ["organization_id", "created_at"], unique=False
        )

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("last_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("sex", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("address", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("npi", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("taxonomy_code", sa.String(length=10), nullable=True))

    with op.batch_alter_table("appointment_types", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_procedure_code", sa.String(length=5), nullable=True))

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("billing_profile", sa.JSON(), nullable=True))

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("payer_reference", sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f("ix_payments_claim_id"), ["claim_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_payments_claim_id_claims"),
            "claims",
            ["claim_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_payments_claim_id_claims"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_payments_claim_id"))
        batch_op.drop_column("payer_reference")
        batch_op.drop_column("claim_id")

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("billing_profile")

    with op.batch_alter_table("appointment_types", schema=None) as batch_op:
        batch_op.drop_column("default_procedure_code")

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("taxonomy_code")
        batch_op.drop_column("npi")
        batch_op.drop_column("address")
        batch_op.drop_column("sex")
        batch_op.drop_column("last_name")
        batch_op.drop_column("first_name")

    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_org_created")
        batch_op.drop_index("ix_claims_client")
        batch_op.drop_index(batch_op.f("ix_claims_appointment_id"))

    op.drop_table("claims")
    with op.batch_alter_table("superbills", schema=None) as batch_op:
        batch_op.drop_index("ix_superbills_client")

    op.drop_table("superbills")
    with op.batch_alter_table("insurance_policies", schema=None) as batch_op:
        batch_op.drop_index("ix_insurance_policies_client")

    op.drop_table("insurance_policies")
    op.drop_table("x12_counters")
