"""Fichiers que l'on ne peut pas (ou ne doit pas) lire : `ExtractionError` dont le message
français nomme la raison (et la limite dépassée), code de sortie ≠ 0, rien d'écrit à
moitié, et le lot continue. Une sorte du corpus hostile par cas (`tests.hostile.generer`).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.principal import app
from extracteurs.document import extraire
from socle.erreurs import DspError, ExtractionError
from socle.reglages import Reglages, reglages
from tests.hostile.briques import CARE
from tests.hostile.parcours import CorpusHostile

# sorte → (motif attendu dans le message, réglages abaissés pour le cas)
REFUS: dict[str, tuple[str, dict[str, int]]] = {
    "pas_un_pdf": (r"n'est pas un PDF \(signature %PDF absente\)", {}),
    "fichier_vide": (r"^Le fichier est vide\.$", {}),
    "pdf_tronque": (r"tronqué ou corrompu", {}),
    "pdf_chiffre": (r"protégé par un mot de passe : renseignez DSP_PDF_PASSWORD", {}),
    "pdf_sans_page": (r"^Le PDF ne contient aucune page\.$", {}),
    "pdf_pages_blanches": (r"ni texte ni image exploitable", {}),
    "scan_basse_resolution": (
        r"image numérisée à 40 ppp, sous le minimum de 100 ppp \(DSP_OCR_RESOLUTION_MIN\)",
        {},
    ),
    "page_demesuree": (
        r"format démesuré \(508 × 508 cm\).*100 Mpx \(DSP_MAX_PIXELS_IMAGE\)",
        {},
    ),
    "trop_volumineux": (r"taille maximale de 1 Mo \(DSP_MAX_TAILLE_MO\)", {"max_taille_mo": 1}),
    "cinq_cents_pages": (
        r"compte 500 pages, au-delà de la limite de 499 \(DSP_MAX_PAGES\)",
        {"max_pages": 499},
    ),
    "docx_malforme": (r"Le fichier DOCX est illisible ou corrompu", {}),
    "docx_bombe": (
        r"« word/document\.xml » est compressé \d{3,} fois \(au plus 100, "
        r"DSP_MAX_RATIO_COMPRESSION\) : bombe de décompression",
        {},
    ),
    "docx_entites": (r"« word/document\.xml » déclare un DOCTYPE \(entités XML\)", {}),
    # Toutes les cellules du CARE généré, en-têtes compris : 3 colonnes.
    "xlsx_formules": (rf"ne contient que des formules .*\({3 * (len(CARE) + 1)} cellules\)", {}),
}


def _abaisser(monkeypatch: pytest.MonkeyPatch, limites: dict[str, int]) -> Reglages:
    """Les limites du cas, posées dans l'environnement (lu aussi par la CLI)."""
    for nom, valeur in limites.items():
        monkeypatch.setenv(f"DSP_{nom.upper()}", str(valeur))
    reglages.cache_clear()
    return reglages()


