"""Loading the data pack: the real pack validates; a broken pack says what and where.

Each failure test copies seeds/ to tmp_path, breaks one thing the way an editor might,
and checks that the single readable message names the file, the entry and the field.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from bot.datapack.loader import PackError, load_pack
from bot.datapack.models import Pack

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

PEOPLE = {
    "ju-ji-hoon", "choo-young-woo", "ha-young", "yoon-kyung-ho", "jeong-jae-kwang",
    "kim-eui-sung", "kim-won-hae", "kim-sun-young", "kim-jae-won", "lee-se-ho",
    "lee-do-yoon", "choi-tae-kang", "lee-nak-jun", "hongbichira",
}  # fmt: skip
CHARACTERS_IN_BILLING_ORDER = [
    ("baek-kang-hyuk", "ju-ji-hoon", "main"),
    ("yang-jae-won", "choo-young-woo", "main"),
    ("cheon-jang-mi", "ha-young", "main"),
    ("han-yu-rim", "yoon-kyung-ho", "main"),
    ("park-gyeong-won", "jeong-jae-kwang", "main"),
    ("choi-jo-eun", "kim-eui-sung", "supporting"),
    ("hong-jae-hun", "kim-won-hae", "supporting"),
    ("kang-myung-hee", "kim-sun-young", "supporting"),
    ("seo-dong-ju", "kim-jae-won", "cameo"),
    ("lee-hyeon-jong", "lee-se-ho", "cameo"),
]


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(SEEDS)


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of the real pack to break."""
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


