"""Environnement des processus `dsp` (`socle.processus`)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from socle import processus


def test_valeurs_par_defaut_posees_sauf_choix_de_l_utilisateur(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for nom in processus.DEFAUTS:
        monkeypatch.delenv(nom, raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")  # choix de l'utilisateur : gardé
    processus.regler_environnement()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "4"
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == "__all__"


def test_la_cli_regle_l_environnement_avant_numpy() -> None:
    """Dans un processus neuf, importer la CLI pose les valeurs avant tout import de numpy
    (OpenBLAS lit sa variable à son chargement, celle de pydantic est lue à la création
    du premier modèle)."""
    code = (
        "import os, sys\n"
        "for nom in ('OPENBLAS_NUM_THREADS', 'PYDANTIC_DISABLE_PLUGINS'):\n"
        "    os.environ.pop(nom, None)\n"
        "import gc\n"
        "print(gc.get_threshold()[0])\n"
        "import cli.principal\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['PYDANTIC_DISABLE_PLUGINS'],"
        " 'numpy' in sys.modules, gc.get_threshold()[0])\n"
    )
    sortie = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    # Collectes de la génération jeune espacées dès l'import de la CLI (700 avant).
    assert sortie == ["700", "1", "__all__", "False", str(processus.SEUIL_JEUNES)]
