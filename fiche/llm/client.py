"""Appel d'un point d'accès compatible OpenAI, avec des réessais maîtrisés (tenacity).

Les réessais du client `openai` sont coupés (`max_retries=0`) : c'est tenacity qui
décide, selon une seule politique lisible et réglable (`llm_essais`,
`llm_attente_max_s`) :
- réessayés : 429 (quota ; l'en-tête `Retry-After` est suivi, plafonné par
  `llm_attente_max_s`), erreurs serveur ≥ 500, connexion impossible ;
- délai dépassé : non réessayé par défaut (`llm_relancer_apres_delai`). Un serveur local
  à un seul emplacement (llama.cpp, Ollama) continue de générer la réponse abandonnée :
  une relance attendrait derrière elle, puis dépasserait à son tour. Pour un modèle lent,
  on allonge plutôt `llm_timeout_s` ;
- non réessayés : les autres 4xx (clé refusée, modèle inconnu, requête invalide) :
  recommencer ne changerait rien.

Chaque requête borne sa réponse (`max_tokens`) : sans cela, un modèle contraint par une
grammaire génère jusqu'à remplir son contexte. Le contexte du modèle est lu sur
`/v1/models` quand le serveur le publie (`contexte_du_modele`).
Attente entre deux essais : exponentielle avec gigue (0,5 s, 1 s, 2 s… plafonnée), pour
ne pas revenir tous ensemble sur un serveur déjà saturé.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from socle.erreurs import LlmError
from socle.reglages import Reglages

# `openai` est importé dans les fonctions qui s'en servent : ses types coûtent ~0,4 s CPU
# à l'import, que payait chaque commande `dsp` (même `--help`) en mode règles.
if TYPE_CHECKING:
    from openai import OpenAI
    from openai.types.chat import ChatCompletionMessageParam
    from openai.types.chat.completion_create_params import ResponseFormat

journal = logging.getLogger(__name__)


def creer_client(reglages: Reglages) -> OpenAI:
    """Le client `openai` du point d'accès réglé ; une clé vide convient en local."""
    from openai import OpenAI

    cle = reglages.llm_api_key.get_secret_value() if reglages.llm_api_key else ""
    return OpenAI(
        base_url=reglages.llm_base_url,
        api_key=cle or "sans-cle",
        timeout=reglages.llm_timeout_s,
        max_retries=0,
    )


def est_transitoire(erreur: BaseException, *, apres_delai: bool = True) -> bool:
    """Une erreur qu'un nouvel essai peut lever (voir la docstring du module)."""
    import openai

    if isinstance(erreur, openai.APITimeoutError):
        return apres_delai
    if isinstance(erreur, (openai.RateLimitError, openai.APIConnectionError)):
        return True
    return isinstance(erreur, openai.APIStatusError) and erreur.status_code >= 500


def decrire(erreur: BaseException, reglages: Reglages) -> str:
    """La cause en français, pour la note de la fiche (« erreur 500 »…)."""
    import openai

    if isinstance(erreur, openai.APITimeoutError):
        return f"délai de {reglages.llm_timeout_s:g} s dépassé"
    if isinstance(erreur, openai.APIConnectionError):
        return "connexion impossible"
    if isinstance(erreur, openai.RateLimitError):
        return "quota dépassé, erreur 429"
    if isinstance(erreur, openai.APIStatusError):
        return f"erreur {erreur.status_code}"
    return type(erreur).__name__


def delai_retry_after(erreur: BaseException | None) -> float | None:
    """Secondes demandées par le serveur (`retry-after-ms`, `retry-after` en s ou en date)."""
    import openai

    if not isinstance(erreur, openai.APIStatusError):
        return None
    entetes = erreur.response.headers
    for nom, echelle in (("retry-after-ms", 1e-3), ("retry-after", 1.0)):
        brut = entetes.get(nom)
        if brut is None:
            continue
        try:
            return max(0.0, float(brut) * echelle)
        except ValueError:
            pass
        try:
            quand = email.utils.parsedate_to_datetime(brut)
        except (TypeError, ValueError):
            continue  # en-tête illisible : l'attente exponentielle s'applique
        return max(0.0, quand.timestamp() - time.time())
    return None


class AttenteEssais:
    """Attente avant le prochain essai : `Retry-After` s'il est donné, sinon exponentielle."""

    def __init__(self, plafond: float) -> None:
        self.plafond = plafond
        self.exponentielle = wait_exponential_jitter(multiplier=0.5, max=plafond, jitter=0.25)

    def __call__(self, etat: RetryCallState) -> float:
        demande = delai_retry_after(etat.outcome.exception() if etat.outcome else None)
        if demande is not None:
            return min(demande, self.plafond)
        return float(self.exponentielle(etat))


@dataclass(frozen=True)
class Completion:
    """Le résultat utile d'un appel : contenu ou refus, fin de génération, jetons."""

    contenu: str | None
    refus: str | None
    fin: str | None
    jetons_entree: int | None
    jetons_sortie: int | None


