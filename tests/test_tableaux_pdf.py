"""Tableaux PDF : lecture par alignement, années et unité, recollage entre pages, rotation."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extracteurs.choix import noter, raison_de_douter
from extracteurs.document import extraire
from extracteurs.grilles import CelluleBrute, GrilleBrute
from extracteurs.modeles import Tableau
from socle.reglages import Reglages
from tests.conftest import _police, pdf_tableau

ENTETE = ("", "Exercice 2022", "Exercice 2023")


def _pdf_coupe(chemin: Path, entete_repete: bool, regle: bool) -> Path:
    """CARE sur deux pages : 30 lignes en page 1, la suite (et le total) en page 2."""
    toile = canvas.Canvas(str(chemin), pagesize=A4, invariant=1)
    police = _police()
    lignes = [
        (f"Charge n° {i}", f"1\u202f{100 + i}\u202f{200 + i}", f"2\u00a0{300 + i}\u00a0{400 + i}")
        for i in range(1, 45)
    ]
    decoupe = [lignes[:36], lignes[36:]]
    for page, morceau in enumerate(decoupe, start=1):
        toile.setFont(police, 8)
        toile.drawString(60, 815, "Rapport annuel du délégataire 2023 — Service de l'eau")
        y = 780
        if page == 1:
            toile.setFont(police, 12)
            toile.drawString(60, y, "Compte annuel de résultat de l'exploitation (en euros)")
            y -= 30
        if page == 1 or entete_repete:
            y = _rangee(toile, police, ENTETE, y, regle)
        for ligne in morceau:
            y = _rangee(toile, police, ligne, y, regle)
        if page == 2:
            _rangee(toile, police, ("Total charges", "99\u202f999", "88\u202f888"), y, regle)
        toile.setFont(police, 8)
        toile.drawString(280, 30, f"Page {page}/2")
        toile.showPage()
    toile.save()
    return chemin


def _rangee(
    toile: canvas.Canvas, police: str, cellules: tuple[str, ...], y: float, regle: bool
) -> float:
    toile.setFont(police, 9)
    toile.drawString(62, y, cellules[0])
    for k, texte in enumerate(cellules[1:]):
        toile.drawRightString(380 + 110 * k, y, texte)
    if regle:
        toile.rect(58, y - 5, 436, 17, stroke=1, fill=0)
        for x in (270, 385):
            toile.line(x, y - 5, x, y + 12)
    return y - 17


def _tableau_principal(chemin: Path) -> Tableau:
    document = extraire(chemin)
    return max(document.tableaux, key=lambda t: t.nb_lignes)


@pytest.mark.parametrize("entete_repete", [True, False], ids=["entete-repete", "entete-absent"])
@pytest.mark.parametrize("regle", [True, False], ids=["regle", "sans-filets"])
def test_tableau_coupe_recolle(tmp_path: Path, entete_repete: bool, regle: bool) -> None:
    tableau = _tableau_principal(_pdf_coupe(tmp_path / "coupe.pdf", entete_repete, regle))
    assert tableau.pages == [1, 2]
    assert [c.annee for c in tableau.colonnes[1:]] == [2022, 2023]
    assert tableau.unite == "euro"
    assert tableau.nb_lignes == 1 + 44 + 1, "l'en-tête répété ne doit pas devenir une ligne"
    libelles = [c for c in tableau.cellules if c.colonne == 0 and c.ligne > 0]
    assert libelles[0].texte == "Charge n° 1" and libelles[-1].texte == "Total charges"
    pages = {c.texte: c.page for c in libelles}
    assert pages["Charge n° 36"] == 1 and pages["Charge n° 37"] == 2
    valeurs = {(c.ligne, c.colonne): c.nombre for c in tableau.cellules}
    assert valeurs[(37, 1)] == 1137237.0 and valeurs[(37, 2)] == 2337437.0
    assert tableau.score > 0.9 and tableau.scores


def test_tableaux_distincts_pas_recolles(tmp_path: Path) -> None:
    """Une page qui commence par un nouveau titre ouvre un nouveau tableau."""
    premier = pdf_tableau(
        tmp_path / "a.pdf", [ENTETE, ("Recettes", "1 000", "1 100"), ("Charges", "900", "950")]
    )
    second = pdf_tableau(
        tmp_path / "b.pdf",
        [ENTETE, ("Abonnés", "5 000", "5 100"), ("Volumes", "800 000", "810 000")],
        titre="Indicateurs d'activité",
    )
    fusion = pypdf.PdfWriter()
    for source in (premier, second):
        fusion.append(str(source))
    cible = tmp_path / "deux.pdf"
    with cible.open("wb") as flux:
        fusion.write(flux)
    document = extraire(cible)
    assert [t.pages for t in document.tableaux] == [[1], [2]]


@pytest.mark.parametrize(
    ("titre", "unite", "facteur"),
    [
        ("CARE (en k€)", "millier_euro", 1e3),
        ("Montants en millions d'euros", "million_euro", 1e6),
        ("Compte de résultat en euros", "euro", 1.0),
    ],
)
def test_unite_et_conversion(tmp_path: Path, titre: str, unite: str, facteur: float) -> None:
    chemin = pdf_tableau(
        tmp_path / "u.pdf",
        [("", "N-1", "N"), ("Produits", "1 284,6", "1 300,2"), ("Charges", "(12,4)", "15,0-")],
        titre=titre,
    )
    chemin.with_name("u.pdf")
    document = extraire(chemin)
    tableau = document.tableaux[0]
    assert tableau.unite == unite
    cellule = next(c for c in tableau.cellules if c.texte == "1 284,6")
    assert tableau.montant_euros(cellule) == pytest.approx(1284.6 * facteur)
    negatif = next(c for c in tableau.cellules if c.texte == "15,0-")
    assert negatif.nombre == -15.0


@pytest.mark.parametrize("angle", [90, 270])
def test_page_couchee_redressee(tmp_path: Path, angle: int) -> None:
    """Contenu droit sur une page marquée /Rotate : le texte s'affiche couché, on le redresse."""
    source = pdf_tableau(
        tmp_path / "p.pdf", [ENTETE, ("Recettes", "1 000", "1 100"), ("Charges", "900", "950")]
    )
    ecrivain = pypdf.PdfWriter(clone_from=str(source))
    ecrivain.pages[0].rotate(angle)
    cible = tmp_path / "tournee.pdf"
    with cible.open("wb") as flux:
        ecrivain.write(flux)
    document = extraire(cible)
    page = document.pages[0]
    assert page.rotation == angle and not page.scannee
    assert page.lignes[0].texte == "CARE (en euros)"
    tableau = document.tableaux[0]
    assert [c.annee for c in tableau.colonnes] == [None, 2022, 2023]
    assert {1000.0, 1100.0, 900.0, 950.0} <= {c.nombre for c in tableau.cellules}


