"""The name resolver against the real data pack and the labelled query set."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.datapack.loader import load_pack
from bot.datapack.models import Pack
from bot.domain.hangul import initials, syllables
from bot.domain.names import entries_from_pack
from bot.domain.resolver import NameEntry, Resolution, Resolver

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ROOT / "tests" / "data" / "resolver_queries.yaml"


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(ROOT / "seeds")


@pytest.fixture(scope="module")
def entries(pack: Pack) -> list[NameEntry]:
    return entries_from_pack(pack)


@pytest.fixture(scope="module")
def resolver(entries: list[NameEntry]) -> Resolver:
    return Resolver(entries)


@pytest.fixture(scope="module")
def queries() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
    return loaded


def keys(resolution: Resolution) -> list[str]:
    return [c.entry.key for c in resolution.candidates]


def judge(query: dict[str, Any], resolution: Resolution) -> tuple[bool, bool]:
    """(answer is right, answer is a wrong unique match)."""
    best = resolution.best.key if resolution.best else None
    expect = query["expect"]
    if expect == "unique":
        right = best == query["key"]
    elif expect == "ambiguous":
        right = resolution.outcome == "ambiguous" and set(query["keys"]) <= set(keys(resolution))
    else:
        right = resolution.outcome == "none"
    return right, best is not None and not right


# --- the labelled query set ----------------------------------------------------------------


def test_query_set_covers_every_entry_and_category(
    queries: list[dict[str, Any]], entries: list[NameEntry]
) -> None:
    assert len(queries) >= 150
    named = {q["key"] for q in queries if "key" in q} | {
        k for q in queries for k in q.get("keys", [])
    }
    assert {e.key for e in entries} <= named
    outcomes = Counter(q["expect"] for q in queries)
    assert outcomes["ambiguous"] >= 10 and outcomes["none"] >= 10


def test_query_set_accuracy(
    resolver: Resolver, queries: list[dict[str, Any]], record_property: Any
) -> None:
    right_by_category: Counter[str] = Counter()
    total_by_category: Counter[str] = Counter()
    wrong_unique: list[str] = []
    failures: list[str] = []
    for query in queries:
        resolution = resolver.resolve(query["q"])
        right, wrong = judge(query, resolution)
        total_by_category[query["cat"]] += 1
        right_by_category[query["cat"]] += right
        if wrong:
            wrong_unique.append(query["q"])
        if not right:
            failures.append(f"{query['q']!r} -> {resolution.outcome} {keys(resolution)[:3]}")
    accuracy = sum(right_by_category.values()) / len(queries)
    print(f"\nresolver accuracy {accuracy:.3f} on {len(queries)} queries")
    for category in sorted(total_by_category):
        print(f"  {category:13} {right_by_category[category]}/{total_by_category[category]}")
    record_property("resolver_accuracy", round(accuracy, 4))
    assert not wrong_unique, f"wrong unique answers: {wrong_unique}"
    assert accuracy >= 0.98, f"accuracy {accuracy:.3f}; failures: {failures}"


# --- focused behaviour -----------------------------------------------------------------------


def test_every_name_resolves_from_hangul_and_english(
    resolver: Resolver, entries: list[NameEntry]
) -> None:
    for entry in entries:
        assert resolver.resolve(entry.name_ko).best == entry
        assert resolver.resolve(entry.name_en).best == entry
        assert resolver.resolve(entry.name_en.upper()).best == entry
        for variant in entry.variants:
            assert resolver.resolve(variant).best == entry, variant


def test_both_directions_are_linked(resolver: Resolver, pack: Pack) -> None:
    people = {p.id: p for p in pack.people}
    for character in pack.characters:
        found = resolver.resolve(character.name.en).best
        assert found is not None and found.kind == "character"
        assert found.linked == (f"person:{character.played_by}",)
        actor = resolver.resolve(people[character.played_by].name.ko).best
        assert actor is not None and actor.kind == "person"
        assert f"character:{character.id}" in actor.linked


def test_shared_family_name_is_ambiguous_not_guessed(
    resolver: Resolver, entries: list[NameEntry]
) -> None:
    kims = {e.key for e in entries if syllables(e.name_ko)[0] == syllables("김")[0]}
    assert len(kims) >= 2
    for query in ("Kim", "김", "Gim"):
        resolution = resolver.resolve(query)
        assert resolution.outcome == "ambiguous"
        assert resolution.best is None
        assert kims <= set(keys(resolution))


def test_given_name_shared_by_a_character_and_an_actor(resolver: Resolver) -> None:
    resolution = resolver.resolve("Jae-won")
    assert resolution.outcome == "ambiguous"
    assert {"character:yang-jae-won", "person:kim-jae-won"} <= set(keys(resolution))
    # The family name settles it, in either order.
    assert resolver.resolve("Jae-won Kim").best is not None
    assert resolver.resolve("Jae-won Kim").best == resolver.resolve("김재원").best


def test_title_breaks_a_tie_and_a_mismatched_title_asks(resolver: Resolver) -> None:
    assert resolver.resolve("Lee").outcome == "ambiguous"
    captain = resolver.resolve("Captain Lee").best
    assert captain is not None and "Captain" in captain.titles
    # Only the minister is called Kang, but the doctor has Kang in his given name.
    dr_kang = resolver.resolve("Dr. Kang")
    assert dr_kang.outcome == "ambiguous"
    assert "character:baek-kang-hyuk" in keys(dr_kang)


def test_initials_search(resolver: Resolver, entries: list[NameEntry]) -> None:
    by_initials = Counter(initials(e.name_ko) for e in entries)
    for entry in entries:
        code = initials(entry.name_ko)
        resolution = resolver.resolve(code)
        if by_initials[code] == 1:
            assert resolution.best == entry, code
        else:
            assert entry.key in keys(resolution)


def test_romanizations_generated_not_listed(resolver: Resolver) -> None:
    # None of these spellings is in the pack; they come from the Hangul.
    for query in ("Paek Kang-hyŏk", "Ch'oe Cho-eun", "Yi To-yun", "Chŏng Chae-kwang"):
        assert resolver.resolve(query).outcome == "unique", query


def test_unknown_names_are_not_matched(resolver: Resolver) -> None:
    for query in ("Squid Game", "Kim Soo-hyun", "Jun Ji-hyun", "남궁민", "", "   ", "!!!"):
        resolution = resolver.resolve(query)
        assert resolution.outcome == "none", query
        assert resolution.best is None and resolution.candidates == ()


def test_typos_in_two_syllables_are_not_accepted(resolver: Resolver) -> None:
    assert resolver.resolve("Yang Jaewoon").best is not None  # one syllable off
    assert resolver.resolve("Yang Jiwoon").outcome == "none"  # two syllables off


def test_listed_spelling_beats_a_generated_reading(resolver: Resolver) -> None:
    # 주 (Ju Ji-hoon) reads "Chu/Choo" in McCune–Reischauer; 추 is listed as "Choo" and "Chu".
    for query in ("Choo", "chu", "Ch'u", "Actor Choo"):
        assert resolver.resolve(query).best is not None, query
        assert resolver.resolve(query).best == resolver.resolve("추영우").best, query
    # The generated reading still answers when no listed spelling competes.
    assert resolver.resolve("Joo").best == resolver.resolve("주지훈").best
    assert resolver.resolve("Choo Ji-hoon").best == resolver.resolve("주지훈").best


def test_suggest_puts_the_listed_spelling_first(resolver: Resolver) -> None:
    choo = resolver.resolve("추영우").best
    ju = resolver.resolve("주지훈").best
    for typed in ("choo", "Chu", "cho"):
        suggested = [c.entry for c in resolver.suggest(typed)]
        assert ju in suggested, typed  # still offered: the fan may mean him
        assert choo in suggested and suggested.index(choo) < suggested.index(ju), typed
    assert resolver.suggest("joo")[0].entry == ju


def _chu_pair(first_listed_as: str) -> Resolver:
    """Two names whose family syllables 주 and 추 are both read "Chu"; only the English differs."""
    return Resolver(
        [
            NameEntry("person:min-ho", "person", f"{first_listed_as} Min-ho", "주민호"),
            NameEntry("person:sung-hoon", "person", "Choo Sung-hoon", "추성훈", ("Chu Sung-hoon",)),
        ]
    )


def test_a_listing_breaks_a_tie_only_when_one_entry_has_it() -> None:
    one_listed = _chu_pair("Joo")
    assert one_listed.resolve("Chu").best == one_listed.entries[1]
    assert one_listed.resolve("Joo").best == one_listed.entries[0]
    # Both list "Chu": the fan must still be asked.
    both_listed = _chu_pair("Chu")
    resolution = both_listed.resolve("Chu")
    assert resolution.outcome == "ambiguous"
    assert set(keys(resolution)) == {"person:min-ho", "person:sung-hoon"}


def test_suggest_follows_typing_letter_by_letter(
    resolver: Resolver, entries: list[NameEntry]
) -> None:
    for entry in entries:
        for end in range(2, len(entry.name_en) + 1):
            typed = entry.name_en[:end]
            if not typed[-1].isalpha():
                continue
            assert entry in [c.entry for c in resolver.suggest(typed)], typed
        for end in range(1, len(entry.name_ko) + 1):
            assert entry in [c.entry for c in resolver.suggest(entry.name_ko[:end])]


def test_suggest_follows_a_korean_ime(resolver: Resolver) -> None:
    # What the input box shows while 양재원 is typed jamo by jamo.
    for shown in ("ㅇ", "야", "양", "양ㅈ", "양재", "양쟁", "양재우", "양재워", "양재원"):
        assert "character:yang-jae-won" in [c.entry.key for c in resolver.suggest(shown)], shown


def test_suggest_ranks_and_limits(resolver: Resolver, entries: list[NameEntry]) -> None:
    assert [c.entry for c in resolver.suggest("")] == entries[:25]
    assert len(resolver.suggest("", limit=3)) == 3
    ranked = resolver.suggest("k")
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert resolver.suggest("zzzz") == []


def test_another_fandom_pack_works() -> None:
    other = Resolver(
        [
            NameEntry(
                "character:gi-hun", "character", "Seong Gi-hun", "성기훈", titles=("Player",)
            ),
            NameEntry("character:sang-woo", "character", "Cho Sang-woo", "조상우"),
            NameEntry("person:lee-jung-jae", "person", "Lee Jung-jae", "이정재"),
            NameEntry("person:park-hae-soo", "person", "Park Hae-soo", "박해수"),
        ]
    )
    assert other.resolve("Sung Ki-hoon").best == other.entries[0]
    assert other.resolve("Gi-hun Seong").best == other.entries[0]
    assert other.resolve("ㅅㄱㅎ").best == other.entries[0]
    assert other.resolve("Jo Sangwoo").best == other.entries[1]
    assert other.resolve("Yi Chŏng-jae").best == other.entries[2]
    assert other.resolve("Baek Kang-hyuk").outcome == "none"


def test_a_none_answer_carries_what_suggest_would_list(
    resolver: Resolver, queries: list[dict[str, Any]]
) -> None:
    nothing_found = 0
    for query in queries:
        resolution = resolver.resolve(query["q"], guesses=25)
        if resolution.outcome == "none":
            nothing_found += 1
            assert list(resolution.guesses) == resolver.suggest(query["q"], 25), query["q"]
        else:
            assert resolution == resolver.resolve(query["q"]), query["q"]
    assert nothing_found >= 10


def test_asking_between_family_names_offers_only_that_family(resolver: Resolver) -> None:
    # "Lee" is the family name of four entries; a weaker prefix match of someone else's given
    # name (Kim Eui-sung) used to fill the fifth slot.
    lees = resolver.resolve("Lee", limit=5)
    assert lees.outcome == "ambiguous"
    assert keys(lees) and all(key.split(":")[1].startswith("lee-") for key in keys(lees))
    kims = resolver.resolve("Kim", limit=5)
    assert {key.split(":")[1].split("-")[0] for key in keys(kims)} == {"kim"}
    assert len(keys(resolver.resolve("이", limit=5))) == len(keys(lees))
