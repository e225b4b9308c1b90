"""Fixtures of the citizen manual tests: the shared chromium for the browser test."""

from __future__ import annotations

from tests.browser_conftest_helpers import chromium  # noqa: F401  (session fixture)
