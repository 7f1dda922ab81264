"""The words a reply is read with: one pattern per idea (a yes to sign, a negation, a
condition, a withdrawal...), gathered from every language file in `languages/`.

Each language file says each idea in its own words (see `languages/README.md`); here every
language's words for an idea become one pattern, so the reader (`outreach.campaign.intent`)
needs no language detection and a sixth language is a data file. Patterns match `fold`ed
text, except the listing-name patterns, which keep the writer's own spelling.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from importlib import resources
from typing import Any


def fold(text: str) -> str:
    """Lower-case without accents, apostrophes unified: the form every pattern is written in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")


# A listing name runs to the end of its sentence; enclosing quotes and a final stop are
# trimmed later, so apostrophes inside names (Valley Children's, O'Brien) survive.
_NAME = r"(?P<name>[^\"“”«»„\n;!?]{2,150})"


@cache
def languages() -> dict[str, dict[str, Any]]:
    """Every language file, by its code (`en`, `es`...)."""
    folder = resources.files("outreach.campaign").joinpath("languages")
    found: dict[str, dict[str, Any]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            with entry.open("rb") as handle:
                found[entry.name.removesuffix(".toml")] = tomllib.load(handle)
    return found


def _end() -> str:
    words = sorted({w for lang in languages().values() for w in lang["words"].get("end", [])},
                   key=len, reverse=True)
    return rf"(?=\W*$| (?:{'|'.join(re.escape(w) for w in words)})\b)"


def _expand(pattern: str, lang: dict[str, Any]) -> str:
    templates = lang.get("templates", {})
    for key, value in (("{letter}", templates.get("letter", r"(?!)")),
                       ("{lead}", templates.get("lead", r"(?!)")),
                       ("{end}", _end()), ("{name}", _NAME)):
        pattern = pattern.replace(key, value)
    return pattern


def idea(key: str, *, section: str = "patterns", flags: int = 0) -> re.Pattern[str]:
    """One pattern for an idea, said in any language."""
    parts = [_expand(p, lang) for lang in languages().values()
             for p in lang.get(section, {}).get(key, [])]
    # Sentences are read one by one and also joined a line each: ^ and $ are a line's.
    return re.compile("|".join(f"(?:{p})" for p in parts) or r"(?!)", flags | re.MULTILINE)


def ideas(key: str) -> list[re.Pattern[str]]:
    """An idea's patterns one by one, for those with named groups."""
    return [re.compile(_expand(p, lang)) for lang in languages().values()
            for p in lang.get("patterns", {}).get(key, [])]


def words(key: str) -> frozenset[str]:
    return frozenset(fold(w) for lang in languages().values()
                     for w in lang.get("words", {}).get(key, []))


SIGN = idea("sign")
YES_WORD = idea("yes")
BARE_YES_FILLER = words("yes_filler")
ACKNOWLEDGEMENT = words("acknowledgement")
NEGATION = idea("negation")
CONDITION = idea("condition")
QUESTION = idea("question")
CHANGE = idea("change")
APPROVAL = idea("approval")
MORE_TIME = idea("more_time")
LATER = idea("later")
DECLINE = idea("decline")
FAREWELL = idea("farewell")
UNSUBSCRIBE = idea("unsubscribe")
WITHDRAW = idea("withdraw")
REMOVE_US = idea("remove_us")
WITHDRAW_BY_REFUSAL = idea("withdraw_by_refusal")
RECONFIRM = idea("reconfirm")
DENIAL = idea("denial")
HEDGE = idea("hedge")
IRONY = idea("irony")
APOLOGY = idea("apology")
LATENESS = idea("lateness")
PURPOSE = idea("purpose")
FRESH = idea("fresh")
RETRACT = idea("retract")
REFERRAL_WORDS = idea("referral")
INDIVIDUAL = idea("individual")
NOT_FOR_ORGANIZATION = idea("not_for_organization")
ORGANIZATION = idea("organization")
OTHER_OBJECT = idea("other_object")
INSTRUCTION = idea("instruction")
VALEDICTION = idea("valediction")
ASK_QUESTION = idea("ask_question")
DOUBTING_QUESTION = idea("doubting_question")
THANKS = idea("thanks")
NEUTRAL = idea("neutral")
ACT = idea("act")
LETTER_REF = idea("letter_ref")
WE = idea("we")
WISH = idea("wish")
OTHERS = idea("others")
ALREADY = idea("already")
OTHER_ACT = idea("other_act")
PRESENCE = idea("presence")
NOT_AN_ACT = idea("not_an_act")
FOR_OTHERS = idea("for_others")
EMPHATIC_YES = idea("emphatic_yes")
EXACT_NAME = idea("exact_name")
REMOVAL_QUESTION = idea("removal_question")
NAME_ASKED = idea("name_asked")
MOVED_ON = idea("moved_on")
NOT_A_CONDITION = idea("not_a_condition")
ANSWERS_BELOW = idea("answers_below")
LETTER_OBJECT = idea("letter_object")
OTHER_LETTER = ideas("other_letter")
CONTRAST = idea("contrast")
RESERVATION = idea("reservation")
ADD_NAMED = ideas("add_named")
REMOVE_NAMED = ideas("remove_named")
PRONOUNS = words("pronouns")
FRAGMENT_WORDS = words("fragment_words")
CONJUNCTIONS = words("conjunctions")
ROLES = words("roles")
GENERIC_WORDS = words("generic_words")
CONFIRM_SIGNATURE = idea("confirm_signature")
NAME_FILLER = words("filler_before_name")


def _names(key: str) -> list[re.Pattern[str]]:
    return [re.compile(_expand(p, lang), re.IGNORECASE | re.MULTILINE)
            for lang in languages().values() for p in lang.get("names", {}).get(key, [])]


# A listing name said outright ("list us as ...", "Name: ..."), and an organization named
# as the subject of a yes ("<Org> signs on"), which is only a hint.
NAME_PATTERNS = _names("listing")
IMPLICIT_NAME_PATTERNS = _names("implicit")

# Language-free shapes: where clauses and sentences end, addresses.
# Starts only where a run of white space starts, so a long run is scanned once.
CLAUSE_END = re.compile(r"(?<!\s)\s*+(?:[,:–—]|(?<=\s)-+(?=\s))\s*+")
# A stop after a single letter ("e.V.", "J. Smith"), a title ("St. Brigid's"), a day of
# the month ("am 20. Januar") or a number's "No." ends no sentence.
SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\b\w\.)(?<!\bS[tr]\.)(?<!\bM[rs]\.)(?<!\bDr\.)(?<!\bMrs\.)(?<!\b\d\d\.)"
    r"(?<!\bNo\.)\s+|(?<=\bNo\.)\s+(?![\d#])"  # "No. 14 Zaria Road" is an address
    r"|(?<=\b\d\d\.)\s+(?!(?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober"
    r"|November|Dezember)\b|[a-zäöüß])|\n+|;\s*"
    # an emoticon or an emoji ends a sentence too: "we're in :) lmk if ..."
    r"|(?<=[:;]\))\s+|(?<=[\U0001F300-\U0001FAFF\u2600-\u27BF])\s+")
# Where a yes was decided, not what it is to: "approved signing on at today's meeting".
WHERE_DECIDED = re.compile(r"\b(at|during|after|following|lors( de)?|pendant|durante|bei|nach|auf"
                           r"|minutes of|ata d[ao]|acta d[ae]|proces-verbal d[eu]|protokoll d[e]r)"
                           r"\W+(\w+\W+){0,3}$")
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
NAME_BEFORE_EMAIL = re.compile(
    r"(?P<name>[A-ZÁÉÍÓÚÑÀ-Ý][\w'’-]+(?: [A-ZÁÉÍÓÚÑÀ-Ý][\w'’-]+){0,3})\s*[(<\[]?\s*$")
