"""Where a writer's signature starts: at a short line holding their own name, the display
name of the message's From ("Aminata Diallo", "Rabbi Judith Stern, co-chair").

What follows a signature (titles, banners, "our office is closed from ... to ...", legal
notices, "to unsubscribe from our newsletter ...") is the organization's boilerplate, not
the writer's answer, and no reader should take it for one.
"""

from __future__ import annotations

import re
import unicodedata

# A signature's name line is the name, perhaps with a title ("Dr.", "co-chair", "MSW").
_OTHER_WORDS = 3


def _folded_words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return re.findall(r"\w+", "".join(c for c in decomposed if not unicodedata.combining(c)))


def writer_names(writer: str | None) -> list[str]:
    """The words of the writer's display name worth looking for (not initials)."""
    return [word for word in _folded_words(writer or "") if len(word) > 1]


def is_name_line(line: str, names: list[str]) -> bool:
    """Whether `line` holds the writer's first and last names and little else, and is not
    a sentence ("Ben Alvarez is on leave.")."""
    words = _folded_words(line)
    return (len(names) >= 2 and names[0] in words and names[-1] in words
            and sum(word not in names for word in words) <= _OTHER_WORDS
            and not line.rstrip().endswith((".", "!", "?", ":"))
            and not _LABELLED.match(line))


# A line of a form the writer filled in ("Contact: Dolores Haney, Executive Director"): the
# form goes on under it ("Sign on: Y").
_LABELLED = re.compile(r"^\s*[^\W\d_][\w .'/-]{0,40}?\s*:\s+\S")


def before_name_line(text: str, writer: str | None) -> str:
    """`text` up to the writer's name line, when the writer said something above it."""
    names = writer_names(writer)
    if len(names) < 2:
        return text
    lines = text.split("\n")
    written = False
    for index, line in enumerate(lines):
        if written and is_name_line(line, names):
            return "\n".join(lines[:index])
        written = written or bool(line.strip())
    return text
