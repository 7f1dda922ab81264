"""The readable text of a message: its text/plain part, or its HTML turned into text.

Two renderings of HTML live here. `html_to_text` is the plain one (block elements become
lines, `<blockquote>` lines get a "> " prefix). `html_to_reply_text` is for reading what a
person wrote in a reply: it also marks what mail clients use to hold the quoted
original (Gmail's `gmail_quote`, Yahoo's `yahoo_quoted`, Thunderbird's
`moz-cite-prefix`, Outlook for Mac's `OLK_SRC_BODY_SECTION`, ...) with "> ", puts a line
of underscores where a client starts the original below a separator (Outlook's
`appendonsend` / `divRplyFwdMsg`, a top border, `<hr>`), and leaves signature blocks
out. The plain-text rules in `outreach.inbound.visible` take it from there.

Both take time linear in the HTML, however it is written: markup that never ends is
defused before HTMLParser sees it (`_defused`), lines are built in pieces, and open
elements are found by index rather than by walking the stack.
"""

from __future__ import annotations

import re
from email.message import EmailMessage, Message
from html.parser import HTMLParser
from itertools import islice

MAX_PARTS = 200  # of a message looked at for its text: mail has a handful
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
_BORDER_TOP = re.compile(r"border-top(?:-style)?\s*:", re.IGNORECASE)
_SOLID = re.compile(r"\bsolid\b", re.IGNORECASE)
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# Comments before the first element: one `<!--.*-->` matches any run of them (and the
# lazy `(?:<!--.*?-->\s*)*` this replaces took exponential time when nothing followed).
_HTML_START = re.compile(
    r"\A\s*+(?:<\?xml[^>]*>\s*+)?(?:<!--.*-->\s*+)?(?:<!doctype[^>]*>\s*+)?"
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
    return bool(value) and any(value == name or value.endswith("_" + name) for name in names)


class _Frame:
    __slots__ = ("quote", "skip", "tag")

    def __init__(self, tag: str, quote: bool, skip: bool) -> None:
        self.tag = tag
        self.quote = quote
        self.skip = skip


class _Line:
    """The line being written, kept in pieces: adding to one string, piece by piece, would
    copy the whole line each time (quadratic on a long line of many elements)."""

    __slots__ = ("empty", "pieces", "visible", "worded")

    def __init__(self, text: str = "") -> None:
        self.pieces: list[str] = []
        self.empty = True  # no characters at all
        self.worded = False  # a character that is not whitespace
        self.visible = False  # a character that is neither a space nor a quote mark ">"
        self.add(text)

    def add(self, text: str) -> None:
        if text:
            self.pieces.append(text)
            self.empty = False
            self.worded = self.worded or bool(text.strip())
            self.visible = self.visible or bool(text.strip(" >"))

    def __str__(self) -> str:
        return "".join(self.pieces)


class _TextFromHtml(HTMLParser):
    """Block elements become lines; in reply mode, quoted parts and separators are marked."""

    def __init__(self, reply: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.reply = reply
        self.lines: list[str] = []  # the finished lines
        self.line = _Line()
        self.stack: list[_Frame] = []
        self.open: dict[str, list[int]] = {}  # tag -> its positions in `stack`
        self.marked: list[int] = []  # positions in `stack` of quote or skipped frames
        self.quote_depth = 0
        self.skip_depth = 0

    def _end_line(self) -> None:
        self.lines.append(str(self.line))
        self.line = _Line()

    def _newline(self) -> None:
        if self.line.worded:
            self._end_line()

    def _hard_newline(self) -> None:
        if self.line.worded or self.line.empty:
            self._end_line()

    def _separator(self) -> None:
        if self.skip_depth:
            return
        self._newline()
        self.line = _Line("> " * self.quote_depth + SEPARATOR_LINE)
        self._end_line()

    def _push(self, frame: _Frame) -> None:
        self.open.setdefault(frame.tag, []).append(len(self.stack))
        if frame.quote or frame.skip:
            self.marked.append(len(self.stack))
        self.stack.append(frame)

    def _pop(self) -> _Frame:
        frame = self.stack.pop()
        self.open[frame.tag].pop()
        if frame.quote or frame.skip:
            self.marked.pop()
        return frame

    def _classify(self, tag: str, attrs: list[tuple[str, str | None]]) -> tuple[bool, bool, bool]:
        """(quote, skip, separator) for an element, from what mail clients put on it."""
        if tag == "blockquote":
            return True, False, False
        if not self.reply:
            return False, False, False
        found = {name.lower(): (value or "") for name, value in attrs}
        if not found.keys() & {"class", "id", "style"}:
            return False, False, False
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
        if tag in {"div", "p", "td", "table"} and _has_top_border(style):
            return False, False, True
        return False, False, False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self._push(_Frame(tag, quote=False, skip=True))
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
        self._push(_Frame(tag, quote=quote, skip=skip))
        if quote:
            self.quote_depth += 1
        if skip:
            self.skip_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        positions = self.open.get(tag)
        # A stray end tag, or one that would close a quote or skipped element it sits
        # in (mis-nested HTML), is ignored: a quote stays a quote until its own end.
        if not positions or (self.marked and self.marked[-1] > positions[-1]):
            if tag in BLOCK_TAGS:
                self._newline()
            return
        while self.stack:
            frame = self._pop()
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
        text = _SPACES.sub(" ", data)
        if not text.strip() and self.line.empty:
            return
        if self.line.empty and self.quote_depth:
            self.line = _Line("> " * self.quote_depth)
        self.line.add(text if self.line.visible else text.lstrip())

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:  # "<![foo ...>", which the library refuses: a bogus comment
            end = self.rawdata.find(">", i + 3)
            return -1 if end < 0 else end + 1

    def text(self) -> str:
        lines = [line.rstrip() for line in [*self.lines, str(self.line)]]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    parser.feed(_defused(html))
    parser.close()
    return parser.text()


def html_to_reply_text(html: str) -> str:
    """HTML as text for reply parsing: quoted parts "> "-prefixed, separators marked."""
    parser = _TextFromHtml(reply=True)
    parser.feed(_defused(html))
    parser.close()
    return parser.text()


def _has_top_border(style: str) -> bool:
    """A `border-top(-style): ... solid` declaration (Outlook's separator above the original),
    one declaration at a time: a pattern spanning the whole style is quadratic."""
    for declaration in style.split(";"):
        found = _BORDER_TOP.search(declaration)
        if found and _SOLID.search(declaration, found.end()):
            return True
    return False


# Where HTMLParser starts reading a tag, a comment, a declaration or an instruction; and
# the ends it looks ahead for.
_MARKUP = re.compile(r"<[a-zA-Z/!?]")
_COMMENT_END = re.compile(r"--\s*>")
_SECTION_END = re.compile(r"\]\s*>")
_MAX_LOOKAHEAD = 8  # times the page: far more than any real page makes the parser read


def _defused(html: str) -> str:
    """`html`, or when it would take HTMLParser quadratic time, `html` with "&lt;" for each
    "<" that starts markup whose end never comes.

    From such a "<" the parser reads to the end of the page looking for the end, then
    takes the "<" as text and looks again from the next one: thousands of them (a line of
    "<p <p <p") are quadratic. They are text to the parser in any case; written as "&lt;"
    they are read once. A real page ends its markup, so it is passed on unchanged."""
    stuck = _stuck_markup(html)
    size = len(html)
    if sum(size - start for start in stuck) <= _MAX_LOOKAHEAD * size:
        return html
    pieces: list[str] = []
    done = 0
    for start in stuck:
        pieces += [html[done:start], "&lt;"]
        done = start + 1
    pieces.append(html[done:])
    return "".join(pieces)


def _stuck_markup(html: str) -> list[int]:
    """Where markup starts whose end (">", or "-->" for a comment, "]>" for a marked
    section) comes nowhere after it, in order."""
    last_gt = html.rfind(">")
    last_comment_end = last_section_end = -1
    for found in _COMMENT_END.finditer(html):
        last_comment_end = found.start()
    for found in _SECTION_END.finditer(html):
        last_section_end = found.start()
    stuck = {found.start() for found in _MARKUP.finditer(html, last_gt + 1)}
    for opener, end, skip in (("<!--", last_comment_end, 4), ("<![", last_section_end, 3)):
        start = html.find(opener, max(0, end - skip + 1))
        while 0 <= start < last_gt:
            stuck.add(start)
            start = html.find(opener, start + 1)
    return sorted(stuck)


def looks_like_html(text: str) -> bool:
    """True for a "plain" body that is really an HTML document (some clients mislabel it)."""
    return bool(_HTML_START.match(text)) and text.rstrip().endswith(">")


def body_text(msg: EmailMessage | Message, limit: int | None = None) -> str:
    """The first text/plain part that is not an attachment, else the first HTML one as text.
    With `limit`, only that many characters of the part are read (HTML: of its source)."""
    html: str | None = None
    for part in islice(msg.walk(), MAX_PARTS):
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain":
            return decode_part(part)[:limit]
        if content_type == "text/html" and html is None:
            html = decode_part(part)
    return html_to_text(html[:limit]) if html is not None else ""


def reply_body_text(msg: EmailMessage | Message, limit: int | None = None) -> str:
    """The body to read a reply from: the text/plain part when it has any text, else the
    HTML one through `html_to_reply_text` (also for a "plain" part that is really HTML).
    With `limit`, only that many characters of the part are read (HTML: of its source)."""
    plain: str | None = None
    html: str | None = None
    for part in islice(msg.walk(), MAX_PARTS):
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain" and plain is None:
            plain = decode_part(part)
        elif content_type == "text/html" and html is None:
            html = decode_part(part)
        if plain is not None and html is not None:
            break
    if plain is not None and plain.strip():
        return html_to_reply_text(plain[:limit]) if looks_like_html(plain) else plain[:limit]
    if html is not None:
        return html_to_reply_text(html[:limit])
    return plain or ""
