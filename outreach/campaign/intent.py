"""What a person meant by their reply to an ask: sign on, decline, a question, and so on.

Consent is the rule here: `sign_on` is returned only for a plain, unconditional yes in a
sentence of its own, and only when nothing else in the reply asks for a change, an
approval, more time, or says no. Anything less certain goes to a person (the review
queue), never to the signer list. Rules, not statistics, so every decision can be shown
with the sentence that made it.

A signer answering a change or reissue notice may `withdraw` (take their name off the
letter, opt out of the reissue) or `reconfirm` (keep their name on the new text: confirm,
keep, still). Both are held to the same rule, clause by clause: negated, conditional,
hedged, asked, taken back or aimed at something else, they decide nothing; a reply that
both withdraws and keeps (or says yes) is contradictory and goes to a person. A plain yes
stays `sign_on`, which the caller reads as a reconfirmation from a current signer.

English, Spanish and French. Text is matched case- and accent-insensitively; the evidence
keeps the writer's own words.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from outreach.campaign.intent_patterns import (
    APPROVAL,
    BARE_YES_FILLER,
    CHANGE,
    CLAUSE_END,
    CONDITION,
    DECLINE,
    DENIAL,
    EMAIL,
    FRESH,
    HEDGE,
    INDIVIDUAL,
    INSTRUCTION,
    MORE_TIME,
    NAME_BEFORE_EMAIL,
    NAME_PATTERNS,
    NEGATION,
    ORGANIZATION,
    OTHER_OBJECT,
    PRONOUNS,
    PURPOSE,
    QUESTION,
    RECONFIRM,
    REFERRAL_WORDS,
    RETRACT,
    SENTENCE_END,
    SIGN,
    UNSUBSCRIBE,
    WITHDRAW,
    WITHDRAW_BY_REFUSAL,
    YES_WORD,
    fold,
)

CLASSIFIER_VERSION = "rules-2"


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


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s and s.strip()]


def _words(folded: str) -> list[str]:
    return re.findall(r"[a-z']+", folded)


def _is_bare_yes(folded: str, org_words: set[str]) -> bool:
    if not YES_WORD.match(folded):
        return False
    return all(w in BARE_YES_FILLER or w in org_words for w in _words(folded))


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
        if quoted and not quote_started and _bare(folded) in examples:
            quoted = False
        elif quoted:
            quote_started = True
        if not quoted:
            kept.append(part)
    return kept


def _bare(folded: str) -> str:
    return re.sub(r"\s+", " ", folded).strip(" \t.,;:!?\"'“”«»()[]*-")


def understand(text: str, *, organization: str | None = None, exclude: Iterable[str] = (),
               own_addresses: Iterable[str] = ()) -> Understanding:
    """Read the visible text of a reply. `exclude` is the ask it answers, whose words never
    count; `own_addresses` are the sender's and ours, never taken as referrals."""
    parts = _drop_quoted_ask(sentences(text), exclude)
    folded_parts = [fold(p) for p in parts]
    whole = " \n".join(folded_parts)
    org_words = set(_words(fold(organization or "")))
    referrals = _referrals(parts, own_addresses)
    signals: list[str] = []
    # Withdrawals and reconfirmations are read first, clause by clause; the clauses they
    # claim are not read again by the decline, change, approval and time rules ("we will not
    # withdraw" is no decline, "remove our name" no edit to the text).
    marks, rest_parts = _marks(folded_parts)
    rest = " \n".join(rest_parts)
    withdrawal = next((m for m in marks if m.intent == Intent.WITHDRAW and m.doubt is None),
                      None)
    reconfirmation = next(
        (m for m in marks if m.intent == Intent.RECONFIRM and m.doubt is None), None)

    # "Remove us from the letter" names the letter: a withdrawal, not an unsubscribe.
    mailing = [WITHDRAW.sub(" ", f) for f in folded_parts]
    if UNSUBSCRIBE.search(" \n".join(mailing)):
        if withdrawal is not None:  # two requests: a person does both
            return Understanding(Intent.UNKNOWN, parts[withdrawal.part], referrals=referrals,
                                 signals=("withdraw", "unsubscribe"))
        return Understanding(Intent.UNSUBSCRIBE, _first(parts, mailing, UNSUBSCRIBE),
                             signals=("unsubscribe",))

    sign_at: int | None = None
    for index, folded in enumerate(folded_parts):
        if INSTRUCTION.match(folded):  # "Reply YES to sign on": our words, not theirs
            continue
        if SIGN.search(folded) or _is_bare_yes(folded, org_words):
            if NEGATION.search(folded) or DECLINE.search(folded):
                signals.append("negated yes")
                continue
            if CONDITION.search(folded):
                signals.append("conditional yes")
                continue
            if QUESTION.search(folded):
                signals.append("yes in a question")
                continue
            if OTHER_OBJECT.search(folded):
                signals.append("yes to something else")
                continue
            sign_at = index
            break

    others = [
        (Intent.DECLINE, DECLINE), (Intent.CHANGE_REQUEST, CHANGE),
        (Intent.NEEDS_APPROVAL, APPROVAL), (Intent.MORE_TIME, MORE_TIME),
    ]
    found = [(intent, _first(parts, rest_parts, pattern)) for intent, pattern in others
             if pattern.search(rest)]
    conditional = any(CONDITION.search(f) for f in folded_parts)
    questions = [p for p, f in zip(parts, folded_parts, strict=True) if QUESTION.search(f)]
    signals.extend(m.doubt for m in marks if m.doubt is not None)

    keeping = reconfirmation.part if reconfirmation is not None else sign_at
    if withdrawal is not None and keeping is not None:  # takes the name off and keeps it on
        return Understanding(Intent.UNKNOWN, parts[min(withdrawal.part, keeping)],
                             referrals=referrals, signals=(*signals, "contradictory"))
    held = withdrawal or reconfirmation
    if held is not None and held.retracted:
        signals.append(f"retracted {_NOUN[held.intent]}")
    doubtful = conditional or bool(questions) or (held is not None and held.retracted)
    if withdrawal is not None:  # a decline alongside says the same thing
        if not doubtful and all(intent == Intent.DECLINE for intent, _ in found):
            return Understanding(Intent.WITHDRAW, parts[withdrawal.part], referrals=referrals,
                                 signals=("withdraw",))
        signals.append("withdrawal with reservations")
    elif reconfirmation is not None and sign_at is None:
        if not doubtful and not found and "negated yes" not in signals:
            return Understanding(Intent.RECONFIRM, parts[reconfirmation.part],
                                 referrals=referrals, signals=("reconfirm",))
        signals.append("reconfirmation with reservations")

    if sign_at is not None and not found and not conditional and not questions \
            and "negated yes" not in signals and "conditional yes" not in signals:
        return Understanding(
            Intent.SIGN_ON, parts[sign_at], signer_name=_signer_name(parts),
            signer_type=_signer_type(whole), referrals=referrals, signals=("yes",),
        )
    if sign_at is not None:
        signals.append("yes with reservations")
    for intent, evidence in found:
        if intent == Intent.DECLINE and sign_at is None and held is None:
            return Understanding(intent, evidence, referrals=referrals,
                                 signals=(*signals, "decline"))
    for intent, evidence in found:
        if intent != Intent.DECLINE:
            return Understanding(intent, evidence, signer_name=_signer_name(parts),
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
    return Understanding(Intent.UNKNOWN, parts[shown.part] if shown else None,
                         referrals=referrals, signals=tuple(signals))


@dataclass(frozen=True)
class _Mark:
    """A withdrawal or a reconfirmation worded in one clause of the reply."""

    intent: Intent
    part: int  # the sentence it is in
    doubt: str | None  # why it decides nothing, as a signal ("negated withdrawal"), or None
    retracted: bool  # a later clause takes it back ("Actually, wait")


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
            if DENIAL.search(said) or (earlier and not FRESH.match(clause)):
                doubt = f"negated {noun}"
            elif CONDITION.search(sentence) or HEDGE.search(sentence) or PURPOSE.match(clause):
                doubt = f"conditional {noun}"
            elif QUESTION.search(sentence):
                doubt = f"{noun} in a question"
            if doubt is None and OTHER_OBJECT.search(clause):
                doubt = f"{noun} of something else"  # the other rules read this clause
            else:
                claimed.add(at)
            retracted = any(RETRACT.match(c) for _, c in clauses[at + 1:])
            marks.append(_Mark(intent, index, doubt, retracted))
    rest_parts = []
    for index, folded in enumerate(folded_parts):
        mine = [at for at, (i, _) in enumerate(clauses) if i == index]
        rest_parts.append(folded if claimed.isdisjoint(mine) else
                          ", ".join(clauses[at][1] for at in mine if at not in claimed))
    return marks, rest_parts


def _first(parts: list[str], folded_parts: list[str], pattern: re.Pattern[str]) -> str | None:
    for part, folded in zip(parts, folded_parts, strict=True):
        if pattern.search(folded):
            return part
    return None


def _signer_name(parts: list[str]) -> str | None:
    for part in parts:
        for pattern in NAME_PATTERNS:
            match = pattern.search(part)
            if match:
                name = match["name"].strip().rstrip(".").strip(" ,:;\"'“”‘’«»").strip()
                if 2 <= len(name) <= 150 and not EMAIL.search(name) \
                        and fold(name) not in PRONOUNS and not fold(name).startswith("our "):
                    return name
    return None


def _signer_type(folded: str) -> str | None:
    if INDIVIDUAL.search(folded):
        return "individual"
    if ORGANIZATION.search(folded):
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
