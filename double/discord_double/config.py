"""Knobs of the double; defaults mirror Discord's documented or observed behaviour."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class DoubleConfig:
    token: str = "golden-hour-test-token"
    bot_name: str = "Golden Hour"
    # 50 requests/s per bot; None switches the global limit off.
    global_rate_limit: float | None = 50.0
    # POST /channels/{id}/messages: 5 per 5 s per channel (observed).
    channel_message_limit: tuple[int, float] | None = (5, 5.0)
    # Crossposts: ~10 per hour per channel (community-observed).
    crosspost_limit: tuple[int, float] | None = (10, 3600.0)
    # First answer within 3 s, then the token lives 15 min.
    interaction_deadline: float = 3.0
    interaction_token_ttl: float = 15 * 60.0
    # Same author + channel + nonce within "a few minutes" returns the first message.
    nonce_window: float = 5 * 60.0
    heartbeat_interval_ms: int = 41_250
    # Privileged intents approved in the (imaginary) developer portal; none by default.
    privileged_intents: int = 0
    daily_command_creates: int = 200
    # GET /gateway/bot `session_start_limit.max_concurrency`: IDENTIFYs are spaced per bucket
    # (shard_id % max_concurrency), one every `identify_interval` s; faster ones get op 9.
    max_concurrency: int = 1
    identify_interval: float = 5.0
    # A shard holding more guilds than this is refused with close code 4011.
    max_guilds_per_shard: int = 2500
    attachment_size_limit: int = 10 * 1024 * 1024
    host: str = "127.0.0.1"
    port: int = 0
