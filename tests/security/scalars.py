"""Hypothesis strategies of GraphQL value nodes for the scalars of ``gql/schema.graphql``.

Each strategy mixes good values with bad ones, so the fuzz suite reaches both the resolvers
(good values) and every parser at the edge (bad ones). They produce graphql-core value nodes,
as ``hypothesis_graphql.from_schema(custom_scalars=...)`` wants; the fuzz test hoists some of
them into variables, so each value is tried both inline and through ``parse_value``.

IDs and a few strings may be *references*: ``cbref-<n>-`` stands for the n-th id of the
practice under test (a real client, appointment, card...), filled in before the request is
sent, so generated operations reach rows that exist and not only "not found".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import graphql
from hypothesis import strategies as st
from hypothesis_graphql import nodes

REFERENCE = re.compile(r"cbref-(\d+)-")

ValueNodes = st.SearchStrategy[graphql.ValueNode]


def reference() -> st.SearchStrategy[str]:
    return st.integers(min_value=0, max_value=63).map(lambda n: f"cbref-{n}-")


def _not_a_string() -> ValueNodes:
    """Literals of the wrong kind for a string-based scalar."""
    return st.one_of(
        st.integers(min_value=-(2**31), max_value=2**31 - 1).map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        st.booleans().map(nodes.Boolean),
        st.just(nodes.List([])),
        st.just(nodes.Object([])),
    )


def _mostly_strings(strings: st.SearchStrategy[str]) -> ValueNodes:
    """String literals, and one time in ten a literal of another kind (which fails the
    whole document's validation, so it must stay rare)."""
    as_nodes = strings.map(nodes.String)
    return st.one_of(*[as_nodes] * 9, _not_a_string())


GARBAGE = st.sampled_from(
    [
        "",
        " ",
        "now",
        "yesterday",
        "null",
        "0",
        "-1",
        "2024",
        "2024-06",
        "T",
        "2024-06-01T",
        "24:00",
        "2024-06-01 25:00",
        "\x00",
        "２０２４-０６-０１",  # full-width digits
        "2024-06-01T10:00:00+99:00",
        "2024-06-01T10:00:00+24:00",
        "2024-06-01T10:00:00Zulu",
        "1e400",
        "NaN",
        "9" * 400,
    ]
)

OFFSETS = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=-5)),
        timezone(timedelta(hours=14)),
        timezone(timedelta(hours=-12)),
        timezone(timedelta(hours=5, minutes=30)),
        timezone(timedelta(hours=-23, minutes=59)),
    ]
)


# values cluster around one moment, so a generated ``from`` and ``to`` often make a range a
# resolver accepts (``to`` after ``from``, at most weeks apart) and reach its comparisons
ANCHOR = datetime(2030, 1, 7, 9, 0)


def _moments() -> st.SearchStrategy[datetime]:
    near = st.integers(min_value=-60 * 24 * 60, max_value=60 * 24 * 60).map(
        lambda minutes: ANCHOR + timedelta(minutes=minutes)
    )
    anywhere = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31))
    return st.one_of(near, near, near, anywhere)


def _with_offset(moments: st.SearchStrategy[datetime]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda moment, tz, z: (
            moment.replace(tzinfo=tz).isoformat().replace("+00:00", "Z" if z else "+00:00")
        ),
        moments,
        OFFSETS,
        st.booleans(),
    )


def datetimes() -> ValueNodes:
    """``DateTime``: ISO 8601 with an offset is good; everything else must be refused."""
    good = _with_offset(_moments())
    naive = _moments().map(datetime.isoformat)
    bare_date = _moments().map(lambda m: m.date().isoformat())
    # the ends of datetime's range: an offset that carries the instant past year 1 or 9999
    extremes = st.sampled_from(
        [
            "0001-01-01T00:00:00+14:00",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59-14:00",
            "9999-12-31T23:59:59.999999Z",
            "1970-01-01T00:00:00Z",
            "2038-01-19T03:14:08Z",
            "10000-01-01T00:00:00Z",
            "99999-01-01T00:00:00+00:00",
            "-0001-01-01T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "2024-02-30T10:00:00Z",
            "2024-06-01T10:00:00.1234567890Z",
        ]
    )
    wide = _with_offset(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
    strings = st.one_of(good, good, good, naive, bare_date, extremes, wide, GARBAGE)
    return _mostly_strings(strings)


def dates() -> ValueNodes:
    """``Date``: ``YYYY-MM-DD``; invalid days, out-of-range years and garbage are refused."""
    near = st.integers(min_value=-400, max_value=400).map(
        lambda days: (ANCHOR.date() + timedelta(days=days)).isoformat()
    )
    anywhere = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
    good = st.one_of(near, anywhere.map(date.isoformat))
    edges = st.sampled_from(["0001-01-01", "9999-12-31", "1970-01-01", "2024-02-29"])
    bad = st.sampled_from(
        [
            "2023-02-29",
            "2024-02-30",
            "2024-13-01",
            "2024-00-10",
            "2024-06-31",
            "0000-01-01",
            "10000-01-01",
            "-2024-01-01",
            "99999-12-31",
            "20240601",
            "2024-W23-6",
            "2024-06-01T10:00:00Z",
            "2024-06-01T10:00:00",
        ]
    )
    strings = st.one_of(good, good, edges, bad, GARBAGE)
    return _mostly_strings(strings)


def _json_leaf() -> ValueNodes:
    return st.one_of(
        st.just(nodes.Null),
        st.booleans().map(nodes.Boolean),
        st.integers(min_value=-(2**31), max_value=2**31 - 1).map(nodes.Int),
        # past 64 bits: JSON allows them, many encoders do not
        st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**30, -(10**40), 10**400]).map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        st.sampled_from(["1e308", "-1e308", "1e400", "5e-324"]).map(
            lambda v: graphql.FloatValueNode(value=v)
        ),
        st.text(max_size=40).map(nodes.String),
        st.sampled_from(["yes", "no", "2024-06-01", "", "a" * 5000]).map(nodes.String),
    )


