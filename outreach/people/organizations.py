"""Organizations: identity by folded name, and the sort name used on public lists."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_LEADING_PUNCTUATION = re.compile(r"^[\W_]+")
_LEADING_ARTICLE = re.compile(r"^(the|la|le|les|el|los|las|l')\s*", re.IGNORECASE)


def org_key(name: str) -> str:
    """The identity of an organization name: case, accents' forms and spacing ignored."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold()


def default_sort_name(name: str) -> str:
    """`The Sierra Club` sorts as `Sierra Club`; everything else as written."""
    stripped = _LEADING_ARTICLE.sub("", name.strip(), count=1)
    return stripped or name.strip()


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
    casefolded. `Église` sorts with `eglise`, `"Quoted" Org` under Q, `ǅ` as `dz`.
    """
    if sort_name.isascii() and sort_name.isprintable():
        folded = " ".join(sort_name.split()).casefold()
    else:
        decomposed = unicodedata.normalize("NFKD", sort_name)
        kept = decomposed.translate(_DROP_UNSORTED)
        folded = _SPACES.sub(" ", kept).strip().casefold()
    return _LEADING_PUNCTUATION.sub("", folded) or folded
