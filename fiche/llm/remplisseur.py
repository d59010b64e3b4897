"""`RemplisseurLlm` : la fiche par un LLM, avec repli sur les règles quand il fait défaut.

Déroulé pour un rapport :
1. repérage des textes adressés à une IA (`fiche.injection`), signalés dans tous les cas ;
2. contexte du modèle (réglage ou `/v1/models`), d'où le plafond de la réponse
   (`max_tokens`, borné aussi par le schéma) et le budget de l'invite ;
3. pseudonymisation facultative, choix des pages, découpage en morceaux tenant dans ce
   budget ;
4. pour chaque morceau : cache disque, sinon appel (réessais tenacity) ; une réponse
   tronquée fait **réduire la tâche** (le morceau est recoupé en morceaux deux fois plus
   petits, jamais renvoyé avec la réponse coupée) ; une réponse vide, invalide ou hors
   schéma a droite à une relance qui cite l'erreur ;
5. fusion des morceaux, conversion en `Fiche` (provenance calculée par notre code) ;
6. sur échec définitif (réseau, quota, refus, délai, deux réponses non conformes) : fiche
   des règles, `production.mode = "regles"`, la cause en français dans `production.note`,
   et toujours le modèle et les jetons dépensés (`production.modele`, `jetons_*`).
Les réponses rejetées restent dans `self.jetons.rejetees` pour le fichier de diagnostic.
Modèle au contexte court (≤ 8 192 jetons) : petits appels par section à la place des
étapes 3 à 5 (`fiche.llm.par_sections`).
"""

from __future__ import annotations

import importlib
import logging
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, cast

from extracteurs.modeles import Document
from fiche.injection import detecter_instructions
from fiche.llm.analyse import ReponseNonConformeError, analyser
from fiche.llm.cache import CacheLlm, ReponseBrute, cle_cache
from fiche.llm.client import AppelantLlm, Completion, contexte_du_modele, creer_client
from fiche.llm.compte import Jetons, appeler_en_comptant
from fiche.llm.conversion import fusionner, maintenant, source, vers_fiche
from fiche.llm.invites import (
    VERSION_PROMPT,
    Message,
    Morceau,
    cout_fixe,
    gabarit,
    preparer_morceaux,
    remplir_gabarit,
)
from fiche.llm.par_sections import VERSION_SECTIONS, LecteurSections, par_sections
from fiche.llm.pseudonymes import Pseudonymiseur, sans_masque
from fiche.llm.schema import FicheLlm, borne_sortie, empreinte_schema, format_reponse, schema_strict
from fiche.modeles import Anomalie, Fiche, Production
from fiche.reconciliation import reconcilier_choix
from socle.erreurs import LlmError
from socle.reglages import Reglages
from socle.reglages import reglages as reglages_courants

if TYPE_CHECKING:
    from openai import OpenAI

journal = logging.getLogger(__name__)
Repli = Callable[[Document], Fiche]
# Marge d'erreur de l'estimation des jetons d'entrée (3,5 caractères par jeton) face au
# tokeniseur réel d'un petit modèle, qui découpe le français plus finement.
MARGE_ESTIMATION = 1.25
# En dessous, une réponse n'a pas la place d'une identification : inutile d'appeler.
MIN_JETONS_SORTIE = 256


class ReponseTronqueeError(LlmError):
    """La réponse a atteint `max_tokens` : la tâche doit être réduite, pas répétée."""


