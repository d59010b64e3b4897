"""Sur tout le corpus : chaque montant CARE de chaque fiche de référence est retrouvé comme
cellule de tableau lue et convertie, sur la bonne page (natif : 100 % ; scanné : ≥ 97 %)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.principal import app
from extracteurs.document import extraire
from extracteurs.modeles import Document
from fiche.modeles import Ancrage, Champ, Fiche
from socle.reglages import Reglages
from tests.conftest import CORPUS

FICHES = sorted(CORPUS.glob("*.fiche.json"))
SEUIL_SCANNE = 0.97


@dataclass(frozen=True)
class Attendu:
    quoi: str
    page: int
    valeur: float


def _source(fiche_json: Path) -> tuple[Fiche, Path]:
    fiche = Fiche.model_validate_json(fiche_json.read_text(encoding="utf-8"))
    return fiche, fiche_json.parent / fiche.source.fichier


def montants_attendus(fiche: Fiche) -> list[Attendu]:
    """Toutes les valeurs CARE imprimées (lignes et postes), hors valeurs calculées."""
    champs: list[tuple[str, Champ[float]]] = []
    for ligne in fiche.financier.lignes:
        champs += [(f"ligne « {ligne.libelle} » {a}", c) for a, c in ligne.valeurs.items()]
    for poste, valeurs in fiche.financier.postes.items():
        champs += [(f"poste {poste} {a}", c) for a, c in valeurs.items()]
    return [
        Attendu(quoi, c.page, float(c.valeur))
        for quoi, c in champs
        if c.valeur is not None and c.page is not None and c.ancrage != Ancrage.CALCULE
    ]


def retrouve(document: Document, attendu: Attendu) -> bool:
    for tableau in document.tableaux:
        for cellule in tableau.cellules:
            if cellule.page != attendu.page or cellule.nombre is None:
                continue
            montant = tableau.montant_euros(cellule)
            if montant is not None and math.isclose(
                abs(montant), abs(attendu.valeur), rel_tol=1e-9, abs_tol=0.5
            ):
                return True
    return False


def test_le_corpus_existe() -> None:
    assert len(FICHES) >= 14


@pytest.mark.parametrize("fiche_json", FICHES, ids=[f.name.split(".")[0] for f in FICHES])
def test_montants_care_retrouves(fiche_json: Path) -> None:
    fiche, chemin = _source(fiche_json)
    document = extraire(chemin)
    attendus = montants_attendus(fiche)
    assert attendus, "la fiche de référence ne porte aucun montant"
    manquants = [a for a in attendus if not retrouve(document, a)]
    taux = 1 - len(manquants) / len(attendus)
    seuil = SEUIL_SCANNE if fiche.source.scanne else 1.0
    detail = "\n".join(f"  p.{a.page} {a.quoi} = {a.valeur:,.2f}" for a in manquants[:15])
    assert taux >= seuil, f"{taux:.1%} retrouvés ({len(manquants)} manquants) :\n{detail}"
    assert len(document.pages) == fiche.source.pages
    assert document.scanne == fiche.source.scanne


def test_dsp_extraire_ecrit_des_nombres_json(tmp_path: Path) -> None:
    echantillon = next(p for p in sorted(CORPUS.glob("*.pdf")))
    cible = tmp_path / "doc.json"
    resultat = CliRunner().invoke(app, ["extraire", str(echantillon), "--json", str(cible)])
    assert resultat.exit_code == 0, resultat.output
    assert "Tableaux" in resultat.output
    donnees = json.loads(cible.read_text(encoding="utf-8"))
    nombres = [
        c["nombre"] for t in donnees["tableaux"] for c in t["cellules"] if c["nombre"] is not None
    ]
    assert nombres and all(isinstance(n, (int, float)) for n in nombres)
    assert donnees["pages"][0]["lignes"][0]["id"] == "p1-l1"


COMPARES = ["assainissement_saulaies_2023", "transport_agglo_orne_2023", "port_plaisance_2023"]


@pytest.mark.parametrize("nom", COMPARES)
def test_comparaison_systematique_sur_le_corpus(nom: str) -> None:
    """Mode « toujours » : camelot et pdfplumber concourent sur chaque page chiffrée, et le
    meilleur lecteur retenu retrouve toujours tous les montants."""
    fiche, chemin = _source(CORPUS / f"{nom}.fiche.json")
    document = extraire(chemin, Reglages(tableaux_comparaison="toujours"))
    assert all(len(t.scores) >= 2 for t in document.tableaux)
    attendus = montants_attendus(fiche)
    assert all(retrouve(document, a) for a in attendus)


def test_json_par_morceaux_relu_a_l_identique(forville: Document) -> None:
    """Le JSON écrit page par page par le processus de lecture (mémoire bornée) se relit
    en un `Document` identique ; boîtes et mots (n-uplets nommés) relus aussi sous la
    forme objet d'avant."""
    assert forville.tableaux and any(ligne.mots for ligne in forville.lignes())
    relu = Document.model_validate_json(b"".join(forville.json_par_morceaux()))
    assert relu == forville
    vide = forville.model_copy(update={"tableaux": [], "pages": forville.pages[:1]})
    assert Document.model_validate_json(b"".join(vide.json_par_morceaux())) == vide
    ancienne = json.loads(forville.model_dump_json())
    ligne = next(ligne for page in ancienne["pages"] for ligne in page["lignes"] if ligne["mots"])
    texte, (x0, haut, x1, bas), confiance = ligne["mots"][0]
    ligne["mots"][0] = {"texte": texte, "boite": {"x0": x0, "haut": haut, "x1": x1, "bas": bas}}
    relue = Document.model_validate(ancienne)
    mot = next(lu for p in relue.pages for lu in p.lignes if lu.id == ligne["id"]).mots[0]
    assert (mot.texte, mot.boite.x0 if mot.boite else None, mot.confiance) == (texte, x0, confiance)
