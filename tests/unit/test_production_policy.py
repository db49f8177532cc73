from __future__ import annotations

import random

import pytest

from bot.production.policy import (
    NONCE_MAX_LENGTH,
    OutcomeKind,
    RetryPolicy,
    classify_http_error,
    delivery_nonce,
    needs_guild_attention,
)


def test_backoff_grows_exponentially_within_its_jitter_band() -> None:
    policy = RetryPolicy(base_delay=5.0, factor=2.0, max_delay=900.0, jitter=0.5)
    rng = random.Random(1)
    for attempt in range(1, 8):
        full = min(5.0 * 2 ** (attempt - 1), 900.0)
        delays = [policy.backoff(attempt, rng) for _ in range(200)]
        assert all(full / 2 <= d <= full for d in delays)
        assert max(delays) - min(delays) > full / 10  # really jittered, not a constant


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(base_delay=5.0, max_delay=60.0)
    assert all(policy.backoff(30, random.Random(s)) <= 60.0 for s in range(50))


def test_backoff_is_reproducible_with_the_same_rng_seed() -> None:
    policy = RetryPolicy()
    first = [policy.backoff(a, random.Random(42)) for a in range(1, 6)]
    second = [policy.backoff(a, random.Random(42)) for a in range(1, 6)]
    assert first == second


def test_retries_stop_at_the_limit() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert [policy.should_retry(n) for n in (1, 2, 3, 4)] == [True, True, False, False]


def test_rate_limit_delay_never_shortens_discords_wait() -> None:
    policy = RetryPolicy()
    rng = random.Random(3)
    assert all(12.5 <= policy.rate_limit_delay(12.5, rng) <= 13.5 for _ in range(100))


@pytest.mark.parametrize("bad", [{"max_attempts": 0}, {"base_delay": 0}, {"jitter": 1.5}])
def test_invalid_policies_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (403, 50013, OutcomeKind.PERMANENT),
        (403, 50001, OutcomeKind.PERMANENT),
        (404, 10003, OutcomeKind.PERMANENT),
        (404, 10008, OutcomeKind.PERMANENT),
        (400, 50035, OutcomeKind.PERMANENT),
        (500, None, OutcomeKind.TRANSIENT),
        (502, None, OutcomeKind.TRANSIENT),
        (503, None, OutcomeKind.TRANSIENT),
        (429, None, OutcomeKind.RATE_LIMITED),
        (400, 20022, OutcomeKind.RATE_LIMITED),
        (429, 20028, OutcomeKind.RATE_LIMITED),
    ],
)
def test_classification(status: int, code: int | None, kind: OutcomeKind) -> None:
    assert classify_http_error(status, code).kind is kind


def test_rate_limited_keeps_discords_retry_after() -> None:
    verdict = classify_http_error(429, None, retry_after=42.0)
    assert verdict.retry_after == 42.0
    # An edit of a published message over its hourly limit waits long, not seconds.
    edit_limit = classify_http_error(400, 20022)
    assert edit_limit.retry_after is not None and edit_limit.retry_after >= 600


def test_only_broken_setup_codes_need_attention() -> None:
    assert needs_guild_attention(50001)
    assert needs_guild_attention(50013)
    assert needs_guild_attention(10003)
    assert not needs_guild_attention(10008)  # a deleted message is not a broken server
    assert not needs_guild_attention(None)


def test_nonce_is_deterministic_short_and_distinct() -> None:
    guild = 1_234_567_890_123_456_789
    nonce = delivery_nonce(42, guild, 1)
    assert nonce == delivery_nonce(42, guild, 1)
    assert 1 <= len(nonce) <= NONCE_MAX_LENGTH and nonce.isdigit()
    others = {delivery_nonce(u, g, r) for u in range(1, 30) for g in range(1, 60) for r in (1, 2)}
    assert len(others) == 29 * 59 * 2  # no collisions across updates, servers and revisions
    assert all(len(n) <= NONCE_MAX_LENGTH for n in others)


def test_nonce_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        delivery_nonce(1, 2, 0)
