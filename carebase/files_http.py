"""``GET /files/{token}``: a signed link's PDF, rendered on demand, with no other credential.
A bad or tampered token is 403, an expired one 410, each with a plain body; every download is
an audited read."""

from __future__ import annotations

import functools

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from carebase.db import Database
from carebase.errors import DomainError
from carebase.resolvers.core.file_links import ROUTE, LinkRefused
from carebase.resolvers.insurance import files

MAX_TOKEN = 512
PRIVATE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


async def download(db: Database, request: Request) -> Response:
    token = request.path_params["token"]
    if len(token) > MAX_TOKEN:
        return PlainTextResponse("This link is not valid.", status_code=403, headers=PRIVATE)
    peer = request.client.host if request.client else None
    try:
        async with db.unit_of_work(reads=True) as uow:
            found = await files.download(uow, token, ip=peer)
    except LinkRefused as refused:
        return PlainTextResponse(refused.reason, status_code=refused.status, headers=PRIVATE)
    except DomainError as unfit:  # e.g. a claim whose client lost a part of their identity
        return PlainTextResponse(unfit.message, status_code=409, headers=PRIVATE)
    return Response(
        found.body,
        media_type="application/pdf",
        headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


def routes(db: Database) -> list[BaseRoute]:
    return [Route(ROUTE + "{token}", functools.partial(download, db), methods=["GET"])]
