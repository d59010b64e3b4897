"""Modèles de la fiche : schéma exporté à jour, aller-retour JSON sans perte, contrat respecté."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from fiche.modeles import ELEMENTS_CONFORMITE, Fiche
from fiche.schema import CHEMIN_SCHEMA, schema_fiche
from tests.conftest import CORPUS

REFERENCES = sorted(CORPUS.glob("*.fiche.json"))


def test_schema_versionne_a_jour() -> None:
    assert CHEMIN_SCHEMA.read_text(encoding="utf-8") == schema_fiche(), (
        "schéma périmé : uv run python -m fiche.schema"
    )


@pytest.mark.parametrize("chemin", REFERENCES, ids=[p.name.split(".")[0] for p in REFERENCES])
def test_aller_retour_sans_perte(chemin: Path) -> None:
    brut = json.loads(chemin.read_text(encoding="utf-8"))
    fiche = Fiche.model_validate(brut)
    assert json.loads(fiche.vers_json()) == brut
    assert Fiche.model_validate_json(fiche.vers_json()) == fiche
    assert set(fiche.conformite) == set(ELEMENTS_CONFORMITE)


def test_champ_inconnu_refuse() -> None:
    brut = json.loads(REFERENCES[0].read_text(encoding="utf-8"))
    brut["identification"]["maire"] = {"valeur": "x"}
    with pytest.raises(ValidationError):
        Fiche.model_validate(brut)


def test_montants_en_euros_et_charges_positives() -> None:
    for chemin in REFERENCES:
        fiche = Fiche.model_validate_json(chemin.read_text(encoding="utf-8"))
        for poste in ("total_charges", "charges_personnel", "frais_siege"):
            for champ in fiche.financier.postes.get(poste, {}).values():
                assert champ.valeur is None or champ.valeur >= 0, (chemin.name, poste)
