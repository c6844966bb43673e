"""The seeded fake world: the people behind every simulator, and which source ids are theirs.

`build_world(customers, seed)` is deterministic for its arguments. It builds only what is cheap
and shared (people, their contact points, which systems know them, the crosswalk); everything a
system holds *about* a person (orders, tickets, survey answers, its own spelling of the name) is
derived lazily from a per-person RNG in `activity.py`, so simulators compute it on demand.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import phonenumbers
from faker import Faker

from simulators.places import TOWNS, Town, postcode

# A fixed "present" keeps the world identical across runs and days; callers may pass their own.
WORLD_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

_NAMESPACE = uuid.UUID("6f1c0b5e-3c60-4b8e-9a8e-360c0ffee360")

# Odoo partner ids: each ERP member owns a block of ids for its own record and child contacts.
ODOO_PARTNER_BASE = 100
ODOO_PARTNER_STRIDE = 4
ODOO_ROLES = ("main", "invoice", "delivery", "contact")
HUBSPOT_CONTACT_BASE = 1001
SURVEYMONKEY_CONTACT_BASE = 310_000_000
# Zendesk ids are large integers; end users get consecutive ones, in ordinal order.
ZENDESK_USER_BASE = 36_100_000_000


@dataclass(frozen=True, slots=True)
class LocaleProfile:
    """How people of one locale look: country, currency, VAT, email providers."""

    locale: str
    country: str
    weight: int
    currency: str
    vat_rate: float
    email_domains: tuple[str, ...]


LOCALES: tuple[LocaleProfile, ...] = (
    LocaleProfile(
        "en_GB",
        "GB",
        22,
        "GBP",
        0.20,
        ("gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk"),
    ),
    LocaleProfile(
        "en_US", "US", 20, "USD", 0.0, ("gmail.com", "yahoo.com", "outlook.com", "aol.com")
    ),
    LocaleProfile("de_DE", "DE", 15, "EUR", 0.19, ("gmx.de", "web.de", "gmail.com", "t-online.de")),
    LocaleProfile(
        "fr_FR", "FR", 12, "EUR", 0.20, ("orange.fr", "gmail.com", "free.fr", "laposte.net")
    ),
    LocaleProfile(
        "es_ES", "ES", 8, "EUR", 0.21, ("gmail.com", "hotmail.es", "yahoo.es", "telefonica.net")
    ),
    LocaleProfile(
        "it_IT", "IT", 8, "EUR", 0.22, ("gmail.com", "libero.it", "virgilio.it", "tiscali.it")
    ),
    LocaleProfile(
        "nl_NL", "NL", 6, "EUR", 0.21, ("gmail.com", "ziggo.nl", "kpnmail.nl", "hotmail.nl")
    ),
    LocaleProfile("en_IE", "IE", 3, "EUR", 0.23, ("gmail.com", "eircom.net", "outlook.com")),
    LocaleProfile("de_AT", "AT", 3, "EUR", 0.20, ("gmx.at", "gmail.com", "aon.at")),
    LocaleProfile("pt_PT", "PT", 3, "EUR", 0.23, ("gmail.com", "sapo.pt", "hotmail.com")),
)
LOCALE_BY_CODE = {profile.locale: profile for profile in LOCALES}
_BUSINESS_DOMAINS = ("co", "com", "io", "biz")


@dataclass(frozen=True, slots=True)
class Persona:
    """Someone the README's examples look for: the first people of every world are these."""

    given_name: str
    family_name: str
    gender: str
    town: str
    postcode: str
    email: str | None = None
    phone: str | None = None


