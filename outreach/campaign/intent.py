"""What a person meant by their reply to an ask: sign on, decline, a question, and so on.

Consent is the rule here: `sign_on` is returned only for an unconditional yes by the
organization to this letter, and only when nothing else in the reply asks for a change,
an approval, more time, or says no. Anything less certain goes to a person (the review
queue), never to the signer list. Rules, not statistics, so every decision can be shown
with the sentence that made it (`Understanding.evidence`, and `signals` for the doubts).

The reply is read by sentence and clause. For each, the reader asks:

- who acts: the writer ("we", "I"), the organization (by name, or as "the board"), or
  someone else ("several of our partners signed the letter" is no yes);
- what act: a yes word, or an act on the letter (sign, endorse, join, add or list us),
  said plainly or formally ("the Board voted to endorse the coalition letter");
- its polarity: negated ("le conseil a décidé de ne pas signer": a no), or taken back by
  a later clause ("Sí, firmamos. Corrección: ...");
- its modality and conditions: a wish or a plan ("we'd like to sign, but"), a hedge or a
  condition in the yes's own sentence ("if", "once", "probably") sends it to a person; a
  side question ("do you need our logo?") does not, a question about what signing
  commits the organization to does;
- what the yes answers: written inline under a quoted question that is not the ask ("> Can
  you join the call?" / "Yes, count me in"), or followed by what it is to ("Yes! Happy to
  share it"), it is no yes to the letter.

The name to list (`listing_name.py`) comes only from an explicit naming ("list us as …",
"Name: …") and is checked against the organization on file; without one, the
organization on file is listed.

A signer answering a change or reissue notice may `withdraw` (take their name off the
letter, opt out of the reissue) or `reconfirm` (keep their name on the new text: confirm,
keep, still). Both are held to the same rule, clause by clause: negated, conditional,
hedged, asked, taken back or aimed at something else, they decide nothing; a reply that
both withdraws and keeps (or says yes) is contradictory and goes to a person. A plain yes
stays `sign_on`, which the caller reads as a reconfirmation from a current signer; what
depends on whether the writer signed is `Understanding.intent_for`.

The words are those of every file in `languages/` (English, Spanish, French, Portuguese
and German today), read by `intent_patterns`; text is matched case- and
accent-insensitively, and the evidence keeps the writer's own words.
"""

from __future__ import annotations

import bisect
import difflib
import enum
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from outreach.campaign.intent_patterns import (
    ACKNOWLEDGEMENT,
    ACT,
    ADD_NAMED,
    ALREADY,
    ANSWERS_BELOW,
    APOLOGY,
    APPROVAL,
    ASK_QUESTION,
    BARE_YES_FILLER,
    CHANGE,
    CHANGE_TAKEN,
    CLARIFIED,
    CLAUSE_END,
    CONCESSIVE,
    CONDITION,
    CONFIRM_SIGNATURE,
    CONJUNCTIONS,
    CONTACT_QUESTION,
    CONTRAST,
    DECLINE,
    DENIAL,
    DICTATED_COMMA,
    DICTATED_STOP,
    DOUBTING_QUESTION,
    EMAIL,
    EMPHATIC_YES,
    FAREWELL,
    FOR_NOW,
    FOR_OTHERS,
    FRESH,
    GENERIC_WORDS,
    HABITUAL,
    HANDS_OVER,
    HEDGE,
    INDIVIDUAL,
    INSTRUCTION,
    IRONY,
    KINDS_OF_GROUP,
    LATENESS,
    LATER,
    LETTER_OBJECT,
    LETTER_REF,
    LIST_WORDS,
    MISTAKEN_YES,
    MORE_TIME,
    MOVED_ON,
    MY_CALL,
    NAME_ASKED,
    NAME_BEFORE_EMAIL,
    NAME_NOUNS,
    NAME_PATTERNS,
    NAME_REQUEST,
    NAME_SPELLING_REQUEST,
    NEGATION,
    NEUTRAL,
    NO_FILLER,
    NO_NEED,
    NO_WORDS,
    NOT_A_CONDITION,
    NOT_AN_ACT,
    NOT_FOR_ORGANIZATION,
    ONLY_IF,
    ONLY_SUPPORT,
    ORGANIZATION,
    OTHER_ACT,
    OTHER_LETTER,
    OTHER_OBJECT,
    OTHERS,
    PERSONAL_OFFER,
    PRESENCE,
    PRONOUNS,
    PURPOSE,
    QUESTION,
    RECONFIRM,
    REFERRAL_WORDS,
    REMOVAL_QUESTION,
    REMOVE_NAMED,
    REMOVE_US,
    REPORTED,
    RESERVATION,
    RETRACT,
    RETRACT_ANYWHERE,
    ROLES,
    SENTENCE_END,
    SIGN,
    SO_THAT,
    SOMEONE_ELSE,
    SUPERSEDED,
    SUPERSEDING,
    THANKS,
    UNSUBSCRIBE,
    VALEDICTION,
    WE,
    WHERE_DECIDED,
    WISH,
    WITHDRAW,
    WITHDRAW_BY_REFUSAL,
    YES_WORD,
    Idea,
    fold,
    fragment,
    written_out,
)
from outreach.campaign.listing_name import (
    STOP_WORDS,
    listing_name,
    names_the_organization,
    significant,
)
from outreach.inbound.signature import is_name_line, writer_names
from outreach.inbound.visible import POSTSCRIPT, said_lines

CLASSIFIER_VERSION = "rules-24"
# The signal of a bare "please remove us": see `Understanding.intent_for`.
REMOVE_US_SIGNAL = "remove us"
# The signal of "take our name off and stop emailing me": a withdrawal that also unsubscribes.
ALSO_UNSUBSCRIBE = "and no more email"
# The signal of "we cannot endorse it": a withdrawal from a signer, a no from anyone else.
REFUSES = "refuses the letter"
# The signal for an answer from someone other than the person asked, said in the reply.
SOMEONE_ELSE_ANSWERS = "someone else answers for the person asked"
# The signal of "we confirm our signature": a yes to an ask, a reconfirmation to a notice.
CONFIRMS_SIGNATURE = "confirms signature"
# The signal of "list us as X, not Y": a yes to an ask under that name; from a signer, a
# correction of the name listed, which a person makes.
NAME_CORRECTED = "the name on file corrected"
# The most a reader reads of a reply's own words (replies written blind run to about 1,100
# characters): hostile text beyond it cannot make the rules take more than about a second.
READ_AT_MOST = 10_000


class Intent(enum.StrEnum):
    SIGN_ON = "sign_on"
    DECLINE = "decline"
    QUESTION = "question"
    CHANGE_REQUEST = "change_request"
    NEEDS_APPROVAL = "needs_approval"
    MORE_TIME = "more_time"
    REFERRAL = "referral"
    UNSUBSCRIBE = "unsubscribe"
    WITHDRAW = "withdraw"
    RECONFIRM = "reconfirm"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Referral:
    email: str
    name: str | None = None


@dataclass(frozen=True)
class Understanding:
    intent: Intent
    evidence: str | None = None
    signer_name: str | None = None
    signer_type: str | None = None  # "organization", "individual", or None when unclear
    referrals: tuple[Referral, ...] = ()
    signals: tuple[str, ...] = field(default=())
    version: str = CLASSIFIER_VERSION

    def intent_for(self, *, signer: bool) -> Intent:
        """What the reply asks of this person: "please remove us" (or "take our name off
        and stop emailing me") takes a signer off the letter, and anyone else off our mail;
        "we confirm our signature" keeps a signer on and signs anyone else on; "we cannot
        endorse it" takes a signer off and is a no from anyone else."""
        if self.intent == Intent.WITHDRAW and not signer and (
                REMOVE_US_SIGNAL in self.signals or ALSO_UNSUBSCRIBE in self.signals):
            return Intent.UNSUBSCRIBE
        if self.intent == Intent.WITHDRAW and not signer and REFUSES in self.signals:
            return Intent.DECLINE  # "we cannot endorse it", from someone who never signed
        if self.intent == Intent.RECONFIRM and not signer and CONFIRMS_SIGNATURE in self.signals:
            return Intent.SIGN_ON  # "we confirm our signature", answering the ask
        if self.intent == Intent.SIGN_ON and signer and NAME_CORRECTED in self.signals:
            return Intent.UNKNOWN  # a signer's "list us as X, not Y": the listing, by hand
        return self.intent


# "*sign lol autocorrect" under "yes we sing on!!": the writer's correction of a word above.
# "*sign", "*sign lol", "*Seville, no Sevilla jaja el corrector", "*us 🙄"
_CORRECTION = re.compile(
    rf"^[ \t]*\*[ \t]*(?P<word>[^\W\d_][\w'-]{{1,30}})[ \t]*\*?(?:,? "
    rf"{fragment('correction_not', raw=True)} [^\W\d_][\w'-]{{1,30}})?"
    rf"(?:[ \t]+\W*{fragment('correction_mark', raw=True)}\W*)*[ \t]*\W*$",
    re.MULTILINE | re.IGNORECASE)


def _corrected(text: str) -> str:
    """`text` with each starred correction line applied to the closest word of the line
    above it ("sing" becomes "sign") and the correction line itself left out."""
    kept: list[str] = []
    previous: int | None = None  # the last line with words, the one a correction corrects
    for line in text.split("\n"):
        match = _CORRECTION.match(line)
        if match is None or previous is None or len(kept[previous]) > 300:
            kept.append(line)
            if line.strip():
                previous = len(kept) - 1
            continue
        word = match["word"]
        candidates = [w for w in re.findall(r"[^\W\d_][\w'-]*", kept[previous])
                      if w.lower() != word.lower()]
        # (a short word is one letter off: "is" for "us")
        closest = difflib.get_close_matches(word.lower(), [w.lower() for w in candidates],
                                            n=1, cutoff=0.5 if len(word) <= 3 else 0.6)
        if not closest:
            kept.append(line)
            continue
        kept[previous] = re.sub(rf"\b{re.escape(closest[0])}\b", word, kept[previous], count=1,
                                flags=re.IGNORECASE)
    return "\n".join(kept)


# A long line broken mid-sentence by a client that wraps plain text: the next line goes on
# with it when it starts in lower case ("Si la respuesta es que no nos" / "compromete a nada
# de dinero, firmamos.") or the line ends on a word a name or a sentence cannot end on
# ("... como aparece en nuestro logo: Centro Latino de" / "Madera.").
_WRAP_WIDTH = 50
# (not "no", "nos": words of their own in other languages; nor a name's last "Inc", "e.V.")
_DANGLING = {w for w in STOP_WORDS if len(w) > 1} - {"no", "nos", "inc", "llc", "ev"}


