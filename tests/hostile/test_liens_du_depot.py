"""Liens symboliques dans le dossier de dépôt : jamais suivis hors du dossier, et un lien
cassé figure au bilan avec sa raison au lieu de disparaître."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.lot import traiter_lot
from flows.taches import depot_courant
from socle.reglages import reglages
from stockage.statuts import Statut
from tests.conftest import CORPUS, depot_d_echantillons

SAIN = "plage_lot7_2023.pdf"

pytestmark = pytest.mark.usefixtures("prefect_harnais")


def test_liens_symboliques_confines_au_dossier(tmp_path: Path) -> None:
    boite = depot_d_echantillons(tmp_path / "depot", (SAIN,))
    ailleurs = tmp_path / "ailleurs"
    ailleurs.mkdir()
    secret = shutil.copy(CORPUS / "stationnement_forville_2023.pdf", ailleurs / "secret.pdf")
    (boite / "externe_2023.pdf").symlink_to(secret)
    (boite / "casse_2023.pdf").symlink_to(tmp_path / "disparu.pdf")
    (boite / "interne_2023.pdf").symlink_to(boite / SAIN)
    bilans = {b.fichier: b for b in traiter_lot(boite)}
    assert set(bilans) == {SAIN, "externe_2023.pdf", "casse_2023.pdf", "interne_2023.pdf"}
    assert bilans["externe_2023.pdf"].statut == Statut.ERREUR
    assert "hors du dossier de dépôt : refusé" in (bilans["externe_2023.pdf"].raison or "")
    assert bilans["casse_2023.pdf"].statut == Statut.ERREUR
    assert "Lien symbolique cassé" in (bilans["casse_2023.pdf"].raison or "")
    # Le lien interne mène au même contenu que le fichier : un seul traitement.
    paire = [bilans[SAIN], bilans["interne_2023.pdf"]]
    assert {b.statut for b in paire} == {Statut.A_VALIDER}
    assert sum("Contenu identique" in (b.raison or "") for b in paire) == 1
    (seul,) = depot_courant().rapports()
    assert seul.sha256 == paire[0].sha256
    archives = reglages().data_dir / "archives"
    assert len([p for p in archives.rglob("*.pdf")]) == 1  # rien venu d'ailleurs
