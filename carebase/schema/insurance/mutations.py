"""Insurance's mutations, in the order the schema lists them.

Each mutation's resolver lives beside its input and payload, in the module of its concept.
"""

from __future__ import annotations

import strawberry

from carebase.schema.insurance import claims as claim_fields
from carebase.schema.insurance import identity as identity_fields
from carebase.schema.insurance import policies as policy_fields
from carebase.schema.insurance import superbills as superbill_fields


@strawberry.type
class InsuranceMutation:
    update_billing_profile = strawberry.mutation(
        resolver=identity_fields.update_billing_profile,
        description="Set the practice's billing identity (CMS-1500 boxes 25 and 33). Owners "
        "and admins.",
    )
    update_member_billing = strawberry.mutation(
        resolver=identity_fields.update_member_billing,
        description="Set a rendering provider's NPI and taxonomy code. Owners and admins.",
    )
    add_insurance_policy = strawberry.mutation(
        resolver=policy_fields.add_insurance_policy,
        description="Record a client's insurance policy. Members with billing:write.",
    )
    update_insurance_policy = strawberry.mutation(
        resolver=policy_fields.update_insurance_policy,
        description="Change any field of a policy. Members with billing:write.",
    )
    remove_insurance_policy = strawberry.mutation(
        resolver=policy_fields.remove_insurance_policy,
        description="Remove a policy (claims already filed keep it). Members with billing:write.",
    )
    create_claim = strawberry.mutation(
        resolver=claim_fields.create_claim,
        description="File a DRAFT claim for an OCCURRED appointment. Members with billing:write.",
    )
    update_claim = strawberry.mutation(
        resolver=claim_fields.update_claim,
        description="Correct a DRAFT claim (else CLAIM_NOT_EDITABLE).",
    )
    update_claim_status = strawberry.mutation(
        resolver=claim_fields.update_claim_status,
        description="Move a claim along DRAFT -> SUBMITTED -> ACCEPTED | REJECTED, ACCEPTED -> "
        "PAID | DENIED, REJECTED -> DRAFT; anything else is INVALID_STATUS_TRANSITION.",
    )
    record_insurance_payment = strawberry.mutation(
        resolver=claim_fields.record_insurance_payment,
        description="Record what the insurer paid on a claim (a payment of kind INSURANCE); "
        "a SUBMITTED or ACCEPTED claim becomes PAID. Idempotent with idempotencyKey.",
    )
    export_claims = strawberry.mutation(
        resolver=claim_fields.export_claims,
        description="Put several DRAFT claims in one 837P interchange and mark them SUBMITTED.",
    )
    create_superbill = strawberry.mutation(
        resolver=superbill_fields.create_superbill,
        description="Make a superbill of a client's OCCURRED visits from one day to another "
        "(a visit without a claim takes its code from defaultProcedureCode). Members with "
        "billing:write.",
    )
