"""An `Idea` finds exactly what its patterns joined in one alternation would find: it only
leaves out the patterns whose words the text does not contain."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.campaign import intent_patterns
from outreach.campaign.intent_patterns import Idea

IDEAS = {name: value for name, value in vars(intent_patterns).items()
         if isinstance(value, Idea)}
# The words the patterns are written in, with others and punctuation around them.
VOCABULARY = sorted({word for idea in IDEAS.values() for pattern in idea.patterns
                     for word in re.findall(r"[a-z']{2,}", pattern)})
PIECES = st.one_of(st.sampled_from(VOCABULARY), st.sampled_from(
    [" ", " ", "  ", ", ", ". ", "!", "?", "\n", " - ", '"', "«", "ok", "x", "42", "é"]))
TEXTS = st.lists(PIECES, max_size=40).map(lambda pieces: " ".join(pieces))


def _joined(idea: Idea) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in idea.patterns), re.MULTILINE)


JOINED = {name: _joined(idea) for name, idea in IDEAS.items()}


def _spans(matches: object) -> list[tuple[int, int]]:
    return [m.span() for m in matches]  # type: ignore[attr-defined]


def test_every_idea_of_the_reader_is_checked() -> None:
    assert {"SIGN", "DECLINE", "WITHDRAW", "NEGATION"} <= set(IDEAS)


@settings(max_examples=500, deadline=None)
@given(name=st.sampled_from(sorted(IDEAS)), data=st.data())
def test_an_idea_finds_what_the_joined_patterns_find(name: str, data: st.DataObject) -> None:
    idea, joined = IDEAS[name], JOINED[name]
    # Text one of the idea's patterns matches, with other words around it.
    matching = st.sampled_from(idea.patterns).flatmap(
        lambda pattern: st.from_regex(re.compile(pattern, re.MULTILINE)))
    text = data.draw(st.tuples(TEXTS, st.one_of(matching, TEXTS), TEXTS).map(" ".join))
    for mine, theirs in ((idea.search(text), joined.search(text)),
                         (idea.match(text), joined.match(text))):
        assert (mine and mine.span()) == (theirs and theirs.span())
    assert _spans(idea.finditer(text)) == _spans(joined.finditer(text))
    assert idea.sub(" ", text) == joined.sub(" ", text)


def test_a_sign_on_is_found_in_every_language() -> None:
    for sentence in ("we are happy to sign", "nous signons la lettre", "firmamos la carta",
                     "assinamos a carta", "wir unterzeichnen den brief"):
        assert IDEAS["SIGN"].search(sentence) is not None, sentence
        assert JOINED["SIGN"].search(sentence) is not None, sentence


def test_a_pattern_that_matches_nothing_at_all_is_refused() -> None:
    with pytest.raises(ValueError, match="must match some text"):
        Idea([r"\bsign\b", r"(yes)?"])


@pytest.mark.parametrize(("folded", "written"), [
    ("acho q a gente assina", "acho que a gente assina"),
    ("idk if we can, lmk", "i don't know if we can, let me know"),
    ("vllt nach der sitzung", "vielleicht nach der sitzung"),
    # whole words only: an address, a longer word, a name's letters stay as they are
    ("write to q@example.org or quique", "write to q@example.org or quique"),
    ("w/o the changes w/ our logo", "without the changes with our logo"),
])
def test_text_speak_is_written_out_whole_words_only(folded: str, written: str) -> None:
    assert intent_patterns.written_out(folded) == written


def test_a_shorthand_means_one_thing_in_every_language() -> None:
    meanings: dict[str, set[str]] = {}
    for lang in intent_patterns.languages().values():
        for short, full in lang.get("shorthand", {}).items():
            meanings.setdefault(intent_patterns.fold(short), set()).add(intent_patterns.fold(full))
    assert meanings and all(len(full) == 1 for full in meanings.values())