def _pdf_colonnes_serrees(chemin: Path) -> Path:
    """Tableau réglé dont deux colonnes chiffrées se touchent presque : seuls les filets les
    séparent, l'alignement seul fusionne « 1 234 » et « 5 678 »."""
    toile = canvas.Canvas(str(chemin), pagesize=A4, invariant=1)
    police = _police()
    toile.setFont(police, 12)
    toile.drawString(60, 790, "Compte de résultat (en euros)")
    lignes = [("", "2022", "2023")] + [
        (f"Poste {i}", f"{i} {100 + i}", f"{i + 1} {200 + i}") for i in range(1, 9)
    ]
    y = 760.0
    for ligne in lignes:
        toile.setFont(police, 9)
        toile.drawString(62, y, ligne[0])
        toile.drawRightString(330, y, ligne[1])
        toile.drawRightString(360, y, ligne[2])
        toile.rect(58, y - 4, 306, 15, stroke=1, fill=0)
        for x in (300, 332):
            toile.line(x, y - 4, x, y + 11)
        y -= 15
    toile.showPage()
    toile.save()
    return chemin


def test_lecture_par_les_filets_l_emporte_quand_l_alignement_doute(tmp_path: Path) -> None:
    """pdfplumber lit nettement la grille réglée (chemin bon marché sûr) : camelot, qui
    rend la page en image, n'est pas lancé ; en comparaison systématique, camelot lattice
    lit la même grille et l'emporte à note égale."""
    chemin = _pdf_colonnes_serrees(tmp_path / "serre.pdf")
    for reglages, methode in (
        (Reglages(), "pdfplumber"),
        (Reglages(tableaux_comparaison="toujours"), "camelot-lattice"),
    ):
        tableau = extraire(chemin, reglages).tableaux[0]
        assert tableau.methode == methode
        assert tableau.scores["alignement"] < tableau.scores[methode]
        assert ("camelot-lattice" in tableau.scores) is (methode == "camelot-lattice")
        valeurs = {(c.ligne, c.colonne): c.nombre for c in tableau.cellules}
        assert valeurs[(1, 1)] == 1101.0 and valeurs[(1, 2)] == 2201.0
        assert [c.annee for c in tableau.colonnes] == [None, 2022, 2023]


