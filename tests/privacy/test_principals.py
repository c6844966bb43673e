"""The Principal value: roles and purposes are checked, a customer always names itself."""

from __future__ import annotations

import pytest

from app.privacy.principals import Principal, Purpose, Role


def test_a_customer_principal_needs_a_subject():
    with pytest.raises(ValueError, match="subject"):
        Principal(id="k1", name="jane", role=Role.CUSTOMER, purpose=Purpose.SELF_SERVICE)


def test_plain_strings_become_enum_members():
    principal = Principal(id="k1", name="ops", role="admin", purpose="administration")

    assert principal.role is Role.ADMIN
    assert principal.purpose is Purpose.ADMINISTRATION


def test_an_unknown_role_is_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match="support_agent"):
        Principal(id="k1", name="x", role="root", purpose=Purpose.SUPPORT)
