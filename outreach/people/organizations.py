"""Organizations: identity by folded name, and the sort name used on public lists."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_LEADING_PUNCTUATION = re.compile(r"^[\W_]+")
# A leading article, as a whole word ("The Sierra Club", "Les Amis de la Terre") or elided
# ("L'Arche", also with a typographic apostrophe), after any opening punctuation ("¡La
# Voz!"). "Leadership", "Latino", "Legal" and "Elders" begin with no article.
_LEADING_ARTICLE = re.compile(
    r"^[\W_]*?(?:(?P<word>the|la|le|les|el|los|las)\s+|l['\u2019\u02bc]\s*)", re.IGNORECASE)
# Letters that carry no accent to drop (NFKD leaves them whole), filed as a librarian files
# them: Ø with O, Ł with L, Æ as AE, and so on. Applied after casefolding.
_PLAIN_LETTERS = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d",
                                "þ": "th", "\u0131": "i", "ħ": "h", "ŧ": "t"})


def org_key(name: str) -> str:
    """The identity of an organization name: case, accents' forms and spacing ignored."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold()


def default_sort_name(name: str) -> str:
    """The name without a leading article: `The Sierra Club` sorts as `Sierra Club`,
    `L'Arche` as `Arche`, `Les Amis de la Terre` as `Amis de la Terre`; `Legal Aid`,
    `Latino Community Foundation` and `LA Waterkeeper` as written (an article only counts
    as a whole word, and not in capitals as an acronym)."""
    written = name.strip()
    article = _LEADING_ARTICLE.match(written)
    if article is None or _is_acronym(article["word"], written[article.end():]):
        return written
    return written[article.end():].strip() or written


def _is_acronym(word: str | None, rest: str) -> bool:
    """A two-letter article in capitals before words that are not is an acronym: "LA
    Waterkeeper" is Los Angeles. In a name written all in capitals ("LA RAZA") it is not."""
    return word is not None and len(word) == 2 and word.isupper() and not rest.isupper()


class _Unsorted(dict[int, int | None]):
    """A `str.translate` table that drops combining marks and control/format characters,
    filled in as characters are first seen."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code))[0] in "MC" else code
        self[code] = kept
        return kept


_DROP_UNSORTED = _Unsorted()


def collation_key(sort_name: str) -> str:
    """How a sort name compares: case, accents, spacing and leading punctuation ignored.

    Locale-independent: NFKD, combining marks and control/format characters dropped,
    casefolded, letters with strokes and ligatures spelled out. `Église` sorts with
    `eglise`, `Øresund` with `oresund`, `"Quoted" Org` under Q, `ǅ` as `dz`.
    """
    if sort_name.isascii() and sort_name.isprintable():
        folded = " ".join(sort_name.split()).casefold()
    else:
        decomposed = unicodedata.normalize("NFKD", sort_name)
        kept = decomposed.translate(_DROP_UNSORTED)
        folded = _SPACES.sub(" ", kept).strip().casefold().translate(_PLAIN_LETTERS)
    return _LEADING_PUNCTUATION.sub("", folded) or folded


def listing_order(sort_name: str, name: str) -> tuple[str, str, str]:
    """Where a signer stands on every public list (the page, the export, mailings): by sort
    name as collated, ties by sort name as written, then by name."""
    return collation_key(sort_name), sort_name, name
