"""The resolver's index gives the answers that comparing with every entry gives.

``Resolver(entries, indexed=False)`` compares near misses and half-typed spellings with every
entry; the indexed resolver only with the entries its index finds. Both run on the synthetic
pack 100× the real one (bench/synthetic_pack.py) with names typed right, half-typed, and with
one slip, in English and in Hangul.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.synthetic_pack import scaled_pack
from bot.datapack.loader import load_pack
from bot.domain.hangul import FINALS, VOWELS, Syllable, compose, decompose
from bot.domain.names import entries_from_pack
from bot.domain.resolver import NameEntry, Resolver

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ROOT / "tests" / "data" / "resolver_queries.yaml"
SEED = 7
SAMPLED_ENTRIES = 40


@pytest.fixture(scope="module")
def entries() -> list[NameEntry]:
    return entries_from_pack(scaled_pack(load_pack(ROOT / "seeds"), 100))


@pytest.fixture(scope="module")
def indexed(entries: list[NameEntry]) -> Resolver:
    return Resolver(entries)


@pytest.fixture(scope="module")
def scanning(entries: list[NameEntry]) -> Resolver:
    return Resolver(entries, indexed=False)


def slipped_latin(name: str, rng: random.Random) -> str:
    """One letter changed, dropped, doubled or swapped with the next."""
    at = rng.randrange(len(name) - 1)
    letter = rng.choice("abcdeghijklmnoprstuwy")
    edits = (
        name[:at] + letter + name[at + 1 :],
        name[:at] + name[at + 1 :],
        name[:at] + name[at] + name[at:],
        name[:at] + name[at + 1] + name[at] + name[at + 2 :],
    )
    return rng.choice(edits)


def slipped_hangul(name: str, rng: random.Random) -> str:
    """One syllable with its vowel or final consonant changed."""
    at = rng.randrange(len(name))
    syllable = decompose(name[at])
    if syllable is None:
        return name
    if rng.random() < 0.5:
        changed = Syllable(syllable.initial, rng.randrange(len(VOWELS)), syllable.final)
    else:
        changed = Syllable(syllable.initial, syllable.vowel, rng.randrange(len(FINALS)))
    return name[:at] + compose(changed) + name[at + 1 :]


def sample_queries(entries: list[NameEntry]) -> list[str]:
    labelled: list[dict[str, Any]] = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
    rng = random.Random(SEED)
    typed = [query["q"] for query in labelled]
    for entry in rng.sample(entries, SAMPLED_ENTRIES):
        english = entry.name_en
        typed += [english, english[: rng.randrange(1, len(english))], entry.name_ko[:2]]
        typed += [slipped_latin(english, rng), slipped_latin(english.replace("-", ""), rng)]
        typed += [slipped_hangul(entry.name_ko, rng), "Dr. " + slipped_latin(english, rng)]
    return typed


def test_index_answers_as_the_full_scan_on_a_100x_pack(
    indexed: Resolver, scanning: Resolver, entries: list[NameEntry]
) -> None:
    queries = sample_queries(entries)
    near_misses = 0
    for query in queries:
        resolution = indexed.resolve(query)
        assert resolution == scanning.resolve(query), query
        suggestions = indexed.suggest(query)
        assert suggestions == scanning.suggest(query), query
        near_misses += any(c.reason == "fuzzy" for c in [*resolution.candidates, *suggestions])
    # The sample must reach the near-miss search, or the comparison above proves little.
    assert near_misses >= len(queries) // 10


def test_guesses_are_what_suggest_lists(indexed: Resolver, entries: list[NameEntry]) -> None:
    guessed = 0
    for query in sample_queries(entries):
        resolution = indexed.resolve(query, guesses=25)
        if resolution.outcome == "none":
            assert list(resolution.guesses) == indexed.suggest(query, 25), query
            guessed += bool(resolution.guesses)
        else:
            assert resolution == indexed.resolve(query), query
    assert guessed > 0
