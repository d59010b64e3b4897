"""Les étapes du traitement d'un rapport, sans Prefect : des fonctions pures sur des
chemins, que `flows.taches` habille en tâches et que le banc appelle telles quelles.

Entre les étapes ne passent que des chemins et des empreintes : le `Document` et la
fiche sont écrits en JSON sous `DSP_DATA_DIR/extraction/` et relus par l'étape qui en a
besoin. Le moteur de Prefect parcourt chaque paramètre et chaque résultat de tâche (pour
y chercher des futurs et des états) : un `Document` de plusieurs milliers de lignes y
coûtait plus que les règles de la fiche.

Le JSON du `Document` sert aussi de cache d'extraction : son nom porte l'empreinte du
contenu et celle des réglages qui changent la lecture ; un traitement interrompu puis
repris ne relit pas le fichier.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from controles import controler
from extracteurs.modeles import Document
from fiche.modeles import Fiche
from fiche.production import produire_fiche
from fiche.remplissage import Mode
from flows.isolement import extraire_isole
from socle.fichiers import ecrire_atomique
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
EtatFiche = Literal["remplie", "controlee"]


class Enregistrement(BaseModel):
    """Ce que la base a retenu d'un rapport traité."""

    rapport_id: int
    version_rapport: int
    version_fiche: int
    statut: Statut
    anomalies: int = 0
    energie_wh: float | None = None
    co2_g: float | None = None


@lru_cache(maxsize=8)
def _depot(url: str) -> Depot:
    return Depot(url)


def depot_courant() -> Depot:
    """Le dépôt de la base configurée (un seul par URL et par processus)."""
    return _depot(url_base(reglages()))


@lru_cache(maxsize=1)
def _schema_document() -> str:
    return json.dumps(Document.model_json_schema(), sort_keys=True)


def signature_extraction(r: Reglages) -> str:
    """L'empreinte des réglages qui changent la lecture d'un fichier, et du schéma du
    `Document` : un JSON écrit par une version au modèle différent n'est pas relu."""
    champs = r.model_dump(mode="json", include=REGLAGES_EXTRACTION)
    texte = json.dumps(champs, sort_keys=True) + _schema_document()
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()[:12]


def _prefixe(donnees: Path, sha256: str, nom: str) -> Path:
    # Le nom d'origine reste lisible pour qui ouvre le dossier.
    return donnees / "extraction" / f"{sha256[:16]}-{Path(nom).name}"


def chemin_document(chemin: Path, sha256: str, r: Reglages) -> Path:
    """Où le `Document` de ce contenu, lu avec ces réglages, est écrit."""
    prefixe = _prefixe(r.data_dir, sha256, chemin.name)
    return prefixe.with_name(f"{prefixe.name}.{signature_extraction(r)}.document.json")


def chemin_fiche(document: Path, etat: EtatFiche) -> Path:
    """Où la fiche tirée de ce `Document` est écrite, remplie puis contrôlée."""
    return document.with_name(document.name.replace(".document.json", f".fiche-{etat}.json"))


def extraire_vers_cache(chemin: Path, sha256: str, r: Reglages) -> Path:
    """Le JSON du `Document` du fichier : relu du cache s'il existe, sinon lu dans un
    processus de travail (`flows.isolement`)."""
    cible = chemin_document(chemin, sha256, r)
    if not cible.is_file():
        extraire_isole(chemin, cible, r)
    return cible


def lire_document(document: Path) -> Document:
    """Le `Document` écrit en `document`. Le remplissage puis les contrôles d'un rapport
    le lisent coup sur coup : les derniers lus restent en mémoire (relire le JSON coûtait
    autant que les contrôles)."""
    return _document_lu(document, document.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _document_lu(document: Path, _version: int) -> Document:
    return Document.model_validate_json(document.read_bytes())


def lire_fiche(fiche: Path) -> Fiche:
    return Fiche.model_validate_json(fiche.read_bytes())


def ecrire_fiche(fiche: Fiche, cible: Path) -> Path:
    ecrire_atomique(cible, fiche.model_dump_json(by_alias=True))
    return cible


def fiche_controlee(fiche: Fiche, document: Document, r: Reglages) -> Fiche:
    """Les contrôles de cohérence ; l'historique vient des fiches validées de la base."""
    return controler(fiche, document, r, charger_historique(depot_courant(), fiche))


def remplir(document: Path, mode: Mode, r: Reglages) -> Path:
    """La fiche ancrée du `Document` écrit en `document` (règles, ou LLM si configuré)."""
    fiche = produire_fiche(lire_document(document), mode, r)
    return ecrire_fiche(fiche, chemin_fiche(document, "remplie"))


def controler_fiche_ecrite(fiche: Path, document: Path, r: Reglages) -> Path:
    """La fiche écrite en `fiche`, contrôlée contre son `Document`, écrite à côté."""
    controlee = fiche_controlee(lire_fiche(fiche), lire_document(document), r)
    return ecrire_fiche(controlee, chemin_fiche(document, "controlee"))


def enregistrer_fiche(
    chemin: Path, sha256: str, fiche: Fiche, durees: dict[str, float], r: Reglages
) -> Enregistrement:
    """Rapport, version de fiche, anomalies et durées en base ; statut « à valider ».
    Un nouveau fichier d'un rapport « en attente du délégataire » en devient la version
    suivante (`stockage.attente`).

    Le fichier reçu est archivé (retraitement, pages montrées à l'agent). Un rapport resté
    « extrait » (traitement interrompu) est complété, pas dupliqué.
    """
    depot = depot_courant()
    archiver(chemin, sha256, r.data_dir)
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
        anomalies=len(fiche.anomalies),
        energie_wh=fiche.production.energie_wh,
        co2_g=fiche.production.co2_g,
    )
