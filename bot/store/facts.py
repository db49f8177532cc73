"""The data pack in SQLite: save a validated :class:`Pack`, and rebuild the same Pack.

Saving replaces the content of the fact tables (and nothing else) in one transaction, so
seeding twice gives the same rows and a failure leaves the previous facts in place. Loading
reads every fact table from one snapshot and validates the result with the pack models, so
the bot never serves rows that the models would reject.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bot.datapack.models import (
    AwardEntry,
    Ceremony,
    Character,
    Figure,
    Pack,
    Person,
    Season,
    Show,
    Source,
    Text,
    Topic,
)
from bot.store.database import Connection, Database, StoreError
from bot.store.database import Row as DbRow
from bot.store.meta import write_meta

# Parents before children; cleared in reverse. Everything else in the database (meta, runtime
# tables from later migrations) is never touched by seeding.
FACT_TABLES: tuple[str, ...] = (
    "sources",
    "people",
    "person_sources",
    "show",
    "show_sources",
    "source_work_sources",
    "production_companies",
    "figures",
    "figure_sources",
    "characters",
    "character_sources",
    "ceremonies",
    "ceremony_sources",
    "award_entries",
    "award_entry_sources",
    "seasons",
    "season_events",
    "season_event_sources",
    "topics",
)

SEEDED_PACK_HASH = "seeded_pack_hash"
SEEDED_AT = "seeded_at"

Row = tuple[Any, ...]


class NotSeededError(StoreError):
    """The fact tables are empty: the data pack was never saved."""


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What a seed stored. ``str()`` is the line ``python -m bot seed`` prints."""

    pack_hash: str
    previous_hash: str | None  # None: the database had never been seeded
    counts: dict[str, int]  # kind of fact -> rows stored, in display order
    seeded_at: dt.datetime

    @property
    def changed(self) -> bool:
        return self.pack_hash != self.previous_hash

    def __str__(self) -> str:
        counts = ", ".join(f"{count} {kind}" for kind, count in self.counts.items())
        if self.previous_hash is None:
            what = "first seed"
        elif self.changed:
            what = f"changed, was {self.previous_hash[:12]}"
        else:
            what = "unchanged"
        return f"Seeded the data pack {self.pack_hash[:12]} ({what}): {counts}."


def pack_hash(pack: Pack) -> str:
    """SHA-256 of the pack's canonical JSON: equal packs hash equal, any edit changes it."""
    return hashlib.sha256(pack.model_dump_json().encode()).hexdigest()


def pack_counts(pack: Pack) -> dict[str, int]:
    return {
        "sources": len(pack.sources),
        "people": len(pack.people),
        "characters": len(pack.characters),
        "ceremonies": len(pack.ceremonies),
        "award entries": len(pack.awards),
        "seasons": len(pack.seasons),
        "season events": sum(len(season.events) for season in pack.seasons),
        "figures": len(pack.show.figures),
        "topics": len(pack.topics),
    }


async def save_pack(db: Database, pack: Pack, *, now: dt.datetime | None = None) -> SeedReport:
    """Replace the fact tables with ``pack`` in one transaction; record its hash and time.

    ``pack`` should come from ``load_pack`` (which checks references); a reference the
    tables' foreign keys reject raises ``sqlalchemy.exc.IntegrityError`` and nothing changes.
    """
    digest = pack_hash(pack)
    seeded_at = now if now is not None else dt.datetime.now(dt.UTC)
    async with db.transaction() as conn:
        async with conn.execute("SELECT value FROM meta WHERE key = ?", (SEEDED_PACK_HASH,)) as cur:
            row = await cur.fetchone()
        previous = None if row is None else str(row[0])
        for table in reversed(FACT_TABLES):
            # Identifiers can't be placeholders; these come from the constant tuple above.
            await conn.execute(f"DELETE FROM {table}")  # noqa: S608
        await _insert_sources(conn, pack.sources)
        await _insert_people(conn, pack.people)
        await _insert_show(conn, pack.show)
        await _insert_characters(conn, pack.characters)
        await _insert_ceremonies(conn, pack.ceremonies)
        await _insert_awards(conn, pack.awards)
        await _insert_seasons(conn, pack.seasons)
        await _insert_topics(conn, pack.topics)
        await write_meta(conn, SEEDED_PACK_HASH, digest)
        await write_meta(conn, SEEDED_AT, seeded_at.isoformat())
    return SeedReport(digest, previous, pack_counts(pack), seeded_at)


