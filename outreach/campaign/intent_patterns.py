"""The words a reply is read with: one pattern per idea (a yes to sign, a negation, a
condition, a withdrawal...), gathered from every language file in `languages/`.

Each language file says each idea in its own words (see `languages/README.md`); here every
language's words for an idea become one pattern, so the reader (`outreach.campaign.intent`)
needs no language detection and a sixth language is a data file. Patterns match `fold`ed
text, except the listing-name patterns, which keep the writer's own spelling.
"""

from __future__ import annotations

import re
import sys
import tomllib
import unicodedata
from collections.abc import Iterator
from functools import cache
from importlib import resources
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

from ahocorasick_rs import AhoCorasick


def fold(text: str) -> str:
    """Lower-case without accents, apostrophes unified: the form every pattern is written in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")


# A listing name runs to the end of its sentence; enclosing quotes and a final stop are
# trimmed later, so apostrophes inside names (Valley Children's, O'Brien) survive.
_NAME = r"(?P<name>[^\"“”«»„\n;!?]{2,150})"


# A literal shorter than this rules out too little to be worth looking for.
_SHORTEST_CLUE = 3


def _clues(items: Any) -> frozenset[str] | None:
    """Strings one of which every match of a parsed pattern contains (the longest such set
    found), or None when the pattern promises no string that long."""
    best: frozenset[str] | None = None

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and min(map(len, found)) >= _SHORTEST_CLUE and (
                best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    run: list[str] = []
    for op, argument in items:
        if op is sre.LITERAL:
            run.append(chr(argument))
            continue
        consider(frozenset({"".join(run)}) if run else None)
        run = []
        if op is sre.SUBPATTERN and not argument[1] & re.IGNORECASE:
            consider(_clues(argument[3]))
        elif op is sre.BRANCH:
            branches = [_clues(branch) for branch in argument[1]]
            if all(branches):
                consider(frozenset().union(*branches))  # type: ignore[arg-type]
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and argument[0] >= 1:
            consider(_clues(argument[2]))
        elif op is sre.ATOMIC_GROUP:
            consider(_clues(argument))
    consider(frozenset({"".join(run)}) if run else None)
    return best


class Idea:
    """An idea's patterns in every language, searched as if joined in one alternation.

    Joined, the hundreds of patterns of an idea like "sign" cost about a third of a
    millisecond a sentence, since `re` tries every one at every position. Almost every
    pattern needs some word of its own ("endorse", "count us"), so the words present are
    found first in one pass (Aho-Corasick), and only the patterns they allow are searched,
    one by one. The leftmost match wins, and at the same place the pattern listed first:
    what the alternation would find.
    """

    def __init__(self, patterns: list[str]) -> None:
        self.patterns = tuple(patterns)
        flags = re.MULTILINE  # sentences are also read joined a line each: ^ and $ are a line's
        parsed = [_parser.parse(pattern, flags) for pattern in patterns]
        for pattern, tree in zip(patterns, parsed, strict=True):
            if tree.getwidth()[0] == 0:
                raise ValueError(f"a pattern must match some text, not none at all: {pattern!r}")
        clues = [None if tree.state.flags & re.IGNORECASE else _clues(tree) for tree in parsed]
        self._compiled = [re.compile(pattern, flags) for pattern in patterns]
        self._always = frozenset(i for i, found in enumerate(clues) if found is None)
        words = sorted({word for found in clues if found for word in found})
        self._allowed_by = [frozenset(i for i, found in enumerate(clues) if found and word in found)
                            for word in words]
        self._words = AhoCorasick(words) if words else None

    def _candidates(self, text: str) -> list[re.Pattern[str]]:
        chosen = set(self._always)
        if self._words is not None:
            for word, _start, _end in self._words.find_matches_as_indexes(text, overlapping=True):
                chosen.update(self._allowed_by[word])
        return [self._compiled[i] for i in sorted(chosen)]

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self._leftmost(self._candidates(text), text, pos, endpos)

    @staticmethod
    def _leftmost(candidates: list[re.Pattern[str]], text: str, pos: int,
                  endpos: int) -> re.Match[str] | None:
        best: re.Match[str] | None = None
        for pattern in candidates:
            found = pattern.search(text, pos, endpos)
            if found is not None and (best is None or found.start() < best.start()):
                best = found
                if best.start() == pos:
                    break
        return best

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        for pattern in self._candidates(text):
            if (found := pattern.match(text, pos, endpos)) is not None:
                return found
        return None

    def finditer(self, text: str, pos: int = 0,
                 endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        # No pattern matches the empty string (checked above), so each match moves on.
        candidates = self._candidates(text)
        while (found := self._leftmost(candidates, text, pos, endpos)) is not None:
            yield found
            pos = found.end()

    def sub(self, replacement: str, text: str) -> str:
        """`text` with every match replaced by `replacement`, taken literally."""
        pieces: list[str] = []
        kept_from = 0
        for found in self.finditer(text):
            pieces += [text[kept_from:found.start()], replacement]
            kept_from = found.end()
        return "".join(pieces) + text[kept_from:]


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


def idea(key: str, *, section: str = "patterns") -> Idea:
    """One pattern for an idea, said in any language."""
    return Idea([_expand(p, lang) for lang in languages().values()
                 for p in lang.get(section, {}).get(key, [])])


def ideas(key: str) -> list[re.Pattern[str]]:
    """An idea's patterns one by one, for those with named groups."""
    return [re.compile(_expand(p, lang)) for lang in languages().values()
            for p in lang.get("patterns", {}).get(key, [])]