# British, active consumers, so `searchCustomers(query: "bill smith bristol")` and
# "jane doe leeds" / "LS1 5AB doe" / "07911 123456" find someone in any demo world.
README_PERSONAS: tuple[Persona, ...] = (
    Persona("William", "Smith", "male", "Bristol", "BS8 1TH"),
    Persona("Jane", "Doe", "female", "Leeds", "LS1 5AB", "jane.doe@example.com", "+447911123456"),
)


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address of a person."""

    kind: str  # "billing" | "shipping" | "home"
    street: str
    city: str
    postcode: str
    region: str | None
    country: str  # ISO 3166 alpha-2


@dataclass(frozen=True, slots=True)
class Person:
    """One real-world customer: the truth every source system holds a version of."""

    key: int
    customer_id: str
    given_name: str
    family_name: str
    birth_date: date | None
    locale: str
    country: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    addresses: tuple[Address, ...]
    lifecycle_stage: str  # "prospect" | "active" | "past"
    segment: str  # "consumer" | "vip" | "small_business" | "enterprise"
    profile_type: str  # "person" | "business"
    loyalty_id: str | None
    created_at: datetime
    company_name: str | None = None
    gender: str | None = None  # "female" | "male": picks the first-name pool, nothing more


@dataclass(frozen=True, slots=True)
class SourceLink:
    """One crosswalk row: this external id of this system is this person."""

    system: str  # "odoo" | "hubspot" | "surveymonkey"
    external_id: str
    customer_id: str


@dataclass(frozen=True, slots=True)
class Product:
    """A sellable product of the ERP catalogue."""

    product_id: int
    default_code: str
    name: str
    category_id: int
    category: str  # full path, "All / Saleable / Audio"
    list_price: float


@dataclass(slots=True)
class World:
    """Everyone, the crosswalk, and which ordinal of each system is whose.

    Treat it as read-only: simulators keep their own mutable state (e.g. GDPR deletions).
    """

    seed: int
    now: datetime
    people: list[Person]
    links: list[SourceLink]
    products: tuple[Product, ...]
    odoo_members: tuple[int, ...]  # ERP ordinal -> person key
    hubspot_contacts: tuple[tuple[int, int], ...]  # CRM ordinal -> (person key, variant)
    survey_members: tuple[int, ...]  # SurveyMonkey contact ordinal -> person key
    zendesk_members: tuple[int, ...] = ()  # Zendesk end-user ordinal -> person key
    _zendesk_ordinal: dict[int, int] = field(default_factory=dict, repr=False)
    _odoo_ordinal: dict[int, int] = field(default_factory=dict, repr=False)
    _hubspot_ordinals: dict[int, tuple[int, ...]] = field(default_factory=dict, repr=False)
    _survey_ordinal: dict[int, int] = field(default_factory=dict, repr=False)
    _by_customer_id: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._odoo_ordinal = {key: n for n, key in enumerate(self.odoo_members)}
        grouped: dict[int, list[int]] = {}
        for n, (key, _variant) in enumerate(self.hubspot_contacts):
            grouped.setdefault(key, []).append(n)
        self._hubspot_ordinals = {key: tuple(ordinals) for key, ordinals in grouped.items()}
        self._survey_ordinal = {key: n for n, key in enumerate(self.survey_members)}
        self._zendesk_ordinal = {key: n for n, key in enumerate(self.zendesk_members)}
        self._by_customer_id = {person.customer_id: person.key for person in self.people}

    # -- lookups by person ---------------------------------------------------------------
    def person_by_customer_id(self, customer_id: str) -> Person | None:
        """The person with this master-store id, if any."""
        key = self._by_customer_id.get(customer_id)
        return None if key is None else self.people[key]

    def odoo_partner_id(self, key: int) -> int | None:
        """The ERP's `res.partner` id of this person's own record, if the ERP knows them."""
        ordinal = self._odoo_ordinal.get(key)
        return None if ordinal is None else ODOO_PARTNER_BASE + ordinal * ODOO_PARTNER_STRIDE

    def hubspot_contact_ids(self, key: int) -> tuple[str, ...]:
        """The CRM contact ids of this person (a second one is a duplicate)."""
        return tuple(str(HUBSPOT_CONTACT_BASE + n) for n in self._hubspot_ordinals.get(key, ()))

    def surveymonkey_contact_id(self, key: int) -> str | None:
        """The survey tool's contact id of this person, if they are in its address book."""
        ordinal = self._survey_ordinal.get(key)
        return None if ordinal is None else str(SURVEYMONKEY_CONTACT_BASE + ordinal)

    def zendesk_user_id(self, key: int) -> str | None:
        """The support desk's (Zendesk) user id of this person, if they ever wrote to it."""
        ordinal = self._zendesk_ordinal.get(key)
        return None if ordinal is None else str(ZENDESK_USER_BASE + ordinal)

    # -- lookups by external id ----------------------------------------------------------
    def odoo_partner(self, partner_id: int) -> tuple[Person, str] | None:
        """The person and role ("main", "invoice", ...) behind a `res.partner` id."""
        ordinal, role = divmod(partner_id - ODOO_PARTNER_BASE, ODOO_PARTNER_STRIDE)
        if partner_id < ODOO_PARTNER_BASE or ordinal >= len(self.odoo_members):
            return None
        return self.people[self.odoo_members[ordinal]], ODOO_ROLES[role]

    def hubspot_contact(self, contact_id: str) -> tuple[Person, int] | None:
        """The person and variant (0 primary, 1 duplicate) behind a CRM contact id."""
        ordinal = _ordinal(contact_id, HUBSPOT_CONTACT_BASE, len(self.hubspot_contacts))
        if ordinal is None:
            return None
        key, variant = self.hubspot_contacts[ordinal]
        return self.people[key], variant

    def surveymonkey_contact(self, contact_id: str) -> Person | None:
        """The person behind a survey-tool contact id."""
        ordinal = _ordinal(contact_id, SURVEYMONKEY_CONTACT_BASE, len(self.survey_members))
        return None if ordinal is None else self.people[self.survey_members[ordinal]]

    def zendesk_user(self, user_id: str) -> Person | None:
        """The person behind a Zendesk user id."""
        ordinal = _ordinal(user_id, ZENDESK_USER_BASE, len(self.zendesk_members))
        return None if ordinal is None else self.people[self.zendesk_members[ordinal]]

    def product(self, product_id: int) -> Product | None:
        """A catalogue product by id."""
        index = product_id - 1
        return self.products[index] if 0 <= index < len(self.products) else None


