"""Real towns of each demo country, with postcodes that belong to them.

Faker's cities are invented ("North Andrewfort") and its postcodes are drawn apart from the town
and region, so a search for "smith bristol" could never mean anything. Each town here is real, in
its real region, with the postal-code prefixes (GB: districts) of that town; `postcode` fills in
the rest of the code in the country's format. The codes are well formed and in the right town,
though a given full code may not be a delivered one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Town:
    """A real town: its name, region (None where addresses do not carry one), postcode prefixes."""

    name: str
    region: str | None
    prefixes: tuple[str, ...]


def _towns(*rows: tuple[str, str | None, str]) -> tuple[Town, ...]:
    return tuple(Town(name, region, tuple(prefixes.split())) for name, region, prefixes in rows)


TOWNS: dict[str, tuple[Town, ...]] = {
    "GB": _towns(
        ("London", None, "E1 E2 N1 N7 NW1 NW3 SE1 SE15 SW1A SW4 W1 W2 EC1A WC1E"),
        ("Bristol", None, "BS1 BS2 BS3 BS5 BS6 BS7 BS8 BS16"),
        ("Leeds", None, "LS1 LS2 LS6 LS7 LS8 LS11"),
        ("Manchester", None, "M1 M2 M4 M13 M14 M20"),
        ("Birmingham", None, "B1 B5 B13 B15 B29"),
        ("Glasgow", None, "G1 G3 G11 G12 G41"),
        ("Edinburgh", None, "EH1 EH3 EH6 EH9 EH10"),
        ("Liverpool", None, "L1 L8 L15 L17 L18"),
        ("Sheffield", None, "S1 S7 S10 S11"),
        ("Cardiff", None, "CF10 CF11 CF14 CF24"),
        ("Newcastle upon Tyne", None, "NE1 NE2 NE4 NE6"),
        ("Nottingham", None, "NG1 NG5 NG7 NG9"),
        ("Brighton", None, "BN1 BN2"),
        ("Oxford", None, "OX1 OX2 OX4"),
        ("Cambridge", None, "CB1 CB2 CB4"),
        ("York", None, "YO1 YO10 YO24 YO31"),
        ("Bath", None, "BA1 BA2"),
        ("Norwich", None, "NR1 NR2 NR3"),
        ("Exeter", None, "EX1 EX2 EX4"),
        ("Belfast", None, "BT1 BT7 BT9"),
    ),
    "US": _towns(
        ("New York", "New York", "100 101 102"),
        ("Los Angeles", "California", "900 913"),
        ("San Francisco", "California", "941"),
        ("Chicago", "Illinois", "606"),
        ("Houston", "Texas", "770"),
        ("Austin", "Texas", "787"),
        ("Seattle", "Washington", "981"),
        ("Boston", "Massachusetts", "021"),
        ("Denver", "Colorado", "802"),
        ("Atlanta", "Georgia", "303"),
        ("Miami", "Florida", "331"),
        ("Phoenix", "Arizona", "850"),
        ("Philadelphia", "Pennsylvania", "191"),
        ("Portland", "Oregon", "972"),
        ("Minneapolis", "Minnesota", "554"),
        ("Nashville", "Tennessee", "372"),
    ),
    "DE": _towns(
        ("Berlin", "Berlin", "101 103 104 105 107 109 120 124"),
        ("Hamburg", "Hamburg", "200 203 204 205 221"),
        ("München", "Bayern", "803 806 807 809 813"),
        ("Köln", "Nordrhein-Westfalen", "506 507 509 510"),
        ("Frankfurt am Main", "Hessen", "603 604 605 659"),
        ("Stuttgart", "Baden-Württemberg", "701 703 704"),
        ("Düsseldorf", "Nordrhein-Westfalen", "402 404 405"),
        ("Leipzig", "Sachsen", "041 043"),
        ("Dresden", "Sachsen", "010 011 012"),
        ("Hannover", "Niedersachsen", "301 304 306"),
        ("Nürnberg", "Bayern", "904 905"),
        ("Bremen", "Bremen", "281 282 283"),
    ),
    "FR": _towns(
        ("Paris", None, "75001 75005 75011 75015 75018 75020"),
        ("Lyon", None, "69001 69003 69006 69007"),
        ("Marseille", None, "13001 13006 13008"),
        ("Toulouse", None, "31000 31200 31400"),
        ("Nice", None, "06000 06100 06200"),
        ("Nantes", None, "44000 44100 44300"),
        ("Strasbourg", None, "67000 67100 67200"),
        ("Montpellier", None, "34000 34070 34090"),
        ("Bordeaux", None, "33000 33100 33200 33300 33800"),
        ("Lille", None, "59000 59800"),
        ("Rennes", None, "35000 35200 35700"),
    ),
    "ES": _towns(
        ("Madrid", "Comunidad de Madrid", "280"),
        ("Barcelona", "Cataluña", "080"),
        ("Valencia", "Comunidad Valenciana", "460"),
        ("Sevilla", "Andalucía", "410"),
        ("Zaragoza", "Aragón", "500"),
        ("Málaga", "Andalucía", "290"),
        ("Bilbao", "País Vasco", "480"),
        ("Granada", "Andalucía", "180"),
    ),
    "IT": _towns(
        ("Roma", "Lazio", "001"),
        ("Milano", "Lombardia", "201"),
        ("Napoli", "Campania", "801"),
        ("Torino", "Piemonte", "101"),
        ("Bologna", "Emilia-Romagna", "401"),
        ("Firenze", "Toscana", "501"),
        ("Genova", "Liguria", "161"),
        ("Palermo", "Sicilia", "901"),
        ("Venezia", "Veneto", "301"),
    ),
    "NL": _towns(
        ("Amsterdam", "Noord-Holland", "101 102 105 106 107"),
        ("Rotterdam", "Zuid-Holland", "301 302 303 304"),
        ("Den Haag", "Zuid-Holland", "251 252 254 256"),
        ("Utrecht", "Utrecht", "351 352 353 356"),
        ("Eindhoven", "Noord-Brabant", "561 562 563"),
        ("Groningen", "Groningen", "971 972 973"),
    ),
    "IE": _towns(
        ("Dublin", "Dublin", "D01 D02 D04 D06 D08"),
        ("Cork", "Cork", "T12 T23"),
        ("Galway", "Galway", "H91"),
        ("Limerick", "Limerick", "V94"),
        ("Waterford", "Waterford", "X91"),
    ),
    "AT": _towns(
        ("Wien", "Wien", "1010 1020 1030 1040 1060 1070 1090 1100 1130"),
        ("Graz", "Steiermark", "8010 8020"),
        ("Linz", "Oberösterreich", "4020 4030"),
        ("Salzburg", "Salzburg", "5020"),
        ("Innsbruck", "Tirol", "6020"),
    ),
    "PT": _towns(
        ("Lisboa", None, "1000 1050 1100 1150 1200 1250"),
        ("Porto", None, "4000 4050 4100 4150 4200"),
        ("Braga", None, "4700 4710 4715"),
        ("Coimbra", None, "3000 3030"),
        ("Faro", None, "8000 8005"),
    ),
}
# The second half of a British postcode never uses these letters (Royal Mail's rule).
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_EIRCODE_CHARACTERS = "0123456789ACDEFHKNPRTVWXY"


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def postcode(rng: random.Random, country: str, town: Town) -> str:
    """A postcode of `town` in `country`'s format (GB "BS8 1TH", NL "1012 AB", PT "1000-123")."""
    prefix = rng.choice(town.prefixes)
    if country == "GB":
        return f"{prefix} {rng.randrange(1, 10)}{rng.choice(_INWARD_LETTERS)}" + rng.choice(
            _INWARD_LETTERS
        )
    if country == "IE":
        return f"{prefix} " + "".join(rng.choice(_EIRCODE_CHARACTERS) for _ in range(4))
    if country == "NL":
        letters = "".join(rng.choice("ABCDEGHJKLMNPRSTVWXZ") for _ in range(2))
        return f"{prefix}{_digits(rng, 1)} {letters}"
    if country == "PT":
        return f"{prefix}-{_digits(rng, 3)}"
    if country in ("FR", "AT"):
        return prefix
    # US ZIP codes and DE, ES, IT five-digit codes: the town's prefix, then digits.
    return f"{prefix}{_digits(rng, 5 - len(prefix))}"
