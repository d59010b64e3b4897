"""Schéma de la réponse demandée au LLM : sortie structurée `json_schema` stricte.

Le schéma est compact (chaque jeton de sortie coûte) et ne transporte jamais de page ni de
citation : le modèle ne rend qu'un identifiant de ligne (`p4-l12`) par valeur, et notre
code en déduit la page et la citation (`fiche.llm.conversion`). Les dictionnaires
« année → valeur » de la fiche deviennent des listes d'objets, car le mode strict
d'OpenAI interdit les clés libres (`additionalProperties` doit valoir `false`).

Les modèles pydantic ci-dessous sont la seule source : le schéma JSON envoyé en est tiré
(`schema_strict`) et la réponse est validée par eux.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fiche.modeles import NomElement, NomPoste, Secteur, TypeContrat

NOM_SCHEMA = "fiche_dsp_llm_v1"


class Reponse(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TexteCite(Reponse):
    valeur: str | None
    ligne: str | None


class SecteurCite(Reponse):
    valeur: Secteur | None
    ligne: str | None


class TypeContratCite(Reponse):
    valeur: TypeContrat | None
    ligne: str | None


class DateCitee(Reponse):
    valeur: date | None = Field(description="AAAA-MM-JJ")
    ligne: str | None


class EntierCite(Reponse):
    valeur: int | None
    ligne: str | None


class IdentificationLlm(Reponse):
    collectivite: TexteCite
    objet: TexteCite
    secteur: SecteurCite
    delegataire: TexteCite
    type_contrat: TypeContratCite
    date_debut: DateCitee
    date_fin: DateCitee
    exercice: EntierCite


class ValeurAnnee(Reponse):
    annee: int
    valeur: float
    ligne: str


class PosteLlm(Reponse):
    poste: NomPoste
    annee: int
    valeur: float = Field(description="en euros")
    ligne: str


class SerieLlm(Reponse):
    libelle: str
    unite: str | None
    valeurs: list[ValeurAnnee]


class FaitLlm(Reponse):
    texte: str
    ligne: str


class ConformiteLlm(Reponse):
    element: NomElement
    present: bool
    ligne: str | None


class FicheLlm(Reponse):
    """La réponse complète du modèle (un morceau de document, ou le document entier)."""

    identification: IdentificationLlm
    unite_source: Literal["euro", "millier_euro", "million_euro"]
    postes: list[PosteLlm]
    indicateurs: list[SerieLlm]
    effectif_etp: list[ValeurAnnee]
    tarifs: list[SerieLlm]
    faits_marquants: list[FaitLlm]
    conformite: list[ConformiteLlm]


_CLES_RETIREES = {"title", "default", "format"}


def _strict(noeud: Any, defs: dict[str, Any]) -> Any:
    """Références internes déroulées, objets fermés, toutes les propriétés requises.

    Le mode strict exige `required` = toutes les propriétés et `additionalProperties:
    false` ; certains serveurs (vLLM, Ollama) gèrent mal `$ref` : on déroule tout.
    `format` est retiré (mal supporté ailleurs qu'OpenAI) : pydantic valide les dates.
    """
    if isinstance(noeud, list):
        return [_strict(element, defs) for element in noeud]
    if not isinstance(noeud, dict):
        return noeud
    if "$ref" in noeud:
        return _strict(defs[noeud["$ref"].rsplit("/", 1)[-1]], defs)
    resultat: dict[str, Any] = {}
    for cle, valeur in noeud.items():
        if cle in _CLES_RETIREES or cle == "$defs":
            continue
        if cle == "properties":
            resultat[cle] = {nom: _strict(sous, defs) for nom, sous in valeur.items()}
        else:
            resultat[cle] = _strict(valeur, defs)
    if resultat.get("type") == "object" and "properties" in resultat:
        resultat["additionalProperties"] = False
        resultat["required"] = list(resultat["properties"])
    return _compacter(resultat)


def _compacter(noeud: dict[str, Any]) -> dict[str, Any]:
    """`anyOf` de types simples → liste de types (même sens, moins de jetons d'entrée)."""
    variantes = noeud.get("anyOf")
    if isinstance(variantes, list) and all(set(v) == {"type"} for v in variantes):
        reste = {cle: valeur for cle, valeur in noeud.items() if cle != "anyOf"}
        return {"type": [v["type"] for v in variantes], **reste}
    return noeud


def schema_strict() -> dict[str, Any]:
    """Le schéma JSON de `FicheLlm`, prêt pour `response_format` en mode strict."""
    brut = FicheLlm.model_json_schema()
    schema = dict(_strict(brut, brut.get("$defs", {})))
    schema.pop("description", None)  # la docstring de la classe : inutile au modèle
    return schema


def format_reponse() -> dict[str, Any]:
    """Le paramètre `response_format` de l'appel (jamais `json_object` : pas de schéma)."""
    return {
        "type": "json_schema",
        "json_schema": {"name": NOM_SCHEMA, "strict": True, "schema": schema_strict()},
    }


def empreinte_schema() -> str:
    """Empreinte stable du schéma : elle entre dans la clé du cache disque."""
    texte = json.dumps(schema_strict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()[:16]
