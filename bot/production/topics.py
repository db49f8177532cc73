"""Which roles a server pings for each topic, and what a fan's choice of topics changes (pure).

A server pings either **one** role for every topic (``guild_settings.role_id``, as before
topics existed) or **each** topic its own role (``guild_topic_roles``; a topic without a role
pings nobody). A fan never picks roles, only topics: the select offers one option per distinct
role, labelled with the topics that role stands for, so a server with one role shows a single
"every topic" option and a fan can't believe they chose one topic when they chose them all.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

TopicMode = Literal["one", "each"]

NONE_VALUE: Final = "-"  # the select's "no pings" option (topic ids start with [a-z0-9])


@dataclass(frozen=True, slots=True)
class TopicRoles:
    """A server's mapping: ``role_id`` in mode 'one', ``per_topic`` in mode 'each'."""

    mode: TopicMode = "one"
    role_id: int | None = None
    per_topic: Mapping[str, int] = field(default_factory=dict)

    def role_for(self, topic: str | None) -> int | None:
        """The role an update about ``topic`` pings here (None: no ping).

        An update without a topic (published before topics existed) counts as the server's
        single role in mode 'one' and pings nobody in mode 'each'.
        """
        if self.mode == "one":
            return self.role_id
        if topic is None:
            return None
        return self.per_topic.get(topic)


@dataclass(frozen=True, slots=True)
class RoleGroup:
    """One option of the fan's select: a role and the topics (in pack order) it pings for."""

    role_id: int
    topics: tuple[str, ...]

    @property
    def value(self) -> str:
        """The option's value: its first topic, so the role is looked up again on submit."""
        return self.topics[0]


def role_groups(topic_ids: Sequence[str], roles: TopicRoles) -> list[RoleGroup]:
    """The distinct roles of the server's topics, in the order their first topic comes."""
    grouped: dict[int, list[str]] = {}
    for topic in topic_ids:
        role_id = roles.role_for(topic)
        if role_id is not None:
            grouped.setdefault(role_id, []).append(topic)
    return [RoleGroup(role_id, tuple(topics)) for role_id, topics in grouped.items()]


def chosen_groups(groups: Sequence[RoleGroup], member_roles: Collection[int]) -> list[RoleGroup]:
    """The options to show as already chosen: the roles the fan has now."""
    return [group for group in groups if group.role_id in member_roles]


@dataclass(frozen=True, slots=True)
class RoleChanges:
    add: tuple[int, ...]
    remove: tuple[int, ...]
    wanted: tuple[RoleGroup, ...]  # what the fan is pinged for afterwards, if all goes through


def role_changes(
    groups: Sequence[RoleGroup], values: Collection[str], member_roles: Collection[int]
) -> RoleChanges:
    """What choosing ``values`` (option values, maybe with :data:`NONE_VALUE`) changes.

    A value names a topic; its *current* role is what is given, so a mapping changed since
    the select was shown takes effect. Topics win over "none" when both are chosen (the
    "none" option was pre-selected and left on), and values naming no current topic are
    ignored (a stale select, or a client sending what was never offered).
    """
    picked = set(values) - {NONE_VALUE}
    wanted = tuple(g for g in groups if picked.intersection(g.topics))
    wanted_ids = {g.role_id for g in wanted}
    add = tuple(g.role_id for g in wanted if g.role_id not in member_roles)
    remove = tuple(
        g.role_id for g in groups if g.role_id not in wanted_ids and g.role_id in member_roles
    )
    return RoleChanges(add=add, remove=remove, wanted=wanted)
