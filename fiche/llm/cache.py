"""Cache disque des réponses du LLM (`dossier_cache_llm`, désactivable par `llm_cache`).

Relancer une fiche (correction d'un contrôle, nouvelle mise en page Word) ne doit ni
recoûter des jetons ni changer de réponse. La clé réunit tout ce qui change la réponse :
modèle, version des consignes, empreinte du schéma, empreinte du document, pages du
morceau et pseudonymisation. Seules les réponses validées sont gardées, avec leur `usage`
(les jetons d'une fiche relue du cache sont ceux de l'appel d'origine). La réponse est
stockée brute : avec la pseudonymisation, elle ne contient que des marques, jamais la
table de correspondance.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

journal = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReponseBrute:
    """Ce que l'API a rendu d'utile : le contenu et les jetons comptés par le serveur."""

    contenu: str
    jetons_entree: int | None
    jetons_sortie: int | None


def cle_cache(
    *,
    modele: str,
    version: str,
    schema: str,
    document: str,
    pages: list[int],
    rang: int,
    pseudonymise: bool,
    budget: int | None = None,
) -> str:
    parties = {
        "modele": modele,
        "version": version,
        "schema": schema,
        "document": document,
        "pages": pages,
        "morceau": rang,
        "pseudonymise": pseudonymise,
    }
    if budget is not None:  # tâche réduite : une même page coupée autrement
        parties["budget"] = budget
    texte = json.dumps(parties, sort_keys=True)
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()


class CacheLlm:
    """Un fichier JSON par clé ; écriture atomique (deux processus peuvent se croiser)."""

    def __init__(self, dossier: Path) -> None:
        self.dossier = dossier

    def _chemin(self, cle: str) -> Path:
        return self.dossier / cle[:2] / f"{cle}.json"

    def lire(self, cle: str) -> ReponseBrute | None:
        chemin = self._chemin(cle)
        if not chemin.is_file():
            return None
        try:
            donnees = json.loads(chemin.read_text(encoding="utf-8"))
            return ReponseBrute(**donnees["reponse"])
        except (OSError, ValueError, KeyError, TypeError) as erreur:
            # Un fichier abîmé n'est qu'un défaut de cache : on rappelle le LLM.
            journal.warning("Cache LLM illisible (%s) : %s", chemin, erreur)
            return None

    def ecrire(self, cle: str, reponse: ReponseBrute, contexte: dict[str, object]) -> None:
        chemin = self._chemin(cle)
        chemin.parent.mkdir(parents=True, exist_ok=True)
        texte = json.dumps(
            {"cle": cle, "contexte": contexte, "reponse": asdict(reponse)},
            ensure_ascii=False,
            indent=1,
        )
        descripteur, provisoire = tempfile.mkstemp(dir=chemin.parent, suffix=".tmp")
        with os.fdopen(descripteur, "w", encoding="utf-8") as flux:
            flux.write(texte)
        os.replace(provisoire, chemin)
