"""The name a sign-on is listed under: said outright in the reply ("list us as ...",
"Name: ...", « sous le nom ... »), cleaned of the sentence around it, and checked against
the organization on file before it may reach the public page.

Without an explicit naming the organization on file is listed. A name that shares nothing
with it, looks like a misspelling of it, or reads like a piece of a sentence is a doubt
for a person to settle; so is a yes that names another organization ("Yes, Valley Food
Bank signs on" from the Valley Tenants Union).
"""

from __future__ import annotations

import difflib
import re

from outreach.campaign.intent_patterns import (
    EMAIL,
    EXACT_NAME,
    FRAGMENT_WORDS,
    IMPLICIT_NAME_PATTERNS,
    NAME_FILLER,
    NAME_PATTERNS,
    PRONOUNS,
    ROLES,
    fold,
    fragment,
    words,
)

OUR = words("our")


def listing_name(parts: list[str], organization: str | None, *,
                 name_lines: list[str] | None = None) -> tuple[str | None, str | None]:
    """The name to list and, when it may not go on the public page without a person
    looking, why. Only a name said outright counts ("list us as ...", "Name: ...", or a line
    that is only a name, written under the ask's "the name you'd like listed": `name_lines`);
    without one, the organization on file is listed (None here)."""
    unreadable: str | None = None
    fallback: tuple[str, str] | None = None  # a naming that reads like part of a sentence
    on_file: tuple[str, None] | None = None  # a naming of the organization on file
    if (picked := _chosen_by_place(parts)) is not None:
        # 'we are "X", but people know us as "SPRSI" or as "Y": use the last one'
        name = _clean_name(picked)
        if name is None or organization is None:
            return name, None if name is not None else "the reply picks a name it offered"
        return name, _fragment(name) or _unlike(name, organization)
    # "Please list as:" with the name on the line below it
    joined = [f"{part} {after}" if part.rstrip().endswith(":") else part
              for part, after in zip(parts, [*parts[1:], ""], strict=True)]
    for patterns, explicit in ((NAME_PATTERNS, True), (IMPLICIT_NAME_PATTERNS, False)):
        for part in joined if explicit else parts:
            for pattern in patterns:
                match = pattern.search(part)
                if match is not None and _NEGATED.search(part, 0, match.start()):
                    continue  # 'no pongan "SJV"', "don't list us as ...": not that name
                said = _within_quotes(part, match) if match else None
                # After "list us as": a comma then a word in lower case ends the name.
                name = _clean_name(_before_lowercase_clause(said) if explicit else said) \
                    if said is not None else None
                if explicit and match is not None and name is None and _quoted(part, match):
                    # 'put us down as "the folks who drink bottled water"': asked for, and
                    # not a name we may list without a person
                    unreadable = unreadable or _within_quotes(part, match).strip()
                # (not "La junta votó a favor el 20 de enero, así que la Organización ...
                # firma": a subject said with a clause before it is no name)
                if name is None or fold(name) in ROLES or (not explicit and (
                        _fragment(name) is not None or "," in (said or "")
                        or ":" in (said or ""))):
                    continue  # "We confirm we will sign" names no one
                if organization is not None and " " not in name and not name.isupper() \
                        and len(significant(organization)) > 1:
                    continue  # "firmar como Red": as a network, not under the name "Red"
                if organization is None:
                    return name, _fragment(name)
                if _same_name(name, organization):  # as written when said outright: accents
                    # (not shouted: "PLEASE LIST AS EAST ORANGE COVE ..." is the name on file;
                    # "Yes, X signs on. (please use that exact name)" is said outright)
                    shouted = name.isupper() and not organization.isupper()
                    outright = explicit or any(EXACT_NAME.search(fold(p)) for p in parts)
                    # (unless a later naming says another: 'salimos como "X", pero ese
                    # nombre ya no se usa. Por favor póngannos así: Y')
                    on_file = on_file or ((name if outright and not shouted else organization),
                                          None)
                    break  # (on to the next sentence: this one named the organization)
                part_of_a_sentence = _fragment(name)
                doubt = part_of_a_sentence or _unlike(name, organization)
                if explicit and match is not None and match["name"][-1:].isspace() \
                        and part[match.end("name"):].startswith(("!", "?")):
                    # "Eau Secours ! - Coalition ...": the name goes on past its "!".
                    doubt = doubt or f"the listing name {name!r} may be cut short"
                if explicit and part_of_a_sentence is not None and fallback is None:
                    # "Für die Liste: Bitte führen Sie uns unter unserem vollen Namen, „X“":
                    # what follows a colon is a sentence, and a later naming may say the name
                    fallback = name, part_of_a_sentence
                    continue
                if explicit:
                    return name, doubt
                if doubt is not None and "misspelling" in doubt \
                        and names_the_organization(name, organization):
                    return None, None  # "the Lindsey Council of Churches will sign": on file
                if doubt is not None or not names_the_organization(name, organization):
                    # "Yes, Valley Food Bank signs on" from the Valley Tenants Union
                    return None, f"the yes names {name!r}, not the organization on file"
                if any(EXACT_NAME.search(fold(p)) for p in parts):
                    return name, None  # "Yes, X signs on. (please use that exact name)"
    if on_file is not None:
        return on_file
    if fallback is not None:
        return fallback
    if unreadable is not None:
        return None, f"the reply asks to be listed as {unreadable!r}, which is not a name"
    for line in name_lines or []:
        # the name on file, and at most an acronym after it in parentheses:
        # "Central Valley Farmworker Health Collaborative (CVFHC)"
        name = _clean_name(line)
        bare = re.sub(r"\s*\([^()]{1,20}\)$", "", name or "")
        if name is not None and organization is not None and _same_name(bare, organization):
            return name, None
        # a choice between names offered, quoted: 'Simplement « Fondation Eau Partagée »'
        chosen = _CHOSEN.search(line)
        name = _clean_name(chosen.group(1)) if chosen else None
        if name is not None and organization is not None:
            return name, _fragment(name) or _unlike(name, organization)
    return None, None


