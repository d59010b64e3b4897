"""Lecture des documents bureautiques sur de vrais petits fichiers construits à la volée."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from openpyxl.worksheet.worksheet import Worksheet

from extracteurs import bureautique_tableur
from extracteurs.bureautique import lire_bureautique
from extracteurs.bureautique_tableur import formater_nombre
from extracteurs.grilles import GrilleBrute
from extracteurs.modeles import Page
from socle.erreurs import ExtractionError
from socle.reglages import reglages

NBSP, NNBSP = "\u00a0", "\u202f"


def _textes(page: Page) -> list[str]:
    return [ligne.texte for ligne in page.lignes]


def _cellules(grille: GrilleBrute) -> list[list[str]]:
    return [[c.texte for c in rangee] for rangee in grille.lignes]


def _feuille(classeur: openpyxl.Workbook) -> Worksheet:
    feuille = classeur.active
    assert isinstance(feuille, Worksheet)
    return feuille


def _remplir_table(document: object, rangees: list[list[str]]) -> object:
    table = document.add_table(rows=len(rangees), cols=len(rangees[0]))  # type: ignore[attr-defined]
    for i, rangee in enumerate(rangees):
        for j, texte in enumerate(rangee):
            table.cell(i, j).text = texte
    return table


@pytest.fixture
def rapport_docx(tmp_path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Rapport annuel du délégataire 2023", 0)
    document.add_paragraph("Le délégataire présente le compte de l'exploitation.")
    document.add_page_break()  # type: ignore[no-untyped-call]
    document.add_heading("Compte annuel de résultat", 1)
    document.add_paragraph("en euros")
    _remplir_table(
        document,
        [
            ["Poste", "2022", "2023"],
            ["Total produits", f"1{NBSP}284{NBSP}560", f"1{NNBSP}300{NNBSP}000"],
            ["Résultat", "(12 345)", "-5 000"],
        ],
    )
    document.add_paragraph("Commentaire après le tableau.")
    chemin = tmp_path / "rapport.docx"
    document.save(str(chemin))
    return chemin


def test_docx_pages_lignes_et_titres(rapport_docx: Path) -> None:
    pages, _, avertissements = lire_bureautique(rapport_docx)

    assert [p.numero for p in pages] == [1, 2]
    assert _textes(pages[0]) == [
        "Rapport annuel du délégataire 2023",
        "Le délégataire présente le compte de l'exploitation.",
    ]
    assert [ligne.id for ligne in pages[1].lignes][:2] == ["p2-l1", "p2-l2"]
    assert pages[0].lignes[0].gras and not pages[0].lignes[1].gras
    assert pages[1].lignes[0].texte == "Compte annuel de résultat" and pages[1].lignes[0].gras
    assert pages[0].largeur > 500 and pages[0].hauteur > 700  # format de page du document
    assert all(ligne.boite is None and ligne.page == 2 for ligne in pages[1].lignes)
    assert avertissements == []


def test_docx_tableau_en_grille_et_en_lignes(rapport_docx: Path) -> None:
    pages, grilles, _ = lire_bureautique(rapport_docx)

    assert len(grilles) == 1
    grille = grilles[0]
    assert grille.methode == "docx" and grille.page == 2
    assert grille.contexte == ["Compte annuel de résultat", "en euros"]
    assert _cellules(grille) == [
        ["Poste", "2022", "2023"],
        ["Total produits", f"1{NBSP}284{NBSP}560", f"1{NNBSP}300{NNBSP}000"],
        ["Résultat", "(12 345)", "-5 000"],
    ]
    assert {c.page for rangee in grille.lignes for c in rangee} == {2}
    # Les rangées sont aussi des lignes de la page, dans l'ordre de lecture.
    assert _textes(pages[1])[2:] == [
        "Poste\t2022\t2023",
        f"Total produits\t1{NBSP}284{NBSP}560\t1{NNBSP}300{NNBSP}000",
        "Résultat\t(12 345)\t-5 000",
        "Commentaire après le tableau.",
    ]
    # Un montant à espaces insécables reste un seul mot.
    mots = [m.texte for m in pages[1].lignes[3].mots]
    assert mots == ["Total", "produits", f"1{NBSP}284{NBSP}560", f"1{NNBSP}300{NNBSP}000"]


def test_docx_cellules_fusionnees(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Investissements — en k€")
    table = _remplir_table(
        document,
        [
            ["Ouvrage", "Exercice", ""],
            ["Station", "120", "80"],
            ["", "45", "60"],
            ["Forfait", "", ""],
        ],
    )
    table.cell(0, 1).merge(table.cell(0, 2))  # type: ignore[attr-defined]
    table.cell(1, 0).merge(table.cell(2, 0))  # type: ignore[attr-defined]
    table.cell(3, 1).merge(table.cell(3, 2)).text = "1 000"  # type: ignore[attr-defined]
    chemin = tmp_path / "fusions.docx"
    document.save(str(chemin))

    pages, grilles, _ = lire_bureautique(chemin)

    # Intitulé répété sur les colonnes fusionnées, montant jamais dupliqué,
    # suite de fusion verticale laissée vide.
    assert _cellules(grilles[0]) == [
        ["Ouvrage", "Exercice", "Exercice"],
        ["Station", "120", "80"],
        ["", "45", "60"],
        ["Forfait", "1 000", ""],
    ]
    assert _textes(pages[0])[1] == "Ouvrage\tExercice"


def test_docx_sauts_de_section_et_de_ligne(tmp_path: Path) -> None:
    document = docx.Document()
    paragraphe = document.add_paragraph("Synthèse")
    paragraphe.add_run().add_break(WD_BREAK.LINE)
    paragraphe.add_run("Exercice 2023").bold = True
    document.add_section(WD_SECTION.NEW_PAGE)
    document.add_paragraph("Qualité du service")
    document.add_section(WD_SECTION.CONTINUOUS)
    document.add_paragraph("Tarifs")
    chemin = tmp_path / "sections.docx"
    document.save(str(chemin))

    pages, _, _ = lire_bureautique(chemin)

    assert [_textes(p) for p in pages] == [
        ["Synthèse", "Exercice 2023"],
        ["Qualité du service", "Tarifs"],
    ]
    assert pages[0].lignes[1].gras and not pages[0].lignes[0].gras


def test_docx_pagination_rendue_par_word(tmp_path: Path) -> None:
    """Quand Word a enregistré sa mise en page, les pages sont celles du document imprimé."""
    document = docx.Document()
    document.add_paragraph("Page un")
    deux = document.add_paragraph()
    deux.add_run("Page deux")._r.insert(0, OxmlElement("w:lastRenderedPageBreak"))
    table = _remplir_table(document, [["Poste", "2023"], ["Produits", "10"], ["Charges", "7"]])
    cellule = table.cell(2, 0).paragraphs[0].runs[0]  # type: ignore[attr-defined]
    cellule._r.insert(0, OxmlElement("w:lastRenderedPageBreak"))
    chemin = tmp_path / "rendu.docx"
    document.save(str(chemin))

    pages, grilles, _ = lire_bureautique(chemin)

    assert [_textes(p) for p in pages] == [
        ["Page un"],
        ["Page deux", "Poste\t2023", "Produits\t10"],
        ["Charges\t7"],
    ]
    assert grilles[0].page == 2
    assert [rangee[0].page for rangee in grilles[0].lignes] == [2, 2, 3]


def test_docx_corrompu(tmp_path: Path) -> None:
    chemin = tmp_path / "faux.docx"
    chemin.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ExtractionError, match="Le fichier DOCX est illisible ou corrompu"):
        lire_bureautique(chemin)


def test_docx_vide(tmp_path: Path) -> None:
    chemin = tmp_path / "vide.docx"
    docx.Document().save(str(chemin))
    with pytest.raises(ExtractionError, match="aucun texte exploitable"):
        lire_bureautique(chemin)


def test_odt_par_pandoc(rapport_docx: Path, tmp_path: Path) -> None:
    pypandoc = pytest.importorskip("pypandoc")
    chemin = tmp_path / "rapport.odt"
    pypandoc.convert_file(str(rapport_docx), "odt", outputfile=str(chemin))

    pages, grilles, _ = lire_bureautique(chemin)

    assert "Compte annuel de résultat" in pages[0].texte
    assert _cellules(grilles[0])[1] == [
        "Total produits",
        f"1{NBSP}284{NBSP}560",
        f"1{NNBSP}300{NNBSP}000",
    ]
    assert grilles[0].contexte[-1] == "en euros"


def test_odt_corrompu(tmp_path: Path) -> None:
    pytest.importorskip("pypandoc")
    chemin = tmp_path / "faux.odt"
    chemin.write_bytes(b"pas un document")
    with pytest.raises(ExtractionError, match="ODT est illisible"):
        lire_bureautique(chemin)


def test_html(tmp_path: Path) -> None:
    chemin = tmp_path / "rapport.html"
    chemin.write_text(
        "<html><head><title>RAD</title><script>var x = 1;</script></head><body>"
        "<h1>Rapport annuel</h1><p>Le délégataire présente<br>son compte.</p>"
        '<p style="page-break-before: always">Compte annuel de résultat</p><p>en k€</p>'
        "<table><tr><th rowspan='2'>Poste</th><th colspan='2'>Exercice</th></tr>"
        "<tr><th>2022</th><th>2023</th></tr>"
        "<tr><td>Total produits</td><td>1&nbsp;284</td><td>1 300</td></tr>"
        "<tr><td>Personnel</td><td colspan='2'>(12 345)</td></tr></table>"
        "<ul><li>un <b>point</b></li></ul></body></html>",
        encoding="utf-8",
    )

    pages, grilles, _ = lire_bureautique(chemin)

    assert _textes(pages[0]) == ["Rapport annuel", "Le délégataire présente", "son compte."]
    assert pages[0].lignes[0].gras
    assert _textes(pages[1])[:3] == ["Compte annuel de résultat", "en k€", "Poste\tExercice"]
    assert _textes(pages[1])[-1] == "un point"
    assert grilles[0].methode == "html" and grilles[0].page == 2
    assert grilles[0].contexte == ["Compte annuel de résultat", "en k€"]
    assert _cellules(grilles[0]) == [
        ["Poste", "Exercice", "Exercice"],
        ["", "2022", "2023"],
        ["Total produits", f"1{NBSP}284", "1 300"],
        ["Personnel", "(12 345)", ""],
    ]


@pytest.fixture
def care_xlsx(tmp_path: Path) -> Path:
    classeur = openpyxl.Workbook()
    feuille = _feuille(classeur)
    feuille.title = "CARE"
    feuille.append(["Compte annuel de résultat"])
    feuille.append(["en k€"])
    feuille.append([])
    feuille.append(["Poste", 2022, 2023, "Évolution"])
    feuille.append(["Total produits", 1284560, 1300000.4, 0.0121])
    feuille["C5"].number_format = "#,##0"
    feuille["D5"].number_format = "0.0%"
    feuille.append(["CHARGES"])
    feuille.append(["Personnel", -12.5, -13.25])
    feuille.append(["Redevance", -1234.5, None])
    feuille["B8"].number_format = "#,##0.00;(#,##0.00)"
    feuille.append([])
    feuille.append(["Indicateurs"])
    feuille.append(["Abonnés", 12034])
    feuille.append(["Date de clôture", dt.date(2023, 12, 31)])
    classeur.create_sheet("Vide")
    autre = classeur.create_sheet("Tarifs")
    autre.append(["Tarif", "Prix HT"])
    autre.append(["Abonnement", 45.3])
    chemin = tmp_path / "care.xlsx"
    classeur.save(chemin)
    return chemin


def test_xlsx_pages_et_lignes(care_xlsx: Path) -> None:
    pages, _, avertissements = lire_bureautique(care_xlsx)

    assert [p.numero for p in pages] == [1, 2, 3]
    assert pages[0].largeur == 0 and pages[1].lignes == []
    assert _textes(pages[0]) == [
        "CARE",  # nom de l'onglet, en tête de page
        "Compte annuel de résultat",
        "en k€",
        "Poste\t2022\t2023\tÉvolution",
        "Total produits\t1 284 560\t1 300 000\t1,2 %",
        "CHARGES",
        "Personnel\t-12,5\t-13,25",
        "Redevance\t(1 234,50)",
        "Indicateurs",
        "Abonnés\t12 034",
        "Date de clôture\t31/12/2023",
    ]
    assert pages[0].lignes[0].gras and pages[0].lignes[0].id == "p1-l1"
    assert pages[2].lignes[-1].id == "p3-l3"
    assert avertissements == []


def test_xlsx_grilles_nombres_natifs(care_xlsx: Path) -> None:
    _, grilles, _ = lire_bureautique(care_xlsx)

    assert [(g.methode, g.page) for g in grilles] == [("xlsx", 1), ("xlsx", 1), ("xlsx", 3)]
    care, indicateurs, tarifs = grilles
    assert care.contexte == ["Compte annuel de résultat", "en k€"]
    # L'intitulé de section « CHARGES » ne coupe pas le tableau.
    assert [rangee[0].texte for rangee in care.lignes] == [
        "Poste",
        "Total produits",
        "CHARGES",
        "Personnel",
        "Redevance",
    ]
    entete, produits = care.lignes[0], care.lignes[1]
    assert [(c.texte, c.nombre) for c in entete[1:3]] == [("2022", 2022.0), ("2023", 2023.0)]
    assert produits[0].nombre is None
    assert [(c.texte, c.nombre) for c in produits[1:]] == [
        ("1 284 560", 1284560.0),
        ("1 300 000", 1300000.4),  # valeur native gardée, texte tel qu'affiché
        ("1,2 %", pytest.approx(1.21)),
    ]
    assert (care.lignes[4][1].texte, care.lignes[4][1].nombre) == ("(1 234,50)", -1234.5)
    assert all(c.page == 1 for rangee in care.lignes for c in rangee)
    assert indicateurs.contexte == ["Indicateurs"]
    assert _cellules(tarifs) == [["Tarif", "Prix HT"], ["Abonnement", "45,3"]]


def test_xlsx_formule_sans_valeur(tmp_path: Path) -> None:
    classeur = openpyxl.Workbook()
    feuille = _feuille(classeur)
    feuille.title = "CARE"
    feuille.append(["Poste", "2023"])
    feuille.append(["Produits", 100])
    feuille.append(["Charges", 70])
    feuille.append(["Résultat", "=B2-B3"])  # openpyxl n'enregistre pas de valeur calculée
    chemin = tmp_path / "formules.xlsx"
    classeur.save(chemin)

    pages, grilles, avertissements = lire_bureautique(chemin)

    assert avertissements == ["Cellule à formule sans valeur calculée (feuille CARE, B4)"]
    # La formule sans valeur est une cellule vide : la rangée n'a plus que son intitulé.
    assert _textes(pages[0])[-1] == "Résultat"
    assert _cellules(grilles[0]) == [["Poste", "2023"], ["Produits", "100"], ["Charges", "70"]]


def test_xlsx_trop_grande(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bureautique_tableur, "MAX_CELLULES_FEUILLE", 50)
    classeur = openpyxl.Workbook()
    for i in range(20):
        _feuille(classeur).append([f"Poste {i}", i, i * 2])
    chemin = tmp_path / "grand.xlsx"
    classeur.save(chemin)
    with pytest.raises(ExtractionError, match="trop grande"):
        lire_bureautique(chemin)


def test_xlsx_corrompu_vide_et_xls(tmp_path: Path) -> None:
    faux = tmp_path / "faux.xlsx"
    faux.write_bytes(b"\x00" * 300)
    with pytest.raises(ExtractionError, match="Le classeur XLSX est illisible ou corrompu"):
        lire_bureautique(faux)
    vide = tmp_path / "vide.xlsx"
    openpyxl.Workbook().save(vide)
    with pytest.raises(ExtractionError, match="aucun texte exploitable"):
        lire_bureautique(vide)
    ancien = tmp_path / "ancien.xls"
    ancien.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(ExtractionError, match=r"\.xlsx"):
        lire_bureautique(ancien)


def test_format_inconnu_et_fichier_absent(tmp_path: Path) -> None:
    autre = tmp_path / "notes.txt"
    autre.write_text("texte")
    with pytest.raises(ExtractionError, match="non pris en charge"):
        lire_bureautique(autre)
    with pytest.raises(ExtractionError, match="introuvable"):
        lire_bureautique(tmp_path / "absent.docx")


@pytest.fixture
def max_deux_pages(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DSP_MAX_PAGES", "2")
    reglages.cache_clear()
    yield
    reglages.cache_clear()


def test_pages_au_dela_du_maximum(care_xlsx: Path, max_deux_pages: None) -> None:
    pages, grilles, avertissements = lire_bureautique(care_xlsx)
    assert len(pages) == 2 and all(g.page <= 2 for g in grilles)
    assert any("DSP_MAX_PAGES" in a for a in avertissements)


@pytest.mark.parametrize(
    ("valeur", "decimales", "parentheses", "attendu"),
    [
        (1284560, None, False, "1 284 560"),
        (-12.5, None, False, "-12,5"),
        (0.1 + 0.2, None, False, "0,3"),
        (-12345, 0, True, "(12 345)"),
        (-0.001, 0, False, "0"),
        (1234.5, 2, False, "1 234,50"),
    ],
)
def test_formater_nombre(
    valeur: float, decimales: int | None, parentheses: bool, attendu: str
) -> None:
    assert formater_nombre(valeur, decimales, parentheses=parentheses) == attendu
