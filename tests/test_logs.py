"""carebase/logs.py: request lines and URLs lose their query strings (they carry tokens)."""

from __future__ import annotations

import logging

import httpx

from carebase.logs import StripQueryStrings, log_config

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def _formatted(name: str, msg: str, *args: object) -> str:
    record = logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)
    assert StripQueryStrings().filter(record)
    return record.getMessage()


def test_the_access_log_line_loses_its_query_string() -> None:
    line = _formatted(
        "uvicorn.access",
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000",
        "GET",
        f"/graphql?query=%7Bviewer%7D&access_token={TOKEN}",
        "1.1",
        200,
    )
    assert line == '127.0.0.1:5000 - "GET /graphql HTTP/1.1" 200'


def test_websocket_lines_and_outbound_urls_lose_theirs() -> None:
    assert _formatted(
        "uvicorn.error", '%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", f"/graphql?t={TOKEN}"
    ) == ('127.0.0.1:5000 - "WebSocket /graphql" [accepted]')
    url = httpx.URL(f"https://hooks.example.test/in?token={TOKEN}")
    assert TOKEN not in _formatted("httpx", "HTTP Request: %s %s", "POST", url)
    preformatted = (
        f"message='Request to Stripe api' method=get url=https://x.test/v1/c?email={TOKEN}"
    )
    assert TOKEN not in _formatted("stripe", preformatted)
    # what is not a path or a URL is left alone
    assert _formatted("carebase", "%s?", "really") == "really?"


def test_serve_logs_through_the_filter_in_one_format() -> None:
    config = log_config()
    assert config["disable_existing_loggers"] is False
    for handler in config["handlers"].values():
        assert handler["filters"] == ["query_strings"]
    assert config["filters"]["query_strings"]["()"] is StripQueryStrings
    assert config["loggers"]["uvicorn.access"]["handlers"] == ["access"]


def test_a_file_links_token_stays_out_of_request_lines() -> None:
    line = _formatted(
        "uvicorn.access",
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000",
        "GET",
        f"/files/{TOKEN}",
        "1.1",
        200,
    )
    assert line == '127.0.0.1:5000 - "GET /files/[token] HTTP/1.1" 200'
    url = httpx.URL(f"http://carebase.test/files/{TOKEN}")
    assert TOKEN not in _formatted("httpx", "HTTP Request: %s %s", "GET", url)
