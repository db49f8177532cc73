"""The fan's topic picker (/notify, the Notify me button) and topic roles, read from the double."""

from __future__ import annotations

from typing import Any

from discord_double import DiscordDouble
from discord_double.interactions import InteractionResult
from discord_double.models import Guild, Member, Message, Role

PICKER = "gh:topics"
ROLE_ROUTES = (
    "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}",
    "DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}",
)
CREATE_ROLE = "POST /guilds/{guild_id}/roles"
EDIT_ORIGINAL = "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"
TOPICS = ("season-news", "cast-awards", "events")
NAMES = {
    "en": {
        "season-news": "Season 2 & 3 news",
        "cast-awards": "Cast & awards",
        "events": "Events & anniversaries",
    },
    "ko": {
        "season-news": "시즌 2·3 소식",
        "cast-awards": "출연진·수상 소식",
        "events": "이벤트·기념일",
    },
}


def language(locale: str) -> str:
    return "ko" if locale == "ko" else "en"


def picker_select(message: Message | None) -> dict[str, Any]:
    assert message is not None, "no message"
    found = [c for c in message.iter_components() if c.get("custom_id") == PICKER]
    assert len(found) == 1, f"no topic select on {message.components}"
    return found[0]


def options(message: Message | None) -> dict[str, str]:
    """value → label of every option the fan is offered."""
    return {str(o["value"]): str(o["label"]) for o in picker_select(message)["options"]}


def prefilled(message: Message | None) -> set[str]:
    return {str(o["value"]) for o in picker_select(message)["options"] if o.get("default")}


def role_requests(double: DiscordDouble) -> list[tuple[str, int]]:
    """(method, role id) of every member role change the bot asked Discord for, in order."""
    changes = [r for route in ROLE_ROUTES for r in double.requests_to(route)]
    changes.sort(key=lambda r: r.started)
    return [(r.method, int(r.path.rsplit("/", 1)[1])) for r in changes]


async def open_picker(
    double: DiscordDouble, guild: Guild, fan: Member, locale: str = "en-US"
) -> InteractionResult:
    shown = await double.invoke("notify", guild=guild, user=fan, locale=locale)
    assert shown.ephemeral and not shown.loading
    return shown


async def choose(
    double: DiscordDouble, picker: InteractionResult, values: list[str], locale: str = "en-US"
) -> InteractionResult:
    """Choose ``values`` in the picker and wait until it shows the outcome (edited in place)."""
    assert picker.message is not None
    edits = len(double.requests_to(EDIT_ORIGINAL))
    result = await double.select(picker.message, PICKER, values, locale=locale)
    edited = await result.record.wait_until(
        lambda: len(double.requests_to(EDIT_ORIGINAL)) > edits, 10.0
    )
    assert edited, "the picker was not updated with the outcome"
    assert result.latency is not None and result.latency < 3.0
    return result


async def setup_topic_roles(
    double: DiscordDouble, guild: Guild, admin: Member, roles: dict[str, Role], locale: str
) -> list[InteractionResult]:
    answers = []
    for topic, role in roles.items():
        answer = await double.invoke(
            "setup topic-role",
            {"topic": topic, "role": role},
            guild=guild,
            user=admin,
            locale=locale,
        )
        assert answer.ephemeral
        answers.append(answer)
    return answers
