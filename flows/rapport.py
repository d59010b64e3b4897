"""Flow `traiter_rapport` : extraire → remplir → contrôler → enregistrer.

Lancé seul, sans serveur Prefect (exécution éphémère), le flow s'arrête au statut
« à valider » : l'agent relit la fiche dans l'application de revue, et sa validation
(statut « validé ») déclenche ensuite le flow `publier`, qui passe le rapport à
« publié » et l'inscrit au journal d'audit (la publication Word viendra avec les gabarits).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from prefect import flow
from pydantic import BaseModel

from extracteurs.document import empreinte
from fiche.remplissage import Mode
from flows.taches import (
    controler_fiche,
    depot_courant,
    enregistrer,
    extraire_rapport,
    marquer_erreur,
    remplir_fiche,
)
from socle.erreurs import DspError, StockageError
from stockage.statuts import Statut

T = TypeVar("T")


class BilanRapport(BaseModel):
    """Le résultat du traitement d'un fichier, pour les tableaux et les artefacts."""

    fichier: str
    sha256: str
    statut: Statut
    traite: bool = True
    """Faux quand le contenu était déjà connu (rien n'a été refait)."""
    rapport_id: int | None = None
    version_rapport: int | None = None
    version_fiche: int | None = None
    anomalies: int = 0
    raison: str | None = None
    duree_s: float = 0.0


def _chrono(durees: dict[str, float], etape: str, appel: Callable[[], T]) -> T:
    debut = time.perf_counter()
    try:
        return appel()
    finally:
        durees[etape] = time.perf_counter() - debut


def traiter_fichier(chemin: Path, sha256: str, mode: Mode = "auto") -> BilanRapport:
    """Les quatre tâches à la suite ; une `DspError` met le rapport en « erreur »."""
    durees: dict[str, float] = {}
    debut = time.perf_counter()
    try:
        document = _chrono(durees, "extraction", lambda: extraire_rapport(chemin, sha256))
        fiche = _chrono(durees, "remplissage", lambda: remplir_fiche(document, sha256, mode))
        fiche = _chrono(durees, "controles", lambda: controler_fiche(fiche, document))
        retenu = enregistrer(chemin, sha256, fiche, durees)
    except DspError as exc:
        rapport_id = marquer_erreur(chemin, sha256, exc.message)
        return BilanRapport(
            fichier=chemin.name, sha256=sha256, statut=Statut.ERREUR, rapport_id=rapport_id,
            raison=exc.message, duree_s=time.perf_counter() - debut,
        )  # fmt: skip
    return BilanRapport(
        fichier=chemin.name,
        sha256=sha256,
        statut=retenu.statut,
        rapport_id=retenu.rapport_id,
        version_rapport=retenu.version_rapport,
        version_fiche=retenu.version_fiche,
        anomalies=len(fiche.anomalies),
        duree_s=time.perf_counter() - debut,
    )


def deja_traite(chemin: Path, sha256: str) -> BilanRapport | None:
    """Le bilan d'un contenu déjà traité (tout statut sauf « extrait », resté d'un
    traitement interrompu), ou None s'il faut le traiter."""
    existant = depot_courant().par_sha256(sha256)
    if existant is None or Statut(existant.statut) == Statut.EXTRAIT:
        return None
    return BilanRapport(
        fichier=chemin.name, sha256=sha256, statut=Statut(existant.statut), traite=False,
        rapport_id=existant.id, version_rapport=existant.version, raison=existant.raison,
    )  # fmt: skip


@flow(name="traiter-rapport", log_prints=True)
def traiter_rapport(chemin: Path, mode: Mode = "auto") -> BilanRapport:
    """Un rapport : extraction, fiche, contrôles, enregistrement (statut « à valider »).

    Un contenu déjà traité (même sha256) n'est pas refait.
    """
    sha256 = empreinte(chemin)
    return deja_traite(chemin, sha256) or traiter_fichier(chemin, sha256, mode)


@flow(name="publier", log_prints=True)
def publier(rapport_id: int, agent: str = "systeme") -> Statut:
    """Publication d'un rapport validé : statut « publié » et événement au journal.

    Un rapport qui n'est pas « validé » est refusé (`StockageError` en français).
    """
    depot = depot_courant()
    rapport = depot.rapport(rapport_id)
    if Statut(rapport.statut) != Statut.VALIDE:
        raise StockageError(
            "Seul un rapport validé par un agent peut être publié.", fichier=rapport.fichier
        )
    depot.changer_statut(rapport_id, Statut.PUBLIE, agent=agent)
    depot.ajouter_evenement(rapport_id, agent=agent, action="publication")
    return Statut.PUBLIE
