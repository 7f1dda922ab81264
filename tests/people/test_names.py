"""Greeting names: honorifics and titles are not first names."""

from __future__ import annotations

import pytest

from outreach.people.names import greeting_name, is_honorific


@pytest.mark.parametrize(("full_name", "greeting"), [
    ("Priya Raman", "Priya"),
    ("Dr. Priya Raman", "Priya"),
    ("dr priya raman", "priya"),
    ("Rev. Dr. Ana María Soto", "Ana"),
    ("Prof. Hans Becker", "Hans"),
    ("Hon. Mayor Jerry Dyer", "Jerry"),
    ("Mr. Ed Kiefer", "Ed"),
    ("Mrs. Lupe Díaz", "Lupe"),
    ("Ms. Jo Ann Wong", "Jo"),
    ("Mx. Sam Lee", "Sam"),
    ("Sr. Jorge Pérez", "Jorge"),
    ("Sra. Lupe García", "Lupe"),
    ("Srta. Ana Ruiz", "Ana"),
    ("Dra. Elena Torres", "Elena"),
    ("Lic. Carmen Solís", "Carmen"),
    ("Mme Claire Dubois", "Claire"),
    ("Mlle Inès Martin", "Inès"),
    ("M. Jean Dupont", "Jean"),
    ("Pr. Louis Pasteur", "Louis"),
    ("Me Sophie Laurent", "Sophie"),
    ("Herr Hans Müller", "Hans"),
    ("Frau Dr. Karin Walter", "Karin"),
    ("Dott.ssa Giulia Rossi", "Giulia"),
    ("Sœur Marie Claire", "Marie"),
    ("Priya Raman, PhD", "Priya"),
    # A title and a surname: the greeting keeps the title.
    ("Dr. Raman", "Dr. Raman"),
    ("Mme Dubois", "Mme Dubois"),
    ("Frau Müller", "Frau Müller"),
    # First names that look like titles elsewhere stay first names.
    ("Don Smith", "Don"),
    ("Dean Ito", "Dean"),
    ("Priya", "Priya"),
])
def test_the_greeting_is_the_first_name_past_any_title(full_name: str, greeting: str) -> None:
    assert greeting_name(full_name) == greeting


def test_monsieur_is_m_with_its_period_and_a_bare_m_is_an_initial() -> None:
    assert is_honorific("M.") and not is_honorific("M")
