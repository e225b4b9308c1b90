"""Reports for managers: dashboard, evidence pack, exports, survey."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
