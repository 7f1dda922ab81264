"""The readable text of a message: its text/plain part, or its HTML turned into text.

Two renderings of HTML live here. `html_to_text` is the plain one (block elements become
lines, `<blockquote>` lines get a "> " prefix). `html_to_reply_text` is for reading what a
person wrote in a reply: it also marks what mail clients use to hold the quoted
original (Gmail's `gmail_quote`, Yahoo's `yahoo_quoted`, Thunderbird's
`moz-cite-prefix`, Outlook for Mac's `OLK_SRC_BODY_SECTION`, ...) with "> ", puts a line
of underscores where a client starts the original below a separator (Outlook's
`appendonsend` / `divRplyFwdMsg`, a top border, `<hr>`), and leaves signature blocks
out. The plain-text rules in `outreach.inbound.visible` take it from there.
"""

from __future__ import annotations

import re
from email.message import EmailMessage, Message
from html.parser import HTMLParser

BLOCK_TAGS = frozenset({
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "hr", "section", "article", "header", "footer", "address",
})
SKIP_TAGS = frozenset({"script", "style", "head", "title", "template"})
VOID_TAGS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "basefont", "frame", "isindex", "keygen",
})

# A line of underscores is what Outlook itself writes above the quoted original in plain
# text; the reply rendering uses it for the HTML separators, so both reach one rule.
SEPARATOR_LINE = "_" * 32

# Elements that hold the quoted original (class names match as prefixes, ids exactly or
# after a webmail's prefix such as "x_").
_QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote",
                  "tutanota_quote", "zmail_extra", "ms-outlook-mobile-reference-message")
_QUOTE_IDS = ("olk_src_body_section", "mail-editor-reference-message-container")
# Elements that start the quoted original, which then follows as their siblings.
_SEPARATOR_CLASSES = ("outlookmessageheader",)
_SEPARATOR_IDS = ("appendonsend", "divrplyfwdmsg", "stopspelling")
_SIGNATURE_CLASSES = ("gmail_signature", "moz-signature", "signature_container")
_SIGNATURE_IDS = ("signature", "applemailsignature", "ms-outlook-mobile-signature",
                  "ms-outlook-ios-signature")
_BORDER_TOP = re.compile(r"border-top(?:-style)?\s*:[^;]*\bsolid\b", re.IGNORECASE)
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype[^>]*>\s*)?"
    r"<(?:html|head|body|div|p|span|table|meta|font|blockquote)\b",
    re.IGNORECASE | re.DOTALL,
)


