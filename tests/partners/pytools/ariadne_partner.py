"""A partner's Python app using the client ariadne-codegen generated (run by
test_ariadne_codegen.py): python ariadne_partner.py <package dir> <url> <token> <client id>.

Imports the generated package ``carebase_client``, runs one query (``ClientDetails``) and one
mutation (``CreateClient``) with its typed methods, and prints what it got, with the class of
each result, as JSON lines.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid


async def main() -> None:
    directory, url, token, client_id = sys.argv[1:]
    sys.path.insert(0, directory)
    import carebase_client as generated

    async with generated.Client(url=url, headers={"Authorization": f"Bearer {token}"}) as api:
        found = await api.client_details(id=client_id)
        print(
            json.dumps(
                {
                    "step": "query",
                    "types": [type(found).__name__, type(found.client).__name__],
                    "result": found.model_dump(mode="json"),
                }
            ),
            flush=True,
        )
        email = f"ariadne-{uuid.uuid4().hex[:8]}@example.test"
        created = await api.create_client(
            input=generated.CreateClientInput(name="Ari Adne", email=email)
        )
        print(
            json.dumps(
                {
                    "step": "mutation",
                    "types": [
                        type(created).__name__,
                        type(created.create_client).__name__,
                        type(created.create_client.client).__name__,
                    ],
                    "email": email,
                    "result": created.model_dump(mode="json"),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
