"""Flow `traiter_lot` : chaque fichier nouveau ou modifié d'un dossier de dépôt.

Un contenu déjà traité (même sha256) n'est jamais refait ; un fichier au contenu changé
devient une nouvelle version du rapport. Les fichiers sont traités en parallèle dans la
limite de `concurrence` ; un fichier illisible passe « en erreur » avec sa raison et
les autres continuent ; un même contenu déposé sous deux noms n'est traité qu'une fois. Un
seul artefact Prefect par lot : le tableau récapitulatif, avec le lien vers la revue de
chaque rapport.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from contextvars import copy_context
from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from extracteurs.formats import FORMATS_ACCEPTES, empreinte
from fiche.remplissage import Mode
from flows.deploiement import par_deploiement
from flows.taches import depot_courant
from flows.traitement import BilanRapport, deja_traite, traiter_une_fois
from flows.validation import sous_deploiement
from publication import filtres
from socle.erreurs import DspError
from socle.reglages import reglages
from stockage.statuts import LIBELLES, Statut

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
    """Les fichiers de rapport du dossier, par nom, liens symboliques compris (même
    cassés : ils figurent au bilan avec leur refus) ; `DspError` si le dossier manque."""
    if not dossier.is_dir():
        raise DspError(f"Le dossier de dépôt {dossier} n'existe pas.")
    return sorted(
        p
        for p in dossier.iterdir()
        if (p.is_file() or p.is_symlink()) and p.suffix.lower() in FORMATS_ACCEPTES
    )


def refus_de_lien(chemin: Path, dossier: Path) -> str | None:
    """La raison de refuser un lien symbolique du dossier de dépôt, ou None.

    Un lien est suivi seulement s'il mène à un fichier du dossier lui-même : suivi
    ailleurs, il ferait lire (et archiver, et montrer) un fichier que personne n'a déposé.
    """
    if not chemin.is_symlink():
        return None
    cible = chemin.resolve()
    if not cible.exists():
        return (
            f"Lien symbolique cassé (sa cible {chemin.readlink()} n'existe pas) : rien à "
            "traiter ; déposez le fichier lui-même."
        )
    if not cible.is_relative_to(dossier.resolve()) or not cible.is_file():
        return (
            f"Lien symbolique vers {cible}, hors du dossier de dépôt : refusé. Déposez le "
            "fichier lui-même dans le dossier."
        )
    return None


def _refus(chemin: Path, raison: str) -> BilanRapport:
    return BilanRapport(fichier=chemin.name, sha256="", statut=Statut.ERREUR, raison=raison)


COLONNES_BILAN = (
    "Fichier", "Statut", "Version", "Anomalies", "Durée", "Énergie", "Remarque", "Revue",
)  # fmt: skip


def _energie(b: BilanRapport) -> str:
    """Énergie estimée et émissions de la production de la fiche (méthode : README)."""
    if b.energie_wh is None:
        return ""
    return f"{filtres.energie(b.energie_wh)} · {filtres.co2(b.co2_g)}"


def _ligne_bilan(b: BilanRapport) -> str:
    """Une ligne du tableau du lot, en mots : le libellé du statut, pas son code."""
    revue = reglages().revue_url.rstrip("/")
    lien = f"[rapport n° {b.rapport_id}]({revue}/rapports/{b.rapport_id})" if b.rapport_id else ""
    duree = f"{b.duree_s:.1f} s".replace(".", ",") if b.traite else "déjà traité"
    cellules = (
        b.fichier, LIBELLES[b.statut], str(b.version_rapport or ""), str(b.anomalies), duree,
        _energie(b), b.raison or "", lien,
    )  # fmt: skip
    return "| " + " | ".join(c.replace("|", "/") for c in cellules) + " |"


def publier_artefacts(bilans: list[BilanRapport]) -> None:
    """Un seul artefact par lot : le tableau de chaque fichier, avec le lien vers sa revue
    (un artefact par rapport multipliait les allers-retours avec l'API de Prefect)."""
    traites = sum(b.traite for b in bilans)
    markdown = "\n".join(
        [
            f"**{len(bilans)} fichier(s)**, dont {traites} traité(s) par ce lot.",
            "",
            "| " + " | ".join(COLONNES_BILAN) + " |",
            "|" + "---|" * len(COLONNES_BILAN),
            *(_ligne_bilan(b) for b in bilans),
        ]
    )
    create_markdown_artifact(
        key="bilan-lot",
        markdown=markdown,
        description="Bilan du lot : statut de chaque fichier du dossier de dépôt",
    )


def _sur_place(
    a_traiter: dict[Path, str], mode: Mode, concurrence: int
) -> Iterator[tuple[Path, BilanRapport]]:
    """Exécution ponctuelle, dans ce processus : le flow enchaîne lui-même les tâches de
    chaque fichier (`traiter_une_fois`, réservé pour qu'un autre lot ne le traite pas en
    même temps), au plus `concurrence` fichiers à la fois. Chaque fil reçoit une copie du
    contexte du flow : ses tâches sont celles du run du lot, sans tâche qui les emboîte."""
    with ThreadPoolExecutor(max_workers=concurrence, thread_name_prefix="lot") as fils:
        en_cours = {
            fils.submit(copy_context().run, traiter_une_fois, chemin, sha256, mode): chemin
            for chemin, sha256 in a_traiter.items()
        }
        for futur in as_completed(en_cours):
            chemin = en_cours[futur]
            try:
                yield chemin, futur.result()
            except Exception as exc:  # panne (base, disque) : ce fichier attend le prochain lot
                yield chemin, panne(chemin, a_traiter[chemin], exc)


def panne(chemin: Path, sha256: str, exc: Exception) -> BilanRapport:
    """Le bilan d'un fichier interrompu par une panne : « en erreur » à l'écran, mais rien
    en base, si bien que le prochain lot le reprend."""
    message = exc.message if isinstance(exc, DspError) else f"{exc.__class__.__name__} : {exc}"
    return BilanRapport(
        fichier=chemin.name, sha256=sha256, statut=Statut.ERREUR,
        raison=f"Panne pendant le traitement ({message}) ; repris au prochain lot.",
    )  # fmt: skip


def _doublon(original: BilanRapport, chemin: Path) -> BilanRapport:
    return original.model_copy(update={
        "fichier": chemin.name, "traite": False, "duree_s": 0.0,
        "raison": f"Contenu identique à « {original.fichier} » du même lot : traité une fois.",
    })  # fmt: skip


@flow(name="traiter-lot", log_prints=True)
def traiter_lot(
    dossier: Path, mode: Mode = "auto", concurrence: int = CONCURRENCE_DEFAUT
) -> list[BilanRapport]:
    """Traite chaque fichier nouveau ou modifié du dossier ; rend un bilan par fichier.

    Sous le déploiement servi, chaque fichier devient un flow `traiter-rapport` à part
    (qui attendra la validation de l'agent) ; sinon il est traité ici même.
    """
    depot_courant()  # migre la base une fois, avant les tâches parallèles
    fichiers = rapports_du_dossier(dossier)
    bilans: dict[Path, BilanRapport] = {}
    a_traiter: dict[Path, str] = {}
    premiers: dict[str, Path] = {}
    doublons: dict[Path, Path] = {}
    for chemin in fichiers:
        if raison := refus_de_lien(chemin, dossier):  # au bilan, rien en base ni en archive
            bilans[chemin] = _refus(chemin, raison)
            _signaler(bilans[chemin], len(fichiers))
            continue
        sha256 = empreinte(chemin)
        if sha256 in premiers:  # même contenu sous deux noms : un seul traitement
            doublons[chemin] = premiers[sha256]
            continue
        premiers[sha256] = chemin
        connu = deja_traite(chemin, sha256)
        if connu is None:
            a_traiter[chemin] = sha256
        else:
            bilans[chemin] = connu
            _signaler(connu, len(fichiers))
    if sous_deploiement():
        traitement = par_deploiement(a_traiter, mode)
    else:
        traitement = _sur_place(a_traiter, mode, concurrence)
    for chemin, bilan in traitement:
        bilans[chemin] = bilan
        _signaler(bilan, len(fichiers))
    for chemin, original in doublons.items():
        bilans[chemin] = _doublon(bilans[original], chemin)
        _signaler(bilans[chemin], len(fichiers))
    resultat = [bilans[c] for c in sorted(bilans)]
    publier_artefacts(resultat)
    return resultat


def avec_concurrence(concurrence: int) -> Callable[[Path, Mode], list[BilanRapport]]:
    """Le flow `traiter_lot` limité à `concurrence` fichiers traités en même temps."""

    def lancer(dossier: Path, mode: Mode = "auto") -> list[BilanRapport]:
        return traiter_lot(dossier, mode, concurrence)

    return lancer
