"""Erasure and identifiers other live customers still hold (issue 16, item 1).

The rule under test (README, "Data subject requests"): an identifier on the suppression list
may be used only by a live customer who already holds it. Housemates share a phone, a couple
an email, a family an address: erasing one of them never blocks the others, and the erased
person still cannot come back through a form or an import.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from composition.cli import app
from tests.graphql_client import assert_no_errors, create_customer, error_codes, gql

runner = CliRunner()

SHARED_PHONE = "+12049831157"
ROBERT_EMAIL = "robert.baker@example.com"
ANDREW_EMAIL = "andrew.baker@example.com"
HOME = {"street": "12 Elm Street", "city": "Winnipeg", "postcode": "R3C 0V8", "country": "CA"}

ERASE = "mutation($id: ID!) { eraseCustomer(customerId: $id) { complete } }"
CONSENT = """
mutation($input: RecordConsentInput!) { recordConsent(input: $input) { state } }
"""
ADD_POINT = """
mutation($input: AddContactPointInput!) { addContactPoint(input: $input) { id } }
"""
CREATE = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }"
READ = """
query($id: ID!) {
  customer(id: $id) {
    id emails { address } phones { number } addresses { street }
    consents { purpose channel state }
  }
}
"""
BY_SOURCE = """
query($system: String!, $externalId: String!) {
  customerBySourceId(system: $system, externalId: $externalId) { id phones { number } }
}
"""
COUNT = "{ customers(first: 1) { totalCount } }"
GRANT = {"purpose": "MARKETING", "channel": "EMAIL", "status": "GRANTED"}

HOUSEHOLD = f"""\
id,given_name,family_name,email,phone,street,city,postcode,country,birth_date
C1,Robert,Baker,{ROBERT_EMAIL},{SHARED_PHONE},12 Elm Street,Winnipeg,R3C 0V8,CA,1961-04-09
C2,Andrew,Baker,{ANDREW_EMAIL},{SHARED_PHONE},12 Elm Street,Winnipeg,R3C 0V8,CA,1994-11-23
"""


@pytest.fixture(autouse=True)
def _cli_environment(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("C360_DATABASE_URL", database_url)
    monkeypatch.delenv("C360_CONNECTORS_FILE", raising=False)


async def _import(tmp_path: Path, name: str, text: str, source: str) -> Result:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    # The CLI runs its own event loop (asyncio.run), so it cannot run on the test's loop.
    return await asyncio.to_thread(
        runner.invoke, app, ["import", str(path), "--source", source, "--id-column", "id"]
    )


async def _by_source(client, system: str, external_id: str) -> dict[str, Any] | None:
    body = await gql(client, BY_SOURCE, {"system": system, "externalId": external_id})
    return body["data"]["customerBySourceId"]


async def _grant(client, customer_id: str) -> dict[str, Any]:
    return await gql(client, CONSENT, {"input": {"customerId": customer_id, **GRANT}})


async def _erase(client, customer_id: str) -> None:
    assert_no_errors(await gql(client, ERASE, {"id": customer_id}))


async def _count(client) -> int:
    return assert_no_errors(await gql(client, COUNT))["customers"]["totalCount"]


async def test_a_housemate_keeps_the_shared_phone_after_the_other_is_erased(client):
    # given: Robert and Andrew Baker share a phone; Robert's marketing consent works
    robert = await create_customer(
        client, givenName="Robert", familyName="Baker", emails=[ROBERT_EMAIL], phones=[SHARED_PHONE]
    )
    andrew = await create_customer(
        client, givenName="Andrew", familyName="Baker", emails=[ANDREW_EMAIL], phones=[SHARED_PHONE]
    )
    assert_no_errors(await _grant(client, robert["id"]))

    # when
    await _erase(client, andrew["id"])

    # then: Robert's consent, and his own phone, keep working
    assert_no_errors(await _grant(client, robert["id"]))
    again = {"customerId": robert["id"], "kind": "PHONE", "value": SHARED_PHONE}
    assert_no_errors(await gql(client, ADD_POINT, {"input": again}))
    read = assert_no_errors(await gql(client, READ, {"id": robert["id"]}))["customer"]
    assert read["phones"] == [{"number": SHARED_PHONE}]
    assert {"purpose": "marketing", "channel": "email", "state": "GRANTED"} in read["consents"]
    # and Andrew cannot come back with it, neither as a new customer nor on someone else
    recreated = await gql(client, CREATE, {"input": {"givenName": "A", "phones": [SHARED_PHONE]}})
    assert error_codes(recreated) == ["SUPPRESSED"]
    assert error_codes(
        await gql(client, CREATE, {"input": {"givenName": "A", "emails": [ANDREW_EMAIL]}})
    ) == ["SUPPRESSED"]
    other = await create_customer(client, givenName="Carol", familyName="Lee")
    onto_other = {"customerId": other["id"], "kind": "PHONE", "value": SHARED_PHONE}
    assert error_codes(await gql(client, ADD_POINT, {"input": onto_other})) == ["SUPPRESSED"]


async def test_a_customer_keeps_an_email_that_an_erased_customer_was_given(client):
    # given: B was given A's email (addContactPoint), then B is erased
    a = await create_customer(client, givenName="Ann", familyName="Smith", emails=[ROBERT_EMAIL])
    b = await create_customer(client, givenName="Bea", familyName="Jones")
    shared = {"customerId": b["id"], "kind": "EMAIL", "value": ROBERT_EMAIL}
    assert_no_errors(await gql(client, ADD_POINT, {"input": shared}))

    # when
    await _erase(client, b["id"])

    # then: A's consent and email keep working
    assert_no_errors(await _grant(client, a["id"]))
    own = {"customerId": a["id"], "kind": "EMAIL", "value": ROBERT_EMAIL.upper()}
    assert_no_errors(await gql(client, ADD_POINT, {"input": own}))
    read = assert_no_errors(await gql(client, READ, {"id": a["id"]}))["customer"]
    assert read["emails"] == [{"address": ROBERT_EMAIL}]
    # and nobody new can take the erased person's email
    body = await gql(client, CREATE, {"input": {"givenName": "Bea", "emails": [ROBERT_EMAIL]}})
    assert error_codes(body) == ["SUPPRESSED"]


async def test_an_address_is_not_suppressed_so_the_household_keeps_it(client):
    # given: Robert and Andrew share their home address; Andrew is erased
    robert = await create_customer(client, givenName="Robert", familyName="Baker", addresses=[HOME])
    andrew = await create_customer(client, givenName="Andrew", familyName="Baker", addresses=[HOME])
    await _erase(client, andrew["id"])

    # when: Robert consents, and someone new moves in
    consent = await _grant(client, robert["id"])
    newcomer = await gql(client, CREATE, {"input": {"givenName": "Eve", "addresses": [HOME]}})

    # then
    assert_no_errors(consent)
    assert_no_errors(newcomer)
    read = assert_no_errors(await gql(client, READ, {"id": robert["id"]}))["customer"]
    assert read["addresses"] == [{"street": "12 Elm Street"}]


async def test_an_import_keeps_linking_the_housemate_and_refuses_the_erased_person(
    client, tmp_path
):
    # given: the household imported from the CRM, then Andrew erased
    first = await _import(tmp_path, "crm.csv", HOUSEHOLD, "crm")
    assert first.exit_code == 0, first.output
    robert = await _by_source(client, "crm", "C1")
    andrew = await _by_source(client, "crm", "C2")
    assert robert is not None and andrew is not None and robert["id"] != andrew["id"]
    await _erase(client, andrew["id"])
    assert_no_errors(await _grant(client, robert["id"]))

    # when: the CRM file comes again, and the webshop sends both of them
    again = await _import(tmp_path, "crm.csv", HOUSEHOLD, "crm")
    webshop = await _import(tmp_path, "webshop.csv", HOUSEHOLD.replace("\nC", "\nW"), "webshop")

    # then: Robert's rows refresh and link to him; Andrew's are refused as erased
    assert again.exit_code == 0, again.output
    assert webshop.exit_code == 0, webshop.output
    assert "1 erased person" in again.output, again.output
    assert "1 erased person" in webshop.output, webshop.output
    assert (await _by_source(client, "crm", "C1"))["id"] == robert["id"]
    assert (await _by_source(client, "webshop", "W1"))["id"] == robert["id"]
    assert await _by_source(client, "webshop", "W2") is None
    assert await _count(client) == 1
    assert_no_errors(await _grant(client, robert["id"]))


async def test_an_import_row_that_only_shares_the_erased_phone_is_refused(client, tmp_path):
    # given: Andrew erased, his phone still held by Robert
    assert (await _import(tmp_path, "crm.csv", HOUSEHOLD, "crm")).exit_code == 0
    andrew = await _by_source(client, "crm", "C2")
    await _erase(client, andrew["id"])

    # when: a record of someone who is not Robert arrives with the phone
    stranger = "id,given_name,family_name,phone\nP1,Andy,Baxter,+1 204 983 1157\n"
    result = await _import(tmp_path, "pos.csv", stranger, "pos")

    # then: it would be a new customer holding the erased phone: refused
    assert result.exit_code == 0, result.output
    assert "1 erased person" in result.output, result.output
    assert await _by_source(client, "pos", "P1") is None
    assert await _count(client) == 1


async def test_an_import_keeps_linking_the_holder_of_an_email_an_erased_customer_was_given(
    client, tmp_path
):
    # given: Robert imported from the CRM; Bea was given his email, then erased
    assert (await _import(tmp_path, "crm.csv", HOUSEHOLD, "crm")).exit_code == 0
    robert = await _by_source(client, "crm", "C1")
    bea = await create_customer(client, givenName="Bea", familyName="Jones")
    shared = {"customerId": bea["id"], "kind": "EMAIL", "value": ROBERT_EMAIL}
    assert_no_errors(await gql(client, ADD_POINT, {"input": shared}))
    await _erase(client, bea["id"])

    # when: Robert's record arrives again, and from a new system
    again = await _import(tmp_path, "crm.csv", HOUSEHOLD, "crm")
    webshop = await _import(tmp_path, "webshop.csv", HOUSEHOLD.replace("\nC", "\nW"), "webshop")

    # then: both link to Robert (Andrew, not erased, is untouched too)
    assert again.exit_code == 0 and webshop.exit_code == 0, again.output + webshop.output
    assert "erased person" not in again.output + webshop.output
    assert (await _by_source(client, "crm", "C1"))["id"] == robert["id"]
    assert (await _by_source(client, "webshop", "W1"))["id"] == robert["id"]
    assert_no_errors(await _grant(client, robert["id"]))


async def test_an_import_at_an_erased_persons_address_links_or_creates_as_usual(client, tmp_path):
    # given: Robert and Andrew share only their address; Andrew is erased
    household = HOUSEHOLD.replace(f",{SHARED_PHONE},", ",,")
    assert (await _import(tmp_path, "crm.csv", household, "crm")).exit_code == 0
    robert = await _by_source(client, "crm", "C1")
    await _erase(client, (await _by_source(client, "crm", "C2"))["id"])

    # when: Robert's record comes again, and a new tenant moves in
    tenant = "id,given_name,family_name,street,city,postcode,country\nT1,Eve,Newman,"
    tenant += "12 Elm Street,Winnipeg,R3C 0V8,CA\n"
    again = await _import(tmp_path, "crm.csv", household, "crm")
    moved_in = await _import(tmp_path, "pos.csv", tenant, "pos")

    # then: Robert refreshes, Andrew (his email) is refused, the tenant is a new customer
    assert "1 erased person" in again.output, again.output
    assert moved_in.exit_code == 0 and "erased person" not in moved_in.output, moved_in.output
    assert (await _by_source(client, "crm", "C1"))["id"] == robert["id"]
    assert await _by_source(client, "pos", "T1") is not None
    assert await _count(client) == 2
