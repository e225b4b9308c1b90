"""The staff counter console and the supervisor view (pages)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
