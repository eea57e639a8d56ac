"""Fixtures of the tests of the whole app: the populated shops (tests/ewarung/populated.py)."""

from tests.ewarung.populated import populated_templates  # noqa: F401