def edit(path: Path, old: str, new: str) -> int:
    """Replace the one occurrence of ``old``; returns the 1-based line where it started."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def index_of(path: Path, key: str, entry_id: str) -> int:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))[key]
    return next(i for i, row in enumerate(rows) if row["id"] == entry_id)


def pack_error(seeds: Path) -> str:
    with pytest.raises(PackError) as caught:
        load_pack(seeds)
    return str(caught.value)


# --- the real pack ---------------------------------------------------------------------------


def test_real_pack_has_the_ids_other_modules_rely_on(pack: Pack) -> None:
    assert {p.id for p in pack.people} == PEOPLE
    assert {c.id for c in pack.ceremonies} == {
        "baeksang-61",
        "blue-dragon-series-4",
        "seoul-drama-20",
    }
    assert [s.number for s in pack.seasons] == [1, 2, 3]


def test_real_pack_bills_the_cast_main_supporting_cameo(pack: Pack) -> None:
    cast = sorted(pack.characters, key=lambda c: c.order)
    assert [(c.id, c.played_by, c.billing) for c in cast] == CHARACTERS_IN_BILLING_ORDER
    assert [c.order for c in cast] == list(range(1, 11))


def test_real_pack_cites_every_source_and_dates_or_explains_each(pack: Pack) -> None:
    rows = [
        pack.show,
        pack.show.source_work,
        *pack.show.figures,
        *pack.people,
        *pack.characters,
        *pack.ceremonies,
        *pack.awards,
        *(e for s in pack.seasons for e in s.events),
    ]
    cited = {source_id for row in rows for source_id in row.sources}
    assert [s.id for s in pack.sources if s.id not in cited] == []
    assert [s.id for s in pack.sources if s.date is None and not s.date_note] == []


def test_real_pack_has_readable_names_in_both_scripts(pack: Pack) -> None:
    hangul = [p.name.ko for p in pack.people] + [c.name.ko for c in pack.characters]
    assert all("\uac00" <= ch <= "\ud7a3" for name in hangul for ch in name)
    assert all(c.titles for c in pack.characters)


# --- parse errors ----------------------------------------------------------------------------


def test_bad_yaml_names_file_and_line(seeds: Path) -> None:
    line = edit(
        seeds / "awards.yaml",
        "  - id: baeksang-61-best-drama\n",
        "  - id: baeksang-61-best-drama: [\n",
    )
    message = pack_error(seeds)
    assert message.startswith(f"{seeds / 'awards.yaml'}: line ")
    assert "bad YAML" in message
    reported_line = int(message.split(": line ")[1].split(":")[0])
    assert line <= reported_line <= line + 2
    assert "\n" not in message


def test_duplicate_key_inside_one_entry_is_an_error(seeds: Path) -> None:
    line = edit(
        seeds / "people.yaml",
        "    variants: [Yun Gyeong-ho]\n",
        "    variants: [Yun Gyeong-ho]\n    variants: [Yoon K.]\n",
    )
    message = pack_error(seeds)
    assert message == (
        f"{seeds / 'people.yaml'}: line {line + 1}: duplicate key 'variants' in the same "
        f"mapping (first at line {line}); YAML would keep only the last one"
    )


def test_unknown_top_level_key_suggests_the_right_one(seeds: Path) -> None:
    (seeds / "extra.yaml").write_text("# typo\npeeple: []\n", encoding="utf-8")
    message = pack_error(seeds)
    assert message.startswith(
        f"{seeds / 'extra.yaml'}: line 2: unknown top-level key 'peeple' (did you mean 'people'?"
    )


def test_key_defined_in_two_files_names_both(seeds: Path) -> None:
    (seeds / "zz_more.yaml").write_text("ceremonies: []\n", encoding="utf-8")
    message = pack_error(seeds)
    assert message == (
        f"{seeds / 'zz_more.yaml'}: line 1: top-level key 'ceremonies' is already defined in "
        f"{seeds / 'awards.yaml'}"
    )


def test_missing_top_level_key_names_the_directory(seeds: Path) -> None:
    (seeds / "seasons.yaml").unlink()
    assert pack_error(seeds) == f"{seeds}: no file defines the top-level key 'seasons'"


def test_missing_directory_is_reported(tmp_path: Path) -> None:
    assert pack_error(tmp_path / "nope") == f"{tmp_path / 'nope'}: data pack directory not found"


# --- validation errors -----------------------------------------------------------------------


def test_wrong_enum_value_names_file_entry_and_field(seeds: Path) -> None:
    path = seeds / "characters.yaml"
    index = index_of(path, "characters", "yang-jae-won")
    old = "    played_by: choo-young-woo\n    billing: main\n"
    line = edit(path, old, "    played_by: choo-young-woo\n    billing: lead\n") + 1
    assert pack_error(seeds) == (
        f"{path}: characters[{index}] (id 'yang-jae-won') → billing: "
        f"Input should be 'main', 'supporting' or 'cameo' (got 'lead') (line {line})"
    )


def test_wrong_type_names_the_field(seeds: Path) -> None:
    edit(seeds / "show.yaml", "  episodes: 8\n", "  episodes: eight\n")
    message = pack_error(seeds)
    assert message.startswith(f"{seeds / 'show.yaml'}: show → episodes: Input should be a valid")
    assert "(got 'eight')" in message


def test_wrong_type_deep_in_a_season_names_season_and_event(seeds: Path) -> None:
    edit(seeds / "seasons.yaml", "          by: 2026-10-31\n", "          by: October\n")
    message = pack_error(seeds)
    assert message.startswith(
        f"{seeds / 'seasons.yaml'}: seasons[1] (number 2) → events[10] "
        f"(id 's2-mydaily-in-talks') → planned.by: Input should be a valid date"
    )


def test_misspelt_field_is_an_unknown_field(seeds: Path) -> None:
    path = seeds / "sources.yaml"
    edit(path, "    outlet: Zapzee\n", "    outlet: Zapzee\n    offical: true\n")
    index = index_of(path, "sources", "zapzee-2025-01-31")
    message = pack_error(seeds)
    assert message.startswith(
        f"{path}: sources[{index}] (id 'zapzee-2025-01-31') → offical: unknown field"
    )


def test_several_problems_are_counted_and_listed_in_file_order(seeds: Path) -> None:
    people = seeds / "people.yaml"
    awards = seeds / "awards.yaml"
    edit(people, "    roles: [director]\n", "")
    line = edit(awards, "  - id: seoul-drama-20-best-actor\n", "  - id: Seoul Drama Best Actor\n")
    director = index_of(people, "people", "lee-do-yoon")
    best_actor = index_of(awards, "awards", "Seoul Drama Best Actor")
    assert pack_error(seeds).splitlines() == [
        "2 problems in the data pack:",
        f"- {awards}: awards[{best_actor}] (id 'Seoul Drama Best Actor') → id: should be an id: "
        f"lowercase letters, digits and hyphens (e.g. 'ju-ji-hoon') (got 'Seoul Drama Best Actor')"
        f" (line {line})",
        f"- {people}: people[{director}] (id 'lee-do-yoon') → roles: missing required field"
        f" (line {director_line(people)})",
    ]


def director_line(people: Path) -> int:
    """The line where the lee-do-yoon entry starts (a missing field points at its entry)."""
    lines = people.read_text(encoding="utf-8").splitlines()
    return lines.index("  - id: lee-do-yoon") + 1


def test_messages_carry_no_pydantic_noise(seeds: Path) -> None:
    edit(seeds / "show.yaml", "  episodes: 8\n", "  episodes: [8]\n")
    edit(
        seeds / "awards.yaml",
        '    show: true\n    result: won\n    note:\n      en: "Accepted by Kwon',
        '    result: won\n    note:\n      en: "Accepted by Kwon',
    )
    message = pack_error(seeds)
    assert "pydantic" not in message.casefold()
    assert "errors.pydantic.dev" not in message
    assert "For further information" not in message
    assert "validation error" not in message.casefold()
    assert "awards[5] (id 'blue-dragon-series-4-best-drama'): an award entry needs a nominee" in (
        message
    )


# --- cross-reference errors ------------------------------------------------------------------


def test_unknown_source_id_names_file_entry_and_field(seeds: Path) -> None:
    path = seeds / "people.yaml"
    line = edit(
        path,
        "    sources: [sportsdonga-2023-06-16, nocut-2025-01-08]\n",
        "    sources: [sportsdonga-2023, nocut-2025-01-08]\n",
    )
    index = index_of(path, "people", "ju-ji-hoon")
    assert pack_error(seeds) == (
        f"{path}: people[{index}] (id 'ju-ji-hoon') → sources[0]: "
        f"unknown source id 'sportsdonga-2023' (line {line})"
    )


def test_duplicate_id_names_both_entries(seeds: Path) -> None:
    path = seeds / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text + "\n  - id: kbs-2025-02-06\n    outlet: KBS\n    kind: press\n    title: Copy\n"
        "    url: https://news.kbs.co.kr/\n",
        encoding="utf-8",
    )
    count = len(yaml.safe_load(text)["sources"])
    first = index_of(path, "sources", "kbs-2025-02-06")
    message = pack_error(seeds)
    assert message.startswith(
        f"{path}: sources[{count}] (id 'kbs-2025-02-06') → id: "
        f"duplicate source id 'kbs-2025-02-06' (already used by sources[{first}])"
    )


def test_duplicate_event_id_across_seasons_is_an_error(seeds: Path) -> None:
    edit(
        seeds / "seasons.yaml",
        "      - id: s3-mydaily-in-talks\n",
        "      - id: s2-mydaily-in-talks\n",
    )
    message = pack_error(seeds)
    assert message.startswith(
        f"{seeds / 'seasons.yaml'}: seasons[2] (number 3) → events[5] (id 's2-mydaily-in-talks')"
        " → id: duplicate event id 's2-mydaily-in-talks' (already used by seasons[1].events[10])"
    )


def test_unknown_person_in_played_by(seeds: Path) -> None:
    path = seeds / "characters.yaml"
    edit(path, "    played_by: ju-ji-hoon\n", "    played_by: joo-ji-hoon\n")
    message = pack_error(seeds)
    assert message.startswith(
        f"{path}: characters[0] (id 'baek-kang-hyuk') → played_by: unknown person id 'joo-ji-hoon'"
    )


def test_played_by_must_be_an_actor(seeds: Path) -> None:
    path = seeds / "characters.yaml"
    edit(path, "    played_by: kim-sun-young\n", "    played_by: lee-do-yoon\n")
    index = index_of(path, "characters", "kang-myung-hee")
    assert pack_error(seeds).startswith(
        f"{path}: characters[{index}] (id 'kang-myung-hee') → played_by: "
        "person 'lee-do-yoon' does not have the role 'actor'"
    )


def test_unknown_person_ceremony_and_character_in_an_award(seeds: Path) -> None:
    path = seeds / "awards.yaml"
    old_nominee = "    person: choo-young-woo\n    character: yang-jae-won\n"
    line = edit(path, old_nominee, "    person: chu-young-woo\n    character: yang-jae-hoon\n")
    old_ceremony = "    ceremony: seoul-drama-20\n    category: {en: Outstanding Korean Drama Actor"
    ceremony_line = edit(path, old_ceremony, old_ceremony.replace("-20\n", "-2025\n"))
    new_actor = index_of(path, "awards", "blue-dragon-series-4-best-new-actor")
    best_actor = index_of(path, "awards", "seoul-drama-20-best-actor")
    lines = pack_error(seeds).splitlines()
    # listed in file order
    assert lines == [
        "3 problems in the data pack:",
        f"- {path}: awards[{new_actor}] (id 'blue-dragon-series-4-best-new-actor') → person: "
        f"unknown person id 'chu-young-woo' (line {line})",
        f"- {path}: awards[{new_actor}] (id 'blue-dragon-series-4-best-new-actor') → character: "
        f"unknown character id 'yang-jae-hoon' (line {line + 1})",
        f"- {path}: awards[{best_actor}] (id 'seoul-drama-20-best-actor') → ceremony: "
        f"unknown ceremony id 'seoul-drama-2025' (line {ceremony_line})",
    ]


def test_award_character_must_be_the_nominees_role(seeds: Path) -> None:
    edit(
        seeds / "awards.yaml",
        "    person: ha-young\n    character: cheon-jang-mi\n"
        '    result: nominated\n    note:\n      en: "Won by Chae',
        "    person: ha-young\n    character: han-yu-rim\n"
        '    result: nominated\n    note:\n      en: "Won by Chae',
    )
    assert pack_error(seeds).startswith(
        f"{seeds / 'awards.yaml'}: awards[4] (id 'baeksang-61-best-new-actress') → character: "
        "character 'han-yu-rim' is played by 'yoon-kyung-ho', not by the nominee 'ha-young'"
    )


def test_impossible_date_is_reported_on_its_field(seeds: Path) -> None:
    path = seeds / "sources.yaml"
    index = index_of(path, "sources", "asiatoday-2025-02-05")
    line = edit(path, "    date: 2025-02-05\n", "    date: 2025-02-30\n")  # PyYAML alone crashes
    message = pack_error(seeds)
    assert message.startswith(f"{path}: sources[{index}] (id 'asiatoday-2025-02-05') → date: ")
    assert message.endswith(f"(got '2025-02-30') (line {line})")


def test_a_file_that_is_not_a_mapping_is_reported(seeds: Path) -> None:
    (seeds / "notes.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    assert pack_error(seeds) == (
        f"{seeds / 'notes.yaml'}: the top level should be a mapping of pack keys such as "
        "'people:' (got a list)"
    )


def test_a_long_list_of_problems_is_cut_but_counted() -> None:
    message = str(PackError([f"problem {i}" for i in range(60)]))
    lines = message.splitlines()
    assert lines[0] == "60 problems in the data pack:"
    assert lines[1] == "- problem 0"
    assert lines[-1] == "- … and 10 more"
    assert len(lines) == 52


# --- hostile packs: bounded reading, bounded expansion, integers SQLite can store -------------

REPO = SEEDS.parent
MEMORY_LIMIT = 1 << 30  # address space for the child process: the pack needs well under 100 MB
_LOAD_BOUNDED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from pathlib import Path
from bot.datapack.loader import PackError, load_pack
try:
    load_pack(Path(sys.argv[1]))
except PackError as exc:
    print(exc)
    sys.exit(3)
"""