async def has_facts(db: Database) -> bool:
    """Whether a pack was ever saved (the show row always exists once it was)."""
    return bool(await db.fetch_value("SELECT EXISTS (SELECT 1 FROM show)"))


async def seeded_pack_hash(db: Database) -> str | None:
    value = await db.fetch_value("SELECT value FROM meta WHERE key = ?", (SEEDED_PACK_HASH,))
    return None if value is None else str(value)


async def load_pack_from_db(db: Database) -> Pack:
    """Rebuild the saved Pack, equal to the one passed to :func:`save_pack`."""
    pack, _ = await load_seeded_pack(db)
    return pack


async def load_seeded_pack(db: Database) -> tuple[Pack, str | None]:
    """The saved Pack and the hash recorded with it, read from one snapshot (so the hash
    names exactly these facts, even while another process seeds)."""
    async with db.snapshot() as conn:
        async with conn.execute(
            "SELECT value FROM meta WHERE key = ?", (SEEDED_PACK_HASH,)
        ) as cursor:
            hash_row = await cursor.fetchone()
        digest = None if hash_row is None else str(hash_row[0])
        show_rows = await _fetch(conn, "SELECT * FROM show")
        if not show_rows:
            raise NotSeededError(
                f"database {db.where} holds no data pack yet; run `python -m bot seed`"
            )
        raw = {
            "show": await _read_show(conn, show_rows[0]),
            "sources": await _read_sources(conn),
            "people": await _read_people(conn),
            "characters": await _read_characters(conn),
            "ceremonies": await _read_ceremonies(conn),
            "awards": await _read_awards(conn),
            "seasons": await _read_seasons(conn),
            "topics": await _read_topics(conn),
        }
    try:
        return Pack.model_validate(raw), digest
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise StoreError(
            f"the facts in {db.where} do not form a valid pack ({exc.error_count()} problem(s); "
            f"first: {where}: {first['msg']})"
        ) from exc


# --- saving ---------------------------------------------------------------------------------


def _en(text: Text | None) -> str | None:
    return None if text is None else text.en


def _ko(text: Text | None) -> str | None:
    return None if text is None else text.ko


def _json_list(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _links(owner_id: str, sources: Sequence[str]) -> Iterable[Row]:
    return ((owner_id, position, source_id) for position, source_id in enumerate(sources))


async def _insert_sources(conn: Connection, sources: Sequence[Source]) -> None:
    await conn.executemany(
        "INSERT INTO sources (id, position, outlet, outlet_ko, kind, title, url, date,"
        " date_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (s.id, i, s.outlet, s.outlet_ko, s.kind, s.title, s.url, _date(s.date), s.date_note)
            for i, s in enumerate(sources)
        ],
    )


async def _insert_people(conn: Connection, people: Sequence[Person]) -> None:
    await conn.executemany(
        "INSERT INTO people (id, position, name_en, name_ko, variants, roles)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (p.id, i, p.name.en, p.name.ko, _json_list(p.variants), _json_list(p.roles))
            for i, p in enumerate(people)
        ],
    )
    await conn.executemany(
        "INSERT INTO person_sources (person_id, position, source_id) VALUES (?, ?, ?)",
        [link for p in people for link in _links(p.id, p.sources)],
    )


