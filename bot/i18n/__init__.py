"""Languages: message catalogues (en/ko), locale-aware dates, the slash-command translator."""

from bot.i18n.catalogue import LANGS, Catalogue, CatalogueError, Lang, lang_for
from bot.i18n.dates import format_date

__all__ = ["LANGS", "Catalogue", "CatalogueError", "Lang", "format_date", "lang_for"]
