"""Le chemin LLM contre un vrai modèle (SmolLM2-135M sur CPU, `tests/llm_reel.py`).

Plomberie seulement : JSON imposé par la grammaire, troncature à `max_tokens`, contexte
lu sur `/v1/models`, délai dépassé sans seconde génération empilée, repli qui garde les
jetons dépensés et les réponses brutes, petits appels par section (contexte de 8 192
jetons) dont les choix sont relus dans le document.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from openai import OpenAI

from extracteurs.modeles import Document
from extracteurs.nombres import normaliser_espaces
from fiche.ancrage import champs_de
from fiche.llm.client import contexte_du_modele
from fiche.llm.par_sections import VERSION_SECTIONS
from fiche.llm.schema import IdentificationLlm, schema_de
from fiche.modeles import Gravite, Origine
from fiche.production import produire_fiche
from fiche.reconciliation import CODE_CHOIX
from tests.outils_llm import reglages_test

DOCUMENT = (
    "p1-l1 | Rapport annuel du délégataire 2023\n"
    "p1-l2 | Ville de Port-Azur : stationnement payant sur voirie\n"
    "p1-l3 | Délégataire : Société des Parcs du Littoral\n"
    "p1-l4 | Contrat de concession du 1er avril 2012 au 31 mars 2027"
)


def _client(url: str, timeout: float = 300.0) -> OpenAI:
    return OpenAI(base_url=url, api_key="sans-cle", max_retries=0, timeout=timeout)


def _identifier(client: OpenAI, max_tokens: int) -> tuple[str | None, str | None, int, int]:
    reponse = client.chat.completions.create(
        model="smollm2",
        messages=[
            {"role": "system", "content": "Remplis l'identification du contrat en JSON."},
            {"role": "user", "content": DOCUMENT},
        ],
        response_format={  # type: ignore[typeddict-item]
            "type": "json_schema",
            "json_schema": {
                "name": "identification",
                "strict": True,
                "schema": schema_de(IdentificationLlm),
            },
        },
        max_tokens=max_tokens,
        temperature=0,
    )
    choix, usage = reponse.choices[0], reponse.usage
    assert usage is not None
    return choix.message.content, choix.finish_reason, usage.prompt_tokens, usage.completion_tokens


def test_json_impose_par_la_grammaire_et_jetons_comptes(llm_reel: str) -> None:
    debut = time.process_time(), time.monotonic()
    contenu, fin, entree, sortie = _identifier(_client(llm_reel), 600)
    assert fin == "stop"
    donnees = json.loads(contenu or "")
    assert set(donnees) == set(IdentificationLlm.model_fields)
    for champ in donnees.values():
        assert set(champ) == {"valeur", "ligne"}
    for nom in ("date_debut", "date_fin"):  # `format: date` gardé dans le schéma envoyé
        valeur = donnees[nom]["valeur"]
        assert valeur is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", valeur)
    assert entree > 50 and 0 < sortie <= 600
    print(f"réponse en {time.monotonic() - debut[1]:.1f} s, {entree} + {sortie} jetons")


def test_troncature_a_max_tokens(llm_reel: str) -> None:
    contenu, fin, _, sortie = _identifier(_client(llm_reel), 6)
    assert fin == "length" and sortie == 6
    assert contenu and contenu.lstrip().startswith("{")


def test_contexte_lu_sur_v1_models(llm_reel: str, tmp_path: Path) -> None:
    reglages = reglages_test(llm_reel, tmp_path, llm_model="SmolLM2-135M-Instruct.Q4_1")
    assert contexte_du_modele(_client(llm_reel), reglages) == 8192


def test_delai_depasse_repli_sans_seconde_generation(
    llm_reel: str, tmp_path: Path, forville: Document
) -> None:
    """Le délai dépassé mène au repli sans relance ; le serveur abandonne la génération
    (l'évaluation de l'invite en cours, elle, va à son terme : quelques dizaines de
    secondes sur un fil) et sert la requête suivante."""
    reglages = reglages_test(
        llm_reel,
        tmp_path,
        llm_timeout_s=0.5,
        llm_max_jetons_sortie=2000,
        llm_max_jetons_prompt=4000,
    )
    fiche = produire_fiche(forville, "llm", reglages)
    assert fiche.production.mode == "regles"
    assert "délai de 0.5 s dépassé, non réessayé" in (fiche.production.note or "")
    assert fiche.production.modele == "modele-test"
    debut = time.monotonic()
    _, fin, _, _ = _identifier(_client(llm_reel, timeout=240), 4)
    assert fin == "length"
    print(f"requête suivante servie en {time.monotonic() - debut:.1f} s")


def test_reponses_tronquees_repli_avec_jetons_et_diagnostic(
    llm_reel: str, tmp_path: Path, forville: Document
) -> None:
    """Chemin de la fiche entière (contexte réglé au-delà du seuil des petits appels) :
    chaque réponse coupée à 16 jetons, la tâche est réduite jusqu'à l'irréductible, puis
    repli ; la fiche garde la somme des jetons de tous les appels."""
    reglages = reglages_test(
        llm_reel,
        tmp_path,
        llm_contexte_jetons=16384,
        llm_max_jetons_sortie=16,
        llm_max_jetons_prompt=5000,
        llm_timeout_s=300,
    )
    cible = tmp_path / "forville.diagnostic-llm.json"
    fiche = produire_fiche(forville, "llm", reglages, cible)
    production = fiche.production
    assert production.mode == "regles" and production.modele == "modele-test"
    assert "tronquée, tâche irréductible" in (production.note or "")
    rejetees = json.loads(cible.read_text("utf-8"))["reponses_rejetees"]
    assert len(rejetees) >= 2 and all(r["fin"] == "length" for r in rejetees)
    assert production.jetons_entree == sum(r["jetons_entree"] for r in rejetees)
    assert production.jetons_sortie == 16 * len(rejetees)
    # La tâche rétrécit d'un appel à l'autre (invites de plus en plus courtes).
    entrees = [r["jetons_entree"] for r in rejetees]
    assert entrees == sorted(entrees, reverse=True) and entrees[-1] < entrees[0]


def test_petits_appels_par_section_relus_dans_le_document(
    llm_reel: str, tmp_path: Path, forville: Document
) -> None:
    """Contexte de 8 192 jetons lu sur `/v1/models` : un appel par section, chaque
    identifiant choisi parmi les candidats (grammaire tirée de l'`enum`), la valeur relue
    sur sa page ; le modèle peut se tromper, la plomberie tient (jetons, divergences)."""
    reglages = reglages_test(llm_reel, tmp_path, llm_timeout_s=300)
    cible = tmp_path / "forville.diagnostic-llm.json"
    fiche = produire_fiche(forville, "auto", reglages, cible)
    production = fiche.production
    assert production.modele == "modele-test" and (production.jetons_entree or 0) > 0
    if production.mode == "regles":  # aucune section exploitable : cause dite et gardée
        assert cible.is_file() and "section" in (production.note or "")
        return
    assert production.version == VERSION_SECTIONS
    for chemin, champ in champs_de(fiche):
        if champ.origine == Origine.LLM and champ.valeur is not None:
            page = normaliser_espaces(forville.pages[(champ.page or 1) - 1].texte)
            assert normaliser_espaces(champ.citation or "") in page, chemin
    divergences = [a for a in fiche.anomalies if a.code == CODE_CHOIX]
    assert all(a.gravite == Gravite.INFO and a.pages for a in divergences)
    jetons = f"{production.jetons_entree} + {production.jetons_sortie} jetons"
    print(f"{jetons}, {len(divergences)} divergence(s)")