def _ordinal(external_id: str, base: int, size: int) -> int | None:
    if not external_id.isdigit():
        return None
    ordinal = int(external_id) - base
    return ordinal if 0 <= ordinal < size else None


def person_rng(world: World, key: int, purpose: str) -> random.Random:
    """A private RNG for one person and one purpose: lazy derivations stay deterministic.

    String seeds go through SHA-512 in `random`, so this does not depend on PYTHONHASHSEED.
    """
    return random.Random(f"{world.seed}:{key}:{purpose}")


# -- building ------------------------------------------------------------------------------


@dataclass(slots=True)
class _LocalePool:
    """Pre-drawn Faker values for one locale: sampling pools is ~50x cheaper than Faker calls."""

    profile: LocaleProfile
    female_names: list[str]
    male_names: list[str]
    family_names: list[str]
    streets: list[str]
    towns: tuple[Town, ...]
    companies: list[str]
    mobile_template: str
    landline_template: str


_CATALOGUE: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = (
    (
        "All / Saleable / Audio",
        (
            ("Wireless Headphones", 129.0),
            ("Bluetooth Speaker", 79.0),
            ("Noise-Cancelling Earbuds", 159.0),
            ("Soundbar 2.1", 249.0),
            ("Turntable", 199.0),
        ),
    ),
    (
        "All / Saleable / Computers",
        (
            ("13-inch Laptop", 999.0),
            ("27-inch Monitor", 329.0),
            ("Mechanical Keyboard", 109.0),
            ("Wireless Mouse", 39.0),
            ("USB-C Dock", 149.0),
        ),
    ),
    (
        "All / Saleable / Home & Kitchen",
        (
            ("Espresso Machine", 449.0),
            ("Cast-Iron Skillet", 49.0),
            ("Chef's Knife", 89.0),
            ("Blender", 119.0),
            ("Linen Bedding Set", 139.0),
        ),
    ),
    (
        "All / Saleable / Outdoor",
        (
            ("Trail Running Shoes", 129.0),
            ("Two-Person Tent", 229.0),
            ("Insulated Bottle", 29.0),
            ("Daypack 25L", 79.0),
            ("Rain Jacket", 159.0),
        ),
    ),
    (
        "All / Saleable / Office Supplies",
        (
            ("A4 Paper, 5 reams", 24.0),
            ("Ergonomic Chair", 389.0),
            ("Standing Desk", 549.0),
            ("Desk Lamp", 59.0),
            ("Label Printer", 99.0),
        ),
    ),
    (
        "All / Saleable / Services",
        (
            ("Extended Warranty, 2 years", 49.0),
            ("Installation Service", 89.0),
            ("Premium Support, 1 year", 199.0),
            ("Data Migration", 149.0),
        ),
    ),
    (
        "All / Saleable / Beauty",
        (
            ("Face Cream", 34.0),
            ("Hair Dryer", 89.0),
            ("Electric Toothbrush", 69.0),
            ("Perfume 50ml", 75.0),
        ),
    ),
)