_CHOSEN = re.compile(r"[«\"“]\s*([^«»\"“”\n]{2,150}?)\s*[»\"”]")
# A name picked by its place among those the reply offers: "use the last one", "usem o
# último", « prenez le premier », "nehmt den zweiten".
_BY_PLACE = re.compile(
    rf"(?i)\b{fragment('pick', raw=True)}\b[^.!?]{{0,20}}?\b"
    rf"(?P<place>{fragment('place', raw=True)})\b")
_PLACES = {**dict.fromkeys(words("first_place"), 0), **dict.fromkeys(words("second_place"), 1),
           **dict.fromkeys(words("last_place"), -1)}


def _chosen_by_place(parts: list[str]) -> str | None:
    """The quoted name a reply picks by its place among the names it offered before."""
    offered: list[str] = []
    for part in parts:
        pick = _BY_PLACE.search(part)
        if pick is not None and len(offered) >= 2:
            index = _PLACES.get(fold(pick["place"]).split()[-1])
            if index is not None and -len(offered) <= index < len(offered):
                return offered[index]
        offered.extend(found.group(1) for found in _CHOSEN.finditer(part))
    return None


def _quoted(part: str, match: re.Match[str]) -> bool:
    start = match.start("name")
    return bool(start) and part[start - 1] in _CLOSING


_NAME_TRIM = " \t,:;.\"'“”‘’«»„-–—*_"  # "*Name*": emphasis from an HTML mail
STOP_WORDS = words("name_stop_words")


# "The Sequoia County Bar Foundation, Inc.": a legal form may end a name.
LEGAL_FORMS = words("legal_forms")

_CLOSING = {'"': '"', "“": "”", "«": "»", "„": "“", "'": "'", "‘": "’"}


def _within_quotes(part: str, match: re.Match[str]) -> str:
    """A name opened by a quote ends at its closing quote: 'Cultiva La Salud' (not ...)."""
    raw, start = match["name"], match.start("name")
    opener = part[start - 1] if start else ""
    closer = _CLOSING.get(opener)
    if closer is None:
        return raw
    end = re.search(re.escape(closer) + r"(?!\w)", raw)
    return raw[:end.start()] if end else raw


