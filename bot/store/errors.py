"""The store's own error type (kept apart so every store module can import it)."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used as asked; ``str()`` says why in one readable message."""
