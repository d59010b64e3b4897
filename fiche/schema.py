"""Schéma JSON de la fiche (`fiche-dsp/1`), exporté et versionné pour l'application de revue,
les gabarits et l'évaluation. Régénération volontaire : `uv run python -m fiche.schema`."""

from __future__ import annotations

import json
from pathlib import Path

from fiche.modeles import Fiche

CHEMIN_SCHEMA = Path(__file__).parent / "schemas" / "fiche-dsp-1.schema.json"


def schema_fiche() -> str:
    schema = Fiche.model_json_schema(by_alias=True, mode="serialization")
    schema["$id"] = "https://synthese-dsp.fr/schemas/fiche-dsp-1.schema.json"
    schema["title"] = "Fiche de synthèse d'un rapport annuel du délégataire (fiche-dsp/1)"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    CHEMIN_SCHEMA.write_text(schema_fiche(), encoding="utf-8")
    print(f"Schéma écrit : {CHEMIN_SCHEMA}")
