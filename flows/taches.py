"""Tâches Prefect du traitement d'un rapport : petites, typées, reprises déclarées.

Leurs paramètres et leurs résultats sont des chemins, des empreintes et de petits
modèles, jamais un `Document` ni une fiche (voir `flows.etapes`, qui fait le travail et
les écrit sur disque) : le moteur de Prefect parcourt chaque paramètre et chaque résultat.

Ni cache ni persistance des résultats par Prefect : le JSON du `Document` est déjà le
cache d'extraction (clé : empreinte du contenu et des réglages de lecture), et les
réponses du LLM ont leur propre cache disque (`fiche.llm.cache`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from prefect import State, Task, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun

from fiche.remplissage import Mode
from flows import etapes
from flows.etapes import Enregistrement, depot_courant
from socle.erreurs import DspError, StockageError
from socle.reglages import reglages
from stockage.archives import archiver
from stockage.statuts import Statut

__all__ = ["Enregistrement", "depot_courant"]
SANS_CACHE: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


def reprendre_si_transitoire(_tache: Task[..., Any], _run: TaskRun, etat: State[Any]) -> bool:
    """Reprise seulement sur une panne passagère : une `DspError` (fichier illisible,
    transition interdite) donnerait le même résultat à chaque essai."""
    try:
        etat.result()
    except DspError:
        return False
    except Exception:
        return True
    return False


@task(
    name="extraire-rapport", retries=1, retry_delay_seconds=2,
    retry_condition_fn=reprendre_si_transitoire, **SANS_CACHE,
)  # fmt: skip
def extraire_rapport(chemin: Path, sha256: str) -> Path:
    """Le JSON du `Document` typé du fichier (texte, tableaux, provenance), lu dans un
    processus de travail : un plantage natif du lecteur ne fait tomber que ce rapport."""
    return etapes.extraire_vers_cache(chemin, sha256, reglages())


@task(
    name="remplir-fiche", retries=2, retry_delay_seconds=5,
    retry_condition_fn=reprendre_si_transitoire, **SANS_CACHE,
)  # fmt: skip
def remplir_fiche(document: Path, mode: Mode = "auto") -> Path:
    """Le JSON de la fiche de synthèse ancrée (règles, ou LLM si configuré)."""
    return etapes.remplir(document, mode, reglages())


@task(
    name="controler-fiche", retries=1, retry_condition_fn=reprendre_si_transitoire,
    **SANS_CACHE,
)  # fmt: skip
def controler_fiche(fiche: Path, document: Path) -> Path:
    """Le JSON de la fiche contrôlée ; l'historique vient des fiches validées de la base."""
    return etapes.controler_fiche_ecrite(fiche, document, reglages())


@task(name="enregistrer", retries=2, retry_delay_seconds=1, **SANS_CACHE)
def enregistrer(chemin: Path, sha256: str, fiche: Path, durees: dict[str, float]) -> Enregistrement:
    """La fiche écrite en `fiche` en base, statut « à valider » (`etapes.enregistrer_fiche`)."""
    return etapes.enregistrer_fiche(chemin, sha256, etapes.lire_fiche(fiche), durees, reglages())


@task(name="marquer-erreur", retries=2, retry_delay_seconds=1, **SANS_CACHE)
def marquer_erreur(chemin: Path, sha256: str, raison: str) -> int:
    """Le rapport en « erreur » avec sa raison en français ; rend son numéro."""
    depot = depot_courant()
    if chemin.is_file():  # un fichier illisible est gardé pour le diagnostic…
        with contextlib.suppress(StockageError):  # …sauf si l'archive échoue : la raison prime
            archiver(chemin, sha256, reglages().data_dir)
    rapport, nouveau = depot.enregistrer_rapport(
        chemin, sha256, statut=Statut.ERREUR, raison=raison
    )
    if not nouveau and Statut(rapport.statut) != Statut.ERREUR:
        rapport = depot.changer_statut(rapport.id, Statut.ERREUR, raison=raison)
    return rapport.id
