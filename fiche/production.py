"""Production d'une fiche : choix du remplisseur, ancrage, réconciliation, signalements.

`auto` : LLM si un point d'accès est configuré (`DSP_LLM_BASE_URL`, `DSP_LLM_MODEL`), sinon
règles ; avec un LLM, les règles tournent aussi et les divergences deviennent DESACCORD.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from extracteurs.modeles import Document
from fiche.ancrage import ancrer
from fiche.confiance import evaluer_confiance
from fiche.injection import detecter_instructions
from fiche.modeles import Fiche
from fiche.reconciliation import reconcilier
from fiche.remplissage import Mode
from fiche.sobriete import chiffrer
from socle.erreurs import ConfigurationError
from socle.reglages import Reglages
from socle.sobriete import temps_cpu_fil

if TYPE_CHECKING:
    from fiche.llm import RemplisseurLlm

ModeEffectif = Literal["regles", "llm"]


def mode_effectif(mode: Mode, reglages: Reglages) -> ModeEffectif:
    if mode == "llm" and not reglages.llm_configure:
        raise ConfigurationError(
            "Mode LLM demandé mais aucun LLM n'est configuré : renseignez DSP_LLM_BASE_URL "
            "et DSP_LLM_MODEL (voir .env.example)."
        )
    if mode == "auto":
        return "llm" if reglages.llm_configure else "regles"
    return mode


def _par_regles(document: Document) -> Fiche:
    from fiche.regles import remplir_par_regles

    return ancrer(remplir_par_regles(document), document)


def produire_fiche(
    document: Document, mode: Mode, reglages: Reglages, diagnostic: Path | None = None
) -> Fiche:
    """La fiche ancrée d'un document, avec les signalements propres au remplissage, et
    l'énergie dépensée pour la produire (lecture comprise).

    `diagnostic` : où écrire (JSON) les réponses du LLM rejetées, s'il y en a eu — le
    chemin est alors cité dans `production.note`."""
    debut_cpu = temps_cpu_fil()
    fiche = _produire(document, mode, reglages, diagnostic)
    cpu_s = document.cpu_s + temps_cpu_fil() - debut_cpu
    fiche.production = chiffrer(fiche.production, cpu_s, reglages)
    return fiche


def _produire(document: Document, mode: Mode, reglages: Reglages, diagnostic: Path | None) -> Fiche:
    effectif = mode_effectif(mode, reglages)
    if effectif == "regles":
        fiche = _par_regles(document)
    else:
        from fiche.llm import RemplisseurLlm

        remplisseur = RemplisseurLlm(reglages)
        fiche = ancrer(remplisseur.remplir(document), document)
        if diagnostic is not None and remplisseur.jetons.rejetees:
            _ecrire_diagnostic(fiche, document, remplisseur, diagnostic)
        if mode == "auto" and fiche.production.mode == "llm":
            fiche = reconcilier(fiche, _par_regles(document))
        _typer(fiche, document)
        # Pas en mode règles : `remplir_par_regles` les a déjà signalés, et la recherche
        # normalise chaque ligne du rapport (une seule fois suffit).
        _signaler_instructions(fiche, document)
    return evaluer_confiance(fiche, document)


def _ecrire_diagnostic(
    fiche: Fiche, document: Document, remplisseur: RemplisseurLlm, cible: Path
) -> None:
    from fiche.llm.compte import diagnostic, texte_diagnostic
    from socle.fichiers import ecrire_atomique

    contenu = diagnostic(
        document, remplisseur.jetons, remplisseur.reglages.llm_model, fiche.production.note
    )
    ecrire_atomique(cible, texte_diagnostic(contenu))
    nombre = len(remplisseur.jetons.rejetees)
    fiche.production.note = (
        f"{fiche.production.note + ' ; ' if fiche.production.note else ''}"
        f"{nombre} réponse(s) du LLM rejetée(s), gardées dans {cible.name}"
    )


def _typer(fiche: Fiche, document: Document) -> None:
    """Le type du document se décide sur ses preuves, quel que soit le remplisseur : les
    contrôles propres au RAD en dépendent."""
    from fiche.regles.remplisseur import typer

    lu, _ = typer(document)
    fiche.source.type_document = lu.valeur
    fiche.source.type_page, fiche.source.type_citation = lu.page, lu.citation


def _signaler_instructions(fiche: Fiche, document: Document) -> None:
    """INSTRUCTIONS_SUSPECTES dans tous les modes, sans doublon si un remplisseur l'a déjà mis."""
    deja = {(a.code, tuple(a.pages)) for a in fiche.anomalies}
    for anomalie in detecter_instructions(document):
        if (anomalie.code, tuple(anomalie.pages)) not in deja:
            fiche.anomalies.append(anomalie)
