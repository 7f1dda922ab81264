"""Reading a reply to a campaign: sort it (bounce, automatic reply, person), then read a
person's words for what they mean for the letter.

`classify` touches no database, so `outreach classify FILE...` runs it on any file; the
daemon calls the same function with the ask's text and the organization on file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from pathlib import Path
from typing import Any

from outreach.campaign.intent import NOTE_AT_MOST, NOTES_READ, Intent, Understanding, understand
from outreach.campaign.intent_patterns import ANSWERS_BELOW, EMAIL, fold
from outreach.inbound.autoreply import AutoReply
from outreach.inbound.bounces import Bounce
from outreach.inbound.classify import Kind, sort_mail
from outreach.inbound.message import MalformedMessage, header, load_message, sender_address
from outreach.inbound.text import reply_body_text
from outreach.inbound.visible import earlier_messages, heading_sender, under_the_signature


@dataclass(frozen=True)
class Classification:
    kind: Kind
    visible_text: str
    understanding: Understanding | None = None
    bounce: Bounce | None = None
    auto_reply: AutoReply | None = None

    @property
    def intent(self) -> Intent | None:
        return self.understanding.intent if self.understanding else None

    @property
    def return_date(self) -> date | None:
        return self.auto_reply.return_date if self.auto_reply else None

    def as_json(self) -> dict[str, Any]:
        """The keys `outreach classify --json` promises, in order."""
        understanding = self.understanding
        return {
            "kind": self.kind,
            "intent": understanding.intent.value if understanding else None,
            "signer_name": understanding.signer_name if understanding else None,
            "signer_type": understanding.signer_type if understanding else None,
            "referrals": [r.email for r in understanding.referrals] if understanding else [],
            "failed_recipients": list(self.bounce.failed_recipients) if self.bounce else [],
            "bounce_type": self.bounce.bounce_type if self.bounce else None,
            "return_date": self.return_date.isoformat() if self.return_date else None,
            "visible_text": self.visible_text,
        }


def classify(msg: EmailMessage, *, organization: str | None = None,
             exclude: Iterable[str] = (), own_addresses: Iterable[str] = (),
             letter_title: str | None = None) -> Classification:
    """Decide what `msg` is. `exclude` is the text of the ask it answers (never counted);
    `letter_title` the campaign's letter, to tell it from another one a yes names."""
    sorted_ = sort_mail(msg)
    if sorted_.kind != "human":
        return Classification(sorted_.kind, sorted_.visible_text, bounce=sorted_.bounce,
                              auto_reply=sorted_.auto_reply)
    sender = sender_address(msg)
    own = [*own_addresses, *([sender] if sender else [])]
    body = reply_body_text(msg, limit=_READ_LIMIT)
    inline = inline_answers(body)
    notes, resumed = _notes(body, msg)
    # (the writer's words after a colleague's message they pasted in are theirs again)
    shown = "\n\n".join([sorted_.visible_text, *resumed])
    understanding = understand(_with_inline_answers(shown, inline),
                               organization=organization, exclude=exclude, own_addresses=own,
                               inline=inline, letter_title=letter_title,
                               writer=parseaddr(header(msg, "From"))[0],
                               notes=notes, afterthoughts=under_the_signature(body))
    subject = header(msg, "Subject")
    if understanding.intent == Intent.UNKNOWN and _unsubscribe_subject(subject):
        understanding = understand("unsubscribe", own_addresses=own)
    elif understanding.intent == Intent.UNKNOWN and understanding.evidence is None \
            and not understanding.signals \
            and (typed := answer_in_subject(subject, letter_title)) is not None:
        # Nothing in the body, the answer typed after our subject: "Re: Will X sign on? ...
        # -- yes sign us up"
        understanding = understand(typed, organization=organization, own_addresses=own,
                                   letter_title=letter_title)
    elif understanding.intent == Intent.UNKNOWN and understanding.evidence is None \
            and not understanding.signals and (earlier := _own_last_message(body, msg)) \
            and _holds_nothing_back(shown, organization, letter_title):
        # Nothing said now but an afterthought to the writer's own message a minute before,
        # quoted under it ("assinamos" / "esqueci de dizer: Sindicato dos ..."): the two
        # are one answer, in the order they were written.
        # (a yes only: a withdrawal quoted under "ignore my WITHDRAW of last night" is not)
        together = understand(f"{earlier}\n\n{shown}", organization=organization,
                              exclude=exclude, own_addresses=own, letter_title=letter_title,
                              writer=parseaddr(header(msg, "From"))[0])
        if together.intent == Intent.SIGN_ON:
            understanding = together
    return Classification("human", shown, understanding=understanding)