@pytest.mark.parametrize("sorte", list(REFUS))
def test_refus_explique(
    sorte: str, corpus: CorpusHostile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    motif, limites = REFUS[sorte]
    fichier = corpus.fichier(sorte)
    debut = time.perf_counter()
    with pytest.raises(ExtractionError) as erreur:
        extraire(fichier, _abaisser(monkeypatch, limites))
    # Refusé avant d'être décodé : ni la bombe ni les 500 pages ne sont lues.
    assert time.perf_counter() - debut < 5
    assert isinstance(erreur.value, DspError)
    assert re.search(motif, erreur.value.message), erreur.value.message
    assert erreur.value.fichier == str(fichier)
    cible = tmp_path / "sortie.json"
    resultat = CliRunner().invoke(app, ["extraire", str(fichier), "--json", str(cible)])
    assert resultat.exit_code != 0
    assert f"Échec de l'extraction de {fichier.name}" in resultat.output
    assert not cible.exists()
    assert not list(tmp_path.glob(".sortie.json*")), "fichier temporaire laissé derrière"


@pytest.mark.parametrize("extension", [".xlsx", ".odt"])
def test_bombe_refusee_quel_que_soit_le_format(
    extension: str, corpus: CorpusHostile, tmp_path: Path
) -> None:
    """La garde lit le répertoire central du ZIP : elle ne dépend pas du lecteur (pandoc
    pour l'ODT, openpyxl pour le XLSX)."""
    bombe = tmp_path / f"bombe{extension}"
    bombe.write_bytes(corpus.fichier("docx_bombe").read_bytes())
    with pytest.raises(ExtractionError, match="DSP_MAX_RATIO_COMPRESSION"):
        extraire(bombe, Reglages())


def test_archive_trop_grande_une_fois_decompressee(corpus: CorpusHostile) -> None:
    with pytest.raises(
        ExtractionError,
        match=r"se décompresse en 6\d Mo.*limite de 50 Mo \(DSP_MAX_DECOMPRESSE_MO\)",
    ):
        extraire(corpus.fichier("docx_bombe"), Reglages(max_decompresse_mo=50))


def test_erreur_perimee_de_pdfium_ne_trompe_pas(corpus: CorpusHostile) -> None:
    """pdfium garde sa dernière erreur par fil : après un PDF chiffré, un PDF sans page
    était annoncé « protégé par un mot de passe »."""
    with pytest.raises(ExtractionError, match="mot de passe"):
        extraire(corpus.fichier("pdf_chiffre"), Reglages())
    with pytest.raises(ExtractionError, match="aucune page"):
        extraire(corpus.fichier("pdf_sans_page"), Reglages())
    with pytest.raises(ExtractionError, match="tronqué ou corrompu"):
        extraire(corpus.fichier("pdf_tronque"), Reglages())


def test_pdf_chiffre_sans_mot_de_passe(pdf_chiffre: Path) -> None:
    with pytest.raises(ExtractionError, match="mot de passe"):
        extraire(pdf_chiffre, Reglages())


def test_pdf_chiffre_mauvais_mot_de_passe(pdf_chiffre: Path) -> None:
    with pytest.raises(ExtractionError, match="refusé"):
        extraire(pdf_chiffre, Reglages(pdf_password="faux"))


def test_pdf_chiffre_avec_mot_de_passe(pdf_chiffre: Path) -> None:
    document = extraire(pdf_chiffre, Reglages(pdf_password="secret"))
    nombres = {c.nombre for t in document.tableaux for c in t.cellules if c.nombre is not None}
    assert {1200.0, 1300.0, -900.0, -1000.0, 300.0} <= nombres


def test_pdf_chiffre_cli_par_variable(
    pdf_chiffre: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cible = tmp_path / "doc.json"
    sans = CliRunner().invoke(app, ["extraire", str(pdf_chiffre), "--json", str(cible)])
    assert sans.exit_code == 2 and not cible.exists()
    monkeypatch.setenv("DSP_PDF_PASSWORD", "secret")
    reglages.cache_clear()
    avec = CliRunner().invoke(app, ["extraire", str(pdf_chiffre), "--json", str(cible)])
    assert avec.exit_code == 0, avec.output
    assert cible.exists()


def test_le_lot_continue_apres_chaque_fichier_refuse(corpus: CorpusHostile, tmp_path: Path) -> None:
    """Tous les fichiers refusés (réglages par défaut) encadrant un rapport sain : chaque
    échec est nommé avec sa raison, la fiche du rapport sain est écrite."""
    refuses = [corpus.fichier(sorte) for sorte, (_, limites) in REFUS.items() if not limites]
    sain = corpus.fichier("adresse_ia")
    sortie = tmp_path / "fiches"
    resultat = CliRunner().invoke(
        app,
        [
            "traiter",
            *map(str, refuses[:5]),
            str(sain),
            *map(str, refuses[5:]),
            "--mode",
            "regles",
            "--sortie",
            str(sortie),
        ],
    )
    assert resultat.exit_code == 1, resultat.output
    assert [f.name for f in sortie.glob("*.fiche.json")] == [f"{sain.stem}.fiche.json"]
    sortie_texte = " ".join(resultat.output.split())
    for fichier in refuses:
        assert f"Échec pour {fichier.name} :" in sortie_texte
