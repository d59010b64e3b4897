"""Un petit appel par section : son schéma (les identifiants candidats en `enum`), ses
messages courts, la lecture de la réponse.

Le schéma énumère, champ par champ, les seuls identifiants admis : un serveur qui impose le
schéma par une grammaire (llama.cpp, vLLM, Ollama) ne peut pas en produire d'autre, et la
sortie la plus longue est minuscule (`borne_sortie`). Un serveur qui ne l'impose pas peut
rendre un identifiant inventé : la réponse est alors rejetée (`ReponseNonConformeError`),
gardée pour le diagnostic, et les champs de la section restent aux règles.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fiche.llm.analyse import ReponseNonConformeError, lire_json
from fiche.llm.candidats import MAX_CANDIDATS, Section
from fiche.llm.client import Completion
from fiche.llm.invites import Masque, Message, gabarit, neutraliser, remplir_gabarit

NOM_SCHEMA = "section_dsp_v1"


def schema_section(section: Section) -> dict[str, Any]:
    proprietes = {
        q.champ: {"type": ["string", "null"], "enum": [*q.candidats, None]}
        for q in section.questions
    }
    return {
        "type": "object",
        "properties": proprietes,
        "required": list(proprietes),
        "additionalProperties": False,
    }


def format_section(section: Section) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": NOM_SCHEMA, "strict": True, "schema": schema_section(section)},
    }


def messages_section(section: Section, masque: Masque) -> list[Message]:
    questions = "\n".join(
        f"- `{q.champ}` ({q.consigne}) : {_admis(list(q.candidats))}" for q in section.questions
    )
    utilisateur = remplir_gabarit(
        gabarit("section"),
        consigne=section.consigne,
        document=masque(neutraliser(section.texte)),
        questions=questions,
    )
    return [
        {"role": "system", "content": gabarit("section_systeme")},
        {"role": "user", "content": utilisateur},
    ]


def _admis(ids: list[str]) -> str:
    """Les identifiants admis ; une longue liste (toutes les rangées d'un tableau) n'est
    pas répétée pour chaque champ : le schéma les énumère de toute façon."""
    if len(ids) > MAX_CANDIDATS:
        return f"un identifiant du document ci-dessus ({ids[0]} … {ids[-1]})"
    return ", ".join(ids)


def empreinte_section(section: Section, messages: list[Message]) -> str:
    """Ce qui change la réponse (consignes, candidats, schéma) : pour la clé du cache."""
    texte = json.dumps([schema_section(section), messages], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()[:16]


def lire_choix(completion: Completion, section: Section) -> dict[str, str]:
    """Champ → identifiant choisi (les `null` omis). Une réponse complète est gardée même
    quand le serveur dit « length » (blancs générés après l'objet fermé)."""
    donnees = lire_json(completion)
    if not isinstance(donnees, dict):
        raise ReponseNonConformeError("la réponse n'est pas un objet JSON")
    admis = {q.champ: q.candidats for q in section.questions}
    inconnus = sorted(set(donnees) - set(admis))
    if inconnus:
        raise ReponseNonConformeError(f"champ(s) non demandé(s) : {', '.join(inconnus)}")
    choix: dict[str, str] = {}
    for champ, ident in donnees.items():
        if ident is None:
            continue
        if not isinstance(ident, str) or ident not in admis[champ]:
            raise ReponseNonConformeError(
                f"identifiant {ident!r} hors des candidats du champ `{champ}`"
            )
        choix[champ] = ident
    return choix
