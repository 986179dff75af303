"""`bookAppointment` checks what it must in a fixed number of SQL statements: however many
appointments the provider already has that day, and whoever books (the client in the
portal, or a member for a client)."""

from __future__ import annotations

from starlette.applications import Starlette

from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import booking_setup, local, next_weekday
from tests.fixtures.smtp import Inbox
from tests.fixtures.statements import count_statements, database

# (who books, database) -> the statements one booking costs, the request's transaction
# control and audit rows included
PINNED: dict[tuple[str, str], int] = {
    ("client", "sqlite"): 28,
    ("member", "sqlite"): 27,
    ("client", "postgresql"): 24,
    ("member", "postgresql"): 23,
}


async def test_book_appointment_costs_a_fixed_number_of_statements(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    day = next_weekday(2)
    counts: dict[tuple[str, int], int] = {}
    # one booking at a time into a filling day, then weekly series of 2 and 3: each costs the same
    for hour in range(9, 16):
        who = "client" if hour % 2 else "member"
        series = {"recurrence": {"count": hour - 12}} if hour >= 14 else {}
        variables = {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": local(day, hour),
                **({} if who == "client" else {"clientId": b.client_id}),
                **series,
            }
        }
        token = b.client_token if who == "client" else b.practice.owner_token
        with count_statements(app) as statements:
            data = await api.op("BookAppointment", variables, token=token)
        assert data["bookAppointment"]["userErrors"] == [], data
        assert data["bookAppointment"]["appointment"]["startsAt"] == local(day, hour)
        if series:
            assert len(data["bookAppointment"]["appointments"]) == hour - 12
        counts[(who, hour)] = len(statements)
        print(who, hour, len(statements), *statements, sep="\n  ")
    for who in ("client", "member"):
        mine = {hour: n for (person, hour), n in counts.items() if person == who}
        assert len(set(mine.values())) == 1, (who, mine)  # no growth with the day's bookings
        key = (who, database())
        assert key in PINNED, f"pin {key}: {next(iter(mine.values()))} statements"
        assert set(mine.values()) == {PINNED[key]}, (who, mine)
