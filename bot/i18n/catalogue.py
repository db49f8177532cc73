"""Message catalogues: every user-facing sentence, one YAML file per language.

The catalogues are checked when they load: a key present in one language and not the other,
or a key whose ``{placeholders}`` differ between languages, is a :class:`CatalogueError`.
So a missing translation fails at start-up or in the tests, never silently in a reply.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final, Literal, TypeVar, get_args

import yaml

from bot.i18n.dates import format_number, ordinal_form, plural_form
from bot.i18n.josa import resolve as resolve_particles

Lang = Literal["en", "ko"]
LANGS: Final[tuple[Lang, ...]] = get_args(Lang)

_LangKey = TypeVar("_LangKey", bound=str)

CATALOGUE_DIR: Final = Path(__file__).resolve().parent


class CatalogueError(ValueError):
    """The catalogue files are malformed or the languages disagree."""


def lang_for(discord_locale: str | None) -> Lang:
    """The reply language for a Discord locale: ``ko`` → Korean, anything else → English.

    Accepts ``discord.Locale`` too (its value is the locale string, e.g. ``"ko"``).
    """
    if discord_locale is None:
        return "en"
    raw = getattr(discord_locale, "value", discord_locale)
    code = str(raw).strip().lower().replace("_", "-")
    return "ko" if code == "ko" or code.startswith("ko-") else "en"


def placeholders(template: str) -> frozenset[str]:
    """The ``{names}`` a template expects (``{{`` escapes are not placeholders)."""
    names: set[str] = set()
    for _literal, field, _spec, _conversion in string.Formatter().parse(template):
        if field is None:
            continue
        if not field or not field.isidentifier():
            raise CatalogueError(f"only named placeholders are allowed, got {{{field}}}")
        names.add(field)
    return frozenset(names)


def plural_category(count: int, lang: str = "en") -> str:
    """CLDR's cardinal category (English 'one'/'other'; Korean has only 'other')."""
    return plural_form(count, lang)


def ordinal_category(number: int, lang: str = "en") -> str:
    """CLDR's ordinal category (English 1st 'one', 2nd 'two', 3rd 'few', 4th/11th 'other')."""
    return ordinal_form(number, lang)


def _flatten(tree: Mapping[str, object], prefix: str, into: dict[str, str], origin: str) -> None:
    for raw_key, value in tree.items():
        key = f"{prefix}{raw_key}"
        if isinstance(value, Mapping):
            _flatten(value, f"{key}.", into, origin)
        elif isinstance(value, str):
            into[key] = value
        else:
            raise CatalogueError(f"{origin}: {key} must be text, got {type(value).__name__}")


def _read_language(path: Path) -> dict[str, str]:
    try:
        # libyaml's C loader when present: the catalogues are read on every start.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        tree = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"cannot read {path}: {exc}") from exc
    if not isinstance(tree, Mapping):
        raise CatalogueError(f"{path}: the top level must be a mapping")
    messages: dict[str, str] = {}
    _flatten(tree, "", messages, path.name)
    return messages


def parity_problems(by_lang: Mapping[_LangKey, Mapping[str, str]]) -> list[str]:
    """Every disagreement between languages: missing keys and differing placeholders."""
    problems: list[str] = []
    all_keys = set().union(*(set(messages) for messages in by_lang.values()))
    for key in sorted(all_keys):
        expected: frozenset[str] | None = None
        for lang, messages in by_lang.items():
            if key not in messages:
                problems.append(f"{key}: missing in {lang}")
                continue
            names = placeholders(messages[key])
            if expected is None:
                expected = names
            elif names != expected:
                problems.append(
                    f"{key}: placeholders differ ({lang} has {sorted(names)}, "
                    f"others have {sorted(expected)})"
                )
    return problems


class Catalogue:
    """All messages of all languages, loaded once and read-only afterwards."""

    def __init__(self, by_lang: Mapping[Lang, Mapping[str, str]]) -> None:
        missing = [lang for lang in LANGS if lang not in by_lang]
        if missing:
            raise CatalogueError(f"no catalogue for {', '.join(missing)}")
        problems = parity_problems(by_lang)
        if problems:
            raise CatalogueError("catalogues disagree:\n  " + "\n  ".join(problems))
        self._messages: dict[Lang, dict[str, str]] = {lang: dict(by_lang[lang]) for lang in LANGS}

    @classmethod
    def load(cls, directory: Path = CATALOGUE_DIR) -> Catalogue:
        """Read ``<lang>.yaml`` for every supported language from ``directory``."""
        return cls({lang: _read_language(directory / f"{lang}.yaml") for lang in LANGS})

    def message_keys(self) -> frozenset[str]:
        return frozenset(self._messages["en"])

    def has(self, key: str) -> bool:
        return key in self._messages["en"]

    def raw(self, lang: Lang, key: str) -> str:
        """The unformatted template; KeyError when the key does not exist."""
        try:
            return self._messages[lang][key]
        except KeyError:
            raise KeyError(f"no message {key!r} in the {lang} catalogue") from None

    def t(self, lang: Lang, key: str, **params: object) -> str:
        """The message ``key`` in ``lang`` with ``{placeholders}`` filled from ``params``.

        A placeholder without a value is a KeyError; extra params are ignored so callers
        can pass one set of values to both languages.
        """
        template = self.raw(lang, key)
        missing = placeholders(template) - params.keys()
        if missing:
            raise KeyError(f"message {key!r} needs {sorted(missing)}")
        text = template.format_map(params)
        # Korean templates write particles in two forms after a placeholder ("{x}(으)로");
        # the filled-in value decides which one is read (see bot.i18n.josa).
        return resolve_particles(text) if lang == "ko" else text

    def _category_key(self, lang: Lang, key: str, category: str) -> str:
        # A category the catalogue does not spell out (Korean 'one') falls back to 'other'.
        wanted = f"{key}.{category}"
        return wanted if wanted in self._messages[lang] else f"{key}.other"

    def plural(self, lang: Lang, key: str, count: int, **params: object) -> str:
        """The CLDR plural form of ``key`` for ``count``; ``{count}`` is filled in, grouped
        the locale's way (1,190)."""
        category = plural_category(count, lang)
        return self.t(
            lang,
            self._category_key(lang, key, category),
            **{**params, "count": format_number(count, lang)},
        )

    def ordinal(self, lang: Lang, number: int) -> str:
        """'61st' in English, '제61회' in Korean (from the ``ordinal.*`` keys)."""
        category = ordinal_category(number, lang)
        return self.t(lang, self._category_key(lang, "ordinal", category), n=number)

    def choice(self, lang: Lang, prefix: str, value: str) -> str:
        """The label for an enumerated value, e.g. ``choice(lang, 'status', 'filming')``."""
        return self.t(lang, f"{prefix}.{value}")

    def missing(self, keys: Iterable[str]) -> list[str]:
        """Which of ``keys`` the catalogue lacks: for tests of code that builds keys."""
        return sorted(key for key in keys if not self.has(key))
