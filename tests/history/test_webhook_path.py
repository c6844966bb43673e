"""The SurveyMonkey webhook records the identity it links."""

from __future__ import annotations

from sqlalchemy import delete

from app.store.models import SourceLink
from tests.graphql_client import global_id
from tests.history.test_write_paths import entry, history
from tests.metrics.test_webhooks import (
    WEBHOOK_SETTINGS,
    respondent,
    submit_response,
    wire_simulator,
)


async def test_the_surveymonkey_webhook_records_the_identity_it_links(
    start_gateway,
    world,
) -> None:
    # given: a respondent whose survey contact is not linked yet
    customer_id, contact_id, email = respondent(world)
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        async with gateway.db.transaction() as session:
            await session.execute(
                delete(SourceLink).where(
                    SourceLink.system == "surveymonkey", SourceLink.customer_id == customer_id
                )
            )
        wire_simulator(gateway)

        # when
        await submit_response(gateway, {"email": email, "contact_id": contact_id, "nps": 9})
        entries = await history(gateway.client, global_id("Customer", customer_id))

    # then
    linked = entry(entries, "identity", "LINKED")
    assert linked["newValue"] == f"surveymonkey:{contact_id}"
    assert linked["principal"] == "webhook:surveymonkey"
