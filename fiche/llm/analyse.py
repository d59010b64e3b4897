"""Lecture d'une réponse du LLM : JSON, conformité au schéma, restauration des pseudonymes.

Toute réponse inexploitable lève `ReponseNonConformeError` avec un message en français qui est
renvoyé tel quel au modèle lors de l'unique relance (`prompts/v1/correction.md`) : le
modèle corrige mieux quand il sait ce qui n'allait pas.
"""

from __future__ import annotations

import json
import re

from pydantic import ValidationError

from fiche.llm.client import Completion
from fiche.llm.pseudonymes import Pseudonymiseur
from fiche.llm.schema import FicheLlm

MAX_ERREURS_CITEES = 6
_TRONQUEE = "la réponse a été tronquée (limite de longueur atteinte, finish_reason « length »)"
_CLOTURE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


class ReponseNonConformeError(Exception):
    """Réponse tronquée, vide, JSON invalide ou hors schéma : elle mérite une relance."""


def resumer(erreur: ValidationError) -> str:
    """Les premières erreurs pydantic, une par ligne : chemin et message."""
    lignes = [
        f"- {'.'.join(str(p) for p in e['loc']) or 'racine'} : {e['msg']}"
        for e in erreur.errors()[:MAX_ERREURS_CITEES]
    ]
    reste = erreur.error_count() - MAX_ERREURS_CITEES
    if reste > 0:
        lignes.append(f"- … et {reste} autre(s) erreur(s)")
    return "\n".join(lignes)


def lire_json(completion: Completion) -> object:
    """Le JSON d'une réponse (clôture Markdown ôtée). Une réponse coupée à `max_tokens`
    est refusée, sauf si elle forme déjà un JSON complet (un serveur à grammaire peut
    générer des blancs après l'objet fermé jusqu'à la limite)."""
    contenu = (completion.contenu or "").strip()
    if not contenu:
        if completion.fin == "length":
            raise ReponseNonConformeError(_TRONQUEE)
        raise ReponseNonConformeError("la réponse est vide")
    # Certains serveurs entourent le JSON d'une clôture Markdown malgré le schéma imposé.
    cloture = _CLOTURE.match(contenu)
    if cloture:
        contenu = cloture.group(1)
    try:
        return json.loads(contenu)
    except json.JSONDecodeError as erreur:
        if completion.fin == "length":
            raise ReponseNonConformeError(_TRONQUEE) from erreur
        raise ReponseNonConformeError(
            f"le JSON est invalide ({erreur.msg}, ligne {erreur.lineno}, colonne {erreur.colno})"
        ) from erreur


def analyser(completion: Completion, pseudonymes: Pseudonymiseur | None) -> FicheLlm:
    """La `FicheLlm` portée par une réponse, noms et contacts restaurés."""
    if completion.fin == "length":
        raise ReponseNonConformeError(_TRONQUEE)
    donnees = lire_json(completion)
    if pseudonymes is not None:
        donnees = pseudonymes.restaurer_json(donnees)
    try:
        return FicheLlm.model_validate(donnees)
    except ValidationError as erreur:
        raise ReponseNonConformeError(
            "le JSON ne respecte pas le schéma :\n" + resumer(erreur)
        ) from erreur
