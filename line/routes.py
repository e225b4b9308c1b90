"""LINE's routes: the webhook, the status page's link button, Admin → LINE's API.

How the webhook knows the office: `POST /line/webhook/{office_code}` is the URL an office enters in
LINE Developers (Admin → LINE shows it); `POST /line/webhook` also works, and the office is the
one whose channel secret verifies the signature (HMAC-SHA256 of the body: only that office's
secret can have made it). A missing signature is refused with 400, a wrong one with 401, before
anything is read or done."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import anyio.to_thread
from fastapi import APIRouter, Header, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from counter.pages import render_page
from counter.queue.errors import Conflict, NotFound
from counter.schemas import Strict
from counter.ui import templates_for
from counter.web import CurrentAdmin, error_body
from line import text
from line.notifier import follow
from line.service import (
    AccountChange,
    AccountView,
    LineService,
    SignatureMissing,
    SignatureRefused,
)

HERE = Path(__file__).resolve().parent
templates = templates_for(HERE)
router = APIRouter()

StatusToken = Annotated[str, PathParam(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
OfficeCode = Annotated[str, PathParam(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
# LINE's signature is base64 of a SHA-256 digest (44 characters); allow some slack.
MAX_SIGNATURE = 128


def get_line(request: Request) -> LineService:
    service: LineService = request.app.state.line
    return service


# ------------------------------------------------------------------ the webhook


async def _webhook(
    request: Request, office_code: str | None, signature: str | None
) -> dict[str, Any]:
    if signature is not None and len(signature) > MAX_SIGNATURE:
        signature = "x"  # refused below like any wrong signature
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        handled = await get_line(request).receive(office_code, body, signature)
    except SignatureMissing:
        raise HTTPException(
            400, error_body("signature_missing", *text.MESSAGES["signature_missing"])
        ) from None
    except SignatureRefused:
        raise HTTPException(
            401, error_body("signature_bad", *text.MESSAGES["signature_bad"])
        ) from None
    return {"handled": handled}


@router.post("/line/webhook/{office_code}", tags=["line"])
async def webhook_of_office(
    office_code: OfficeCode,
    request: Request,
    x_line_signature: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """LINE's webhook for one office (the URL to enter in LINE Developers). The body must carry
    a valid `X-Line-Signature` made with the office's channel secret: missing → 400, wrong → 401,
    and nothing is done."""
    return await _webhook(request, office_code, x_line_signature)


@router.post("/line/webhook", tags=["line"])
async def webhook(
    request: Request, x_line_signature: Annotated[str | None, Header()] = None
) -> dict[str, Any]:
    """LINE's webhook without an office in the path: the office is the one whose channel secret
    verifies `X-Line-Signature`."""
    return await _webhook(request, None, x_line_signature)


# ------------------------------------------------------------------ the link button


@router.get("/line/link/{token}", include_in_schema=False)
async def link(token: StatusToken, request: Request) -> Response:
    """The status page's "แจ้งเตือนผ่าน LINE": opens the office's chat prefilled with a one-time
    code (line.me/R/oaMessage), which the bot links to this ticket when the citizen sends it."""
    try:
        offer = await get_line(request).offer_link(token)
    except (NotFound, Conflict) as exc:
        status = 404 if isinstance(exc, NotFound) else 409
        return render_page(
            templates,
            request,
            "line/refused.html",
            {"t": text, "th": exc.th, "en": exc.en, "token": token},
            status_code=status,
        )
    return RedirectResponse(offer.chat_url, status_code=303, headers={"Cache-Control": "no-store"})


BookingCode = Annotated[str, PathParam(min_length=4, max_length=40)]


@router.get("/line/link/booking/{code}", include_in_schema=False)
async def link_booking(code: BookingCode, request: Request) -> Response:
    """The booking confirmation's "แจ้งเตือนผ่าน LINE": the chat with a one-time code for the
    booking (the day-before reminder, then its ticket's notices once checked in)."""
    try:
        offer = await get_line(request).offer_booking_link(code)
    except (NotFound, Conflict) as exc:
        status = 404 if isinstance(exc, NotFound) else 409
        return render_page(
            templates,
            request,
            "line/refused.html",
            {"t": text, "th": exc.th, "en": exc.en, "token": None},
            status_code=status,
        )
    return RedirectResponse(offer.chat_url, status_code=303, headers={"Cache-Control": "no-store"})


class OfferOut(BaseModel):
    """A LINE button for a page of another package: its words and where it goes (None once
    linked)."""

    th: str
    en: str
    href: str | None
    linked: bool


@router.get("/api/v1/line/offer/booking/{code}", tags=["line"])
async def booking_offer(code: BookingCode, request: Request) -> OfferOut:
    """Public: the LINE button of a booking's confirmation page; 404 when the office has no LINE
    or the booking can no longer be notified."""
    offer = await get_line(request).booking_offer(code)
    if offer is None:
        raise NotFound(*text.NOT_AVAILABLE)
    th, en = text.NOTIFY_LINKED if offer.linked else text.NOTIFY_BUTTON
    return OfferOut(th=th, en=en, href=None if offer.linked else offer.href, linked=offer.linked)


def booking_action(app_state: Any) -> Any:
    """What the booking confirmation page (bookings) shows for LINE (app.state.booking_actions)."""

    async def action(code: str) -> dict[str, Any] | None:
        try:
            offer = await app_state.line.booking_offer(code)
        except NotFound:
            return None
        if offer is None:
            return None
        th, en = text.NOTIFY_LINKED if offer.linked else text.NOTIFY_BUTTON
        return {"id": "b-line", "th": th, "en": en, "href": None if offer.linked else offer.href}

    return action


def status_action(app_state: Any) -> Any:
    """What the kiosk's status page shows for LINE (app.state.status_actions): the button while
    the ticket can still be told something, "on" once linked, nothing when the office has no
    LINE."""

    async def action(office_id: int, token: str) -> dict[str, Any] | None:
        offer = await app_state.line.status_offer(office_id, token)
        if offer is None:
            return None
        th, en = text.NOTIFY_LINKED if offer.linked else text.NOTIFY_BUTTON
        return {
            "id": "s-line",
            "th": th,
            "en": en,
            "href": None if offer.linked else offer.href,
            "style": "line",
        }

    return action


# ------------------------------------------------------------------ Admin → LINE


class AccountIn(Strict):
    """Write-only: the secret and the token are never sent back; leave them out (or empty) to
    keep the saved ones."""

    channel_secret: str | None = Field(default=None, max_length=64)
    access_token: str | None = Field(default=None, max_length=400)
    basic_id: str | None = Field(default=None, max_length=32)
    near_threshold: int | None = Field(default=None, ge=0, le=20)
    enabled: bool | None = None


class AccountOut(AccountView):
    # The URL to enter in LINE Developers.
    webhook_url: str


def _account_out(view: AccountView, request: Request, office_code: str) -> AccountOut:
    base = request.app.state.queue.public_url
    return AccountOut(**view.model_dump(), webhook_url=f"{base}/line/webhook/{office_code}")


@router.get("/api/v1/admin/line", tags=["line"])
async def get_account(admin: CurrentAdmin, request: Request) -> AccountOut:
    """The office's LINE account as admins see it: whether the secret and token are set (the
    token's last four characters), never their values."""
    office = await request.app.state.queue.office(admin.office_id)
    return _account_out(await get_line(request).account(admin.office_id), request, office.code)


@router.put("/api/v1/admin/line", tags=["line"])
async def put_account(body: AccountIn, admin: CurrentAdmin, request: Request) -> AccountOut:
    """Save the office's channel secret, access token, basic ID, threshold and switch; the audit
    log records the change (whether a secret is set, the token's last four)."""
    service = get_line(request)
    view, before, after = await service.configure(
        admin.office_id, admin.staff_id, AccountChange(**body.model_dump())
    )
    audit = request.app.state.audit
    await anyio.to_thread.run_sync(audit.record, admin, "line.update", "line", before, after)
    if view.configured and view.enabled:
        follow(request.app.state.feeds, admin.office_id)
    office = await request.app.state.queue.office(admin.office_id)
    return _account_out(view, request, office.code)


# ------------------------------------------------------------------ reports


def report_section(app_state: Any) -> Any:
    """LINE figures of a period for the reports' channels section: links made and stopped, and
    notices by kind and outcome (sent, failed, expired, cancelled)."""

    async def section(
        office_id: int, first: date, last: date, served: int | None
    ) -> dict[str, Any]:
        office = await app_state.queue.office(office_id)
        zone = ZoneInfo(office.timezone)
        since = datetime.combine(first, time(0), zone)
        until = datetime.combine(last + timedelta(days=1), time(0), zone)
        figures: dict[str, Any] = await app_state.line.figures(office_id, since, until)
        return figures

    return section


def linked_arrivals(app_state: Any) -> Any:
    """The channels section's LINE-linked arrivals (app.state.channel_counts)."""

    async def count(office_id: int, first: date, last: date) -> int:
        found: int = await app_state.line.linked_arrivals(office_id, first, last)
        return found

    return count
