"""The satisfaction and needs survey: answered once per finished ticket transaction, either by the
citizen through the ticket's unguessable status token, or at the counter tablet for the ticket
that counter just finished (the tablet never holds status tokens); the office edits its 5-level
items."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import anyio.to_thread
import sqlalchemy as sa
from sqlmodel import Session

from counter import repository as counter_repo
from counter.models import Office, Service, Ticket
from counter.queue.errors import Conflict, InvalidInput, NotFound
from counter.queue.thai import format_thai_date
from counter.unit_of_work import OfficeWork
from reports import questionnaire
from reports import repository as repo
from reports.metrics import Transaction, transactions_of
from reports.models import NeedsResponse, SurveyItem, SurveyResponse
from reports.questionnaire import DEFAULT_DIMENSION, DIMENSION_CODES
from reports.text import DEFAULT_SURVEY_ITEMS, SCALE, err

R = TypeVar("R")

# A survey link stays open this long after service [D]: answers weeks later say little about
# the visit and would land in an already printed report.
SURVEY_WINDOW = timedelta(days=7)
# The counter tablet offers the survey of a ticket finished this recently [D].
COUNTER_WINDOW = timedelta(minutes=10)
MAX_ITEMS = 12
MAX_NEEDS_EVERY = 1000
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
CHANNELS = ("status", "counter")


@dataclass(frozen=True)
class Item:
    code: str
    label_th: str
    label_en: str
    position: int = 0
    active: bool = True
    dimension: str = ""

    def __post_init__(self) -> None:
        if not self.dimension:
            object.__setattr__(self, "dimension", DEFAULT_DIMENSION.get(self.code, "overall"))


def default_items() -> list[Item]:
    return [Item(c, th, en, i) for i, (c, th, en) in enumerate(DEFAULT_SURVEY_ITEMS)]


def items_or_default(rows: Sequence[SurveyItem], *, active_only: bool = True) -> list[Item]:
    """The office's items in order; the default five while it has never edited them."""
    if not rows:
        return default_items()
    items = [Item(r.code, r.label_th, r.label_en, r.position, r.active, r.dimension) for r in rows]
    return [i for i in items if i.active] if active_only else items


def _err(cls: type[Exception], key: str, **values: object) -> Exception:
    return cls(*err(key, **values))


def check_items(items: Sequence[Item]) -> list[Item]:
    """Validate an edited item list: unique slug codes, non-empty labels, 1–12 active."""
    seen: set[str] = set()
    out = []
    for position, item in enumerate(items):
        if not CODE_RE.match(item.code):
            raise _err(InvalidInput, "item_code", code=item.code[:40])
        if item.code in seen:
            raise _err(InvalidInput, "items_duplicate", code=item.code)
        seen.add(item.code)
        th, en = item.label_th.strip(), item.label_en.strip()
        if not th or not en:
            raise _err(InvalidInput, "item_labels")
        if item.dimension not in DIMENSION_CODES:
            raise _err(
                InvalidInput,
                "item_dimension",
                dimension=item.dimension[:20],
                allowed=", ".join(DIMENSION_CODES),
            )
        out.append(Item(item.code, th, en, position, item.active, item.dimension))
    active = sum(i.active for i in out)
    if not 1 <= active <= MAX_ITEMS:
        raise _err(InvalidInput, "items_count", max=MAX_ITEMS)
    return out


def check_answers(items: Sequence[Item], answers: dict[str, int]) -> dict[str, int]:
    """Every active item answered with 1–5, and nothing else."""
    codes = [i.code for i in items if i.active]
    unknown = sorted(set(answers) - set(codes))
    if unknown:
        raise _err(InvalidInput, "unknown_items", items=", ".join(unknown)[:200])
    missing = [c for c in codes if c not in answers]
    if missing:
        raise _err(InvalidInput, "missing_items", items=", ".join(missing))
    for code, score in answers.items():
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise _err(InvalidInput, "score", code=code)
    return {c: answers[c] for c in codes}


def finished_transaction(ticket: Ticket, session: Session) -> Transaction | None:
    """The ticket's transaction that ended in 'finished' (only a visit's last one can)."""
    assert ticket.id is not None
    txs = transactions_of(
        ticket.id,
        repo.events_of_ticket(session, ticket.id),
        ticket.priority,
        booked_for=ticket.booked_for,
    )
    done = [t for t in txs if t.outcome == "done"]
    return done[-1] if done else None


