"""Investissements de l'exercice : la ligne « Total » du tableau des investissements réalisés.

Le tableau se reconnaît à son contexte (« Programme d'investissements réalisé », « Suivi
des travaux de renouvellement ») et se distingue de l'inventaire des biens (valeurs brutes,
années de mise en service) et des programmes prévisionnels. Sans ligne de total, la somme
des opérations porte l'ancrage « calcule ».
"""

from __future__ import annotations

from extracteurs.modeles import Document, Tableau
from fiche.modeles import Champ
from fiche.regles import libelles as lib
from fiche.regles.champs import champ_calcule, champ_exact
from fiche.regles.postes import euros
from fiche.regles.tableaux import Rangee, colonnes_annees, contexte, rangees
from fiche.regles.texte import normaliser

MULTIPLICATEURS = {"euro": 1.0, "millier_euro": 1e3, "million_euro": 1e6}


def _score(document: Document, tableau: Tableau, exercice: int | None) -> float:
    if not colonnes_annees(tableau, exercice):
        return 0.0
    texte = normaliser(" ".join(contexte(document, tableau, exercice)))
    if not lib.CONTEXTE_INVESTISSEMENTS.search(texte) or lib.CONTEXTE_INVENTAIRE.search(texte):
        return 0.0
    score = 3.0 + 2 * ("investissement" in texte) + ("realise" in texte)
    score -= 4 * bool(lib.CONTEXTE_PREVISIONNEL.search(texte))
    score += 2 * any(lib.TOTAL.search(normaliser(r.libelle)) for r in rangees(tableau, exercice))
    return score


def tableau_investissements(
    document: Document, exercice: int | None, exclus: list[Tableau]
) -> Tableau | None:
    candidats = [
        (score, -rang, t)
        for rang, t in enumerate(document.tableaux)
        if t not in exclus and (score := _score(document, t, exercice)) > 0
    ]
    return max(candidats, key=lambda c: (c[0], c[1]))[2] if candidats else None


def investissements(
    document: Document, exercice: int | None, exclus: list[Tableau], unite_care: str | None
) -> dict[str, Champ[float]]:
    """Montant investi par année, en euros (unité du tableau, à défaut celle du CARE)."""
    tableau = tableau_investissements(document, exercice, exclus)
    if tableau is None:
        return {}
    multiplicateur = MULTIPLICATEURS[tableau.unite or unite_care or "euro"]
    lues = [r for r in rangees(tableau, exercice) if r.valeurs]
    totaux = [r for r in lues if lib.TOTAL.search(normaliser(r.libelle))]
    if totaux:
        return _depuis_total(totaux[-1], multiplicateur)
    return _depuis_somme(lues, multiplicateur)


def _depuis_total(total: Rangee, multiplicateur: float) -> dict[str, Champ[float]]:
    return {
        str(annee): champ_exact(abs(euros(m.nombre, multiplicateur)), m.page, m.texte)
        for annee, m in sorted(total.valeurs.items())
    }


def _depuis_somme(lues: list[Rangee], multiplicateur: float) -> dict[str, Champ[float]]:
    resultat: dict[str, Champ[float]] = {}
    annees = sorted({a for r in lues for a in r.valeurs})
    for annee in annees:
        montants = [r.valeurs[annee] for r in lues if annee in r.valeurs]
        valeur = abs(euros(sum(m.nombre for m in montants), multiplicateur))
        citation = " + ".join(m.texte.strip() for m in montants)
        if len(montants) == 1:
            resultat[str(annee)] = champ_exact(valeur, montants[0].page, montants[0].texte)
        else:
            resultat[str(annee)] = champ_calcule(valeur, montants[0].page, citation)
    return resultat
