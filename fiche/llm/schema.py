"""Schéma de la réponse demandée au LLM : sortie structurée `json_schema` stricte.

Le schéma est compact (chaque jeton de sortie coûte) et ne transporte jamais de page ni de
citation : le modèle ne rend qu'un identifiant de ligne (`p4-l12`) par valeur, et notre
code en déduit la page et la citation (`fiche.llm.conversion`). Les dictionnaires
« année → valeur » de la fiche deviennent des listes d'objets, car le mode strict
d'OpenAI interdit les clés libres (`additionalProperties` doit valoir `false`).

Les modèles pydantic ci-dessous sont la seule source : le schéma JSON envoyé en est tiré
(`schema_strict`) et la réponse est validée par eux.

Tout y est borné, parce qu'un serveur qui impose le schéma par une grammaire (llama.cpp,
vLLM, Ollama) laisse un petit modèle générer tant que le schéma le permet : listes
(`maxItems`), textes libres (`maxLength`), identifiants de ligne (`pattern`), dates
(`format: date`). De ces bornes se déduit la plus longue réponse possible
(`borne_sortie`), qui fixe `max_tokens` quand aucun réglage ne le fait.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from fiche.modeles import NomElement, NomPoste, Secteur, TypeContrat

NOM_SCHEMA = "fiche_dsp_llm_v1"
# Un à trois identifiants de lignes consécutives (`p4-l12` ou `p4-l12,p4-l13`).
MOTIF_LIGNE = r"^p[0-9]{1,4}-l[0-9]{1,4}(,p[0-9]{1,4}-l[0-9]{1,4}){0,2}$"
IdLigne = Annotated[str, Field(pattern=MOTIF_LIGNE, max_length=38)]
Texte = Annotated[str, Field(max_length=200)]
# Bornes des listes : ce qu'un rapport annuel porte au plus, avec de la marge (deux
# exercices par poste : N et N-1).
MAX_POSTES = 2 * len(get_args(NomPoste))
MAX_SERIES = 8
MAX_VALEURS = 3
MAX_FAITS = 8


class Reponse(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TexteCite(Reponse):
    valeur: Texte | None
    ligne: IdLigne | None


class SecteurCite(Reponse):
    valeur: Secteur | None
    ligne: IdLigne | None


class TypeContratCite(Reponse):
    valeur: TypeContrat | None
    ligne: IdLigne | None


class DateCitee(Reponse):
    valeur: date | None = Field(description="AAAA-MM-JJ")
    ligne: IdLigne | None


class EntierCite(Reponse):
    valeur: int | None
    ligne: IdLigne | None


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
    ligne: IdLigne


class PosteLlm(Reponse):
    poste: NomPoste
    annee: int
    valeur: float = Field(description="en euros")
    ligne: IdLigne


class SerieLlm(Reponse):
    libelle: Annotated[str, Field(max_length=80)]
    unite: Annotated[str, Field(max_length=20)] | None
    valeurs: list[ValeurAnnee] = Field(max_length=MAX_VALEURS)


class FaitLlm(Reponse):
    texte: Annotated[str, Field(max_length=300)]
    ligne: IdLigne


class ConformiteLlm(Reponse):
    element: NomElement
    present: bool
    ligne: IdLigne | None


class FicheLlm(Reponse):
    """La réponse complète du modèle (un morceau de document, ou le document entier)."""

    identification: IdentificationLlm
    unite_source: Literal["euro", "millier_euro", "million_euro"]
    postes: list[PosteLlm] = Field(max_length=MAX_POSTES)
    indicateurs: list[SerieLlm] = Field(max_length=MAX_SERIES)
    effectif_etp: list[ValeurAnnee] = Field(max_length=MAX_VALEURS)
    tarifs: list[SerieLlm] = Field(max_length=MAX_SERIES)
    faits_marquants: list[FaitLlm] = Field(max_length=MAX_FAITS)
    conformite: list[ConformiteLlm] = Field(max_length=len(get_args(NomElement)))


_CLES_RETIREES = {"title", "default"}
# Mots-clés propres aux chaînes : sans effet sur `null`, ils passent sur `["string", "null"]`.
_CLES_DE_CHAINE = {"format", "pattern", "maxLength", "minLength"}


def _strict(noeud: Any, defs: dict[str, Any]) -> Any:
    """Références internes déroulées, objets fermés, toutes les propriétés requises.

    Le mode strict exige `required` = toutes les propriétés et `additionalProperties:
    false` ; certains serveurs (vLLM, Ollama) gèrent mal `$ref` : on déroule tout.
    `format`, `pattern` et les bornes sont gardés : une grammaire les impose, et pydantic
    les revérifie de toute façon à la réception.
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
    """`anyOf` de types simples → liste de types (même sens, moins de jetons d'entrée).

    Les mots-clés de chaîne (`format`, `pattern`, `maxLength`) suivent : ils ne
    contraignent que les chaînes. Un `enum` ne suit jamais (il exclurait `null`)."""
    variantes = noeud.get("anyOf")
    if not isinstance(variantes, list) or not all(isinstance(v, dict) for v in variantes):
        return noeud
    if not all(set(v) <= {"type"} | _CLES_DE_CHAINE and "type" in v for v in variantes):
        return noeud
    propres = [{c: x for c, x in v.items() if c != "type"} for v in variantes]
    if sum(1 for p in propres if p) > 1:
        return noeud
    reste = {cle: valeur for cle, valeur in noeud.items() if cle != "anyOf"}
    return {"type": [v["type"] for v in variantes], **reste, **next((p for p in propres if p), {})}


def schema_de(modele: type[BaseModel]) -> dict[str, Any]:
    """Le schéma JSON strict d'un modèle de réponse (la fiche entière ou une section)."""
    brut = modele.model_json_schema()
    schema = dict(_strict(brut, brut.get("$defs", {})))
    schema.pop("description", None)  # la docstring de la classe : inutile au modèle
    return schema


def schema_strict() -> dict[str, Any]:
    """Le schéma JSON de `FicheLlm`, prêt pour `response_format` en mode strict."""
    return schema_de(FicheLlm)


# Longueur d'une feuille du schéma sans borne explicite (nombre, booléen), en caractères.
_FEUILLE = 24
# JSON indenté, clés répétées, chiffres : un jeton pour ~2,5 caractères au pire constaté
# (tokeniseurs de Llama, Mistral, SmolLM) ; la marge couvre les blancs de mise en forme.
CARACTERES_PAR_JETON_JSON = 2.5


def longueur_max(noeud: dict[str, Any]) -> int:
    """La plus longue sérialisation JSON (en caractères) qu'autorise un nœud du schéma."""
    if "anyOf" in noeud:
        return max(longueur_max(v) for v in noeud["anyOf"])
    if "enum" in noeud:
        return max(len(json.dumps(v, ensure_ascii=False)) for v in noeud["enum"]) + 2
    types = noeud.get("type")
    types = types if isinstance(types, list) else [types]
    if "object" in types:
        proprietes = noeud.get("properties", {})
        return 2 + sum(len(nom) + 8 + longueur_max(sous) for nom, sous in proprietes.items())
    if "array" in types:
        return 2 + int(noeud.get("maxItems", MAX_SERIES)) * (longueur_max(noeud["items"]) + 2)
    if "string" in types:
        return int(noeud.get("maxLength", 200)) + 2
    return _FEUILLE


def borne_sortie(schema: dict[str, Any]) -> int:
    """`max_tokens` qui laisse passer la plus longue réponse valide, et pas davantage."""
    return math.ceil(longueur_max(schema) / CARACTERES_PAR_JETON_JSON) + 64


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
