"""What each system holds about a person, derived lazily from a per-person RNG.

Every function here is pure and deterministic for (world, person): simulators call them on
demand, so a 100,000-person world costs nothing until somebody asks about someone. Each system
gets its own version of the person (its own spelling, formatting, stale email), as real ones do.
Object ids encode their owner (`owner ordinal * 100 + n`), so any id can be resolved back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import phonenumbers

from simulators.acquisition import acquisition_of
from simulators.surveys import SURVEYS
from simulators.world import (
    HUBSPOT_CONTACT_BASE,
    LOCALE_BY_CODE,
    ODOO_PARTNER_BASE,
    ODOO_PARTNER_STRIDE,
    SURVEYMONKEY_CONTACT_BASE,
    Address,
    Person,
    Product,
    World,
    person_rng,
)

OBJECT_ID_BASE = 10_000_000
PER_OWNER = 100  # at most 99 objects of one kind per owner: ids stay decodable

HUBSPOT_OWNERS = ("41629571", "41629572", "41629573", "52817764", "52817765", "63004419")
_TERMS_PREPAY = "Immediate Payment"
_TERMS_POSTPAY = ("30 Days", "45 Days", "End of Following Month")


def object_id(owner_ordinal: int, index: int) -> int:
    """The id of the `index`-th object of one kind owned by the owner with this ordinal."""
    return OBJECT_ID_BASE + owner_ordinal * PER_OWNER + index + 1


def split_object_id(value: int) -> tuple[int, int]:
    """(owner ordinal, index) of an object id; negative ordinal if it is not one of ours."""
    ordinal, rest = divmod(value - OBJECT_ID_BASE - 1, PER_OWNER)
    return (ordinal, rest) if value > OBJECT_ID_BASE else (-1, 0)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = max(1, int((end - start).total_seconds()))
    return (start + timedelta(seconds=rng.randrange(span))).replace(microsecond=0)


def _typo(rng: random.Random, word: str) -> str:
    """One realistic keying slip: a dropped, doubled or swapped letter."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def _formatted_phone(rng: random.Random, e164: str) -> str:
    """A phone number as people type it into a form: E.164, international or national."""
    number = phonenumbers.parse(e164)
    style = rng.choices(
        (
            phonenumbers.PhoneNumberFormat.E164,
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
            phonenumbers.PhoneNumberFormat.NATIONAL,
        ),
        (3, 4, 3),
    )[0]
    return phonenumbers.format_number(number, style)


def _churned_at(world: World, person: Person, rng: random.Random) -> datetime:
    """When activity stops: now for active customers, 1-3 years ago for past ones."""
    if person.lifecycle_stage != "past":
        return world.now
    churn = world.now - timedelta(days=rng.randrange(365, 3 * 365))
    return max(churn, person.created_at + timedelta(days=30))


# -- ERP (Odoo) --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ErpProfile:
    """The ERP's `res.partner` version of a person (or their company)."""

    partner_id: int
    name: str
    is_company: bool
    contact_name: str | None  # for companies: the person, as a child contact
    email: str | None
    phone: str | None
    mobile: str | None
    address: Address
    invoice_address: Address | None
    delivery_address: Address | None
    lang: str
    ref: str | None
    payment_term: str | None
    customer_rank: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class OrderLineSpec:
    """One line of a sale order."""

    line_id: int
    product: Product
    quantity: int
    price_unit: float
    discount: float
    price_subtotal: float
    price_tax: float
    price_total: float


@dataclass(frozen=True, slots=True)
class InvoiceSpec:
    """The customer invoice (`account.move`, out_invoice) of an order."""

    move_id: int
    name: str
    state: str  # "draft" | "posted" | "cancel"
    payment_state: str  # "not_paid" | "partial" | "paid" | "in_payment"
    invoice_date: date
    due_date: date
    amount_untaxed: float
    amount_tax: float
    amount_total: float
    amount_residual: float
    currency: str
    origin: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class OrderSpec:
    """A `sale.order` with its lines and, once invoiced, its invoice."""

    order_id: int
    name: str
    partner_id: int
    ordered_at: datetime
    state: str  # "draft" | "sent" | "sale" | "cancel"
    currency: str
    lines: tuple[OrderLineSpec, ...]
    amount_untaxed: float
    amount_tax: float
    amount_total: float
    invoice_status: str  # "no" | "to invoice" | "invoiced"
    invoice: InvoiceSpec | None
    updated_at: datetime
    # UTM tracking (`source_id`, `campaign_id`): the first order carries the person's
    # acquisition source and campaign; repeat orders carry none.
    utm_source: str | None = None
    utm_campaign: str | None = None


