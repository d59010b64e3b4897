"""COMPLETUDE : un élément obligatoire du rapport manque (R.3131-3 et R.3131-4).

Le rapport annuel doit comporter le CARE et la présentation des méthodes de répartition
des charges (R.3131-3), l'état du patrimoine, le suivi des investissements, l'inventaire
des biens de retour, les engagements à incidence financière (R.3131-4), l'analyse de la
qualité et l'annexe des tarifs (R.3131-3). Un élément absent se demande au délégataire.
"""

from __future__ import annotations

from controles.base import Contexte
from controles.type_document import est_rapport_du_delegataire
from fiche.modeles import ELEMENTS_CONFORMITE, Anomalie, Gravite

CODE = "COMPLETUDE"

ELEMENTS: dict[str, tuple[str, str]] = {
    "care": ("le compte annuel de résultat de l'exploitation (CARE)", "R.3131-3 1° a)"),
    "methodes_calcul": (
        "la présentation des méthodes de répartition des charges indirectes, notamment "
        "des charges de structure",
        "R.3131-3 1° a)",
    ),
    "variation_patrimoine": ("l'état des variations du patrimoine", "R.3131-4"),
    "situation_biens": ("la situation des biens et immobilisations", "R.3131-4"),
    "suivi_investissements": (
        "le suivi du programme d'investissement et de renouvellement",
        "R.3131-4",
    ),
    "inventaire_biens_retour": ("l'inventaire des biens de retour et de reprise", "R.3131-4"),
    "engagements_financiers": (
        "les engagements à incidence financière (y compris en matière de personnel)",
        "R.3131-4",
    ),
    "analyse_qualite": ("l'analyse de la qualité du service et ses indicateurs", "R.3131-3"),
    "tarifs": (
        "l'annexe des tarifs, de leur mode de détermination et de leur évolution",
        "R.3131-3",
    ),
}


ARTICLE_RPQS = "CGCT D.2224-1 à D.2224-5 et annexes V et VI"
ELEMENTS_RPQS: dict[str, str] = {
    "caracterisation_technique": "la caractérisation technique du service (mode de gestion, "
    "population desservie, abonnés, volumes, réseaux et ouvrages)",
    "tarification": "la tarification et les recettes du service (facture type de 120 m³)",
    "indicateurs_performance": "les indicateurs de performance",
    "financement_investissements": "le financement des investissements (travaux, dette)",
    "solidarite": "les actions de solidarité et de coopération décentralisée",
}


def _completude_rpqs(ctx: Contexte) -> list[Anomalie]:
    sortie: list[Anomalie] = []
    for element, libelle in ELEMENTS_RPQS.items():
        etat = ctx.fiche.conformite.get(element)
        if etat is None or etat.present:
            continue
        sortie.append(
            Anomalie(
                code=CODE,
                gravite=Gravite.ALERTE,
                message=(
                    f"Le RPQS ne comporte pas {libelle}. Cette rubrique est obligatoire "
                    f"({ARTICLE_RPQS}) : la demander au service qui a rédigé le rapport, ou "
                    "indiquer sur la fiche la page où elle figure."
                ),
                champs=[f"conformite.{element}"],
                pages=[],
                regle=ARTICLE_RPQS,
            )
        )
    return sortie


def controle_completude(ctx: Contexte) -> list[Anomalie]:
    """COMPLETUDE (alerte) — R.3131-3 et R.3131-4 pour un RAD ; CGCT D.2224-1 à -5 pour un RPQS.

    Une alerte par élément que la fiche déclare absent (`conformite[element].present` faux).
    Un élément que la fiche n'a pas évalué (clé absente) n'est pas déclaré manquant ; un
    document qui n'est pas du délégataire n'est pas soumis à la liste du RAD (un CARE seul
    l'est : ce qui lui manque se demande au délégataire).
    """
    if ctx.fiche.source.type_document == "rpqs":
        return _completude_rpqs(ctx)
    if not est_rapport_du_delegataire(ctx.fiche):
        return []
    sortie: list[Anomalie] = []
    for element in ELEMENTS_CONFORMITE:
        etat = ctx.fiche.conformite.get(element)
        if etat is None or etat.present:
            continue
        libelle, article = ELEMENTS.get(element, (element, "R.3131-3 et R.3131-4"))
        sortie.append(
            Anomalie(
                code=CODE,
                gravite=Gravite.ALERTE,
                message=(
                    f"Le rapport ne comporte pas {libelle}. Cet élément est obligatoire "
                    f"({article} du code de la commande publique) : le demander au "
                    "délégataire, ou indiquer sur la fiche la page où il figure."
                ),
                champs=[f"conformite.{element}"],
                pages=[],
                regle=f"{article} du code de la commande publique",
            )
        )
    return sortie