_YES_BEFORE = re.compile(rf"(?i)^{fragment('yes_before_name', raw=True)}\b[\s,!:.-]+")
_NOT_IN_PARENTHESIS = re.compile(
    r"\s*\((?:[^()]*[\"“”'‘’][^()]*|"
    rf"{fragment('not_in_parenthesis', raw=True)}\b[^()]*)\)?[\s.]*$")
_REASON_IN_PARENTHESIS = re.compile(
    rf"\s*\([^()]*\b{fragment('reason_in_parenthesis', raw=True)}\b[^()]*\)?[\s.]*$")
_AS_ON_FILE = re.compile(rf"(?i)[\s,]+{fragment('as_on_file', raw=True)}\b.*$")
_REASON_AFTER_COMMA = re.compile(rf"(?i),\s*{fragment('reason_after_comma', raw=True)}\b.*$")
_PLEASE_AFTER = re.compile(rf"(?i)[\s,]+{fragment('please_after_name', raw=True)}\W*$")
_ABBREVIATED = re.compile(rf"\b{fragment('abbreviation', raw=True)}\.$")
_INITIALS = re.compile(r"(?:\b[A-Z]\.){2,}$")
_ARTICLE_FRAME = (rf"^(?:{fragment('article_before_name', raw=True)}\s+"
                  rf"|{fragment('elided_article', raw=True)})")
_ARTICLE = re.compile(_ARTICLE_FRAME)
_ARTICLE_ANY_CASE = re.compile(_ARTICLE_FRAME, re.IGNORECASE)


def _clean_name(raw: str) -> str | None:
    """The name without the sentence around it: quotes, a final stop, a parenthesis that
    tells us what not to write ("(no 'The')"), a trailing "please"."""
    name = _YES_BEFORE.sub("", raw.strip())
    # "So Westside Latino Parents Association signs": the sentence's "so", not the name's
    while (first := name.split(" ", 1))[0] and fold(first[0]) in NAME_FILLER and len(first) > 1 \
            and first[1][:1].isupper():
        name = first[1]
    name = _NOT_IN_PARENTHESIS.sub("", name)
    if name.count("(") > name.count(")"):
        name = name[:name.rindex("(")]
    # "(mudamos o nome porque ...)": a reason in parentheses, not a part of the name like
    # "(CPAL)" or "(a project of Sequoia Community Foundation)"
    name = _REASON_IN_PARENTHESIS.sub("", name)
    # "X same like you have it", "X, as you have it": the name on file, said again
    name = _AS_ON_FILE.sub("", name)
    # ", that's the name we use publicly": the reason, not the name
    name = _REASON_AFTER_COMMA.sub("", name)
    name = _PLEASE_AFTER.sub("", name)
    name = _SIGNS.sub("", name)  # "Name: a Sociedade Açoriana de Gustine assina."
    name = _TRAILING_SYMBOLS.sub("", name)  # "... Stockton (RIBS) 😊"

    # ("e.V.", "Inc.", and initials: "Mexicali, B.C.")
    abbreviated = _ABBREVIATED.search(name.rstrip()) or _INITIALS.search(name.rstrip())
    name = name.strip(_NAME_TRIM).strip() + ("." if abbreviated else "")  # "e.V." keeps its dot
    # "la Unión Popular ... firma", "l'Association ... signe": the article is not the name.
    # (a capitalised article belongs to the name, "Les Jardins Partagés", unless all shouts)
    name = (_ARTICLE_ANY_CASE if name.isupper() else _ARTICLE).sub("", name)
    letter = next((c for c in name if c.isalpha()), "")
    if not (2 <= len(name) <= 150) or EMAIL.search(name) or not (letter.isupper()
                                                                 or name[0].isdigit()):
        return None
    words = fold(name).split()
    if fold(name) in PRONOUNS or (len(words) <= 2 and words[0] in OUR):
        return None  # "our organization", not "Our Lady of Guadalupe Parish"
    return name


