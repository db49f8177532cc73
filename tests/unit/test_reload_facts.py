"""Rebuilding the fact index after a seed: built completely, then swapped in one step with the
cache of rendered answers dropped; a failure leaves what fans get untouched."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

from bot.datapack.loader import load_pack
from bot.datapack.models import Pack
from bot.i18n.catalogue import Catalogue
from bot.services import FactIndex, Services
from bot.settings import Settings
from bot.store.database import Database, StoreError
from bot.store.facts import load_seeded_pack, save_pack
from bot.store.migrate import migrate

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def renamed(pack: Pack) -> Pack:
    """The same pack with the show's English title changed (a real edit)."""
    show = pack.show.model_copy(
        update={"title": pack.show.title.model_copy(update={"en": "Golden Hour Edition"})}
    )
    return pack.model_copy(update={"show": show})


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    db = await Database.open(tmp_path / "gh.sqlite3")
    try:
        await migrate(db)
        await save_pack(db, load_pack(SEEDS))
        pack, digest = await load_seeded_pack(db)
        settings = Settings(discord_token="x", database_path=db.path, _env_file=None)
        yield Services(
            settings=settings, db=db, texts=Catalogue.load(), facts=FactIndex.build(pack, digest)
        )
    finally:
        await db.close()


def remember_an_answer(services: Services) -> None:
    services.memo.one(("show", "en", id(services.facts)), lambda: discord.Embed(title="old"))


async def test_a_new_seed_is_swapped_in_and_the_cached_answers_dropped(
    services: Services,
) -> None:
    old = services.facts
    remember_an_answer(services)
    report = await save_pack(services.db, renamed(old.pack))

    assert await services.reload_facts()

    assert services.facts is not old
    assert services.facts.pack_hash == report.pack_hash
    assert services.facts.catalog.show.title.en == "Golden Hour Edition"
    assert len(services.memo) == 0
    # Nothing new stored: nothing rebuilt, nothing dropped.
    current = services.facts
    remember_an_answer(services)
    assert not await services.reload_facts()
    assert services.facts is current and len(services.memo) == 1


async def test_answers_during_the_rebuild_use_the_old_index_whole(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = services.facts
    remember_an_answer(services)
    await save_pack(services.db, renamed(old.pack))
    release = threading.Event()
    real_build = FactIndex.build

    def slow_build(pack: Pack, pack_hash: str | None = None) -> FactIndex:
        release.wait(5)
        return real_build(pack, pack_hash)

    monkeypatch.setattr(FactIndex, "build", slow_build)
    reload = asyncio.create_task(services.reload_facts())
    await asyncio.sleep(0.1)  # the new index is being built, off the event loop
    assert services.facts is old and len(services.memo) == 1
    assert services.facts.catalog.show.title.en != "Golden Hour Edition"
    release.set()
    assert await reload
    assert services.facts.catalog.show.title.en == "Golden Hour Edition"
    assert len(services.memo) == 0


async def test_an_index_that_cannot_be_built_keeps_the_old_one(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = services.facts
    remember_an_answer(services)
    await save_pack(services.db, renamed(old.pack))

    def broken(pack: Pack, pack_hash: str | None = None) -> FactIndex:
        raise KeyError("a character nobody plays")

    monkeypatch.setattr(FactIndex, "build", broken)
    with pytest.raises(StoreError, match="could not be indexed"):
        await services.reload_facts()
    assert services.facts is old and len(services.memo) == 1
