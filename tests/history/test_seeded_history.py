"""`c360 seed` writes a history: people who moved, changed email, or had a duplicate merged in."""

from __future__ import annotations

from sqlalchemy import select

from app.settings import Settings
from app.store.models import CustomerChange
from tests.conftest import running_gateway
from tests.graphql_client import assert_no_errors, global_id, gql

PAST = """
query Past($id: ID!) {
  customer(id: $id) {
    addresses(includePast: true) { formatted validTo }
    emails(includePast: true) { address validTo }
    history(fields: ["merge"], first: 5) { edges { node { action source } } }
  }
}
"""


async def test_the_seeded_world_has_movers_new_emails_and_merges(seeded_url: str) -> None:
    async with running_gateway(Settings(database_url=seeded_url, log_json=False)) as gateway:
        # given: whose seeded history holds a removal or a merge
        async with gateway.db.session() as session:
            rows = list(
                await session.scalars(
                    select(CustomerChange).where(
                        CustomerChange.action.in_(["removed", "merged"])  # type: ignore[attr-defined]
                    )
                )
            )
        kinds = {(row.field, row.action): row.customer_id for row in rows}
        assert {("address", "removed"), ("email", "removed"), ("merge", "merged")} <= set(kinds)

        # when
        found = {}
        for key, customer_id in kinds.items():
            body = await gql(gateway.client, PAST, {"id": global_id("Customer", customer_id)})
            found[key] = assert_no_errors(body)["customer"]

    # then: the mover lists a former address, the new email a former one, the merge shows
    assert any(a["validTo"] for a in found[("address", "removed")]["addresses"])
    assert any(e["validTo"] for e in found[("email", "removed")]["emails"])
    merges = found[("merge", "merged")]["history"]["edges"]
    assert merges[0]["node"] == {"action": "MERGED", "source": "merge"}
