"""Recollage des tableaux coupés par un saut de page (en-tête répété ou absent).

Chaque cellule garde sa page d'origine : seul le tableau logique est unifié.
"""

from __future__ import annotations

import re

from extracteurs.grilles import CelluleBrute, GrilleBrute
from extracteurs.nombres import normaliser_espaces
from extracteurs.tableaux import lignes_entete, nettoyer

LIGNES_HORS_TABLEAU_MAX = 3


def _cle(texte: str) -> str:
    """Texte comparable d'une page à l'autre (numéros de page et espaces neutralisés)."""
    return re.sub(r"\d+", "#", normaliser_espaces(texte).lower())


def _entete(lignes: list[list[CelluleBrute]]) -> list[str]:
    return [" ".join(_cle(c.texte) for c in ligne) for ligne in lignes[: lignes_entete(lignes)]]


def peut_suivre(
    avant: GrilleBrute,
    apres: GrilleBrute,
    lignes_apres_avant: list[str],
    lignes_avant_apres: list[str],
    textes_page_avant: set[str],
) -> bool:
    """`apres` (début de page p+1) continue-t-il `avant` (fin de page p) ?

    Conditions : même nombre de colonnes ; `avant` finit la page (au plus quelques lignes
    de pied de page après) ; `apres` ouvre la page (seules des lignes « suite » ou répétées
    en haut de chaque page le précèdent) ; en-tête identique ou absent.
    """
    derniere = max(c.page for ligne in avant.lignes for c in ligne)
    if apres.page != derniere + 1:
        return False
    gauche, droite = nettoyer(avant), nettoyer(apres)
    if not gauche or not droite or len(gauche[0]) != len(droite[0]):
        return False
    if len(lignes_apres_avant) > LIGNES_HORS_TABLEAU_MAX:
        return False
    etrangeres = [
        t
        for t in lignes_avant_apres
        if "suite" not in t.lower() and _cle(t) not in textes_page_avant
    ]
    if etrangeres:
        return False
    entete_droite = _entete(droite)
    return not entete_droite or entete_droite == _entete(gauche)


def recoller(avant: GrilleBrute, apres: GrilleBrute) -> GrilleBrute:
    droite = nettoyer(apres)
    suite = droite[lignes_entete(droite) :]
    return GrilleBrute(
        methode=avant.methode,
        page=avant.page,
        lignes=nettoyer(avant) + suite,
        boite=avant.boite,
        contexte=avant.contexte,
        score=min(avant.score, apres.score),
        scores=avant.scores,
    )


def cles_page(textes: list[str]) -> set[str]:
    return {_cle(t) for t in textes}