def _unwrapped(text: str) -> str:
    lines = text.split("\n")
    kept = lines[:1]
    for line in lines[1:]:
        last = kept[-1].rstrip()
        words = last.split()
        # (not a name signed in lower case under it: "... when it drops" / "jaylen (he/him)")
        if len(last) >= _WRAP_WIDTH and line[:1].isalpha() and last[-1:] not in ".!?:;" \
                and ((line[:1].islower() and len(line.split()) >= 3)
                     or fold(words[-1]) in _DANGLING):
            kept[-1] = f"{last} {line}"
        else:
            kept.append(line)
    return "\n".join(kept)


def sentences(text: str) -> list[str]:
    """The sentences of `text`; a stop inside quotes ends none (« Ev. Kirchengemeinde »),
    nor does a line wrapped mid-sentence."""
    found: list[str] = []
    open_quote = False
    for piece in SENTENCE_END.split(_unwrapped(text)):
        if not (piece and piece.strip()):
            continue
        if open_quote and found and "\n" not in piece:
            found[-1] = f"{found[-1]} {piece.strip()}"
        else:
            found.append(piece.strip())
        open_quote = _quote_open(found[-1])
    return found


def _quote_open(sentence: str) -> bool:
    """Whether a typographic quote („…“, “…”, «…») is still open at the end of `sentence`."""
    if len(sentence) > 300:  # a quote left open by mistake joins no more than this
        return False
    opened: list[str] = []
    for char in sentence:
        if char in "„«" or (char == "“" and not (opened and opened[-1] == "„")):
            opened.append(char)
        elif (char in "“”»" or (char == '"' and opened[-1:] == ["„"])) and opened:
            opened.pop()  # („…" closed by a straight quote, as many keyboards type it)
    return bool(opened)


def _words(folded: str) -> list[str]:
    return re.findall(r"[a-z']+", folded)


_LIST_MARK = re.compile(r"\s*\(?(?:\d{1,2}|[a-h])[.)]\s+")
# One word said to the reader before the answer ("Maria - yes", "hi Tom, yes").
_VOCATIVE = re.compile(rf"\W*(?:{fragment('greeting')}\s+)?[^\W\d_]+\s*(?:[,:]|\s[-–—])\s*")


def _is_bare_yes(folded: str, org_words: set[str]) -> bool:
    """A yes and nothing else that says what it is to: "Yes!", "Yes, absolutely, and thank
    you for this", "Sí, con mucho gusto"."""
    listed = _LIST_MARK.match(folded)  # "1. Yes.", "b) Sí."
    folded = folded[listed.end():] if listed else folded
    said = folded
    vocative = _VOCATIVE.match(folded)  # "Maria - yes.", "Tom, yes!"
    if not YES_WORD.match(folded) and vocative is not None and not (
            NEGATION.search(vocative.group(0))
            or any(w in NO_WORDS for w in _words(vocative.group(0)))):
        said = folded[vocative.end():]
    start = YES_WORD.match(said)
    if start is None:
        return False
    clauses = [c for c in CLAUSE_END.split(said[start.end():]) if c.strip()]
    return all(THANKS.match(c) or SIGN.search(c)
               or all(w in BARE_YES_FILLER or w in org_words for w in _words(c))
               for c in clauses)


def _retracted_after(folded_parts: list[str], index: int) -> bool:
    return any(RETRACT.match(clause) for folded in folded_parts[index + 1:]
               for clause in CLAUSE_END.split(folded))


def _is_bare_no(folded_parts: list[str]) -> bool:
    """A no and nothing else ("No", "No thanks", "Nein, danke"), not under a quoted line."""
    said = [word for folded in folded_parts for word in _words(folded)]
    return any(word in NO_WORDS for word in said) and all(
        word in NO_WORDS or word in NO_FILLER for word in said)  # ("Leider nein", "Sorry, no")


_EXAMPLE = re.compile(r"[\"“«]([^\"“”«»\n]{3,200})[\"”»]")


def _drop_quoted_ask(parts: list[str], exclude: Iterable[str]) -> list[str]:
    """Sentences that repeat the ask (say, quoted without '>' markers) never count.

    A sentence of one or two words ("Yes", "WITHDRAW") is found somewhere in almost any ask
    or notice ("reply WITHDRAW by ..."), so it is dropped only when the ask has it as a
    sentence of its own; longer ones are dropped when they occur anywhere in the ask."""
    lines = [fold(e) for e in exclude]
    ask = re.sub(r"\s+", " ", " ".join(lines))
    if not ask:
        return parts
    own = {_bare(s) for s in sentences("\n".join(lines))}
    # The replies the ask suggests ("Yes, <Org> signs on."): written above the quoted ask,
    # they are the writer's own words.
    examples = {_bare(m) for m in _EXAMPLE.findall(ask)}
    kept = []
    quote_started = False
    for part in parts:
        folded = re.sub(r"\s+", " ", fold(part))
        quoted = _bare(folded) in own if len(_words(folded)) < 3 else folded in ask
        if quoted and not quote_started and any(_bare(folded) in example for example in examples):
            quoted = False
        elif quoted:
            quote_started = True
        if not quoted:
            kept.append(part)
    return kept


def _without_history(parts: list[str]) -> list[str]:
    """The sentences without those telling the writer's earlier answer ("I wrote on Monday
    to say we would sign"; up to its "but": "En diciembre le dije que no, pero ..."), and
    from the last "to be clear: yes", "the board changed its mind: no" or "EDIT:" on,
    when something remains: the answer is this message's, said last."""
    now: list[str] = []
    for part in parts:
        if (edit := SUPERSEDING.match(fold(part))) and _words(fold(part[edit.end():])):
            now = [part[edit.end():]]  # "EDIT: our chair just said yes": the answer now
            continue
        clarified = _after(part, CLARIFIED) or ""
        opening = _words(fold(clarified))[:1]
        if YES_WORD.match(fold(clarified).strip()) or (opening and opening[0] in NO_WORDS):
            now = [clarified]
            continue
        rest = _after(part, REPORTED)
        if rest is None or RETRACT_ANYWHERE.search(fold(part)):  # ("I take back what I said")
            now.append(part)
        elif CONTRAST.match(fold(rest).strip()):  # "..., pero la asamblea decidió que sí"
            now.append(rest)
    return now if any(_words(fold(part)) for part in now) else parts


def _without_habits(parts: list[str], organization: str | None) -> list[str]:
    """The sentences without the clause telling what the writer's group usually does
    ("Politische Briefe unterschreiben wir normalerweise nicht. Diesmal: wir
    unterschreiben"; "we don't usually sign letters, but ..."), unless that clause holds
    a need, a condition or a wait that may be this answer's too ("normally the board must
    approve these"), or names the organization asked: what comes after its habit may be
    another group's yes ("A Irmandade não costuma assinar cartas, mas ... o Clube assina")."""
    named = set(significant(organization or ""))
    now: list[str] = []
    for part in parts:
        clauses = _clauses(part)
        at = next((i for i, clause in enumerate(clauses) if HABITUAL.search(fold(clause))), None)
        if at is None:
            now.append(part)
            continue
        # "D'habitude, nous ne signons pas, mais ...": the habit is the next clause too
        upto = at + 2 if len(_words(fold(clauses[at]))) < 3 else at + 1
        habit = fold("".join(clauses[at:upto]))
        # (nor who usually decides: "Las decisiones de este tipo normalmente las toma la
        # directora")
        if APPROVAL.search(habit) or CONDITION.search(habit) or LATER.search(habit) \
                or QUESTION.search(habit) or NOT_FOR_ORGANIZATION.search(habit) \
                or named.intersection(_words(habit)):
            now.append(part)
        elif _words(fold(kept := "".join(clauses[:at] + clauses[upto:]))):
            now.append(kept)
    return now


def _clauses(sentence: str) -> list[str]:
    """The sentence's clauses as written, each with the mark that ends it."""
    clauses: list[str] = []
    start = 0
    for end in CLAUSE_END.finditer(sentence):
        clauses.append(sentence[start:end.end()])
        start = end.end()
    return [*clauses, sentence[start:]]


_QUOTED = re.compile(r"«[^«»]{0,300}»|“[^“”]{0,300}”|\"[^\"]{0,300}\"")


def _after(sentence: str, idea: Idea) -> str | None:
    """The sentence after the clause that says `idea`, as written; None when none does."""
    start = 0
    for end in [*CLAUSE_END.finditer(sentence), None]:
        if idea.search(fold(sentence[start:end.start() if end else None])):
            return sentence[end.end():] if end else ""
        start = end.end() if end else start
    return None


def _a_unit_of(name: str, organization: str) -> bool:
    """`name` is the organization's name and more: a department, lab or chapter of it."""
    own, whole = set(significant(organization)), significant(name)
    return bool(own) and own < set(whole)


def _a_unit_signs(parts: list[str], organization: str | None,
                  name_lines: list[str]) -> bool:
    """The reply lists a unit of the organization asked under its own name."""
    if organization is None:
        return False
    name, doubt = listing_name(parts, organization, name_lines=name_lines)
    return name is not None and doubt is None and _a_unit_of(name, organization)


def _only_the_name(parts: list[str], organization: str) -> bool:
    """The reply is one line, the organization's name on file and nothing else, or the
    name's first words (at least two): "Parlier Unidos" for "Parlier Unidos for Community
    Action", the short name they want listed."""
    if len(parts) != 1 or "\n" in parts[0].strip():
        return False
    said, own = _words(fold(parts[0])), _words(fold(organization))
    return said == own or (len(said) >= 2 and said == own[:len(said)])


def _bare(folded: str) -> str:
    return re.sub(r"\s+", " ", folded).strip(" \t.,;:!?\"'“”«»()[]*-")


