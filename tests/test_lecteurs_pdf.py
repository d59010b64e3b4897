"""Lecteur pdfplumber : le texte des cellules, lu par dichotomie, est celui de pdfplumber."""

from __future__ import annotations

import pdfplumber
import pytest

from extracteurs.lecteurs_pdf import _REGLAGES_PLUMBER, _textes
from tests.conftest import CORPUS

FICHIERS = [
    CORPUS / "casino_les_pins_2023.pdf",
    CORPUS / "marche_halles_2023.pdf",
    CORPUS / "stationnement_forville_2023.pdf",
]


@pytest.mark.parametrize("strategie", ["lignes", "texte"])
def test_texte_des_cellules_identique_a_pdfplumber(strategie: str) -> None:
    """Égalité stricte avec `Table.extract()` (cellules vides, `None` des cellules absentes,
    ordre des caractères) : une montée de version de pdfplumber qui changerait sa lecture
    ferait échouer ce test."""
    comparees = 0
    for chemin in FICHIERS:
        with pdfplumber.open(chemin) as pdf:
            for page in pdf.pages:
                for table in page.find_tables(_REGLAGES_PLUMBER[strategie]):
                    assert _textes(table.page.chars, table.rows) == table.extract()
                    comparees += 1
    assert comparees >= 10