def _catalogue() -> tuple[Product, ...]:
    products: list[Product] = []
    for category_id, (category, items) in enumerate(_CATALOGUE, start=10):
        for name, price in items:
            product_id = len(products) + 1
            code = f"{category.rsplit('/', 1)[-1].strip()[:3].upper()}-{product_id:04d}"
            products.append(Product(product_id, code, name, category_id, category, price))
    return tuple(products)


def _locale_pool(profile: LocaleProfile, seed: int, size: int) -> _LocalePool:
    fake = Faker(profile.locale)
    fake.seed_instance(f"{seed}:{profile.locale}")

    def draw(producer: object) -> list[str]:
        assert callable(producer)
        return [str(producer()) for _ in range(size)]

    return _LocalePool(
        profile=profile,
        female_names=draw(fake.first_name_female),
        male_names=draw(fake.first_name_male),
        family_names=draw(fake.last_name),
        # Some locales put a newline inside street_address ("Flat 5\nHigh Street").
        streets=[street.replace("\n", ", ") for street in draw(fake.street_address)],
        towns=TOWNS[profile.country],
        companies=draw(fake.company),
        mobile_template=_example_nsn(profile.country, phonenumbers.PhoneNumberType.MOBILE),
        landline_template=_example_nsn(profile.country, phonenumbers.PhoneNumberType.FIXED_LINE),
    )


def _example_nsn(region: str, kind: int) -> str:
    example = phonenumbers.example_number_for_type(region, kind)
    assert example is not None, region
    return phonenumbers.national_significant_number(example)


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _phone(rng: random.Random, country: str, template: str, taken: set[str]) -> str:
    """A valid E.164 number of `country`, shaped like the example number, unused so far.

    Randomising fewer trailing digits keeps more of the example's (valid) prefix, which some
    numbering plans (e.g. Italian landlines) need.
    """
    code = phonenumbers.country_code_for_region(country)
    for random_digits in (7, 6, 5, 4):
        keep = max(2, len(template) - random_digits)
        for _ in range(25):
            tail = "".join(str(rng.randrange(10)) for _ in range(len(template) - keep))
            digits = template[:keep] + tail
            e164 = f"+{code}{digits}"
            number = phonenumbers.PhoneNumber(
                country_code=code,
                national_number=int(digits),
                italian_leading_zero=digits.startswith("0") or None,
            )
            # The region-specific check is ~6x cheaper than parse() + is_valid_number().
            if e164 not in taken and phonenumbers.is_valid_number_for_region(number, country):
                taken.add(e164)
                return e164
    raise RuntimeError(f"could not draw a valid phone number for {country}")


def _email(rng: random.Random, given: str, family: str, domain: str, taken: set[str]) -> str:
    first, last = _ascii_slug(given) or "user", _ascii_slug(family) or "mail"
    shapes = (f"{first}.{last}", f"{first[0]}{last}", f"{first}{last}", f"{first}_{last}")
    local = rng.choice(shapes)
    candidate = f"{local}@{domain}"
    while candidate in taken:
        candidate = f"{local}{rng.randrange(1, 9999)}@{domain}"
    taken.add(candidate)
    return candidate