def understand(text: str, *, organization: str | None = None, exclude: Iterable[str] = (),
               own_addresses: Iterable[str] = (),
               inline: Sequence[tuple[str, str]] = (),
               letter_title: str | None = None, writer: str | None = None,
               notes: Sequence[str] = (), afterthoughts: Sequence[str] = ()) -> Understanding:
    """Read the visible text of a reply. `exclude` is the ask it answers, whose words never
    count; `own_addresses` are the sender's and ours, never taken as referrals; `inline`
    pairs the quoted text and the writer's lines under it, when they answer inline;
    `notes` are colleagues' messages quoted or forwarded under it, whose doubts hold a yes;
    `afterthoughts` the writer's sentences under a signature the visible text ends at,
    whose doubts hold a yes too;
    `letter_title` is the campaign's, to tell this letter from another one named; `writer`
    the sender's name, whose signature ends the reply."""
    if len(text) > READ_AT_MOST:  # a person reads it: no rule decides on a text this long
        return Understanding(Intent.UNKNOWN, signals=(
            f"the reply is longer than {READ_AT_MOST} characters; a person reads it",))
    written, under_signature = _signature_split(text, writer)
    parts = _without_habits(_without_history(_drop_quoted_ask(
        sentences(_corrected(_undictated(written))), exclude)), organization)
    # "No problem", "s'il vous plaît": their "no" and "if" say nothing about the letter.
    # ("fine" keeps "no objection to the changes" a reconfirmation: "fine with the changes".)
    # "We can't not sign this", "¿Cómo no vamos a firmar?": said as "we sign".
    # (a list's "2." before a sentence is no part of it: "2. Only if our chair agrees.")
    folded_parts = [" ".join(EMPHATIC_YES.sub(" we sign ", NEUTRAL.sub(
        " fine ", written_out(fold(_LIST_MARK.sub("", p, count=1) if _LIST_MARK.match(p)
                                   else p)))).split()) for p in parts]
    whole = " \n".join(folded_parts)
    # ("ST ANNES" for "St. Anne's": the name's words with their apostrophes too)
    org_words = {form for word in _words(fold(organization or ""))
                 for form in (word, word.replace("'", ""))}
    referrals = _referrals(parts, own_addresses)
    signals: list[str] = []
    # Withdrawals and reconfirmations are read first, clause by clause; the clauses they
    # claim are not read again by the decline, change, approval and time rules ("we will not
    # withdraw" is no decline, "remove our name" no edit to the text).
    marks, rest_parts = _marks(folded_parts)
    withdrawal = next((m for m in marks if m.intent == Intent.WITHDRAW and m.doubt is None),
                      None)
    reconfirmation = next(
        (m for m in marks if m.intent == Intent.RECONFIRM and m.doubt is None
         # "OPT OUT. We still support every word of the letter": support is no keeping
         and not (withdrawal is not None and ONLY_SUPPORT.search(folded_parts[m.part]))),
        None)

    # "Remove us from the letter" names the letter: a withdrawal, not an unsubscribe.
    mailing = [_without_denied_stops(WITHDRAW.sub(" ", f)) for f in folded_parts]
    if UNSUBSCRIBE.search(" \n".join(mailing)):
        if withdrawal is not None:  # both asked for: the daemon does both
            return Understanding(Intent.WITHDRAW, parts[withdrawal.part], referrals=referrals,
                                 signals=("withdraw", ALSO_UNSUBSCRIBE))
        bare_removal = next((part for part, folded, mail in zip(parts, folded_parts, mailing,
                                                               strict=True)
                             if REMOVE_US.search(folded) and not UNSUBSCRIBE.search(mail)),
                            None)
        if bare_removal is not None and reconfirmation is None:
            # "Yes, please remove us. And take me off your mailing list": a signer's name
            # off the letter too; anyone else's address off our mail
            return Understanding(Intent.WITHDRAW, bare_removal, referrals=referrals,
                                 signals=(REMOVE_US_SIGNAL, ALSO_UNSUBSCRIBE))
        stop = _first(parts, mailing, UNSUBSCRIBE)
        if stop is not None and any(RETRACT_ANYWHERE.search(f)
                                    for f in folded_parts[parts.index(stop) + 1:]):
            # "Please take me off your list. Actually, never mind, keep sending them"
            return Understanding(Intent.UNKNOWN, stop, referrals=referrals,
                                 signals=("unsubscribe", "retracted"))
        return Understanding(Intent.UNSUBSCRIBE, stop, signals=("unsubscribe",))
    removal = _first(parts, folded_parts, REMOVE_US) or _names_organization(
        parts, folded_parts, REMOVE_NAMED, org_words)
    if removal is not None and withdrawal is None:
        if _retracted_after(folded_parts, parts.index(removal)):
            # "... Please take us off. [...] So please don't take the withdraw above as our
            # answer."
            return Understanding(Intent.UNKNOWN, removal, referrals=referrals,
                                 signals=(REMOVE_US_SIGNAL, "retracted"))
        if any(NOT_FOR_ORGANIZATION.search(f) and not _PERSONAL_REGRET.search(f)
               for f in folded_parts) or SOMEONE_ELSE.search(whole):
            # "Please remove us. Personally I'd keep us on, but I can't speak for the board."
            return Understanding(Intent.UNKNOWN, removal, referrals=referrals,
                                 signals=(REMOVE_US_SIGNAL, "not for the organization"))
        # "Please remove us": off the letter for a signer, off our mail for anyone else.
        return Understanding(Intent.WITHDRAW, removal, referrals=referrals,
                             signals=(REMOVE_US_SIGNAL,))

    if not inline and _is_bare_no(folded_parts):
        return Understanding(Intent.DECLINE, parts[0], referrals=referrals, signals=("decline",))
    answered = _answered(parts, inline)
    if organization and _only_the_name(parts, organization) and not marks:
        # The ask says "reply with the name you'd like listed": the name alone is that reply.
        named = _bare(parts[0])
        return Understanding(Intent.SIGN_ON, parts[0], signer_type="organization",
                             signer_name=None if _words(fold(named)) == _words(
                                 fold(organization)) else parts[0].strip(" \t.!"),
                             referrals=referrals,
                             signals=("yes", "the reply is the organization's name alone"))
    sign_at = _yes(folded_parts, org_words, answered, signals)
    if sign_at is not None and all(set(_words(f)) <= ACKNOWLEDGEMENT for f in folded_parts):
        # "ok", "passt", "ok merci": the mail was read; nothing says the organization signs.
        signals.append("an acknowledgement, not a yes")
        sign_at = None
    # Lines written under the ask's "the name you'd like listed": a name given on its own.
    name_lines = [part for part, quote in zip(parts, answered, strict=True)
                  if quote is not None and NAME_ASKED.search(fold(quote))]
    # Typed right under the ask's own question ("... whether X would sign on to our
    # coalition letter"), a yes is to it, whatever the writer's next line says.
    asked = fold(_last_paragraph(answered[sign_at] or "")) if sign_at is not None else ""
    answers_the_ask = bool(ASK_QUESTION.search(asked) and LETTER_REF.search(asked)
                           and not OTHER_ACT.search(asked) and not OTHER_OBJECT.search(asked))
    if sign_at is not None and not answers_the_ask \
            and _is_bare_yes(folded_parts[sign_at], org_words) \
            and not _an_act(folded_parts[sign_at], org_words) \
            and not (sign_at and QUESTION.search(folded_parts[sign_at - 1])) \
            and any(_about_something_else_next(f, org_words)
                    for f in folded_parts[sign_at + 1:sign_at + 2]):
        # "Yes!! We'd love to be on the planning committee": the yes is to that.
        signals.append("yes to what follows, not to the letter")
        sign_at = None
    elif sign_at is not None and not LETTER_REF.search(folded_parts[sign_at]) \
            and not _acts_on_the_letter(folded_parts[sign_at], org_words) \
            and any(PRESENCE.search(f) for f in folded_parts[sign_at:sign_at + 3]):
        # "Yes, count us in! We'll bring the folding tables for Saturday": an event's yes.
        signals.append("a yes to an event: what follows is being there or bringing things")
        sign_at = None
    # "Yes! ... Actually, wait" or "Sí, firmamos ... no cuentes con nosotros": taken back.
    # (in the yes's own sentence, only what follows the yes: "Finalement ..., c'est oui")
    retracted_yes = sign_at is not None and any(
        _takes_back(clause) for clause in [*_from_the_yes(folded_parts[sign_at]), *(
            c for f in folded_parts[sign_at + 1:] for c in CLAUSE_END.split(f))])
    if retracted_yes:
        signals.append("retracted yes")
    if sign_at is not None and any(MISTAKEN_YES.match(clause) for f in folded_parts[sign_at + 1:]
                                   for clause in CLAUSE_END.split(f)):
        signals.append("the yes was a slip")
        sign_at = None  # "that yes was my phone": never said; the rest is the answer

    paragraphs = _paragraphs(text)
    # A long reply's paragraphs about other things ("1. Are you going to the groundwater
    # meeting on the 9th?", "a woman asked for water instead of the canned peaches") leave
    # its yes as it is; a sentence that may bear on signing does not.
    yes_said = parts[sign_at] if sign_at is not None else None
    # Written inline with the yes under the ask's question, an answer under another question
    # (a press call, a translation's cost) is that question's: "I'm in clinic all day that
    # Thursday. Let me ask our nurse manager", "Leider nein, dafür haben wir kein Budget".
    yes_under_the_ask = bool(ASK_QUESTION.search(asked)) and not _asks_something_else(asked)
    answers_elsewhere = {
        part for part, folded, quote in zip(parts, folded_parts, answered, strict=True)
        if yes_under_the_ask and quote is not None and part != yes_said
        and _asks_something_else(fold(quote))
        and not (LETTER_REF.search(folded) or ACT.search(folded) or SIGN.search(folded))}

    def aside_of_the_yes(part: str) -> bool:
        return yes_said is not None and (
            part in answers_elsewhere or _aside_of_a_yes(part, yes_said, paragraphs))

    found = _other_intents(parts, rest_parts, org_words, aside=aside_of_the_yes)
    if sign_at is not None and (
            not DECLINE.search(FAREWELL.sub(" ", " \n".join(rest_parts)))
            or _a_unit_signs(parts, organization, name_lines)):
        # a yes, then "good luck with it"; or "the University does not sign ... the
        # Department signs: list us as Department of ..., <University>"
        found = [f for f in found if f[0] != Intent.DECLINE]
    # ("Not a condition, we're on the letter either way" and "I believe we signed last
    # week" hold no condition on a yes.)
    # (a sentence that says it is "not a condition" holds none, whatever its "might")
    # "Yes, we'll sign. Solo si la carta dice ...": a sentence that is a condition
    # (not "If there's a bus from Mendota we can fill a lot of seats", in a paragraph about
    # other things under the yes)
    only_if = any(ONLY_IF.search(f) and not (
        sign_at is not None and _condition_aside(p, f, parts[sign_at], paragraphs))
        for p, f in zip(parts, folded_parts, strict=True))
    conditional = any(CONDITION.search(f) for f in folded_parts
                      if (SIGN.search(f) or any(YES_WORD.match(c) for c in CLAUSE_END.split(f)))
                      and not ALREADY.search(f) and not NOT_A_CONDITION.search(f)) or only_if
    # "1. Will we sign? Yes.": a question the writer answers at once is no question to us.
    # ("Unterschreiben? Leider nein.": and one answered with a no)
    answered_at_once = {i for i in range(len(parts) - 1)
                        if _is_bare_yes(folded_parts[i + 1], org_words)
                        or _is_bare_no(folded_parts[i + 1:i + 2])}
    # ("Are you taking us off?? We want to stay on": the worry, then the answer.)
    # (not a question someone else asked, quoted in a story, nor one marked "not a condition")
    questions = [p for i, (p, f) in enumerate(zip(parts, folded_parts, strict=True))
                 if QUESTION.search(_QUOTED.sub(" ", f)) and i not in answered_at_once
                 and not NOT_A_CONDITION.search(f)
                 and not _only_asks_for_the_name(f)
                 and not (reconfirmation is not None and REMOVAL_QUESTION.search(f))]
    doubting = [p for i, (p, f) in enumerate(zip(parts, folded_parts, strict=True))
                if QUESTION.search(f) and _doubting_question(f) and i not in answered_at_once
                and not _only_asks_for_the_name(f)]
    signals.extend(m.doubt for m in marks if m.doubt is not None)


    keeping = reconfirmation.part if reconfirmation is not None else sign_at
    if withdrawal is not None and keeping is not None:  # takes the name off and keeps it on
        return Understanding(Intent.UNKNOWN, parts[min(withdrawal.part, keeping)],
                             referrals=referrals, signals=(*signals, "contradictory"))
    held = withdrawal or reconfirmation
    if held is not None and held.retracted:
        signals.append(f"retracted {_NOUN[held.intent]}")
    # A withdrawal or reconfirmation with any question beside it waits for a person.
    # (and one from a writer who cannot commit the organization: "I'm only an intern here")
    # (a yes to come with its condition, "if the new board agrees, we'll sign again", takes
    # nothing from a withdrawal now)
    # (but not a writer who regrets the organization's decision: "Personally I think it's a
    # mistake, but ...", « personnellement je le regrette »)
    doubtful = (only_if if withdrawal is not None else conditional) or bool(questions) \
        or (held is not None and held.retracted) \
        or (withdrawal is not None and (
            any(NOT_FOR_ORGANIZATION.search(f) and not _PERSONAL_REGRET.search(f)
                for f in folded_parts) or bool(SOMEONE_ELSE.search(whole))))
    if withdrawal is not None:  # a decline alongside says the same thing
        # (a board that cannot back the new text is the reason, not a doubt)
        # (nor is the change it answers, told before it: "With one year instead of two, our
        # little system is the first to be consolidated. So we withdraw our support.")
        if not doubtful and all(intent in (Intent.DECLINE, Intent.NEEDS_APPROVAL) or (
                intent == Intent.CHANGE_REQUEST and said in parts
                and parts.index(said) < withdrawal.part) for intent, said in found):
            return Understanding(Intent.WITHDRAW, parts[withdrawal.part], referrals=referrals,
                                 signals=("withdraw", REFUSES) if withdrawal.refusal
                                 and all(intent == Intent.DECLINE for intent, _ in found)
                                 else ("withdraw",))
        signals.append("withdrawal with reservations")
    elif reconfirmation is not None and sign_at is None:
        # A question or a "we'll let you know" in a paragraph of its own about other things
        # ("Other matters: 1. Could you send us a photo ...?") leaves the keeping as it is.
        kept = parts[reconfirmation.part]
        beside = [q for q in questions if not _aside(q, kept, paragraphs)]
        still = [(intent, said) for intent, said in found
                 if not (intent == Intent.UNKNOWN and said and _aside(said, kept, paragraphs))]
        if not (conditional or beside or reconfirmation.retracted) and not still \
                and "negated yes" not in signals:
            confirms = CONFIRM_SIGNATURE.search(folded_parts[reconfirmation.part])
            name, name_doubt = listing_name(parts, organization)
            return Understanding(
                Intent.RECONFIRM, parts[reconfirmation.part], referrals=referrals,
                signer_name=name,
                signals=("reconfirm", CONFIRMS_SIGNATURE) if confirms and name_doubt is None
                else ("reconfirm",))
        signals.append("reconfirmation with reservations")

    if sign_at is not None and any(NOT_FOR_ORGANIZATION.search(f) and not MY_CALL.search(f)
                                   for f in folded_parts):
        signals.append("not for the organization")  # "Count me in! I'm just a member"
    elif sign_at is not None and any(  # "list our member groups too" (not "please don't")
            (listed := FOR_OTHERS.search(f)) and not NEGATION.search(f[:listed.start()])
            for f in folded_parts):
        signals.append("other groups would be listed on the writer's word")
    elif sign_at is not None and MOVED_ON.search(whole):  # "I no longer work at ..."
        signals.append("the writer has moved to another organization")
    elif sign_at is not None and HANDS_OVER.search(whole):  # "my last week; write to Tom"
        signals.append("the writer hands the contact over")
    elif sign_at is not None and _NAME_BREAKS_OFF.search(folded_parts[-1]):
        signals.append("the name to list breaks off")  # "Ja bitte eintragen als"
    elif sign_at is not None and (yes_word := YES_WORD.match(folded_parts[-1])) \
            and _BREAKS_OFF.match(folded_parts[-1], yes_word.end()):
        signals.append("the reply breaks off")  # "Hallo Maria, ja, wir" (sent too early)
    elif sign_at is not None and (SOMEONE_ELSE.search(whole)  # "... I'm using his email"
                                  or (_assistant_of_the_writer(text, writer)
                                      and not MY_CALL.search(whole))):
        signals.append(SOMEONE_ELSE_ANSWERS)
    elif sign_at is not None and _disowns_organization(folded_parts, org_words):
        signals.append("the writer says they are not with the organization asked")
    elif sign_at is not None and (other := _another_organization(parts, folded_parts,
                                                                  org_words)):
        signals.append(f"the reply names another organization: {other!r}")
    elif sign_at is not None and (other := _signed_by_another(
            parts[sign_at], folded_parts[sign_at], organization)):
        signals.append(f"the yes is said by another group: {other!r}")
    elif sign_at is not None and (other := next(filter(None, (
            _another_letter(f, letter_title) for f in folded_parts
            if (SIGN.search(f) or any(YES_WORD.match(c) for c in CLAUSE_END.split(f)))
            and not ALREADY.search(f))), None)):
        signals.append(f"the yes names another letter: {other!r}")
    elif sign_at is not None and not SUPERSEDED.search(whole) and not MY_CALL.search(whole) \
            and (held_below := _doubt_below(notes, organization)):
        # "Yes, sign us on!" over a colleague's "before you say yes -- hold on, this goes
        # to the board first": the thread holds the yes back
        signals.append(f"a message below holds the yes back: {held_below!r}")
    elif sign_at is not None and (held_under := _afterthought_doubt(
            [*under_signature, *afterthoughts], organization)):
        # "yes we'll sign!!" signed "Keisha", and under her name: "Still need Rob's sign-off
        # before it's official"
        signals.append(f"words under the signature hold the yes back: {held_under!r}")
    elif sign_at is not None and any(m.intent == Intent.WITHDRAW and not m.negated
                                     for m in marks):
        # "Sí, firmamos. No nos pongan todavía hasta que confirme": words that keep the
        # name off, however doubted, beside the yes
        signals.append("a yes beside words that keep the name off")
    elif sign_at is not None and not found and not conditional and not doubting \
            and not retracted_yes and "negated yes" not in signals \
            and "conditional yes" not in signals:
        name, name_doubt = listing_name(parts, organization, name_lines=name_lines)
        if name is None and name_doubt is None and NAME_SPELLING_REQUEST.search(whole):
            # "One correction though - it's 'Arvin Community Garden Collective' ...": a name
            # asked for and not read; the name on file must not go out in its place
            name_doubt = "the reply asks for a listing name that was not read"
        if name_doubt is None:
            return Understanding(
                Intent.SIGN_ON, parts[sign_at], signer_name=name,
                signer_type=_signer_type(folded_parts[sign_at], whole), referrals=referrals,
                signals=("yes", *((NAME_CORRECTED,) if NAME_CORRECTED in signals else ())),
            )
        signals.append(name_doubt)
        return Understanding(Intent.UNKNOWN, parts[sign_at], signer_name=name,
                             referrals=referrals, signals=tuple(signals))
    if sign_at is not None:
        signals.append("yes with reservations")
    if any(intent == Intent.MORE_TIME for intent, _ in found) and sign_at is None:
        # "Our board meets after the deadline; could you give us until the 19th?" asks for
        # time, whatever else it says about the board or the date.
        found = [f for f in found if f[0] not in (Intent.DECLINE, Intent.NEEDS_APPROVAL)]
    elif NOT_FOR_ORGANIZATION.search(whole):  # "I agree, but I cannot speak for the board"
        return Understanding(Intent.UNKNOWN, _first(parts, folded_parts, NOT_FOR_ORGANIZATION),
                             referrals=referrals, signals=(*signals, "not for the organization"))
    for intent, evidence in found:
        if intent == Intent.DECLINE and sign_at is None and held is None:
            if referrals and FAREWELL.search(fold(evidence or "")):
                # "send future coalition stuff to our new director ... good luck with it"
                signals.append("a good wish beside a new contact, not a no")
                continue
            doubt = _doubted_decline(found, evidence, questions, folded_parts, paragraphs)
            if doubt is None and "conditional yes" in signals:
                # "If the letter said 'voluntary consolidation', I think we could sign. As it
                # stands, we can't.": a no to the text as it is, and a yes on terms
                doubt = "a no beside a conditional yes"
            if doubt is not None:  # "we can't sign yet", "... but our director might"
                signals.append(doubt)
                continue
            return Understanding(intent, evidence, referrals=referrals,
                                 signals=(*signals, "decline"))
    for intent, evidence in found:
        if intent != Intent.DECLINE:
            return Understanding(intent, evidence,
                                 signer_name=listing_name(parts, organization)[0],
                                 referrals=referrals, signals=(*signals, intent.value))
    if referrals and REFERRAL_WORDS.search(whole):
        return Understanding(Intent.REFERRAL, _first(parts, folded_parts, REFERRAL_WORDS),
                             referrals=referrals, signals=(*signals, "referral"))
    if questions:
        return Understanding(Intent.QUESTION, questions[0], referrals=referrals,
                             signals=(*signals, "question"))
    if found and withdrawal is None:  # a decline alongside a yes: a person must read it
        return Understanding(Intent.UNKNOWN, found[0][1], referrals=referrals,
                             signals=(*signals, "contradictory"))
    shown = held or next(iter(marks), None)
    evidence = parts[shown.part] if shown else (parts[sign_at] if sign_at is not None else None)
    return Understanding(Intent.UNKNOWN, evidence, referrals=referrals, signals=tuple(signals))



