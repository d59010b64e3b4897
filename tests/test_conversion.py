"""Conversion en PDF par LibreOffice (profil jetable) puis en PNG : chaque fiche de
référence tient en une à trois pages, le rapport CCSPL les contient toutes, et le
filigrane du brouillon se voit réellement sur la page rendue."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from docx import Document
from PIL import Image
from typer.testing import CliRunner

from cli.principal import app
from publication import rapports_ccspl, rendre_fiche
from publication.conversion import en_pdf, en_png, nombre_pages, pages_en_images
from socle.reglages import reglages
from stockage.depot import Depot
from stockage.statuts import Statut
from tests.conftest import RACINE
from tests.test_publication import (  # noqa: F401 (fixture depot)
    FICHES,
    REVUE,
    charger,
    depot,
    enregistrer,
)


@pytest.fixture(autouse=True)
def _libreoffice() -> None:
    if shutil.which("soffice") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI : LibreOffice (paquet libreoffice-writer) est obligatoire")
        pytest.skip("LibreOffice absent : scripts/installer.sh installe libreoffice-writer")


def pixels_rouges(image: Image.Image) -> int:
    """Pixels nettement rouges : le filigrane (« #c00000 » translucide) et rien d'autre."""
    r, v, b = (np.asarray(image.convert("RGB"), dtype=int)[..., k] for k in range(3))
    return int(((r > 180) & (v < 190) & (b < 190) & (r - v > 40)).sum())


def test_chaque_fiche_tient_en_une_a_trois_pages(tmp_path: Path) -> None:
    documents = [
        rendre_fiche(charger(c.name), tmp_path / c.name.replace(".json", ".docx"), brouillon=True)
        for c in FICHES
    ]
    pdfs = en_pdf(documents, tmp_path / "pdf")
    assert len(pdfs) == len(FICHES)
    for pdf in pdfs:
        assert 1 <= nombre_pages(pdf) <= 3, pdf.name
    png = en_png(pdfs[0], tmp_path / "apercu.png", pages=2)
    with Image.open(png) as image:
        assert image.width > 1000 and image.height > 800


def test_le_filigrane_se_voit_sur_le_brouillon_seulement(tmp_path: Path) -> None:
    fiche = charger("port_plaisance_2023.fiche.json")
    brouillon = rendre_fiche(fiche, tmp_path / "brouillon.docx", brouillon=True)
    validee = fiche.model_copy(update={"revue": REVUE})
    finale = rendre_fiche(validee, tmp_path / "finale.docx", brouillon=False)
    pdf_brouillon, pdf_finale = en_pdf([brouillon, finale], tmp_path / "pdf")
    rouge_brouillon = pixels_rouges(pages_en_images(pdf_brouillon, 0.5, 1)[0])
    rouge_finale = pixels_rouges(pages_en_images(pdf_finale, 0.5, 1)[0])
    assert rouge_finale < 50 and rouge_brouillon > 300


TROIS_AUTORITES = ("stationnement_forville_2023", "port_plaisance_2023", "casino_les_pins_2023")
BLEU_N = (0x1F, 0x38, 0x64)
"""La couleur des barres de l'exercice N dans les graphiques du rapport CCSPL."""


def pixels_de(image: Image.Image, couleur: tuple[int, int, int]) -> int:
    rvb = np.asarray(image.convert("RGB"), dtype=int)
    return int((np.abs(rvb - np.array(couleur)).sum(axis=2) < 40).sum())


def test_trois_autorites_trois_rapports_ccspl_avec_graphiques(tmp_path: Path) -> None:
    """Les fiches de trois autorités validées pour 2023 : `dsp publier` écrit trois rapports
    CCSPL, chacun avec ses graphiques en images, que LibreOffice affiche vraiment."""
    base = Depot()
    try:
        base.importer_contrats(RACINE / "samples" / "contrats.csv")
        for nom in TROIS_AUTORITES:
            rapport_id = enregistrer(base, nom)
            base.changer_statut(rapport_id, Statut.VALIDE, agent="M. Martin")
    finally:
        base.fermer()
    resultat = CliRunner().invoke(app, ["publier", "--exercice", "2023"])
    assert resultat.exit_code == 0, resultat.output
    rapports = sorted((reglages().data_dir / "publications" / "2023").glob("rapport_ccspl_*"))
    assert [p.name.removeprefix("rapport_ccspl_2023_") for p in rapports] == [
        "ville-de-bellerive-les-bains.docx", "ville-de-port-azur.docx",
        "ville-de-saint-clair-les-pins.docx",
    ]  # fmt: skip
    for chemin in rapports:
        assert len(Document(str(chemin)).inline_shapes) == 2  # anomalies, puis N-1 / N
    pdfs = en_pdf(rapports, tmp_path / "pdf")
    for pdf in pdfs:
        pages = pages_en_images(pdf, 0.5, nombre_pages(pdf))
        # La synthèse (page 2) porte le graphique des anomalies, la page 3 celui du contrat.
        assert pixels_de(pages[2], BLEU_N) > 500, pdf.name


def test_rapport_ccspl_en_pdf(depot: Depot, tmp_path: Path) -> None:  # noqa: F811
    rapport = next(p for p in rapports_ccspl(depot, 2023, reglages()) if "saint-clair" in p.name)
    (pdf,) = en_pdf([rapport], tmp_path / "pdf")
    # Couverture, synthèse, au moins une page par fiche validée, rapports manquants.
    assert nombre_pages(pdf) >= 3 + 2
