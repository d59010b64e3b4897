"""Remplissage de la fiche par un LLM servi derrière une API compatible OpenAI.

Point d'entrée : `RemplisseurLlm(reglages).remplir(document) -> Fiche` (mode `llm`) ; il
se replie sur `fiche.regles` (mode `regles`, cause dans `production.note`) quand le LLM
n'est pas configuré, ne répond pas, refuse ou rend deux fois une réponse non conforme.

Réglages (préfixe `DSP_`, voir `socle.reglages`) pour les points d'accès usuels :

- Albert API (État) : `DSP_LLM_BASE_URL=https://albert.api.etalab.gouv.fr/v1`,
  `DSP_LLM_MODEL=` un modèle listé par `GET /v1/models`, `DSP_LLM_API_KEY=` clé Albert ;
- Mistral : `DSP_LLM_BASE_URL=https://api.mistral.ai/v1`,
  `DSP_LLM_MODEL=mistral-small-latest`, `DSP_LLM_API_KEY=` clé Mistral ;
- vLLM (local) : `DSP_LLM_BASE_URL=http://localhost:8000/v1`, `DSP_LLM_MODEL=` le nom
  passé à `vllm serve`, clé vide (ou celle de `--api-key`) ;
- Ollama (local) : `DSP_LLM_BASE_URL=http://localhost:11434/v1`,
  `DSP_LLM_MODEL=mistral-small3.1` (ou tout modèle tiré par `ollama pull`), clé vide.

Le modèle doit accepter `response_format={"type": "json_schema", ..., "strict": true}`
(OpenAI, Mistral, vLLM ≥ 0.6 avec décodage guidé, Ollama ≥ 0.5 ; pour Albert, selon le
modèle servi). Autres réglages : `DSP_LLM_TIMEOUT_S`, `DSP_LLM_ESSAIS`,
`DSP_LLM_RELANCER_APRES_DELAI`, `DSP_LLM_ATTENTE_MAX_S`, `DSP_LLM_MAX_JETONS_PROMPT`,
`DSP_LLM_MAX_JETONS_SORTIE`, `DSP_LLM_CONTEXTE_JETONS`, `DSP_LLM_PSEUDONYMISER`,
`DSP_LLM_CACHE` (cache dans `<DSP_DATA_DIR>/cache_llm`).

Modules : `schema` (réponse demandée), `invites` (consignes versionnées, document
balisé), `selection` (pages utiles, jetons, morceaux), `client` (appel et réessais),
`analyse` (lecture de la réponse), `compte` (jetons, réponses rejetées), `citations` et
`conversion` (provenance calculée depuis les identifiants de ligne), `pseudonymes`,
`cache`, `remplisseur` (orchestration). Petits appels pour un modèle au contexte court :
`candidats`, `candidats_sispea` (lignes candidates des règles), `sections` (schéma en
`enum`, invite, lecture), `par_sections` (appels, relecture ; réconciliation par
`fiche.reconciliation.reconcilier_choix`).
"""

from fiche.llm.compte import Jetons
from fiche.llm.invites import VERSION_PROMPT
from fiche.llm.remplisseur import RemplisseurLlm
from fiche.llm.schema import FicheLlm, format_reponse, schema_strict
from fiche.llm.selection import estimer_jetons, selectionner_pages

__all__ = [
    "VERSION_PROMPT",
    "FicheLlm",
    "Jetons",
    "RemplisseurLlm",
    "estimer_jetons",
    "format_reponse",
    "schema_strict",
    "selectionner_pages",
]
