"""Flow `traiter_rapport` : extraire → remplir → contrôler → enregistrer → attendre la
validation de l'agent → publier.

Sous le déploiement servi (`dsp planifier`), le flow se suspend à l'étape de validation
jusqu'à la décision de l'agent (voir `flows.validation`), puis publie la fiche validée ; un
rapport rejeté attend le nouveau fichier du délégataire, qui aura son propre flow. Lancé
seul, sans serveur (exécution ponctuelle), il s'arrête au statut « à valider » : la
décision de l'agent lance ensuite le flow `valider-rapport`.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from extracteurs.formats import empreinte
from fiche.remplissage import Mode
from flows.traitement import BilanRapport, traiter_une_fois
from flows.validation import (
    SYSTEME,
    appliquer_decision,
    attendre_validation,
    publier,
    sous_deploiement,
    suite_de_la_decision,
)
from stockage.statuts import Statut

__all__ = ["BilanRapport", "publier", "traiter_rapport"]


@flow(name="traiter-rapport", flow_run_name="rapport-{chemin.name}", log_prints=True)
def traiter_rapport(chemin: Path, mode: Mode = "auto") -> BilanRapport:
    """Un rapport, de l'extraction à la publication (ou jusqu'à « à valider » hors
    déploiement). Un contenu déjà traité (même sha256) n'est pas refait."""
    sha256 = empreinte(chemin)
    bilan = traiter_une_fois(chemin, sha256, mode)
    if bilan.rapport_id is None or not sous_deploiement():
        return bilan
    statut = revue_et_publication(bilan.rapport_id, bilan.statut)
    return bilan.model_copy(update={"statut": statut})


def revue_et_publication(rapport_id: int, statut: Statut) -> Statut:
    """Attend chaque décision de l'agent jusqu'à la publication.

    Rejoué depuis le début après chaque reprise, ce parcours retrouve l'état en base : une
    décision déjà appliquée n'est pas refaite, une publication interrompue est terminée.
    """
    agent = SYSTEME
    while statut in (Statut.A_VALIDER, Statut.VALIDE):
        if statut == Statut.A_VALIDER:
            decision = attendre_validation(rapport_id)
            agent = decision.agent
            statut = appliquer_decision(rapport_id, decision)
        else:
            statut = suite_de_la_decision(rapport_id, statut, agent)
    return statut
