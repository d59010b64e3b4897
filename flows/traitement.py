"""Le traitement d'un fichier : extraire → remplir → contrôler → enregistrer.

Partagé par le flow d'un rapport et le lot.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

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
from socle.reglages import reglages
from stockage.reservations import reserver
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
    energie_wh: float | None = None
    co2_g: float | None = None


def _chrono(durees: dict[str, float], etape: str, appel: Callable[[], T]) -> T:
    debut = time.perf_counter()
    try:
        return appel()
    finally:
        durees[etape] = time.perf_counter() - debut


def traiter_fichier(chemin: Path, sha256: str, mode: Mode = "auto") -> BilanRapport:
    """Les quatre tâches à la suite. Un fichier illisible (`DspError`) met le rapport en
    « erreur » ; une panne de la base ou du disque (`StockageError`) remonte sans rien
    marquer, pour que le prochain lot reprenne le fichier."""
    durees: dict[str, float] = {}
    debut = time.perf_counter()
    try:
        document = _chrono(durees, "extraction", lambda: extraire_rapport(chemin, sha256))
        fiche = _chrono(durees, "remplissage", lambda: remplir_fiche(document, sha256, mode))
        fiche = _chrono(durees, "controles", lambda: controler_fiche(fiche, document))
        retenu = enregistrer(chemin, sha256, fiche, durees)
    except StockageError:
        raise  # base ou disque en panne : rien à reprocher au fichier, il sera repris
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
        energie_wh=fiche.production.energie_wh,
        co2_g=fiche.production.co2_g,
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


def traiter_une_fois(chemin: Path, sha256: str, mode: Mode = "auto") -> BilanRapport:
    """Traite le fichier s'il est nouveau, sous réservation de son contenu : un autre lot
    qui le tient déjà le traite seul, et un contenu terminé entre-temps n'est pas refait."""
    with reserver(reglages().data_dir, sha256) as obtenue:
        if not obtenue:
            return BilanRapport(
                fichier=chemin.name, sha256=sha256, statut=Statut.EXTRAIT, traite=False,
                raison="Un autre lot traite ce fichier en ce moment : il ne l'est qu'une "
                "fois ; voir `dsp statut` quand ce lot sera terminé.",
            )  # fmt: skip
        return deja_traite(chemin, sha256) or traiter_fichier(chemin, sha256, mode)
