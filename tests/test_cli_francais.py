"""La commande `dsp` parle français jusque dans le texte de typer, et aucune trace Python
n'atteint l'agent : erreur d'usage, réglage invalide, panne imprévue."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from cli.affichage import pourcent, secondes
from cli.principal import app
from stockage.depot import Depot
from tests.conftest import RACINE

ANGLAIS = ("Usage:", "Show this message", "Missing argument", "Try '", "[required]",
           "Error", "Options ──", "Commands", "<int>", "Invalid value")  # fmt: skip


def sans_anglais(texte: str) -> None:
    for mot in ANGLAIS:
        if mot == "Options ──":
            continue  # « Options » se dit pareil en français
        assert mot not in texte, mot


@pytest.fixture(autouse=True)
def _umask() -> Iterator[None]:
    """Le rappel de `dsp` règle le umask du processus : celui des tests est rétabli."""
    masque = os.umask(0o022)
    os.umask(masque)
    yield
    os.umask(masque)


def test_aide_de_typer_en_francais() -> None:
    racine = CliRunner().invoke(app, ["--help"])
    assert racine.exit_code == 0
    assert "Utilisation : dsp [OPTIONS] COMMANDE [ARGUMENTS]..." in racine.output
    assert "Affiche cette aide et quitte." in racine.output and "Commandes" in racine.output
    sans_anglais(racine.output)
    valider = CliRunner().invoke(app, ["valider", "--help"])
    assert "<entier>" in valider.output and "[obligatoire]" in valider.output
    sans_anglais(valider.output)


@pytest.mark.parametrize(
    ("arguments", "attendu"),
    [
        (["valider"], "Argument manquant : « rapport »."),
        (["valider", "abc", "--compte", "x"], "« rapport » : un nombre entier est attendu."),
        (["publier", "--inconnue"], "Option inconnue : --inconnue."),
        (["inexistante"], "Commande inconnue : « inexistante »."),
        (["lot", "d", "--concurrence", "0"], "doit être supérieur ou égal à 1"),
    ],
)
def test_erreurs_d_usage_en_francais(arguments: list[str], attendu: str) -> None:
    resultat = CliRunner().invoke(app, arguments)
    assert resultat.exit_code == 2
    sortie = " ".join(resultat.output.replace("│", " ").split())
    assert attendu in sortie
    assert "Utilisation : dsp" in sortie and "Aide : « dsp" in sortie
    sans_anglais(resultat.output)


def test_reglage_invalide_sans_trace() -> None:
    """Par le vrai point d'entrée : le message nomme la variable, rien d'autre."""
    env = {**os.environ, "DSP_OCR_DPI": "trois-cents"}
    fini = subprocess.run(
        [sys.executable, "-m", "cli.principal", "statut"],
        cwd=RACINE, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert fini.returncode == 2
    assert "Traceback" not in fini.stderr + fini.stdout
    assert "Réglage invalide — DSP_OCR_DPI = « trois-cents » : un nombre entier est attendu." in (
        " ".join(fini.stderr.split())
    )


def test_panne_imprevue_sans_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    def panne(self: Depot) -> None:
        raise RuntimeError("disque débranché")

    monkeypatch.setattr(Depot, "rapports", panne)
    resultat = CliRunner().invoke(app, ["statut"])
    assert resultat.exit_code == 2
    assert "Erreur inattendue (RuntimeError) : disque débranché." in resultat.output
    assert "DSP_TRACE=1" in resultat.output
    assert "Traceback" not in resultat.output


def test_nombres_a_la_francaise() -> None:
    assert pourcent(1.0) == "100,0\u00a0%"
    assert pourcent(0.987, 0) == "99\u00a0%"
    assert secondes(12.345) == "12,3\u00a0s"
