"""`PageAllegee` rend exactement les objets de pdfplumber tel quel : mêmes dictionnaires
(clés, ordre, valeurs) pour chaque caractère, trait, rectangle, courbe et image.

C'est la garantie que la lecture accélérée ne change rien à ce qui est lu ; elle dit
aussi si une montée de version de pdfplumber change sa conversion."""

from __future__ import annotations

import logging
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from pdfminer.pdftypes import PDFStream
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extracteurs.pages_plumber import PageAllegee, PdfAllege
from tests.conftest import CORPUS, _police

REELS = CORPUS.parents[2] / "shared" / "reels"


def _valeur(v: object) -> object:
    """Les flux PDF (image, palette d'un espace de couleurs) sont des objets distincts d'une
    ouverture à l'autre : comparés par leur dictionnaire et leurs octets."""
    if isinstance(v, PDFStream):
        return ("flux", repr(v.attrs), v.get_rawdata())
    if isinstance(v, tuple):
        return tuple(_valeur(x) for x in v)
    if isinstance(v, list):
        return [_valeur(x) for x in v]
    if isinstance(v, dict):
        return {k: _valeur(x) for k, x in v.items()}
    return v


def _comparable(objet: dict[str, object]) -> list[tuple[str, object]]:
    return [(k, _valeur(v)) for k, v in objet.items()]


def _objets_identiques(chemin: Path, pages: int | None = None, **options: object) -> int:
    """Compare page par page ; rend le nombre d'objets comparés."""
    compares = 0
    with pdfplumber.open(chemin, **options) as tel_quel, PdfAllege.open(chemin, **options) as al:
        assert len(al.pages) == len(tel_quel.pages)
        for page, allegee in list(zip(tel_quel.pages, al.pages, strict=True))[:pages]:
            assert isinstance(allegee, PageAllegee)
            attendus, obtenus = page.objects, allegee.objects
            assert list(obtenus) == list(attendus), f"{chemin.name} p. {page.page_number}"
            for genre, objets in attendus.items():
                for a, b in zip(objets, obtenus[genre], strict=True):
                    assert _comparable(b) == _comparable(a), f"{chemin.name} {genre}"
                compares += len(objets)
    return compares


@pytest.mark.parametrize("chemin", sorted(CORPUS.glob("*.pdf")), ids=lambda chemin: chemin.stem)
def test_corpus_objets_identiques(chemin: Path) -> None:
    assert _objets_identiques(chemin, pages=6) > 0


@pytest.mark.skipif(not REELS.is_dir(), reason="RPQS réels absents (../shared/reels)")
def test_rpqs_reels_objets_identiques() -> None:
    for chemin in sorted(REELS.glob("*.pdf")):
        _objets_identiques(chemin, pages=4)


def test_boite_decalee_couleurs_courbes_et_normalisation(tmp_path: Path) -> None:
    """Origine de la MediaBox hors de (0, 0) (coordonnées décalées), texte en couleur CMJN
    et RVB, rectangles pleins, courbes, ligature et normalisation Unicode demandée."""
    source = tmp_path / "source.pdf"
    toile = canvas.Canvas(str(source), pagesize=A4)
    toile.setFont(_police(), 11)
    toile.setFillColorCMYK(0, 0.5, 1, 0)
    toile.drawString(72, 760, "Redevance d’occupation ﬁxe : 12 345,67 €")
    toile.setFillColorRGB(0.2, 0.3, 0.9)
    toile.drawString(72, 740, "Résultat net 2023")
    toile.rect(70, 600, 300, 40, fill=1)
    toile.bezier(80, 500, 120, 560, 200, 440, 260, 500)
    toile.line(70, 590, 370, 590)
    toile.showPage()
    toile.save()
    lecteur = pypdf.PdfReader(source)
    ecrivain = pypdf.PdfWriter()
    for page in lecteur.pages:
        page.mediabox.lower_left = (20, 30)
        ecrivain.add_page(page)
    decale = tmp_path / "decale.pdf"
    with decale.open("wb") as flux:
        ecrivain.write(flux)
    for chemin in (source, decale):
        assert _objets_identiques(chemin) > 40
        assert _objets_identiques(chemin, unicode_norm="NFKC") > 40


def test_journaux_de_pdfminer_sans_debogage_sauf_si_demande(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sans DEBUG actif, les appels DEBUG de pdfminer (un par jeton lu) ne font rien et le
    texte lu est le même ; quand un agent active DEBUG pour diagnostiquer un PDF, le
    document suivant retrouve le vrai journal et ses messages."""
    from pdfminer import psparser

    from extracteurs.pages_plumber import _JournalSansDebogage
    from extracteurs.pdf import ouvrir_pdfplumber

    chemin = CORPUS / "casino_les_pins_2023.pdf"
    with ouvrir_pdfplumber(chemin, None) as pdf:
        assert isinstance(psparser.log, _JournalSansDebogage)
        muet = pdf.pages[0].extract_text()
    with caplog.at_level(logging.DEBUG, logger="pdfminer"):
        with ouvrir_pdfplumber(chemin, None) as pdf:
            assert isinstance(psparser.log, logging.Logger)
            assert pdf.pages[0].extract_text() == muet
        assert any(
            r.name == "pdfminer.psparser" and "nexttoken" in r.getMessage() for r in caplog.records
        )
    with ouvrir_pdfplumber(chemin, None):
        assert isinstance(psparser.log, _JournalSansDebogage)
