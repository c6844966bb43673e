"""The acquisition spend ledger: validated, converted into the reporting currency, and written
all or nothing (a mutation's list, a CSV file's rows)."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import col

from app.errors import InvalidInputError
from app.metrics.params import MetricParams
from app.store.db import Database
from app.store.models import AcquisitionSpend
from app.store.types import utcnow


class CostCategory(StrEnum):
    """What a spend paid for. SIMPLE CAC counts media and direct marketing only."""

    MEDIA = "MEDIA"
    DIRECT_MARKETING = "DIRECT_MARKETING"
    SALES_MARKETING_SALARIES = "SALES_MARKETING_SALARIES"
    TOOLS_SOFTWARE = "TOOLS_SOFTWARE"
    PROFESSIONAL_SERVICES = "PROFESSIONAL_SERVICES"
    OVERHEAD = "OVERHEAD"


class CostBasis(StrEnum):
    """Which spend CAC divides: media and direct marketing, or every category."""

    SIMPLE = "SIMPLE"
    FULLY_LOADED = "FULLY_LOADED"


CATEGORIES_OF: dict[CostBasis, frozenset[CostCategory]] = {
    CostBasis.SIMPLE: frozenset({CostCategory.MEDIA, CostCategory.DIRECT_MARKETING}),
    CostBasis.FULLY_LOADED: frozenset(CostCategory),
}
CSV_COLUMNS = (
    "period_start",
    "period_end",
    "channel",
    "campaign",
    "category",
    "amount",
    "currency",
)


@dataclass(frozen=True, slots=True)
class NewSpend:
    """One spend as given: any currency the deployment has a rate for."""

    period_start: date
    period_end: date
    category: CostCategory
    amount: float
    currency: str
    channel: str | None = None
    campaign: str | None = None


def channel_key(value: str | None) -> str | None:
    """A channel as stored and grouped: trimmed, lower case, spaces as underscores."""
    cleaned = "_".join((value or "").split()).lower()
    return cleaned or None


def campaign_key(value: str | None) -> str | None:
    """A campaign as stored and grouped: trimmed, inner spaces collapsed."""
    cleaned = " ".join((value or "").split())
    return cleaned or None


def _checked_text(value: str | None, *, limit: int, argument: str) -> str | None:
    if value is not None and len(value) > limit:
        raise InvalidInputError(f"{argument} is longer than {limit} characters", argument=argument)
    return value


def spend_row(spend: NewSpend, params: MetricParams, *, source: str) -> dict[str, object]:
    """The ledger row of a spend, converted; `InvalidInputError` when it cannot be taken."""
    if spend.period_end < spend.period_start:
        raise InvalidInputError("periodEnd is before periodStart", argument="periodEnd")
    if not math.isfinite(spend.amount) or spend.amount < 0:
        raise InvalidInputError("amount must be a finite number, not negative", argument="amount")
    currency = spend.currency.strip().upper()
    rate = params.rate_for(currency)
    if rate is None:
        raise InvalidInputError(
            f"no exchange rate from {currency[:3]!r} into {params.currency} "
            "(set C360_METRICS_FX_RATES)",
            argument="currency",
        )
    return {
        "period_start": spend.period_start,
        "period_end": spend.period_end,
        "channel": _checked_text(channel_key(spend.channel), limit=64, argument="channel"),
        "campaign": _checked_text(campaign_key(spend.campaign), limit=128, argument="campaign"),
        "category": spend.category.value,
        "amount": spend.amount * rate,
        "original_amount": spend.amount,
        "currency": currency,
        "source": source,
        "recorded_at": utcnow(),
    }


async def record_spend(
    db: Database, spends: Sequence[NewSpend], params: MetricParams, *, source: str
) -> list[AcquisitionSpend]:
    """Write the spends in one transaction: all of them, or (any one invalid) none."""
    rows = [spend_row(spend, params, source=source) for spend in spends]
    if not rows:
        return []
    async with db.transaction() as session:
        result = await session.execute(
            insert(AcquisitionSpend).returning(col(AcquisitionSpend.id)), rows
        )
        ids = list(result.scalars())
    return [AcquisitionSpend(id=id_, **row) for id_, row in zip(ids, rows, strict=True)]  # type: ignore[arg-type]


class SpendFileError(Exception):
    """A spend file that cannot be imported: every bad line with its message."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _parse_row(row: dict[str, str | None]) -> NewSpend:
    def text(name: str) -> str:
        return (row.get(name) or "").strip()

    try:
        category = CostCategory(text("category").upper().replace(" ", "_"))
    except ValueError:
        choices = ", ".join(CostCategory)
        raise InvalidInputError(f"category must be one of {choices}") from None
    try:
        start = date.fromisoformat(text("period_start"))
        end = date.fromisoformat(text("period_end") or text("period_start"))
    except ValueError:
        raise InvalidInputError("period_start and period_end must be dates (YYYY-MM-DD)") from None
    try:
        amount = float(text("amount"))
    except ValueError:
        raise InvalidInputError("amount must be a number") from None
    if not text("currency"):
        raise InvalidInputError("currency is missing")
    return NewSpend(
        period_start=start,
        period_end=end,
        category=category,
        amount=amount,
        currency=text("currency"),
        channel=text("channel") or None,
        campaign=text("campaign") or None,
    )


def read_spend_file(path: Path, params: MetricParams) -> list[NewSpend]:
    """Every spend of a CSV file (header: CSV_COLUMNS); `SpendFileError` lists each bad line."""
    spends: list[NewSpend] = []
    problems: list[str] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [
            c
            for c in ("period_start", "category", "amount", "currency")
            if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise SpendFileError([f"line 1: missing column(s) {', '.join(missing)}"])
        for row in reader:
            try:
                spend = _parse_row(row)
                spend_row(spend, params, source="import")
            except InvalidInputError as error:
                problems.append(f"line {reader.line_num}: {error.message}")
                continue
            spends.append(spend)
    if problems:
        raise SpendFileError(problems)
    return spends