def _only_asks_for_the_name(folded: str) -> bool:
    """ "Can you list us as MDWA though?": the name, asked for politely, and no doubt."""
    return bool(NAME_REQUEST.search(folded)) and not CONDITION.search(folded)


def _without_denied_stops(folded: str) -> str:
    """A sentence without the clauses that deny a stop to our mail: "please don't
    unsubscribe us", "não nos descadastrem", « ne nous désabonnez pas »."""
    kept = []
    for clause in CLAUSE_END.split(folded):
        stop = UNSUBSCRIBE.search(clause)
        if stop is not None:
            # (the words before it in its own conjunct, and the two after: "ne ... pas")
            before = _CONJUNCT.split(clause[:stop.start()])[-1]
            after = _NEXT_WORDS.match(clause, stop.end())
            if DENIAL.search(f"{before} {after.group(0) if after else ''}"):
                continue
        kept.append(clause)
    return ", ".join(kept)


_CONJUNCT = re.compile(rf"\b{fragment('conjunct')}\b")
_NEXT_WORDS = re.compile(r"(?:\W*+\w++){0,2}")


# "--", and a rule of "=", "_", "*" or "~" (a rule of dashes also frames pasted minutes)
_RULE = re.compile(r"^\s*(?:--|(?:[_=*~•·]\s*){2,})\s*$")