class AppelantLlm:
    """Envoie une conversation et rend une `Completion`, réessais compris."""

    def __init__(
        self,
        client: OpenAI,
        reglages: Reglages,
        format_reponse: dict[str, Any],
        max_jetons: int,
    ):
        self.client = client
        self.reglages = reglages
        self.format_reponse = format_reponse
        self.max_jetons = max_jetons
        self.essais_faits = 0

    def _a_reessayer(self, erreur: BaseException) -> bool:
        return est_transitoire(erreur, apres_delai=self.reglages.llm_relancer_apres_delai)

    def appeler(self, messages: list[dict[str, str]]) -> Completion:
        """Lève `LlmError` quand tous les essais ont échoué (ou dès une erreur définitive)."""
        import openai

        self.essais_faits = 0
        essais = Retrying(
            retry=retry_if_exception(self._a_reessayer),
            stop=stop_after_attempt(self.reglages.llm_essais),
            wait=AttenteEssais(self.reglages.llm_attente_max_s),
            before_sleep=self._signaler,
            reraise=True,
        )
        try:
            return essais(self._un_essai, messages)
        except openai.OpenAIError as erreur:
            cause = decrire(erreur, self.reglages)
            if self._a_reessayer(erreur):
                message = f"LLM indisponible après {self.essais_faits} essais ({cause})"
            elif isinstance(erreur, openai.APITimeoutError):
                message = (
                    f"LLM indisponible ({cause}, non réessayé : le serveur continuerait la "
                    "génération abandonnée ; allonger DSP_LLM_TIMEOUT_S pour un modèle lent)"
                )
            else:
                message = f"LLM indisponible ({cause}, non réessayée)"
            raise LlmError(message) from erreur

    def _un_essai(self, messages: list[dict[str, str]]) -> Completion:
        self.essais_faits += 1
        reponse = self.client.chat.completions.create(
            model=self.reglages.llm_model or "",
            # Nos dicts simples ont la forme des TypedDict du SDK (rôle, contenu).
            messages=cast("list[ChatCompletionMessageParam]", messages),
            response_format=cast("ResponseFormat", self.format_reponse),
            max_tokens=self.max_jetons,
            temperature=0,
        )
        usage = reponse.usage
        choix = reponse.choices[0] if reponse.choices else None
        return Completion(
            # Sans choix (serveur fantaisiste), la réponse est vide : elle sera relancée.
            contenu=choix.message.content if choix else None,
            refus=getattr(choix.message, "refusal", None) if choix else None,
            fin=choix.finish_reason if choix else None,
            jetons_entree=usage.prompt_tokens if usage else None,
            jetons_sortie=usage.completion_tokens if usage else None,
        )

    def _signaler(self, etat: RetryCallState) -> None:
        erreur = etat.outcome.exception() if etat.outcome else None
        attente = etat.next_action.sleep if etat.next_action else 0.0
        journal.warning(
            "LLM : essai %d en échec (%s), nouvel essai dans %.2f s",
            etat.attempt_number,
            decrire(erreur, self.reglages) if erreur else "?",
            attente,
        )


Appel = Callable[[list[dict[str, str]]], Completion]

# Où les serveurs publient le contexte servi dans `GET /v1/models` : vLLM
# (`max_model_len`), Mistral et Albert (`max_context_length`), LM Studio, OpenRouter
# (`context_length`), llama.cpp (`meta.n_ctx`, à défaut `meta.n_ctx_train`, celui de
# l'entraînement, qui peut dépasser celui du serveur). Ollama ne le publie pas.
_CLES_CONTEXTE = (
    ("max_model_len",),
    ("max_context_length",),
    ("context_length",),
    ("context_window",),
    ("meta", "n_ctx"),
    ("meta", "n_ctx_train"),
)


def _lire_cle(donnees: dict[str, Any], chemin: tuple[str, ...]) -> int | None:
    noeud: Any = donnees
    for cle in chemin:
        noeud = noeud.get(cle) if isinstance(noeud, dict) else None
    return noeud if isinstance(noeud, int) and not isinstance(noeud, bool) and noeud > 0 else None


def contexte_publie(modeles: list[dict[str, Any]], nom: str | None) -> int | None:
    """Le contexte du modèle `nom` (ou du seul modèle servi) dans la liste de `/v1/models`."""
    retenus = [m for m in modeles if m.get("id") == nom] or (modeles if len(modeles) == 1 else [])
    for modele in retenus:
        for chemin in _CLES_CONTEXTE:
            if (valeur := _lire_cle(modele, chemin)) is not None:
                return valeur
    return None


def contexte_du_modele(client: OpenAI, reglages: Reglages) -> int | None:
    """Le contexte en jetons : le réglage, sinon `/v1/models`, sinon inconnu (None).

    Une erreur de la liste des modèles n'empêche rien : l'appel lui-même dira si le
    point d'accès répond ; on garde alors le seul budget `llm_max_jetons_prompt`."""
    import openai

    if reglages.llm_contexte_jetons is not None:
        return reglages.llm_contexte_jetons
    try:
        page = client.with_options(timeout=min(10.0, reglages.llm_timeout_s)).models.list()
        modeles = [m.model_dump() for m in page.data]
    except (openai.OpenAIError, ValueError) as erreur:
        journal.info("Contexte du modèle non lu sur /v1/models : %s", decrire(erreur, reglages))
        return None
    return contexte_publie(modeles, reglages.llm_model)
