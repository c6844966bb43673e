from tests.graphql_client import assert_no_errors, gql

CREATE = """
mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) { id givenName familyName version emails { address isPrimary }
    phones { number } addresses { label city country } }
}
"""


async def test_create_and_read_customer(client):
    body = await gql(
        client,
        CREATE,
        {
            "input": {
                "givenName": "Jane",
                "familyName": "Doe",
                "emails": ["Jane.Doe@Example.com"],
                "phones": ["07911 123456"],
                "addresses": [{"street": "1 High St", "city": "Leeds", "country": "gb"}],
            }
        },
    )
    created = assert_no_errors(body)["createCustomer"]
    assert created["emails"] == [{"address": "jane.doe@example.com", "isPrimary": True}]
    assert created["phones"] == [{"number": "+447911123456"}]