def test_rendu_camelot_memes_pixels_que_son_moteur(tmp_path: Path) -> None:
    """Le rendu direct en BGR donne à camelot exactement l'image de son moteur pdfium
    (qui passait par une image PIL RGB puis la retournait) : mêmes filets trouvés."""
    import gc

    import numpy as np
    from camelot.backends.pdfium_backend import PdfiumBackend

    from extracteurs.lecteurs_pdf import RenduCamelot

    chemin = str(tmp_path / "couleurs.pdf")
    toile = canvas.Canvas(chemin, pagesize=A4)
    toile.setFillColorRGB(0.9, 0.2, 0.1)  # rouge : un rendu RVB au lieu de BVR se verrait
    toile.rect(60, 600, 200, 40, fill=1)
    toile.setStrokeColorRGB(0.1, 0.3, 0.8)
    toile.grid([60, 160, 260], [500, 530, 560])
    toile.setFillColorRGB(0, 0.5, 0)
    toile.drawString(70, 540, "Charges 1 234")
    toile.showPage()
    toile.save()
    attendu = PdfiumBackend().to_array(chemin, page=1)
    obtenu = RenduCamelot().to_array(chemin, page=1)
    assert obtenu.shape == attendu.shape and obtenu.dtype == attendu.dtype
    assert np.array_equal(obtenu, attendu)
    assert obtenu.flags["C_CONTIGUOUS"]
    # Sans copie du rendu (26 Mo par page A4 à 300 ppp) : une vue sur le tampon de pdfium,
    # qui reste valable une fois le document fermé et le ramasse-miettes passé.
    assert not obtenu.flags["OWNDATA"]
    gc.collect()
    assert np.array_equal(obtenu, PdfiumBackend().to_array(chemin, page=1))


def test_opencv_un_seul_fil_pour_camelot_et_l_ocr(tmp_path: Path) -> None:
    """camelot lattice et l'effacement des filets avant l'OCR règlent OpenCV sur un fil :
    à deux fils sur 2 cœurs partagés, les mêmes pixels coûtent ~40 % de CPU en plus."""
    import cv2
    import pypdfium2 as pdfium
    from PIL import Image

    from extracteurs.lecteurs_pdf import PagesIsolees, grilles_camelot
    from extracteurs.ocr import effacer_filets

    chemin = tmp_path / "grille.pdf"
    toile = canvas.Canvas(str(chemin), pagesize=A4)
    toile.grid([60, 200, 340], [500, 530, 560])
    toile.drawString(70, 540, "Charges")
    toile.drawString(210, 540, "1 234")
    toile.showPage()
    toile.save()
    cv2.setNumThreads(2)
    document = pdfium.PdfDocument(str(chemin))
    try:
        grilles_camelot(PagesIsolees(document, tmp_path), 1, float(A4[1]), regle=True)
    finally:
        document.close()
    assert cv2.getNumThreads() == 1
    cv2.setNumThreads(2)
    effacer_filets(Image.new("L", (120, 120), 255))
    assert cv2.getNumThreads() == 1


def _grille(*rangees: tuple[str, ...]) -> GrilleBrute:
    lignes = [[CelluleBrute(texte=t, page=1) for t in rangee] for rangee in rangees]
    return GrilleBrute(methode="pdfplumber", page=1, lignes=lignes)


def _douter(resultats: dict[str, list[GrilleBrute]], reference: int, regle: bool) -> str | None:
    notes = {nom: noter(grilles, reference) for nom, grilles in resultats.items()}
    return raison_de_douter(resultats, notes, reference, regle)


