"""Pairing a new kiosk or display screen with a short code confirmed by an admin."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
