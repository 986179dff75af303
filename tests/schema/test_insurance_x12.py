"""The 837P: every interchange we generate passes pyx12, and our own checks cover what pyx12
is lenient about (diagnosis qualifiers, pointers, sums, SBR02/HL04, the billing provider)."""

from __future__ import annotations

from typing import Any

from carebase.resolvers.insurance.codes import npi_is_valid
from tests.fixtures.billing import new_client
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.insurance import (
    BILLING_NPI,
    CLIENT_ADDRESS,
    PROVIDER_NPI,
    Insured,
    add_policy,
    create_claim,
    errors_of,
    insured_setup,
    new_claim,
    set_legal_identity,
)
from tests.fixtures.scheduling import Booking
from tests.fixtures.smtp import Inbox
from tests.fixtures.x12 import pyx12_errors, segments


async def _x12(api: GraphQLClient, token: str, claim_id: str) -> str:
    return str((await api.op("ClaimX12", {"id": claim_id}, token=token))["node"]["x12"])


def _first(segs: list[list[str]], tag: str, *match: str) -> list[str]:
    return next(s for s in segs if s[0] == tag and s[1 : 1 + len(match)] == list(match))


def check_our_rules(text: str) -> None:
    segs = segments(text)
    tags = [s[0] for s in segs]
    assert tags[:3] == ["ISA", "GS", "ST"] and tags[-3:] == ["SE", "GE", "IEA"]
    isa, gs, st = segs[0], segs[1], segs[2]
    se, ge, iea = segs[-3], segs[-2], segs[-1]
    assert isa[13] == iea[2] and int(isa[13]) == int(gs[6]) == int(ge[2])
    assert st[2] == se[2] and int(se[1]) == len(segs) - 2 - 2  # ST..SE inclusive
    assert int(ge[1]) == 1 and int(iea[1]) == 1
    # 2010AA: a valid NPI, a nine-digit ZIP, the tax id in REF*EI
    billing = tags.index("NM1", tags.index("HL"))
    assert segs[billing][1] == "85" and segs[billing][8] == "XX"
    assert npi_is_valid(segs[billing][9])
    n4 = segs[billing + 2]
    assert n4[0] == "N4" and len(n4[3]) == 9 and n4[3].isdigit()
    assert segs[billing + 3][:2] == ["REF", "EI"] and len(segs[billing + 3][2]) == 9
    # each claim: HI qualifiers, pointers, CLM02 = sum of SV102; SBR02/HL04 vs 2000C
    for i, seg in enumerate(segs):
        if seg[0] == "HL" and seg[3] == "22":
            has_child = i + 1 < len(segs) and any(
                s[0] == "HL" and s[3] == "23" and s[2] == seg[1] for s in segs
            )
            sbr = segs[i + 1]
            assert sbr[0] == "SBR"
            assert seg[4] == ("1" if has_child else "0")
            assert sbr[2] == ("" if has_child else "18")
        if seg[0] == "CLM":
            j = i + 1
            hi = segs[j]
            assert hi[0] == "HI"
            quals = [c.split(":")[0] for c in hi[1:]]
            assert quals == ["ABK"] + ["ABF"] * (len(quals) - 1)
            assert all("." not in c.split(":")[1] for c in hi[1:])
            total = 0
            for k in range(j, len(segs)):
                if segs[k][0] in ("CLM", "HL", "SE"):
                    break
                if segs[k][0] == "SV1":
                    total += round(float(segs[k][2]) * 100)
                    pointers = [int(p) for p in segs[k][7].split(":")]
                    assert all(1 <= p <= len(quals) for p in pointers)
            assert round(float(seg[2]) * 100) == total


async def test_a_claims_837p_passes_pyx12_and_our_checks(api: GraphQLClient, smtp: Inbox) -> None:
    ins = await insured_setup(api, smtp)
    claim = await new_claim(api, ins)
    text = await _x12(api, ins.owner, claim["id"])
    assert pyx12_errors(text) == []
    check_our_rules(text)
    segs = segments(text)
    assert _first(segs, "HI") == ["HI", "ABK:F411", "ABF:F331"]
    assert [s for s in segs if s[0] == "SV1"] == [
        ["SV1", "HC:90837:95", "150", "UN", "1", "", "", "1:2"],
        ["SV1", "HC:90785", "25", "UN", "1", "", "", "2"],
    ]
    assert _first(segs, "CLM")[2] == "175"
    assert _first(segs, "CLM")[5] == "10:B:1"
    assert _first(segs, "NM1", "85")[9] == BILLING_NPI
    assert _first(segs, "NM1", "82")[9] == PROVIDER_NPI
    assert _first(segs, "NM1", "IL")[3:5] == ["CLIENT", "CLEO"]
    assert _first(segs, "SBR")[9] == "CI"
    # control numbers come from a sequence: an export takes the number the preview showed
    exported = await api.op("ExportClaims", {"input": {"ids": [claim["id"]]}}, token=ins.owner)
    taken = segments(exported["exportClaims"]["x12"])
    assert int(taken[0][13]) == int(segs[0][13]) == 1
    preview = segments(await _x12(api, ins.owner, claim["id"]))
    assert int(preview[0][13]) == 2
    # a client reads no claim file
    own = await api.raw(
        "query($id: ID!) { node(id: $id) { ... on Claim { x12 } } }",
        {"id": claim["id"]},
        token=ins.b.client_token,
    )
    assert own["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def _child_claim(api: GraphQLClient, ins: Insured) -> dict[str, Any]:
    b: Booking = ins.b
    child = await new_client(api, b.practice, name="Kit Child")
    await set_legal_identity(api, ins.owner, child)
    parent = {
        "firstName": "Pat",
        "lastName": "Parent",
        "dateOfBirth": "1970-03-04",
        "sex": "MALE",
        "address": CLIENT_ADDRESS,
    }
    await add_policy(
        api, ins.owner, child, relationship="CHILD", subscriber=parent, planType="MEDICAID"
    )
    from tests.fixtures.billing import book_as_member, past_start, set_status

    visit = await book_as_member(api, b, past_start(4), client_id=child)
    await set_status(api, ins.owner, visit, "OCCURRED")
    payload = await create_claim(api, ins, appointmentId=visit)
    assert payload["userErrors"] == [], payload
    return payload["claim"]  # type: ignore[no-any-return]


async def test_export_puts_several_claims_in_one_interchange_and_submits_them(
    api: GraphQLClient, smtp: Inbox
) -> None:
    ins = await insured_setup(api, smtp)
    own = await new_claim(api, ins)
    child = await _child_claim(api, ins)
    data = await api.op(
        "ExportClaims", {"input": {"ids": [own["id"], child["id"]]}}, token=ins.owner
    )
    payload = data["exportClaims"]
    assert payload["userErrors"] == []
    assert [c["status"] for c in payload["claims"]] == ["SUBMITTED", "SUBMITTED"]
    text = payload["x12"]
    assert pyx12_errors(text) == []
    check_our_rules(text)
    segs = segments(text)
    assert [s[3] for s in segs if s[0] == "HL"] == ["20", "22", "22", "23"]
    assert len([s for s in segs if s[0] == "CLM"]) == 2
    assert _first(segs, "PAT") == ["PAT", "19"]
    assert [s[9] for s in segs if s[0] == "SBR"] == ["CI", "MC"]
    # exported claims are no longer DRAFT: a second export is refused, nothing changes
    again = await api.op("ExportClaims", {"input": {"ids": [own["id"]]}}, token=ins.owner)
    assert errors_of(again["exportClaims"]) == [("INVALID_STATUS_TRANSITION", ["status"])]
