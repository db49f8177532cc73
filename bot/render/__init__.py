"""Rendering: domain answers → Discord embeds, one renderer per answer, in the reader's language.

Every renderer takes (answer, lang, catalogue, catalog), escapes all data text, and returns
embeds that fit Discord's limits (see :mod:`bot.render.limits`).
"""
