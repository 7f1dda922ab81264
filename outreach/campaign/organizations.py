"""Organizations: identity by folded name, and the sort name used on public lists."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_LEADING_ARTICLE = re.compile(r"^(the|la|le|les|el|los|las|l')\s*", re.IGNORECASE)


def org_key(name: str) -> str:
    """The identity of an organization name: case, accents' forms and spacing ignored."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold()


def default_sort_name(name: str) -> str:
    """`The Sierra Club` sorts as `Sierra Club`; everything else as written."""
    stripped = _LEADING_ARTICLE.sub("", name.strip(), count=1)
    return stripped or name.strip()
