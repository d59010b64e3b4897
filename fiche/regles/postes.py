"""Des lignes classées du CARE aux `postes` de la fiche (en euros, charges en positif).

Règles (fiche.md) : un total imprimé est préféré à toute addition ; sans total imprimé, la
somme des lignes de la section suit la convention des CARE (un sous-total remplace les
détails qui le précèdent) et porte l'ancrage « calcule ». Les postes de charges
(charges, personnel, frais de siège, redevance, reversements) sont positifs même imprimés
en négatif ; le résultat garde son signe. Sans résultat imprimé :
résultat = produits − reversements − charges.
"""

from __future__ import annotations

from collections.abc import Callable

from fiche.modeles import Champ, LigneCare
from fiche.regles.care import Care, LigneLue, Section
from fiche.regles.champs import champ_calcule, champ_exact, forme_absolue
from fiche.regles.tableaux import Montant

POSITIFS = {"total_charges", "charges_personnel", "frais_siege", "redevance", "reversements"}
TOTAUX_DE_SECTION: dict[str, Section] = {
    "chiffre_affaires": "produits",
    "total_charges": "charges",
    "reversements": "reversements",
}


def euros(nombre: float, multiplicateur: float) -> float:
    """Conversion en euros, arrondie au centime (2,26 M€ → 2 260 000, pas 2 259 999,99...)."""
    return round(nombre * multiplicateur, 2)


def lignes_care(care: Care) -> list[LigneCare]:
    """Chaque ligne imprimée du CARE, montants en euros avec le signe imprimé."""
    return [
        LigneCare(
            libelle=ligne.rangee.libelle,
            page=ligne.rangee.page,
            section=ligne.section,
            nature=ligne.nature,
            poste=ligne.poste,
            valeurs={
                str(annee): champ_exact(euros(m.nombre, care.multiplicateur), m.page, m.texte)
                for annee, m in sorted(ligne.rangee.valeurs.items())
            },
        )
        for ligne in care.lignes
    ]


def _annees(care: Care) -> list[int]:
    return sorted({a for ligne in care.lignes for a in ligne.rangee.valeurs})


def _combiner(montants: list[Montant], multiplicateur: float, positif: bool) -> Champ[float] | None:
    """Un montant seul est recopié ; plusieurs sont additionnés (ancrage « calcule »)."""
    if not montants:
        return None
    total = euros(sum(m.nombre for m in montants), multiplicateur)
    total = abs(total) if positif else total
    if len(montants) == 1:
        return champ_exact(total, montants[0].page, montants[0].texte)
    citation = " + ".join(m.texte.strip() for m in montants)
    return champ_calcule(total, montants[0].page, citation)


def _somme_section(lignes: list[LigneLue], annee: int) -> list[Montant]:
    """Montants qui composent le total d'une section : sous-totaux et détails non absorbés."""
    retenus: list[Montant] = []
    en_cours: list[Montant] = []
    for ligne in lignes:
        montant = ligne.rangee.valeurs.get(annee)
        if montant is None:
            continue
        if ligne.nature == "sous_total":
            retenus.append(montant)
            en_cours = []
        elif ligne.nature == "detail":
            en_cours.append(montant)
    return retenus + en_cours


def _poste_total(care: Care, poste: str, annee: int) -> Champ[float] | None:
    section = TOTAUX_DE_SECTION[poste]
    imprime = [lg for lg in care.lignes if lg.poste == poste and annee in lg.rangee.valeurs]
    positif = poste in POSITIFS
    if imprime:
        return _combiner([imprime[-1].rangee.valeurs[annee]], care.multiplicateur, positif)
    membres = [lg for lg in care.lignes if lg.section == section]
    return _combiner(_somme_section(membres, annee), care.multiplicateur, positif)


def _poste_detail(care: Care, poste: str, annee: int) -> Champ[float] | None:
    """Personnel, frais de siège, redevance : un sous-total reconnu l'emporte sur ses détails."""
    porteuses = [lg for lg in care.lignes if lg.poste == poste and annee in lg.rangee.valeurs]
    agregees = [lg for lg in porteuses if lg.nature != "detail"]
    retenues = agregees or porteuses
    montants = [lg.rangee.valeurs[annee] for lg in retenues]
    return _combiner(montants, care.multiplicateur, positif=True)


def _poste_resultat(care: Care, poste: str, annee: int) -> Champ[float] | None:
    imprime = [lg for lg in care.lignes if lg.poste == poste and annee in lg.rangee.valeurs]
    if imprime:
        return _combiner([imprime[0].rangee.valeurs[annee]], care.multiplicateur, False)
    return None


def _resultat_calcule(
    postes: dict[str, dict[str, Champ[float]]], annee: str
) -> Champ[float] | None:
    """Résultat = produits − reversements − charges, quand le CARE ne l'imprime pas."""
    produits = postes.get("chiffre_affaires", {}).get(annee)
    charges = postes.get("total_charges", {}).get(annee)
    if produits is None or charges is None or produits.valeur is None or charges.valeur is None:
        return None
    reversements = postes.get("reversements", {}).get(annee)
    if reversements is not None and reversements.valeur is None:
        reversements = None
    deduit = reversements.valeur if reversements is not None and reversements.valeur else 0.0
    valeur = round(produits.valeur - deduit - charges.valeur, 2)
    utilises = [c for c in (produits, reversements, charges) if c is not None]
    if not all(c.citation for c in utilises):
        return None  # un terme sans texte imprimé : le calcul ne serait pas vérifiable
    citation = " − ".join(forme_absolue(c.citation or "") for c in utilises)
    return champ_calcule(valeur, produits.page or 1, citation)


LECTEURS: dict[str, Callable[[Care, str, int], Champ[float] | None]] = {
    "chiffre_affaires": _poste_total,
    "total_charges": _poste_total,
    "reversements": _poste_total,
    "resultat": _poste_resultat,
    "resultat_net": _poste_resultat,
    "charges_personnel": _poste_detail,
    "frais_siege": _poste_detail,
    "redevance": _poste_detail,
}


def postes_care(care: Care) -> dict[str, dict[str, Champ[float]]]:
    """Postes du CARE pour chaque année lue (investissements à part : hors du CARE)."""
    postes: dict[str, dict[str, Champ[float]]] = {}
    for poste, lecteur in LECTEURS.items():
        for annee in _annees(care):
            champ = lecteur(care, poste, annee)
            if champ is not None:
                postes.setdefault(poste, {})[str(annee)] = champ
    for cle in map(str, _annees(care)):
        if cle not in postes.get("resultat", {}):
            calcule = _resultat_calcule(postes, cle)
            if calcule is not None:
                postes.setdefault("resultat", {})[cle] = calcule
    return postes