async def _insert_show(conn: Connection, show: Show) -> None:
    work = show.source_work
    await conn.execute(
        "INSERT INTO show (id, title_en, title_ko, other_titles, premiere, episodes, platform,"
        " countries, network_note_en, network_note_ko, setting_en, setting_ko, director_id,"
        " writer_id, source_work_title_en, source_work_title_ko, source_work_author_id,"
        " source_work_artist_id, source_work_platform_en, source_work_platform_ko)"
        " VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            show.title.en,
            show.title.ko,
            _json_list(show.other_titles),
            _date(show.premiere),
            show.episodes,
            show.platform,
            show.countries,
            _en(show.network_note),
            _ko(show.network_note),
            _en(show.setting),
            _ko(show.setting),
            show.director,
            show.writer,
            work.title.en,
            work.title.ko,
            work.author,
            work.artist,
            work.platform.en,
            work.platform.ko,
        ),
    )
    await conn.executemany(
        "INSERT INTO show_sources (position, source_id) VALUES (?, ?)",
        list(enumerate(show.sources)),
    )
    await conn.executemany(
        "INSERT INTO source_work_sources (position, source_id) VALUES (?, ?)",
        list(enumerate(work.sources)),
    )
    await conn.executemany(
        "INSERT INTO production_companies (position, name_en, name_ko) VALUES (?, ?, ?)",
        [(i, company.en, company.ko) for i, company in enumerate(show.production_companies)],
    )
    await _insert_figures(conn, show.figures)


async def _insert_figures(conn: Connection, figures: Sequence[Figure]) -> None:
    await conn.executemany(
        "INSERT INTO figures (id, position, label_en, label_ko, value_en, value_ko, confidence)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (f.id, i, f.label.en, f.label.ko, f.value.en, f.value.ko, f.confidence)
            for i, f in enumerate(figures)
        ],
    )
    await conn.executemany(
        "INSERT INTO figure_sources (figure_id, position, source_id) VALUES (?, ?, ?)",
        [link for f in figures for link in _links(f.id, f.sources)],
    )


async def _insert_characters(conn: Connection, characters: Sequence[Character]) -> None:
    await conn.executemany(
        "INSERT INTO characters (id, position, name_en, name_ko, variants, titles,"
        " description_en, description_ko, played_by, billing, billing_order)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                c.id,
                i,
                c.name.en,
                c.name.ko,
                _json_list(c.variants),
                _json_list(c.titles),
                c.description.en,
                c.description.ko,
                c.played_by,
                c.billing,
                c.order,
            )
            for i, c in enumerate(characters)
        ],
    )
    await conn.executemany(
        "INSERT INTO character_sources (character_id, position, source_id) VALUES (?, ?, ?)",
        [link for c in characters for link in _links(c.id, c.sources)],
    )


async def _insert_ceremonies(conn: Connection, ceremonies: Sequence[Ceremony]) -> None:
    await conn.executemany(
        "INSERT INTO ceremonies (id, position, name_en, name_ko, edition, date, venue_en,"
        " venue_ko) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (c.id, i, c.name.en, c.name.ko, c.edition, _date(c.date), _en(c.venue), _ko(c.venue))
            for i, c in enumerate(ceremonies)
        ],
    )
    await conn.executemany(
        "INSERT INTO ceremony_sources (ceremony_id, position, source_id) VALUES (?, ?, ?)",
        [link for c in ceremonies for link in _links(c.id, c.sources)],
    )


async def _insert_awards(conn: Connection, awards: Sequence[AwardEntry]) -> None:
    await conn.executemany(
        "INSERT INTO award_entries (id, position, ceremony_id, category_en, category_ko,"
        " person_id, is_show, character_id, result, note_en, note_ko)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                a.id,
                i,
                a.ceremony,
                a.category.en,
                a.category.ko,
                a.person,
                int(a.show),
                a.character,
                a.result,
                _en(a.note),
                _ko(a.note),
            )
            for i, a in enumerate(awards)
        ],
    )
    await conn.executemany(
        "INSERT INTO award_entry_sources (award_entry_id, position, source_id) VALUES (?, ?, ?)",
        [link for a in awards for link in _links(a.id, a.sources)],
    )


