"""Réconciliation LLM / règles (mode `auto` avec un LLM) : contrôle DESACCORD.

Catalogue `controles.md` : quand le LLM et l'extraction par règles donnent des valeurs
différentes pour un même champ, les deux sont gardées (la valeur retenue dans la fiche,
l'autre dans le message) et l'agent tranche. Une valeur du LLM introuvable dans la
source (`absent`) cède la place à celle des règles si celle-ci est ancrée.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fiche.evaluation import CHAMPS_IDENTIFICATION, valeurs_egales
from fiche.modeles import Ancrage, Anomalie, Champ, Fiche, Gravite

CODE = "DESACCORD"
REGLE = "Double lecture LLM / règles : les deux valeurs sont gardées, l'agent décide"
CODE_CHOIX = "LECTURES_DIVERGENTES"
REGLE_CHOIX = (
    "Double lecture par petits appels : le modèle a désigné une autre ligne que les règles ; "
    "sa lecture est reportée, l'agent décide (docs/llm_par_sections.md)"
)
Chemin = tuple[str, ...]


def _texte(champ: Champ[Any]) -> str:
    valeur = champ.valeur
    if isinstance(valeur, float):
        valeur = f"{valeur:,.2f}".replace(",", "\u202f").replace(".", ",").replace(",00", "")
    page = f" (page {champ.page})" if champ.page else ""
    return f"« {valeur} »{page}"


def _paires(llm: Fiche, regles: Fiche) -> list[tuple[str, Champ[Any], Champ[Any]]]:
    paires: list[tuple[str, Champ[Any], Champ[Any]]] = [
        (
            f"identification.{nom}",
            getattr(llm.identification, nom),
            getattr(regles.identification, nom),
        )
        for nom in CHAMPS_IDENTIFICATION
    ]
    for poste, valeurs in regles.financier.postes.items():
        for annee, champ in valeurs.items():
            cible = llm.financier.postes.setdefault(poste, {})
            paires.append(
                (
                    f"financier.postes.{poste}.{annee}",
                    cible.setdefault(annee, Champ[float]()),
                    champ,
                )
            )
    return paires


def reconcilier(llm: Fiche, regles: Fiche) -> Fiche:
    """Fiche du LLM complétée par les règles, avec une anomalie DESACCORD par divergence.

    Les deux fiches doivent être déjà ancrées (`fiche.ancrage.ancrer`).
    """
    signales = {c for a in llm.anomalies if a.code == CODE_CHOIX for c in a.champs}
    for chemin, ch_llm, ch_regles in _paires(llm, regles):
        if ch_regles.valeur is None or chemin in signales:
            continue
        if ch_llm.valeur is None:
            _copier(ch_regles, ch_llm)
            continue
        if valeurs_egales(ch_llm.valeur, ch_regles.valeur):
            continue
        llm_retenu = not (ch_llm.ancrage == Ancrage.ABSENT and ch_regles.ancrage != Ancrage.ABSENT)
        autre = ch_regles if llm_retenu else ch_llm.model_copy()
        if not llm_retenu:
            _copier(ch_regles, ch_llm)
        llm.anomalies.append(_anomalie(chemin, ch_llm, autre, llm_retenu))
    # Le LLM ne lit pas les indicateurs SISPEA : ceux des règles sont repris tels quels.
    llm.indicateurs_sispea = {**regles.indicateurs_sispea, **llm.indicateurs_sispea}
    return llm


def _copier(source: Champ[Any], cible: Champ[Any]) -> None:
    for nom in type(source).model_fields:
        setattr(cible, nom, getattr(source, nom))


def _anomalie(chemin: str, retenu: Champ[Any], autre: Champ[Any], llm_retenu: bool) -> Anomalie:
    lecteurs = ("le LLM", "l'extraction par règles")
    lectures = [(lecteurs[0], retenu), (lecteurs[1], autre)]
    if not llm_retenu:
        lectures = [(lecteurs[1], retenu), (lecteurs[0], autre)]
    return _signalement(CODE, Gravite.ALERTE, REGLE, chemin, lectures, "La première")


def _signalement(
    code: str,
    gravite: Gravite,
    regle: str,
    chemin: str,
    lectures: list[tuple[str, Champ[Any]]],
    reportee: str,
) -> Anomalie:
    """Les deux lectures d'un champ, avec leurs pages, et celle que la fiche reporte."""
    (qui, retenu), (autre_lecteur, autre) = lectures
    return Anomalie(
        code=code,
        gravite=gravite,
        message=(
            f"Deux lectures divergent pour {chemin} : {qui} lit {_texte(retenu)}, "
            f"{autre_lecteur} lit {_texte(autre)}. {reportee} est reportée dans la fiche ; "
            "vérifiez sur la source et corrigez si besoin."
        ),
        champs=[chemin],
        pages=sorted({p for p in (retenu.page, autre.page) if p}),
        regle=regle,
    )


# --- Petits appels par section (`fiche.llm.par_sections`) ------------------------------


def lire_champ(fiche: Fiche, chemin: Chemin) -> Champ[Any] | None:
    """Le champ d'un chemin (« identification », nom), (« financier », « postes », poste,
    année) ou (« indicateurs_sispea », code) ; None s'il n'existe pas encore."""
    match chemin:
        case ("identification", nom):
            return getattr(fiche.identification, nom)  # type: ignore[no-any-return]
        case ("financier", "postes", poste, annee):
            return fiche.financier.postes.get(poste, {}).get(annee)
        case ("indicateurs_sispea", code):
            return fiche.indicateurs_sispea.get(code)
    raise ValueError(f"chemin de champ inconnu : {chemin}")


def poser_champ(fiche: Fiche, chemin: Chemin, champ: Champ[Any]) -> None:
    match chemin:
        case ("identification", nom):
            setattr(fiche.identification, nom, champ)
        case ("financier", "postes", poste, annee):
            fiche.financier.postes.setdefault(poste, {})[annee] = champ
        case ("indicateurs_sispea", code):
            fiche.indicateurs_sispea[code] = champ
        case _:
            raise ValueError(f"chemin de champ inconnu : {chemin}")


def reconcilier_choix(regles: Fiche, lectures: Iterable[tuple[Chemin, Champ[Any]]]) -> Fiche:
    """La fiche des règles, champ par champ complétée ou corrigée par les lectures des
    lignes que le modèle a désignées.

    - même valeur que les règles : le champ des règles reste (deux lectures concordent) ;
    - champ vide chez les règles : la lecture du modèle le remplit (`origine = llm`) ;
    - valeurs différentes : la lecture du modèle est reportée (`origine = llm`, confiance
      réduite par `fiche.confiance`) et une anomalie d'information cite les deux lectures
      et leurs pages : jamais tranché en silence.
    """
    fiche = regles.model_copy(deep=True)
    for chemin, lue in lectures:
        actuel = lire_champ(fiche, chemin)
        if actuel is not None and actuel.valeur is not None:
            if valeurs_egales(actuel.valeur, lue.valeur):
                continue
            fiche.anomalies.append(_divergence(".".join(chemin), lue, actuel))
        poser_champ(fiche, chemin, lue.model_copy())
    return fiche


def _divergence(chemin: str, lue: Champ[Any], regles: Champ[Any]) -> Anomalie:
    lectures = [("le modèle de langue", lue), ("l'extraction par règles", regles)]
    return _signalement(
        CODE_CHOIX, Gravite.INFO, REGLE_CHOIX, chemin, lectures, "La lecture du modèle"
    )
