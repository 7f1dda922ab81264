"""A few hundred real-looking organization names in several languages, and a librarian's
filing rule written independently of the package's, to check the package against.

The names mix names that begin with an article (The, La, Le, Les, El, Los, Las, L')
with names that begin with the same letters and no article ("Leadership", "Latino",
"Legal", "Lesbian", "Lost", "Elders", "Theatre"), accents, letters with strokes,
ligatures and lower case.
"""

from __future__ import annotations

import random
import unicodedata

ARTICLES = ("the", "la", "le", "les", "el", "los", "las")
ELIDED = ("l'", "l\u2019")
# Letters NFKD leaves whole, spelled as a librarian files them.
PLAIN = str.maketrans({"ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d",
                       "þ": "th"})

FIRST_WORDS = [
    # English, with the traps: an article's letters that begin another word.
    "The", "the", "Leadership", "Latino", "Legal", "Lesbian", "Lost", "Elders", "Theatre",
    "Lawyers", "Lemon", "Laton", "Elkhorn", "Lasallian", "Thermal", "Abundant", "Sierra",
    "Valley", "Central", "Community", "Fresno", "Tulare", "Kern", "Merced", "Madera",
    "Delano", "Huron", "Orange", "Porterville", "Visalia", "Zapata", "river",
    # Spanish
    "La", "El", "Los", "Las", "Asociación", "Comité", "Centro", "Fundación", "Alianza",
    "Mujeres", "Ñandú", "Órgano", "Unión", "Coalición", "Consejo", "Hermandad",
    # French
    "Le", "Les", "L'", "L\u2019", "Association", "Église", "école", "Collectif", "Maison",
    "Réseau", "Œuvre", "Comité",
    # German, Danish, Polish, Portuguese, Vietnamese
    "Bürgerinitiative", "Verein", "Ökologische", "Grüne", "Øresund", "Ærø", "Łódź",
    "Stowarzyszenie", "Associação", "Instituto", "Cộng", "Hội",
]
NOUNS = [
    "Amis de la Terre", "Amigos del Río", "Agua Limpia", "Arche", "Bee Collective",
    "Clean Water Fund", "Concilio", "Counsel for Justice", "Community Foundation",
    "Aid at Work", "Health Network", "Hills Water Group", "Circle", "of the Oppressed",
    "Nature Conservancy", "Raza Centro Legal", "Hermanas Unidas", "Grand Community Club",
    "Observatoire de l'Eau", "Wasser", "Miljø", "Energi", "Czysta Woda", "Água Limpa",
    "Đồng Việt", "Người Việt", "Sierra Fund", "Youth Center", "Farmworkers United",
    "Keepers", "Tenants Union", "Public Health Alliance", "de Agricultores", "Pro Agua",
    "des Eaux", "Unie", "Solidaire", "für Umwelt", "Vand", "Mutual Aid",
]


def names(count: int = 400, seed: int = 12) -> list[str]:
    """`count` distinct organization names, in no order."""
    rng = random.Random(seed)
    found: dict[str, None] = {}
    while len(found) < count:
        first, noun = rng.choice(FIRST_WORDS), rng.choice(NOUNS)
        name = f"{first}{noun}" if first.endswith(("'", "\u2019")) else f"{first} {noun}"
        found.setdefault(name, None)
    return list(found)


def librarian_key(name: str) -> str:
    """How a careful librarian files `name`: a leading article ignored only as a whole
    word (or elided, L'), and not when it is an acronym; then accents and case ignored."""
    words = name.split()
    acronym = len(words[0]) == 2 and words[0].isupper() and not name.isupper()  # LA: Los Angeles
    if len(words) > 1 and words[0].casefold() in ARTICLES and not acronym:
        words = words[1:]
    elif words[0][:2].casefold() in ELIDED and len(words[0]) > 2:
        words[0] = words[0][2:]
    decomposed = unicodedata.normalize("NFKD", " ".join(words))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.casefold().translate(PLAIN)


def filed(names_: list[str]) -> list[str]:
    """`names_` in a librarian's order."""
    return sorted(names_, key=lambda name: (librarian_key(name), name))
