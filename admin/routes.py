"""Administration pages and API: office, services, counters, staff, devices, voice, audit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from admin.api import router as api_router
from admin.audit import AuditSink
from admin.pages import router as pages_router
from admin.service import AdminService


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Runs inside the app's lifespan, after the database, bus and clock are up."""
    app.state.admin = AdminService(app.state.work, app.state.printer_policy)
    # The audit log for packages that cannot import admin (voice clips in displays).
    app.state.audit = AuditSink(app.state.work)
    yield


router = APIRouter(lifespan=lifespan)
router.include_router(api_router)
router.include_router(pages_router)
