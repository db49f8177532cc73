"""A data pack N times larger than the real one, for the scale benchmark (default 100×).

The real pack is kept as it is; N - 1 copies of its people, characters, ceremonies and award
entries are added, each with new ids. Copied people and characters get new Hangul names made
by shuffling the syllables of the real names (family syllables stay family syllables), and
English names derived from them by Revised Romanization, so the resolver has N times as many
distinct names to search. Sources, the show and the seasons stay as they are. The result is
validated by the real loader (models and cross-references) before it is returned.

Run: ``python -m bench.synthetic_pack OUT_DIR [--factor 100]``.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from bot.datapack.loader import load_pack
from bot.datapack.models import Pack, Text
from bot.domain.hangul import romanize, syllables

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
FACTOR = 100
SEED = 2025
# Which top-level keys go into which file (each key must come from exactly one file).
FILES: dict[str, tuple[str, ...]] = {
    "show.yaml": ("show",),
    "sources.yaml": ("sources",),
    "people.yaml": ("people",),
    "characters.yaml": ("characters",),
    "awards.yaml": ("ceremonies", "awards"),
    "seasons.yaml": ("seasons",),
}


class NameMaker:
    """Unused Hangul names with the shape of a real one, and their romanizations."""

    def __init__(self, real_names: Iterable[str], rng: random.Random) -> None:
        self._rng = rng
        self._used = set()
        families: set[str] = set()
        given: set[str] = set()
        for name in real_names:
            hangul = "".join(c for c in name if syllables(c))
            self._used.add(hangul)
            if hangul:
                families.add(hangul[0])
                given.update(hangul[1:])
        self._families = sorted(families)
        self._given = sorted(given | families)

    def make(self, like: str) -> Text:
        """A new name with as many syllables as ``like`` (at least two)."""
        length = max(2, sum(1 for c in like if syllables(c)))
        while True:
            family = self._rng.choice(self._families)
            rest = "".join(self._rng.choice(self._given) for _ in range(length - 1))
            hangul = family + rest
            if hangul not in self._used:
                self._used.add(hangul)
                break
        given = "-".join(romanize(c) for c in rest)
        english = f"{romanize(family).capitalize()} {given.capitalize()}"
        return Text(en=english, ko=hangul)


def _copy_id(original: str, copy: int) -> str:
    return f"{original}-x{copy}"


def scaled_pack(pack: Pack, factor: int = FACTOR, seed: int = SEED) -> Pack:
    """``pack`` plus ``factor - 1`` renamed copies of its people, characters and awards."""
    rng = random.Random(seed)
    names = NameMaker([p.name.ko for p in pack.people] + [c.name.ko for c in pack.characters], rng)
    people = list(pack.people)
    characters = list(pack.characters)
    ceremonies = list(pack.ceremonies)
    awards = list(pack.awards)
    order_step = max((c.order for c in pack.characters), default=0) + 1
    edition_step = max((c.edition for c in pack.ceremonies), default=0) + 1
    for copy in range(1, factor):
        for person in pack.people:
            name = names.make(person.name.ko)
            people.append(
                person.model_copy(
                    update={
                        "id": _copy_id(person.id, copy),
                        "name": name,
                        "variants": [name.en.replace("-", " ")],
                    }
                )
            )
        for character in pack.characters:
            name = names.make(character.name.ko)
            characters.append(
                character.model_copy(
                    update={
                        "id": _copy_id(character.id, copy),
                        "name": name,
                        "variants": [],
                        "played_by": _copy_id(character.played_by, copy),
                        "order": character.order + copy * order_step,
                    }
                )
            )
        for ceremony in pack.ceremonies:
            ceremonies.append(
                ceremony.model_copy(
                    update={
                        "id": _copy_id(ceremony.id, copy),
                        "edition": ceremony.edition + copy * edition_step,
                    }
                )
            )
        for award in pack.awards:
            update: dict[str, Any] = {
                "id": _copy_id(award.id, copy),
                "ceremony": _copy_id(award.ceremony, copy),
            }
            if award.person is not None:
                update["person"] = _copy_id(award.person, copy)
            if award.character is not None:
                update["character"] = _copy_id(award.character, copy)
            awards.append(award.model_copy(update=update))
    return pack.model_copy(
        update={
            "people": people,
            "characters": characters,
            "ceremonies": ceremonies,
            "awards": awards,
        }
    )


def write_pack(pack: Pack, directory: Path) -> None:
    """One YAML file per group of top-level keys, in the layout of ``seeds/``."""
    directory.mkdir(parents=True, exist_ok=True)
    data = pack.model_dump(mode="json", exclude_none=True)
    for filename, keys in FILES.items():
        text = yaml.safe_dump(
            {key: data[key] for key in keys}, allow_unicode=True, sort_keys=False, width=100
        )
        (directory / filename).write_text(text, encoding="utf-8")


def write_synthetic_pack(
    directory: Path, *, factor: int = FACTOR, seeds: Path = SEEDS, seed: int = SEED
) -> Pack:
    """Write the scaled pack to ``directory`` and load it back with the real loader."""
    write_pack(scaled_pack(load_pack(seeds), factor, seed), directory)
    return load_pack(directory)  # raises PackError if the copy broke a rule


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.synthetic_pack", description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--factor", type=int, default=FACTOR)
    args = parser.parse_args()
    pack = write_synthetic_pack(args.directory, factor=args.factor)
    print(
        f"wrote {args.directory}: {len(pack.people)} people, {len(pack.characters)} characters, "
        f"{len(pack.ceremonies)} ceremonies, {len(pack.awards)} award entries"
    )


if __name__ == "__main__":
    main()
