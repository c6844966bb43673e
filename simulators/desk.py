"""What the support desk (Zendesk) holds about a person, derived lazily like `activity.py`.

A person the desk knows is an end user with the name and email they first wrote from; their
requested tickets and each ticket's comments (the request itself, agents' public replies and
private notes, the customer's answers) come from the person's own RNG, so any id resolves back:
ticket ids encode the user ordinal, comment ids the ticket id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from simulators.activity import _between, _churned_at, _formatted_phone
from simulators.world import ZENDESK_USER_BASE, Person, World, person_rng

TICKET_BASE = 100_000
TICKETS_PER_USER = 20  # ticket id = TICKET_BASE + ordinal * 20 + n
COMMENTS_PER_TICKET = 10  # comment id = ticket id * 10 + n
# The desk's agents: authors of replies and private notes (never anyone of the world).
AGENT_IDS = (36_000_000_001, 36_000_000_002, 36_000_000_003, 36_000_000_004)
API_AGENT = {"id": AGENT_IDS[0], "name": "C360 Integration", "email": "agent@c360.example"}

_SUBJECTS = (
    ("My parcel never arrived", "incident", "shipping"),
    ("Wrong item in my order", "incident", "order"),
    ("How do I return a product?", "question", "returns"),
    ("Refund not received yet", "problem", "billing"),
    ("Discount code does not work", "problem", "billing"),
    ("Change the delivery address of my order", "task", "order"),
    ("Is this product compatible with my device?", "question", "product"),
    ("Please delete my account", "task", "privacy"),
)
_REPLIES = (
    "Thanks for reaching out. I have looked into this for you.",
    "Sorry for the trouble. A replacement is on its way.",
    "I have issued the refund; it shows on your statement within 5 working days.",
    "Could you send us a photo of the label, please?",
)
_NOTES = (
    "Checked the carrier portal: parcel lost in transit.",
    "Customer called twice about this; escalate if no answer today.",
    "Refund approved by the team lead.",
)
_ANSWERS = ("Thank you, that solved it.", "Still waiting, any news?", "Here is the photo.")


@dataclass(frozen=True, slots=True)
class DeskUser:
    """An end user of the desk."""

    user_id: int
    name: str
    email: str
    phone: str | None
    locale: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DeskComment:
    """One comment of a ticket: the request, a reply, a private note or the customer's answer."""

    comment_id: int
    author_id: int
    body: str
    public: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DeskTicket:
    """A ticket requested by an end user, with its conversation."""

    ticket_id: int
    requester_id: int
    subject: str
    type: str  # "question" | "incident" | "problem" | "task"
    status: str  # "new" | "open" | "pending" | "hold" | "solved" | "closed"
    priority: str  # "low" | "normal" | "high" | "urgent"
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    comments: tuple[DeskComment, ...]

    @property
    def description(self) -> str:
        """Zendesk's description: the first comment's text."""
        return self.comments[0].body


def desk_user(world: World, person: Person, user_id: str) -> DeskUser:
    """How the desk holds this person (first email, maybe a phone typed by hand)."""
    rng = person_rng(world, person.key, "zendesk:user")
    created = _between(rng, person.created_at, world.now - timedelta(days=1))
    phone = _formatted_phone(rng, person.phones[0]) if rng.random() < 0.4 else None
    return DeskUser(
        user_id=int(user_id),
        name=f"{person.given_name} {person.family_name}",
        email=person.emails[0],
        phone=phone,
        locale=person.locale.replace("_", "-"),
        created_at=created,
        updated_at=_between(rng, created, world.now),
    )


def desk_tickets(world: World, person: Person, user_id: str) -> tuple[DeskTicket, ...]:
    """The tickets this person requested, oldest first."""
    rng = person_rng(world, person.key, "zendesk:tickets")
    ordinal = int(user_id) - ZENDESK_USER_BASE
    high = {"prospect": 1, "active": 6, "past": 3}[person.lifecycle_stage]
    end = _churned_at(world, person, rng)
    moments = sorted(_between(rng, person.created_at, end) for _ in range(rng.randint(0, high)))
    tickets: list[DeskTicket] = []
    for n, created in enumerate(moments):
        ticket_id = TICKET_BASE + ordinal * TICKETS_PER_USER + n
        subject, kind, tag = rng.choice(_SUBJECTS)
        recent = world.now - created < timedelta(days=10)
        status = rng.choice(("new", "open", "pending", "hold")) if recent else "closed"
        if not recent and rng.random() < 0.3:
            status = "solved"
        priority = rng.choices(("low", "normal", "high", "urgent"), (3, 6, 2, 1))[0]
        comments = [
            DeskComment(ticket_id * 10, int(user_id), f"{subject}. Please help.", True, created)
        ]
        moment = created
        for index in range(1, rng.randint(1, COMMENTS_PER_TICKET - 1)):
            moment = min(moment + timedelta(minutes=rng.randrange(5, 2 * 24 * 60)), world.now)
            role = rng.choices(("reply", "note", "answer"), (4, 2, 3))[0]
            author = int(user_id) if role == "answer" else rng.choice(AGENT_IDS)
            pool = {"reply": _REPLIES, "note": _NOTES, "answer": _ANSWERS}[role]
            comment = DeskComment(
                ticket_id * 10 + index, author, rng.choice(pool), role != "note", moment
            )
            comments.append(comment)
        tickets.append(
            DeskTicket(
                ticket_id=ticket_id,
                requester_id=int(user_id),
                subject=subject,
                type=kind,
                status=status,
                priority=priority,
                tags=(tag,),
                created_at=created,
                updated_at=moment,
                comments=tuple(comments),
            )
        )
    return tuple(tickets)


def split_ticket_id(ticket_id: int) -> tuple[int, int]:
    """(user ordinal, index) of a ticket id; a negative ordinal if it is not one of ours."""
    ordinal, index = divmod(ticket_id - TICKET_BASE, TICKETS_PER_USER)
    return (ordinal, index) if ticket_id >= TICKET_BASE else (-1, 0)
