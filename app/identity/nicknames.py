"""A compact table of common English given-name nicknames and short forms -> the formal name.

Only unambiguous-enough forms are listed: a nickname that belongs to several formal names
(e.g. "al", "fran") maps to the most common one, and the comparator still gives partial credit
through Jaro-Winkler when the guess is wrong.
"""

from __future__ import annotations

_FORMAL_TO_NICKNAMES: dict[str, tuple[str, ...]] = {
    "abigail": ("abby", "abbie", "gail"),
    "alexander": ("alex", "alec", "sandy", "xander"),
    "alexandra": ("alexa", "sasha", "lexi"),
    "alfred": ("alf", "alfie", "fred"),
    "andrew": ("andy", "drew"),
    "anthony": ("tony", "ant"),
    "barbara": ("barb", "babs"),
    "benjamin": ("ben", "benny", "benji"),
    "catherine": ("cathy", "cath"),
    "charles": ("charlie", "chuck", "chas"),
    "charlotte": ("lottie", "charlie"),
    "christina": ("tina",),
    "christopher": ("chris", "kit", "topher"),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davy"),
    "deborah": ("debbie", "debra", "deb"),
    "dorothy": ("dot", "dottie", "dolly"),
    "edward": ("ed", "eddie", "ted", "ned"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "eliza", "libby", "bess", "elisabeth"),
    "eleanor": ("ellie", "nora", "elle"),
    "frederick": ("freddie", "freddy"),
    "gregory": ("greg",),
    "harold": ("harry", "hal"),
    "henry": ("hank",),
    "jacob": ("jake",),
    "james": ("jim", "jimmy", "jamie", "jas"),
    "jennifer": ("jen", "jenny", "jenn"),
    "john": ("jack", "johnny", "jon"),
    "jonathan": ("jonny", "nathan"),
    "joseph": ("joe", "joey", "jos"),
    "joshua": ("josh",),
    "katherine": ("kate", "kathy", "katie", "kat", "kay", "kitty", "kathryn", "katharine"),
    "kenneth": ("ken", "kenny"),
    "lawrence": ("larry", "laurie"),
    "leonard": ("leo", "len", "lenny"),
    "margaret": ("maggie", "meg", "peggy", "marge", "madge", "greta"),
    "matthew": ("matt", "matty"),
    "michael": ("mike", "mick", "mickey", "mikey"),
    "nicholas": ("nick", "nicky", "nico"),
    "patricia": ("pat", "patty", "trish", "tricia"),
    "patrick": ("paddy", "rick"),
    "peter": ("pete",),
    "philip": ("phil", "pip", "phillip"),
    "rebecca": ("becky", "becca", "beck"),
    "richard": ("rich", "richie", "dick", "rick", "ricky"),
    "robert": ("bob", "bobby", "rob", "robbie", "bert"),
    "ronald": ("ron", "ronnie"),
    "samantha": ("sam", "sammy"),
    "samuel": ("sammie",),
    "sarah": ("sally", "sara", "sadie"),
    "stephen": ("steve", "stevie", "steven"),
    "susan": ("sue", "susie", "suzy"),
    "theodore": ("theo", "teddy"),
    "thomas": ("tom", "tommy"),
    "timothy": ("tim", "timmy"),
    "victoria": ("vicky", "vicki", "tori"),
    "william": ("bill", "billy", "will", "willy", "liam"),
    "zachary": ("zach", "zack"),
}

NICKNAMES: dict[str, str] = {
    nickname: formal for formal, nicknames in _FORMAL_TO_NICKNAMES.items() for nickname in nicknames
}
"""Nickname or variant spelling (folded, lower-case) -> formal given name."""


def formal_given_name(name: str) -> str:
    """Return the formal form of a folded given name ("bill" -> "william"), or the name itself."""
    return NICKNAMES.get(name, name)
