import pytest

from app.privacy.masking import PiiKind, mask, mask_email, mask_phone


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+447911123456", "+44 *** *** 456"),
        ("+353861234953", "+353 *** *** 953"),  # a three-digit country code stays whole
        ("+12025550123", "+1 *** *** 123"),
    ],
)
def test_phone_keeps_only_the_country_code_and_last_three_digits(number, masked):
    assert mask_phone(number) == masked


def test_email_keeps_first_letter_and_domain():
    assert mask_email("jane.doe@example.com") == "j***@example.com"


def test_birth_date_has_no_partial_form():
    from datetime import date

    assert mask(date(1980, 3, 3), PiiKind.BIRTH_DATE) is None
