"""Versioned questionnaires: the satisfaction form (5-level items in GECC's dimensions) and the
needs survey (แบบสำรวจความต้องการ: services, hours, channels, facilities citizens want).

Every change of either makes a new version of the office's form (`survey_form`); each answer
keeps the version it answered, so results group an old answer by the dimension its item had
then. Version 0 is the bundled default, for offices that never edited their form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from counter.queue.errors import InvalidInput
from reports.metrics import ScoreTally
from reports.models import NeedsResponse, SurveyAnswer, SurveyForm, SurveyResponse

# The bundled questionnaire's words live in the catalogue.
from reports.text import DEFAULT_NEEDS, DIMENSIONS, err

DIMENSION_CODES = [d for d, _, _ in DIMENSIONS]
DEFAULT_DIMENSION = {
    "speed": "process",
    "courtesy": "staff",
    "clarity": "information",
    "facilities": "facilities",
    "overall": "overall",
}

# Every Nth satisfaction respondent is offered the needs survey [D].
DEFAULT_NEEDS_EVERY = 5


@dataclass(frozen=True)
class Form:
    version: int
    items: list[dict[str, str]]  # code, label_th, label_en, dimension (active items, in order)
    needs: list[dict[str, Any]] = field(default_factory=list)
    needs_every: int = DEFAULT_NEEDS_EVERY

    def dimension_of(self) -> dict[str, str]:
        return {i["code"]: i["dimension"] for i in self.items}

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_form(items: Iterable[Any]) -> Form:
    return Form(
        0,
        [
            {
                "code": i.code,
                "label_th": i.label_th,
                "label_en": i.label_en,
                "dimension": DEFAULT_DIMENSION.get(i.code, "overall"),
            }
            for i in items
        ],
        [dict(q) for q in DEFAULT_NEEDS],
        DEFAULT_NEEDS_EVERY,
    )


def current(session: Session, office_id: int, default_items: Iterable[Any]) -> Form:
    row = session.exec(
        select(SurveyForm)
        .where(SurveyForm.office_id == office_id)
        .order_by(col(SurveyForm.version).desc())
    ).first()
    return default_form(default_items) if row is None else _of(row)


def _of(row: SurveyForm) -> Form:
    return Form(row.version, list(row.items), list(row.needs), row.needs_every)


def versions(session: Session, office_id: int, default_items: Iterable[Any]) -> dict[int, Form]:
    rows = session.exec(select(SurveyForm).where(SurveyForm.office_id == office_id)).all()
    out = {0: default_form(default_items)}
    out.update({r.version: _of(r) for r in rows})
    return out


def save_version(
    session: Session,
    office_id: int,
    base: Form,
    now: datetime,
    *,
    items: list[dict[str, str]] | None = None,
    needs: list[dict[str, Any]] | None = None,
    needs_every: int | None = None,
) -> Form:
    """A new version from `base` with the parts given replaced."""
    row = SurveyForm(
        office_id=office_id,
        version=base.version + 1,
        created_at=now,
        items=items if items is not None else base.items,
        needs=needs if needs is not None else base.needs,
        needs_every=needs_every if needs_every is not None else base.needs_every,
    )
    session.add(row)
    session.flush()
    return _of(row)


def check_needs(questions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    seen: set[str] = set()
    for q in questions:
        code = str(q.get("code", "")).strip()
        choices = [
            [str(c[0]), str(c[1]), str(c[2] if len(c) > 2 else c[1])] for c in q.get("choices", [])
        ]
        if not code or code in seen or not str(q.get("label_th", "")).strip() or not choices:
            raise InvalidInput(*err("needs_question"))
        if len({c[0] for c in choices}) != len(choices):
            raise InvalidInput(*err("needs_choices", code=code))
        seen.add(code)
        out.append(
            {
                "code": code,
                "label_th": str(q["label_th"]).strip(),
                "label_en": str(q.get("label_en") or q["label_th"]).strip(),
                "choices": choices,
            }
        )
    return out


def check_needs_answers(form: Form, answers: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Only questions and choices of the form; a question may be left unanswered."""
    known = {q["code"]: {c[0] for c in q["choices"]} for q in form.needs}
    out: dict[str, list[str]] = {}
    for code, picked in answers.items():
        if code not in known or not set(picked) <= known[code]:
            raise InvalidInput(*err("needs_answer", code=code))
        if picked:
            out[code] = sorted(set(picked))
    return out


# ------------------------------------------------------------------ results