async def _insert_seasons(conn: Connection, seasons: Sequence[Season]) -> None:
    await conn.executemany(
        "INSERT INTO seasons (number, position, episodes) VALUES (?, ?, ?)",
        [(s.number, i, s.episodes) for i, s in enumerate(seasons)],
    )
    events = [(season.number, i, e) for season in seasons for i, e in enumerate(season.events)]
    await conn.executemany(
        "INSERT INTO season_events (id, season_number, position, date, precision, date_note,"
        " summary_en, summary_ko, status, confidence, planned_what_en, planned_what_ko,"
        " planned_status, planned_by, quote_original, quote_en, quote_ko)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e.id,
                number,
                i,
                _date(e.date),
                e.precision,
                e.date_note,
                e.summary.en,
                e.summary.ko,
                e.status,
                e.confidence,
                None if e.planned is None else e.planned.what.en,
                None if e.planned is None else e.planned.what.ko,
                None if e.planned is None else e.planned.status,
                None if e.planned is None else _date(e.planned.by),
                None if e.quote is None else e.quote.original,
                None if e.quote is None else e.quote.text.en,
                None if e.quote is None else e.quote.text.ko,
            )
            for number, i, e in events
        ],
    )
    await conn.executemany(
        "INSERT INTO season_event_sources (season_event_id, position, source_id) VALUES (?, ?, ?)",
        [link for _, _, e in events for link in _links(e.id, e.sources)],
    )


async def _insert_topics(conn: Connection, topics: Sequence[Topic]) -> None:
    await conn.executemany(
        "INSERT INTO topics (id, position, name_en, name_ko, description_en, description_ko)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (t.id, i, t.name.en, t.name.ko, t.description.en, t.description.ko)
            for i, t in enumerate(topics)
        ],
    )


# --- loading: plain dicts, validated once by Pack.model_validate -----------------------------


async def _fetch(conn: Connection, sql: str) -> list[DbRow]:
    return list(await conn.execute_fetchall(sql))


async def _fetch_links(conn: Connection, sql: str) -> dict[str, list[str]]:
    """``sql`` selects (owner id, source id) ordered by owner and position."""
    links: defaultdict[str, list[str]] = defaultdict(list)
    for owner_id, source_id in await _fetch(conn, sql):
        links[owner_id].append(source_id)
    return links


async def _fetch_source_ids(conn: Connection, sql: str) -> list[str]:
    return [row[0] for row in await _fetch(conn, sql)]


def _text(row: DbRow, prefix: str) -> dict[str, str] | None:
    en, ko = row[f"{prefix}_en"], row[f"{prefix}_ko"]
    return None if en is None and ko is None else {"en": en, "ko": ko}


def _list(value: str) -> list[str]:
    loaded = json.loads(value)
    if not isinstance(loaded, list) or not all(isinstance(item, str) for item in loaded):
        raise StoreError(f"expected a JSON list of strings, found {value!r}")
    return loaded


async def _read_show(conn: Connection, row: DbRow) -> dict[str, Any]:
    figure_sources = await _fetch_links(
        conn, "SELECT figure_id, source_id FROM figure_sources ORDER BY figure_id, position"
    )
    figures = [
        {
            "id": f["id"],
            "label": _text(f, "label"),
            "value": _text(f, "value"),
            "confidence": f["confidence"],
            "sources": figure_sources[f["id"]],
        }
        for f in await _fetch(conn, "SELECT * FROM figures ORDER BY position")
    ]
    companies = await _fetch(conn, "SELECT * FROM production_companies ORDER BY position")
    return {
        "title": _text(row, "title"),
        "other_titles": _list(row["other_titles"]),
        "premiere": row["premiere"],
        "episodes": row["episodes"],
        "platform": row["platform"],
        "countries": row["countries"],
        "network_note": _text(row, "network_note"),
        "setting": _text(row, "setting"),
        "source_work": {
            "title": _text(row, "source_work_title"),
            "author": row["source_work_author_id"],
            "artist": row["source_work_artist_id"],
            "platform": _text(row, "source_work_platform"),
            "sources": await _fetch_source_ids(
                conn, "SELECT source_id FROM source_work_sources ORDER BY position"
            ),
        },
        "director": row["director_id"],
        "writer": row["writer_id"],
        "production_companies": [_text(company, "name") for company in companies],
        "figures": figures,
        "sources": await _fetch_source_ids(
            conn, "SELECT source_id FROM show_sources ORDER BY position"
        ),
    }