def _signature_split(text: str, writer: str | None = None) -> tuple[str, list[str]]:
    """The writer's words, without the sign-off and what follows it (name, title, address,
    the organization's tagline, banners and legal notices), whose words ("Support line",
    "sign up", "unsubscribe from our newsletter") are not an answer; and the paragraphs of
    sentences under the sign-off, which may still hold a yes back ("(oh, I'm the intern
    here, I can't actually sign for the org)"). The signature starts at a sign-off, a rule
    line, or a short line with the writer's own name (`writer`, the From's display name)."""
    names = writer_names(writer)
    lines = text.splitlines()
    written = answers_below = False  # (the writer's answers may be under their name)
    for index, line in enumerate(lines):
        folded = fold(line).strip()
        if written and not answers_below and (
                _RULE.match(folded) or VALEDICTION.match(folded) or is_name_line(line, names)):
            # ...but "(member, not speaking for the Local)" under the name is the writer's
            below = lines[index + 1:]
            return "\n".join([*lines[:index], *(
                line for line in _signature_block(below)
                if NOT_FOR_ORGANIZATION.search(fold(line))), *_postscripts(below)]), \
                _sentences_under(below)
        written = written or bool(folded)
        answers_below = answers_below or bool(ANSWERS_BELOW.search(folded))
    return text, []


def _sentences_under(lines: list[str]) -> list[str]:
    """The paragraphs under a signature that hold sentences (not a name, title, address or
    number), each on one line."""
    return [said for paragraph in re.split(r"\n\s*\n", "\n".join(lines))
            if (said := said_lines(paragraph.splitlines()))]


_MARKS = re.compile(r"[.,;:!?]")


def _undictated(text: str) -> str:
    """Dictated text with its spoken marks made marks ("yes we sign period please list us
    as ..."), when the writer typed no mark of their own."""
    if _MARKS.search(text):
        return text
    return DICTATED_STOP.sub(".", DICTATED_COMMA.sub(",", text))


def _postscripts(lines: list[str]) -> list[str]:
    """The writer's postscripts under the signature ("P.S. On your letter: yes, sign us on"),
    each a paragraph; the name, address and notices around them are left out."""
    kept: list[str] = []
    inside = False
    for line in lines:
        if _RULE.match(line) or not line.strip():
            inside = False
        elif POSTSCRIPT.match(line.strip()):
            inside = True
        if inside:
            kept.append(line)
    return kept


def _signature_block(lines: list[str]) -> list[str]:
    """The lines of a signature up to its first blank line (banners and notices follow)."""
    block: list[str] = []
    for line in lines:
        if not line.strip():
            break
        block.append(line)
    return block


_PARENTHESIS = re.compile(r"\([^()]{0,300}\)")


def _last_paragraph(quote: str) -> str:
    paragraphs = [p for p in re.split(r"\n[\s>]*\n", quote.strip()) if p.strip()]
    return paragraphs[-1] if paragraphs else ""


def _before(clause: str, idea: Idea) -> str:
    """The clause up to where `idea` is said in it (all of it, when it is not)."""
    found = idea.search(clause)
    return clause[:found.start()] if found else clause


def _from_the_yes(folded: str) -> list[str]:
    """The clauses of a sentence from the one that says yes on (all, when none does)."""
    clauses = CLAUSE_END.split(folded)
    first = next((i for i, c in enumerate(clauses) if SIGN.search(c) or YES_WORD.match(c)), 0)
    return clauses[first:]


def _answered(parts: list[str], inline: Sequence[tuple[str, str]]) -> list[str | None]:
    """For each sentence, the quoted text it answers when the reply is written inline
    ("> Can you join the call on Thursday?" / "Yes, count me in."), else None."""
    answered: list[str | None] = []
    for part in parts:
        said = " ".join(part.split())
        answered.append(next((quote for quote, own in inline
                              if said and said in " ".join(own.split())), None))
    return answered


def _yes(folded_parts: list[str], org_words: set[str], answered: list[str | None],
         signals: list[str]) -> int | None:
    """The sentence that says yes to signing, if one does without a doubt in it."""
    ironic = bool(IRONY.search(" ".join(folded_parts)))  # "Sure, sign us up for the 14th 🙄"
    for index, folded in enumerate(folded_parts):
        if INSTRUCTION.match(folded):  # "Reply YES to sign on": our words, not theirs
            continue
        bare = _is_bare_yes(folded, org_words)
        # "Thank you for the invitation to sign", "we support the goals of the letter": the
        # letter and signing named, and no act on it.
        act = _an_act(folded, org_words)
        if not (act or bare):
            continue
        clauses = [c for c in CLAUSE_END.split(folded) if c.strip()]
        if ALREADY.search(folded):  # "we already signed the other letter" (whatever
            # went wrong with it: "... but maybe it didn't go through")
            signals.append("a signature given before, or to something else")
            continue
        # Negated: in the act's own clause and what follows it ("I sign, not on behalf of
        # my employer"); not what came before a colon ("I didn't want this to slip: yes"),
        # nor what a parenthesis says of someone else ("(the national office takes no
        # position)").
        unbracketed = _PARENTHESIS.sub(" ", folded)
        plain = _without_name_corrections(unbracketed, org_words)
        if plain != unbracketed:
            signals.append(NAME_CORRECTED)
        # ("we sign as X, so that people don't confuse us": the purpose's "not")
        if DECLINE.search(plain) or any(NEGATION.search(_before(c, SO_THAT))
                                        for c in _from_the_yes(plain)):
            signals.append("negated yes")
            continue
        if CONDITION.search(folded):
            signals.append("conditional yes")
            continue
        if _turns_back(folded):  # "We would sign, but our bylaws prohibit it"
            signals.append("a yes with a 'but' that holds it back")
            continue
        if QUESTION.search(folded):
            signals.append("yes in a question")
            continue
        if ironic:
            signals.append("a yes that may be ironic")
            continue
        if APOLOGY.search(folded) and not LATENESS.search(folded):
            # "Know we can sign this one sorry": a dictated "no", or sorry for what?
            signals.append("an apology beside the yes")
            continue
        if any(_about_something_else(c, org_words) for c in clauses):
            signals.append("yes to something else")
            continue
        asked = folded_parts[index - 1] if index else ""
        if bare and not act and QUESTION.search(asked):
            # "1. Will we sign? Yes." / "¿Compartimos la carta? Sí.": the writer's own question.
            # ("2. Will TBFA sign? Yes.": the organization by a name of its own)
            if (SIGN.search(asked) or (ACT.search(asked) and not OTHERS.search(asked))) \
                    and not OTHER_OBJECT.search(asked):
                return index
            signals.append("a yes to the writer's own question about something else")
            continue
        quote = answered[index]
        quoted = fold(quote) if quote is not None else None
        if quoted is not None and "?" in quoted and (
                not ASK_QUESTION.search(quoted) or CONTACT_QUESTION.search(quoted)):
            signals.append("a yes to the quoted question, not to the letter")
            continue
        if quoted is not None and bare and not act and OTHER_ACT.search(quoted):
            # "YES. Absolutely." under "... help shape where the coalition goes next"
            signals.append("a yes to the quoted line about something else")
            continue
        return index
    return None


_NAME_CORRECTION = re.compile(
    rf"\b{fragment('correction_not', raw=True)}\s+(?:{fragment('article')}\s+)?(?P<what>[\w&'-]+)")


def _without_name_corrections(folded: str, org_words: set[str]) -> str:
    """The sentence without the "not" of a name's correction: "list us as Service Workers
    Union Local 3308 - not SWU", "pongan nuestro nombre completo, no las siglas" negate the
    name on file or its form, not the act."""
    if not (NAME_NOUNS | LIST_WORDS).intersection(_words(folded)):
        return folded  # ("das Institut, nicht die Hochschule, hat unterzeichnet": who signed)
    return _NAME_CORRECTION.sub(
        lambda m: " " if m["what"] in org_words or m["what"] in NAME_NOUNS else m[0], folded)


def _an_act(folded: str, org_words: set[str]) -> bool:
    """Whether a sentence says the act itself ("we sign", "please add the Network", "the
    Board voted to endorse the letter"), not only a yes word."""
    acting = NOT_AN_ACT.sub(" ", folded)
    return _own_sign(acting, org_words) \
        or _names_organization([acting], [acting], ADD_NAMED, org_words) is not None \
        or _acts_on_the_letter(acting, org_words)


