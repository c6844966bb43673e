"""Labelled person data for the matching benchmark: true people, then duplicates with errors.

True people come from Faker in several countries (some share a household: same family name,
address and phone). Duplicates carry the errors real data has, each applied with the scenario's
error rate: typos and transpositions, missing fields, swapped given/family names, nicknames,
moves, new or mistyped emails and phones, lost accents, and formats that vary (phone styles,
date formats, street abbreviations, postcode spacing, full name instead of parts).
The `true_entity` column is the hidden truth; matchers must not read it.

    python -m bench.matching.generate --people 10000 --error-rate moderate --out bench/out
"""

from __future__ import annotations

import argparse
import csv
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import phonenumbers
from faker import Faker

from app.identity.nicknames import NICKNAMES
from app.identity.record import FIELDS

ERROR_RATES: dict[str, float] = {"low": 0.05, "moderate": 0.15, "high": 0.30}
"""Scenario name -> chance that each kind of error hits a duplicate."""

# The generator fills every FIELD but the second address line and the region.
COLUMNS: tuple[str, ...] = (
    "record_id",
    "true_entity",
    *(name for name in FIELDS if name not in ("address_line2", "region")),
)

_LOCALES: dict[str, tuple[str, float]] = {
    "GB": ("en_GB", 0.35),
    "US": ("en_US", 0.30),
    "FR": ("fr_FR", 0.12),
    "DE": ("de_DE", 0.13),
    "ES": ("es_ES", 0.10),
}
_POOL_SIZE = 1_500
_HOUSEHOLD_SHARE = 0.08
_DUPLICATE_COUNTS = (0, 1, 2, 3)
_DUPLICATE_WEIGHTS = (0.5, 0.3, 0.15, 0.05)
_ABBREVIATIONS = {
    "Street": "St",
    "Road": "Rd",
    "Avenue": "Ave",
    "Lane": "Ln",
    "Drive": "Dr",
    "Court": "Ct",
    "Place": "Pl",
    "boulevard": "bd",
    "avenue": "av",
    "straße": "str.",
    "Straße": "Str.",
}
_FORMAL_TO_NICKNAMES: dict[str, list[str]] = {}
for _nick, _formal in NICKNAMES.items():
    _FORMAL_TO_NICKNAMES.setdefault(_formal, []).append(_nick)


@dataclass
class _Pools:
    """Values drawn from Faker once per country, then combined at random (Faker is slow)."""

    region: str
    given: list[str]
    family: list[str]
    streets: list[str]
    cities: list[str]
    postcodes: list[str]
    phones: list[phonenumbers.PhoneNumber]
    domains: list[str]


@dataclass
class Person:
    """One true person: the values every record of theirs is derived from."""

    entity: int
    region: str
    given: str
    family: str
    email: str
    phone: phonenumbers.PhoneNumber | None
    street: str
    number: str
    city: str
    postcode: str
    birth: date
    national_id: str
    loyalty_id: str
    moved_to: tuple[str, str, str, str]  # street, number, city, postcode after a move


