"""Contrôles du corpus d'échantillons commité (`samples/corpus/`) et de ses fiches d'or."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from fiche.modeles import Fiche, LigneCare

CORPUS = Path(__file__).resolve().parent.parent / "samples" / "corpus"
MANIFESTE = json.loads((CORPUS / "manifeste.json").read_text(encoding="utf-8"))
ECHANTILLONS: list[dict] = MANIFESTE["echantillons"]
NOMS = [e["nom"] for e in ECHANTILLONS]
PLANTES_ARITHMETIQUES = {"SOMME_POSTES", "RESULTAT"}


def fiche(entree: dict) -> Fiche:
    return Fiche.model_validate_json((CORPUS / entree["fiche"]).read_text(encoding="utf-8"))


def normaliser(texte: str) -> str:
    return " ".join(texte.split())


def pages_fichier(chemin: Path) -> int:
    if chemin.suffix == ".pdf":
        return len(PdfReader(chemin).pages)
    if chemin.suffix == ".docx":
        with zipfile.ZipFile(chemin) as archive:
            xml = archive.read("word/document.xml").decode("utf-8")
        return 1 + len(re.findall(r'<w:br w:type="page"/>', xml))
    return len(load_workbook(chemin, read_only=True).sheetnames)


def test_taille_et_diversite_du_corpus() -> None:
    assert len(ECHANTILLONS) >= 14
    assert len({e["secteur"] for e in ECHANTILLONS}) >= 8
    assert all(3 <= e["pages"] <= 60 for e in ECHANTILLONS)


def test_varietes_couvertes_par_le_manifeste() -> None:
    valeurs = lambda cle: {e[cle] for e in ECHANTILLONS}  # noqa: E731
    assert sum(e["scanne"] for e in ECHANTILLONS) >= 2
    assert {"rotate_pdf", "image_pivotee"} <= valeurs("page_tournee_maniere")
    assert {"pdf", "docx", "xlsx"} <= valeurs("format")
    assert {"euro", "millier_euro", "million_euro"} <= valeurs("unite")
    assert {"moins", "parentheses", "moins_final"} <= valeurs("style_negatif")
    assert {"U+0020", "U+00A0", "U+202F"} <= valeurs("separateur_milliers")
    assert {"entete_repete", "entete_absent"} <= valeurs("care_coupe")
    assert {True, False} <= valeurs("tableau_regle")
    plantees = {code for e in ECHANTILLONS for code in e["anomalies_plantees"]}
    attendues = {
        "SOMME_POSTES",
        "RESULTAT",
        "TEXTE_TABLEAU",
        "UNITE",
        "EXERCICE_PRECEDENT",
        "INSTRUCTIONS_SUSPECTES",
    }
    assert attendues <= plantees


@pytest.mark.parametrize("entree", ECHANTILLONS, ids=NOMS)
def test_or_valide_et_fidele_au_fichier(entree: dict) -> None:
    f = fiche(entree)
    chemin = CORPUS / entree["fichier"]
    assert f.source.fichier == chemin.name
    assert f.source.sha256 == hashlib.sha256(chemin.read_bytes()).hexdigest()
    assert f.source.pages == entree["pages"] == pages_fichier(chemin)
    assert f.source.scanne == entree["scanne"]
    assert set(entree["anomalies_plantees"]) <= {a.code for a in f.anomalies}
    n = f.identification.exercice.valeur
    assert n is not None
    for poste in ("chiffre_affaires", "total_charges", "resultat"):
        assert {str(n), str(n - 1)} <= set(f.financier.postes[poste])
    if not PLANTES_ARITHMETIQUES & set(entree["anomalies_plantees"]):
        assert all(a.gravite != "bloquant" for a in f.anomalies)


def ecarts_arithmetiques(lignes: list[LigneCare]) -> list[str]:
    """Convention du générateur : un sous-total somme les détails qui le précèdent ; le
    total somme les sous-totaux et les détails restants ; résultat = produits − reste."""
    ecarts: list[str] = []
    annees = lignes[0].valeurs.keys()
    for annee in annees:
        totaux: dict[str, float] = {}
        for section in ("produits", "reversements", "charges"):
            courant, absorbe = 0.0, 0.0
            for lg in (x for x in lignes if x.section == section):
                v = lg.valeurs[annee].valeur or 0.0
                if lg.nature == "detail":
                    courant += v
                elif lg.nature == "sous_total":
                    if abs(v - courant) > 0.5:
                        ecarts.append(f"{lg.libelle} {annee}")
                    absorbe, courant = absorbe + v, 0.0
                else:
                    if abs(v - absorbe - courant) > 0.5:
                        ecarts.append(f"{lg.libelle} {annee}")
                    totaux[section] = abs(v)
        resultat = [x for x in lignes if x.section == "resultat"]
        attendu = (
            totaux.get("produits", 0) - totaux.get("reversements", 0) - totaux.get("charges", 0)
        )
        if abs((resultat[0].valeurs[annee].valeur or 0) - attendu) > 0.5:
            ecarts.append(f"{resultat[0].libelle} {annee}")
        if len(resultat) == 3:
            net = (resultat[0].valeurs[annee].valeur or 0) - abs(
                resultat[1].valeurs[annee].valeur or 0
            )
            if abs((resultat[2].valeurs[annee].valeur or 0) - net) > 0.5:
                ecarts.append(f"{resultat[2].libelle} {annee}")
    return ecarts


@pytest.mark.parametrize("entree", ECHANTILLONS, ids=NOMS)
def test_arithmetique_de_l_or(entree: dict) -> None:
    ecarts = ecarts_arithmetiques(fiche(entree).financier.lignes)
    if PLANTES_ARITHMETIQUES & set(entree["anomalies_plantees"]):
        assert ecarts, "l'anomalie plantée doit casser l'arithmétique"
    else:
        assert ecarts == []


def citations(f: Fiche) -> list[tuple[str, int, str]]:
    sortie = []
    for nom, champ in f.identification:
        if champ.valeur is not None:
            sortie.append((nom, champ.page, champ.citation))
    for lg in f.financier.lignes:
        sortie += [(f"{lg.libelle} {a}", c.page, c.citation) for a, c in lg.valeurs.items()]
    for poste, valeurs in f.financier.postes.items():
        sortie += [
            (f"{poste} {a}", c.page, c.citation)
            for a, c in valeurs.items()
            if c.ancrage != "calcule"
        ]
    for m in f.activite.indicateurs + f.tarifs:
        sortie += [(f"{m.libelle} {a}", c.page, c.citation) for a, c in m.valeurs.items()]
    sortie += [(f"ETP {a}", c.page, c.citation) for a, c in f.activite.effectif_etp.items()]
    sortie += [("fait marquant", c.page, c.citation) for c in f.faits_marquants]
    return sortie  # type: ignore[return-value]


PDF_NATIFS = [e for e in ECHANTILLONS if e["format"] == "pdf" and not e["scanne"]]


@pytest.mark.parametrize("entree", PDF_NATIFS, ids=[e["nom"] for e in PDF_NATIFS])
def test_citations_presentes_dans_le_texte_de_la_page(entree: dict) -> None:
    attendues = citations(fiche(entree))
    pages = {page for _, page, _ in attendues}
    with pdfplumber.open(CORPUS / entree["fichier"]) as pdf:
        textes = {p: normaliser(pdf.pages[p - 1].extract_text() or "") for p in pages}
    absentes = [
        (nom, page, cit) for nom, page, cit in attendues if normaliser(cit) not in textes[page]
    ]
    assert absentes == []


def test_page_paysage_lue_droite() -> None:
    entree = next(e for e in ECHANTILLONS if e["page_tournee_maniere"] == "rotate_pdf")
    with pdfplumber.open(CORPUS / entree["fichier"]) as pdf:
        page = pdf.pages[entree["page_tournee"] - 1]
        assert page.rotation == 90
        assert page.width > page.height
        assert all(mot["upright"] for mot in page.extract_words())


def test_scans_sans_texte() -> None:
    for entree in (e for e in ECHANTILLONS if e["scanne"]):
        with pdfplumber.open(CORPUS / entree["fichier"]) as pdf:
            assert all(not (p.extract_text() or "").strip() for p in pdf.pages)


def test_regeneration_identique(tmp_path: Path) -> None:
    from samples.generateur.generation import generer_un

    nom = "plage_lot7_2023"
    generer_un(nom, tmp_path)
    for suffixe in (".pdf", ".fiche.json"):
        assert (tmp_path / f"{nom}{suffixe}").read_bytes() == (
            CORPUS / f"{nom}{suffixe}"
        ).read_bytes()