def test_camelot_seulement_si_la_lecture_bon_marche_doute() -> None:
    """Le doute se juge sur la structure lue : colonnes de nombres collées dans la lecture
    retenue, filets sans grille sur une page de lignes chiffrées, page chiffrée sans aucune
    ligne typée."""
    nette = _grille(("", "2022", "2023"), ("Charges", "1 234", "5 678"))
    collee = _grille(("", "2022 2023"), ("Charges", "1 234 5 678"))
    assert _douter({"alignement": [nette], "pdfplumber": [nette]}, 2, True) is None
    assert _douter({"alignement": [], "pdfplumber": [collee]}, 2, True) == "cellules fusionnées"
    assert _douter({"alignement": [collee], "pdfplumber": []}, 2, False) == "cellules fusionnées"
    assert _douter({"alignement": [nette], "pdfplumber": []}, 2, True) == "filets sans grille"
    # Une valeur isolée en forme de ligne de tableau : pas de tableau à chercher.
    assert _douter({"alignement": [], "pdfplumber": []}, 1, True) is None
    assert _douter({"alignement": [], "pdfplumber": [nette]}, 0, False) == "colonnes non alignées"


def test_les_defauts_d_un_lecteur_ecarte_ne_font_pas_douter() -> None:
    """L'alignement lit proprement ce que pdfplumber colle : c'est l'alignement qui est
    gardé, camelot (rendu de la page, ~0,3 s) ne changerait rien. Si la lecture collée
    l'emportait, le doute reviendrait."""
    nette = _grille(("", "2022", "2023"), ("Charges", "1 234", "5 678"))
    collee = _grille(("", "2022 2023"), ("Charges", "1 234 5 678"))
    assert _douter({"alignement": [nette], "pdfplumber": [collee]}, 2, True) is None
    notes = {"alignement": 0.1, "pdfplumber": 0.5}
    resultats = {"alignement": [nette], "pdfplumber": [collee]}
    assert raison_de_douter(resultats, notes, 2, True) == "cellules fusionnées"


def test_annees_dates_et_codes_ne_sont_pas_des_montants_colles() -> None:
    """RPQS réels : « Exercice 2021 », « Mise en service 01/08/1990 », « VP.250 »,
    « P203.3 … » en colonne de libellés et « 31/12/2021 » en colonne de valeurs faisaient
    douter d'une lecture propre (camelot relancé sur 11 pages, sans rien corriger sur 8) et
    pénalisaient sa note, comme les graduations d'un graphique (« 180 » seul sur sa ligne).
    Un montant collé au libellé, ou qui manque à une ligne de valeurs, reste un défaut."""
    from extracteurs.choix import cellules_fusionnees
    from extracteurs.tableaux import montant_colle

    def colle(*cellules: str) -> bool:
        return montant_colle([CelluleBrute(texte=t, page=1) for t in cellules])

    for libelle in (
        "Exercice 2021", "ASSAINISSEMENT 2021", "Date de mise en service 01/08/1990",
        "VP.252 VP.253 VP.254", "P203.3 décret du 3 juin 1994", "Charges 99",
        "Mise en service le 1er juillet 2021",
    ):  # fmt: skip
        assert not colle(libelle, "12"), libelle
    for libelle in (
        "Charges de personnel 1 234 567", "Redevance 125,30", "Achats -1 250", "Volume 2 021",
        "Total (en €) 12 345",
    ):  # fmt: skip
        assert colle(libelle), libelle
    # Un nombre seul en colonne de libellés : mal placé s'il manque à une ligne de valeurs,
    # pas s'il est seul sur sa ligne (graduation d'un graphique lue comme un tableau).
    assert colle("231", "1", "232") and not colle("180") and not colle("180", "", "")
    dates = _grille(("", "31/12/2020", "31/12/2021"), ("Abonnés", "231", "232"))
    assert cellules_fusionnees([dates]) == 0
    assert _douter({"alignement": [dates], "pdfplumber": [dates]}, 2, True) is None
    codes = _grille(("VP.250", "Plan des réseaux", "10"), ("Exercice 2021", "Total", "15"))
    assert _douter({"alignement": [], "pdfplumber": [codes]}, 2, True) is None
    collee = _grille(("", "2021"), ("Charges de personnel 1 234 567", ""))
    assert _douter({"alignement": [], "pdfplumber": [collee]}, 2, True) == "cellules fusionnées"


