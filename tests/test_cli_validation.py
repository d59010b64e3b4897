"""Issue 14 en ligne de commande : `dsp valider` lié à un compte vérifié (mot de passe),
garde des anomalies (`--reconnaitre-anomalies`), reconnaissances imprimées dans la fiche
Word publiée, republication annoncée, `dsp journal verifier`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from sqlalchemy import text
from typer.testing import CliRunner

from cli.principal import app
from socle.reglages import reglages
from stockage.depot import Depot
from stockage.statuts import Statut
from tests.conftest import RACINE
from tests.revue_outils import MOT_DE_PASSE, creer_comptes, semer

LILAS = "petite_enfance_les_lilas_2023.pdf"  # fiche de référence : RESULTAT bloquant


def _dsp(*arguments: str, mot_de_passe: str = MOT_DE_PASSE) -> tuple[int, str]:
    """`dsp` dans un sous-processus, comme chez l'agent (mot de passe par l'environnement ;
    serveur Prefect éphémère du processus pour le flow `valider-rapport`)."""
    donnees = reglages().data_dir
    env = {
        **os.environ, "DSP_DATA_DIR": str(donnees), "DSP_MOT_DE_PASSE": mot_de_passe,
        "PREFECT_HOME": str(donnees / "prefect"), "PREFECT_API_URL": "",
        "COLUMNS": "200",
    }  # fmt: skip
    fini = subprocess.run(
        [sys.executable, "-m", "cli.principal", *arguments],
        cwd=RACINE, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return fini.returncode, fini.stdout + fini.stderr


@pytest.fixture
def depot() -> Depot:
    depot = Depot()
    creer_comptes(depot)
    return depot


def _texte_docx(chemin: Path) -> str:
    return "\n".join(p.text for p in DocxDocument(str(chemin)).paragraphs)


def test_valider_exige_un_compte_verifie(depot: Depot) -> None:
    rapport_id = semer(depot, reglages(), LILAS)
    for compte, mot_de_passe, attendu in (
        ("valideur", "mauvais-mot-de-passe", "mot de passe incorrect"),
        ("inconnu", MOT_DE_PASSE, "mot de passe incorrect"),
        ("relecteur", MOT_DE_PASSE, "rôle valideur ou administrateur requis"),
    ):
        code, sortie = _dsp("valider", str(rapport_id), "--compte", compte,
                            "--reconnaitre-anomalies", "vu", mot_de_passe=mot_de_passe)  # fmt: skip
        assert code == 2 and attendu in sortie, sortie
    assert "--agent" not in CliRunner().invoke(app, ["valider", "--help"]).output
    assert "--compte" in CliRunner().invoke(app, ["valider", "--help"]).output
    assert depot.rapport(rapport_id).statut == Statut.A_VALIDER


def test_valider_refuse_un_bloquant_non_reconnu_puis_publie(depot: Depot) -> None:
    rapport_id = semer(depot, reglages(), LILAS)
    code, sortie = _dsp("valider", str(rapport_id), "--compte", "valideur")
    assert code == 2 and "Validation refusée" in sortie and "RESULTAT (bloquant)" in sortie
    assert depot.rapport(rapport_id).statut == Statut.A_VALIDER
    code, sortie = _dsp(
        "valider", str(rapport_id), "--compte", "valideur", "--commentaire", "RAS",
        "--reconnaitre-anomalies", "Résultat confirmé par le délégataire (courrier du 3 mars)",
    )  # fmt: skip
    assert code == 0 and "publié" in sortie, sortie
    evenements = depot.evenements(rapport_id)
    assert ("validation", "Agent valideur") in [(e.action, e.agent) for e in evenements]
    assert any(e.action == "reconnaissance_anomalie" for e in evenements)
    publiee = Path(str([e for e in evenements if e.action == "publication"][-1].nouvelle_valeur))
    texte = _texte_docx(publiee)
    assert "validée par Agent valideur" in texte
    assert "Reconnue par Agent valideur : Résultat confirmé par le délégataire" in texte
    # Republier annonce la version publiée, immuable.
    code, sortie = _dsp("publier", "--rapport", str(rapport_id))
    assert code == 0 and "déjà publié" in sortie and "immuable" in sortie, sortie
    code, sortie = _dsp("journal", "verifier")
    assert code == 0 and "Journal intact" in sortie, sortie


def test_journal_verifier_nomme_la_ligne_alteree(depot: Depot) -> None:
    rapport_id = semer(depot, reglages(), LILAS)
    depot.ajouter_evenement(rapport_id, agent="relecteur", action="avis", nouvelle_valeur="ok")
    assert _dsp("journal", "verifier")[0] == 0
    cible = depot.evenements(rapport_id)[1]
    with depot.moteur.begin() as connexion:  # derrière le dos de l'application
        connexion.execute(text("DROP TRIGGER evenements_revue_update_interdit"))
        connexion.execute(text(f"UPDATE evenements_revue SET agent = 'x' WHERE id = {cible.id}"))
    code, sortie = _dsp("journal", "verifier")
    assert code == 1 and f"événement n° {cible.id}" in sortie, sortie
