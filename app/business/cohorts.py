"""retentionCohorts: of the customers acquired in each month or quarter, how many were still
customers (not lost) at the end of each month since, up to the end of the range."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from app.business.periods import check_range, month_keys, months_between, quarter_of
from app.store.db import Database
from app.store.repositories import acquisition_reads as reads


@dataclass(frozen=True, slots=True)
class RetentionPoint:
    months_since: int
    retained: int
    rate: float


@dataclass(frozen=True, slots=True)
class RetentionCohort:
    """A cohort (YYYY-MM or YYYY-QN acquired) and its retention at the end of its own last
    month (0 months since) and of each month after, up to the range's last month."""

    cohort: str
    customers: int
    retention: list[RetentionPoint]


async def retention_cohorts(
    db: Database, *, since: date, until: date, grain: str
) -> list[RetentionCohort]:
    """The retention table of the cohorts acquired in the months of [since, until]."""
    check_range(since, until)
    months = month_keys(since, until)
    if grain == "quarter":
        # Whole quarters: a range from February counts January's customers too.
        first = f"{since.year:04d}-{(since.month - 1) // 3 * 3 + 1:02d}"
        quarter_end = (until.month - 1) // 3 * 3 + 3
        months = month_keys(date.fromisoformat(f"{first}-01"), date(until.year, quarter_end, 1))
    async with db.session() as session:
        sizes = await reads.cohort_sizes(session, since=months[0], until=months[-1])
        losses = await reads.cohort_losses(session, since=months[0], until=months[-1])
    key_of = (lambda m: m) if grain == "month" else quarter_of
    customers: dict[str, int] = defaultdict(int)
    last_month: dict[str, str] = {}
    for month in months:
        key = key_of(month)
        customers[key] += sizes.get(month, 0)
        last_month[key] = month
    lost_by: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for cohort_month, lost_month, count in losses:
        lost_by[key_of(cohort_month)][lost_month] += count
    end = months[-1]
    table = []
    for key, size in customers.items():
        if not size:
            continue
        points = []
        lost_months = sorted(lost_by[key].items())
        for months_since in range(max(months_between(last_month[key], end), 0) + 1):
            horizon = _add_months(last_month[key], months_since)
            lost = sum(count for month, count in lost_months if month <= horizon)
            points.append(RetentionPoint(months_since, size - lost, (size - lost) / size))
        table.append(RetentionCohort(key, size, points))
    return table


def _add_months(month: str, count: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
