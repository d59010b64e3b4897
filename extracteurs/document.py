"""Point d'entrée unique de l'extraction : un fichier en entrée, un `Document` en sortie."""

from __future__ import annotations

import logging
import time
import zipfile
from pathlib import Path

from extracteurs.entetes import exercice_probable
from extracteurs.formats import EXTENSIONS_BUREAUTIQUE, FORMATS_ACCEPTES, empreinte
from extracteurs.grilles import GrilleBrute
from extracteurs.lecture_pdf import Suivi, lire_pdf
from extracteurs.limites import appliquer_garde_pillow, verifier_archive
from extracteurs.modeles import Document, FormatSource, Page, Tableau
from extracteurs.tableaux import construire_tableau
from extracteurs.typage import genres_unstructured, typer_pages
from socle.erreurs import DspError, ExtractionError
from socle.reglages import Reglages
from socle.reglages import reglages as reglages_courants
from socle.sobriete import temps_cpu_processus

journal = logging.getLogger(__name__)


def detecter_format(chemin: Path, reglages: Reglages) -> FormatSource:
    """Format d'après le contenu (signature), l'extension ne servant qu'à départager."""
    if not chemin.is_file():
        raise ExtractionError("Fichier introuvable.", fichier=chemin)
    taille = chemin.stat().st_size
    if taille == 0:
        raise ExtractionError("Le fichier est vide.", fichier=chemin)
    if taille > reglages.max_taille_mo * 1024 * 1024:
        raise ExtractionError(
            f"Le fichier dépasse la taille maximale de {reglages.max_taille_mo} Mo "
            "(DSP_MAX_TAILLE_MO).",
            fichier=chemin,
        )
    with chemin.open("rb") as flux:
        entete = flux.read(1024)
    extension = chemin.suffix.lower()
    if b"%PDF-" in entete:
        return "pdf"
    if entete.startswith(b"PK") and extension in EXTENSIONS_BUREAUTIQUE:
        if not zipfile.is_zipfile(chemin):
            raise ExtractionError(
                "L'archive bureautique est tronquée ou corrompue.", fichier=chemin
            )
        verifier_archive(chemin, reglages)  # avant tout lecteur : bombe de décompression
        return EXTENSIONS_BUREAUTIQUE[extension]
    if extension in (".html", ".htm") and b"<" in entete:
        return "html"
    if extension == ".pdf":
        raise ExtractionError(
            "Ce fichier n'est pas un PDF (signature %PDF absente) malgré son extension.",
            fichier=chemin,
        )
    raise ExtractionError(
        "Format non pris en charge : fournir un PDF, un DOCX, un ODT ou un XLSX.", fichier=chemin
    )


def extraire(
    chemin: Path, reglages: Reglages | None = None, suivi: Suivi | None = None
) -> Document:
    """Lit un rapport (PDF natif ou scanné, DOCX, ODT, XLSX) en `Document` typé.

    Tout échec devient une `ExtractionError` au message français : une exception imprévue
    d'une bibliothèque de lecture sur un fichier piégé ne doit pas arrêter un lot.
    """
    reglages = reglages or reglages_courants()
    try:
        return _extraire(chemin, reglages, suivi)
    except DspError:
        raise
    except MemoryError as exc:
        raise ExtractionError(
            "Mémoire insuffisante pour lire ce document : abaisser DSP_MAX_PAGES ou "
            "DSP_MAX_PIXELS_IMAGE, ou demander au délégataire un fichier plus léger.",
            fichier=chemin,
        ) from exc
    except Exception as exc:
        journal.exception("Lecture de %s : erreur inattendue", chemin)
        raise ExtractionError(
            f"Le fichier n'a pas pu être lu (erreur inattendue du lecteur : "
            f"{type(exc).__name__}) : il est probablement corrompu. Demandez-en une nouvelle "
            "copie au délégataire.",
            fichier=chemin,
        ) from exc


def _extraire(chemin: Path, reglages: Reglages, suivi: Suivi | None) -> Document:
    debut, debut_cpu = time.perf_counter(), temps_cpu_processus()
    appliquer_garde_pillow(reglages)
    format_source = detecter_format(chemin, reglages)
    if format_source == "pdf":
        pages, grilles, avertissements = lire_pdf(chemin, reglages, suivi)
    else:
        from extracteurs.bureautique import lire_bureautique

        pages, grilles, avertissements = lire_bureautique(chemin, reglages)
    if not any(page.lignes for page in pages):
        raise ExtractionError(
            "Le document ne contient ni texte ni image exploitable (pages blanches).",
            fichier=chemin,
        )
    exercice = exercice_probable([ligne.texte for page in pages for ligne in page.lignes])
    tableaux = _tableaux(grilles, exercice)
    typer_pages(pages, tableaux, genres_unstructured(chemin, format_source))
    return Document(
        fichier=chemin.name,
        sha256=empreinte(chemin),
        format=format_source,
        pages=pages,
        tableaux=tableaux,
        exercice_probable=exercice,
        avertissements=avertissements,
        duree_s=round(time.perf_counter() - debut, 3),
        cpu_s=round(temps_cpu_processus() - debut_cpu, 3),
    )


def _tableaux(grilles: list[GrilleBrute], exercice: int | None) -> list[Tableau]:
    tableaux: list[Tableau] = []
    rangs: dict[int, int] = {}
    for grille in grilles:
        rangs[grille.page] = rangs.get(grille.page, 0) + 1
        ident = f"t{grille.page}-{rangs[grille.page]}"
        tableau = construire_tableau(
            grille, ident, exercice, grille.scores or {grille.methode: grille.score}
        )
        if tableau is not None:
            tableaux.append(tableau)
    return tableaux


__all__ = [
    "FORMATS_ACCEPTES", "Document", "Page", "detecter_format", "empreinte", "extraire",
]  # fmt: skip