def erp_profile(world: World, person: Person) -> ErpProfile | None:
    """How the ERP holds this person, or None if the ERP does not know them."""
    partner_id = world.odoo_partner_id(person.key)
    if partner_id is None:
        return None
    rng = person_rng(world, person.key, "odoo:profile")
    is_company = person.profile_type == "business" and person.company_name is not None
    full_name = f"{person.given_name} {person.family_name}"
    by_kind = {address.kind: address for address in person.addresses}
    home = by_kind["home"]
    billing = by_kind.get("billing")
    shipping = by_kind.get("shipping")
    email = None if rng.random() < 0.08 else person.emails[0]
    phone = _formatted_phone(rng, person.phones[1]) if len(person.phones) > 1 else None
    mobile = None if rng.random() < 0.15 else _formatted_phone(rng, person.phones[0])
    if is_company:
        terms = rng.choice(_TERMS_POSTPAY) if rng.random() < 0.8 else _TERMS_PREPAY
    else:
        terms = _TERMS_PREPAY if rng.random() < 0.9 else _TERMS_POSTPAY[0]
    created = person.created_at + timedelta(days=rng.randrange(0, 20))
    updated = _between(rng, created, world.now)
    return ErpProfile(
        partner_id=partner_id,
        name=person.company_name if is_company and person.company_name else full_name,
        is_company=is_company,
        contact_name=full_name if is_company else None,
        email=email,
        phone=phone,
        mobile=mobile,
        address=home,
        # Odoo keeps a separate invoice contact only when billing differs from the main address.
        invoice_address=billing if billing and billing.street != home.street else None,
        delivery_address=shipping,
        lang=person.locale,
        ref=person.loyalty_id,
        payment_term=None if rng.random() < 0.05 else terms,
        customer_rank=0 if person.lifecycle_stage == "prospect" else rng.randrange(1, 40),
        created_at=created,
        updated_at=updated,
    )