def _dimension_label(code: str) -> tuple[str, str]:
    return next(((th, en) for c, th, en in DIMENSIONS if c == code), (code, code))


def _codes_by_dimension(form: Form) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for code, dim in form.dimension_of().items():
        out.setdefault(dim, []).append(code)
    return out


def satisfaction_results(
    session: Session,
    office_id: int,
    first: Any,
    last: Any,
    forms: Mapping[int, Form],
    tallies: Iterable[Sequence[Any]] | None = None,
) -> dict[str, Any]:
    """Per dimension and item: respondents, answers, mean, SD, % (= mean ÷ 5 × 100); each answer
    grouped by the dimension its item had in the version that was answered. `tallies`: the
    period's (version, item, n, Σscore, Σscore²), when the caller has them already (the summary
    counts them by version, service, counter and staff)."""
    r, a = SurveyResponse, SurveyAnswer
    answered_in = sa.func.coalesce(col(r.form_version), 0)
    period = (
        sa.select()
        .select_from(r)
        .join(a, col(a.response_id) == col(r.id))
        .where(
            col(r.office_id) == office_id,
            col(r.business_day) >= first,
            col(r.business_day) <= last,
        )
    )
    # Counted in SQL: a year holds hundreds of thousands of answers. One answer per item and
    # response (the table's key), so an item's respondents are its answers.
    by_dim: dict[str, ScoreTally] = {}
    by_item: dict[str, ScoreTally] = {}
    people_item: dict[str, int] = {}
    if tallies is None:
        tallies = session.execute(
            period.add_columns(
                answered_in,
                col(a.item_code),
                sa.func.count(),
                sa.func.sum(col(a.score)),
                sa.func.sum(col(a.score) * col(a.score)),
            ).group_by(answered_in, col(a.item_code))
        )
    # (version, dimension) -> the items answered under it, and how many answers each.
    answered_items: dict[tuple[int, str], dict[str, int]] = {}
    for v, code, n, total, squares in tallies:
        part = ScoreTally(int(n), int(total), int(squares))
        form = forms.get(v) or forms[0]
        dim = form.dimension_of().get(code, "overall")
        by_dim.setdefault(dim, ScoreTally()).merge(part)
        items_of = answered_items.setdefault((int(v), dim), {})
        items_of[code] = items_of.get(code, 0) + int(n)
        by_item.setdefault(code, ScoreTally()).merge(part)
        people_item[code] = people_item.get(code, 0) + int(n)
    # A respondent counts once under each dimension they answered an item of (the dimension
    # the item had in the version answered). A response has one version, and one answer per
    # item: where every version answered only one item of a dimension (the default form), its
    # respondents are that item's answers; otherwise distinct responses are counted in SQL.
    people_dim: dict[str, int] = {}
    if all(len(items_of) == 1 for items_of in answered_items.values()):
        for (_v, dim), items_of in answered_items.items():
            people_dim[dim] = people_dim.get(dim, 0) + sum(items_of.values())
    else:
        people_dim = _respondents_by_dimension(session, period, answered_in, forms)
    # Responses with an answer, by version (one probe of the answers' key per response).
    answered = sa.select(col(a.response_id)).where(col(a.response_id) == col(r.id)).exists()
    by_version = {
        int(v): int(n)
        for v, n in session.execute(
            sa.select(answered_in, sa.func.count())
            .where(
                col(r.office_id) == office_id,
                col(r.business_day) >= first,
                col(r.business_day) <= last,
                answered,
            )
            .group_by(answered_in)
        )
    }
    labels: dict[str, dict[str, str]] = {}
    for version in sorted(forms):
        for item in forms[version].items:
            labels[item["code"]] = item
    return {
        "respondents": sum(by_version.values()),
        "dimensions": [
            {
                "dimension": code,
                "label_th": th,
                "label_en": en,
                "respondents": people_dim.get(code, 0),
                **by_dim.get(code, ScoreTally()).as_dict(),
            }
            for code, th, en in DIMENSIONS
        ],
        "items": [
            {
                "code": code,
                "label_th": labels.get(code, {}).get("label_th", code),
                "label_en": labels.get(code, {}).get("label_en", code),
                "dimension": labels.get(code, {}).get("dimension", "overall"),
                "respondents": people_item[code],
                **tally.as_dict(),
            }
            for code, tally in sorted(
                by_item.items(),
                key=lambda kv: DIMENSION_CODES.index(
                    labels.get(kv[0], {}).get("dimension", "overall")
                ),
            )
        ],
        "versions": [{"version": v, "respondents": n} for v, n in sorted(by_version.items())],
    }


