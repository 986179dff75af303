"""``FileLink``: a document (a claim form, superbill or receipt) behind a short-lived signed
URL, shared by the areas that hand them out."""

from __future__ import annotations

from datetime import datetime

import strawberry

from carebase.resolvers.core.file_links import SignedLink


@strawberry.type(
    description="A short-lived signed URL to a PDF: GET it without other credentials until "
    "`expiresAt` (15 minutes). Absolute, on the API's public address; each download is an "
    "audited read. Ask the field again for a fresh link."
)
class FileLink:
    url: str = strawberry.field(description="The absolute URL of the file (`/files/{token}`).")
    expires_at: datetime = strawberry.field(
        description="When the link stops working (410 after that)."
    )

    @classmethod
    def of(cls, link: SignedLink) -> FileLink:
        return cls(url=link.url, expires_at=link.expires_at)
