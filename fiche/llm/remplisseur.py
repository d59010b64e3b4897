"""`RemplisseurLlm` : la fiche par un LLM, avec repli sur les règles quand il fait défaut.

Déroulé pour un rapport :
1. repérage des textes adressés à une IA (`fiche.injection`), signalés dans tous les cas ;
2. pseudonymisation facultative, choix des pages, découpage en morceaux (budget
   `llm_max_jetons_prompt`) ;
3. pour chaque morceau : cache disque, sinon appel (réessais tenacity), une relance si la
   réponse est tronquée, vide, invalide ou hors schéma ;
4. fusion des morceaux, conversion en `Fiche` (provenance calculée par notre code) ;
5. sur échec définitif (réseau, quota, refus, deux réponses non conformes) : fiche des
   règles, `production.mode = "regles"` et la cause en français dans `production.note`.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, cast

from openai import OpenAI

from extracteurs.modeles import Document
from fiche.injection import detecter_instructions
from fiche.llm.analyse import ReponseNonConformeError, analyser
from fiche.llm.cache import CacheLlm, ReponseBrute, cle_cache
from fiche.llm.client import AppelantLlm, Completion, creer_client
from fiche.llm.conversion import fusionner, maintenant, source, vers_fiche
from fiche.llm.invites import (
    VERSION_PROMPT,
    Message,
    Morceau,
    gabarit,
    preparer_morceaux,
    remplir_gabarit,
)
from fiche.llm.pseudonymes import Pseudonymiseur, sans_masque
from fiche.llm.schema import FicheLlm, empreinte_schema, format_reponse
from fiche.modeles import Anomalie, Fiche, Production
from socle.erreurs import LlmError
from socle.reglages import Reglages
from socle.reglages import reglages as reglages_courants

journal = logging.getLogger(__name__)
Repli = Callable[[Document], Fiche]


@dataclass
class Jetons:
    """Jetons comptés par l'API (None tant qu'aucun appel n'en a rapporté)."""

    entree: int | None = None
    sortie: int | None = None
    appels: int = 0
    depuis_cache: int = 0
    estimes: int = 0
    morceaux: list[list[int]] = field(default_factory=list)

    def ajouter(self, entree: int | None, sortie: int | None) -> None:
        if entree is not None:
            self.entree = (self.entree or 0) + entree
        if sortie is not None:
            self.sortie = (self.sortie or 0) + sortie


def remplisseur_regles() -> Repli:
    """`fiche.regles.remplir_par_regles`, importé à la demande (écrit à part, en parallèle)."""
    module = importlib.import_module("fiche.regles")
    remplir = getattr(module, "remplir_par_regles", None)
    if remplir is None:  # paquet en cours d'écriture (espace de noms sans point d'entrée)
        raise ImportError("fiche.regles.remplir_par_regles introuvable")
    return cast(Repli, remplir)


