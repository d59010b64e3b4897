"""Un lot que rien n'abat : plantage natif d'une lecture, deux lots concurrents sur un
même dossier, lot tué par SIGKILL (aucun serveur Prefect orphelin)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from flows import isolement
from flows.lot import traiter_lot
from flows.taches import depot_courant
from socle.reglages import Reglages
from stockage.statuts import Statut
from tests.conftest import CORPUS, depot_d_echantillons

ECHANTILLONS = ("plage_lot7_2023.pdf", "dechets_val_orne_annexe_care_2023.xlsx")

pytestmark = pytest.mark.usefixtures("prefect_harnais")


def planter_sur_les_pieges(chemin: Path, reglages: Reglages, cible: Path) -> None:
    """Exécuté dans le processus de travail : un fichier « piege » y provoque une vraie
    erreur de segmentation, comme libpdfium sur un PDF forgé."""
    if "piege" in chemin.name:
        os.kill(os.getpid(), signal.SIGSEGV)
    isolement.extraire_vers(chemin, reglages, cible)


def test_plantage_natif_d_une_lecture_le_lot_continue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    boite = depot_d_echantillons(tmp_path / "depot", ECHANTILLONS)
    piege = (CORPUS / ECHANTILLONS[0]).read_bytes() + b"\n% piege\n"
    (boite / "piege_2023.pdf").write_bytes(piege)
    monkeypatch.setattr(isolement, "TRAVAIL", planter_sur_les_pieges)
    bilans = {b.fichier: b for b in traiter_lot(boite)}
    assert bilans["piege_2023.pdf"].statut == Statut.ERREUR
    raison = bilans["piege_2023.pdf"].raison or ""
    assert "signal SIGSEGV" in raison and "Les autres rapports du lot ont continué" in raison
    assert [bilans[n].statut for n in ECHANTILLONS] == [Statut.A_VALIDER] * 2
    en_base = {r.fichier: r for r in depot_courant().rapports()}
    assert en_base["piege_2023.pdf"].statut == Statut.ERREUR.value
    assert "signal SIGSEGV" in (en_base["piege_2023.pdf"].raison or "")
