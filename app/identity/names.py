"""Person-name normalization: folding, titles and suffixes, nicknames, splitting a full name."""

from __future__ import annotations

from app.identity.nicknames import formal_given_name
from app.identity.text import fold

_TITLES = frozenset(
    "mr mrs ms miss mx dr prof sir dame lord lady rev fr herr frau m mme mlle sr sra srta".split()
)
_SUFFIXES = frozenset("jr jnr sr snr ii iii iv phd md esq".split())
# Lower-case particles that belong to the family name ("van der Berg", "de la Cruz").
_PARTICLES = frozenset("van von der den de del della di da du la le st dos das bin al".split())


def normalize_name(raw: str | None) -> str:
    """Fold a name part and drop titles and generational suffixes; "" when nothing is left."""
    if not raw:
        return ""
    tokens = [t for t in fold(raw).split() if t not in _TITLES and t not in _SUFFIXES]
    return " ".join(tokens)


def given_name_key(given: str) -> str:
    """The comparable given name: its first token in formal form ("Bill J." -> "william")."""
    first = given.split(" ", 1)[0] if given else ""
    return formal_given_name(first)


def split_full_name(raw: str | None) -> tuple[str, str]:
    """Split a full name into (given, family), both normalized; "" for a part that is absent.

    "Smith, John" puts the family name first; otherwise the last word is the family name,
    together with any particles before it ("Ludwig van Beethoven" -> family "van beethoven").
    Middle names stay with the given name.
    """
    if not raw:
        return "", ""
    if "," in raw:
        family, _, given = raw.partition(",")
        return normalize_name(given), normalize_name(family)
    # Split on spaces before folding so a hyphenated name ("Smith-Jones") stays one unit.
    tokens = [part for part in (normalize_name(token) for token in raw.split()) if part]
    if not tokens:
        return "", ""
    if len(tokens) == 1:
        return "", tokens[0]
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1] in _PARTICLES:
        start -= 1
    return " ".join(tokens[:start]), " ".join(tokens[start:])
