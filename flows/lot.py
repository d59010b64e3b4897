"""Flow `traiter_lot` : chaque fichier nouveau ou modifié d'un dossier de dépôt.

Un contenu déjà traité (même sha256) n'est jamais refait ; un fichier au contenu changé
devient une nouvelle version du rapport. Les fichiers sont traités en parallèle dans la
limite de `concurrence` ; un fichier illisible passe « en erreur » avec sa raison et
les autres continuent. Un tableau récapitulatif et une note par rapport sont publiés en
artefacts Prefect.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from prefect import Flow, flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from extracteurs.document import empreinte
from fiche.remplissage import Mode
from flows.rapport import BilanRapport, deja_traite, traiter_fichier
from flows.taches import depot_courant
from socle.erreurs import DspError

FORMATS_ACCEPTES = {".pdf", ".docx", ".odt", ".xlsx", ".xlsm", ".html", ".htm"}
CONCURRENCE_DEFAUT = max(1, min(4, os.cpu_count() or 1))

Suivi = Callable[[BilanRapport, int], None]
"""Appelé à chaque fichier terminé, avec son bilan et le nombre de fichiers du lot."""
_suivis: list[Suivi] = []


@contextmanager
def suivre(suivi: Suivi) -> Iterator[None]:
    """Abonne `suivi` (ex. une barre de progression) aux fichiers terminés du lot."""
    _suivis.append(suivi)
    try:
        yield
    finally:
        _suivis.remove(suivi)


def _signaler(bilan: BilanRapport, total: int) -> None:
    for suivi in list(_suivis):
        suivi(bilan, total)


def rapports_du_dossier(dossier: Path) -> list[Path]:
    """Les fichiers de rapport du dossier, par nom ; `DspError` si le dossier manque."""
    if not dossier.is_dir():
        raise DspError(f"Le dossier de dépôt {dossier} n'existe pas.")
    return sorted(
        p for p in dossier.iterdir() if p.is_file() and p.suffix.lower() in FORMATS_ACCEPTES
    )


def executeur(concurrence: int) -> TaskRunner[PrefectFuture[Any]]:
    """Exécuteur à fils limité : au plus `concurrence` fichiers traités à la fois."""
    return cast(TaskRunner[PrefectFuture[Any]], ThreadPoolTaskRunner(max_workers=concurrence))


@task(name="traiter-fichier")
def traiter_fichier_du_lot(chemin: Path, sha256: str, mode: Mode) -> BilanRapport:
    """Un fichier du lot (les tâches du rapport s'y exécutent à la suite)."""
    return traiter_fichier(chemin, sha256, mode)


def _note(bilan: BilanRapport) -> str:
    lignes = [
        f"# {bilan.fichier}",
        f"- statut : **{bilan.statut.value}**",
        f"- rapport n° {bilan.rapport_id}, version {bilan.version_rapport}",
        f"- fiche version {bilan.version_fiche}, {bilan.anomalies} anomalie(s)",
        f"- sha256 : `{bilan.sha256}`",
    ]
    if bilan.raison:
        lignes.append(f"- raison : {bilan.raison}")
    return "\n".join(lignes)


def publier_artefacts(bilans: list[BilanRapport]) -> None:
    """Tableau récapitulatif du lot et une note par rapport traité."""
    create_table_artifact(
        key="bilan-lot",
        table=[
            {
                "fichier": b.fichier, "statut": b.statut.value, "traite": b.traite,
                "rapport": b.rapport_id, "version": b.version_rapport,
                "anomalies": b.anomalies, "raison": b.raison or "", "duree_s": round(b.duree_s, 2),
            }
            for b in bilans
        ],
        description="Bilan du lot : statut de chaque fichier du dossier de dépôt",
    )  # fmt: skip
    for bilan in bilans:
        if bilan.traite:
            create_markdown_artifact(markdown=_note(bilan), description=bilan.fichier)


@flow(
    name="traiter-lot",
    log_prints=True,
    task_runner=executeur(CONCURRENCE_DEFAUT),
)
def traiter_lot(dossier: Path, mode: Mode = "auto") -> list[BilanRapport]:
    """Traite chaque fichier nouveau ou modifié du dossier ; rend un bilan par fichier."""
    depot_courant()  # migre la base une fois, avant les tâches parallèles
    bilans: dict[Path, BilanRapport] = {}
    en_cours: dict[Path, PrefectFuture[BilanRapport]] = {}
    fichiers = rapports_du_dossier(dossier)
    for chemin in fichiers:
        sha256 = empreinte(chemin)
        connu = deja_traite(chemin, sha256)
        if connu is not None:
            bilans[chemin] = connu
            _signaler(connu, len(fichiers))
        else:
            en_cours[chemin] = traiter_fichier_du_lot.submit(chemin, sha256, mode)
    chemins = {id(f): c for c, f in en_cours.items()}
    for futur in as_completed(list(en_cours.values())):
        bilans[chemins[id(futur)]] = futur.result()
        _signaler(bilans[chemins[id(futur)]], len(fichiers))
    resultat = [bilans[c] for c in sorted(bilans)]
    publier_artefacts(resultat)
    return resultat


def avec_concurrence(concurrence: int) -> Flow[[Path, Mode], list[BilanRapport]]:
    """Le flow `traiter_lot` limité à `concurrence` fichiers traités en même temps."""
    return traiter_lot.with_options(task_runner=executeur(concurrence))
