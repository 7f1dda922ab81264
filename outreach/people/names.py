"""What a greeting calls a contact: "Dear Priya," for Dr. Priya Raman, never "Dear Dr.,"."""

from __future__ import annotations

import unicodedata

# Honorifics and titles that may precede a name, folded (lower case, no accents, no
# periods). Words that are also common first names ("Don", "Dean", "Gen") are left out.
HONORIFICS = frozenset({
    # English
    "mr", "mrs", "ms", "miss", "mx", "dr", "drs", "doctor", "prof", "professor", "rev",
    "revd", "reverend", "rt", "hon", "honorable", "honourable", "sir", "dame", "fr",
    "father", "sister", "brother", "br", "pastor", "rabbi", "imam", "bishop", "judge",
    "justice", "mayor", "senator", "sen", "rep", "representative", "assemblymember",
    "councilmember", "councilwoman", "councilman", "cllr", "supervisor", "gov", "governor",
    "atty", "capt", "col", "lt", "sgt",
    # Spanish and Portuguese
    "sr", "sra", "srta", "senor", "senora", "senorita", "dona", "dra", "doctora", "profa",
    "profesor", "profesora", "lic", "lcdo", "lcda", "licdo", "licda", "ing", "arq", "abg",
    "mtro", "mtra", "padre", "hno", "hna",
    # French
    "mme", "mmes", "mlle", "mlles", "madame", "mademoiselle", "monsieur", "me", "pr",
    "professeur", "mgr", "pere", "soeur", "frere",
    # German and Italian
    "herr", "frau", "hr", "sig", "sigra", "dott", "dottssa", "avv",
})
# "M." is Monsieur; a bare "M" is more likely an initial.
MONSIEUR = "m."


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("œ", "oe")


def is_honorific(word: str) -> bool:
    """`Dr.`, `Sra`, `Mme`, `Herr`, `M.`... (case, accents and periods aside)."""
    folded = _fold(word)
    return folded == MONSIEUR or folded.replace(".", "") in HONORIFICS


def greeting_name(full_name: str) -> str:
    """The name a greeting uses for `full_name`: its first name, past any honorifics and
    titles ("Dr. Priya Raman" → "Priya", "Rev. Dr. Ana María Soto" → "Ana"). With a title
    and only one name after it, that is a surname, and the title stays: "Dr. Raman" →
    "Dr. Raman". Letters after a comma ("Priya Raman, PhD") are not part of the name."""
    written = " ".join(full_name.split())
    words = written.split(",", 1)[0].split()
    names = list(words)
    while names and is_honorific(names[0]):
        names.pop(0)
    if len(names) > 1 or (names and len(names) == len(words)):
        return names[0]
    return " ".join(words) or written