def test_comparaison_systematique_garde_toutes_les_notes(tmp_path: Path) -> None:
    chemin = _pdf_coupe(tmp_path / "coupe.pdf", entete_repete=True, regle=True)
    rapide = max(extraire(chemin).tableaux, key=lambda t: t.nb_lignes)
    assert set(rapide.scores) == {"alignement"}, "lecture nette : pas de lecteur lent"
    complet = max(
        extraire(chemin, Reglages(tableaux_comparaison="toujours")).tableaux,
        key=lambda t: t.nb_lignes,
    )
    assert set(complet.scores) == {"alignement", "camelot-lattice", "pdfplumber"}
    assert complet.methode == "alignement" and complet.score == 1.0


def test_libelles_sur_deux_lignes_et_symbole_euro_a_part(tmp_path: Path) -> None:
    toile = canvas.Canvas(str(tmp_path / "l.pdf"), pagesize=A4, invariant=1)
    police = _police()
    toile.setFont(police, 11)
    toile.drawString(60, 790, "Compte de résultat")
    lignes = [
        (780 - 16 * k, libelle, valeurs)
        for k, (libelle, valeurs) in enumerate(
            [
                ("", ("2022", "2023")),
                ("Contribution des services centraux et", ()),
                ("recherche", ("123 456", "130 000")),
                ("Charges relatives aux renouvellements", ("45 000", "47 500")),
                ("du domaine concédé", ()),
                ("Résultat", ("12 000", "13 000")),
            ]
        )
    ]
    for y, libelle, valeurs in lignes:
        toile.setFont(police, 9)
        toile.drawString(62, y, libelle)
        for k, valeur in enumerate(valeurs):
            toile.drawRightString(330 + 100 * k, y, valeur)
            if y < 780:
                toile.drawString(336 + 100 * k, y, "€")
    toile.showPage()
    toile.save()
    tableau = extraire(tmp_path / "l.pdf").tableaux[0]
    rangees: dict[int, list[str]] = {}
    for c in tableau.cellules:
        rangees.setdefault(c.ligne, []).append(c.texte)
    libelles = [textes[0] for r, textes in sorted(rangees.items()) if r >= tableau.lignes_entete]
    assert libelles == [
        "Contribution des services centraux et recherche",
        "Charges relatives aux renouvellements du domaine concédé",
        "Résultat",
    ]
    assert {123456.0, 130000.0, 45000.0, 47500.0} <= {c.nombre for c in tableau.cellules}
    assert tableau.nb_colonnes == 3


def test_texte_de_marge_tourne_hors_des_libelles(tmp_path: Path) -> None:
    """Régression (rapport réel) : un texte vertical dans la marge (« Etabli par … ») était
    réparti par camelot dans les libellés de la première colonne (« Personnel\\nbin »)."""
    import pdfplumber
    import pypdfium2 as pdfium

    from extracteurs.lecteurs_pdf import PagesIsolees, grilles_camelot, grilles_pdfplumber

    chemin = tmp_path / "marge.pdf"
    c = canvas.Canvas(str(chemin), pagesize=A4)
    lignes = [("Libellé", "2022", "2023"), ("Personnel", "1 000", "1 100"),
              ("Énergie", "500", "600"), ("Sous-traitance", "250", "300"),
              ("Total charges", "1 750", "2 000")]  # fmt: skip
    for rang, (libelle, a, b) in enumerate(lignes):
        y = 700 - 16 * rang
        c.drawString(60, y, libelle)
        c.drawRightString(300, y, a)
        c.drawRightString(400, y, b)
    c.saveState()
    c.translate(58, 610)
    c.rotate(90)
    c.drawString(0, 0, "Etabli par Cabinet Conseil")
    c.restoreState()
    c.save()
    attendus = [libelle for libelle, _, _ in lignes]
    rendu = pdfium.PdfDocument(chemin)
    try:
        (camelot,) = grilles_camelot(PagesIsolees(rendu, tmp_path), 1, A4[1], regle=False)
    finally:
        rendu.close()
    assert [rangee[0].texte for rangee in camelot.lignes] == attendus
    with pdfplumber.open(chemin) as pdf:
        grilles = grilles_pdfplumber(pdf.pages[0], 1, regle=False)
    libelles = [r[0].texte for g in grilles for r in g.lignes if r[0].texte]
    assert libelles == attendus
