"""Which mentions in a message actually notify, computed the way Discord does.

resources/message.mdx "Allowed Mentions": without `allowed_mentions` regular messages parse
users, roles and @everyone, interaction responses and webhooks parse users only. A role
pings only if it is mentionable or the author has MENTION_EVERYONE; @everyone/@here need
MENTION_EVERYONE. Ids listed in `users`/`roles` but absent from the content are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from discord_double.models import JSON, Guild, Role, User

USER_MENTION = re.compile(r"<@!?(\d{15,21})>")
ROLE_MENTION = re.compile(r"<@&(\d{15,21})>")
EVERYONE_MENTION = re.compile(r"@(everyone|here)")

MESSAGE_DEFAULT_PARSE = frozenset({"users", "roles", "everyone"})
INTERACTION_DEFAULT_PARSE = frozenset({"users"})


@dataclass(slots=True)
class ResolvedMentions:
    users: list[User] = field(default_factory=list)
    role_ids: list[int] = field(default_factory=list)
    everyone: bool = False


def resolve_mentions(
    content: str,
    allowed_mentions: JSON | None,
    *,
    default_parse: frozenset[str],
    guild: Guild | None,
    find_user: Callable[[int], User | None],
    can_mention_everyone: bool,
    replied_user: User | None = None,
) -> ResolvedMentions:
    """The users, roles and @everyone that this content would really notify."""
    if allowed_mentions is None:
        parse, allowed_users, allowed_roles = default_parse, set[int](), set[int]()
        ping_reply = True
    else:
        parse = frozenset(allowed_mentions.get("parse") or [])
        allowed_users = {int(u) for u in allowed_mentions.get("users") or []}
        allowed_roles = {int(r) for r in allowed_mentions.get("roles") or []}
        ping_reply = bool(allowed_mentions.get("replied_user", False))

    result = ResolvedMentions()
    seen_users: set[int] = set()
    for match in USER_MENTION.finditer(content):
        user_id = int(match.group(1))
        if user_id in seen_users or not ("users" in parse or user_id in allowed_users):
            continue
        user = find_user(user_id)
        if user is not None:
            seen_users.add(user_id)
            result.users.append(user)
    if replied_user is not None and ping_reply and replied_user.id not in seen_users:
        result.users.append(replied_user)

    if guild is not None:
        for match in ROLE_MENTION.finditer(content):
            role_id = int(match.group(1))
            role: Role | None = guild.roles.get(role_id)
            if role is None or role_id in result.role_ids:
                continue
            if not ("roles" in parse or role_id in allowed_roles):
                continue
            if role.mentionable or can_mention_everyone:
                result.role_ids.append(role_id)

    result.everyone = (
        "everyone" in parse
        and can_mention_everyone
        and EVERYONE_MENTION.search(content) is not None
    )
    return result
