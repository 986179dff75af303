"""Logging for carebase processes: structlog over the standard ``logging`` module, one
format (JSON in production, readable lines in development) carrying the request id and the
organization id of the request a record was made in, and query strings kept out of every log.

Query strings carry tokens (``GET /graphql?query=…``, links with ``?token=…``), so the
request lines uvicorn writes (the access log, and its WebSocket lines on ``uvicorn.error``)
and the URLs httpx logs for outbound calls lose everything from ``?`` on. The filter sits
on those loggers themselves, so every handler sees the stripped record.

What carebase logs itself is ids, kinds, codes and counts: never a body, an address, a name,
a token, a password or card data.
"""

from __future__ import annotations

import logging
import logging.config
from typing import Any

import structlog

# what every record gets before it is rendered, whether logged through structlog or not
PRE_CHAIN: list[Any] = [
    structlog.contextvars.merge_contextvars,  # request_id, organization_id
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]

#: loggers whose records carry request lines or URLs (Stripe's and Twilio's SDKs log each
#: call's URL at INFO, already formatted)
URL_LOGGERS = ("uvicorn.access", "uvicorn.error", "httpx", "stripe", "twilio.http_client")


#: a signed file link's path is its credential: logged as the route alone
FILE_ROUTE = "/files/"


def strip_query(value: str) -> str:
    """``/graphql?query=…`` -> ``/graphql``; ``https://host/p?x=1`` -> ``https://host/p``;
    ``/files/<token>`` -> ``/files/[token]``."""
    value = value.split("?", 1)[0]
    at = value.find(FILE_ROUTE)
    return value[: at + len(FILE_ROUTE)] + "[token]" if at >= 0 else value


def _looks_like_url(text: str) -> bool:
    return ("?" in text or FILE_ROUTE in text) and (text.startswith("/") or "://" in text)


class StripQueryStrings(logging.Filter):
    """Drops the query string of every path or URL among a record's arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and args:
            record.args = tuple(self._strip(arg) for arg in args)
        elif isinstance(args, dict):
            record.args = {key: self._strip(arg) for key, arg in args.items()}
        if isinstance(record.msg, str) and _looks_like_url(record.msg):
            record.msg = " ".join(
                strip_query(word) if _looks_like_url(word) else word
                for word in record.msg.split(" ")
            )
        return True

    @staticmethod
    def _strip(arg: Any) -> Any:
        if isinstance(arg, str):
            return strip_query(arg) if _looks_like_url(arg) else arg
        if type(arg).__name__ == "URL":  # httpx.URL, without importing httpx here
            text = str(arg)
            return strip_query(text) if _looks_like_url(text) else arg
        return arg


def install_filters() -> None:
    """Put the query-string filter on the loggers that write request lines (idempotent)."""
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, StripQueryStrings) for f in logger.filters):
            logger.addFilter(StripQueryStrings())


def formatter(*, json: bool) -> structlog.stdlib.ProcessorFormatter:
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=PRE_CHAIN,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )


def log_config(level: str = "INFO", *, json: bool = False) -> dict[str, Any]:
    """The ``dictConfig`` for ``carebase serve`` (uvicorn's ``log_config``) and the CLI.

    Everything goes to stderr in one format, the access log to stdout as uvicorn has it;
    both handlers strip query strings too, for whatever propagates to them.
    """
    made = {"()": formatter, "json": json}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"query_strings": {"()": StripQueryStrings}},
        "formatters": {"default": made, "access": dict(made)},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
                "filters": ["query_strings"],
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "stream": "ext://sys.stdout",
                "filters": ["query_strings"],
            },
        },
        "root": {"level": level, "handlers": ["default"]},
        "loggers": {
            "uvicorn": {"level": level, "handlers": ["default"], "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"level": level, "handlers": ["access"], "propagate": False},
        },
    }


def configure_structlog() -> None:
    """structlog loggers hand their events to ``logging``, where the formatter renders them."""
    structlog.configure(
        processors=[*PRE_CHAIN, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def configure(level: str = "INFO", *, json: bool = False) -> None:
    """Logging for a carebase process; ``carebase serve`` hands ``log_config()`` to uvicorn
    as well, which applies it again (the logger filters stay)."""
    configure_structlog()
    logging.config.dictConfig(log_config(level, json=json))
    install_filters()