def _holds_nothing_back(text: str, organization: str | None, letter_title: str | None
                        ) -> bool:
    """Whether `text` would leave a yes said before it as it is: not "please disregard my
    yes from this morning", nor "on attend un peu: Annick veut relire avec le CA"."""
    probe = understand(f"{_PROBE_YES}\n\n{text}", organization=organization,
                       letter_title=letter_title)
    return probe.intent == Intent.SIGN_ON and set(probe.signals) <= {"yes"} \
        and probe.signer_name is None  # (nor a name to list, or to spell otherwise)


_PROBE_YES = "Yes, we sign."


def _own_last_message(body: str, msg: EmailMessage) -> str | None:
    """The writer's own message quoted right under the reply (by their address), if the
    first message quoted is theirs and short."""
    sender = sender_address(msg)
    messages = earlier_messages(body)
    if not sender or not messages:
        return None
    heading, message = messages[0]
    if _quoted_sender(heading) != [sender] or _LINK.search(message) \
            or len(message) > NOTE_AT_MOST:
        return None
    return message


def _quoted_sender(heading: str) -> list[str]:
    """The address a quoted message's heading names first (its From), if any."""
    return [address.lower() for address in EMAIL.findall(heading)][:1]


_READ_LIMIT = 256 * 1024
# A link: our own mail carries the draft's and the sign link; a colleague's note rarely does.
_LINK = re.compile(r"https?://|\bwww\.", re.IGNORECASE)


def _notes(body: str, msg: EmailMessage) -> tuple[list[str], list[str]]:
    """Colleagues' messages quoted or forwarded under the reply: from someone other than
    the sender and other than us (the domain the reply was sent to), as short as notes are,
    and without the links our own mail always carries; and the writer's own words after a
    note they pasted in (`_pasted_note`)."""
    sender = sender_address(msg) or ""
    sender_name = fold(parseaddr(header(msg, "From"))[0]).strip()
    ours = {address.rsplit("@", 1)[-1].lower() for _, address in
            getaddresses([header(msg, "To"), header(msg, "Cc")]) if "@" in address}
    notes: list[str] = []
    resumed: list[str] = []
    for heading, message in earlier_messages(body):
        named = _quoted_sender(heading)
        if any(a == sender or a.rsplit("@", 1)[-1] in ours for a in named) \
                or (not named and len(sender_name) > 3 and sender_name in fold(heading)) \
                or _LINK.search(message) or len(message) > NOTE_AT_MOST:
            continue  # (the sender's own earlier "let me check", named without an address)
        note, theirs_again = _pasted_note(heading, message)
        notes.append(note)
        if theirs_again and len(resumed) < NOTES_READ:
            resumed.append(theirs_again)
    return notes[:NOTES_READ], resumed


_SIGN_OFF_WORDS = re.compile(r"[\w'-]+")
# A sentence's end, then at most a short closing and the name: "... know. - Gloria",
# "... mit. Gruß, Wolfgang"
_CLOSES_WITH_NAME = re.compile(r"[.!?]\s*(?:[-\u2013\u2014]\s*)?(?:[\w'-]+,?\s+){0,2}[\w'-]+\W*$")


def _pasted_note(heading: str, message: str) -> tuple[str, str]:
    """A colleague's message and, when the writer pasted it into the middle of the reply,
    the writer's words after it: the note ends at its author's sign-off, a line ending with
    their name or initial ("G.", "- Gloria", "Gruß, Wolfgang"), and what follows it is the
    writer's again ("So we're in. Please list us as ..."). Without such a line the whole
    message is the colleague's."""
    who = heading_sender(heading)
    if who is None:
        return message, ""
    name = parseaddr(who)[0] or who.split("<")[0]
    names = {word for word in _SIGN_OFF_WORDS.findall(fold(name)) if len(word) > 1}
    if not names:
        return message, ""
    initials = {word[0] for word in names}
    lines = message.splitlines()
    for index, line in enumerate(lines[:-1]):
        words = _SIGN_OFF_WORDS.findall(fold(line))
        if not words or not (words[-1] in names or (
                len(words) == 1 and words[0] in initials and line.strip().endswith("."))):
            continue
        # (their name closes a line of their own, or a sentence: "... know. - Gloria")
        if len(words) <= 3 or _CLOSES_WITH_NAME.search(line):
            after = "\n".join(lines[index + 1:]).strip()
            if after:
                return "\n".join(lines[:index + 1]), after
            break
    return message, ""


def _with_inline_answers(visible: str, inline: tuple[tuple[str, str], ...]) -> str:
    """The visible text and, when it says the answers are written inline ("answers below",
    "réponses ci-dessous"), the writer's lines under the quoted ones, which a quoted header
    block ("-----Message d'origine-----") would otherwise hide."""
    # (the visible text keeps inline answers from the first one on, when it keeps them)
    if not inline or not ANSWERS_BELOW.search(fold(visible)) or inline[0][1] in visible:
        return visible
    # (before the visible text, whose signature would end the reading)
    return "\n\n".join([*(own for _, own in inline), visible])