_TRAILING_SYMBOLS = re.compile(r"[\s\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]+$")
# A naming said in the negative, right before the name: 'no pongan "SJV"'.
_NEGATED = re.compile(rf"(?i)\b{fragment('naming_not', raw=True)}(?:\s+\w+){{0,2}}\s*\W*$")
# The verb after a name said as a sentence: "... de Gustine assina", "X signs on".
_SIGNS = re.compile(rf"(?i)\s+{fragment('signs', raw=True)}\W*$")
# "coloquem como Centro Comunitário Sacramento na lista": where the name goes, not the name.
_ON_THE_LIST = re.compile(rf"(?i)\s+{fragment('on_the_list', raw=True)}\b.*$")


# "X rather than the network's name": the name asked for, not the one it replaces.
_INSTEAD = re.compile(rf"(?i)\s+{fragment('instead', raw=True)}\b.*$")


_REASON_AFTER_NAME = re.compile(
    rf"\s+{fragment('reason', raw=True)}\s+(?=[^\W\d_]*[a-zà-ÿ])"
    r"|(?<!\b[A-Za-z])(?<!\bInc)(?<!\bLtd)(?<!\bCo)(?<!\bCorp)(?<!\bJr)(?<!\bSt)"
    rf"\.\s+(?={fragment('sentence_opener', raw=True)}\b)")


_DICTATED_CLOSING = re.compile(
    rf"\s+{fragment('closing', raw=True)}\b(?=[^A-Z]*$|\s+[A-Z][a-z])")


# "X - we changed our name in October": a dash, then the sentence goes on
# ("... Clinic - singular, that's the legal name": a word in lower case and a comma after a
# dash, or any word in lower case after a typed "--": "X -- full name, no Inc"; a name's own
# part after a dash may be in lower case, "Ligue des droits et libertés - section de Québec";
# a spaced colon, then lower case: "X : il existe un réseau homonyme")
_CLAUSE_AFTER_NAME = re.compile(
    rf"\s+[-–—]+\s+(?={fragment('clause_opener', raw=True)}\b"
    rf"|{fragment('correction_not', raw=True)}\b|[a-zà-ÿ][\w'’]*,)"
    r"|\s+--\s+(?=[a-zà-ÿ])|\s+:\s+(?=[a-zà-ÿ])")


def _before_lowercase_clause(name: str) -> str:
    """A name said outright, without what follows it in its sentence: where it goes ("...
    na lista"), or a comma then a word in lower case, which starts the sentence again
    ("Parroquia San José Obrero, Mendota, para que no nos confundan ..."; a place after a
    comma is capitalised, and a legal form may stay: ", e.V.", ", inc")."""
    name = _INSTEAD.sub("", _ON_THE_LIST.sub("", name))
    name = _CLAUSE_AFTER_NAME.split(name, maxsplit=1)[0]
    for comma in re.finditer(r",\s+(?P<word>[^\W\d_][\w'’]*)(?P<dot>\.?)", name):
        word = comma["word"]
        if word.islower() and not comma["dot"] and fold(word) not in LEGAL_FORMS:
            return name[:comma.start()]
    # "X (MHEP) so people recognize the acronym", "X. That's how we appear in public":
    # the reason, or the next sentence, after the name; and a dictated name's sign-off
    # ("list us as VLEA thanks Maria talk soon", all in lower case but the name)
    return _DICTATED_CLOSING.split(_REASON_AFTER_NAME.split(name, maxsplit=1)[0],
                                   maxsplit=1)[0]


