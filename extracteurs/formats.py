"""Formats acceptés et empreinte d'un fichier, sans les lecteurs.

Le processus principal d'une commande (`dsp traiter`, le lot) choisit les fichiers et
calcule leurs empreintes, mais ne lit aucun PDF : la lecture se fait dans un processus
de travail (`flows.isolement`). Importer ces deux choses depuis `extracteurs.document`
chargeait pdfplumber, pdfminer, pypdfium2 et Pillow dans le principal pour rien (~0,15 s
CPU par commande).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from extracteurs.modeles import FormatSource

EXTENSIONS_BUREAUTIQUE: dict[str, FormatSource] = {
    ".docx": "docx",
    ".odt": "odt",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".html": "html",
    ".htm": "html",
}
FORMATS_ACCEPTES = {".pdf", *EXTENSIONS_BUREAUTIQUE}
"""Extensions des rapports lus (PDF et annexes bureautiques)."""


def empreinte(chemin: Path) -> str:
    """L'empreinte sha256 du contenu (identité d'un rapport, clé du cache de lecture)."""
    sha = hashlib.sha256()
    with chemin.open("rb") as flux:
        for bloc in iter(lambda: flux.read(1 << 20), b""):
            sha.update(bloc)
    return sha.hexdigest()
