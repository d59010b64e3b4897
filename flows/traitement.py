"""Le traitement d'un fichier : extraire → remplir → contrôler → enregistrer.

Partagé par le flow d'un rapport et le lot. Les étapes sont les tâches Prefect
(`TACHES`) ou, hors Prefect, leurs fonctions (`SANS_PREFECT` : le banc `benchmarks/lot.py`
mesure ainsi ce que coûte l'orchestration, le même code faisant le même travail).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from fiche.remplissage import Mode
from flows.etapes import Enregistrement
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


@dataclass(frozen=True)
class Etapes:
    """Les cinq étapes d'un fichier ; entre elles, des chemins et des empreintes."""

    extraire: Callable[[Path, str], Path]
    remplir: Callable[[Path, Mode], Path]
    controler: Callable[[Path, Path], Path]
    enregistrer: Callable[[Path, str, Path, dict[str, float]], Enregistrement]
    marquer_erreur: Callable[[Path, str, str], int]


TACHES = Etapes(extraire_rapport, remplir_fiche, controler_fiche, enregistrer, marquer_erreur)
SANS_PREFECT = Etapes(
    extraire_rapport.fn, remplir_fiche.fn, controler_fiche.fn, enregistrer.fn, marquer_erreur.fn
)


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


def traiter_fichier(
    chemin: Path, sha256: str, mode: Mode = "auto", etapes: Etapes = TACHES
) -> BilanRapport:
    """Les quatre étapes à la suite. Un fichier illisible (`DspError`) met le rapport en
    « erreur » ; une panne de la base ou du disque (`StockageError`) remonte sans rien
    marquer, pour que le prochain lot reprenne le fichier."""
    durees: dict[str, float] = {}
    debut = time.perf_counter()
    try:
        document = _chrono(durees, "extraction", lambda: etapes.extraire(chemin, sha256))
        fiche = _chrono(durees, "remplissage", lambda: etapes.remplir(document, mode))
        fiche = _chrono(durees, "controles", lambda: etapes.controler(fiche, document))
        retenu = etapes.enregistrer(chemin, sha256, fiche, durees)
    except StockageError:
        raise  # base ou disque en panne : rien à reprocher au fichier, il sera repris
    except DspError as exc:
        rapport_id = etapes.marquer_erreur(chemin, sha256, exc.message)
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
        anomalies=retenu.anomalies,
        duree_s=time.perf_counter() - debut,
        energie_wh=retenu.energie_wh,
        co2_g=retenu.co2_g,
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


def traiter_une_fois(
    chemin: Path, sha256: str, mode: Mode = "auto", etapes: Etapes = TACHES
) -> BilanRapport:
    """Traite le fichier s'il est nouveau, sous réservation de son contenu : un autre lot
    qui le tient déjà le traite seul, et un contenu terminé entre-temps n'est pas refait."""
    with reserver(reglages().data_dir, sha256) as obtenue:
        if not obtenue:
            return BilanRapport(
                fichier=chemin.name, sha256=sha256, statut=Statut.EXTRAIT, traite=False,
                raison="Un autre lot traite ce fichier en ce moment : il ne l'est qu'une "
                "fois ; voir `dsp statut` quand ce lot sera terminé.",
            )  # fmt: skip
        return deja_traite(chemin, sha256) or traiter_fichier(chemin, sha256, mode, etapes)
