"""Typage des lignes : unstructured (modèle spaCy français, hors ligne) pour le DOCX,
typographie pour le PDF."""

from __future__ import annotations

from extracteurs.document import extraire
from extracteurs.typage import genres_unstructured
from tests.conftest import CORPUS

DOCX = CORPUS / "restauration_collective_ormes_2024.docx"


def test_unstructured_type_le_docx_hors_ligne() -> None:
    genres = genres_unstructured(DOCX, "docx")
    assert genres.get("faits marquants de l'exercice") == "titre"
    assert "recit" in genres.values() and "liste" in genres.values()


def test_genres_des_lignes_docx_et_pdf() -> None:
    docx = extraire(DOCX)
    titres = {ligne.texte for ligne in docx.lignes() if ligne.genre == "titre"}
    assert "Faits marquants de l'exercice" in titres
    assert any(ligne.genre == "tableau" for ligne in docx.lignes())

    pdf = extraire(CORPUS / "casino_les_pins_2023.pdf")
    par_texte = {ligne.texte: ligne.genre for ligne in pdf.lignes()}
    assert par_texte["FAITS MARQUANTS DE L'EXERCICE"] == "titre"
    assert any(g == "recit" for g in par_texte.values())
    lignes_care = [
        ligne for ligne in pdf.lignes() if ligne.texte.startswith("Produit brut des jeux")
    ]
    assert lignes_care and all(ligne.genre == "tableau" for ligne in lignes_care)
