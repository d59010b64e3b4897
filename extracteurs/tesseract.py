"""Tesseract lancé en ligne de commande, sans intermédiaire.

Les deux usages de l'OCR (les mots d'une page en TSV, l'orientation d'une page) sont
chacun un appel de la commande `tesseract`. pytesseract, qui les faisait, importait pandas
s'il était installé (~0,12 s CPU par processus qui lit une page scannée, pour un tableau
de données jamais demandé) et lançait `tesseract --version` avant son premier appel. Les
arguments passés à Tesseract et la lecture du TSV sont ceux de pytesseract 0.3 : mêmes
mots, mêmes boîtes, mêmes confiances (vérifié au changement : `Document` identiques pour
les PDF scannés du corpus et grolejac ; les fiches des scannés restent testées contre
leurs références par `tests/test_corpus_extraction.py`).

L'image est écrite en BMP, non compressé : compresser une page A4 à 300 ppp en PNG coûtait
~0,5 s CPU, plus que la moitié de l'OCR lui-même ; le BMP, quelques millisecondes.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from socle.erreurs import ExtractionError

COMMANDE = "tesseract"

Donnees = dict[str, list[int | str]]
"""Colonnes du TSV de Tesseract (`level`, `left`, `conf`, `text`…), une valeur par mot."""


class TesseractError(ExtractionError):
    """Tesseract s'est arrêté en erreur sur une image (code de sortie non nul)."""


def _lancer(image: Image.Image, arguments: list[str], extension: str) -> str:
    """Écrit l'image, lance Tesseract et rend le texte du fichier `sortie.<extension>`."""
    with tempfile.TemporaryDirectory(prefix="dsp-tesseract-") as dossier:
        entree, sortie = Path(dossier) / "page.bmp", Path(dossier) / "sortie"
        _sans_transparence(image).save(entree, format="BMP")
        try:
            fini = subprocess.run(
                [COMMANDE, str(entree), str(sortie), *arguments],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=False,
            )
        except FileNotFoundError as exc:
            raise ExtractionError(
                "Tesseract est introuvable : installez tesseract-ocr et tesseract-ocr-fra."
            ) from exc
        if fini.returncode:
            erreur = " ".join(fini.stderr.decode("utf-8", "replace").split())
            raise TesseractError(f"Tesseract a échoué (code {fini.returncode}) : {erreur}")
        return (Path(dossier) / f"sortie.{extension}").read_text(encoding="utf-8")


def _sans_transparence(image: Image.Image) -> Image.Image:
    """L'image, sa transparence remplacée par du blanc (ce que Tesseract lirait en noir)."""
    if "A" not in image.getbands():
        return image
    fond = Image.new("RGB", image.size, (255, 255, 255))
    fond.paste(image, (0, 0), image.getchannel("A"))
    return fond


def mots(image: Image.Image, langue: str, options: list[str]) -> Donnees:
    """Les mots de l'image (TSV de Tesseract, une liste par colonne)."""
    return lire_tsv(_lancer(image, ["-l", langue, "-c", "tessedit_create_tsv=1", *options], "tsv"))


def orientation_osd(image: Image.Image) -> str:
    """Le rapport d'orientation (OSD) de Tesseract sur l'image (« Rotate: 90 »…)."""
    return _lancer(image, ["-l", "osd", "--psm", "0"], "osd")


def lire_tsv(tsv: str) -> Donnees:
    """Le TSV en colonnes : nombres entiers sauf la dernière colonne (le texte), gardée
    telle quelle ; une dernière ligne sans texte reçoit un texte vide."""
    rangees = [rangee.split("\t") for rangee in tsv.strip().split("\n")]
    if len(rangees) < 2:
        return {}
    entete, rangees = rangees[0], rangees[1:]
    if len(rangees[-1]) < len(entete):
        rangees[-1].append("")
    colonnes: Donnees = {}
    for rang, nom in enumerate(entete):
        valeurs: list[int | str] = []
        for rangee in rangees:
            if rang >= len(rangee):
                continue
            valeurs.append(rangee[rang] if rang == len(entete) - 1 else _entier(rangee[rang]))
        colonnes[nom] = valeurs
    return colonnes


def _entier(valeur: str) -> int | str:
    try:
        return int(float(valeur))
    except ValueError:
        return valeur