def pack_error_bounded(seeds: Path) -> str:
    """``pack_error`` in a child process with capped memory, for packs that (before the
    bounds) exhaust memory or block forever: a regression fails the test, not the machine."""
    result = subprocess.run(
        [sys.executable, "-c", _LOAD_BOUNDED.format(limit=MEMORY_LIMIT), str(seeds)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert result.returncode == 3, f"no pack error; stderr ends: {result.stderr[-600:]}"
    return result.stdout.strip()


BILLION_LAUGHS = "lol0: &a0 [lol]\n" + "".join(
    f"lol{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]\n" for n in range(1, 10)
)  # 10^9 values from 10 lines


def test_alias_bomb_is_refused_before_it_expands(seeds: Path) -> None:
    path = seeds / "notes.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    assert pack_error_bounded(seeds) == (
        f"{path}: line 1: the aliases (*name) here expand to more than 100,000 values; "
        "write the entries out instead"
    )


def test_alias_bomb_is_refused_in_a_pack_key_too(seeds: Path) -> None:
    """Inside a real key, where pydantic would walk every expanded entry."""
    people = seeds / "people.yaml"
    text = people.read_text(encoding="utf-8")
    bomb = "".join(f"    - &b{n} [{', '.join([f'*b{n - 1}'] * 10)}]\n" for n in range(1, 6))
    people.write_text(
        text.replace(
            "people:\n", "people:\n  - id: bomb\n    variants:\n    - &b0 [x]\n" + bomb, 1
        ),
        encoding="utf-8",
    )
    message = pack_error(seeds)
    assert message.startswith(f"{people}: line ")
    assert message.endswith("expand to more than 100,000 values; write the entries out instead")


def test_a_few_aliases_are_still_fine(seeds: Path) -> None:
    path = seeds / "sources.yaml"
    edit(path, "  - id: kbs-2025-02-06\n", "  - &kbs\n    id: kbs-2025-02-06\n")
    pack = load_pack(seeds)
    assert "kbs-2025-02-06" in {s.id for s in pack.sources}


def test_recursive_alias_is_refused(seeds: Path) -> None:
    (seeds / "notes.yaml").write_text("# loop\nloop: &x [1, *x]\n", encoding="utf-8")
    assert pack_error(seeds) == (
        f"{seeds / 'notes.yaml'}: line 2: an alias (*name) refers to a value that contains it, "
        "so it never ends; write the entries out instead"
    )


def test_symlink_to_dev_zero_is_refused(seeds: Path) -> None:
    link = seeds / "zero.yaml"
    link.symlink_to("/dev/zero")
    assert pack_error_bounded(seeds) == (
        f"{link}: is a symbolic link to /dev/zero, outside the data pack directory; "
        "copy the file into the pack instead"
    )


def test_device_is_not_read(tmp_path: Path) -> None:
    """A device reached without a link (or without a pack directory to compare with)."""
    script = (
        "from pathlib import Path; from bot.datapack.yaml_files import read_yaml_file; "
        "print(read_yaml_file(Path('/dev/zero')).problems)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import resource; resource.setrlimit(resource.RLIMIT_AS, "
         f"({MEMORY_LIMIT}, {MEMORY_LIMIT})); {script}"],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )  # fmt: skip
    assert result.stdout.strip() == (
        "['is not a regular file (it is a character device); a data pack holds plain YAML files']"
    ), result.stderr[-600:]


