"""La commande `dsp` : tâche principale (`demo`) et aide, en français."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.principal import app
from socle.reglages import reglages
from stockage.depot import Depot
from tests.conftest import CORPUS, RACINE, depot_d_echantillons


def test_demo_extrait_chaque_rapport_et_continue_apres_un_fichier_casse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    echantillons = ("plage_lot7_2023.pdf", "dechets_val_orne_annexe_care_2023.xlsx")
    dossier = depot_d_echantillons(tmp_path / "boite", echantillons)
    (dossier / "casse.pdf").write_bytes(b"%PDF-1.7\n tronque")
    resultat = CliRunner().invoke(app, ["demo", "--sans-revue", "--dossier", str(dossier)])
    assert resultat.exit_code == 1, resultat.output
    assert "2 fiche(s) écrite(s), 1 en erreur" in resultat.output
    assert "Mode : règles" in resultat.output and "aucun LLM" in resultat.output
    donnees = tmp_path / "donnees"
    assert sorted(p.name for p in (donnees / "extraction").iterdir()) == [
        "dechets_val_orne_annexe_care_2023.document.json",
        "plage_lot7_2023.document.json",
    ]
    assert sorted(p.name for p in (donnees / "fiches").iterdir()) == [
        "dechets_val_orne_annexe_care_2023.fiche.json",
        "plage_lot7_2023.fiche.json",
    ]
    document = json.loads(
        (donnees / "extraction" / "plage_lot7_2023.document.json").read_text(encoding="utf-8")
    )
    assert document["format"] == "pdf" and document["tableaux"]
    fiche = json.loads((donnees / "fiches" / "plage_lot7_2023.fiche.json").read_text("utf-8"))
    assert fiche["schema"] == "fiche-dsp/1" and fiche["production"]["mode"] == "regles"
    # Les fiches attendent l'agent en base (l'application de revue les lit là).
    depot = Depot()
    assert sorted((r.fichier, r.statut) for r in depot.rapports()) == [
        ("dechets_val_orne_annexe_care_2023.xlsx", "a_valider"),
        ("plage_lot7_2023.pdf", "a_valider"),
    ]
    depot.fermer()


def test_demo_finit_par_l_application_de_revue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DSP_DEMO", "false")  # rétabli après le test (la démo le passe à true)
    lancements: list[tuple[str, int, bool]] = []

    def revue_factice(hote: str, port: int) -> None:
        lancements.append((hote, port, reglages().demo))

    monkeypatch.setattr("cli.revue.revue", revue_factice)
    dossier = tmp_path / "boite"
    dossier.mkdir()
    shutil.copy(CORPUS / "plage_lot7_2023.pdf", dossier / "plage_lot7_2023.pdf")
    resultat = CliRunner().invoke(app, ["demo", "--dossier", str(dossier), "--port", "8123"])
    assert resultat.exit_code == 0, resultat.output
    assert lancements == [("127.0.0.1", 8123, True)]


def test_demo_dossier_sans_rapport(tmp_path: Path) -> None:
    resultat = CliRunner().invoke(app, ["demo", "--sans-revue", "--dossier", str(tmp_path)])
    assert resultat.exit_code == 2
    assert "Aucun rapport" in resultat.output


def test_demo_dossier_inexistant(tmp_path: Path) -> None:
    resultat = CliRunner().invoke(
        app, ["demo", "--sans-revue", "--dossier", str(tmp_path / "nulle-part")]
    )
    assert resultat.exit_code == 2
    assert "n'existe pas" in resultat.output


def test_aide_en_francais() -> None:
    resultat = CliRunner().invoke(app, ["--help"])
    assert resultat.exit_code == 0
    assert "rapports annuels des délégataires" in resultat.output
    assert "extraire" in resultat.output and "demo" in resultat.output


def test_aide_sans_bibliotheques_lourdes() -> None:
    """`dsp --help` doit rester sous 1 s de CPU (ticket 16) : importer `cli.principal` ne
    charge que typer et rich ; la base (SQLAlchemy, Alembic), Word (python-docx, docxtpl),
    les lecteurs PDF, pydantic, les réglages et les contrôles sont importés par les commandes
    qui s'en servent. Vérifié dans un processus neuf, où rien d'autre ne les a chargés."""
    lourds = (
        "sqlalchemy", "alembic", "docx", "docxtpl", "pdfplumber", "pypdfium2", "pydantic",
        "pydantic_settings", "controles", "publication", "fiche", "flows", "extracteurs",
        "stockage.depot", "socle.reglages", "typer.rich_utils",
    )  # fmt: skip
    code = f"import sys, cli.principal; print([m for m in {lourds!r} if m in sys.modules])"
    fini = subprocess.run(
        [sys.executable, "-c", code], cwd=RACINE, capture_output=True, text=True, timeout=120
    )
    assert fini.returncode == 0, fini.stderr
    assert fini.stdout.strip() == "[]"


def test_le_principal_d_un_traitement_ne_charge_pas_les_lecteurs() -> None:
    """`dsp traiter` et le lot choisissent les fichiers, calculent leurs empreintes et
    attendent la lecture d'un processus de travail : leur processus principal ne charge
    ni pdfplumber ni pypdfium2 (~0,15 s CPU par commande), que le serveur de processus
    précharge, lui, avant de lire. Le brouillon Word de `dsp traiter` ne charge pas le
    rapport annuel, ni le rapport CCSPL et ses graphiques (PIL, ~0,08 s CPU)."""
    lecteurs = ("pdfplumber", "pdfminer", "pypdfium2", "camelot", "extracteurs.lecture_pdf")
    annuel = (
        "publication.annuel", "publication.publier", "publication.ccspl",
        "publication.graphiques", "PIL.Image",
    )  # fmt: skip
    code = (
        "import sys, cli.fiches, cli.demo\n"
        "from publication import filtres, rendre_fiche\n"
        f"print([m for m in {annuel!r} if m in sys.modules])\n"
        "import flows.isolement, flows.lot, flows.rapport\n"
        "from extracteurs.formats import FORMATS_ACCEPTES, empreinte\n"
        f"print([m for m in {lecteurs!r} if m in sys.modules])\n"
        "from flows.isolement import PRECHARGES\n"
        "print('extracteurs.document' in PRECHARGES)"
    )
    fini = subprocess.run(
        [sys.executable, "-c", code], cwd=RACINE, capture_output=True, text=True, timeout=120
    )
    assert fini.returncode == 0, fini.stderr
    assert fini.stdout.split() == ["[]", "[]", "True"]


def test_aide_et_erreurs_en_francais_dans_un_processus_neuf() -> None:
    """`typer.rich_utils` (aide, erreurs) n'est plus importé au démarrage : il est traduit
    au moment où typer l'importe. Vérifié là où rien ne l'a importé avant."""
    code = "from cli.principal import app\napp([{}], prog_name='dsp')"
    for args, attendus in (
        ("'traiter', '--inconnue'", ("Option inconnue : --inconnue.", "Erreur", "Aide :")),
        ("'--help'", ("Utilisation : dsp", "Commandes", "Affiche cette aide et quitte.")),
    ):
        fini = subprocess.run(
            [sys.executable, "-c", code.format(args)], cwd=RACINE, capture_output=True,
            text=True, timeout=120, env={**os.environ, "COLUMNS": "100"},
        )  # fmt: skip
        sortie = fini.stdout + fini.stderr
        for attendu in attendus:
            assert attendu in sortie, sortie[-2000:]
