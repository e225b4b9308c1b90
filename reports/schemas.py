"""Request bodies of the reports and survey API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt

from counter.schemas import Strict

Score = Annotated[StrictInt, Field(ge=1, le=5)]


class SurveyIn(Strict):
    answers: dict[Annotated[str, Field(max_length=32)], Score] = Field(max_length=12)
    comment: str = Field(default="", max_length=1000)
    # Through a status token the answer is always the citizen's own; a counter tablet answers
    # through POST /api/v1/survey/counter/{number}.
    channel: Literal["status"] = "status"


class CounterSurveyIn(Strict):
    ticket_id: int = Field(ge=1, le=2**62)
    answers: dict[Annotated[str, Field(max_length=32)], Score] = Field(max_length=12)
    comment: str = Field(default="", max_length=1000)


class SurveyItemIn(Strict):
    code: str = Field(min_length=1, max_length=32)
    label_th: str = Field(min_length=1, max_length=200)
    label_en: str = Field(min_length=1, max_length=200)
    active: bool = True
    # GECC dimension: process, staff, information, facilities, overall (default by code).
    dimension: str | None = Field(default=None, max_length=16)


class NeedsQuestionIn(Strict):
    code: str = Field(min_length=1, max_length=32)
    label_th: str = Field(min_length=1, max_length=200)
    label_en: str = Field(default="", max_length=200)
    # [code, Thai, English] per choice.
    choices: list[list[str]] = Field(min_length=1, max_length=20)


class NeedsFormIn(Strict):
    questions: list[NeedsQuestionIn] = Field(min_length=1, max_length=12)
    # Offer the needs survey to every Nth satisfaction respondent (0: never; own link only).
    every: int = 5


class NeedsIn(Strict):
    office: str | None = Field(default=None, max_length=32)
    ticket: str | None = Field(default=None, max_length=64)
    answers: dict[str, list[str]] = Field(default_factory=dict, max_length=12)
    free_text: str = Field(default="", max_length=1000)


class SurveyItemsIn(Strict):
    items: list[SurveyItemIn] = Field(min_length=1, max_length=40)
