"""Errors that carry a message for the user (a catalogue key), raised anywhere below the cogs."""

from __future__ import annotations


class UserFacingError(Exception):
    """Bad input or a refused action: the user sees the catalogue text for ``key``, ephemerally."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
