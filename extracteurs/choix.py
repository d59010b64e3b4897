"""Choix du meilleur lecteur de tableaux pour une page, avec la note de chacun.

Note d'un lecteur = qualité × couverture : qualité, la part de cellules chiffrées lues
proprement (un nombre seul par cellule) ; couverture, la part des nombres alignés de la
page (repérés par l'analyse des lignes) que le lecteur a effectivement mis en cellules.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from extracteurs.alignement import Genre, est_valeur, genre_ligne
from extracteurs.grilles import GrilleBrute
from extracteurs.lignes import LigneBrute
from extracteurs.tableaux import qualite_grille

Lecteur = Callable[[], list[GrilleBrute]]
# À note égale, l'ordre de préférence : l'alignement garde les espaces imprimées exactes.
PREFERENCE = ("alignement", "camelot-lattice", "camelot-stream", "pdfplumber")


def reference_page(lignes: list[LigneBrute]) -> int:
    """Nombre de valeurs chiffrées portées par des lignes de type tableau."""
    return sum(
        sum(est_valeur(s.texte) for s in ligne.segments)
        for ligne in lignes
        if genre_ligne(ligne) is Genre.NUMERIQUE
    )


def page_chiffree(lignes: list[LigneBrute]) -> bool:
    """La page porte-t-elle des lignes surtout faites de chiffres (un tableau, même mal lu) ?"""
    for ligne in lignes:
        texte = ligne.texte
        chiffres = sum(c.isdigit() for c in texte)
        utiles = sum(not c.isspace() for c in texte)
        if utiles and chiffres / utiles >= 0.3 and len(re.findall(r"\d+", texte)) >= 2:
            return True
    return False


def noter(grilles: list[GrilleBrute], reference: int) -> float:
    bonnes = mauvaises = 0
    for grille in grilles:
        b, m = qualite_grille(grille)
        bonnes, mauvaises = bonnes + b, mauvaises + m
    if bonnes == 0:
        return 0.0
    qualite = bonnes / (bonnes + mauvaises)
    couverture = min(1.0, bonnes / reference) if reference else 1.0
    return qualite * couverture


def choisir(
    lecteurs: dict[str, Lecteur], reference: int, seuil: float | None = None
) -> tuple[str, list[GrilleBrute], dict[str, float]]:
    """Exécute les lecteurs dans l'ordre, note chacun, renvoie le meilleur et toutes les notes.

    Avec `seuil`, on s'arrête dès qu'un lecteur l'atteint : les lecteurs suivants, plus
    lents (camelot rend la page en image), ne servent qu'aux pages où le premier doute.
    """
    resultats: dict[str, list[GrilleBrute]] = {}
    notes: dict[str, float] = {}
    for nom, lecteur in lecteurs.items():
        resultats[nom] = lecteur()
        notes[nom] = noter(resultats[nom], reference)
        if seuil is not None and notes[nom] >= seuil:
            break
    ordre = sorted(
        notes, key=lambda n: (-round(notes[n], 3), PREFERENCE.index(n) if n in PREFERENCE else 9)
    )
    meilleur = ordre[0]
    for grille in resultats[meilleur]:
        grille.score = notes[meilleur]
        grille.scores = dict(notes)
    return meilleur, resultats[meilleur], notes
