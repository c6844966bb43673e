"""The `mapping` table of a SurveyMonkey account: which surveys and questions to read."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from connectors.config import MappingSettings


class SurveyMonkeyMapping(MappingSettings):
    """Which surveys to read and which question ids are NPS (0-10), CSAT (1-5), CES (1-7)."""

    survey_ids: tuple[str, ...] = ()
    nps_question_ids: tuple[str, ...] = ()
    csat_question_ids: tuple[str, ...] = ()
    ces_question_ids: tuple[str, ...] = ()
    comment_question_ids: tuple[str, ...] = ()
    customer_id_variable: str = "c360_id"
    page_size: Annotated[int, Field(ge=1, le=100)] = 100
