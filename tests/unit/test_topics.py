"""Topics: the pack's list, each server's topic → role mapping, and what a fan's choice changes
(pure parts; the flows through Discord are in tests/e2e/test_topics.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.datapack.loader import PackError, load_pack
from bot.datapack.models import TOPICS_MAX
from bot.production.models import GuildSettings
from bot.production.setup_check import RoleState, TopicRoleState, check_setup
from bot.production.topics import (
    NONE_VALUE,
    RoleGroup,
    TopicRoles,
    chosen_groups,
    role_changes,
    role_groups,
)
from bot.store.database import Database
from bot.store.facts import load_pack_from_db, save_pack
from bot.store.migrate import available_migrations, migrate

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TOPICS = ["season-news", "cast-awards", "events"]
EACH = TopicRoles(mode="each", role_id=9, per_topic={"season-news": 1, "cast-awards": 2})


# --- the pack's topics ---------------------------------------------------------------------


def test_the_real_pack_lists_the_topics_in_both_languages() -> None:
    topics = load_pack(SEEDS).topics
    assert [t.id for t in topics] == TOPICS
    assert [t.name.en for t in topics] == [
        "Season 2 & 3 news",
        "Cast & awards",
        "Events & anniversaries",
    ]
    assert all(t.name.ko and t.description.ko and t.description.en for t in topics)


def broken(tmp_path: Path, old: str, new: str) -> str:
    seeds = Path(shutil.copytree(SEEDS, tmp_path / "seeds"))
    path = seeds / "topics.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(seeds)
    return str(caught.value)


def test_a_duplicate_topic_id_or_name_is_named(tmp_path: Path) -> None:
    message = broken(tmp_path, "- id: events", "- id: cast-awards")
    assert "topics.yaml" in message and "duplicate topic id 'cast-awards'" in message


def test_a_topic_name_too_long_for_a_role_is_refused(tmp_path: Path) -> None:
    message = broken(tmp_path, "en: Cast & awards", "en: " + "Cast " * 10)
    assert "topics[1] (id 'cast-awards') → name.en" in message and "40" in message


def test_a_topic_needs_both_languages(tmp_path: Path) -> None:
    message = broken(tmp_path, "      ko: 이벤트·기념일\n", "")
    assert "topics[2] (id 'events') → name.ko: missing required field" in message


def test_too_many_topics_are_refused(tmp_path: Path) -> None:
    seeds = Path(shutil.copytree(SEEDS, tmp_path / "seeds"))
    entries = "".join(
        f"  - id: t{i}\n    name: {{en: T{i}, ko: 주제{i}}}\n"
        f"    description: {{en: D{i}, ko: 설명{i}}}\n"
        for i in range(TOPICS_MAX + 1)
    )
    (seeds / "topics.yaml").write_text("topics:\n" + entries, encoding="utf-8")
    with pytest.raises(PackError, match=f"at most {TOPICS_MAX} items"):
        load_pack(seeds)


async def test_topics_round_trip_through_the_fact_tables_and_match_the_migration(
    store_target: Path | str,
) -> None:
    """A database seeded before 0006 gets the same topics the pack has (until its next seed)."""
    pack = load_pack(SEEDS)
    async with await Database.open(store_target) as db:
        await migrate(db)
        migrated = await db.fetch_all("SELECT * FROM topics")
        assert migrated == []  # never seeded: the first seed brings them
        await save_pack(db, pack)
        assert (await load_pack_from_db(db)).topics == pack.topics
        seeded = [tuple(r) for r in await db.fetch_all("SELECT * FROM topics ORDER BY position")]
    sql = next(m.sql for m in available_migrations() if m.name == "topics")
    for row in seeded:
        for value in row[2:]:
            assert f"'{value}'" in sql, f"the topics migration lacks {value!r} (seeds/topics.yaml)"


# --- topic → role -------------------------------------------------------------------------


def test_one_role_pings_for_every_topic_and_each_mode_per_topic() -> None:
    one = TopicRoles(mode="one", role_id=9, per_topic={"events": 3})
    assert [one.role_for(t) for t in [*TOPICS, None]] == [9, 9, 9, 9]
    assert [EACH.role_for(t) for t in [*TOPICS, None]] == [1, 2, None, None]
    assert TopicRoles().role_for("events") is None


def test_the_select_offers_one_option_per_role() -> None:
    assert role_groups(TOPICS, TopicRoles(mode="one", role_id=9)) == [RoleGroup(9, tuple(TOPICS))]
    assert role_groups(TOPICS, EACH) == [
        RoleGroup(1, ("season-news",)),
        RoleGroup(2, ("cast-awards",)),
    ]
    shared = TopicRoles(mode="each", per_topic={"season-news": 1, "cast-awards": 2, "events": 1})
    assert role_groups(TOPICS, shared) == [
        RoleGroup(1, ("season-news", "events")),
        RoleGroup(2, ("cast-awards",)),
    ]
    assert role_groups(TOPICS, TopicRoles(mode="one")) == []


def test_choosing_adds_and_removes_exactly_the_roles_of_the_topics() -> None:
    groups = role_groups(TOPICS, EACH)
    assert chosen_groups(groups, [2, 77]) == [groups[1]]
    change = role_changes(groups, ["season-news"], member_roles={2, 77})
    assert (change.add, change.remove) == ((1,), (2,))  # 77 is not ours: untouched
    keep = role_changes(groups, ["season-news", "cast-awards"], member_roles={1, 2})
    assert (keep.add, keep.remove) == ((), ())
    none = role_changes(groups, [NONE_VALUE], member_roles={1, 2})
    assert (none.add, none.remove, none.wanted) == ((), (1, 2), ())
    # A topic chosen together with "none" wins; values naming no current option are ignored.
    both = role_changes(groups, [NONE_VALUE, "cast-awards", "events", "gossip"], member_roles=())
    assert (both.add, both.remove) == ((2,), ())


# --- /setup check -------------------------------------------------------------------------


def test_setup_check_reports_each_topic_role_by_topic() -> None:
    settings = GuildSettings(
        guild_id=1, channel_id=2, channel_kind="text", role_id=None, language="en",
        enabled=True, topic_roles="each",
    )  # fmt: skip
    quiet = RoleState(exists=True, name="@quiet", mentionable=False, below_bot=True,
                      bot_manage_roles=True)  # fmt: skip
    fine = RoleState(exists=True, name="@fine", mentionable=True, below_bot=True,
                     bot_manage_roles=True, elevated=("ban_members",))  # fmt: skip
    findings = check_setup(
        settings,
        None,
        None,
        [
            TopicRoleState("Season news", 5, quiet),
            TopicRoleState("Cast", 6, fine),
            TopicRoleState("Events", None, None),
        ],
    )
    by_code = {(f.code, f.params.get("topic")) for f in findings}
    assert ("role_not_mentionable", "Season news") in by_code
    assert ("role_elevated", "Cast") in by_code
    assert ("topic_no_role", "Events") in by_code
    assert not any(f.code == "no_role" for f in findings)  # the single role is not asked for
