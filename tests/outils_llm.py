"""Aides communes aux tests du remplisseur LLM (`tests/test_llm.py`) et à ceux de ses pannes
(`tests/hostile/test_llm_pannes.py`) ; les fixtures sont dans `tests/conftest.py`."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from fiche.modeles import Fiche
from socle.reglages import Reglages

FORVILLE = "stationnement_forville_2023"


def reglages_test(url: str, tmp_path: Path, **autres: Any) -> Reglages:
    """Délais et attentes minuscules : les tests restent rapides."""
    valeurs: dict[str, Any] = {
        "llm_base_url": url,
        "llm_model": "modele-test",
        "llm_timeout_s": 5.0,
        "llm_essais": 3,
        "llm_attente_max_s": 0.05,
        "llm_cache": False,
        "data_dir": tmp_path / "donnees",
    }
    valeurs.update(autres)
    return Reglages(**valeurs)


def regles_disponibles() -> bool:
    try:
        module = importlib.import_module("fiche.regles")
    except ImportError:
        return False
    return hasattr(module, "remplir_par_regles")


def verifier_contenu_du_repli(fiche: Fiche) -> None:
    """Seule assertion dépendante du remplisseur par règles (écrit en parallèle)."""
    if not regles_disponibles():
        pytest.skip("fiche.regles.remplir_par_regles absent : contenu du repli non vérifié")
    assert fiche.identification.exercice.valeur == 2023
