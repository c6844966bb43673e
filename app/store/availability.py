"""Telling a database that cannot answer (down, unreachable, locked) from any other failure.

Such a failure is the service's, not the request's: the caller should retry later (503), and the
same request succeeds once the database is back, with no restart (the pool reconnects).
"""

from __future__ import annotations

import socket

from sqlalchemy import exc

# SQLite reports what is wrong with the file itself through OperationalError, like it does
# some statement errors; these messages are about the file (missing, locked, unreadable, full).
_DRIVER_MODULES = ("asyncpg", "sqlalchemy", "aiosqlite")
_SQLITE_UNAVAILABLE = (
    "unable to open database file",
    "database is locked",
    "disk i/o error",
    "attempt to write a readonly database",
    "database or disk is full",
)


def is_database_unavailable(error: BaseException | None) -> bool:
    """Whether `error` (or what caused it) says the database cannot be reached or used now."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if _says_unavailable(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def _raised_by_the_driver(error: BaseException) -> bool:
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_globals.get("__name__", "").startswith(_DRIVER_MODULES):
            return True
        traceback = traceback.tb_next
    return False


def _says_unavailable(error: BaseException) -> bool:
    # asyncpg raises the socket's own error when it cannot connect (refused, unknown host).
    if isinstance(error, ConnectionError | socket.gaierror):
        return True
    # ... and a bare TimeoutError when the server does not answer in the connect timeout.
    if isinstance(error, TimeoutError) and _raised_by_the_driver(error):
        return True
    if isinstance(error, exc.DisconnectionError | exc.TimeoutError | exc.InterfaceError):
        return True
    if isinstance(error, exc.DBAPIError):
        # No statement: the error came from opening the connection (no such database,
        # too many connections, authentication); invalidated: the connection dropped.
        if error.connection_invalidated or error.statement is None:
            return True
        if isinstance(error, exc.OperationalError) and type(error.orig).__module__ == "sqlite3":
            message = str(error.orig).lower()
            return any(reason in message for reason in _SQLITE_UNAVAILABLE)
    return False
