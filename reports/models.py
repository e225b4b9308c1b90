"""Tables owned by the reports package (registered on the shared metadata for Alembic)."""

from __future__ import annotations
