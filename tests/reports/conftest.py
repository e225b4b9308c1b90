"""Fixtures of the report tests: the shared chromium for the browser tests."""

from __future__ import annotations

from tests.browser_conftest_helpers import chromium  # noqa: F401  (session fixture)
