"""Voice administration: which clips are default, uploaded or missing; upload; play a sample."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
