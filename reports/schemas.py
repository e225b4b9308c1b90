"""Request bodies of the reports and survey API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Score = Annotated[StrictInt, Field(ge=1, le=5)]


class SurveyIn(Strict):
    answers: dict[Annotated[str, Field(max_length=32)], Score] = Field(max_length=12)
    comment: str = Field(default="", max_length=1000)
    channel: Literal["status", "counter"] = "status"


class SurveyItemIn(Strict):
    code: str = Field(min_length=1, max_length=32)
    label_th: str = Field(min_length=1, max_length=200)
    label_en: str = Field(min_length=1, max_length=200)
    active: bool = True


class SurveyItemsIn(Strict):
    items: list[SurveyItemIn] = Field(min_length=1, max_length=40)