def _json_object(children: ValueNodes) -> ValueNodes:
    keys = st.one_of(
        st.sampled_from(["key", "value", "answers", "questionKey", "label", "__proto__", ""]),
        st.from_regex(r"[_A-Za-z][_0-9A-Za-z]{0,12}", fullmatch=True),
    )
    return st.lists(st.tuples(keys, children), max_size=5, unique_by=lambda kv: kv[0]).map(
        lambda items: nodes.Object(
            [
                graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v)
                for k, v in items
                if re.fullmatch(r"[_A-Za-z][_0-9A-Za-z]*", k)
            ]
        )
    )


def json_values() -> ValueNodes:
    """``JSON``: any value, nested objects and lists, and integers past 64 bits."""
    return st.recursive(
        _json_leaf(),
        lambda children: st.one_of(
            st.lists(children, max_size=5).map(nodes.List),
            _json_object(children),
        ),
        max_leaves=25,
    )


def ids() -> ValueNodes:
    """``ID``: mostly references to real rows, some well-formed ids of no row, some garbage."""
    import base64
    import uuid

    def global_id(type_name: str, key: uuid.UUID) -> str:
        return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode()

    type_names = st.sampled_from(
        ["Client", "Member", "Appointment", "AppointmentType", "Payment", "Nope", ""]
    )
    well_formed = st.builds(global_id, type_names, st.uuids())
    garbage = st.one_of(
        st.text(max_size=30),
        st.sampled_from(["", "=", "====", "Q2xpZW50Og==", "Q2xpZW50OjEyMw==", "%%%"]),
        st.binary(max_size=24).map(lambda b: base64.urlsafe_b64encode(b).decode()),
    )
    strings = st.one_of(reference(), reference(), reference(), well_formed, garbage)
    return st.one_of(
        strings.map(nodes.String),
        strings.map(nodes.String),
        st.integers(min_value=-(2**31), max_value=2**31 - 1).map(nodes.Int),
    )


def strings() -> ValueNodes:
    """``String``: text, plus the strings fields here care about (emails, zones, currencies,
    card ids, cursors, references to real ids)."""
    interesting = st.sampled_from(
        [
            "",
            " ",
            "usd",
            "USD",
            "eur",
            "xyz",
            "XYZ",
            "us",
            "usdd",
            "America/Chicago",
            "Mars/Olympus_Mons",
            "UTC",
            "../../etc/passwd",
            "pm_card_visa",
            "pm_card_chargeCustomerFail",
            "pm_nope",
            "cus_nope",
            "owner@example.test",
            "not an email",
            "a@b",
            "correct horse battery",
            "bzow",  # a cursor: "o:0"
            "bzo5OTk5OTk5OTk=",  # "o:999999999"
            "bzotMQ==",  # "o:-1"
            "bzo5OTk5OTk5OTk5OTk5OTk5OTk5OQ==",  # "o:9999999999999999999"
            "Y3Vyc29yOjA=",  # "cursor:0"
            "MTA=",
            "LTE=",
            "OTk5OTk5OTk5OTk5OTk5OTk5OTk5",
            "x" * 10_000,
            "\x00",
            "'; DROP TABLE accounts; --",
            "{{7*7}}",
            "clients:read",
            "+15555550100",
            "<script>alert(1)</script>",
        ]
    )
    return st.one_of(st.text(max_size=60), interesting, reference()).map(nodes.String)


def ints() -> ValueNodes:
    """``Int``: 32-bit values biased to the edges (counts, cents, minutes, weekdays), and
    rarely one past 32 bits (refused by validation inline, by coercion as a variable)."""
    edges = st.sampled_from([0, 1, -1, 2, 7, 15, 60, 100, 101, 1000, 2**31 - 1, -(2**31)])
    good = st.one_of(edges, st.integers(min_value=-(2**31), max_value=2**31 - 1)).map(nodes.Int)
    huge = st.sampled_from([2**31, -(2**31) - 1, 2**63, 2**64, 10**30]).map(nodes.Int)
    return st.one_of(*[good] * 19, huge)


CUSTOM_SCALARS: dict[str, ValueNodes] = {
    "DateTime": datetimes(),
    "Date": dates(),
    "JSON": json_values(),
    "ID": ids(),
    "String": strings(),
    "Int": ints(),
}


def fill_references(
    node: graphql.ValueNode, resolve: Callable[[int, str | None], str], name: str | None = None
) -> graphql.ValueNode:
    """Replace each ``cbref-<n>-`` in string literals (nested in lists and objects) by a real
    id; ``name`` is the argument or input field holding it (``clientId`` wants a client)."""
    if isinstance(node, graphql.StringValueNode):
        filled = REFERENCE.sub(lambda m: resolve(int(m.group(1)), name), node.value)
        return node if filled == node.value else nodes.String(filled)
    if isinstance(node, graphql.ListValueNode):
        return nodes.List([fill_references(v, resolve, name) for v in node.values])
    if isinstance(node, graphql.ObjectValueNode):
        return nodes.Object(
            [
                graphql.ObjectFieldNode(
                    name=f.name, value=fill_references(f.value, resolve, f.name.value)
                )
                for f in node.fields
            ]
        )
    return node
