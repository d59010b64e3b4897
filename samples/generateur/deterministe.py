"""Rendre les fichiers Office reproductibles octet pour octet.

python-docx et openpyxl écrivent l'heure courante dans les en-têtes zip (et openpyxl dans
docProps/core.xml) : on réécrit l'archive avec une date fixe et des métadonnées figées.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

DATE_ZIP = (2024, 5, 28, 10, 0, 0)
HORODATAGE = "2024-05-28T10:00:00Z"


def _figer_core(donnees: bytes) -> bytes:
    texte = donnees.decode("utf-8")
    for balise in ("dcterms:created", "dcterms:modified"):
        texte = re.sub(rf"(<{balise}[^>]*>)[^<]*(</{balise}>)", rf"\g<1>{HORODATAGE}\g<2>", texte)
    return texte.encode("utf-8")


def figer_zip(chemin: Path) -> None:
    with zipfile.ZipFile(chemin) as source:
        membres = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(chemin, "w", compression=zipfile.ZIP_DEFLATED) as cible:
        for nom, donnees in membres:
            if nom == "docProps/core.xml":
                donnees = _figer_core(donnees)
            info = zipfile.ZipInfo(nom, date_time=DATE_ZIP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            cible.writestr(info, donnees)