def significant(name: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", fold(name)) if w not in STOP_WORDS]


def _same_name(name: str, organization: str) -> bool:
    return re.findall(r"[a-z0-9]+", fold(name)) == re.findall(r"[a-z0-9]+", fold(organization))


def names_the_organization(said: str, organization: str) -> bool:
    """Whether the organization a yes names is the one on file: most of its words are there
    ("Así que sí, el Comité Vecinal de Tooleville"), or it is its acronym ("WEAP")."""
    on_file = significant(organization)
    named = significant(said)
    # ("ST ANNES" for St. Anne's Parish: the words as typed without the apostrophe)
    unapostrophed = {*on_file, *significant(re.sub(r"['’]", "", organization))}
    if on_file and (sum(w in named for w in on_file) * 2 >= len(on_file)
                    or (named and all(w in unapostrophed for w in named))):  # "The League signs"
        return True
    initials = "".join(w[0] for w in on_file)
    every_initial = "".join(w[0] for w in re.findall(r"[a-z0-9]+", fold(organization)))
    return any((len(w) >= 2 and w == initials) or (len(w) >= 3 and _within(w, every_initial))
               for w in named)  # "WEAP"; "COS" for "College of the Sequoias"


def _within(letters: str, initials: str) -> bool:
    """Whether `letters` are some of `initials`, in order."""
    rest = iter(initials)
    return all(letter in rest for letter in letters)


def _fragment(name: str) -> str | None:
    """Why `name` reads as a piece of a sentence rather than a name, if it does."""
    # (an acronym in parentheses is no words of a sentence: "... de Gustine (I.E.S.G.)")
    words = re.findall(r"[a-z']+", fold(re.sub(r"\((?:[A-Z0-9&]\.?\s?){2,12}\)", " ", name)))
    long_words = [w for w in re.findall(r"[^\W\d_]{3,}", name)]
    if long_words and sum(w[0].isupper() for w in long_words) * 3 >= len(long_words) * 2:
        words = words[1:]  # "Our Lady of Guadalupe Parish": capitalised, a name throughout
    if len(words) > 14 or (words and (words[0] in PRONOUNS or words[-1] in PRONOUNS
                                      or (words[-1] in STOP_WORDS
                                          and words[-1] not in LEGAL_FORMS))) \
            or any(w in FRAGMENT_WORDS for w in words):
        return f"the listing name {name!r} reads like part of a sentence"
    return None


def _word_of(word: str, known: str) -> bool:
    """Whether `word` is `known`, a compound built on it or an inflection of it
    ("Wasserbündnis" and "Bündnis", "Leipzig" and "Leipziger")."""
    if word == known:
        return True
    if min(len(word), len(known)) < 4:
        return False
    shared = next((i for i, (a, b) in enumerate(zip(word, known, strict=False)) if a != b),
                  min(len(word), len(known)))
    return word in known or known in word or shared >= 5


def _unlike(name: str, organization: str) -> str | None:
    """Why `name` may not be the organization on file: it shares nothing with it, or it
    looks like a misspelling of it."""
    named, on_file = significant(name), set(significant(organization))
    # Words in parentheses are an alias ("(Padres en Acción)", "(ALAT)"), not a spelling.
    spelled = significant(re.sub(r"\([^()]*\)", " ", name))
    initials = "".join(w[0] for w in significant(organization))
    acronyms = {w for w in named if len(w) >= 2 and w in initials}
    if not any(_word_of(w, known) for w in named for known in on_file) and not acronyms \
            and not names_the_organization(name, organization) \
            and not names_the_organization(organization, name):  # "CQEP" on file, written out
        return f"the listing name {name!r} shares nothing with {organization!r} on file"
    # A misspelling: every word is the organization's or nearly one of them, and some are
    # only nearly ("Kern Rvr Vally" for "Kern River Valley"); new words make a new name.
    # (a word that begins another is a form of it, "Ambiental" of "Ambientalista")
    near = [w for w in spelled if w not in on_file and w not in acronyms and len(w) >= 3
            and w.rstrip("s") not in on_file and f"{w}s" not in on_file
            and any(difflib.SequenceMatcher(None, w, known).ratio() >= 0.75
                    and not known.startswith(w) and not w.startswith(known)
                    for known in on_file)]
    if near and all(w in on_file or w in near or len(w) < 3 or w.rstrip("s") in on_file
                    or f"{w}s" in on_file for w in spelled):
        return f"the listing name {name!r} looks like a misspelling of {organization!r}"
    return None
