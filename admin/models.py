"""Tables owned by the admin package (registered on the shared metadata for Alembic)."""

from __future__ import annotations