def erp_orders(world: World, person: Person) -> tuple[OrderSpec, ...]:
    """The person's sale orders, oldest first (none for prospects)."""
    partner_id = world.odoo_partner_id(person.key)
    if partner_id is None or person.lifecycle_stage == "prospect":
        return ()
    rng = person_rng(world, person.key, "odoo:orders")
    ordinal = (partner_id - ODOO_PARTNER_BASE) // ODOO_PARTNER_STRIDE
    profile = LOCALE_BY_CODE[person.locale]
    low, high = {
        "consumer": (1, 12),
        "vip": (8, 30),
        "small_business": (3, 20),
        "enterprise": (10, 40),
    }[person.segment]
    if person.lifecycle_stage == "past":
        low, high = 1, max(2, high // 4)
    count = rng.randint(low, high)
    end = _churned_at(world, person, rng)
    dates = sorted(_between(rng, person.created_at, end) for _ in range(count))
    business = person.profile_type == "business"
    acquired = acquisition_of(world, person)  # its own RNG: the draws here are unchanged
    orders: list[OrderSpec] = []
    for index, ordered_at in enumerate(dates):
        utm = acquired if index == 0 else None  # the first order carries the UTM tags
        order_id = object_id(ordinal, index)
        lines: list[OrderLineSpec] = []
        for line_index in range(rng.randint(1, 4)):
            product = rng.choice(world.products)
            quantity = rng.randint(1, 20 if business else 3)
            discount = (
                rng.choice((0.0, 0.0, 5.0, 10.0)) if business or person.segment == "vip" else 0.0
            )
            subtotal = round(product.list_price * quantity * (1 - discount / 100), 2)
            tax = round(subtotal * profile.vat_rate, 2)
            lines.append(
                OrderLineSpec(
                    line_id=order_id * PER_OWNER + line_index,
                    product=product,
                    quantity=quantity,
                    price_unit=product.list_price,
                    discount=discount,
                    price_subtotal=subtotal,
                    price_tax=tax,
                    price_total=round(subtotal + tax, 2),
                )
            )
        untaxed = round(sum(line.price_subtotal for line in lines), 2)
        tax_total = round(sum(line.price_tax for line in lines), 2)
        total = round(untaxed + tax_total, 2)
        age = world.now - ordered_at
        state = "sale"
        if rng.random() < 0.03:
            state = "cancel"
        elif age < timedelta(days=10) and rng.random() < 0.3:
            state = rng.choice(("draft", "sent"))
        name = f"S{order_id:08d}"
        invoice = None
        if state == "sale":
            invoice = _invoice(
                rng, world, order_id, name, ordered_at, untaxed, tax_total, total, profile.currency
            )
        updated = (
            invoice.updated_at if invoice else ordered_at + timedelta(minutes=rng.randrange(5, 600))
        )
        orders.append(
            OrderSpec(
                order_id=order_id,
                name=name,
                partner_id=partner_id,
                ordered_at=ordered_at,
                state=state,
                currency=profile.currency,
                lines=tuple(lines),
                amount_untaxed=untaxed,
                amount_tax=tax_total,
                amount_total=total,
                invoice_status="invoiced"
                if invoice
                else ("no" if state != "sale" else "to invoice"),
                invoice=invoice,
                updated_at=min(updated, world.now),
                utm_source=utm.source.replace("_", " ").title() if utm else None,
                utm_campaign=utm.campaign if utm else None,
            )
        )
    return tuple(orders)


def _invoice(
    rng: random.Random,
    world: World,
    order_id: int,
    origin: str,
    ordered_at: datetime,
    untaxed: float,
    tax: float,
    total: float,
    currency: str,
) -> InvoiceSpec:
    invoice_date = min((ordered_at + timedelta(days=rng.randrange(0, 3))).date(), world.now.date())
    due_date = invoice_date + timedelta(days=rng.choice((0, 0, 30, 45)))
    age_days = (world.now.date() - invoice_date).days
    if age_days > 60 or rng.random() < 0.7:
        payment_state, residual = "paid", 0.0
    elif rng.random() < 0.5:
        payment_state, residual = "partial", round(total * rng.choice((0.25, 0.5)), 2)
    else:
        payment_state, residual = "not_paid", total
    paid_at = datetime.combine(invoice_date, ordered_at.timetz()) + timedelta(
        days=rng.randrange(0, 40)
    )
    return InvoiceSpec(
        move_id=order_id,
        name=f"INV/{invoice_date.year}/{order_id:08d}",
        state="posted",
        payment_state=payment_state,
        invoice_date=invoice_date,
        due_date=due_date,
        amount_untaxed=untaxed,
        amount_tax=tax,
        amount_total=total,
        amount_residual=residual,
        currency=currency,
        origin=origin,
        updated_at=min(paid_at, world.now),
    )


# -- CRM (HubSpot) -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CrmProfile:
    """The CRM's contact record of a person (a duplicate has variant 1)."""

    contact_id: str
    variant: int
    firstname: str
    lastname: str
    email: str | None
    phone: str | None
    mobilephone: str | None
    company: str | None
    address: str | None
    city: str | None
    zip: str | None
    state: str | None
    country: str
    lifecyclestage: str
    owner_id: str | None
    date_of_birth: date | None
    email_delivered: int
    email_opens: int
    email_clicks: int
    last_open_at: datetime | None
    created_at: datetime
    updated_at: datetime
    # Original source (`hs_analytics_source`, drill-down 1) and when the contact became a
    # customer (`hs_lifecyclestage_customer_date`): the world's acquisition of the person.
    analytics_source: str | None = None
    analytics_source_data_1: str | None = None
    customer_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class TicketSpec:
    """A support ticket of a contact."""

    ticket_id: int
    subject: str
    content: str
    pipeline_stage: str  # HubSpot default pipeline: "1" new ... "4" closed
    priority: str  # "LOW" | "MEDIUM" | "HIGH"
    category: str
    created_at: datetime
    closed_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class EngagementSpec:
    """A call, email, note or meeting logged against a contact."""

    engagement_id: int
    kind: str  # "call" | "email" | "note" | "meeting"
    occurred_at: datetime
    title: str
    body: str
    direction: str | None  # "INBOUND" | "OUTBOUND" for calls and emails
    status: str | None
    duration_ms: int | None
    updated_at: datetime


_TICKET_SUBJECTS = (
    ("Order {order} arrived damaged", "PRODUCT_ISSUE"),
    ("Where is my order {order}?", "SHIPPING_ISSUE"),
    ("Refund request for order {order}", "BILLING_ISSUE"),
    ("Invoice shows the wrong VAT number", "BILLING_ISSUE"),
    ("Cannot log in to my account", "GENERAL_INQUIRY"),
    ("Please change my delivery address", "GENERAL_INQUIRY"),
    ("Product stopped working after two weeks", "PRODUCT_ISSUE"),
    ("Question about warranty terms", "GENERAL_INQUIRY"),
    ("Charged twice for one order", "BILLING_ISSUE"),
    ("Unsubscribe me from marketing emails", "GENERAL_INQUIRY"),
)
_CALL_TITLES = (
    "Follow-up call",
    "Onboarding call",
    "Renewal discussion",
    "Complaint call",
    "Order query",
)
_EMAIL_SUBJECTS = (
    "Your quote",
    "Re: delivery date",
    "Thanks for your order",
    "Re: invoice question",
    "Product recommendations for you",
    "Following up on our call",
)
_NOTES = (
    "Prefers to be contacted by email in the morning.",
    "Asked about bulk pricing; send the B2B price list.",
    "Unhappy with the last delivery; offered a 10% voucher.",
    "Interested in the premium support plan.",
    "Moved house recently; check the shipping address on the next order.",
    "Mentioned a competitor's offer; flag for retention.",
)
_MEETING_TITLES = (
    "Quarterly business review",
    "Product demo",
    "Contract renewal",
    "Kick-off meeting",
)
_LIFECYCLE_PROSPECT = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
)


