"""Production d'une fiche : choix du remplisseur, ancrage, réconciliation, signalements.

`auto` : LLM si un point d'accès est configuré (`DSP_LLM_BASE_URL`, `DSP_LLM_MODEL`), sinon
règles ; avec un LLM, les règles tournent aussi et les divergences deviennent DESACCORD.
"""

from __future__ import annotations

from typing import Literal

from extracteurs.modeles import Document
from fiche.ancrage import ancrer
from fiche.injection import detecter_instructions
from fiche.modeles import Fiche
from fiche.reconciliation import reconcilier
from fiche.remplissage import Mode
from fiche.sobriete import chiffrer
from socle.erreurs import ConfigurationError
from socle.reglages import Reglages
from socle.sobriete import temps_cpu_fil

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


def produire_fiche(document: Document, mode: Mode, reglages: Reglages) -> Fiche:
    """La fiche ancrée d'un document, avec les signalements propres au remplissage, et
    l'énergie dépensée pour la produire (lecture comprise)."""
    debut_cpu = temps_cpu_fil()
    fiche = _produire(document, mode, reglages)
    cpu_s = document.cpu_s + temps_cpu_fil() - debut_cpu
    fiche.production = chiffrer(fiche.production, cpu_s, reglages)
    return fiche


def _produire(document: Document, mode: Mode, reglages: Reglages) -> Fiche:
    effectif = mode_effectif(mode, reglages)
    if effectif == "regles":
        fiche = _par_regles(document)
    else:
        from fiche.llm import RemplisseurLlm

        fiche = ancrer(RemplisseurLlm(reglages).remplir(document), document)
        if mode == "auto" and fiche.production.mode == "llm":
            fiche = reconcilier(fiche, _par_regles(document))
        _typer(fiche, document)
    _signaler_instructions(fiche, document)
    return fiche


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