def fragment(key: str, *, raw: bool = False) -> str:
    """Every language's alternatives for one piece of a language-free pattern, as one group
    `(?:a|b|c)`: `[fragments]` (folded text), or `[raw_fragments]` (the writer's own text)."""
    section = "raw_fragments" if raw else "fragments"
    found = dict.fromkeys(f for lang in languages().values()
                          for f in lang.get(section, {}).get(key, []))
    return "(?:" + "|".join(found) + ")" if found else "(?!)"


def words(key: str) -> frozenset[str]:
    return frozenset(fold(w) for lang in languages().values()
                     for w in lang.get("words", {}).get(key, []))


def _spoken(key: str) -> re.Pattern[str]:
    """A mark spoken to dictation ("period", "virgule"), said between words."""
    said = sorted({w for lang in languages().values() for w in lang.get("words", {}).get(key, [])},
                  key=len, reverse=True)
    return re.compile(r"\s+(?:" + "|".join(map(re.escape, said)) + r")(?=\s|$)" if said
                      else r"(?!)", re.IGNORECASE)


def _shorthand() -> dict[str, str]:
    """Every language's text-speak and what it stands for, folded."""
    table: dict[str, str] = {}
    for code, lang in languages().items():
        for short, full in lang.get("shorthand", {}).items():
            short, full = fold(short), fold(full)
            if table.setdefault(short, full) != full:
                raise ValueError(f"{code}.toml: the shorthand {short!r} already stands for "
                                 f"{table[short]!r} in another language")
    return table


SHORTHAND = _shorthand()
_SHORTHAND_WORD = re.compile(
    r"(?<![\w'@./-])(?:" + "|".join(sorted(map(re.escape, SHORTHAND), key=len, reverse=True))
    + r")(?![\w'@/-])" if SHORTHAND else r"(?!)")


def written_out(folded: str) -> str:
    """Folded text with its text-speak written out: "acho q a gente assina" → "acho que a
    gente assina", "idk" → "i don't know"."""
    return _SHORTHAND_WORD.sub(lambda word: SHORTHAND[word.group(0)], folded)