def _luhn_digit(digits: str) -> int:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def _loyalty_id(key: int, seed: int) -> str:
    # 7919 is prime and coprime with 10**9, so this is a bijection on keys: ids never collide.
    body = f"{(key * 7919 + seed) % 10**9:09d}"
    return f"LY{body}{_luhn_digit(body)}"


def _address(
    rng: random.Random, pool: _LocalePool, kind: str, persona: Persona | None = None
) -> Address:
    """A street of the locale in a real town of its country, with a postcode of that town."""
    street = pool.streets[rng.randrange(len(pool.streets))]
    if persona is not None:
        town = next(town for town in pool.towns if town.name == persona.town)
        code = persona.postcode
    else:
        town = pool.towns[rng.randrange(len(pool.towns))]
        code = postcode(rng, pool.profile.country, town)
    return Address(kind, street, town.name, code, town.region, pool.profile.country)


def _person(
    key: int,
    rng: random.Random,
    pool: _LocalePool,
    seed: int,
    now: datetime,
    emails_taken: set[str],
    phones_taken: set[str],
    persona: Persona | None = None,
) -> Person:
    profile = pool.profile
    gender = "female" if rng.random() < 0.5 else "male"
    names = pool.female_names if gender == "female" else pool.male_names
    given = rng.choice(names)
    family = rng.choice(pool.family_names)
    if persona is not None:
        gender, given, family = persona.gender, persona.given_name, persona.family_name

    roll = rng.random()
    company: str | None
    if persona is not None:
        profile_type, segment, company = "person", "consumer", None
    elif roll < 0.12:
        profile_type = "business"
        segment = "enterprise" if rng.random() < 0.25 else "small_business"
        company = rng.choice(pool.companies)
    else:
        profile_type = "person"
        segment = "vip" if roll > 0.94 else "consumer"
        company = None
    stage_roll = rng.random()
    lifecycle = "prospect" if stage_roll < 0.18 else ("past" if stage_roll > 0.80 else "active")
    if persona is not None:
        lifecycle = "active"

    emails: list[str] = []
    if persona is not None and persona.email:
        emails.append(persona.email)
        emails_taken.add(persona.email)
    if profile_type == "business" and company:
        slug = _ascii_slug(company)[:20] or "company"
        domain = f"{slug}.{rng.choice(_BUSINESS_DOMAINS)}"
        emails.append(_email(rng, given, family, domain, emails_taken))
    emails.append(_email(rng, given, family, rng.choice(profile.email_domains), emails_taken))
    if rng.random() < 0.25:
        emails.append(_email(rng, given, family, rng.choice(profile.email_domains), emails_taken))

    phones = [_phone(rng, profile.country, pool.mobile_template, phones_taken)]
    if persona is not None and persona.phone:
        phones = [persona.phone]
        phones_taken.add(persona.phone)
    if rng.random() < 0.3:
        phones.append(_phone(rng, profile.country, pool.landline_template, phones_taken))

    home = _address(rng, pool, "home", persona)
    addresses = [home]
    if lifecycle != "prospect":
        # Most bill to their home address: a billing address is listed only when it differs.
        if rng.random() < 0.2:
            addresses.append(_address(rng, pool, "billing"))
        if rng.random() < 0.25:
            addresses.append(_address(rng, pool, "shipping"))

    birth_date: date | None = None
    if profile_type == "person" and rng.random() < 0.85:
        birth_date = date(1942, 1, 1) + timedelta(days=rng.randrange(0, 365 * 64))
    created_at = (now - timedelta(seconds=rng.randrange(3 * 86400, 6 * 365 * 86400))).replace(
        microsecond=0
    )
    loyalty = _loyalty_id(key, seed) if profile_type == "person" and rng.random() < 0.4 else None
    return Person(
        key=key,
        customer_id=str(uuid.uuid5(_NAMESPACE, f"{seed}:{key}")),
        given_name=given,
        family_name=family,
        birth_date=birth_date,
        locale=profile.locale,
        country=profile.country,
        emails=tuple(emails),
        phones=tuple(phones),
        addresses=tuple(addresses),
        lifecycle_stage=lifecycle,
        segment=segment,
        profile_type=profile_type,
        loyalty_id=loyalty,
        created_at=created_at,
        company_name=company,
        gender=gender,
    )


