"""Entrées invalides : `ExtractionError` en français, code de sortie ≠ 0, rien d'écrit à moitié."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from cli.principal import app
from extracteurs.document import extraire
from socle.erreurs import DspError, ExtractionError
from socle.reglages import Reglages


def _pas_un_pdf(tmp: Path) -> Path:
    cible = tmp / "rapport.pdf"
    cible.write_text("Ceci est un courriel enregistré avec la mauvaise extension.")
    return cible


def _tronque(tmp: Path, source: Path) -> Path:
    cible = tmp / "tronque.pdf"
    donnees = source.read_bytes()
    cible.write_bytes(donnees[: len(donnees) // 2])
    return cible


def _zero_page(tmp: Path) -> Path:
    cible = tmp / "zero.pdf"
    with cible.open("wb") as flux:
        pypdf.PdfWriter().write(flux)
    return cible


def _vide(tmp: Path) -> Path:
    cible = tmp / "vide.pdf"
    cible.write_bytes(b"")
    return cible


def _page_blanche(tmp: Path) -> Path:
    cible = tmp / "blanche.pdf"
    toile = canvas.Canvas(str(cible))
    toile.showPage()
    toile.save()
    return cible


@pytest.mark.parametrize(
    ("fabrique", "motif"),
    [
        (lambda tmp, src: _pas_un_pdf(tmp), "n'est pas un PDF"),
        (_tronque, "tronqué ou corrompu"),
        (lambda tmp, src: _zero_page(tmp), "aucune page"),
        (lambda tmp, src: _vide(tmp), "vide"),
        (lambda tmp, src: _page_blanche(tmp), "ni texte ni image"),
    ],
    ids=["pas-un-pdf", "tronque", "zero-page", "vide", "page-blanche"],
)
def test_entree_invalide(tmp_path: Path, pdf_simple: Path, fabrique, motif: str) -> None:  # type: ignore[no-untyped-def]
    fichier = fabrique(tmp_path, pdf_simple)
    with pytest.raises(ExtractionError, match=motif) as erreur:
        extraire(fichier)
    assert isinstance(erreur.value, DspError)
    cible = tmp_path / "sortie.json"
    resultat = CliRunner().invoke(app, ["extraire", str(fichier), "--json", str(cible)])
    assert resultat.exit_code != 0
    assert "Échec de l'extraction" in resultat.output
    assert not cible.exists()
    assert not list(tmp_path.glob(".sortie.json*")), "fichier temporaire laissé derrière"


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
    from socle.reglages import reglages

    reglages.cache_clear()
    avec = CliRunner().invoke(app, ["extraire", str(pdf_chiffre), "--json", str(cible)])
    assert avec.exit_code == 0, avec.output
    assert cible.exists()


def test_lot_continue_apres_un_fichier_casse(tmp_path: Path, pdf_simple: Path) -> None:
    casse = _pas_un_pdf(tmp_path)
    resultat = CliRunner().invoke(
        app, ["extraire", str(casse), str(pdf_simple), "--sortie", str(tmp_path / "out")]
    )
    assert resultat.exit_code == 1
    assert (tmp_path / "out" / "simple.document.json").exists()
    assert not (tmp_path / "out" / "rapport.document.json").exists()
