"""Structured logging with structlog: JSON lines carrying the request id, never request data."""

from __future__ import annotations

import logging
import sys

import structlog

_CHATTY_LIBRARIES = ("sqlalchemy", "aiosqlite", "asyncpg", "httpx", "httpcore")


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    """Route stdlib and structlog logs through one JSON (or console) renderer on stderr."""
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            # Drop a disabled level before any processor runs (the access line of every
            # request is INFO; at WARNING it used to be built in full, then thrown away).
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    # These libraries log SQL with its bound parameters or request URLs and headers: personal
    # data and secrets. Whatever level is asked for, they only ever log warnings and errors.
    for name in _CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    # Uvicorn's own access log would duplicate ours (and print query strings).
    logging.getLogger("uvicorn.access").disabled = True