def test_named_pipe_is_refused_without_waiting_for_a_writer(seeds: Path) -> None:
    fifo = seeds / "pipe.yaml"
    os.mkfifo(fifo)
    assert pack_error_bounded(seeds) == (
        f"{fifo}: is not a regular file (it is a named pipe); a data pack holds plain YAML files"
    )


def test_directory_named_like_a_file_is_refused(seeds: Path) -> None:
    (seeds / "more.yaml").mkdir()
    assert pack_error(seeds) == (
        f"{seeds / 'more.yaml'}: is not a regular file (it is a directory); "
        "a data pack holds plain YAML files"
    )


def test_symlink_out_of_the_pack_is_refused_and_its_content_not_quoted(
    seeds: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "bot.env"
    secret.write_text("DISCORD_TOKEN=MTIzNDU2Nzg5.secret-token-value\n", encoding="utf-8")
    link = seeds / "extra.yaml"
    link.symlink_to(secret)
    message = pack_error(seeds)
    assert message == (
        f"{link}: is a symbolic link to {secret}, outside the data pack directory; "
        "copy the file into the pack instead"
    )
    assert "secret-token-value" not in message


def test_symlink_inside_the_pack_is_followed(seeds: Path) -> None:
    (seeds / "parts").mkdir()
    (seeds / "people.yaml").rename(seeds / "parts" / "people.txt")
    (seeds / "people.yaml").symlink_to(Path("parts") / "people.txt")
    assert {p.id for p in load_pack(seeds).people} == PEOPLE


def test_oversized_file_is_refused(seeds: Path) -> None:
    path = seeds / "notes.yaml"
    path.write_text("# " + "x" * 1_000_000 + "\n", encoding="utf-8")  # only a comment
    assert pack_error(seeds) == (
        f"{path}: is larger than 1,000,000 bytes; a data pack file is a few kilobytes "
        "(split it, or check that this is the right file)"
    )


def test_too_many_values_without_aliases_is_refused(seeds: Path) -> None:
    path = seeds / "notes.yaml"
    path.write_text("numbers: [" + "1," * 100_000 + "1]\n", encoding="utf-8")
    assert pack_error(seeds) == f"{path}: line 1: has more than 100,000 values; split the file"


RANGE = "number out of range: the database stores -9223372036854775808 to 9223372036854775807"


@pytest.mark.parametrize(
    ("file", "old", "new", "where", "got"),
    [
        (
            "show.yaml",
            "  episodes: 8\n",
            "  episodes: 9223372036854775808\n",
            "show → episodes",
            " (got 9223372036854775808)",
        ),
        (
            "characters.yaml",
            "    order: 1\n",
            "    order: -9223372036854775809\n",
            "characters[0] (id 'baek-kang-hyuk') → order",
            " (got -9223372036854775809)",
        ),
        (
            "awards.yaml",
            "    edition: 61\n",
            "    edition: 1" + "0" * 5000 + "\n",  # past Python's int-from-text limit
            "ceremonies[0] (id 'baeksang-61') → edition",
            "",
        ),
    ],
    ids=["2^63", "below-min", "5000-digits"],
)
def test_integer_sqlite_cannot_store_is_a_pack_error(
    seeds: Path, file: str, old: str, new: str, where: str, got: str
) -> None:
    path = seeds / file
    line = edit(path, old, new)
    message = pack_error(seeds)
    if got:
        assert message == f"{path}: {where}: {RANGE}{got} (line {line})"
    else:
        assert message == (
            f"{path}: {where}: number out of range: it has thousands of digits (line {line})"
        )


def _int_fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[tuple[str, list[Any]]]:
    """(model.field, constraints) for every int anywhere under ``model``, Optional or not."""
    found: list[tuple[str, list[Any]]] = []
    seen.add(model)
    for name, info in model.model_fields.items():
        for kind, constraints in _types_in(info.annotation, list(info.metadata)):
            if kind is int:
                found.append((f"{model.__name__}.{name}", constraints))
            elif isinstance(kind, type) and issubclass(kind, BaseModel) and kind not in seen:
                found += _int_fields(kind, seen)
    return found


def _types_in(annotation: Any, constraints: list[Any]) -> list[tuple[Any, list[Any]]]:
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        flat = [m for e in extra for m in getattr(e, "metadata", [e])]
        return _types_in(base, constraints + flat)
    args = typing.get_args(annotation)
    if not args:
        return [(annotation, constraints)]
    return [found for arg in args for found in _types_in(arg, constraints)]


def test_every_integer_field_is_bounded_to_sqlite() -> None:
    """A guard for fields added later: each int has both bounds within SQLite's range."""
    fields = _int_fields(Pack, set())
    assert {name for name, _ in fields} >= {"Show.episodes", "Show.countries", "Season.number"}
    for name, constraints in fields:
        lows = [getattr(c, "ge", getattr(c, "gt", None)) for c in constraints]
        highs = [getattr(c, "le", getattr(c, "lt", None)) for c in constraints]
        assert any(low is not None and low >= -(2**63) for low in lows), name
        assert any(high is not None and high <= 2**63 - 1 for high in highs), name


# --- confidence follows the kind of source ---------------------------------------------------


def test_real_pack_gives_every_source_a_kind(pack: Pack) -> None:
    kinds = {source.kind for source in pack.sources}
    assert kinds == {"official", "press", "aggregator", "forum"}


def test_a_source_without_a_kind_is_refused(seeds: Path) -> None:
    path = seeds / "sources.yaml"
    index = index_of(path, "sources", "zapzee-2025-01-31")
    line = edit(path, "    outlet: Zapzee\n    kind: press\n", "    outlet: Zapzee\n")
    assert pack_error(seeds) == (
        f"{path}: sources[{index}] (id 'zapzee-2025-01-31') → kind: "
        f"missing required field (line {line - 1})"  # the entry's first line
    )


def test_official_cannot_be_typed_onto_press_coverage(seeds: Path) -> None:
    path = seeds / "seasons.yaml"
    old = "        status: released\n        confidence: reported"
    line = edit(path, old, "        status: released\n        confidence: official") + 1
    assert pack_error(seeds) == (
        f"{path}: seasons[0] (number 1) → events[0] (id 's1-release') → confidence: "
        "'official' needs every source to be an official statement (kind: official), but "
        "'time-2025-01-25' is press, 'fnnews-2025-02-25' is press, 'newskorea-2025-01-26' "
        f"is press: use 'reported', or cite Netflix's own statement (line {line})"
    )


def test_official_needs_every_source_official(seeds: Path) -> None:
    """One press page among Netflix's statements is enough to refuse the label."""
    path = seeds / "sources.yaml"
    edit(
        path,
        "    outlet_ko: 셀럽미디어\n    kind: official\n",
        "    outlet_ko: 셀럽미디어\n    kind: press\n",
    )
    message = pack_error(seeds)
    assert message.startswith("2 problems in the data pack:")  # seasons 2 and 3
    assert "(id 's2-netflix-under-review') → confidence: 'official' needs every source" in message
    assert "'celuv-2025-09-23' is press" in message


def test_reported_needs_a_press_page_not_a_forum_post(seeds: Path) -> None:
    path = seeds / "seasons.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("      - id: s2-joynews-year-end")
    old = "        status: renewed\n        confidence: unconfirmed\n"
    at = text.index(old, start)
    path.write_text(
        text[:at] + old.replace("unconfirmed", "reported") + text[at + len(old) :],
        encoding="utf-8",
    )
    line = text[:at].count("\n") + 2
    assert pack_error(seeds) == (
        f"{path}: seasons[1] (number 2) → events[9] (id 's2-joynews-year-end') → confidence: "
        "'reported' needs a press or official source, but 'theqoo-joynews24-1902400' is "
        f"forum: use 'unconfirmed', or cite the original report (line {line})"
    )


def test_a_figure_is_bounded_by_its_sources_too(seeds: Path) -> None:
    path = seeds / "sources.yaml"
    edit(
        path,
        "    outlet_ko: 아시아투데이\n    kind: press\n",
        "    outlet_ko: 아시아투데이\n    kind: aggregator\n",
    )
    message = pack_error(seeds)
    assert "show → figures[1] (id 'global-non-english-tv-no1') → confidence: 'reported'" in message
