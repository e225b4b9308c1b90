"""Display screens: hall and counter pages, and the WebSocket feed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

router = APIRouter()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Resources the display feed owns for the app's lifetime (bus subscriptions, heartbeats)."""
    yield
