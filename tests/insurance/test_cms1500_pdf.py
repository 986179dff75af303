"""The CMS-1500 PDF read back with pypdf: every value the claim fills printed in Courier
inside its box's rectangle on the NUCC grid, not merely somewhere on the page."""

from __future__ import annotations

from datetime import date

import httpx

from carebase.config import Settings
from carebase.documents import cms1500_layout as grid
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.insurance import (
    BILLING_NPI,
    PROVIDER_NPI,
    insured_setup,
    new_claim,
)
from tests.fixtures.pdf import Run, fetch, in_box, text_runs
from tests.fixtures.smtp import Inbox


def _box(runs: list[Run], name: str, line: int | None = None) -> list[str]:
    box = grid.line_box(name, line) if line else grid.BOXES[name]
    return in_box(runs, box)


async def claim_pdf(
    api: GraphQLClient, http: httpx.AsyncClient, token: str, claim_id: str
) -> bytes:
    link = (await api.op("ClaimPdf", {"id": claim_id}, token=token))["node"]["cms1500Pdf"]
    response = await fetch(http, link["url"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response.content


async def test_each_box_of_the_cms1500_holds_its_value(
    api: GraphQLClient, http: httpx.AsyncClient, smtp: Inbox, settings: Settings
) -> None:
    ins = await insured_setup(api, smtp)
    claim = await new_claim(api, ins)
    link = (await api.op("ClaimPdf", {"id": claim["id"]}, token=ins.owner))["node"]["cms1500Pdf"]
    assert link["url"].startswith(f"{settings.public_url}/files/")
    runs = text_runs(await claim_pdf(api, http, ins.owner, claim["id"]))
    assert runs and all(r.size == grid.FONT_SIZE for r in runs if r.font.startswith("Courier"))

    assert _box(runs, "1.GROUP_HEALTH") == ["X"]
    assert _box(runs, "1.MEDICARE") == []
    assert _box(runs, "1a") == ["XYZ123456789"]
    assert _box(runs, "2") == ["CLIENT, CLEO"]
    assert _box(runs, "3.date") == ["04 05 1990"]
    assert _box(runs, "3.FEMALE") == ["X"] and _box(runs, "3.MALE") == []
    assert _box(runs, "4") == ["CLIENT, CLEO"]
    assert _box(runs, "5.street") == ["12 ELM ST"]
    assert _box(runs, "5.city") == ["CHICAGO"] and _box(runs, "5.state") == ["IL"]
    assert _box(runs, "5.zip") == ["60601"]
    assert _box(runs, "6.SELF") == ["X"] and _box(runs, "6.SPOUSE") == []
    assert _box(runs, "7.street") == ["12 ELM ST"] and _box(runs, "7.zip") == ["60601"]
    assert _box(runs, "11") == ["GRP-77"]
    assert _box(runs, "11a.date") == ["04 05 1990"] and _box(runs, "11a.FEMALE") == ["X"]
    assert _box(runs, "11c") == ["BLUE HARBOR HEALTH"]
    assert _box(runs, "21.indicator") == ["0"]
    assert _box(runs, "21.A") == ["F411"] and _box(runs, "21.B") == ["F331"]
    assert _box(runs, "21.C") == []

    served = date.fromisoformat(claim["serviceLines"][0]["serviceDate"]).strftime("%m %d %y")
    expected = [
        ("90837", "95", "AB", "150 00"),
        ("90785", "", "B", "25 00"),
    ]
    for n, (code, modifiers, pointers, charge) in enumerate(expected, start=1):
        assert _box(runs, "24A.from", n) == [served]
        assert _box(runs, "24A.to", n) == [served]
        assert _box(runs, "24B", n) == ["10"]
        assert _box(runs, "24D.code", n) == [code]
        assert _box(runs, "24D.modifiers", n) == ([modifiers] if modifiers else [])
        assert _box(runs, "24E", n) == [pointers]
        assert _box(runs, "24F", n) == [charge]
        assert _box(runs, "24G", n) == ["1"]
        assert _box(runs, "24J", n) == [PROVIDER_NPI]
    assert _box(runs, "24D.code", 3) == []  # two lines only

    assert [t.replace("-", "") for t in _box(runs, "25")] == ["123456789"]
    assert _box(runs, "25.EIN") == ["X"] and _box(runs, "25.SSN") == []
    [account] = _box(runs, "26")
    assert len(account) == 14 and account.isalnum()
    assert _box(runs, "28") == ["175 00"]
    assert _box(runs, "31.name") == ["OLIVE OWNER"]
    assert _box(runs, "32.name") == ["HARBOR THERAPY LLC"]
    assert _box(runs, "32.street") == ["100 HARBOR WAY"]
    assert _box(runs, "32a") == [BILLING_NPI]
    assert _box(runs, "33.name") == ["HARBOR THERAPY LLC"]
    assert _box(runs, "33.city") == ["SPRINGFIELD, IL 627011234"]
    assert _box(runs, "33.phone") == ["(217) 555-0100"]
    assert _box(runs, "33a") == [BILLING_NPI]
    # nothing printed in Courier falls outside every box
    boxes = [*grid.BOXES.values()] + [
        grid.line_box(name, n)
        for n in range(1, len(grid.SERVICE_LINES) + 1)
        for name in grid.LINE_COLUMNS
    ]
    stray = [
        r.text
        for r in runs
        if r.font.startswith("Courier") and not any(in_box([r], b) for b in boxes)
    ]
    assert stray == []
