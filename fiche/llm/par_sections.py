"""Le travail découpé pour un petit modèle : un petit appel par section.

Pour un modèle au contexte court (au plus `CONTEXTE_PETIT` jetons, lu sur `/v1/models`
ou réglé par `DSP_LLM_CONTEXTE_JETONS`), la fiche entière ne tient pas dans une invite :
les règles remplissent la fiche, puis trouvent pour chaque section les lignes candidates
(`fiche.llm.candidats`, `candidats_sispea`), et le modèle désigne parmi elles :
- identification : d'après les premières pages seulement ;
- chaque tableau du CARE, séparément : la rangée de chaque poste ;
- les indicateurs SISPEA : la ligne de chaque code (en plusieurs appels si besoin).
Chaque appel a son schéma (identifiants candidats en `enum`) et son `max_tokens` tiré de
ce schéma ; l'invite est rabattue au contexte. La valeur reportée est toujours relue dans
le document à partir de l'identifiant choisi. Une réponse rejetée (identifiant inventé,
JSON invalide, tronquée) laisse sa section aux règles et reste dans le diagnostic ; une
panne du point d'accès (réseau, quota, refus, délai) fait replier toute la fiche.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from extracteurs.modeles import Document
from fiche.llm.analyse import ReponseNonConformeError
from fiche.llm.cache import CacheLlm, ReponseBrute, cle_cache
from fiche.llm.candidats import (
    Chemin,
    Question,
    Section,
    estimer,
    section_identification,
    sections_care,
)
from fiche.llm.candidats_sispea import sections_sispea
from fiche.llm.client import AppelantLlm, Completion
from fiche.llm.compte import Jetons, appeler_en_comptant
from fiche.llm.invites import Masque, gabarit
from fiche.llm.pseudonymes import Pseudonymiseur, sans_masque
from fiche.llm.schema import borne_sortie
from fiche.llm.sections import (
    empreinte_section,
    format_section,
    lire_choix,
    messages_section,
    schema_section,
)
from fiche.modeles import Champ, Fiche
from socle.reglages import Reglages

if TYPE_CHECKING:
    from openai import OpenAI

CONTEXTE_PETIT = 8192
VERSION_SECTIONS = "sections-v1"
# Estimation des jetons (3,5 caractères) face au tokeniseur d'un petit modèle : marge.
MARGE_ESTIMATION = 1.25
# Part de l'invite hors texte de la section : gabarit et liste des champs demandés.
RESERVE_QUESTIONS = 600


def par_sections(contexte: int | None) -> bool:
    """Le travail est découpé quand le contexte connu est celui d'un petit modèle."""
    return contexte is not None and contexte <= CONTEXTE_PETIT


@dataclass(frozen=True)
class Choix:
    section: str
    champ: str
    ident: str
    lecture: dict[Chemin, Champ[object]]


@dataclass
class Bilan:
    choix: list[Choix] = field(default_factory=list)
    rejets: list[str] = field(default_factory=list)
    sections: int = 0

    def lectures(self) -> list[tuple[Chemin, Champ[object]]]:
        return [(chemin, champ) for c in self.choix for chemin, champ in c.lecture.items()]


class LecteurSections:
    """Pose les questions de chaque section au modèle et rend les lignes choisies."""

    def __init__(
        self, client: OpenAI, reglages: Reglages, contexte: int, cache: CacheLlm | None
    ) -> None:
        self.client = client
        self.reglages = reglages
        self.contexte = contexte
        self.cache = cache

    def budget_texte(self) -> int:
        """Jetons estimés permis au texte d'une section (consignes et réponse déduites)."""
        sortie = self.reglages.llm_max_jetons_sortie or 256
        place = math.floor((self.contexte - min(sortie, self.contexte // 4)) / MARGE_ESTIMATION)
        fixe = estimer(gabarit("section_systeme")) + RESERVE_QUESTIONS
        return min(self.reglages.llm_max_jetons_prompt, place) - fixe

    def sections(self, document: Document, regles: Fiche) -> list[Section]:
        budget = self.budget_texte()
        identification = section_identification(document, regles, budget)
        return [
            *([identification] if identification else []),
            *sections_care(document, regles, budget),
            *sections_sispea(document, regles, budget),
        ]

    def lire(self, document: Document, regles: Fiche, jetons: Jetons) -> Bilan:
        """Lève `LlmError` si le point d'accès fait défaut (toute la fiche se replie)."""
        masque = sans_masque
        if self.reglages.pseudonymisation_active:
            textes = [ligne.texte for ligne in document.lignes()]
            masque = Pseudonymiseur.pour_textes(textes).masquer
        bilan = Bilan()
        for section in self.sections(document, regles):
            bilan.sections += 1
            jetons.morceaux.append(section.pages)
            try:
                choix = self._section(section, document, jetons, masque)
            except ReponseNonConformeError as erreur:
                bilan.rejets.append(f"{section.nom} : {erreur}")
                continue
            bilan.choix += [
                Choix(section.nom, champ, ident, _question(section, champ).candidats[ident])
                for champ, ident in choix.items()
            ]
        return bilan

    def max_tokens(self, section: Section, invite: int) -> int:
        plafond = borne_sortie(schema_section(section))
        if self.reglages.llm_max_jetons_sortie:
            plafond = min(plafond, self.reglages.llm_max_jetons_sortie)
        reste = self.contexte - math.ceil(invite * MARGE_ESTIMATION)
        if reste < min(plafond, 32):
            raise ReponseNonConformeError(
                f"invite trop longue pour le contexte du modèle ({self.contexte} jetons)"
            )
        return min(plafond, reste)

    def _section(
        self, section: Section, document: Document, jetons: Jetons, masque: Masque
    ) -> dict[str, str]:
        messages = messages_section(section, masque)
        invite = sum(estimer(m["content"]) for m in messages)
        jetons.estimes += invite
        max_tokens = self.max_tokens(section, invite)
        cle = cle_cache(
            modele=self.reglages.llm_model or "",
            version=VERSION_SECTIONS,
            schema=empreinte_section(section, messages),
            document=document.sha256,
            pages=section.pages,
            rang=0,
            pseudonymise=self.reglages.pseudonymisation_active,
        )
        relue = self.cache.lire(cle) if self.cache else None
        if relue is not None:
            try:
                choix = lire_choix(_completion(relue), section)
            except ReponseNonConformeError:
                pass  # entrée périmée : on rappelle le modèle
            else:
                jetons.depuis_cache += 1
                jetons.ajouter(relue.jetons_entree, relue.jetons_sortie)
                return choix
        appelant = AppelantLlm(self.client, self.reglages, format_section(section), max_tokens)
        completion = appeler_en_comptant(appelant, messages, jetons)
        try:
            choix = lire_choix(completion, section)
        except ReponseNonConformeError as erreur:
            jetons.rejeter(completion, section.pages, f"{section.nom} : {erreur}", max_tokens)
            raise
        if self.cache is not None:
            brute = ReponseBrute(
                completion.contenu or "", completion.jetons_entree, completion.jetons_sortie
            )
            self.cache.ecrire(cle, brute, {"fichier": document.fichier, "section": section.nom})
        return choix


def _question(section: Section, champ: str) -> Question:
    return next(q for q in section.questions if q.champ == champ)


def _completion(brute: ReponseBrute) -> Completion:
    return Completion(brute.contenu, None, "stop", brute.jetons_entree, brute.jetons_sortie)