def crm_profile(world: World, person: Person, contact_id: str, variant: int) -> CrmProfile:
    """How the CRM holds this person under `contact_id` (variant 1 is a later duplicate)."""
    rng = person_rng(world, person.key, f"hubspot:profile:{variant}")
    first, last = person.given_name, person.family_name
    if rng.random() < (0.3 if variant else 0.05):
        first = _typo(rng, first)
    if rng.random() < (0.2 if variant else 0.03):
        last = _typo(rng, last)
    if variant:
        # The duplicate came in through another channel, usually with another address.
        email: str | None = person.emails[-1] if len(person.emails) > 1 else None
    else:
        email = person.emails[0] if rng.random() < 0.85 else person.emails[-1]
    if email is None and rng.random() < 0.7:
        email = f"{email_local(person.emails[0])}.{rng.randrange(10, 99)}@outlook.com"
    phone = None if rng.random() < 0.25 else _formatted_phone(rng, person.phones[0])
    mobile = _formatted_phone(rng, person.phones[0]) if rng.random() < 0.2 else None
    home = person.addresses[0]
    keep_address = rng.random() < (0.4 if variant else 0.75)
    if person.lifecycle_stage == "prospect":
        stage = rng.choice(_LIFECYCLE_PROSPECT)
    elif person.lifecycle_stage == "active":
        stage = "evangelist" if person.segment == "vip" and rng.random() < 0.5 else "customer"
    else:
        stage = rng.choice(("customer", "other"))
    acquired = acquisition_of(world, person)  # its own RNG: the draws below are unchanged
    created = person.created_at + timedelta(days=rng.randrange(0, 400 if variant else 30))
    created = min(created, world.now - timedelta(days=1))
    tenure_days = max(1, (world.now - created).days)
    delivered = rng.randrange(0, min(400, tenure_days // 7 + 2))
    opens = int(delivered * rng.uniform(0.05, 0.6))
    clicks = int(opens * rng.uniform(0.0, 0.3))
    last_open = _between(rng, created, world.now) if opens else None
    return CrmProfile(
        contact_id=contact_id,
        variant=variant,
        firstname=first,
        lastname=last,
        email=email,
        phone=phone,
        mobilephone=mobile,
        company=person.company_name,
        address=home.street if keep_address else None,
        city=home.city if keep_address or rng.random() < 0.5 else None,
        zip=home.postcode if keep_address else None,
        state=home.region if keep_address else None,
        country=home.country,
        lifecyclestage=stage,
        owner_id=rng.choice(HUBSPOT_OWNERS)
        if person.profile_type == "business" or rng.random() < 0.3
        else None,
        date_of_birth=person.birth_date if rng.random() < 0.3 else None,
        email_delivered=delivered,
        email_opens=opens,
        email_clicks=clicks,
        last_open_at=last_open,
        created_at=created,
        updated_at=_between(rng, created, world.now),
        analytics_source=acquired.source if acquired else None,
        analytics_source_data_1=acquired.campaign if acquired else None,
        customer_since=acquired.acquired_at if acquired else None,
    )


def email_local(email: str) -> str:
    """The part of an address before the '@'."""
    return email.split("@", 1)[0]


def crm_tickets(
    world: World, person: Person, contact_ordinal: int, variant: int
) -> tuple[TicketSpec, ...]:
    """Support tickets logged against one CRM contact, oldest first."""
    rng = person_rng(world, person.key, f"hubspot:tickets:{variant}")
    high = {"prospect": 1, "active": 5, "past": 3}[person.lifecycle_stage]
    count = rng.randint(0, high if not variant else 1)
    end = _churned_at(world, person, rng)
    tickets: list[TicketSpec] = []
    for index, created in enumerate(
        sorted(_between(rng, person.created_at, end) for _ in range(count))
    ):
        subject, category = rng.choice(_TICKET_SUBJECTS)
        subject = subject.format(order=f"S{rng.randrange(10**7, 10**8)}")
        recent = world.now - created < timedelta(days=14)
        closed = not recent or rng.random() < 0.4
        closed_at = created + timedelta(hours=rng.randrange(1, 240)) if closed else None
        if closed_at is not None:
            closed_at = min(closed_at, world.now)
        tickets.append(
            TicketSpec(
                ticket_id=object_id(contact_ordinal, index),
                subject=subject,
                content=f"Customer wrote: {subject.lower()}. Please advise.",
                pipeline_stage="4" if closed else rng.choice(("1", "2", "3")),
                priority=rng.choices(("LOW", "MEDIUM", "HIGH"), (5, 4, 1))[0],
                category=category,
                created_at=created,
                closed_at=closed_at,
                updated_at=closed_at or created,
            )
        )
    return tuple(tickets)


def crm_engagements(
    world: World, person: Person, contact_ordinal: int, variant: int, kind: str
) -> tuple[EngagementSpec, ...]:
    """Calls, emails, notes or meetings (`kind`) of one CRM contact, oldest first."""
    rng = person_rng(world, person.key, f"hubspot:{kind}:{variant}")
    business = person.profile_type == "business"
    high = {"call": 6, "email": 12, "note": 4, "meeting": 5 if business else 1}[kind]
    count = rng.randint(0, high if not variant else 1)
    end = _churned_at(world, person, rng)
    moments = sorted(_between(rng, person.created_at, end) for _ in range(count))
    engagements: list[EngagementSpec] = []
    for index, moment in enumerate(moments):
        direction: str | None = None
        status: str | None = None
        duration: int | None = None
        if kind == "call":
            title, body = rng.choice(_CALL_TITLES), rng.choice(_NOTES)
            direction = rng.choice(("INBOUND", "OUTBOUND"))
            status = rng.choices(("COMPLETED", "NO_ANSWER", "BUSY"), (8, 2, 1))[0]
            duration = rng.randrange(30, 1800) * 1000 if status == "COMPLETED" else 0
        elif kind == "email":
            title = rng.choice(_EMAIL_SUBJECTS)
            body = f"Hello {person.given_name}, {title.lower()}."
            direction = rng.choice(("INCOMING_EMAIL", "EMAIL"))
            status = "SENT"
        elif kind == "note":
            title, body = "", rng.choice(_NOTES)
        else:
            title, body = rng.choice(_MEETING_TITLES), rng.choice(_NOTES)
            status = rng.choice(("COMPLETED", "SCHEDULED", "NO_SHOW"))
            duration = rng.choice((30, 45, 60)) * 60_000
        engagements.append(
            EngagementSpec(
                engagement_id=object_id(contact_ordinal, index),
                kind=kind,
                occurred_at=moment,
                title=title,
                body=body,
                direction=direction,
                status=status,
                duration_ms=duration,
                updated_at=moment,
            )
        )
    return tuple(engagements)


def hubspot_ordinal(contact_id: str) -> int:
    """The CRM ordinal of a contact id (ids are issued in ordinal order)."""
    return int(contact_id) - HUBSPOT_CONTACT_BASE


# -- Survey tool (SurveyMonkey) --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SurveyContactSpec:
    """The survey tool's address-book contact of a person."""

    contact_id: str
    first_name: str
    last_name: str
    email: str
    phone: str | None


@dataclass(frozen=True, slots=True)
class ResponseSpec:
    """One completed survey response with its scores by question id."""

    response_id: int
    survey_id: str
    collector_id: str
    collection_mode: str  # "email" | "weblink"
    contact_id: str | None
    email_address: str
    first_name: str
    last_name: str
    customer_id: str | None  # the custom variable the gateway's own invitations carry
    scores: tuple[tuple[str, int], ...]  # (question id, score)
    comment: str | None
    created_at: datetime
    modified_at: datetime
    total_time: int


_COMMENTS = {
    "high": ("Great service, fast delivery.", "Always helpful staff.", "Love the products!"),
    "mid": ("Fine overall, delivery could be faster.", "OK, but the website is confusing."),
    "low": ("Support took far too long to answer.", "Item arrived broken twice.", "Too expensive."),
}


def survey_contact(world: World, person: Person) -> SurveyContactSpec | None:
    """The survey tool's contact of this person, if any."""
    contact_id = world.surveymonkey_contact_id(person.key)
    if contact_id is None:
        return None
    rng = person_rng(world, person.key, "surveymonkey:contact")
    email = person.emails[0] if rng.random() < 0.7 else person.emails[-1]
    return SurveyContactSpec(
        contact_id=contact_id,
        first_name=person.given_name,
        last_name=person.family_name if rng.random() < 0.95 else _typo(rng, person.family_name),
        email=email,
        phone=person.phones[0] if rng.random() < 0.4 else None,
    )


def _score(rng: random.Random, person: Person, low: int, high: int) -> int:
    mood = {"active": 0.72, "past": 0.45, "prospect": 0.6}[person.lifecycle_stage]
    if person.segment == "vip":
        mood += 0.12
    value = rng.gauss(mood, 0.22)
    return max(low, min(high, round(low + value * (high - low))))


def survey_responses(world: World, person: Person) -> tuple[ResponseSpec, ...]:
    """Every completed response of this person across the account's surveys, oldest first."""
    contact = survey_contact(world, person)
    if contact is None:
        return ()
    rng = person_rng(world, person.key, "surveymonkey:responses")
    ordinal = int(contact.contact_id) - SURVEYMONKEY_CONTACT_BASE
    end = _churned_at(world, person, rng)
    plan: list[tuple[datetime, int]] = []
    for survey_index, high in enumerate((4, 3, 2)):
        plan.extend(
            (_between(rng, person.created_at, end), survey_index)
            for _ in range(rng.randint(0, high))
        )
    plan.sort()
    responses: list[ResponseSpec] = []
    for index, (created, survey_index) in enumerate(plan):
        survey = SURVEYS[survey_index]
        scores = tuple(
            (question.question_id, _score(rng, person, question.low, question.high))
            for question in survey.questions
        )
        first_share = (scores[0][1] - survey.questions[0].low) / (
            survey.questions[0].high - survey.questions[0].low
        )
        mood = "high" if first_share >= 0.8 else ("mid" if first_share >= 0.5 else "low")
        by_email = rng.random() < 0.65
        spent = rng.randrange(25, 400)
        responses.append(
            ResponseSpec(
                response_id=object_id(ordinal, index),
                survey_id=survey.survey_id,
                collector_id=survey.email_collector_id if by_email else survey.weblink_collector_id,
                collection_mode="email" if by_email else "weblink",
                contact_id=contact.contact_id if by_email else None,
                email_address=contact.email,
                first_name=contact.first_name if by_email else "",
                last_name=contact.last_name if by_email else "",
                customer_id=person.customer_id if by_email else None,
                scores=scores,
                comment=rng.choice(_COMMENTS[mood]) if rng.random() < 0.5 else None,
                created_at=created,
                modified_at=created + timedelta(seconds=spent),
                total_time=spent,
            )
        )
    return tuple(responses)
