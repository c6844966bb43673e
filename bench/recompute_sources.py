"""In-memory stand-ins for the three connectors, for benchmarking the recompute job itself.

Each answers a batch at once with deterministic synthetic records (a few orders with lines and
refunds, tickets, engagements, a CRM contact, survey responses per customer), so the job's own
costs (store reads, mapping, calculators, writes) can be measured at 100,000 customers
without the minutes the HTTP simulators need per thousand customers.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from connectors import records

NOW = datetime(2026, 11, 1, tzinfo=UTC)
CATEGORIES = ("All / Audio", "All / Kitchen", "All / Garden", "All / Books", "All / Toys")


def _rng(system: str, external_id: str) -> random.Random:
    return random.Random(f"{system}:{external_id}")


def _order(rng: random.Random, external_id: str, n: int) -> records.Order:
    untaxed = Decimal(rng.randrange(20, 900))
    product = records.ProductRef(f"p{n}", "Thing", None, rng.choice(CATEGORIES))
    line = records.OrderLine(
        f"l{n}", product, "Thing", Decimal(1), untaxed, Decimal(0), untaxed, untaxed
    )
    return records.Order(
        system="odoo",
        external_id=f"{external_id}-{n}",
        customer_external_id=external_id,
        number=f"S{external_id}-{n}",
        state="sale" if rng.random() < 0.9 else "cancel",
        ordered_at=NOW - timedelta(days=rng.randrange(1, 900)),
        currency="EUR",
        amount_untaxed=untaxed,
        amount_tax=Decimal(0),
        amount_total=untaxed,
        invoice_status="invoiced",
        lines=(line,),
        updated_at=None,
    )


class FakeErp:
    system = "odoo"

    async def fetch_orders(self, ids: Sequence[str]) -> dict[str, list[records.Order]]:
        result = {}
        for i in ids:
            rng = _rng("orders", i)
            result[i] = [_order(rng, i, n) for n in range(rng.randrange(0, 12))]
        return result

    async def fetch_invoices(self, ids: Sequence[str]) -> dict[str, list[records.Invoice]]:
        result: dict[str, list[records.Invoice]] = {}
        for i in ids:
            rng = _rng("orders", i)
            if rng.random() < 0.2:
                result[i] = [
                    records.Invoice(
                        "odoo", f"r{i}", i, f"R{i}", "out_refund", "posted", "paid", None, None,
                        "EUR", Decimal(30), Decimal(0), f"S{i}-0", None,
                    )
                ]  # fmt: skip
        return result

    async def aclose(self) -> None:
        return None


class FakeCrm:
    system = "hubspot"

    async def fetch_contacts(self, ids: Sequence[str]) -> dict[str, records.CrmContact]:
        return {
            i: records.CrmContact(
                "hubspot", i, "A", "B", None, None, None, None, None, "customer", None, None,
                10, 4, 1, NOW - timedelta(days=_rng("contact", i).randrange(1, 200)), None, None,
            )
            for i in ids
        }  # fmt: skip

    async def fetch_tickets(self, ids: Sequence[str]) -> dict[str, list[records.Ticket]]:
        result = {}
        for i in ids:
            rng = _rng("tickets", i)
            result[i] = [
                records.Ticket(
                    "hubspot", f"{i}-{n}", i, "Broken", None, "1", rng.random() < 0.7, "high",
                    rng.choice(("PRODUCT_ISSUE", "GENERAL_INQUIRY")),
                    NOW - timedelta(days=rng.randrange(1, 300)), None, None,
                )
                for n in range(rng.randrange(0, 3))
            ]  # fmt: skip
        return result

    async def fetch_engagements(self, ids: Sequence[str]) -> dict[str, list[records.Engagement]]:
        result = {}
        for i in ids:
            rng = _rng("engagements", i)
            result[i] = [
                records.Engagement(
                    "hubspot", f"{i}-{n}", i, records.EngagementType.CALL,
                    NOW - timedelta(days=rng.randrange(1, 400)), None, None, None, None, None, None,
                )
                for n in range(rng.randrange(0, 6))
            ]  # fmt: skip
        return result

    async def aclose(self) -> None:
        return None


class FakeSurveys:
    system = "surveymonkey"

    async def fetch_responses(self, ids: Sequence[str]) -> dict[str, list[records.SurveyResponse]]:
        result = {}
        for i in ids:
            rng = _rng("responses", i)
            result[i] = [
                records.SurveyResponse(
                    "surveymonkey", f"{i}-{n}", "410000001", None, None, i, None, None,
                    NOW - timedelta(days=rng.randrange(1, 500)), None,
                    rng.randrange(0, 11), rng.randrange(1, 6), None, None,
                )
                for n in range(rng.randrange(0, 4))
            ]  # fmt: skip
        return result

    async def aclose(self) -> None:
        return None


def fake_connectors() -> dict[str, object]:
    return {"odoo": FakeErp(), "hubspot": FakeCrm(), "surveymonkey": FakeSurveys()}
