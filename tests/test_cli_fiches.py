"""`dsp traiter` (fiche JSON et brouillon Word) et `dsp evaluer` de bout en bout, en mode
règles (aucun LLM configuré)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from cli.principal import app
from fiche.modeles import Fiche
from flows import isolement
from tests.conftest import CORPUS
from tests.test_lot_isole import planter_sur_les_pieges

ECHANTILLONS = ["plage_lot7_2023.pdf", "stationnement_forville_2023.pdf"]


def test_traiter_puis_evaluer(tmp_path: Path) -> None:
    sortie = tmp_path / "fiches"
    fichiers = [str(CORPUS / nom) for nom in ECHANTILLONS]
    resultat = CliRunner().invoke(app, ["traiter", *fichiers, "--sortie", str(sortie)])
    assert resultat.exit_code == 0, resultat.output
    assert "Mode : règles" in resultat.output and "aucun LLM configuré" in resultat.output
    for nom in ECHANTILLONS:
        fiche = Fiche.model_validate_json(
            (sortie / nom.replace(".pdf", ".fiche.json")).read_text(encoding="utf-8")
        )
        assert fiche.production.mode == "regles"
        assert fiche.identification.exercice.valeur == 2023
        brouillon = Document(str(sortie / nom.replace(".pdf", ".fiche.docx")))
        entete = "".join(p.text for p in brouillon.sections[0].header.paragraphs)
        assert "PROJET — non validé" in entete
        assert (fiche.production.energie_wh or 0) > 0 and (fiche.production.co2_g or 0) > 0
        pied = "".join(p.text for p in brouillon.sections[0].footer.paragraphs)
        assert "Énergie de production estimée" in pied
    rapport_json = tmp_path / "evaluation.json"
    evaluation = CliRunner().invoke(app, ["evaluer", str(sortie), "--json", str(rapport_json)])
    assert evaluation.exit_code == 0, evaluation.output
    assert "Exactitude par champ cœur" in evaluation.output
    rapport = json.loads(rapport_json.read_text(encoding="utf-8"))
    assert {f["rapport"] for f in rapport["fiches"]} == {
        n.removesuffix(".pdf") for n in ECHANTILLONS
    }
    assert 0.9 <= rapport["taux_exact_natifs"] <= 1.0
    assert "identification.delegataire" in rapport["par_champ"]


def test_traiter_mode_llm_sans_configuration(tmp_path: Path) -> None:
    resultat = CliRunner().invoke(
        app, ["traiter", str(CORPUS / ECHANTILLONS[0]), "--sortie", str(tmp_path), "--mode", "llm"]
    )
    assert resultat.exit_code == 2
    assert "aucun LLM n'est configuré" in resultat.output
    assert not list(tmp_path.iterdir())


def test_traiter_fichier_illisible_sans_fiche(tmp_path: Path) -> None:
    casse = tmp_path / "casse.pdf"
    casse.write_text("pas un pdf")
    resultat = CliRunner().invoke(
        app, ["traiter", str(casse), "--sortie", str(tmp_path / "fiches")]
    )
    assert resultat.exit_code == 2
    assert "n'est pas un PDF" in resultat.output
    assert not (tmp_path / "fiches").exists()


def test_evaluer_dossier_absent(tmp_path: Path) -> None:
    resultat = CliRunner().invoke(app, ["evaluer", str(tmp_path / "rien")])
    assert resultat.exit_code == 2 and "n'existe pas" in resultat.output


def test_traiter_un_dossier_traite_ses_rapports(tmp_path: Path) -> None:
    """Un dossier donné à `dsp traiter` : ses rapports, par nom (et non « Fichier
    introuvable » avec « 0 fiche(s) écrite(s) ») ; un dossier sans rapport est refusé."""
    import shutil

    depot = tmp_path / "depot"
    depot.mkdir()
    shutil.copy(CORPUS / ECHANTILLONS[0], depot / ECHANTILLONS[0])
    (depot / "notes.txt").write_text("à ignorer", encoding="utf-8")
    sortie = tmp_path / "fiches"
    resultat = CliRunner().invoke(app, ["traiter", str(depot), "--sortie", str(sortie)])
    assert resultat.exit_code == 0, resultat.output
    assert sorted(p.name for p in sortie.glob("*.fiche.json")) == [
        ECHANTILLONS[0].replace(".pdf", ".fiche.json")
    ]
    vide = tmp_path / "vide"
    vide.mkdir()
    resultat = CliRunner().invoke(app, ["traiter", str(vide), "--sortie", str(sortie)])
    assert resultat.exit_code == 2 and "ne contient aucun rapport" in resultat.output


def test_traiter_un_plantage_natif_n_abat_pas_le_lot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dsp traiter` sur un dossier lit chaque rapport dans un processus de travail : une
    vraie erreur de segmentation (pdfium sur un PDF forgé) ne fait échouer que ce fichier,
    avec sa raison en français, et la fiche de l'autre est écrite."""
    depot = tmp_path / "depot"
    depot.mkdir()
    (depot / ECHANTILLONS[0]).write_bytes((CORPUS / ECHANTILLONS[0]).read_bytes())
    (depot / "piege_2023.pdf").write_bytes((CORPUS / ECHANTILLONS[0]).read_bytes() + b"\n%p\n")
    monkeypatch.setattr(isolement, "TRAVAIL", planter_sur_les_pieges)
    sortie = tmp_path / "fiches"
    resultat = CliRunner().invoke(app, ["traiter", str(depot), "--sortie", str(sortie)])
    assert resultat.exit_code == 1, resultat.output
    sortie_texte = " ".join(resultat.output.split())
    assert "Échec pour piege_2023.pdf" in sortie_texte and "signal SIGSEGV" in sortie_texte
    assert "1 fiche(s) écrite(s)" in sortie_texte and "1 en erreur" in sortie_texte
    assert sorted(p.name for p in sortie.glob("*.fiche.json")) == [
        ECHANTILLONS[0].replace(".pdf", ".fiche.json")
    ]


def test_le_processus_de_lecture_ne_reexecute_pas_le_script_principal() -> None:
    """multiprocessing fait réimporter le script principal par chaque enfant : pour `dsp`,
    toute la CLI (~0,4 s CPU par fichier d'un lot). Les processus de lecture en sont
    dispensés, les autres processus gardent le comportement standard."""
    import multiprocessing.spawn

    cles = {"init_main_from_path", "init_main_from_name", "name"}
    autre = multiprocessing.spawn.get_preparation_data("autre-processus")
    assert cles & set(autre) - {"name"}, "le principal de pytest est transmis aux autres"
    lecture = multiprocessing.spawn.get_preparation_data("lecture-rapport.pdf")
    assert not cles & set(lecture) - {"name"}
    assert {k: v for k, v in autre.items() if k not in cles} == {
        k: v for k, v in lecture.items() if k not in cles
    }
