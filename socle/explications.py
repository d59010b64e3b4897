"""Une erreur de validation pydantic des réglages, dite en français à l'agent.

pydantic écrit « Input should be a valid integer… » suivi d'une adresse web ; l'agent doit
lire quelle variable `DSP_…` est fautive, la valeur lue et ce qui est attendu.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

ATTENDUS: dict[str, str] = {
    "int_parsing": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu",
    "float_parsing": "un nombre est attendu (point décimal : 0.5)",
    "bool_parsing": "true ou false est attendu",
    "json_invalid": "un JSON valide est attendu",
    "json_type": "un JSON valide est attendu",
    "dict_type": 'un objet JSON est attendu, ex. {"casino": 30}',
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "literal_error": "valeurs permises : {expected}",
    "enum": "valeurs permises : {expected}",
    "string_too_short": "au moins {min_length} caractère(s)",
    "missing": "valeur obligatoire absente",
    "extra_forbidden": "réglage inconnu",
    "url_parsing": "une adresse valide est attendue",
}


def variable(lieu: tuple[int | str, ...], prefixe: str) -> str:
    """(« controles », « variation_info ») → « DSP_CONTROLES__VARIATION_INFO »."""
    return prefixe + "__".join(str(morceau) for morceau in lieu).upper()


def _attendu(erreur: ErrorDetails) -> str:
    if erreur["type"] == "value_error":  # message d'un validateur du projet, déjà en français
        return str(erreur["msg"]).removeprefix("Value error, ")
    modele = ATTENDUS.get(erreur["type"])
    contexte: dict[str, Any] = dict(erreur.get("ctx") or {})
    if modele is None:
        return f"valeur refusée ({erreur['type']})"
    try:
        return modele.format(**contexte)
    except KeyError:
        return modele


def expliquer_validation(exc: ValidationError, prefixe: str = "DSP_") -> str:
    """Une ligne par réglage fautif : variable, valeur lue, ce qui est attendu."""
    lignes = []
    for erreur in exc.errors(include_url=False):
        nom = variable(erreur["loc"], prefixe) if erreur["loc"] else "réglages"
        valeur = erreur.get("input")
        lue = f" = « {valeur} »" if isinstance(valeur, str | int | float) else ""
        lignes.append(f"{nom}{lue} : {_attendu(erreur)}")
    return "Réglage invalide — " + " ; ".join(lignes) + "."