def _pools(region: str, locale: str, seed: int) -> _Pools:
    fake = Faker(locale)
    fake.seed_instance(seed)
    phones: list[phonenumbers.PhoneNumber] = []
    while len(phones) < _POOL_SIZE // 5:
        try:
            number = phonenumbers.parse(fake.phone_number(), region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            phones.append(number)
    return _Pools(
        region=region,
        given=[fake.first_name() for _ in range(_POOL_SIZE)],
        family=[fake.last_name() for _ in range(_POOL_SIZE)],
        streets=[fake.street_name() for _ in range(_POOL_SIZE)],
        cities=[fake.city() for _ in range(_POOL_SIZE // 3)],
        postcodes=[fake.postcode() for _ in range(_POOL_SIZE)],
        phones=phones,
        domains=[fake.free_email_domain() for _ in range(20)],
    )


def _unique_phone(pools: _Pools, rng: random.Random) -> phonenumbers.PhoneNumber | None:
    # Vary the last digits of a valid pooled number, so people do not share phones by accident.
    for _ in range(10):
        template = rng.choice(pools.phones)
        digits = str(template.national_number)
        candidate = phonenumbers.PhoneNumber(
            country_code=template.country_code,
            national_number=int(digits[:-4] + f"{rng.randrange(10_000):04d}"),
        )
        if phonenumbers.is_valid_number(candidate):
            return candidate
    return None


def _email(given: str, family: str, domain: str, rng: random.Random) -> str:
    g, f = given.lower().replace(" ", ""), family.lower().replace(" ", "")
    style = rng.randrange(4)
    local = [f"{g}.{f}", f"{g[0]}{f}", f"{g}{f}{rng.randrange(100)}", f"{f}.{g}{rng.randrange(10)}"]
    return f"{local[style]}@{domain}"


def _national_id(region: str, rng: random.Random) -> str:
    if region == "GB":
        letters = "ABCEGHJKLMNPRSTWXYZ"
        prefix = rng.choice(letters) + rng.choice(letters)
        return f"{prefix}{rng.randrange(10**6):06d}{rng.choice('ABCD')}"
    if region == "US":
        return f"{rng.randrange(100, 900)}-{rng.randrange(10, 100)}-{rng.randrange(1000, 10000)}"
    return f"{rng.randrange(10**11, 10**12)}"


def _new_person(entity: int, pools: _Pools, rng: random.Random) -> Person:
    given, family = rng.choice(pools.given), rng.choice(pools.family)
    return Person(
        entity=entity,
        region=pools.region,
        given=given,
        family=family,
        email=_email(given, family, rng.choice(pools.domains), rng),
        phone=_unique_phone(pools, rng),
        street=rng.choice(pools.streets),
        number=str(rng.randrange(1, 300)),
        city=rng.choice(pools.cities),
        postcode=rng.choice(pools.postcodes),
        birth=date(1940, 1, 1) + timedelta(days=rng.randrange(65 * 365)),
        national_id=_national_id(pools.region, rng) if rng.random() < 0.3 else "",
        loyalty_id=f"LY{rng.randrange(10**8):08d}" if rng.random() < 0.4 else "",
        moved_to=(
            rng.choice(pools.streets),
            str(rng.randrange(1, 300)),
            rng.choice(pools.cities),
            rng.choice(pools.postcodes),
        ),
    )


def _housemate(entity: int, of: Person, pools: _Pools, rng: random.Random) -> Person:
    # Same family name, address and landline: the classic false match a matcher must resist.
    person = _new_person(entity, pools, rng)
    person.family, person.street, person.number = of.family, of.street, of.number
    person.city, person.postcode = of.city, of.postcode
    person.phone = of.phone if rng.random() < 0.5 else person.phone
    person.email = _email(person.given, person.family, rng.choice(pools.domains), rng)
    return person


def people(count: int, *, seed: int = 7) -> list[Person]:
    """`count` true people across the generator's countries, with some households."""
    rng = random.Random(seed)
    pools = [
        _pools(region, locale, seed + i) for i, (region, (locale, _)) in enumerate(_LOCALES.items())
    ]
    weights = [share for _, share in _LOCALES.values()]
    result: list[Person] = []
    taken: set[str] = set()
    for entity in range(count):
        if result and rng.random() < _HOUSEHOLD_SHARE:
            of = rng.choice(result)
            region_pools = next(p for p in pools if p.region == of.region)
            result.append(_housemate(entity, of, region_pools, rng))
        else:
            result.append(_new_person(entity, rng.choices(pools, weights)[0], rng))
        person = result[-1]
        # An address belongs to one person (or one household, which shares it on purpose).
        while person.email in taken:
            local, _, domain = person.email.partition("@")
            person.email = f"{local}{rng.randrange(10)}@{domain}"
        taken.add(person.email)
    return result


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + letter + text[i:]
    if kind == 2:
        return text[:i] + letter + text[i + 1 :]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _phone_text(number: phonenumbers.PhoneNumber | None, rng: random.Random) -> str:
    if number is None:
        return ""
    style = rng.choice(
        (
            phonenumbers.PhoneNumberFormat.E164,
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
            phonenumbers.PhoneNumberFormat.NATIONAL,
        )
    )
    return phonenumbers.format_number(number, style)


def _date_text(day: date, region: str, rng: random.Random) -> str:
    style = rng.randrange(4)
    if style == 0:
        return day.isoformat()
    if style == 1:
        return day.strftime("%m/%d/%Y") if region == "US" else day.strftime("%d/%m/%Y")
    if style == 2:
        return f"{day.day} {day.strftime('%B')} {day.year}"
    return day.strftime("%d.%m.%Y") if region in ("DE", "FR") else day.strftime("%Y/%m/%d")


def _mistyped_date(day: date, rng: random.Random) -> date:
    # Day and month swapped (when that is a date), or a slip of one day or one year digit.
    if day.day <= 12 and day.day != day.month and rng.random() < 0.5:
        return day.replace(month=day.day, day=day.month)
    if rng.random() < 0.5:
        return day + timedelta(days=rng.choice((-1, 1)))
    year = day.year + rng.choice((-1, 1))
    return day.replace(year=year, day=min(day.day, 28))


def _abbreviate(street: str) -> str:
    for word, short in _ABBREVIATIONS.items():
        if word in street:
            return street.replace(word, short)
    return street


def _record(
    person: Person, record_id: str, rate: float | None, rng: random.Random
) -> dict[str, str]:
    """One record of `person`; `rate` None is the clean original, else errors hit at that rate."""

    def hit(share: float = 1.0) -> bool:
        return rate is not None and rng.random() < rate * share

    given, family = person.given, person.family
    if hit():
        nicknames = _FORMAL_TO_NICKNAMES.get(given.lower())
        given = rng.choice(nicknames).title() if nicknames else _typo(given, rng)
    if hit():
        family = _typo(family, rng)
    if hit(0.5):
        given, family = _strip_accents(given), _strip_accents(family)
    if hit(0.3):
        given = given[0] + "."
    if hit(0.3):
        given, family = family, given
    if hit(0.5):
        family = family.upper()
    email = person.email
    if hit(0.5):
        email = _email(person.given, person.family, f"mail{person.entity % 50}.example.org", rng)
    elif hit(0.5):
        email = _typo(email, rng)
    street, number, city, postcode = person.street, person.number, person.city, person.postcode
    if hit():
        street, number, city, postcode = person.moved_to
    elif hit(0.5):
        street = _typo(street, rng)
    if rng.random() < 0.5:
        street = _abbreviate(street)
    phone = _phone_text(person.phone, rng)
    if hit(0.5) and phone:
        digits = list(phone)
        spots = [i for i, c in enumerate(digits) if c.isdigit()][-6:]
        spot = rng.choice(spots)
        digits[spot] = str((int(digits[spot]) + 1) % 10)
        phone = "".join(digits)
    birth = _date_text(person.birth, person.region, rng)
    if hit(0.5):
        birth = _date_text(_mistyped_date(person.birth, rng), person.region, rng)
    row = {
        "record_id": record_id,
        "true_entity": str(person.entity),
        "given_name": given,
        "family_name": family,
        "full_name": "",
        "email": email,
        "phone": phone,
        "street": street,
        "street_number": number,
        "city": city,
        "postcode": postcode if rng.random() < 0.5 else postcode.lower().replace(" ", ""),
        "country": person.region,
        "birth_date": birth,
        "national_id": person.national_id,
        "loyalty_id": person.loyalty_id,
    }
    if rate is not None and rng.random() < 0.3:
        row["full_name"], row["given_name"], row["family_name"] = f"{given} {family}", "", ""
    if rate is not None and rng.random() < 0.3:
        row["street"], row["street_number"] = f"{number} {street}", ""
    for name in ("email", "phone", "birth_date", "street", "postcode", "national_id", "loyalty_id"):
        if hit():
            row[name] = ""
            if name == "street":
                row["street_number"] = ""
    return row


def records(
    persons: list[Person], error_rate: float, *, seed: int = 11
) -> Iterator[dict[str, str]]:
    """For each person: the clean record, then 0-3 duplicates with errors at `error_rate`."""
    rng = random.Random(seed)
    serial = 0
    for person in persons:
        copies = rng.choices(_DUPLICATE_COUNTS, _DUPLICATE_WEIGHTS)[0]
        for copy in range(copies + 1):
            serial += 1
            yield _record(person, f"R{serial:07d}", None if copy == 0 else error_rate, rng)


def link_records(
    persons: list[Person], error_rate: float, *, seed: int = 13
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Two files to link: clean records of 85% of the people (say, a CRM), and a second source
    holding a noisy record for 60% of those plus people the first file does not know.
    """
    rng = random.Random(seed)
    known = persons[: int(len(persons) * 0.85)]
    left = [_record(p, f"L{i:07d}", None, rng) for i, p in enumerate(known, 1)]
    seen = rng.sample(known, int(len(known) * 0.6)) + persons[len(known) :]
    right = [_record(p, f"S{i:07d}", error_rate, rng) for i, p in enumerate(seen, 1)]
    return left, right


def write_csv(rows: Iterator[dict[str, str]] | list[dict[str, str]], path: Path) -> int:
    """Write rows with `COLUMNS` as the header; returns the number of rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def main() -> None:
    """Write `dedupe_<rate>.csv` (and `link_<rate>_{left,right}.csv`) for one size and rate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--error-rate", choices=sorted(ERROR_RATES), default="moderate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    persons = people(args.people, seed=args.seed)
    path = args.out / f"dedupe_{args.error_rate}.csv"
    count = write_csv(records(persons, ERROR_RATES[args.error_rate], seed=args.seed + 1), path)
    print(f"wrote {count} records of {args.people} people to {path}")
    left, right = link_records(persons, ERROR_RATES[args.error_rate], seed=args.seed + 2)
    for side, rows in (("left", left), ("right", right)):
        side_path = args.out / f"link_{args.error_rate}_{side}.csv"
        write_csv(rows, side_path)
        print(f"wrote {len(rows)} records to {side_path}")


if __name__ == "__main__":
    main()