class RemplisseurLlm:
    """Remplisseur `llm` (protocole `fiche.remplissage.Remplisseur`)."""

    mode: Literal["regles", "llm"] = "llm"

    def __init__(
        self,
        reglages: Reglages | None = None,
        *,
        client: OpenAI | None = None,
        repli: Repli | None = None,
    ) -> None:
        self.reglages = reglages or reglages_courants()
        self._client = client
        self._repli = repli
        self.cache = CacheLlm(self.reglages.dossier_cache_llm) if self.reglages.llm_cache else None

    @property
    def client(self) -> OpenAI:
        if self._client is None:
            self._client = creer_client(self.reglages)
        return self._client

    def remplir(self, document: Document) -> Fiche:
        """La fiche du document ; ne lève pas : un échec du LLM donne la fiche des règles."""
        debut = time.perf_counter()
        alertes = detecter_instructions(document)
        if not self.reglages.llm_configure:
            cause = "LLM non configuré (DSP_LLM_BASE_URL et DSP_LLM_MODEL)"
            return self.repli(document, cause, debut, alertes)
        jetons = Jetons()
        try:
            reponse = self.interroger(document, jetons)
        except LlmError as erreur:
            return self.repli(document, erreur.message, debut, alertes)
        production = Production(
            mode="llm",
            modele=self.reglages.llm_model,
            version=VERSION_PROMPT,
            date=maintenant(),
            jetons_entree=jetons.entree,
            jetons_sortie=jetons.sortie,
            duree_s=0.0,
        )
        fiche = vers_fiche(reponse, document, production)
        fiche.anomalies.extend(alertes)
        fiche.production.duree_s = round(time.perf_counter() - debut, 3)
        self._journaliser(document, jetons, fiche.production.duree_s)
        return fiche

    def interroger(self, document: Document, jetons: Jetons) -> FicheLlm:
        """Tous les morceaux du document interrogés (ou relus du cache), puis fusionnés."""
        pseudonymes = None
        if self.reglages.pseudonymisation_active:
            pseudonymes = Pseudonymiseur.pour_textes([ligne.texte for ligne in document.lignes()])
        masque = pseudonymes.masquer if pseudonymes else sans_masque
        morceaux = preparer_morceaux(document, self.reglages.llm_max_jetons_prompt, masque)
        if not morceaux:
            raise LlmError("Le document n'a aucune page à transmettre au LLM")
        reponses = []
        for rang, morceau in enumerate(morceaux):
            jetons.estimes += morceau.jetons_estimes
            jetons.morceaux.append(morceau.pages)
            reponses.append(self._morceau(document, morceau, rang, pseudonymes, jetons))
        return fusionner(reponses)

    def _morceau(
        self,
        document: Document,
        morceau: Morceau,
        rang: int,
        pseudonymes: Pseudonymiseur | None,
        jetons: Jetons,
    ) -> FicheLlm:
        cle = cle_cache(
            modele=self.reglages.llm_model or "",
            version=VERSION_PROMPT,
            schema=empreinte_schema(),
            document=document.sha256,
            pages=morceau.pages,
            rang=rang,
            pseudonymise=pseudonymes is not None,
        )
        relue = self.cache.lire(cle) if self.cache else None
        if relue is not None:
            try:
                reponse = analyser(_completion(relue), pseudonymes)
            except ReponseNonConformeError:
                relue = None  # entrée périmée ou abîmée : on rappelle le LLM
            else:
                jetons.depuis_cache += 1
                jetons.ajouter(relue.jetons_entree, relue.jetons_sortie)
                return reponse
        reponse, brute = self._appeler(morceau.messages(), pseudonymes, jetons)
        if self.cache is not None:
            contexte = {"fichier": document.fichier, "pages": morceau.pages, "rang": rang}
            self.cache.ecrire(cle, brute, contexte)
        return reponse

    def _appeler(
        self, messages: list[Message], pseudonymes: Pseudonymiseur | None, jetons: Jetons
    ) -> tuple[FicheLlm, ReponseBrute]:
        """Un appel, et une seule relance si la réponse n'est pas exploitable."""
        appelant = AppelantLlm(self.client, self.reglages, format_reponse())
        for relance in (False, True):
            completion = appelant.appeler(messages)
            jetons.appels += 1
            jetons.ajouter(completion.jetons_entree, completion.jetons_sortie)
            if completion.refus:
                raise LlmError(f"Le modèle a refusé de répondre (« {completion.refus[:160]} »)")
            try:
                reponse = analyser(completion, pseudonymes)
            except ReponseNonConformeError as erreur:
                if relance:
                    raise LlmError(
                        f"Réponse du LLM non conforme après relance ({erreur})"
                    ) from erreur
                journal.warning("LLM : réponse non conforme, relance (%s)", erreur)
                correction = remplir_gabarit(gabarit("correction"), erreur=str(erreur))
                messages = [
                    *messages,
                    {"role": "assistant", "content": completion.contenu or ""},
                    {"role": "user", "content": correction},
                ]
                continue
            brute = ReponseBrute(
                contenu=completion.contenu or "",
                jetons_entree=completion.jetons_entree,
                jetons_sortie=completion.jetons_sortie,
            )
            return reponse, brute
        raise AssertionError("inatteignable : la boucle rend ou lève")

    def repli(self, document: Document, cause: str, debut: float, alertes: list[Anomalie]) -> Fiche:
        """La fiche des règles, marquée comme telle, avec la cause de l'abandon du LLM."""
        note = f"{cause} : fiche produite par les règles"
        journal.warning("%s : %s", document.fichier, note)
        try:
            remplir = self._repli or remplisseur_regles()
        except ImportError:
            production = Production(mode="regles", version="regles", date=maintenant(), duree_s=0)
            fiche = Fiche(source=source(document), production=production)
            note += " (remplisseur par règles indisponible : fiche vide)"
        else:
            fiche = remplir(document)
        deja = {(a.code, tuple(a.pages)) for a in fiche.anomalies}
        fiche.anomalies.extend(a for a in alertes if (a.code, tuple(a.pages)) not in deja)
        duree = round(time.perf_counter() - debut, 3)
        fiche.production = fiche.production.model_copy(
            update={"mode": "regles", "modele": None, "note": note, "duree_s": duree}
        )
        return fiche

    def _journaliser(self, document: Document, jetons: Jetons, duree: float) -> None:
        journal.info(
            "Fiche LLM %s : %s jetons en entrée, %s en sortie (estimés %d), %d appel(s), "
            "%d morceau(x) relu(s) du cache, pages %s, %.1f s",
            document.fichier,
            jetons.entree,
            jetons.sortie,
            jetons.estimes,
            jetons.appels,
            jetons.depuis_cache,
            jetons.morceaux,
            duree,
        )


def _completion(brute: ReponseBrute) -> Completion:
    return Completion(
        contenu=brute.contenu,
        refus=None,
        fin="stop",
        jetons_entree=brute.jetons_entree,
        jetons_sortie=brute.jetons_sortie,
    )
