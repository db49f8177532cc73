"""The gateway websocket (v10, JSON text frames, no compression).

HELLO → IDENTIFY → READY (+ one GUILD_CREATE per guild of the shard), heartbeats and ACKs,
RESUME with replay of missed dispatches, REQUEST_GUILD_MEMBERS, and on demand RECONNECT
(op 7) and INVALID_SESSION (op 9). Every session writes through its own queue so that
dispatches keep their sequence order even when produced from synchronous driver code.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from discord_double.config import DoubleConfig
from discord_double.errors import IDENTIFY_TOO_FAST, Violation
from discord_double.models import JSON, Guild
from discord_double.payloads import guild_payload, member_payload, user_payload
from discord_double.state import DoubleState

log = logging.getLogger(__name__)

OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE, OP_VOICE = 0, 1, 2, 3, 4
OP_RESUME, OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION = 6, 7, 8, 9
OP_HELLO, OP_HEARTBEAT_ACK = 10, 11

INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_ALREADY_AUTHENTICATED = 4005
CLOSE_INVALID_SHARD = 4010
CLOSE_SHARDING_REQUIRED = 4011
CLOSE_DISALLOWED_INTENTS = 4014

RESUME_BUFFER = 20_000  # dispatches kept per session for RESUME replay


@dataclass(eq=False)
class GatewaySession:
    session_id: str
    intents: int
    shard: tuple[int, int]
    seq: int = 0
    ws: web.WebSocketResponse | None = None
    buffer: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=RESUME_BUFFER))
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    writer: asyncio.Task[None] | None = None
    ready_sent: asyncio.Event = field(default_factory=asyncio.Event)
    resumed: asyncio.Event = field(default_factory=asyncio.Event)
    identified_at: float = 0.0

    def covers(self, guild_id: int | None) -> bool:
        shard_id, count = self.shard
        return guild_id is None or (guild_id >> 22) % count == shard_id

    def dispatch(self, event: str, data_json: str) -> None:
        self.seq += 1
        frame = f'{{"op":0,"t":"{event}","s":{self.seq},"d":{data_json}}}'
        self.buffer.append((self.seq, frame))
        if self.ws is not None:
            self.queue.put_nowait(frame)

    def send_raw(self, frame: str) -> None:
        if self.ws is not None:
            self.queue.put_nowait(frame)

    def attach(self, ws: web.WebSocketResponse) -> None:
        self.detach()
        self.ws = ws
        self.queue = asyncio.Queue()
        self.writer = asyncio.get_running_loop().create_task(self._write(ws, self.queue))

    def detach(self) -> None:
        if self.writer is not None:
            self.writer.cancel()
        self.writer = None
        self.ws = None

    @staticmethod
    async def _write(ws: web.WebSocketResponse, queue: asyncio.Queue[str | None]) -> None:
        while True:
            frame = await queue.get()
            if frame is None or ws.closed:
                return
            try:
                await ws.send_str(frame)
            except (ConnectionError, RuntimeError):
                return


class Gateway:
    """Gateway sessions and the websocket handler; `dispatch` fans an event out to them."""

    def __init__(
        self,
        state: DoubleState,
        config: DoubleConfig,
        *,
        url: Callable[[], str],
        on_identify: Callable[[], None],
        on_violation: Callable[[Violation], None],
    ) -> None:
        self._state = state
        self._config = config
        self._token = config.token
        self._url = url
        self._heartbeat_interval_ms = config.heartbeat_interval_ms
        self._privileged_intents = config.privileged_intents
        self._on_identify = on_identify
        self._on_violation = on_violation
        # When each rate-limit bucket (shard_id % max_concurrency) last started a session.
        self._identified_at: dict[int, float] = {}
        self.sessions: dict[str, GatewaySession] = {}
        self._connections: set[web.WebSocketResponse] = set()
        self.session_ready = asyncio.Event()
        # Thread CPU spent building READY + GUILD_CREATEs (for the benchmark).
        self.ready_cpu_seconds = 0.0

    # -- dispatching -----------------------------------------------------------------

    def connected_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.ws is not None]

    def dispatch(
        self, event: str, data: JSON, *, guild_id: int | None = None, intent: int = INTENT_GUILDS
    ) -> int:
        """Send a dispatch to every session that has the intent and the guild's shard."""
        data_json: str | None = None
        delivered = 0
        for session in self.sessions.values():
            if intent and not session.intents & intent:
                continue
            if not session.covers(guild_id):
                continue
            if data_json is None:
                data_json = json.dumps(data, separators=(",", ":"))
            session.dispatch(event, data_json)
            delivered += 1
        return delivered

    async def reconnect(self, within: float = 5.0) -> None:
        """Send op 7 to every connected session and wait until each has RESUMEd."""
        sessions = self.connected_sessions()
        for session in sessions:
            session.resumed.clear()
            session.send_raw(json.dumps({"op": OP_RECONNECT, "d": None}))
        await asyncio.wait_for(asyncio.gather(*(s.resumed.wait() for s in sessions)), within)

    async def invalidate(self, *, resumable: bool, within: float = 5.0) -> None:
        """Send op 9; wait for the client's RESUME (resumable) or its new IDENTIFY's READY."""
        sessions = self.connected_sessions()
        self.session_ready.clear()
        for session in sessions:
            session.resumed.clear()
            session.send_raw(json.dumps({"op": OP_INVALID_SESSION, "d": resumable}))
            if not resumable:
                self.sessions.pop(session.session_id, None)
        if resumable:
            await asyncio.wait_for(asyncio.gather(*(s.resumed.wait() for s in sessions)), within)
        else:
            await asyncio.wait_for(self.session_ready.wait(), within)

    async def close_all(self) -> None:
        for ws in list(self._connections):
            with contextlib.suppress(Exception):
                await ws.close(code=1001, message=b"double shutting down")
        for session in self.sessions.values():
            session.detach()

    # -- the websocket ---------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        self._connections.add(ws)
        session: GatewaySession | None = None
        try:
            hello = {"op": OP_HELLO, "d": {"heartbeat_interval": self._heartbeat_interval_ms}}
            await ws.send_str(json.dumps(hello))
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    if msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                        break
                    continue
                payload = json.loads(msg.data)
                session = await self._on_frame(ws, payload, session)
        finally:
            self._connections.discard(ws)
            if session is not None and session.ws is ws:
                session.detach()
                # Closing with 1000/1001 ends the session on Discord: no RESUME after that.
                if ws.close_code in (1000, 1001):
                    self.sessions.pop(session.session_id, None)
        return ws

    async def _on_frame(
        self, ws: web.WebSocketResponse, payload: dict[str, Any], session: GatewaySession | None
    ) -> GatewaySession | None:
        op = payload.get("op")
        data = payload.get("d")
        if op == OP_HEARTBEAT:
            frame = json.dumps({"op": OP_HEARTBEAT_ACK})
            if session is not None and session.ws is ws:
                session.send_raw(frame)
            else:
                await ws.send_str(frame)
        elif op == OP_IDENTIFY:
            if session is not None:
                await ws.close(code=CLOSE_ALREADY_AUTHENTICATED, message=b"Already authenticated.")
                return session
            return await self._identify(ws, data or {})
        elif op == OP_RESUME:
            return await self._resume(ws, data or {})
        elif op == OP_REQUEST_MEMBERS and session is not None:
            self._send_member_chunks(session, data or {})
        return session

    async def _identify(self, ws: web.WebSocketResponse, data: JSON) -> GatewaySession | None:
        if data.get("token") != self._token:
            await ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return None
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~self._privileged_intents:
            await ws.close(code=CLOSE_DISALLOWED_INTENTS, message=b"Disallowed intent(s).")
            return None
        shard_id, shard_count = data.get("shard") or (0, 1)
        if not 0 <= shard_id < shard_count:
            await ws.close(code=CLOSE_INVALID_SHARD, message=b"Invalid shard.")
            return None
        session = GatewaySession(
            session_id=secrets.token_hex(16), intents=intents, shard=(shard_id, shard_count)
        )
        state = self._state
        guilds = [g for g in state.guilds.values() if session.covers(g.id)]
        if len(guilds) > self._config.max_guilds_per_shard:
            self._refuse(
                CLOSE_SHARDING_REQUIRED,
                f"Sharding required: shard {shard_id}/{shard_count} would hold {len(guilds)} "
                f"guilds (at most {self._config.max_guilds_per_shard})",
                session.shard,
            )
            await ws.close(code=CLOSE_SHARDING_REQUIRED, message=b"Sharding required.")
            return None
        if not self._may_identify(shard_id):
            # Discord answers an IDENTIFY beyond max_concurrency with op 9 Invalid Session.
            self._refuse(
                IDENTIFY_TOO_FAST,
                f"IDENTIFY for shard {shard_id} within {self._config.identify_interval:g} s of the "
                f"last one in its bucket (max_concurrency {self._config.max_concurrency})",
                session.shard,
            )
            await ws.send_str(json.dumps({"op": OP_INVALID_SESSION, "d": False}))
            return None
        self._on_identify()
        cpu = time.thread_time()
        self.sessions[session.session_id] = session
        session.attach(ws)
        ready = {
            "v": 10,
            "user": {**user_payload(state.bot_user), "verified": True, "mfa_enabled": False},
            "user_settings": {},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self._url(),
            "shard": [shard_id, shard_count],
            "application": {"id": str(state.application_id), "flags": 0},
            "relationships": [],
            "private_channels": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["golden-hour-devserver"],
        }
        session.dispatch("READY", json.dumps(ready, separators=(",", ":")))
        if intents & INTENT_GUILDS:
            for guild in guilds:
                session.dispatch(
                    "GUILD_CREATE",
                    json.dumps(self.guild_create(guild, intents), separators=(",", ":")),
                )
        session.ready_sent.set()
        self.session_ready.set()
        self.ready_cpu_seconds += time.thread_time() - cpu
        return session

    def _may_identify(self, shard_id: int) -> bool:
        """Start a session for `shard_id` unless its bucket started one too recently.

        Enforced while another session of the bot is connected (shards started too fast, a
        re-IDENTIFY that skipped the wait). A fresh start after every connection closed (a
        process restart in a test) is let through: Discord would answer op 9 and discord.py
        would retry 5 s later, which only slows tests down.
        """
        bucket = shard_id % max(1, self._config.max_concurrency)
        now = time.monotonic()
        last = self._identified_at.get(bucket)
        recent = last is not None and now - last < self._config.identify_interval
        if recent and self.connected_sessions():
            return False
        self._identified_at[bucket] = now
        return True

    def _refuse(self, code: int, message: str, shard: tuple[int, int]) -> None:
        self._on_violation(
            Violation(
                code=code,
                message=message,
                method="GATEWAY",
                path=f"IDENTIFY shard {list(shard)}",
                status=0,
            )
        )

    def guild_create(self, guild: Guild, intents: int, *, joined: bool = False) -> JSON:
        """GUILD_CREATE: without GUILD_MEMBERS only the bot's own member is included.

        A guild announced unavailable in READY comes back with `unavailable: false`; a guild
        the bot just joined carries no `unavailable` key (discord.py: guild_join).
        """
        bot_id = self._state.bot_user.id
        if intents & INTENT_GUILD_MEMBERS:
            members = list(guild.members.values())[:250]
        else:
            members = [m for m in guild.members.values() if m.id == bot_id]
        data = guild_payload(guild, members=members)
        if joined:
            del data["unavailable"]
        return data

    async def _resume(self, ws: web.WebSocketResponse, data: JSON) -> GatewaySession | None:
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq") or 0
        oldest = session.buffer[0][0] if session is not None and session.buffer else 1
        if data.get("token") != self._token or session is None or seq < oldest - 1:
            await ws.send_str(json.dumps({"op": OP_INVALID_SESSION, "d": False}))
            return None
        session.attach(ws)
        for frame_seq, frame in list(session.buffer):
            if frame_seq > seq:
                log.debug("replaying seq %s on RESUME", frame_seq)
                session.send_raw(frame)
        session.dispatch("RESUMED", json.dumps({"_trace": ["golden-hour-devserver"]}))
        session.resumed.set()
        return session

    def _send_member_chunks(self, session: GatewaySession, data: JSON) -> None:
        guild = self._state.guilds.get(int(data.get("guild_id", 0)))
        if guild is None:
            return
        user_ids = {int(u) for u in data.get("user_ids") or []}
        query = str(data.get("query") or "").lower()
        members = [
            m
            for m in guild.members.values()
            if (not user_ids or m.id in user_ids) and m.name.lower().startswith(query)
        ]
        limit = int(data.get("limit") or 0)
        if limit:
            members = members[:limit]
        chunk = {
            "guild_id": str(guild.id),
            "members": [member_payload(m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        session.dispatch("GUILD_MEMBERS_CHUNK", json.dumps(chunk, separators=(",", ":")))