class SurveyService:
    def __init__(self, work: OfficeWork) -> None:
        # Answers and form edits are writes of the office (counter.unit_of_work).
        self.work = work
        self.db = work.db
        self.clock = work.clock

    async def _read(self, fn: Callable[[Session], R]) -> R:
        def run() -> R:
            with self.db.read() as session:
                return fn(session)

        return await anyio.to_thread.run_sync(run)

    async def _write(self, office_id: int, fn: Callable[[Session], R]) -> R:
        return await self.work.run(office_id, lambda tx: fn(tx.session))

    # ----------------------------------------------------------------- the citizen's side

    def _state(self, session: Session, ticket: Ticket) -> tuple[str, Transaction | None]:
        tx = finished_transaction(ticket, session)
        if tx is None or tx.ended_at is None:
            return "not_finished", None
        if repo.survey_response(session, ticket.id or 0, tx.transaction_no) is not None:
            return "answered", tx
        if self.clock() - tx.ended_at > SURVEY_WINDOW:
            return "expired", tx
        return "open", tx

    async def form(self, token: str) -> dict[str, Any]:
        """What the status page or counter tablet shows: the state, the ticket and the items."""

        def read(session: Session) -> dict[str, Any]:
            ticket = _ticket(session, token)
            state, tx = self._state(session, ticket)
            return self._form(session, ticket, state, tx)

        return await self._read(read)

    def _form(
        self, session: Session, ticket: Ticket, state: str, tx: Transaction | None
    ) -> dict[str, Any]:
        service = session.get(Service, tx.service_id if tx else ticket.service_id)
        office = counter_repo.get_office(session, ticket.office_id)
        items = items_or_default(repo.survey_items(session, ticket.office_id))
        return {
            "state": state,
            "ticket": {
                "number": ticket.number,
                "transaction_no": tx.transaction_no if tx else ticket.transaction_no,
                "service_th": service.name_th if service else "",
                "service_en": service.name_en if service else "",
                "business_day": ticket.business_day.isoformat(),
                "business_day_th": format_thai_date(ticket.business_day),
            },
            "office": {
                "name_th": office.name_th if office else "",
                "name_en": office.name_en if office else "",
            },
            "items": [
                {"code": i.code, "label_th": i.label_th, "label_en": i.label_en} for i in items
            ],
            "scale": [{"value": v, "label_th": th, "label_en": en} for v, th, en in SCALE],
            "comment_max": 1000,
        }

    async def answer(self, token: str, answers: dict[str, int], comment: str) -> dict[str, Any]:
        """The citizen's answer, through the ticket's status token."""
        office_id = await self._read(lambda s: _ticket(s, token).office_id)
        return await self._answer(
            office_id, lambda s: _ticket(s, token), answers, comment, "status"
        )

    async def answer_at_counter(
        self,
        office_id: int,
        counter_number: int,
        ticket_id: int,
        answers: dict[str, int],
        comment: str,
    ) -> dict[str, Any]:
        """The answer typed on a counter tablet: only for the ticket that counter finished last
        (and recently), which must be the one the tablet showed."""

        def find(session: Session) -> Ticket:
            ticket = self._counter_ticket(session, office_id, counter_number)
            if ticket is None or ticket.id != ticket_id:
                raise _err(Conflict, "not_at_counter", number=counter_number)
            return ticket

        return await self._answer(office_id, find, answers, comment, "counter")

    async def _answer(
        self,
        office_id: int,
        find: Callable[[Session], Ticket],
        answers: dict[str, int],
        comment: str,
        channel: str,
    ) -> dict[str, Any]:
        if channel not in CHANNELS:
            raise _err(InvalidInput, "survey_channel", allowed=", ".join(CHANNELS))

        def write(session: Session) -> dict[str, Any]:
            ticket = find(session)
            state, tx = self._state(session, ticket)
            if state == "not_finished":
                raise _err(Conflict, "not_finished")
            if state == "answered":
                raise _err(Conflict, "answered")
            if state == "expired":
                raise _err(Conflict, "expired")
            assert tx is not None and ticket.id is not None
            items = items_or_default(repo.survey_items(session, ticket.office_id))
            scores = check_answers(items, answers)
            form = questionnaire.current(session, ticket.office_id, default_items())
            repo.add_survey_response(
                session,
                SurveyResponse(
                    office_id=ticket.office_id,
                    ticket_id=ticket.id,
                    transaction_no=tx.transaction_no,
                    business_day=ticket.business_day,
                    service_id=tx.service_id,
                    counter_id=tx.counter_id,
                    staff_id=tx.staff_id,
                    answered_at=self.clock(),
                    channel=channel,
                    comment=comment.strip()[:1000],
                    form_version=form.version,
                ),
                scores,
            )
            out: dict[str, Any] = {"state": "answered", "number": ticket.number}
            # Every Nth respondent is offered the needs survey as well; its link carries the
            # status token, so only the citizen's own channel gets it, never a counter tablet.
            answered = repo.survey_response_count(session, ticket.office_id)
            if (
                channel == "status"
                and form.needs
                and form.needs_every
                and answered % form.needs_every == 0
            ):
                out["needs_url"] = f"/needs?ticket={ticket.token}"
            return out

        try:
            return await self._write(office_id, write)
        except sa.exc.IntegrityError:
            # The same survey sent twice at once: the first one counted.
            raise _err(Conflict, "answered") from None

    # ----------------------------------------------------------------- the office's side

    async def items(self, office_id: int) -> list[dict[str, Any]]:
        return await self._read(
            lambda s: [
                asdict(i)
                for i in items_or_default(repo.survey_items(s, office_id), active_only=False)
            ]
        )

    async def set_items(self, office_id: int, items: Sequence[Item]) -> list[dict[str, Any]]:
        checked = check_items(items)

        def write(session: Session) -> list[dict[str, Any]]:
            rows = list(repo.survey_items(session, office_id))
            if not rows:
                # The first edit stores the defaults too, so the ones dropped show as retired.
                rows = [
                    SurveyItem(
                        office_id=office_id,
                        code=d.code,
                        label_th=d.label_th,
                        label_en=d.label_en,
                        position=d.position,
                    )
                    for d in default_items()
                ]
                session.add_all(rows)
            existing = {r.code: r for r in rows}
            given = {i.code for i in checked}
            for item in checked:
                row = existing.get(item.code)
                if row is None:
                    session.add(
                        SurveyItem(
                            office_id=office_id,
                            code=item.code,
                            label_th=item.label_th,
                            label_en=item.label_en,
                            position=item.position,
                            active=item.active,
                            dimension=item.dimension,
                        )
                    )
                else:
                    row.label_th, row.label_en = item.label_th, item.label_en
                    row.position, row.active = item.position, item.active
                    row.dimension = item.dimension
            # Items left out are retired, never deleted: their answers stay in the reports.
            for code, row in existing.items():
                if code not in given:
                    row.active = False
                    row.position = len(checked) + row.position
            session.flush()
            # Each edit is a new version of the form; answers keep the version they answered.
            questionnaire.save_version(
                session,
                office_id,
                questionnaire.current(session, office_id, default_items()),
                self.clock(),
                items=[
                    {
                        "code": i.code,
                        "label_th": i.label_th,
                        "label_en": i.label_en,
                        "dimension": i.dimension,
                    }
                    for i in checked
                    if i.active
                ],
            )
            return [
                asdict(i)
                for i in items_or_default(repo.survey_items(session, office_id), active_only=False)
            ]

        return await self._write(office_id, write)

    # ----------------------------------------------------------------- the needs survey

    async def needs_form(self, office_id: int) -> dict[str, Any]:
        def read(session: Session) -> dict[str, Any]:
            form = questionnaire.current(session, office_id, default_items())
            return {"version": form.version, "questions": form.needs, "every": form.needs_every}

        return await self._read(read)

    async def set_needs(
        self, office_id: int, questions: list[dict[str, Any]], every: int
    ) -> dict[str, Any]:
        checked = questionnaire.check_needs(questions)
        if not 0 <= every <= MAX_NEEDS_EVERY:
            raise _err(InvalidInput, "needs_every", max=MAX_NEEDS_EVERY)

        def write(session: Session) -> dict[str, Any]:
            form = questionnaire.save_version(
                session,
                office_id,
                questionnaire.current(session, office_id, default_items()),
                self.clock(),
                needs=checked,
                needs_every=every,
            )
            return {"version": form.version, "questions": form.needs, "every": form.needs_every}

        return await self._write(office_id, write)

    async def needs_target(
        self, office_code: str | None, ticket_token: str | None
    ) -> tuple[Office | None, questionnaire.Form | None]:
        """The office (by code, by the ticket, or the only one) and its current form."""

        def read(session: Session) -> tuple[Office | None, questionnaire.Form | None]:
            office = None
            if ticket_token:
                ticket = repo.ticket_by_token(session, ticket_token)
                office = counter_repo.get_office(session, ticket.office_id) if ticket else None
            elif office_code:
                office = counter_repo.office_by_code(session, office_code)
            else:
                offices = counter_repo.list_offices(session)
                office = offices[0] if len(offices) == 1 else None
            if office is None or office.id is None:
                return None, None
            return office, questionnaire.current(session, office.id, default_items())

        return await self._read(read)

    async def answer_needs(
        self,
        office_code: str | None,
        ticket_token: str | None,
        answers: dict[str, list[str]],
        free_text: str,
    ) -> dict[str, Any]:
        """Record a needs survey answer (anonymous; at most one per ticket)."""

        def write(session: Session) -> dict[str, Any]:
            ticket, office = _needs_answer_target(session, office_code, ticket_token)
            assert office.id is not None
            if ticket is not None and repo.needs_of_ticket(session, ticket.id or 0):
                raise _err(Conflict, "answered")
            form = questionnaire.current(session, office.id, default_items())
            picked = questionnaire.check_needs_answers(form, answers)
            text = free_text.strip()[:1000]
            if not picked and not text:
                raise _err(InvalidInput, "needs_empty")
            now = self.clock()
            session.add(
                NeedsResponse(
                    office_id=office.id,
                    form_version=form.version,
                    answered_at=now,
                    business_day=ticket.business_day
                    if ticket
                    else now.astimezone(ZoneInfo(office.timezone)).date(),
                    channel="survey" if ticket else "link",
                    ticket_id=ticket.id if ticket else None,
                    answers=picked,
                    free_text=text,
                )
            )
            return {"state": "answered", "version": form.version}

        office = await self._read(lambda s: _needs_answer_target(s, office_code, ticket_token)[1])
        assert office.id is not None
        return await self._write(office.id, write)

    async def counter_current(self, office_id: int, counter_number: int) -> dict[str, Any] | None:
        """The survey for the ticket this counter finished last, if recent and unanswered."""

        def read(session: Session) -> dict[str, Any] | None:
            ticket = self._counter_ticket(session, office_id, counter_number)
            if ticket is None:
                return None
            state, tx = self._state(session, ticket)
            if state != "open":
                return None
            # The ticket's id, never its status token: the token would let the tablet (any
            # paired screen) answer again later, or read the citizen's status page.
            return {"ticket_id": ticket.id, **self._form(session, ticket, state, tx)}

        return await self._read(read)

    def _counter_ticket(self, session: Session, office_id: int, number: int) -> Ticket | None:
        """The ticket this counter finished last, if within COUNTER_WINDOW."""
        counter = counter_repo.counter_by_number(session, office_id, number)
        if counter is None or counter.id is None:
            raise _err(NotFound, "no_counter", number=number)
        found = repo.last_finished_at_counter(
            session, office_id, counter.id, self.clock() - COUNTER_WINDOW
        )
        return session.get(Ticket, found[0]) if found is not None else None


def _needs_answer_target(
    session: Session, office_code: str | None, ticket_token: str | None
) -> tuple[Ticket | None, Office]:
    """The ticket (when answered through its status link) and the office a needs answer is for."""
    ticket = repo.ticket_by_token(session, ticket_token) if ticket_token else None
    if ticket_token and ticket is None:
        raise _err(NotFound, "no_ticket")
    office = (
        counter_repo.get_office(session, ticket.office_id)
        if ticket
        else counter_repo.office_by_code(session, office_code or "")
    )
    if office is None or office.id is None:
        raise _err(InvalidInput, "unknown_office")
    return ticket, office


def _ticket(session: Session, token: str) -> Ticket:
    ticket = repo.ticket_by_token(session, token) if 10 <= len(token) <= 64 else None
    if ticket is None:
        raise _err(NotFound, "no_ticket")
    return ticket
