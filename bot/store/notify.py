"""Wake-ups across processes: PostgreSQL's ``NOTIFY``/``LISTEN``, nothing on SQLite.

A writer calls :func:`notify` inside its transaction; PostgreSQL delivers the notification
when (and only if) the transaction commits, to every session listening on the channel, in
any process on any machine. :func:`listener` gives the reader side behind one small
interface (:class:`WakeSource`), so its user does not know the engine: on SQLite it does
nothing (one machine; the poll and in-process wake-ups cover it).

The PostgreSQL listener keeps one dedicated asyncpg connection (a pooled one could be
handed to a transaction; ``LISTEN`` belongs to the session). When it drops (the server
restarted, the network broke, an operator ended the session) it logs one line and
reconnects with backoff; after each (re)connect it wakes its user once, since anything
notified while nobody listened is lost. Whatever it misses, its user's poll still finds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Final, Protocol

import asyncpg

from bot.store.connection import Connection
from bot.store.database import Database
from bot.store.url import StoreUrl

log = logging.getLogger(__name__)

Wake = Callable[[], None]

CONNECT_TIMEOUT: Final = 10.0  # seconds
CHECK_EVERY: Final = 30.0  # a connection cut without a word is noticed by this ping
RETRY_FIRST: Final = 1.0
RETRY_MAX: Final = 30.0
_LOST: Final = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


async def notify(conn: Connection, channel: str, payload: str = "") -> None:
    """Tell every listener on ``channel`` once this transaction commits (PostgreSQL only;
    the same channel and payload twice in one transaction arrive once)."""
    if conn.dialect == "postgresql":
        await conn.execute("SELECT pg_notify(?, ?)", (channel, payload))


class WakeSource(Protocol):
    """Calls ``wake`` whenever someone notified the channel, between start and stop."""

    async def start(self, wake: Wake) -> None: ...
    async def stop(self) -> None: ...


class NoWakeSource:
    """SQLite: no other machine can write; the poll covers other processes."""

    async def start(self, wake: Wake) -> None:
        return None

    async def stop(self) -> None:
        return None


def listener(db: Database, channel: str) -> WakeSource:
    """What wakes a reader of ``channel`` on ``db``'s engine."""
    if db.dialect == "postgresql":
        return PostgresListener(db.url, channel)
    return NoWakeSource()


def connect_args(url: StoreUrl) -> dict[str, Any]:
    """asyncpg.connect's arguments for ``url`` (as SQLAlchemy's asyncpg dialect builds them:
    host, port, user, password, database, then the URL's query such as ``ssl``)."""
    assert url.url is not None
    args: dict[str, Any] = url.url.translate_connect_args(username="user")
    args.update(url.url.query)
    return args


class PostgresListener:
    """``LISTEN channel`` on a connection of its own, reconnecting after a drop."""

    def __init__(
        self,
        url: StoreUrl,
        channel: str,
        *,
        check_every: float = CHECK_EVERY,
        retry_first: float = RETRY_FIRST,
        retry_max: float = RETRY_MAX,
    ) -> None:
        self.url = url
        self.channel = channel
        self.check_every = check_every
        self.retry_first = retry_first
        self.retry_max = retry_max
        self.connects = 0  # how many times a LISTEN was set up (tests, logs)
        self.listening = asyncio.Event()  # set while a LISTEN is in place
        self._task: asyncio.Task[None] | None = None
        self._wake: Wake = lambda: None

    async def start(self, wake: Wake) -> None:
        """Listen in the background (returns at once; a server that is down is retried)."""
        if self._task is not None and not self._task.done():
            return
        self._wake = wake
        self._task = asyncio.create_task(self._run(), name=f"listen {self.channel}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.listening.clear()

    async def _run(self) -> None:
        delay = self.retry_first
        down_since_logged = False
        while True:
            try:
                conn = await asyncpg.connect(
                    **connect_args(self.url),
                    timeout=CONNECT_TIMEOUT,
                    server_settings={"application_name": "goldenhour-listen"},
                )
            except Exception as exc:  # refused, unknown host, bad password …: one line each time
                if not down_since_logged:
                    log.warning(
                        "cannot listen for %s on PostgreSQL at %s (%s); retrying, and the "
                        "outbox poll picks up new work meanwhile",
                        self.channel,
                        self.url.host,
                        _reason(exc),
                    )
                    down_since_logged = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.retry_max)
                continue
            down_since_logged = False
            try:
                reason = await self._listen(conn)
            except _LOST as exc:
                reason = _reason(exc)
            finally:
                self.listening.clear()
                conn.terminate()  # no goodbye needed (and none possible on a dead socket)
            log.warning(
                "lost the PostgreSQL connection listening for %s at %s (%s); reconnecting, "
                "and the outbox poll picks up new work meanwhile",
                self.channel,
                self.url.host,
                reason,
            )
            down_since_logged = True
            delay = self.retry_first
            await asyncio.sleep(delay)

    async def _listen(self, conn: asyncpg.Connection) -> str:
        """LISTEN until the connection is lost; returns why."""
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        await conn.add_listener(self.channel, self._notified)
        self.connects += 1
        self.listening.set()
        if self.connects > 1:
            log.info("listening for %s on PostgreSQL at %s again", self.channel, self.url.host)
        self._wake()  # whatever was notified while nobody listened
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), self.check_every)
            if lost.is_set():
                return "the server closed it"
            await asyncio.wait_for(conn.execute("SELECT 1"), CONNECT_TIMEOUT)

    def _notified(self, _conn: object, _pid: int, _channel: str, _payload: str) -> None:
        self._wake()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