def plafond_sortie(reglages: Reglages, contexte: int | None) -> int:
    """`max_tokens` : le réglage, sinon la plus longue réponse valide ; au plus la moitié
    d'un contexte connu (l'autre moitié est pour l'invite)."""
    plafond = reglages.llm_max_jetons_sortie or borne_sortie(schema_strict())
    return min(plafond, contexte // 2) if contexte else plafond


def budget_invite(reglages: Reglages, contexte: int | None, sortie: int) -> int:
    """Jetons estimés permis à l'invite : le réglage, rabattu pour tenir dans le contexte."""
    if contexte is None:
        return reglages.llm_max_jetons_prompt
    place = math.floor((contexte - sortie) / MARGE_ESTIMATION)
    if place < cout_fixe() + 300:
        raise LlmError(
            f"Contexte du modèle trop petit ({contexte} jetons) pour les consignes et une "
            "page : choisir un modèle au contexte d'au moins 8 192 jetons"
        )
    return min(reglages.llm_max_jetons_prompt, place)


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
        self.jetons = Jetons()  # ceux du dernier rapport rempli (diagnostic)
        self._contexte: tuple[int | None] | None = None

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
        jetons = self.jetons = Jetons()
        contexte = self.contexte()
        if par_sections(contexte):
            assert contexte is not None
            return self._par_sections(document, contexte, debut, alertes)
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

    def _par_sections(
        self, document: Document, contexte: int, debut: float, alertes: list[Anomalie]
    ) -> Fiche:
        """Petits appels par section, choix relus et réconciliés avec les règles
        (`fiche.llm.par_sections`) ; repli si le point d'accès fait défaut ou si aucune
        section n'a rendu de réponse exploitable."""
        try:
            regles = (self._repli or remplisseur_regles())(document)
        except ImportError:
            return self.repli(document, "remplisseur par règles indisponible", debut, alertes)
        lecteur = LecteurSections(self.client, self.reglages, contexte, self.cache)
        try:
            bilan = lecteur.lire(document, regles, self.jetons)
        except LlmError as erreur:
            return self.repli(document, erreur.message, debut, alertes, regles)
        if not bilan.choix and len(bilan.rejets) == bilan.sections:
            cause = "Aucune section exploitable (" + " ; ".join(bilan.rejets) + ")"
            if not bilan.sections:
                cause = "Aucun candidat des règles à soumettre au modèle"
            return self.repli(document, cause, debut, alertes, regles)
        fiche = reconcilier_choix(regles, bilan.lectures())
        note = "réponses rejetées, sections laissées aux règles : " + " ; ".join(bilan.rejets)
        fiche.production = Production(
            mode="llm",
            modele=self.reglages.llm_model,
            version=VERSION_SECTIONS,
            date=maintenant(),
            jetons_entree=self.jetons.entree,
            jetons_sortie=self.jetons.sortie,
            duree_s=round(time.perf_counter() - debut, 3),
            note=note if bilan.rejets else None,
        )
        deja = {(a.code, tuple(a.pages)) for a in fiche.anomalies}
        fiche.anomalies.extend(a for a in alertes if (a.code, tuple(a.pages)) not in deja)
        self._journaliser(document, self.jetons, fiche.production.duree_s)
        return fiche

    def interroger(self, document: Document, jetons: Jetons) -> FicheLlm:
        """Tous les morceaux du document interrogés (ou relus du cache), puis fusionnés."""
        pseudonymes = None
        if self.reglages.pseudonymisation_active:
            pseudonymes = Pseudonymiseur.pour_textes([ligne.texte for ligne in document.lignes()])
        masque = pseudonymes.masquer if pseudonymes else sans_masque
        contexte = self.contexte()
        budget = budget_invite(self.reglages, contexte, plafond_sortie(self.reglages, contexte))
        morceaux = preparer_morceaux(document, budget, masque)
        if not morceaux:
            raise LlmError("Le document n'a aucune page à transmettre au LLM")
        reponses = [
            self._morceau(document, morceau, rang, pseudonymes, jetons)
            for rang, morceau in enumerate(morceaux)
        ]
        return fusionner(reponses)

    def contexte(self) -> int | None:
        """Le contexte du modèle, lu une fois par remplisseur (réglage ou `/v1/models`)."""
        if self._contexte is None:
            self._contexte = (contexte_du_modele(self.client, self.reglages),)
        return self._contexte[0]

    def max_tokens(self, morceau: Morceau) -> int:
        """Le plafond de la réponse à ce morceau : ce que le contexte laisse après l'invite."""
        contexte = self.contexte()
        plafond = plafond_sortie(self.reglages, contexte)
        if contexte is None:
            return plafond
        reste = contexte - math.ceil(morceau.jetons_estimes * MARGE_ESTIMATION)
        if reste < min(plafond, MIN_JETONS_SORTIE):
            raise LlmError(
                f"L'invite ne laisse que {reste} jetons de réponse dans le contexte du modèle "
                f"({contexte} jetons) : réduire DSP_LLM_MAX_JETONS_PROMPT"
            )
        return min(plafond, reste)

    def _reduire(
        self, document: Document, morceau: Morceau, pseudonymes: Pseudonymiseur | None
    ) -> list[Morceau]:
        """Le morceau recoupé deux fois plus petit ; vide quand il ne peut plus l'être."""
        masque = pseudonymes.masquer if pseudonymes else sans_masque
        fixe = cout_fixe()
        budget = fixe + (min(morceau.budget, morceau.jetons_estimes) - fixe) // 2
        if budget - fixe < 300:
            return []
        plus_petits = preparer_morceaux(document, budget, masque, pages=morceau.pages)
        return plus_petits if len(plus_petits) > 1 else []

    def _morceau(
        self,
        document: Document,
        morceau: Morceau,
        rang: int,
        pseudonymes: Pseudonymiseur | None,
        jetons: Jetons,
    ) -> FicheLlm:
        jetons.estimes += morceau.jetons_estimes
        jetons.morceaux.append(morceau.pages)
        cle = cle_cache(
            modele=self.reglages.llm_model or "",
            version=VERSION_PROMPT,
            schema=empreinte_schema(),
            document=document.sha256,
            pages=morceau.pages,
            rang=rang,
            pseudonymise=pseudonymes is not None,
            budget=morceau.budget,
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
        try:
            reponse, brute = self._appeler(morceau, pseudonymes, jetons)
        except ReponseTronqueeError as erreur:
            plus_petits = self._reduire(document, morceau, pseudonymes)
            if not plus_petits:
                raise LlmError(
                    f"Réponse du LLM tronquée, tâche irréductible ({erreur})"
                ) from erreur
            journal.warning(
                "LLM : réponse tronquée, pages %s recoupées en %d morceaux",
                morceau.pages,
                len(plus_petits),
            )
            return fusionner(
                [self._morceau(document, m, rang, pseudonymes, jetons) for m in plus_petits]
            )
        if self.cache is not None:
            contexte = {"fichier": document.fichier, "pages": morceau.pages, "rang": rang}
            self.cache.ecrire(cle, brute, contexte)
        return reponse

    def _appeler(
        self, morceau: Morceau, pseudonymes: Pseudonymiseur | None, jetons: Jetons
    ) -> tuple[FicheLlm, ReponseBrute]:
        """Un appel, et une seule relance si la réponse n'est pas exploitable ; une réponse
        tronquée n'est pas relancée ici (`ReponseTronqueeError` : la tâche sera réduite)."""
        max_tokens = self.max_tokens(morceau)
        appelant = AppelantLlm(self.client, self.reglages, format_reponse(), max_tokens)
        messages: list[Message] = morceau.messages()
        for relance in (False, True):
            completion = appeler_en_comptant(appelant, messages, jetons)
            try:
                reponse = analyser(completion, pseudonymes)
            except ReponseNonConformeError as erreur:
                jetons.rejeter(completion, morceau.pages, str(erreur), max_tokens)
                if completion.fin == "length":
                    raise ReponseTronqueeError(str(erreur)) from erreur
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

    def repli(
        self,
        document: Document,
        cause: str,
        debut: float,
        alertes: list[Anomalie],
        regles: Fiche | None = None,
    ) -> Fiche:
        """La fiche des règles (`regles` si elle est déjà faite), marquée comme telle,
        avec la cause de l'abandon du LLM."""
        note = f"{cause} : fiche produite par les règles"
        journal.warning("%s : %s", document.fichier, note)
        try:
            remplir = (
                (lambda _: regles) if regles is not None else self._repli or remplisseur_regles()
            )
        except ImportError:
            production = Production(mode="regles", version="regles", date=maintenant(), duree_s=0)
            fiche = Fiche(source=source(document), production=production)
            note += " (remplisseur par règles indisponible : fiche vide)"
        else:
            fiche = remplir(document)
        deja = {(a.code, tuple(a.pages)) for a in fiche.anomalies}
        fiche.anomalies.extend(a for a in alertes if (a.code, tuple(a.pages)) not in deja)
        duree = round(time.perf_counter() - debut, 3)
        # Ce que la tentative a coûté reste sur la fiche (modèle nul s'il n'a pas été appelé).
        appele = self.jetons.appels > 0
        if appele:
            note += f" ({self.jetons.appels} appel(s) au LLM)"
        fiche.production = fiche.production.model_copy(
            update={
                "mode": "regles",
                "modele": self.reglages.llm_model if appele else None,
                "jetons_entree": self.jetons.entree,
                "jetons_sortie": self.jetons.sortie,
                "note": note,
                "duree_s": duree,
            }
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


def _deja(fiche: Fiche) -> Repli:
    return lambda _: fiche


def _completion(brute: ReponseBrute) -> Completion:
    return Completion(
        contenu=brute.contenu,
        refus=None,
        fin="stop",
        jetons_entree=brute.jetons_entree,
        jetons_sortie=brute.jetons_sortie,
    )