async def _read_sources(conn: Connection) -> list[dict[str, Any]]:
    return [
        {
            "id": s["id"],
            "outlet": s["outlet"],
            "outlet_ko": s["outlet_ko"],
            "kind": s["kind"],
            "title": s["title"],
            "url": s["url"],
            "date": s["date"],
            "date_note": s["date_note"],
        }
        for s in await _fetch(conn, "SELECT * FROM sources ORDER BY position")
    ]


async def _read_people(conn: Connection) -> list[dict[str, Any]]:
    sources = await _fetch_links(
        conn, "SELECT person_id, source_id FROM person_sources ORDER BY person_id, position"
    )
    return [
        {
            "id": p["id"],
            "name": _text(p, "name"),
            "variants": _list(p["variants"]),
            "roles": _list(p["roles"]),
            "sources": sources[p["id"]],
        }
        for p in await _fetch(conn, "SELECT * FROM people ORDER BY position")
    ]


async def _read_characters(conn: Connection) -> list[dict[str, Any]]:
    sources = await _fetch_links(
        conn,
        "SELECT character_id, source_id FROM character_sources ORDER BY character_id, position",
    )
    return [
        {
            "id": c["id"],
            "name": _text(c, "name"),
            "variants": _list(c["variants"]),
            "titles": _list(c["titles"]),
            "description": _text(c, "description"),
            "played_by": c["played_by"],
            "billing": c["billing"],
            "order": c["billing_order"],
            "sources": sources[c["id"]],
        }
        for c in await _fetch(conn, "SELECT * FROM characters ORDER BY position")
    ]


async def _read_ceremonies(conn: Connection) -> list[dict[str, Any]]:
    sources = await _fetch_links(
        conn, "SELECT ceremony_id, source_id FROM ceremony_sources ORDER BY ceremony_id, position"
    )
    return [
        {
            "id": c["id"],
            "name": _text(c, "name"),
            "edition": c["edition"],
            "date": c["date"],
            "venue": _text(c, "venue"),
            "sources": sources[c["id"]],
        }
        for c in await _fetch(conn, "SELECT * FROM ceremonies ORDER BY position")
    ]


async def _read_awards(conn: Connection) -> list[dict[str, Any]]:
    sources = await _fetch_links(
        conn,
        "SELECT award_entry_id, source_id FROM award_entry_sources"
        " ORDER BY award_entry_id, position",
    )
    return [
        {
            "id": a["id"],
            "ceremony": a["ceremony_id"],
            "category": _text(a, "category"),
            "person": a["person_id"],
            "show": bool(a["is_show"]),
            "character": a["character_id"],
            "result": a["result"],
            "note": _text(a, "note"),
            "sources": sources[a["id"]],
        }
        for a in await _fetch(conn, "SELECT * FROM award_entries ORDER BY position")
    ]


async def _read_seasons(conn: Connection) -> list[dict[str, Any]]:
    sources = await _fetch_links(
        conn,
        "SELECT season_event_id, source_id FROM season_event_sources"
        " ORDER BY season_event_id, position",
    )
    events: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in await _fetch(conn, "SELECT * FROM season_events ORDER BY season_number, position"):
        planned = None
        if e["planned_status"] is not None:
            planned = {
                "what": _text(e, "planned_what"),
                "status": e["planned_status"],
                "by": e["planned_by"],
            }
        events[e["season_number"]].append(
            {
                "id": e["id"],
                "date": e["date"],
                "precision": e["precision"],
                "date_note": e["date_note"],
                "summary": _text(e, "summary"),
                "status": e["status"],
                "confidence": e["confidence"],
                "planned": planned,
                "quote": None
                if e["quote_original"] is None
                else {"original": e["quote_original"], "text": _text(e, "quote")},
                "sources": sources[e["id"]],
            }
        )
    return [
        {"number": s["number"], "episodes": s["episodes"], "events": events[s["number"]]}
        for s in await _fetch(conn, "SELECT * FROM seasons ORDER BY position")
    ]


async def _read_topics(conn: Connection) -> list[dict[str, Any]]:
    return [
        {"id": t["id"], "name": _text(t, "name"), "description": _text(t, "description")}
        for t in await _fetch(conn, "SELECT * FROM topics ORDER BY position")
    ]
