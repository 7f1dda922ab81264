"""The readable text of a message: its text/plain part, or its HTML turned into text."""

from __future__ import annotations

import re
from email.message import EmailMessage, Message
from html.parser import HTMLParser

BLOCK_TAGS = frozenset({
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "hr", "section", "article", "header", "footer", "address",
})
SKIP_TAGS = frozenset({"script", "style", "head", "title", "template"})


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


class _TextFromHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.quote_depth = 0
        self.skip_depth = 0

    def _newline(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self.skip_depth += 1
        elif tag == "blockquote":
            self._newline()
            self.quote_depth += 1
        elif tag in BLOCK_TAGS:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag == "blockquote" and self.quote_depth:
            self._newline()
            self.quote_depth -= 1
        elif tag in BLOCK_TAGS:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        text = re.sub(r"\s+", " ", data)
        if not text.strip() and not self.lines[-1]:
            return
        if not self.lines[-1] and self.quote_depth:
            self.lines[-1] = "> " * self.quote_depth
        self.lines[-1] += text if self.lines[-1].strip() else text.lstrip()

    def text(self) -> str:
        lines = [line.rstrip() for line in self.lines]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    parser.feed(html)
    parser.close()
    return parser.text()


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