def _own_sign(folded: str, org_words: set[str]) -> bool:
    """A yes to signing said by the writer, not of others: "other groups are signing on
    too" is no yes, "other groups are in, and we're in too" is. (The organization's own
    name may hold such a word: "Valley Partners signs on".)"""
    for match in SIGN.finditer(folded):
        starts = [end.end() for end in CLAUSE_END.finditer(folded, 0, match.start())]
        before = folded[starts[-1] if starts else 0:match.start()]
        if not any(other.group(0) not in org_words for other in OTHERS.finditer(before)):
            return True
    return False


def _acts_on_the_letter(folded: str, org_words: set[str]) -> bool:
    """A clause whose structure is an act on the letter by the writer or the organization,
    however formal: "the Board voted unanimously to endorse the coalition letter", "la
    Asociación no se adherirá a la carta", "notre adhésion est confirmée". Whether it is a
    yes or a no is for the negation and condition checks; a wish ("we'd like to sign the
    letter") or a plan is not the act."""
    if not (WE.search(folded) or org_words.intersection(_words(folded)) - STOP_WORDS):
        return False  # someone else's act ("several partners signed the letter")
    for clause in CLAUSE_END.split(folded):
        act = ACT.search(clause)
        if act is None or not LETTER_REF.search(clause) or WISH.search(clause) \
                or WITHDRAW.search(clause) or WITHDRAW_BY_REFUSAL.search(clause):
            continue
        before = folded[:folded.index(clause) + act.start()]
        if not OTHERS.search(before):  # "several of our partners signed the letter"
            return True
    return False


def _turns_back(folded: str) -> bool:
    """A yes followed, in its sentence, by a turn ("but", "pero", "aber") that holds it
    back: a negation, a condition, a wait or a preference after it."""
    act = SIGN.search(folded) or YES_WORD.search(folded)
    turn = CONTRAST.search(folded, act.end()) if act else None
    if turn is None:
        return False
    after = folded[turn.end():]
    return bool(NEGATION.search(after) or CONDITION.search(after) or RESERVATION.search(after)
                or APPROVAL.search(after) or LATER.search(after))


def _takes_back(clause: str) -> bool:
    """ "Actually, wait", "but on second thought", "no cuentes con nosotros": a clause that
    takes back a yes before it."""
    words = clause.split()
    while words and words[0].strip(",.;:!-") in CONJUNCTIONS:
        words = words[1:]
    opening = " ".join(words)
    act, negation = SIGN.search(opening), NEGATION.search(opening)
    # The act itself negated ("no cuentes con nosotros"), not a "not" after it ("list us as
    # 'X' (not 'Y')").
    return bool(RETRACT.match(opening) or RETRACT_ANYWHERE.search(opening)
                or (act and negation and negation.start() < act.end()))


def _about_something_else_next(folded: str, org_words: set[str]) -> bool:
    """The sentence after a bare yes says what the yes is to, when it is another act or
    thing ("Claro que sí! Con gusto la compartimos"), not a yes of its own."""
    if ALREADY.search(folded):  # "Sim!! Já assinamos!": a yes about an earlier signature
        return True
    if any(_about_something_else(c, org_words) for c in CLAUSE_END.split(folded)):
        return True  # "Yes! We'd love to join the webinar on the 12th"
    if _own_sign(folded, org_words) or _acts_on_the_letter(folded, org_words) \
            or _names_organization([folded], [folded], ADD_NAMED, org_words):
        return False  # the yes said again
    if OTHER_ACT.search(folded) and WISH.search(folded):
        return True  # "Yes! I'd like to attend the webinar - is there a link?"
    if QUESTION.search(folded):
        return False  # a side question
    return bool(OTHER_ACT.search(folded)) or any(
        not WHERE_DECIDED.search(folded[:other.start()])
        and not set(_words(other.group(0))) <= org_words
        for other in OTHER_OBJECT.finditer(folded))


def _about_something_else(clause: str, org_words: set[str]) -> bool:
    """A yes aimed past the letter: "count me in for the call", "add me to the newsletter"
    (what the yes is to comes after it; a meeting mentioned before is where it was
    decided, and the organization's own name may hold such a word: "... Water Committee")."""
    start = SIGN.search(clause) or YES_WORD.match(clause)
    if start is None:
        return False
    # (not inside the name the writer quotes: « firmamos como "... Water Committee" »)
    unquoted = _QUOTED.sub(lambda quoted: " " * len(quoted.group(0)), clause)
    return any(not WHERE_DECIDED.search(clause[start.start():other.start()])
               and not set(_words(other.group(0))) <= org_words
               for other in OTHER_OBJECT.finditer(unquoted, start.start()))


def _acronym_of(named: list[str], org_words: set[str]) -> bool:
    """ "HNA" for the Hanford Neighborhood Association: one word made of the initials of
    the organization's words on file."""
    initials = [w[0] for w in org_words if w not in STOP_WORDS]
    return len(named) == 1 and len(named[0]) == len(initials) >= 2 \
        and sorted(named[0]) == sorted(initials)


def _another_organization(parts: list[str], folded_parts: list[str],
                          org_words: set[str]) -> str | None:
    """An organization the reply asks us to add that is not the one on file ("Please add
    Tulare Basin Watershed Partnership" from the Tooleville Residents Committee): a name,
    capitalised as one, not "our name"."""
    if not org_words:
        return None
    for part, folded in zip(parts, folded_parts, strict=True):
        capitalised = {fold(w) for w in re.findall(r"\w+", part) if w[:1].isupper()}
        for pattern in ADD_NAMED:
            match = pattern.search(folded)
            named = [w for w in _words(match["what"]) if w not in STOP_WORDS
                     and w not in ROLES and w not in GENERIC_WORDS] if match else []
            if len(named) >= 2 and all(w in capitalised for w in named) \
                    and sum(w in org_words for w in named) * 2 < len(named):
                return match["what"] if match else None
    return None


_ARTICLE = re.compile(rf"^{fragment('article')}\s+")
_AND = re.compile(rf"\b{fragment('and_so')}\s+")


def _names_a_group(part: str, kind: str) -> bool:
    """Whether the sentence names a group of that kind ("... do Clube Português de Newman e o
    Clube assina"), which "the club" then stands for."""
    return any(fold(found.group(1)) == kind
               for found in re.finditer(r"\b(\w+)\s+(?=[A-ZÀ-Ý]\w)", part))


_ASSISTANT_TO = re.compile(
    rf"(?im)^\W*{fragment('assistant_to', raw=True)}\s+(?P<whom>[^\n]{{2,120}})$")


def _assistant_of_the_writer(text: str, writer: str | None) -> bool:
    """The reply is signed by an assistant to the person whose account sent it ("Executive
    Assistant to Howard Kim, MD" in mail from Howard Kim): someone else's yes, unless the
    reply says that person asked for it (`MY_CALL`)."""
    names = {word for word in _words(fold(writer or "")) if len(word) > 2}
    return bool(names) and any(names.intersection(_words(fold(found["whom"])))
                               for found in _ASSISTANT_TO.finditer(text[:READ_AT_MOST]))


def _signed_by_another(part: str, folded: str, organization: str | None) -> str | None:
    """A group that is not the one asked, named as the one that signs ("sou presidente do
    Clube Português de Newman e o Clube assina com gosto"): an article and capitalised words
    before the act, none of the organization's own (nor its acronym) and none of "we" or
    the board."""
    if not organization:
        return None
    org_words = set(_words(fold(organization)))
    capitalised = {fold(w) for w in re.findall(r"\w+", part) if w[:1].isupper()}
    starts = [0, *(end.end() for end in CLAUSE_END.finditer(folded))]
    for match in SIGN.finditer(folded):
        # (the act itself, when the yes is said from its subject on: "eu também sou
        # presidente do Clube ... e o Clube assina")
        verbs = [act.start() for act in ACT.finditer(folded, match.start(), match.end())]
        at = verbs[-1] if verbs else match.start()
        start = starts[bisect.bisect_right(starts, at) - 1]
        # (a subject is a few words: what is further back is not read, whatever its size)
        before = folded[max(start, at - 80):at]
        subject = _AND.split(before)[-1].strip()
        words = _words(_ARTICLE.sub("", subject))
        if _ARTICLE.match(subject) and 1 <= len(words) <= 5 and not WE.search(subject) \
                and not (len(words) == 1 and words[0] in KINDS_OF_GROUP
                         and not _names_a_group(part, words[0])) \
                and all(w in capitalised for w in words) \
                and not any(w in org_words for w in words) \
                and not names_the_organization(subject, organization):
            return subject
    return None


def _disowns_organization(folded_parts: list[str], org_words: set[str]) -> bool:
    """ "I'm with the Youth Alliance, not the Visalia Neighborhood Network": the
    organization asked, named right after a negation (an article may come between)."""
    significant = org_words - STOP_WORDS
    if len(significant) < 2:
        return False
    for folded in folded_parts:
        if NAME_NOUNS.intersection(_words(folded)):
            continue  # (not "Arvin Water Committee", that's our old name): the name corrected
        for negation in NEGATION.finditer(folded):
            following = _words(folded[negation.end():])[:len(significant) + 2]
            if following and following[0] in STOP_WORDS:
                following = following[1:]
            if following and following[0] in significant \
                    and len(significant.intersection(following)) >= 2:
                return True
    return False


def _another_letter(folded: str, title: str | None) -> str | None:
    """A letter the yes names by a subject that is not this campaign's ("yes, we're in on
    the Sustainable Groundwater letter")."""
    if not title:
        return None
    ours = set(significant(title))
    for pattern in OTHER_LETTER:
        for match in pattern.finditer(folded):
            named = [w for w in significant(match["title"])
                     if len(w) > 3 and w not in GENERIC_WORDS and w not in PRONOUNS]
            if named and not ours.intersection(named):
                return match["title"].strip()
    return None


def _names_organization(parts: list[str], folded_parts: list[str],
                        patterns: list[re.Pattern[str]], org_words: set[str]) -> str | None:
    """The first sentence where a pattern's `what` is the organization on file ("Please add
    Kern Audubon Society", "please remove Friends of the Tule River")."""
    if not org_words:
        return None
    for part, folded in zip(parts, folded_parts, strict=True):
        for pattern in patterns:
            match = pattern.search(folded)
            named = [w for w in _words(match["what"]) if w not in STOP_WORDS] if match else []
            if named and (sum(w in org_words for w in named) * 2 > len(named)
                          or _acronym_of(named, org_words)):  # "add HNA to the list"
                return part
    return None


