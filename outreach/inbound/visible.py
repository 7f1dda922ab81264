"""What the person wrote in a reply: the visible text without quoted history or signature.

This feeds the intent classifier, so the one thing it must not do is keep quoted words:
a "Reply YES to sign on" from our own ask, quoted back under a reply, must never read as
the person's YES. Where a rule is unsure it cuts; losing a signature-like line is cheap.

The rules work on lines of plain text (HTML-only mail is first rendered by
`outreach.inbound.text.html_to_reply_text`, which marks HTML quoting the same way):

- ">"-quoted lines are dropped wherever they are, so inline answers and bottom-posted
  replies keep the person's own lines. A line right under a long quoted line that reads
  as its continuation (it starts in lower case, or the quoted line stops mid-sentence)
  is a quoted line a client wrapped without its ">", and goes too.
- An attribution ("On <date>, <name> wrote:" and the forms other languages and clients
  use, also wrapped over two or three lines) is dropped with the quote under it. When no
  ">" quote follows it, the original follows unmarked: everything from it on is cut.
  Forms without the closing colon count too when they cannot be a sentence ("Am <date>
  um <time> schrieb <Name>"; "<date> <name> <a@b>" right above a ">" quote), and so does
  an attribution a client ran into the reply's last line ("Thanks. On <date>, <name>
  <a@b> wrote: ..."): the line is kept up to it.
- A reply written above its one quote block ends there: unquoted lines under the only
  quote of a top-posted reply are a footer or wrapped quote, not the answer.
- Everything is cut from the first of: an "-----Original Message-----"-style line (any
  language), "Begin forwarded message:", a line of underscores (Outlook's separator), an
  Outlook header block ("From: / Sent: / To: / Subject:" and its translations), a "reply
  above this line" marker, a "Previous replies" heading, a "-- " signature delimiter, a
  header block a webmail ran into one line ("Temat: … Nadawca: … Adresat: …"), or a
  mobile / mail-app signature ("Sent from my iPhone", "Get Outlook for Android",
  "Enviado desde mi iPhone", ...). An app signature above anything the person wrote is
  dropped alone: some apps put it first.
- A closing block of contact details (two lines or more with an address, a web address
  or a phone number, nothing that reads as a sentence) is a signature and goes, unless
  the text introduces it ("Please list us as:"). Sign-offs such as "Thanks,\nJane" are
  kept: they cannot be told from what a person wrote with enough certainty.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from email.message import EmailMessage

from outreach.inbound.text import reply_body_text

# ---------------------------------------------------------------------------------------
# Attribution lines ("On ... wrote:")

# How an attribution line ends, per language. Matched on the line(s) joined by spaces.
_ATTRIBUTION_END = re.compile(
    r"(?:"
    r"\bwrote|\bwrites"                                          # English
    r"|\ba\s+écrit|\bécrit"                                      # French
    r"|\bescribió|\bescribio"                                    # Spanish
    r"|\bschrieb(?:\s+.{1,150})?"                                # German (… schrieb Name <a@b>:)
    r"|\bha\s+scritto|\bscrisse"                                 # Italian
    r"|\bschreef(?:\s+.{1,150})?|\bgeschreven"                   # Dutch
    r"|\bescreveu"                                               # Portuguese
    r"|\bpisze|\bnapisał(?:a|\(a\))?|\bnapisal(?:a|\(a\))?"      # Polish
    r"|\bnapsal(?:a|\(a\))?"                                     # Czech, Slovak
    r"|\bskrev(?:\s+.{1,150})?|\bskriver"                        # Nordic (… skrev Name <a@b>:)
    r"|\bnapisao|\bnapisala|\bkirjoitti|\byazdı|\bέγραψε|\bkirjutas|\brašė"
    r"|\bírta(?:\s*\([^()]{1,80}\))?"                             # Hungarian (… írta (időpont: …):)
    r"|\bviết|\bmenulis|\ba\s+scris|\bva\s+escriure"
    r"|написал(?:а|\(а\))?|написала|написав|пишет|писал|пише"    # Russian, Ukrainian
    r"|写道|寫道|のメッセージ|書きました|書き込みました|작성"    # Chinese, Japanese, Korean
    r"|كتب|כתב|נכתב|نوشت"                                       # Arabic, Hebrew, Persian
    r"|(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\s*+[>\])]*+"  # … Name <a@b.c>:
    r")\s*+[:：]\s*+$",
    re.IGNORECASE,
)
# "On <date>, <name> wrote" without the colon, as some clients write it.
_ON_WROTE_NO_COLON = re.compile(r"^On\s(?=.*\d).*\bwrote$", re.IGNORECASE)
# How the first line of a wrapped (multi-line) attribution starts.
_ATTRIBUTION_START = re.compile(
    r"^(?:(?:On|Am|Le|El|Il|In data|Op|Em|W dniu|Dnia|Den|På|Dne|Dňa|Pada|Vào)\b|\d"
    r"|[^\W\d_]{2,4}\.?,?\s+\d"
    r"|[^<>\n]{0,80}<[^<>\s@]+@[^<>\s]+>\s+(?:schrieb|wrote|a\s+écrit|escribió|escreveu|schreef"
    r"|ha\s+scritto|skrev|napisał)\b)",
    re.IGNORECASE,
)
# An attribution that puts its verb first (Apple Mail in Polish: "Wiadomość napisana przez
# <name> w dniu <date>:"): it ends in a colon like the others and names a date.
_VERB_FIRST = re.compile(r"^(?:wiadomość\s+napisana\s+przez|message\s+written\s+by)\s", re.I)
# An attribution without its colon ("Am 20.06.24 um 16:20 schrieb <name>"): an opening
# word, a time or an address, then the verb and at most a name after it.
_OPEN_ATTRIBUTION = re.compile(
    r"^(?:On|Am|Le|El|Em|Op|Il|Den)\s(?=[^\n]*?(?:\d{1,2}[:.]\d{2}\b|@))[^\n]{0,200}?"
    r"\b(?:wrote|schrieb|a\s+écrit|escribió|escreveu|schreef|ha\s+scritto|skrev)"
    r"(?P<name>\s+[^.!?:\n]{1,60})?$",
    re.IGNORECASE,
)
# "<date> <name> <a@b>" alone right above a ">" quote: Gmail's old attribution (no colon).
_DATE_NAME_ADDRESS = re.compile(
    r"^\d{4}[/.-]\d{1,2}[/.-]\d{1,2}\b[^<>\n]{0,80}<[^<>\s@]+@[^<>\s]+>$")
# "… text. On <date>, <name> <a@b> wrote: …": an attribution that a client ran into the
# reply's last line. What comes before it on the line is the reply.
_INLINE_ATTRIBUTION = re.compile(
    r"(?<=[.!?])\s+On\s(?=[^\n]{0,200}?(?:@|\d{1,2}:\d{2}\b|\d{1,4}/\d{1,2}/\d{1,4}))"
    r"[^\n]{0,200}?\bwrote\s*:", re.IGNORECASE)
# Lower-case words that still make a name ("Maria de la Cruz wrote:", "you wrote:").
_NAME_PARTICLES = frozenset({"de", "da", "di", "do", "du", "van", "von", "der", "den", "la", "le",
                             "del", "dos", "das", "ten", "ter", "bin", "al", "y", "e",
                             "you", "he", "she", "they", "we", "i"})
# A later line that would start an attribution of its own (so the span starts there).
_STRONG_START = re.compile(r"^(?:On|Am|Le|El|Il|Op|Em|W dniu|Dnia|Den)\s", re.IGNORECASE)
_DATE_LIKE = re.compile(r"\d{1,4}[:./-]\d{1,2}|\b\d{1,2}:\d{2}\b|\b(?:19|20)\d{2}\b")
_EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_LEADING_PUNCT = re.compile(r"^[-–—*_=\s]+")
# "---- On <date> <a@b> wrote ----" (Zoho): from the first space in the closing run of
# rule characters (group 1 keeps what comes before that space).
_TRAILING_PUNCT = re.compile(r"(?<![-–—*_=\s])([-–—*_=]*+)\s[-–—*_=\s]{2,}+$")

# ---------------------------------------------------------------------------------------
# Lines from which everything is cut

# "-----Original Message-----", "-------- Message d'origine --------", "---Original Message---",
# "---------- Forwarded message ---------", "-----Ursprüngliche Nachricht-----", ...
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*[-=_*~]{2,}\s*+[^-=_*~]{0,40}?"
    r"(?:message|nachricht|mensaje|mensagem|messaggio|bericht|meddelelse|meddelande|besked"
    r"|melding|viesti|wiadomość|wiadomosc|zpráva|správa|сообщение|повідомлення|üzenet|ileti"
    r"|e-?mail|邮件|郵件|メッセージ|메시지)"
    r"[^-=_*~]{0,40}?[-=_*~]{2,}\s*$"
    r"|^\s*-{2,}\s*(?:original|forwarded|oprindelig|ursprüngliche|weitergeleitete)\b.*$",
    re.IGNORECASE,
)
_FORWARDED = re.compile(
    r"^\s*(?:Begin forwarded message|Anfang der weitergeleiteten (?:E-Mail|Nachricht)"
    r"|Début du message réexpédié|Début du message transféré|Inicio del mensaje reenviado"
    r"|Início da mensagem reencaminhada|Inizio messaggio inoltrato|Begin doorgestuurd bericht"
    r"|Vidarebefordrat meddelande|Videresendt meddelelse|Пересылаемое сообщение"
    r"|Forwarded message|Mensaje reenviado|Message transféré|Weitergeleitete Nachricht)\s*+:?\s*+$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{2,}\s*$")
_SIGNATURE_DELIMITER = re.compile(r"^--\s*$")
_REPLY_ABOVE = re.compile(
    r"\b(?:reply|respond|write|type|answer)\b.{0,30}\babove (?:this|the) line\b"
    r"|\bantworten sie oberhalb\b|\brépondez au-dessus\b|\bresponda por encima\b",
    re.IGNORECASE,
)
# A heading over earlier messages that a system appends under the reply ("Previous Replies").
_HISTORY_HEADING = re.compile(
    r"^\W*+(?:(?:previous|earlier|older) (?:replies|messages|posts|emails|discussion)"
    r"|(?:conversation|message|thread|email|ticket) history)\W*$",
    re.IGNORECASE,
)
# A line that is only a separator: dashes, equals signs, underscores, stars.
_RULE_LINE = re.compile(r"^\s*[-=_*~—–]{3,}\s*$")

# Mobile and mail-app signatures, in the form those apps write them. Each must be the
# whole line (an optional link after it aside) and short, so a sentence that happens to
# start the same way ("Sent from my desk, is much easier ...") is kept.
_APP_SIGNATURE = re.compile(
    r"^(?:"
    r"sent (?:from|with|via|using)\b"
    r"|sent from my\b"
    r"|get (?:outlook|the \w+ app|gmail|yahoo)\b"
    r"|envoyé (?:de|depuis|à partir de|avec|par)\b"
    r"|obtenir outlook\b|télécharger outlook\b"
    r"|enviado (?:desde|de|do|con|com|a partir)\b|obtener outlook\b|obtenga outlook\b"
    r"|gesendet (?:von|mit|vom|über|aus)\b|von meinem\b.*\bgesendet$|outlook für \w+ beziehen$"
    r"|verzonden (?:vanaf|vanuit|met|via|van)\b|verstuurd (?:vanaf|vanuit|met|via|van)\b"
    r"|outlook voor \w+ downloaden$"
    r"|inviato (?:da|dal|dalla|con|tramite)\b|scarica outlook\b"
    r"|skickat från\b|skickades från\b|sendt fra\b|lähetetty\b"
    r"|wysłane z\b|wysłano z\b|odesláno z\b|poslano z\b|trimis de pe\b|.{0,30}\bküldve$"
    r"|отправлено (?:с|из|со)\b|надіслано з\b"
    r"|.{0,20}から送信$|发自我的|发送自我的|从我的.{0,20}发送|來自我的|寄件自"
    r")",
    re.IGNORECASE,
)
_TRAILING_LINK = re.compile(r"(?<!\s)\s*+(?:<[^<>]*>|\([^()]*\)|\[[^\[\]]*\])\s*+$")

# ---------------------------------------------------------------------------------------
# Outlook-style header blocks ("From: … / Sent: … / To: … / Subject: …")

_COLON = re.compile("[:：]")
_HEADER_LINE = re.compile(r"^\s*+[*_]*+\s*+([^\W\d_][^:：]{0,24}?)\s*+[*_]*+\s*+[:：]")
_FROM_KEYS = frozenset({
    "from", "de", "von", "van", "da", "od", "от", "від", "fra", "från", "lähettäjä", "feladó",
    "kimden", "发件人", "寄件者", "寄件人", "差出人", "보낸 사람", "afsender", "remitente",
    "nadawca", "emisor", "od kogo", "від кого", "от кого", "avsändare", "mittente", "expéditeur",
    "מאת", "من",
})
_DATE_KEYS = frozenset({
    "sent", "date", "envoyé", "envoyé le", "gesendet", "datum", "verzonden", "inviato",
    "data", "enviado", "enviado el", "enviada em", "fecha", "wysłano", "wysłane", "отправлено",
    "дата", "sendt", "skickat", "dato", "lähetetty", "päivämäärä", "发送时间", "时间", "日期",
    "送信日時", "日時", "tarih", "gönderildi", "elküldve", "dátum", "message du", "odesláno",
    "sent at", "received", "gesendet am", "verstuurd", "보낸 날짜", "enviado em",
})
_TO_KEYS = frozenset({
    "to", "à", "a", "an", "aan", "para", "do", "кому", "til", "till", "vastaanottaja",
    "收件人", "宛先", "címzett", "kime", "komu", "받는 사람", "destinataire", "destinatario",
    "empfänger", "mottagare", "adresat",
})
_SUBJECT_KEYS = frozenset({
    "subject", "objet", "sujet", "betreff", "onderwerp", "oggetto", "asunto", "assunto",
    "temat", "тема", "emne", "ämne", "aihe", "主题", "主旨", "件名", "tárgy", "konu",
    "předmět", "predmet", "제목",
})
_CC_KEYS = frozenset({
    "cc", "bcc", "copie à", "kopie", "kopia", "копия", "копія", "cco", "kopio", "másolat",
    "抄送", "副本", "kopi", "reply-to", "antwort an", "répondre à", "responder a",
})
_HEADER_KINDS = {
    **{key: "from" for key in _FROM_KEYS},
    **{key: "date" for key in _DATE_KEYS},
    **{key: "to" for key in _TO_KEYS},
    **{key: "subject" for key in _SUBJECT_KEYS},
    **{key: "cc" for key in _CC_KEYS},
}

# An e-mail or web address on a signature line; phone numbers are `_PHONE`.
_CONTACT = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+|\bhttps?://|\bwww\.[\w-]+\.\w")
_PHONE = re.compile(r"\+?\(?\d[\d ().-]{5,}\d")
_DATE_SHAPE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")

_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u200e\u200f\u2060\u202a-\u202e]")
_QUOTED = re.compile(r"^[ \t]*>(?!\s*[:：]\s*$)")  # ">:" alone ends a wrapped "<a@b.c\n>:"
_MAX_CHARS = 64 * 1024  # of text read: far more than anyone writes above a quote
_MAX_HTML = 64 * 1024  # of an HTML body's source read to find that text
_MAX_LINES = 2_000  # of lines read: each costs a few rules; a reply is far shorter
_WRAPPED_QUOTE_MIN = 50  # a quoted line this long may have been wrapped by the client
_SENTENCE_END = (".", "?", "!", ":", ";", '"', "'", ")", "”", "»")


def visible_text(msg: EmailMessage) -> str:
    """What the sender wrote now, from a message as `load_message` returns it."""
    return visible_text_from_body(reply_body_text(msg, limit=_MAX_HTML))


def visible_text_from_body(text: str) -> str:
    """What the sender wrote now, from a plain-text body."""
    lines, hidden, cut = _read(text)
    postscripts = ["\n".join(paragraph) for paragraph in _under_signature(lines, hidden, cut)
                   if POSTSCRIPT.match(paragraph[0])]
    cut = min(cut, _top_post_cut(lines, hidden, cut))
    text = _assemble(lines[:cut], hidden[:cut])
    return "\n\n".join([text, *postscripts]) if postscripts else text


def under_the_signature(text: str) -> list[str]:
    """The sender's sentences under a "-- " signature or an app's "Sent from my iPhone",
    above the quoted original, each paragraph on one line. The visible text leaves them
    out but for postscripts (a signature's lines are no answer); a writer may still put an
    afterthought there ("Still need Rob's sign-off before it's official")."""
    lines, hidden, cut = _read(text)
    return [said for paragraph in _under_signature(lines, hidden, cut)
            if (said := said_lines(paragraph))]


def said_lines(paragraph: Iterable[str]) -> str:
    """The lines of a paragraph under a signature that read as sentences (four words or
    more, no address, link or phone number: not a name, a title or contact details), on
    one line; empty when there are none."""
    return " ".join(line.strip() for line in paragraph if len(line.split()) >= 4
                    and not _CONTACT.search(line) and not _PHONE.search(line))


def _read(text: str) -> tuple[list[str], list[bool], int]:
    """The body's lines, which of them are not the sender's own (quoted, attributions),
    and where the sender's reply ends."""
    lines = _normalize(text)
    hidden = _quoted_lines(lines)  # grows to every line that is not the sender's own
    cut = len(lines)
    own_text = False  # whether a line of the sender's own has been passed yet
    i = 0
    while i < cut:
        if hidden[i] or not lines[i].strip():
            i += 1
            continue
        span = _attribution_span(lines, hidden, i)
        if span:
            following = _next_nonblank(lines, i + span)
            if following is None or not hidden[following]:
                if _reads_as_sentence(lines[i:i + span]):
                    i += 1  # "... as we wrote:" followed by more of the sender's text
                    continue
                cut = i  # the original follows without ">": cut from here
                break
            for j in range(i, i + span):
                hidden[j] = True
            i += span
            continue
        inline = _INLINE_ATTRIBUTION.search(lines[i])
        if inline:  # the reply's last line ran into the attribution: keep what comes first
            lines[i] = lines[i][: inline.start()]
            cut = i + 1
            break
        start = _cut_start(lines, i)
        if start is not None:
            if start == i and not own_text and _is_app_signature(lines[i]):
                hidden[i] = True  # "Sent from my iPhone" above the reply: not its end
                i += 1
                continue
            cut = start
            break
        own_text = True
        i += 1
    return lines, hidden, cut


# A postscript opening a line: "P.S.", "PS:", "P.-S.", "PPS", "P.D." (posdata), "Nachtrag:"
POSTSCRIPT = re.compile(r"^\W*(?:p\.?\s?(?:p\.?\s?)?-?\s?s\b|p\.\s?d\.|pd:|post-?scriptum"
                         r"|nachtrag\b|n\.\s?b\.)", re.IGNORECASE)


def _under_signature(lines: list[str], hidden: list[bool], cut: int) -> list[list[str]]:
    """The paragraphs under the reply when it ends at a "-- " signature or an app's "Sent
    from my iPhone", up to the quoted original; a postscript ("P.S. On your letter: yes")
    opens a paragraph of its own."""
    if cut >= len(lines) or not (_SIGNATURE_DELIMITER.match(lines[cut])
                                 or _is_app_signature(lines[cut])):
        return []
    found: list[list[str]] = []
    inside = False
    for i in range(cut + 1, len(lines)):
        line = lines[i]
        if hidden[i] or _attribution_span(lines, hidden, i) or (
                _cut_start(lines, i) is not None and not _SIGNATURE_DELIMITER.match(line)):
            break
        if not line.strip() or _SIGNATURE_DELIMITER.match(line):
            inside = False
            continue
        if POSTSCRIPT.match(line) or not inside:
            inside = True
            found.append([])
        found[-1].append(line)
    return found


def _quote_blocks(lines: list[str], hidden: list[bool], end: int) -> list[tuple[int, int]]:
    """The (start, end) of each run of hidden lines before `end`, blank lines bridging."""
    blocks: list[tuple[int, int]] = []
    i = 0
    while i < end:
        if not hidden[i]:
            i += 1
            continue
        start = i
        while i < end and (hidden[i] or not lines[i].strip()):
            i += 1
        blocks.append((start, i))
    return blocks


def _top_post_cut(lines: list[str], hidden: list[bool], end: int) -> int:
    """A reply written above one quote block ends where that quote starts.

    Unquoted lines after the only quote of a top-posted reply are not the sender's answer
    (a footer, or quoted lines a client wrapped without ">"), so they go. Inline answers
    (quote, answer, quote, answer) and bottom posts (the quote first) are kept.
    """
    blocks = _quote_blocks(lines, hidden, end)
    if len(blocks) != 1:
        return end
    start, stop = blocks[0]
    above = [line.strip() for line in lines[:start] if line.strip()]
    below = [line for line in lines[stop:end] if line.strip()]
    if not below or not above or _is_salutation(above):
        return end
    return start


def _is_salutation(above: list[str]) -> bool:
    """ "Hi Anna," alone above a quote: the answer is below it."""
    return len(above) == 1 and above[0].endswith((",", ":")) and len(above[0].split()) <= 4


def _assemble(lines: list[str], hidden: list[bool]) -> str:
    """The sender's lines; blank lines right under a removed quote go with it."""
    kept: list[str] = []
    after_hidden = False
    for line, is_hidden in zip(lines, hidden, strict=True):
        if is_hidden:
            after_hidden = True
        elif line.strip():
            kept.append(line)
            after_hidden = False
        elif not after_hidden:
            kept.append(line)
    return _finish(kept)


# ---------------------------------------------------------------------------------------


def _normalize(text: str) -> list[str]:
    """Lines without line-end variants, invisible marks or trailing blanks; a body past
    `_MAX_CHARS` / `_MAX_LINES` is cut there (no one types that much above a quote)."""
    text = text[:_MAX_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text).replace("\xa0", " ")
    return [line.rstrip() for line in text.split("\n", _MAX_LINES)[:_MAX_LINES]]


def _quoted_lines(lines: list[str]) -> list[bool]:
    """Which lines belong to a ">" quote, counting lines a client wrapped without ">"."""
    quoted = [bool(_QUOTED.match(line)) for line in lines]
    i = 0
    while i < len(lines):
        if quoted[i] or not lines[i].strip() or i == 0 or not quoted[i - 1]:
            i += 1
            continue
        end = i  # an unquoted run right under a quoted line
        while end < len(lines) and lines[end].strip() and not quoted[end]:
            end += 1
        if _continues(lines[i - 1], lines[i]):
            wedged = end < len(lines) and quoted[end]  # quoted again right after the run
            for j in range(i, end if wedged else i + 1):
                quoted[j] = True
        i = end
    return quoted


def _continues(quoted_line: str, line: str) -> bool:
    """Whether `line` is the wrapped end of a long quoted line rather than an answer to it."""
    previous = quoted_line.lstrip(" \t>").rstrip()
    if len(previous) < _WRAPPED_QUOTE_MIN:
        return False
    first = line.lstrip()[:1]
    return first.islower() or not previous.endswith(_SENTENCE_END)


def _next_nonblank(lines: list[str], start: int) -> int | None:
    for j in range(start, len(lines)):
        if lines[j].strip():
            return j
    return None


def _is_attribution(joined: str) -> bool:
    text = _TRAILING_PUNCT.sub(r"\1", _LEADING_PUNCT.sub("", joined))
    if not 6 <= len(text) <= 320:
        return False
    if _ON_WROTE_NO_COLON.match(text):
        return True
    if _VERB_FIRST.match(text):
        return text.endswith((":", "：")) and bool(_DATE_LIKE.search(text))
    match = _ATTRIBUTION_END.search(text)
    if not match:
        return False
    before = text[: match.start()].strip(" ,")
    if not before:
        return False  # "wrote:" alone ends a wrapped line; the header starts above
    if _EMAIL.match(match.group(0)):
        # "<date>, <name> <a@b.c>:" — without a date it may be a sentence ending in an address
        return bool(_DATE_LIKE.search(before))
    return True


def _reads_as_sentence(part: list[str]) -> bool:
    """An attribution with no date, address or opening word ("Name wrote:") whose name part
    reads as words of a sentence ("Yes, as we wrote:") rather than as a name."""
    text = _TRAILING_PUNCT.sub(r"\1", _LEADING_PUNCT.sub("", " ".join(x.strip() for x in part)))
    if _DATE_LIKE.search(text) or _EMAIL.search(text) or _STRONG_START.match(text):
        return False
    match = _ATTRIBUTION_END.search(text)
    words = text[: match.start()].split() if match else []
    return any(word[:1].islower() and word.strip(",.") not in _NAME_PARTICLES for word in words)


def _attribution_span(lines: list[str], quoted: list[bool], i: int) -> int:
    """How many lines (1 to 3) from `i` form an attribution line, or 0."""
    best = 0
    for size in (1, 2, 3):
        end = i + size
        if end > len(lines):
            break
        part = lines[i:end]
        if not part[-1].strip() or quoted[end - 1]:
            break
        if size == 1 and _single_line_attribution(lines, quoted, i):
            return 1
        if not part[-1].rstrip().lower().endswith((":", "：", "wrote", "-")):
            continue  # an attribution ends in a colon ("wrote" and "wrote ----" aside)
        if size > 1:
            if not _ATTRIBUTION_START.match(_LEADING_PUNCT.sub("", part[0])):
                break
            if part[0].rstrip().endswith((".", "!", "?")):
                break
            if any(_STRONG_START.match(line.strip()) for line in part[1:]):
                break
        joined = " ".join(line.strip() for line in part)
        if _is_attribution(joined):
            best = size
            break
    return best


def _single_line_attribution(lines: list[str], quoted: list[bool], i: int) -> bool:
    """The attribution forms without a closing colon: "Am <date> <time> schrieb <Name>",
    and "<date> <name> <a@b>" right above a ">" quote."""
    line = lines[i].strip()
    match = _OPEN_ATTRIBUTION.match(line)
    if match:  # what follows the verb must read as a name, not as the rest of a sentence
        return all(word[:1].isupper() or not word[:1].isalpha() or word in _NAME_PARTICLES
                   for word in (match.group("name") or "").split())
    if _DATE_NAME_ADDRESS.match(line):
        following = _next_nonblank(lines, i + 1)
        return following is not None and quoted[following]
    return False



def _header_kind(line: str) -> str | None:
    """What an Outlook-style header line names ("from", "date", ...), or None. Only the
    line up to its first colon counts, and only short ones are remembered."""
    colon = _COLON.search(line)
    if colon is None:
        return None
    name = line[: colon.end()]
    return _remembered_kind(name) if len(name) <= 200 else _kind(name)


def heading_sender(heading: str) -> str | None:
    """The value of a quoted header block's From line ("Rosa Lemus <rosa@…>"), in any of the
    languages `_HEADER_KINDS` knows, or None."""
    for line in heading.splitlines():
        if _header_kind(line) == "from":
            colon = _COLON.search(line)
            assert colon is not None  # (a header line has one)
            return line[colon.end():].strip()
    return None


def _kind(name: str) -> str | None:
    match = _HEADER_LINE.match(name)
    if not match:
        return None
    key = re.sub(r"\s+", " ", match.group(1)).strip().lower()
    return _HEADER_KINDS.get(key)


_remembered_kind = functools.lru_cache(maxsize=4096)(_kind)


def _header_block_start(lines: list[str], i: int) -> int | None:
    """Where an Outlook-style header block around a "From:" line at `i` starts, if it is one."""
    if _header_kind(lines[i]) != "from":
        return None
    start = i
    kinds: set[str] = set()
    while start > 0:
        kind = _header_kind(lines[start - 1])
        if kind is None or kind == "from":
            break
        kinds.add(kind)
        start -= 1
    loose = 0  # lines that are not headers: a wrapped address, "On Behalf Of ..."
    for line in lines[i + 1: i + 12]:
        kind = _header_kind(line)
        if kind is not None and kind != "from":
            kinds.add(kind)
            loose = 0
        elif not line.strip() or loose >= 2:
            break
        else:
            loose += 1
    return start if len(kinds) >= 2 else None


def _is_app_signature(line: str) -> bool:
    text = line.strip()
    if not text or len(text) > 120:
        return False
    bare = text
    while True:
        shorter = _TRAILING_LINK.sub("", bare)
        if shorter == bare:
            break
        bare = shorter
    bare = bare.rstrip(" .")
    if not bare or not _APP_SIGNATURE.match(bare):
        return False
    if re.search(r"[,;!?]", bare):
        return False  # a sentence, not an app's line
    return len(bare.split()) <= 9


def _cut_start(lines: list[str], i: int) -> int | None:
    """Where to cut when the quoted original, a forward or the signature starts at `i`."""
    line = lines[i]
    if (
        _SIGNATURE_DELIMITER.match(line)
        or _UNDERSCORES.match(line)
        or _ORIGINAL_MESSAGE.match(line)
        or _FORWARDED.match(line)
        or _REPLY_ABOVE.search(line)
        or _HISTORY_HEADING.match(line)
        or _is_app_signature(line)
    ):
        return i
    if _flattened_header(line):
        return i
    return _header_block_start(lines, i)


# A word before a colon inside a line: a header name when `_HEADER_KINDS` knows it (names
# of three letters or more: short ones such as "a:" or "da:" occur in prose).
_NAME_COLON = re.compile(r"(?<![^\W\d_])([^\W\d_]{3,25})\s*[:：]")
_FLATTENED_SPAN = 300  # of a line searched for header names: a run-in header block is short


def _flattened_header(line: str) -> bool:
    """A header block run into one line ("Temat: Re: … Nadawca: … Adresat: …"): a line
    that starts with a header name and names a sender and two other fields."""
    if _header_kind(line) is None:
        return False
    kinds = {_HEADER_KINDS.get(m.group(1).lower()) for m in
             _NAME_COLON.finditer(line[:_FLATTENED_SPAN])}
    return "from" in kinds and len(kinds - {None}) >= 3


def _finish(kept: list[str]) -> str:
    """Drop the rules and blank lines a cut leaves at the end, and a contact block; join."""
    _drop_trailing_rules(kept)
    _drop_contact_block(kept)
    return "\n".join(kept).strip()


def _drop_trailing_rules(kept: list[str]) -> None:
    while kept and (not kept[-1].strip() or _RULE_LINE.match(kept[-1])):
        kept.pop()


def _drop_contact_block(kept: list[str]) -> None:
    """A signature without a "-- " line: contact details closing the text, under a rule
    line or as its last paragraph ("Jane Doe / jane@river.example / (555) 346-9947").
    Two contact lines at least, and nothing that reads as a sentence, or it stays."""
    rules = [n for n, line in enumerate(kept) if _RULE_LINE.match(line)]
    blanks = [n for n, line in enumerate(kept) if not line.strip()]
    for start in (rules[-1] if rules else None, blanks[-1] + 1 if blanks else None):
        if start is None or not any(line.strip() for line in kept[:start]):
            continue  # the whole text is the block: then it is what was written
        block = [line.strip() for line in kept[start:] if line.strip() and not
                 _RULE_LINE.match(line)]
        above = [line.strip() for line in kept[:start] if line.strip()]
        if (
            2 <= len(block) <= 12
            and sum(_is_contact(line) for line in block) >= 2
            and not any(_reads_as_prose(line) for line in block)
            and not above[-1].endswith((":", "："))  # "Please list us as:" introduces it
        ):
            del kept[start:]
            _drop_trailing_rules(kept)
            return


def _is_contact(line: str) -> bool:
    if _CONTACT.search(line):
        return True
    return any(
        sum(c.isdigit() for c in found) >= 7 and not _DATE_SHAPE.fullmatch(found.strip())
        for found in _PHONE.findall(line)
    )


def _reads_as_prose(line: str) -> bool:
    return len(line) > 60 or (len(line.split()) >= 6 and line.endswith((".", "!", "?", ":")))


def earlier_messages(text: str) -> list[tuple[str, str]]:
    """The messages quoted or forwarded under a reply, newest first, as (the lines that
    introduce it: attribution or header block, its text without ">" marks): what a
    colleague wrote ("Vero, before you say yes -- hold on") as much as the original."""
    lines = _normalize(text)
    own = [line for line in visible_text_from_body(text).splitlines() if line.strip()]
    start = next((i + 1 for i, line in enumerate(lines) if own and line == own[-1]), 0)
    below = [_QUOTE_MARKS.sub("", line) for line in lines[start:]]
    messages: list[tuple[list[str], list[str]]] = []
    unquoted = [False] * len(below)
    i = 0
    while i < len(below):
        span = _attribution_span(below, unquoted, i)
        if span:
            messages.append((below[i:i + span], []))
            i += span
            continue
        if _ORIGINAL_MESSAGE.match(below[i]) or _FORWARDED.match(below[i]) \
                or _header_block_start(below, i) == i:
            first = i
            i += 1
            while i < len(below) and below[i].strip() and _header_kind(below[i]):
                i += 1  # the header block
            messages.append((below[first:i], []))
            continue
        if messages:
            messages[-1][1].append(below[i])
        i += 1
    return [("\n".join(heading), visible_text_from_body("\n".join(body)))
            for heading, body in messages if any(line.strip() for line in body)]


_QUOTE_MARKS = re.compile(r"^(?:\s*>)+ ?")
