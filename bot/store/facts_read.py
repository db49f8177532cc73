"""Reading the fact tables back as plain dicts, which ``facts.load_seeded_pack`` validates
once with ``Pack.model_validate``."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from bot.store.database import Connection, StoreError
from bot.store.database import Row as DbRow


async def read_pack(conn: Connection, show: DbRow) -> dict[str, Any]:
    """Every fact table as the dict a Pack is validated from (``show``: the one show row)."""
    return {
        "show": await _read_show(conn, show),
        "sources": await _read_sources(conn),
        "people": await _read_people(conn),
        "characters": await _read_characters(conn),
        "ceremonies": await _read_ceremonies(conn),
        "awards": await _read_awards(conn),
        "seasons": await _read_seasons(conn),
        "topics": await _read_topics(conn),
    }


async def fetch_rows(conn: Connection, sql: str) -> list[DbRow]:
    return await _fetch(conn, sql)


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
