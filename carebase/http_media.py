"""Which media type a GraphQL response is sent in, from the request's ``Accept``.

GraphQL over HTTP: ``application/graphql-response+json`` when the client names it, the
legacy ``application/json`` for a missing ``Accept``, a wildcard or an explicit
``application/json``; neither acceptable is 406. Only an explicit mention counts for the
new type, since a client sending ``*/*`` may not understand its status codes.
"""

from __future__ import annotations

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


def negotiate(accept: str | None) -> str | None:
    """The media type to answer in, or None when ``accept`` allows neither."""
    if accept is None or not accept.strip():
        return JSON
    new_q = 0.0
    json_q = 0.0
    json_specificity = -1
    for media_range, q in _ranges(accept):
        if media_range == GRAPHQL_RESPONSE_JSON:
            new_q = max(new_q, q)
        specificity = {JSON: 2, "application/*": 1, "*/*": 0}.get(media_range)
        # the most specific range that matches decides (RFC 9110 §12.5.1)
        if specificity is not None and specificity > json_specificity:
            json_q, json_specificity = q, specificity
        elif specificity is not None and specificity == json_specificity:
            json_q = max(json_q, q)
    if new_q > 0 and new_q >= json_q:
        return GRAPHQL_RESPONSE_JSON
    if json_q > 0:
        return JSON
    return None


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media_range, *params = (p.strip() for p in part.split(";"))
        if not media_range:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0  # a malformed weight accepts nothing rather than everything
        ranges.append((media_range.lower(), q))
    return ranges