def _other_intents(parts: list[str], rest_parts: list[str], org_words: set[str],
                   aside: Callable[[str], bool] | None = None) -> list[tuple[Intent, str | None]]:
    """Declines, change requests, approvals still needed and requests for time, in order;
    sentences `aside` tells apart (about other things, beside a yes) are not read."""
    if aside is not None:
        rest_parts = ["" if aside(part) else folded
                      for part, folded in zip(parts, rest_parts, strict=True)]
    others = [
        (Intent.DECLINE, DECLINE), (Intent.CHANGE_REQUEST, CHANGE),
        (Intent.NEEDS_APPROVAL, APPROVAL), (Intent.MORE_TIME, MORE_TIME),
        (Intent.UNKNOWN, LATER),
    ]
    # A sentence that names the listing ("please use 'X' rather than the long version")
    # asks for no change to the letter.
    # Nor does a suggestion "which is in no way a condition".
    # Nor one about something other than the letter ("could you add me to your newsletter?").
    # A suggestion "which is in no way a condition", said anywhere in the reply, asks for
    # no change before signing.
    suggestions_only = any(NOT_A_CONDITION.search(folded) for folded in rest_parts)
    # Nor a change the coalition already made ("qué buena noticia que aceptaron lo que
    # sugerimos").
    change_parts = ["" if suggestions_only or any(n.search(part) for n in NAME_PATTERNS)
                    or _about_other_things(folded) or CHANGE_TAKEN.search(folded) else folded
                    for part, folded in zip(parts, rest_parts, strict=True)]
    found: list[tuple[Intent, str | None]] = []
    for intent, pattern in others:
        where = change_parts if intent == Intent.CHANGE_REQUEST else rest_parts
        if intent == Intent.NEEDS_APPROVAL:  # ("she said go ahead, we don't need a vote")
            # (and the meeting the next sentence says is only told: "Le conseil se réunit le
            # jeudi 10 décembre ; je l'informerai de notre signature, pour information")
            told = [bool(NO_NEED.search(folded)) for folded in where]
            where = ["" if told[i] or (i + 1 < len(told) and told[i + 1]) else folded
                     for i, folded in enumerate(where)]
        if intent == Intent.DECLINE:  # "(the national office takes no position)"
            # (nor "we can't join the video call on Thursday": a no to something else)
            where = ["" if _refuses_something_else(folded) else _PARENTHESIS.sub(" ", folded)
                     for folded in where]
        if pattern.search(" \n".join(where)):
            found.append((intent, _first(parts, where, pattern)))
    if not any(intent == Intent.DECLINE for intent, _ in found):
        # "Le conseil a décidé de ne pas signer la lettre": the act on the letter, negated.
        refusal = next((part for part, folded in zip(parts, rest_parts, strict=True)
                        if NEGATION.search(folded) and _acts_on_the_letter(folded, org_words)
                        and not CONDITION.search(folded)), None)
        if refusal is not None:
            found.insert(0, (Intent.DECLINE, refusal))
    return found


def _doubted_decline(found: list[tuple[Intent, str | None]], evidence: str | None,
                     questions: list[str], folded_parts: list[str],
                     paragraphs: list[str]) -> str | None:
    """Why a no may not close the door on its own, if it may not: a question beside it, a
    hedge or condition in it, "not yet", or an approval still to come."""
    said = fold(evidence or "")
    no_at = _paragraph_of(evidence or "", paragraphs)
    # (a question in a paragraph of its own about other things, "Maybe coffee in January?"
    # under a long "... we've decided not to sign", leaves the no as it is)
    if any(_bears_on_the_letter(fold(question)) or no_at is None
           or _paragraph_of(question, paragraphs) in (None, no_at) for question in questions):
        return "a no with a question"
    if CONDITION.search(CONCESSIVE.sub(" ", said)):  # ("even if the cause is just")
        return "a no with a condition or a hedge"
    if any(intent in (Intent.UNKNOWN, Intent.NEEDS_APPROVAL) for intent, _ in found):
        return "a no for now"
    # "nos statuts ne nous permettent pas de signer ... À titre personnel, je signerais
    # volontiers": the organization's no, then the writer's own offer, for a person to weigh
    # (before the no, only a yes said as one, "I personally sign this gladly", not "Eu
    # pessoalmente assinaria sem pensar duas vezes. Mas ... não vamos assinar")
    no_part = next((i for i, part in enumerate(folded_parts) if said and said in part), None)
    if no_part is not None and any(
            INDIVIDUAL.search(part) and (PERSONAL_OFFER if i > no_part else SIGN).search(part)
            and not NEGATION.search(part) and not _PERSONAL_REGRET.search(part)
            for i, part in enumerate(folded_parts) if i != no_part):
        return "a no with a personal offer"
    if any(OTHER_ACT.search(clause) and LETTER_OBJECT.search(clause)
           and not NEGATION.search(clause)
           for part in folded_parts for clause in CLAUSE_END.split(part)):
        return "a no with an offer to answer"  # "... but we'd gladly share it with members"
    return None


# A mail footer's legal words ("If you received this in error ..."): no one's doubt.
_DISCLAIMER = re.compile(rf"\b{fragment('disclaimer')}\b")
# Terms set in a note ("fine by me as long as Linda doesn't object").
_ON_TERMS = re.compile(rf"\b{fragment('on_terms')}\b")
# A reply that ends where the name to list should be: "Yes please list us as", "eintragen als:"
_NAME_BREAKS_OFF = re.compile(rf"\b{fragment('name_lead')}\s*[:\-\u2013\u2014]?\s*$")
_BREAKS_OFF = re.compile(rf"\W+{fragment('breaks_off_after')}\W*$")
# The writer's own regret over the organization's decision, not a doubt about it.
_PERSONAL_REGRET = re.compile(
    rf"\b{fragment('personally')}\b.{{0,80}}\b{fragment('regret')}\b"
    rf"|\b{fragment('regret_verb')}\b.{{0,40}}\b{fragment('personally')}\b")
# How `understand` says a yes is another group's.
_ANOTHER_GROUP = ("the yes is said by another group", "the reply names another organization",
                  "the yes names ")
# What, said in a message below a yes, holds it back.
_DOUBTS_BELOW = ("conditional yes", "yes with reservations", "retracted yes",
                 "not for the organization", "negated yes")


def _doubt_below(notes: Sequence[str], organization: str | None) -> str | None:
    """The first sentence of a colleague's note under the reply that puts signing in doubt:
    an approval still to come, a condition, a change wanted, a no, or more time. A colleague
    who says they cannot commit the organization ("it's her call, not mine") leaves the
    decision to the writer."""
    return next((held for note in notes
                 if (held := _note_doubt(note, organization, writers_own=False)[0])), None)


def _note_doubt(note: str, organization: str | None, *,
                writers_own: bool) -> tuple[str | None, Understanding | None]:
    """What in a note holds signing back, if anything, and how the note reads. The writer's
    own words (`writers_own`) saying they cannot commit the organization do hold it."""
    # (not "If you received it in error", nor "No need to bring it to the board")
    said_out = [sentence for sentence in sentences(note)
                if not (_DISCLAIMER.search(folded := fold(sentence)) or NO_NEED.search(folded))]
    if not said_out:
        return None, None
    read = understand(" ".join(said_out), organization=organization)
    # (another group's own yes in a reply-all chain, "A Fundação Luso assina.", is theirs)
    theirs = any(signal.startswith(_ANOTHER_GROUP) for signal in read.signals)
    defers = not writers_own and "not for the organization" in read.signals
    if read.intent in (Intent.NEEDS_APPROVAL, Intent.CHANGE_REQUEST, Intent.MORE_TIME,
                       Intent.DECLINE) or (not theirs and not defers and any(
                           s in read.signals for s in _DOUBTS_BELOW)):
        return read.evidence or note, read
    # ("Fine by me as long as Linda doesn't object. Run it past her first.")
    ideas = (ONLY_IF, APPROVAL, LATER, CHANGE, MORE_TIME,
             *((NOT_FOR_ORGANIZATION,) if writers_own else ()))
    for sentence in said_out:
        said = written_out(fold(sentence))
        if any(idea.search(said) for idea in ideas) or _ON_TERMS.search(said):
            return sentence, read
    return None, read


def _afterthought_doubt(afterthoughts: Sequence[str], organization: str | None) -> str | None:
    """The first of the writer's own sentences under the signature that says anything of
    its own about signing: a no, a question, a condition, an approval or a doubt (a legal
    notice aside). Nothing there can say yes: it can only hold one. Like colleagues' notes,
    the first few short paragraphs are read: a footer can be as long as a sender likes."""
    said = [text for text in afterthoughts
            if len(text) <= NOTE_AT_MOST and not _DISCLAIMER.search(fold(text))]
    for text in said[:NOTES_READ]:
        held, read = _note_doubt(text, organization, writers_own=True)
        if held is not None:
            return held
        if read is None or read.intent in (Intent.SIGN_ON, Intent.UNSUBSCRIBE) or (
                read.intent == Intent.UNKNOWN and not read.signals):
            continue  # (a footer's "to leave our newsletter, reply UNSUBSCRIBE" is theirs)
        if read.intent == Intent.QUESTION and not _bears_on_the_letter(
                fold(read.evidence or text)):
            continue  # "P.S. Do you know a good printer in Fresno?"
        return read.evidence or text
    return None


# How many notes (colleagues' or the writer's own under the signature) are read, and how long
# one may be: notes are short, and each costs a reading.
NOTES_READ = 5
NOTE_AT_MOST = 2000


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n[ \t>]*\n", text) if p.strip()]


def _paragraph_of(sentence: str, paragraphs: list[str]) -> int | None:
    """Which paragraph of the reply holds `sentence`, if it is found as written."""
    said = " ".join(sentence.split())
    return next((index for index, paragraph in enumerate(paragraphs) if said in paragraph),
                None)


def _aside(sentence: str, answer: str, paragraphs: list[str]) -> bool:
    """Whether `sentence` is about other things, in a paragraph apart from the `answer`. (An
    "it" or "this" may point back at the letter from a short sentence; a long one has its
    own: "... one or two people speak in Spanish so the board actually hears it".)"""
    at, answer_at = _paragraph_of(sentence, paragraphs), _paragraph_of(answer, paragraphs)
    folded = fold(sentence)
    return at is not None and answer_at is not None and at != answer_at \
        and not _bears_on_the_letter(folded, pointing=len(folded.split()) < _LONG)


