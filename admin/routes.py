"""Administration pages and API: office, services, counters, staff, devices, voice, audit."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
