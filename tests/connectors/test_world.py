"""The seeded fake world: deterministic, valid, and linked the way the crosswalk expects."""

from __future__ import annotations

from collections import Counter

import phonenumbers
from email_validator import validate_email

from simulators.activity import crm_profile, erp_orders, survey_responses
from simulators.world import build_world


def test_same_arguments_same_world(world) -> None:
    again = build_world(150, seed=7)
    assert again.people == world.people
    assert again.links == world.links
    assert build_world(150, seed=8).people != world.people


def test_people_have_valid_contact_points(world) -> None:
    for person in world.people:
        assert person.created_at.tzinfo is not None and person.created_at <= world.now
        assert person.lifecycle_stage in {"prospect", "active", "past"}
        assert person.profile_type in {"person", "business"}
        for email in person.emails:
            assert email == email.lower()
            validate_email(email, check_deliverability=False)
        for phone in person.phones:
            assert phonenumbers.is_valid_number(phonenumbers.parse(phone))
            assert phonenumbers.format_number(phonenumbers.parse(phone), 0) == phone  # E.164
        assert {a.kind for a in person.addresses} <= {"home", "billing", "shipping"}
    assert len(Counter(p.country for p in world.people)) >= 6


def test_links_cover_most_people_and_duplicates_point_to_one_person(world) -> None:
    by_system = Counter(link.system for link in world.links)
    people = len(world.people)
    assert by_system["hubspot"] > 0.8 * people
    assert by_system["odoo"] > 0.6 * people
    assert by_system["surveymonkey"] > 0.2 * people
    pairs = {(link.system, link.external_id) for link in world.links}
    assert len(pairs) == len(world.links)  # the crosswalk is unique on (system, external id)
    big = build_world(2000, seed=1)
    duplicates = [p.key for p in big.people if len(big.hubspot_contact_ids(p.key)) > 1]
    assert duplicates
    for key in duplicates:
        person = big.people[key]
        contact_ids = big.hubspot_contact_ids(key)
        linked = {
            link.customer_id
            for link in big.links
            if link.system == "hubspot" and link.external_id in contact_ids
        }
        assert linked == {person.customer_id}


def test_lazy_activity_is_deterministic_and_differs_per_system(world) -> None:
    key = world.odoo_members[0]
    person = world.people[key]
    assert erp_orders(world, person) == erp_orders(world, person)
    assert survey_responses(world, person) == survey_responses(world, person)
    contact_id = world.hubspot_contact_ids(key)[0] if world.hubspot_contact_ids(key) else None
    if contact_id:
        assert crm_profile(world, person, contact_id, 0) == crm_profile(
            world, person, contact_id, 0
        )
    names = Counter()
    for n, (k, variant) in enumerate(world.hubspot_contacts):
        profile = crm_profile(world, world.people[k], str(1001 + n), variant)
        names[profile.firstname == world.people[k].given_name] += 1
    # CRM typos exist, and are the exception.
    assert names[True] > names[False] > 0
