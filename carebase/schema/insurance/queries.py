"""Insurance's root query fields, in the order the schema lists them."""

from __future__ import annotations

import strawberry

from carebase.schema.insurance import claims as claim_fields


@strawberry.type
class InsuranceQuery:
    claims = strawberry.field(
        resolver=claim_fields.claims,
        description="Claims, newest first: the practice's for members with billing:read, a "
        "client's own for the client.",
    )