def build_world(customers: int, seed: int = 360, *, now: datetime | None = None) -> World:
    """Build `customers` people and the crosswalk of the systems that know them.

    Deterministic for (customers, seed, now). The first people are `README_PERSONAS`; everyone
    lives in a real town of their country (`places.py`). Membership: nearly every customer
    with a purchase history is in the ERP, ~90% of people are in the CRM (2% of them twice),
    ~45% of ERP customers are in the survey tool's address book, and about half of the buyers
    (15% of prospects) have written to the support desk (Zendesk).
    """
    if customers < 0:
        raise ValueError("customers must be >= 0")
    now = now or WORLD_NOW
    rng = random.Random(f"world:{seed}")
    pool_size = max(50, min(600, customers // 20 + 50))
    pools = [_locale_pool(profile, seed, pool_size) for profile in LOCALES]
    weights = [profile.weight for profile in LOCALES]
    emails_taken: set[str] = set()
    phones_taken: set[str] = set()

    british = next(pool for pool in pools if pool.profile.locale == "en_GB")
    # The personas' own identifiers first, so no one drawn later takes them.
    emails_taken.update(p.email for p in README_PERSONAS if p.email)
    phones_taken.update(p.phone for p in README_PERSONAS if p.phone)

    people: list[Person] = []
    for key in range(customers):
        pool = rng.choices(pools, weights)[0]
        persona = README_PERSONAS[key] if key < len(README_PERSONAS) else None
        people.append(
            _person(
                key,
                rng,
                british if persona else pool,
                seed,
                now,
                emails_taken,
                phones_taken,
                persona,
            )
        )

    odoo_members: list[int] = []
    hubspot_contacts: list[tuple[int, int]] = []
    duplicates: list[tuple[int, int]] = []
    survey_members: list[int] = []
    for person in people:
        buys = person.lifecycle_stage != "prospect"
        if rng.random() < (0.97 if buys else 0.08):
            odoo_members.append(person.key)
            if buys and rng.random() < 0.45:
                survey_members.append(person.key)
        if rng.random() < 0.9:
            hubspot_contacts.append((person.key, 0))
            if rng.random() < 0.02:
                duplicates.append((person.key, 1))
    # Duplicates were created later in the CRM's life, so their ids come after all originals.
    hubspot_contacts.extend(duplicates)
    # The support desk draws from its own RNG, so adding it left every other system unchanged.
    desk_rng = random.Random(f"zendesk:{seed}")
    zendesk_members = [
        person.key
        for person in people
        if desk_rng.random() < (0.15 if person.lifecycle_stage == "prospect" else 0.5)
    ]

    world = World(
        seed=seed,
        now=now,
        people=people,
        links=[],
        products=_catalogue(),
        odoo_members=tuple(odoo_members),
        hubspot_contacts=tuple(hubspot_contacts),
        survey_members=tuple(survey_members),
        zendesk_members=tuple(zendesk_members),
    )
    world.links = _links(world)
    return world


def _links(world: World) -> list[SourceLink]:
    links: list[SourceLink] = []
    for person in world.people:
        partner_id = world.odoo_partner_id(person.key)
        if partner_id is not None:
            links.append(SourceLink("odoo", str(partner_id), person.customer_id))
        for contact_id in world.hubspot_contact_ids(person.key):
            links.append(SourceLink("hubspot", contact_id, person.customer_id))
        survey_contact = world.surveymonkey_contact_id(person.key)
        if survey_contact is not None:
            links.append(SourceLink("surveymonkey", survey_contact, person.customer_id))
        zendesk_user = world.zendesk_user_id(person.key)
        if zendesk_user is not None:
            links.append(SourceLink("zendesk", zendesk_user, person.customer_id))
    return links
