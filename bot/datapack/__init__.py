"""The data pack: human-edited YAML in ``seeds/``, validated by pydantic models."""
