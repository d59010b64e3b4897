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
from extracteurs.nombres import est_date, nombres_dans_texte, normaliser_espaces
from extracteurs.tableaux import montant_colle, nettoyer, qualite_grille

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


_RESTE_NUMERIQUE = re.compile(r"[\s%€()\-−–+.,/]*")


def _nombres_colles(texte: str) -> bool:
    """Cellule faite de deux nombres ou plus et de rien d'autre (« 1 234 5 678 ») ; une
    date (« 31/12/2021 ») est une seule valeur."""
    if est_date(texte):
        return False
    trouves = nombres_dans_texte(texte)
    reste = texte
    for forme, _ in trouves:
        reste = reste.replace(forme, " ", 1)
    return len(trouves) >= 2 and bool(_RESTE_NUMERIQUE.fullmatch(reste))


def cellules_fusionnees(grilles: list[GrilleBrute]) -> int:
    """Cellules où un lecteur a réuni ce qui devait être séparé : deux colonnes de nombres
    collées dans une cellule, ou un montant collé au libellé. Ce sont les défauts que
    camelot corrige en coupant le texte aux filets ou en relisant les colonnes."""
    fusionnees = 0
    for grille in grilles:
        for ligne in nettoyer(grille):
            fusionnees += montant_colle(ligne)
            fusionnees += sum(_nombres_colles(normaliser_espaces(c.texte)) for c in ligne[1:])
    return fusionnees


def _classement(notes: dict[str, float]) -> list[str]:
    """Les lecteurs du meilleur au moins bon : note (à 3 décimales), puis `PREFERENCE`."""
    return sorted(
        notes, key=lambda n: (-round(notes[n], 3), PREFERENCE.index(n) if n in PREFERENCE else 9)
    )


def raison_de_douter(
    resultats: dict[str, list[GrilleBrute]],
    notes: dict[str, float],
    reference: int,
    regle: bool,
) -> str | None:
    """Pourquoi la lecture bon marché qui serait gardée n'est pas sûre, ou None.

    Jugé sur la structure de la page et de la lecture retenue (la mieux notée de celles qui
    ont trouvé une grille), jamais sur le document :
    - grille retenue où des cellules réunissent plusieurs nombres ou collent un montant au
      libellé (colonnes numériques mal séparées). Les défauts d'un lecteur écarté ne font
      pas douter de celui qui l'emporte : lancer camelot n'y changerait rien, sauf à
      dépasser une lecture déjà propre ;
    - page réglée portant des lignes de nombres (`reference` ≥ 2) dont pdfplumber ne tire
      aucune grille : filets incohérents pour lui (traits en image, rectangles pleins),
      camelot les retrouve sur le rendu ;
    - page chiffrée sans filets dont aucune ligne n'a la forme « libellé + nombres »
      (`reference` nul) : seule l'analyse des blancs de camelot (stream) peut y retrouver
      des colonnes.
    Une page où une seule valeur isolée porte la forme d'une ligne de tableau n'est pas
    douteuse : il n'y a pas de tableau à y chercher.
    """
    retenu = next((nom for nom in _classement(notes) if resultats[nom]), None)
    if retenu is not None and cellules_fusionnees(resultats[retenu]):
        return "cellules fusionnées"
    if regle and reference >= 2 and not resultats.get("pdfplumber"):
        return "filets sans grille"
    if not regle and reference == 0 and not resultats.get("alignement"):
        return "colonnes non alignées"
    return None


def choisir(
    lecteurs: dict[str, Lecteur],
    reference: int,
    seuil: float | None = None,
    lents: dict[str, Lecteur] | None = None,
    regle: bool = False,
) -> tuple[str, list[GrilleBrute], dict[str, float]]:
    """Exécute les lecteurs dans l'ordre, note chacun, renvoie le meilleur et toutes les notes.

    Avec `seuil`, on s'arrête dès qu'un lecteur l'atteint, et les lecteurs `lents` (camelot
    rend la page en image, ~0,3 s) ne servent qu'aux pages où la lecture bon marché retenue
    doute (`raison_de_douter`). Sans seuil, tous les lecteurs concourent.
    """
    resultats: dict[str, list[GrilleBrute]] = {}
    notes: dict[str, float] = {}
    for nom, lecteur in lecteurs.items():
        resultats[nom] = lecteur()
        notes[nom] = noter(resultats[nom], reference)
        if seuil is not None and notes[nom] >= seuil:
            break
    else:
        if lents and (seuil is None or raison_de_douter(resultats, notes, reference, regle)):
            for nom, lecteur in lents.items():
                resultats[nom] = lecteur()
                notes[nom] = noter(resultats[nom], reference)
    meilleur = _classement(notes)[0]
    for grille in resultats[meilleur]:
        grille.score = notes[meilleur]
        grille.scores = dict(notes)
    return meilleur, resultats[meilleur], notes
