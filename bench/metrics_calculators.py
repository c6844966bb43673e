"""Time `compute_customer_metrics` over synthetic customers and print a table.

Usage: .venv/bin/python -m bench.metrics_calculators [customers]   (default 100,000)

Each customer has about 10 orders, a few survey answers, tickets, email events and
interactions; the inputs are built before timing, so only the pure computation is measured.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta

from app.metrics import (
    CustomerActivity,
    EmailEvent,
    EmailEventKind,
    Interaction,
    MetricParams,
    Order,
    RfmInputs,
    SurveyAnswer,
    SurveyKind,
    Ticket,
    TicketStatus,
    compute_customer_metrics,
    rfm_breakpoints,
)

AS_OF = datetime(2025, 6, 30, tzinfo=UTC)
SCORE_RANGES = {SurveyKind.NPS: (0, 10), SurveyKind.CSAT: (1, 5), SurveyKind.CES: (1, 7)}


def _moment(rng: random.Random, days: float) -> datetime:
    return AS_OF - timedelta(days=rng.uniform(0.0, days))


def synthetic_customer(rng: random.Random) -> CustomerActivity:
    """A plausible customer: ~10 orders over 3 years, some refunds, answers, tickets, emails."""
    orders = tuple(
        Order(
            id=str(i),
            placed_at=_moment(rng, 3 * 365),
            net_amount=round(rng.uniform(10.0, 200.0), 2),
            refunded_amount=rng.choice((0.0, 0.0, 0.0, 0.0, 15.0)),
        )
        for i in range(max(0, int(rng.gauss(10, 4))))
    )
    answers = tuple(
        SurveyAnswer(kind, rng.randint(*SCORE_RANGES[kind]), _moment(rng, 2 * 365))
        for kind in rng.choices(list(SurveyKind), k=rng.randint(0, 4))
    )
    tickets = tuple(
        Ticket(
            opened_at=_moment(rng, 365),
            status=rng.choice(list(TicketStatus)),
            is_complaint=rng.random() < 0.3,
        )
        for _ in range(rng.randint(0, 3))
    )
    emails = tuple(
        EmailEvent(rng.choice(list(EmailEventKind)), _moment(rng, 180))
        for _ in range(rng.randint(0, 12))
    )
    interactions = tuple(Interaction(_moment(rng, 365)) for _ in range(rng.randint(0, 5)))
    return CustomerActivity(orders, answers, tickets, emails, interactions, rng.random() < 0.1)


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))]


def main(count: int) -> None:
    rng = random.Random(20250630)
    customers = [synthetic_customer(rng) for _ in range(count)]
    params = MetricParams()
    population = rfm_breakpoints(
        RfmInputs(rng.uniform(0, 900), rng.randint(1, 20), rng.uniform(10, 4000))
        for _ in range(10_000)
    )
    timings: list[float] = []
    metrics = 0
    clock = time.perf_counter
    started = clock()
    for activity in customers:
        before = clock()
        metrics += len(
            compute_customer_metrics(activity, as_of=AS_OF, params=params, population=population)
        )
        timings.append(clock() - before)
    elapsed = clock() - started
    timings.sort()
    rows = (
        ("customers", f"{count:,}"),
        ("metric values", f"{metrics:,}"),
        ("customers/s", f"{count / elapsed:,.0f}"),
        ("µs/customer p50", f"{percentile(timings, 0.50) * 1e6:.1f}"),
        ("µs/customer p99", f"{percentile(timings, 0.99) * 1e6:.1f}"),
    )
    width = max(len(label) for label, _ in rows)
    value_width = max(len("value"), *(len(value) for _, value in rows))
    print(f"| {'measure':<{width}} | {'value':>{value_width}} |")
    print(f"|{'-' * (width + 2)}|{'-' * (value_width + 1)}:|")
    for label, value in rows:
        print(f"| {label:<{width}} | {value:>{value_width}} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