DICTATED_STOP = _spoken("dictated_stop")
DICTATED_COMMA = _spoken("dictated_comma")
SIGN = idea("sign")
YES_WORD = idea("yes")
BARE_YES_FILLER = words("yes_filler")
KINDS_OF_GROUP = words("kinds_of_group")
ACKNOWLEDGEMENT = words("acknowledgement")
NO_WORDS = words("no_words")
# "name" and its forms ("the initials") in every language: a negation before the name on file
# that corrects it ("not 'Arvin Water Committee', that's our old name") disowns nothing.
NAME_NOUNS = words("name_nouns")
# "list", "lista", "Liste": with NAME_NOUNS, what a sentence about the listing says.
LIST_WORDS = words("list_words")
NO_FILLER = words("no_filler")
NEGATION = idea("negation")
CONDITION = idea("condition")
QUESTION = idea("question")
CHANGE = idea("change")
# A change the coalition already made ("you took our suggestion"): no change asked.
CHANGE_TAKEN = idea("change_taken")
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
RETRACT_ANYWHERE = idea("retract_anywhere")
MISTAKEN_YES = idea("mistaken_yes")
REFERRAL_WORDS = idea("referral")
INDIVIDUAL = idea("individual")
PERSONAL_OFFER = idea("personal_offer")
NAME_SPELLING_REQUEST = idea("name_spelling_request")
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
NAME_REQUEST = idea("name_request")
REPORTED = idea("reported")
CLARIFIED = idea("clarified")
HABITUAL = idea("habitual")
CONCESSIVE = idea("concessive")
SUPERSEDING = idea("superseding")
FOR_NOW = idea("for_now")
SO_THAT = idea("so_that")
ONLY_SUPPORT = idea("only_support")
ONLY_IF = idea("only_if")
NAME_ASKED = idea("name_asked")
MOVED_ON = idea("moved_on")
# The writer hands the contact over ("this is my last week; write to Tom from now on").
HANDS_OVER = idea("hands_over")
# The person asked has left and someone else answers in their place ("I'm using her email").
SOMEONE_ELSE = idea("someone_else")
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
# The writer says the decision is theirs ("it's my call", "c'est à moi").
MY_CALL = idea("my_call")
# The reply says the doubts below are over: "what Ernesto said below no longer applies".
SUPERSEDED = idea("superseded")
NO_NEED = idea("no_need")
# A question about the person asked, not the letter: "are you still the right person to ask
# about sign-ons at X?"; a yes typed under it confirms the contact.
CONTACT_QUESTION = idea("contact_question")


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
# A stop after a single letter ("e.V.", "J. Smith"; not the "t" of "can't."), a title ("St.
# Brigid's"), a day of the month ("am 20. Januar", "am 3. März") or a number's "No." ends no
# sentence.
SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!(?<!['’])\b[^\W\d]\.)(?<!\bS[tr]\.)(?<!\bM[rs]\.)(?<!\bDr\.)(?<!\bMrs\.)"
    r"(?<!\b\d\.)(?<!\b\d\d\.)"
    # nor the end of a chain of abbreviations ("Ev.-Luth. Gemeinde", "Röm.-Kath. Pfarrei")
    r"(?<!\.-[A-Z][a-z]\.)(?<!\.-[A-Z][a-z]{2}\.)(?<!\.-[A-Z][a-z]{3}\.)(?<!\.-[A-Z][a-z]{4}\.)"
    r"(?<!\bNo\.)\s+|(?<=\bNo\.)\s+(?![\d#])"  # "No. 14 Zaria Road" is an address
    # (one digit after a word in lower case: "noon to 3. If" ends, "Yes. 2. No" lists)
    r"|(?:(?<=[a-zà-ÿ] \d\.)|(?<=\b\d\d\.))\s+"
    rf"(?!{fragment('day_stop_month', raw=True)}\b|[a-zäöüß])"
    r"|\n+|;\s*"
    # a stop inside closing quotes, then a new sentence: 'not part of any "coalition." Remove me'
    r"|(?<=[.!?][\"”»])\s+(?=[¿¡(]?[A-ZÀ-Þ])"
    # an emoticon or an emoji ends a sentence too: "we're in :) lmk if ..."
    r"|(?<=[:;]\))\s+|(?<=[\U0001F300-\U0001FAFF\u2600-\u27BF])\s+")
# Where a yes was decided, not what it is to: "approved signing on at today's meeting".
WHERE_DECIDED = re.compile(rf"\b{fragment('decided_at')}\W+(\w+\W+){{0,3}}$")
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
NAME_BEFORE_EMAIL = re.compile(
    r"(?P<name>[A-ZÁÉÍÓÚÑÀ-Ý][\w'’-]+(?: [A-ZÁÉÍÓÚÑÀ-Ý][\w'’-]+){0,3})\s*[(<\[]?\s*$")
