"""Tâches Prefect du traitement d'un rapport : petites, typées, reprises et cache déclarés.

Les clés de cache ne portent que sur l'empreinte sha256 du fichier et les réglages qui
changent le résultat : jamais sur un client, une connexion ou un objet non hachable.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from prefect import State, Task, task
from prefect.client.schemas.objects import TaskRun
from prefect.context import TaskRunContext
from pydantic import BaseModel

from controles import controler
from extracteurs.modeles import Document
from fiche.modeles import Fiche
from fiche.production import mode_effectif, produire_fiche
from fiche.remplissage import Mode
from flows.isolement import extraire_isole
from socle.erreurs import DspError, StockageError
from socle.reglages import Reglages, reglages
from stockage.archives import archiver
from stockage.depot import Depot
from stockage.historique import charger_historique
from stockage.moteur import url_base
from stockage.statuts import Statut

REGLAGES_EXTRACTION = {
    "ocr_langue", "ocr_dpi", "max_pages", "max_taille_mo",
    "texte_min_caracteres", "tableaux_comparaison", "tableaux_seuil",
}  # fmt: skip
DUREE_CACHE = timedelta(days=30)


class Enregistrement(BaseModel):
    """Ce que la base a retenu d'un rapport traité."""

    rapport_id: int
    version_rapport: int
    version_fiche: int
    statut: Statut


@lru_cache(maxsize=8)
def _depot(url: str) -> Depot:
    return Depot(url)


def depot_courant() -> Depot:
    """Le dépôt de la base configurée (un seul par URL et par processus)."""
    return _depot(url_base(reglages()))


def _empreinte_reglages(r: Reglages, champs: set[str]) -> str:
    texte = json.dumps(r.model_dump(mode="json", include=champs), sort_keys=True)
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()[:16]


def cle_extraction(_ctx: TaskRunContext, parametres: dict[str, Any]) -> str:
    """Clé du cache d'extraction : contenu, nom du fichier et réglages d'extraction."""
    nom = Path(parametres["chemin"]).name
    signature = _empreinte_reglages(reglages(), REGLAGES_EXTRACTION)
    return f"extraire-{parametres['sha256']}-{nom}-{signature}"


def cle_remplissage(_ctx: TaskRunContext, parametres: dict[str, Any]) -> str:
    """Clé du cache de remplissage : contenu, mode effectif et modèle LLM éventuel."""
    r = reglages()
    effectif = mode_effectif(parametres["mode"], r)
    modele = f"{r.llm_base_url}|{r.llm_model}" if effectif == "llm" else "regles"
    signature = hashlib.sha256(modele.encode("utf-8")).hexdigest()[:12]
    return f"remplir-{parametres['sha256']}-{effectif}-{signature}"


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
    name="extraire-rapport",
    retries=1,
    retry_delay_seconds=2,
    retry_condition_fn=reprendre_si_transitoire,
    cache_key_fn=cle_extraction,
    cache_expiration=DUREE_CACHE,
    persist_result=True,
)
def extraire_rapport(chemin: Path, sha256: str) -> Document:
    """Le `Document` typé du fichier (texte, tableaux, provenance), lu dans un processus
    de travail : un plantage natif du lecteur ne fait tomber que ce rapport."""
    return extraire_isole(chemin, sha256, reglages())


@task(
    name="remplir-fiche",
    retries=2,
    retry_delay_seconds=5,
    retry_condition_fn=reprendre_si_transitoire,
    cache_key_fn=cle_remplissage,
    cache_expiration=DUREE_CACHE,
    persist_result=True,
)
def remplir_fiche(document: Document, sha256: str, mode: Mode = "auto") -> Fiche:
    """La fiche de synthèse ancrée (règles, ou LLM si configuré)."""
    return produire_fiche(document, mode, reglages())


@task(name="controler-fiche", retries=1, retry_condition_fn=reprendre_si_transitoire)
def controler_fiche(fiche: Fiche, document: Document) -> Fiche:
    """Les contrôles de cohérence ; l'historique vient des fiches validées de la base."""
    historique = charger_historique(depot_courant(), fiche)
    return controler(fiche, document, reglages(), historique)


@task(name="enregistrer", retries=2, retry_delay_seconds=1)
def enregistrer(
    chemin: Path, sha256: str, fiche: Fiche, durees: dict[str, float]
) -> Enregistrement:
    """Rapport, version de fiche, anomalies et durées en base ; statut « à valider ».
    Un nouveau fichier d'un rapport « en attente du délégataire » en devient la version
    suivante (`stockage.attente`).

    Le fichier reçu est archivé (retraitement, pages montrées à l'agent). Un rapport resté
    « extrait » (traitement interrompu) est complété, pas dupliqué.
    """
    depot = depot_courant()
    archiver(chemin, sha256, reglages().data_dir)
    rapport, _ = depot.enregistrer_rapport(chemin, sha256, statut=Statut.EXTRAIT)
    version = depot.enregistrer_fiche(rapport.id, fiche, auteur="traitement automatique")
    for etape, duree in durees.items():
        depot.enregistrer_duree(rapport.id, etape, duree)
    if Statut(rapport.statut) == Statut.EXTRAIT:  # nouveau, ou traitement interrompu repris
        # Le nouveau fichier attendu après un rejet (même contrat, même exercice) : version
        # suivante du rapport rejeté, qui passe « remplacé ».
        depot.remplacer_rapport_rejete(rapport.id)
        rapport = depot.changer_statut(rapport.id, Statut.A_VALIDER)
    return Enregistrement(
        rapport_id=rapport.id,
        version_rapport=rapport.version,
        version_fiche=version.numero,
        statut=Statut(rapport.statut),
    )


@task(name="marquer-erreur", retries=2, retry_delay_seconds=1)
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