def _respondents_by_dimension(
    session: Session, period: Any, answered_in: Any, forms: Mapping[int, Form]
) -> dict[str, int]:
    """Distinct responses per dimension, over the period's answers (`period`: the select of
    responses joined to their answers)."""
    r, a = SurveyResponse, SurveyAnswer
    whens = []
    for v, form in forms.items():
        for dim, codes in _codes_by_dimension(form).items():
            whens.append((sa.and_(answered_in == v, col(a.item_code).in_(codes)), dim))
    for dim, codes in _codes_by_dimension(forms[0]).items():
        whens.append((sa.and_(answered_in.not_in(list(forms)), col(a.item_code).in_(codes)), dim))
    dimension = sa.case(*whens, else_="overall") if whens else sa.literal("overall")
    return {
        dim: int(n)
        for dim, n in session.execute(
            period.add_columns(dimension, sa.func.count(sa.distinct(col(r.id)))).group_by(dimension)
        )
    }


def needs_results(
    session: Session,
    office_id: int,
    first: Any,
    last: Any,
    forms: Mapping[int, Form],
    *,
    free_text: bool,
) -> dict[str, Any]:
    """Tallies per question and choice (respondents who ticked it, % of that question's
    respondents); the free text, for the office head."""
    questions: dict[str, dict[str, Any]] = {}
    for version in sorted(forms):
        for q in forms[version].needs:
            questions[q["code"]] = q
    respondents, answered, counts = _needs_tallies(session, office_id, first, last)
    out_questions = []
    for code, q in questions.items():
        n = answered.get(code, 0)
        out_questions.append(
            {
                "code": code,
                "label_th": q["label_th"],
                "label_en": q["label_en"],
                "respondents": n,
                "choices": [
                    {
                        "code": c[0],
                        "label_th": c[1],
                        "label_en": c[2],
                        "count": counts.get(code, {}).get(c[0], 0),
                        "percent": None if n == 0 else counts.get(code, {}).get(c[0], 0) / n * 100,
                    }
                    for c in q["choices"]
                ],
            }
        )
    out: dict[str, Any] = {"respondents": respondents, "questions": out_questions}
    if free_text:
        nr = NeedsResponse
        out["free_text"] = [
            {"at": at.isoformat(), "text": text}
            for at, text in session.execute(
                sa.select(col(nr.answered_at), col(nr.free_text))
                .where(*_needs_of(office_id, first, last), col(nr.free_text) != "")
                .order_by(col(nr.answered_at))
            )
            if text.strip()
        ]
    return out


def _needs_of(office_id: int, first: Any, last: Any) -> tuple[sa.ColumnElement[bool], ...]:
    nr = NeedsResponse
    return (
        col(nr.office_id) == office_id,
        col(nr.business_day) >= first,
        col(nr.business_day) <= last,
    )


def _needs_tallies(
    session: Session, office_id: int, first: Any, last: Any
) -> tuple[int, dict[str, int], dict[str, dict[str, int]]]:
    """(respondents, respondents per question, ticks per question and choice) of the period's
    needs answers, counted in SQL: each response's answers ({question: [choices]}) unnested
    with the database's JSON functions (json_each on SQLite; json_each and
    json_array_elements_text on PostgreSQL)."""
    nr = NeedsResponse
    period = _needs_of(office_id, first, last)
    respondents = session.execute(sa.select(sa.func.count()).where(*period)).scalar_one()
    question = sa.func.json_each(col(nr.answers)).table_valued("key", "value")
    objects = sa.func.json_type(col(nr.answers)) == "object"
    if session.get_bind().dialect.name == "postgresql":
        objects = sa.func.json_typeof(col(nr.answers)) == "object"
        choice = sa.func.json_array_elements_text(question.c.value).table_valued("value")
    else:
        choice = sa.func.json_each(question.c.value).table_valued("value")
    answered = {
        code: int(n)
        for code, n in session.execute(
            sa.select(question.c.key, sa.func.count())
            .select_from(nr)
            .join(question, sa.true())
            .where(*period, objects)
            .group_by(question.c.key)
        )
    }
    counts: dict[str, dict[str, int]] = {}
    for code, picked, n in session.execute(
        sa.select(question.c.key, choice.c.value, sa.func.count())
        .select_from(nr)
        .join(question, sa.true())
        .join(choice, sa.true())
        .where(*period, objects)
        .group_by(question.c.key, choice.c.value)
    ):
        counts.setdefault(code, {})[picked] = int(n)
    return int(respondents), answered, counts
