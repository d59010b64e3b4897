"""Tesseract lancé sans intermédiaire (`extracteurs.tesseract`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from extracteurs import ocr, tesseract
from socle.erreurs import ExtractionError
from tests.conftest import CORPUS, RACINE

TSV = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t\n"
    "5\t1\t1\t1\t1\t1\t300\t410\t120\t38\t96.418\tRecettes\n"
    "5\t1\t1\t1\t1\t2\t450\t410\t90\t38\t91.5\t1 234\n"
    "5\t1\t1\t1\t1\t3\t600\t410\t40\t38\t12.0"
)


def test_tsv_lu_en_colonnes() -> None:
    """Nombres entiers (confiance tronquée), texte gardé tel quel, dernière ligne sans
    texte complétée : la lecture que faisait pytesseract."""
    colonnes = tesseract.lire_tsv(TSV)
    assert colonnes["text"] == ["", "Recettes", "1 234", ""]
    assert colonnes["conf"] == [-1, 96, 91, 12]
    assert colonnes["left"] == [0, 300, 450, 600]
    assert tesseract.lire_tsv("level\tconf\ttext\n") == {}


def test_tesseract_absent_message_en_francais(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tesseract, "COMMANDE", "/nulle/part/tesseract")
    with pytest.raises(ExtractionError, match="Tesseract est introuvable"):
        tesseract.mots(Image.new("L", (40, 20), 255), "fra", ["--psm", "6"])


def test_echec_de_tesseract_et_orientation_inconnue(monkeypatch: pytest.MonkeyPatch) -> None:
    """Un Tesseract qui s'arrête en erreur : `TesseractError` (une `ExtractionError`) avec
    son code ; pour l'orientation, la page est gardée droite."""
    monkeypatch.setattr(tesseract, "COMMANDE", "false")
    page = Image.new("LA", (60, 30), (0, 0))  # transparence : remplacée par du blanc
    with pytest.raises(tesseract.TesseractError, match="code 1"):
        tesseract.mots(page, "fra", [])
    assert ocr.orientation(page) == 0


def test_une_page_scannee_lue_sans_pandas() -> None:
    """Lire un PDF scanné (rendu, OCR, orientation) n'importe pas pandas (~0,12 s CPU par
    processus) ; vérifié dans un processus neuf où rien d'autre ne l'a chargé."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from extracteurs.document import extraire\n"
        "document = extraire(Path(sys.argv[1]))\n"
        "print(sum(p.scannee for p in document.pages), 'pandas' in sys.modules)\n"
    )
    scanne = CORPUS / "stationnement_gare_scanne_2023.pdf"
    fini = subprocess.run(
        [sys.executable, "-c", code, str(scanne)],
        cwd=RACINE, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert fini.returncode == 0, fini.stderr
    pages, pandas = fini.stdout.split()
    assert int(pages) > 0 and pandas == "False"


def test_image_ecrite_en_bmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """L'image confiée à Tesseract est un BMP (non compressé : quelques millisecondes au
    lieu de ~0,5 s CPU pour un PNG d'une page A4 à 300 ppp)."""
    vus: list[str] = []

    def executer(commande: list[str], **_: object) -> subprocess.CompletedProcess[bytes]:
        with Image.open(commande[1]) as lue:
            vus.append(lue.format or "")
        Path(f"{commande[2]}.tsv").write_text("level\tconf\ttext\n", encoding="utf-8")
        return subprocess.CompletedProcess(commande, 0, b"", b"")

    monkeypatch.setattr(tesseract.subprocess, "run", executer)
    assert tesseract.mots(Image.new("L", (40, 20), 255), "fra", []) == {}
    assert vus == ["BMP"]