def _aside_of_a_yes(sentence: str, yes: str, paragraphs: list[str]) -> bool:
    """Whether `sentence`, in a paragraph apart from the yes, is about other things and holds
    nothing that could hold a yes back (a condition, a wait, a no, a writer who cannot commit
    the organization, someone else's answer)."""
    folded = written_out(fold(sentence))
    # (a long sentence's own "if" or "maybe" is its own: "Vielleicht kurz zum Hintergrund,
    # falls du uns noch nicht so gut kennst: ...")
    own = len(folded.split()) < _LONG or bool(_TERMS.search(folded))
    hedges = (ONLY_IF, CONDITION, HEDGE) if own else ()
    # ...and so is its "not", when it says nothing of the letter, signing or deciding: "the
    # tank is up but it's not connected yet because the county wants another inspection"
    negation = (NEGATION,) if own or _bears_on_the_letter(folded, pointing=False) else ()
    # ...and its "not yet", when it is news of other people's doings, not of ours: "the
    # landlord still hasn't fixed the water heater", "o técnico ainda não veio"
    # (its wait a "not yet", never a "hold off" or "I'll confirm Friday")
    later = () if len(folded.split()) >= _NEWS and not WE.search(folded) \
        and not _bears_on_the_letter(folded, pointing=False) \
        and all(NEGATION.search(wait.group(0)) for wait in LATER.finditer(folded)) \
        else (LATER,)
    return _aside(sentence, yes, paragraphs) and not any(idea.search(folded) for idea in (
        *hedges, *negation, *later, NOT_FOR_ORGANIZATION, SOMEONE_ELSE, RETRACT_ANYWHERE,
        DECLINE, WITHDRAW, UNSUBSCRIBE, OTHERS))


# Words that make a condition a term of what was said before it ("À condition que le point 3
# reste", "Siempre y cuando se mantenga ..."), never a sentence about something else.
_TERMS = re.compile(rf"\b{fragment('terms')}\b")


def _condition_aside(sentence: str, folded: str, yes: str, paragraphs: list[str]) -> bool:
    """A condition in a long sentence with a main clause of its own, about other things, in a
    paragraph apart from the yes: "If the coalition is also sending folks it would be good to
    sit together". "Only if Maria agrees." and "À condition que le point 3 reste tel quel,
    avec la publication dans les deux langues." are never one."""
    return len(folded.split()) >= _LONG and not _TERMS.search(folded) \
        and _aside(sentence, yes, paragraphs) and not any(idea.search(folded) for idea in (
            LATER, NOT_FOR_ORGANIZATION, SOMEONE_ELSE, DECLINE, WITHDRAW, UNSUBSCRIBE, OTHERS))


def _bears_on_the_letter(folded: str, *, pointing: bool = True) -> bool:
    """Whether a sentence is about the letter, signing it, its text or its time, or could be
    (a bare "it", "this", unless `pointing` is off): "Could we talk about it?" may be; "Maybe
    coffee in January?" is not."""
    # (a long sentence's "instead of" is about the letter only when it names its text: "a
    # woman asked for water instead of the canned peaches")
    change = CHANGE.search(folded) and (pointing or _TEXT.search(folded))
    return bool(LETTER_REF.search(folded) or ACT.search(folded) or change
                or APPROVAL.search(folded) or DOUBTING_QUESTION.search(folded)
                or MORE_TIME.search(folded) or (pointing and _POINTING.search(folded)))


# Words for the letter's text and its parts.
_TEXT = re.compile(rf"\b{fragment('text_noun')}\b")


_LONG = 12  # words: a sentence this long has a main clause of its own
_NEWS = 5  # words: a sentence this long may tell news of its own ("Not yet." does not)


# A word that may point back at the letter ("it", "this", "cela", "das").
_POINTING = re.compile(rf"\b{fragment('pointing')}\b")


def _doubting_question(folded: str) -> bool:
    """A question that puts the yes in doubt (about signing, the text, or what it commits
    the organization to), not a side question about a press event or a translation."""
    if NOT_A_CONDITION.search(folded) or _about_other_things(folded):
        return False  # "a question that changes nothing about the yes", "the newsletter?"
    return bool(SIGN.search(folded) or CHANGE.search(folded) or APPROVAL.search(folded)
                or DOUBTING_QUESTION.search(folded))


def _asks_something_else(quoted: str) -> bool:
    """A quoted question that is not the ask: about a call, a contact, a cost."""
    return "?" in quoted and (not ASK_QUESTION.search(quoted) or bool(
        CONTACT_QUESTION.search(quoted) or OTHER_OBJECT.search(quoted)
        or OTHER_ACT.search(quoted)))


def _refuses_something_else(folded: str) -> bool:
    """A sentence that can only be a no to a call, a meeting or an event: it names one and
    not the letter, and any act in it ("join", "sign up") is aimed at that thing."""
    # (not the meeting where it was decided: "we talked about it at the meeting and ...")
    return any(not WHERE_DECIDED.search(folded[:other.start()])
               for other in OTHER_OBJECT.finditer(folded)) \
        and not LETTER_REF.search(folded) \
        and all(OTHER_OBJECT.search(folded, act.end(), act.end() + 30)
                for act in (*SIGN.finditer(folded), *ACT.finditer(folded)))


def _about_other_things(folded: str) -> bool:
    """A sentence about a newsletter, a call or an event, and not about the letter."""
    return bool(OTHER_OBJECT.search(folded)) and not LETTER_REF.search(folded) \
        and (not SIGN.search(folded) or _about_something_else(folded, set()))


@dataclass(frozen=True)
class _Mark:
    """A withdrawal or a reconfirmation worded in one clause of the reply."""

    intent: Intent
    part: int  # the sentence it is in
    doubt: str | None  # why it decides nothing, as a signal ("negated withdrawal"), or None
    retracted: bool  # a later clause takes it back ("Actually, wait")
    refusal: bool = False  # said as a refusal of the letter ("we cannot endorse it")
    negated: bool = False  # "no opt out for us"


_NOUN = {Intent.WITHDRAW: "withdrawal", Intent.RECONFIRM: "reconfirmation"}
# A negated clause before is no doubt when what it negates is the opposite wording: "We will
# not withdraw, keep us on".
_OPPOSITE = {Intent.WITHDRAW: (RECONFIRM,), Intent.RECONFIRM: (WITHDRAW, WITHDRAW_BY_REFUSAL)}


def _marks(folded_parts: list[str]) -> tuple[list[_Mark], list[str]]:
    """The withdrawals and reconfirmations in a reply, and each sentence without the clauses
    they claim (those that are not about something else)."""
    clauses = [(index, clause) for index, folded in enumerate(folded_parts)
               for clause in CLAUSE_END.split(folded) if clause.strip()]
    marks: list[_Mark] = []
    claimed: set[int] = set()
    for at, (index, clause) in enumerate(clauses):
        sentence = folded_parts[index]
        if INSTRUCTION.match(sentence) or INSTRUCTION.match(clause):  # our notice's words
            continue
        # (intent, the words, what else the clause says: only that may negate them)
        wordings = [(Intent.WITHDRAW, WITHDRAW.search(clause), clause),
                    (Intent.RECONFIRM, RECONFIRM.search(clause), clause)]
        refusal = WITHDRAW_BY_REFUSAL.search(clause)
        if wordings[0][1] is None and refusal is not None:
            wordings[0] = (Intent.WITHDRAW, refusal,
                           f"{clause[:refusal.start()]} {clause[refusal.end():]}")
        for intent, match, said in wordings:
            if match is None:
                continue
            earlier = [c for i, c in clauses[:at] if i == index and DENIAL.search(c)
                       and not any(p.search(c) for p in _OPPOSITE[intent])]
            noun = _NOUN[intent]
            doubt = None
            # ("withdraw us for now" is a withdrawal all the same)
            hedged = FOR_NOW.sub(" ", sentence) if intent == Intent.WITHDRAW else sentence
            if DENIAL.search(said) or (earlier and not FRESH.match(clause)):
                doubt = f"negated {noun}"
            elif CONDITION.search(hedged) or HEDGE.search(hedged) or PURPOSE.match(clause):
                doubt = f"conditional {noun}"
            elif QUESTION.search(sentence):
                doubt = f"{noun} in a question"
            # ("remove us from the letter and from your mailing list": the letter, named)
            if doubt is None and OTHER_OBJECT.search(clause) \
                    and not LETTER_REF.search(match.group(0)):
                doubt = f"{noun} of something else"  # the other rules read this clause
            else:
                claimed.add(at)
            retracted = any(RETRACT.match(c) for _, c in clauses[at + 1:])
            marks.append(_Mark(intent, index, doubt, retracted,
                               # ("ne nous inscrivez pas encore": not yet, no refusal)
                               refusal=intent == Intent.WITHDRAW and match is refusal
                               and not LATER.search(sentence),
                               negated=doubt == f"negated {noun}"))
    rest_parts = []
    for index, folded in enumerate(folded_parts):
        mine = [at for at, (i, _) in enumerate(clauses) if i == index]
        rest_parts.append(folded if claimed.isdisjoint(mine) else
                          ", ".join(clauses[at][1] for at in mine if at not in claimed))
    return marks, rest_parts


def _first(parts: list[str], folded_parts: list[str], pattern: Idea) -> str | None:
    for part, folded in zip(parts, folded_parts, strict=True):
        if pattern.search(folded):
            return part
    return None


def _signer_type(yes: str, whole: str) -> str | None:
    """Who signs: an individual when the reply says so, else the organization when the yes
    speaks for it ("we", "on behalf of")."""
    if INDIVIDUAL.search(whole):
        return "individual"
    if ORGANIZATION.search(yes) or ORGANIZATION.search(whole):
        return "organization"
    return None


def _referrals(parts: list[str], own_addresses: Iterable[str]) -> tuple[Referral, ...]:
    own = {a.lower() for a in own_addresses}
    found: dict[str, Referral] = {}
    for part in parts:
        for match in EMAIL.finditer(part):
            email = match.group(0).rstrip(".").lower()
            local = email.split("@", 1)[0]
            if email in own or email in found \
                    or local.split("+")[0] in ("reply", "unsubscribe", "bounce"):
                continue
            before = NAME_BEFORE_EMAIL.search(part[: match.start()])
            found[email] = Referral(email, before["name"] if before else None)
    return tuple(found.values())