def inline_answers(body: str) -> tuple[tuple[str, str], ...]:
    """The writer's lines that sit under a quote, each with the quoted paragraph just above
    them: what an inline "Yes" answers ("> Are you still the right contact?" / "Yes")."""
    pairs: list[tuple[str, str]] = []
    quote: list[str] = []
    above: list[str] = []  # the quoted paragraph before `quote`
    own: list[str] = []

    def answered() -> str:
        # (a question's paragraph, then "Thanks! Maria": the answer is to the question)
        if above and len(" ".join(quote).split()) <= _SIGN_OFF_LENGTH \
                and "?" not in " ".join(quote):
            return " ".join([*above, *quote])
        return " ".join(quote)

    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith(">"):
            if own:
                pairs.append((answered(), "\n".join(own)))
                quote, above, own = [], [], []
            text = stripped.lstrip("> ").strip()
            if text:
                quote = [*quote, text]
            elif quote:  # a blank quoted line ends a paragraph
                quote, above = [], quote
        elif stripped and quote:
            own.append(stripped)
    if own:
        pairs.append((answered(), "\n".join(own)))
    return tuple(pairs)


_SIGN_OFF_LENGTH = 4  # words: "Thanks! Maria", "Best, Maria Ortega"


_PREFIXES = r"(?:(?:re|aw|wg|tr|fwd?|fw|res|enc|rv|sv|vs)\s*(?:\[\d+\])?\s*:\s*)+"
_REPLY_PREFIX = re.compile(rf"^\s*{_PREFIXES}", re.IGNORECASE)
# The writer's words after our subject and a dash or an arrow: "... Valley Community -- yes
# sign us up", "... Community -> JA wir unterschreiben".
_TYPED_AFTER = re.compile(r"\s(?:--?|\u2013|\u2014|\||[-=]>|\u2192)\s+"
                          r"(?P<answer>[^|\u2013\u2014]+?)\s*$")
# The writer's words typed in front of the client's "Re:": "YES we sign!! Re: Will X sign on?",
# "WITHDRAW - Re: ... has changed: ..."
_TYPED_BEFORE = re.compile(rf"^\s*(?P<answer>[^:]+?)[\s\-\u2013\u2014|]*\s(?={_PREFIXES})",
                           re.IGNORECASE)


def answer_in_subject(subject: str, letter_title: str | None) -> str | None:
    """What the writer typed after our subject (a question or a notice with a colon), or
    instead of it, on a reply whose body says nothing. The letter's title is taken out
    first, so that a dash in it is never read as the writer's."""
    asked = _REPLY_PREFIX.sub("", subject)
    if asked == subject and (before := _TYPED_BEFORE.match(subject)) is not None \
            and _ours(subject[before.end():], letter_title):
        return before["answer"]
    if asked == subject and subject.strip() and not (
            letter_title and letter_title.casefold() in subject.casefold()):
        return subject.strip()  # no "Re:", not ours: the writer typed the answer as the subject
    if letter_title:
        asked = re.sub(re.escape(letter_title), " ", asked, flags=re.IGNORECASE)
    typed = _TYPED_AFTER.search(asked)
    if typed is None or not re.search(r"[?:]", asked[:typed.start()]):
        return None
    return typed["answer"]


def _ours(replied: str, letter_title: str | None) -> bool:
    """Whether a subject after the client's "Re:" is one of our mails': it names the letter,
    or asks or announces something."""
    asked = _REPLY_PREFIX.sub("", replied)
    return bool(letter_title and letter_title.casefold() in asked.casefold()) \
        or bool(re.search(r"[?:]", asked))


def _unsubscribe_subject(subject: str) -> bool:
    return subject.strip().lower() in {"unsubscribe", "remove", "stop", "baja", "desabonner",
                                       "se désabonner", "darme de baja"}


def classify_file(path: Path) -> dict[str, Any]:
    """`outreach classify`'s answer for one file: never raises, reports `error` instead."""
    result: dict[str, Any] = {"file": str(path)}
    empty: dict[str, Any] = {"kind": None, "intent": None, "signer_name": None,
                             "signer_type": None, "referrals": [], "failed_recipients": [],
                             "bounce_type": None, "return_date": None, "visible_text": None}
    try:
        msg = load_message(path.read_bytes())
        result |= classify(msg).as_json()
        result["error"] = None
    except (OSError, MalformedMessage) as exc:
        result |= empty | {"error": str(exc)}
    except Exception as exc:  # a file we cannot read is reported, never a traceback
        result |= empty | {"error": f"{type(exc).__name__}: {exc}"}
    return result
