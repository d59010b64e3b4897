"""Historique d'un contrat pour EXERCICE_PRECEDENT, lu dans la base au lieu d'un dossier.

Même forme que `controles.historique.charger_historique(dossier, fiche)` : seules les
fiches **validées** (ou publiées) par un agent servent de référence, car une fiche non
relue pourrait porter l'erreur d'extraction qu'on cherche justement à détecter.
"""

from __future__ import annotations

from controles.historique import historique_du_contrat
from fiche.modeles import Fiche
from stockage.depot import Depot


def charger_historique(depot: Depot, fiche: Fiche) -> list[Fiche]:
    """Les fiches validées du même contrat pour un exercice antérieur, récentes d'abord.

    Contrat reconnu dans le registre : ses rapports validés (même si le rapport écrit la
    collectivité autrement). Sinon : repli sur l'égalité normalisée (collectivité,
    délégataire, objet), comme l'historique en dossier.
    """
    exercice = fiche.identification.exercice.valeur
    if exercice is None:
        return []
    contrat = depot.contrat_de(fiche)
    if contrat is not None:
        return [f for _, f in depot.fiches_validees(contrat.contrat.id, exercice)]
    candidates = [f for _, f in depot.fiches_validees(None, exercice)]
    return historique_du_contrat(fiche, candidates)