def decode_part(part: Message) -> str:
    """A text part's content, whatever its declared (or missing, or wrong) charset."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    charset = part.get_content_charset() or "utf-8"
    for candidate in (charset, "utf-8", "cp1252"):
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1")


def _ends_with(value: str, names: tuple[str, ...]) -> bool:
    """Ids match with any prefix, as webmail rewrites them (`x_divRplyFwdMsg`)."""
    return any(value == name or value.endswith("_" + name) for name in names)


class _Frame:
    __slots__ = ("quote", "skip", "tag")

    def __init__(self, tag: str, quote: bool, skip: bool) -> None:
        self.tag = tag
        self.quote = quote
        self.skip = skip


class _TextFromHtml(HTMLParser):
    """Block elements become lines; in reply mode, quoted parts and separators are marked."""

    def __init__(self, reply: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.reply = reply
        self.lines: list[str] = [""]
        self.stack: list[_Frame] = []
        self.quote_depth = 0
        self.skip_depth = 0

    def _newline(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")

    def _hard_newline(self) -> None:
        if self.lines[-1].strip() or not self.lines[-1]:
            self.lines.append("")

    def _separator(self) -> None:
        if self.skip_depth:
            return
        self._newline()
        self.lines[-1] = "> " * self.quote_depth + SEPARATOR_LINE
        self.lines.append("")

    def _classify(self, tag: str, attrs: list[tuple[str, str | None]]) -> tuple[bool, bool, bool]:
        """(quote, skip, separator) for an element, from what mail clients put on it."""
        if tag == "blockquote":
            return True, False, False
        if not self.reply:
            return False, False, False
        found = {name.lower(): (value or "") for name, value in attrs}
        classes = found.get("class", "").lower().split()
        ident = found.get("id", "").strip().lower()
        style = found.get("style", "")
        if _HIDDEN.search(style):
            return False, True, False
        if any(c in _SIGNATURE_CLASSES for c in classes) or _ends_with(ident, _SIGNATURE_IDS):
            return False, True, False
        if any(c.startswith(_QUOTE_CLASSES) for c in classes) or _ends_with(ident, _QUOTE_IDS):
            return True, False, False
        if any(c in _SEPARATOR_CLASSES for c in classes) or _ends_with(ident, _SEPARATOR_IDS):
            return False, False, True
        if tag in {"div", "p", "td", "table"} and _BORDER_TOP.search(style):
            return False, False, True
        return False, False, False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self.stack.append(_Frame(tag, quote=False, skip=True))
            self.skip_depth += 1
            return
        quote, skip, separator = self._classify(tag, attrs)
        if separator or (self.reply and tag == "hr"):
            self._separator()
        elif tag == "br" and self.reply:
            self._hard_newline()
        elif tag in BLOCK_TAGS or quote:
            self._newline()
        if tag in VOID_TAGS:
            return
        self.stack.append(_Frame(tag, quote=quote, skip=skip))
        if quote:
            self.quote_depth += 1
        if skip:
            self.skip_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        match = next((n for n in range(len(self.stack) - 1, -1, -1)
                      if self.stack[n].tag == tag), None)
        # A stray end tag, or one that would close a quote or skipped element it sits
        # in (mis-nested HTML), is ignored: a quote stays a quote until its own end.
        if match is None or any(f.quote or f.skip for f in self.stack[match + 1:]):
            if tag in BLOCK_TAGS:
                self._newline()
            return
        while self.stack:
            frame = self.stack.pop()
            if frame.quote:
                self._newline()
                self.quote_depth -= 1
            if frame.skip:
                self.skip_depth -= 1
            if frame.tag == tag:
                break
        if tag in BLOCK_TAGS:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        text = re.sub(r"\s+", " ", data)
        if not text.strip() and not self.lines[-1]:
            return
        if not self.lines[-1] and self.quote_depth:
            self.lines[-1] = "> " * self.quote_depth
        self.lines[-1] += text if self.lines[-1].strip(" >") else text.lstrip()

    def text(self) -> str:
        lines = [line.rstrip() for line in self.lines]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    parser.feed(html)
    parser.close()
    return parser.text()


def html_to_reply_text(html: str) -> str:
    """HTML as text for reply parsing: quoted parts "> "-prefixed, separators marked."""
    parser = _TextFromHtml(reply=True)
    parser.feed(html)
    parser.close()
    return parser.text()


def looks_like_html(text: str) -> bool:
    """True for a "plain" body that is really an HTML document (some clients mislabel it)."""
    return bool(_HTML_START.match(text)) and text.rstrip().endswith(">")


def body_text(msg: EmailMessage | Message) -> str:
    """The first text/plain part that is not an attachment, else the first HTML one as text."""
    html: str | None = None
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain":
            return decode_part(part)
        if content_type == "text/html" and html is None:
            html = decode_part(part)
    return html_to_text(html) if html is not None else ""


def reply_body_text(msg: EmailMessage | Message) -> str:
    """The body to read a reply from: the text/plain part when it has any text, else the
    HTML one through `html_to_reply_text` (also for a "plain" part that is really HTML)."""
    plain: str | None = None
    html: str | None = None
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain" and plain is None:
            plain = decode_part(part)
        elif content_type == "text/html" and html is None:
            html = decode_part(part)
    if plain is not None and plain.strip():
        return html_to_reply_text(plain) if looks_like_html(plain) else plain
    if html is not None:
        return html_to_reply_text(html)
    return plain or ""
