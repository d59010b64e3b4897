"""Le remplisseur par règles : déterministe, sans réseau, chaque valeur avec page et citation.

C'est le mode par défaut et le mode de continuité quand aucun LLM n'est configuré ; ses
valeurs servent aussi de contre-lecture des valeurs du LLM (contrôle DESACCORD).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Literal

from extracteurs.modeles import Document
from fiche.injection import detecter_instructions
from fiche.modeles import (
    TYPES_DU_DELEGATAIRE,
    Champ,
    ElementConformite,
    Fiche,
    Financier,
    Production,
    Source,
    UniteSource,
)
from fiche.regles.activite import activite_et_tarifs
from fiche.regles.care import Care, care_certain, trouver_care
from fiche.regles.champs import champ_exact
from fiche.regles.identification import identifier
from fiche.regles.investissements import investissements, tableau_investissements
from fiche.regles.postes import lignes_care, postes_care
from fiche.regles.sections import CONFORMITE_RPQS, conformite, faits_marquants
from fiche.regles.sispea import indicateurs_sispea
from fiche.regles.tableaux import colonnes_annees
from fiche.regles.type_document import TypeLu, type_document

VERSION = "regles/1"


def _annees_care(care: Care | None, exercice: int | None) -> list[tuple[int, int, str]]:
    """(année, page, texte d'en-tête) des colonnes du CARE : repli pour l'exercice."""
    if care is None:
        return []
    tableau = care.tableaux[0]
    page = tableau.pages[0]
    return [
        (annee, page, tableau.colonnes[k].entete or str(annee))
        for k, annee in colonnes_annees(tableau, exercice).items()
    ]


def _exercice_de_repli(annees: list[tuple[int, int, str]]) -> Champ[int]:
    if not annees:
        return Champ[int]()
    annee, page, texte = max(annees)
    return champ_exact(annee, page, texte)


def _financier(
    document: Document, care: Care | None, exercice: int | None, rapport: bool
) -> Financier:
    """Postes du délégataire ; hors d'un RAD (RPQS, autre), les tableaux de travaux et de
    dette sont ceux de la collectivité : ils ne remplissent pas `investissements`."""
    financier = Financier()
    if care is not None:
        financier.unite_source = UniteSource(care.unite)
        financier.postes = postes_care(care)
        financier.lignes = lignes_care(care)
    if not rapport:
        return financier
    exclus = care.tableaux if care else []
    investis = investissements(document, exercice, exclus, care.unite if care else None)
    if investis:
        financier.postes["investissements"] = investis
    return financier


def _conformite(
    document: Document, page_care: int | None, genre: str
) -> dict[str, ElementConformite]:
    """Contenu obligatoire du type de document : R.3131-3/-4 pour un RAD, D.2224-1 à -5
    pour un RPQS (la complétude R.3131 n'est contrôlée que sur un RAD)."""
    if genre == "rpqs":
        return conformite(document, None, CONFORMITE_RPQS, texte_suffit=True)
    return conformite(document, page_care)


def typer(document: Document) -> tuple[TypeLu, Care | None]:
    """Le type du document et le CARE lu pour l'exercice probable (qui en est une preuve)."""
    care = trouver_care(document, document.exercice_probable)
    return type_document(document, care is not None), care


def _care_retenu(
    document: Document, exercice: int | None, type_lu: TypeLu, care_probable: Care | None
) -> Care | None:
    """Le CARE du délégataire ; hors d'un RAD ou d'un CARE, seulement s'il est certain.
    Celui de l'exercice probable, déjà lu pour le type, est repris s'il s'agit du même."""
    meme = exercice == document.exercice_probable
    care = care_probable if meme else trouver_care(document, exercice)
    if care is None or type_lu.valeur in TYPES_DU_DELEGATAIRE:
        return care
    return care if care_certain(document, care, exercice) else None


def remplir_par_regles(document: Document) -> Fiche:
    """La fiche d'un rapport, remplie par les seules règles (aucune valeur devinée)."""
    debut = time.perf_counter()
    type_lu, care_probable = typer(document)
    identification = identifier(document, type_lu)
    exercice = document.exercice_probable or identification.exercice.valeur
    care = _care_retenu(document, exercice, type_lu, care_probable)
    if identification.exercice.valeur is None:
        identification.exercice = _exercice_de_repli(_annees_care(care, exercice))
        exercice = exercice or identification.exercice.valeur
    rapport = type_lu.valeur in TYPES_DU_DELEGATAIRE
    financier = _financier(document, care, exercice, rapport)
    exclus = list(care.tableaux) if care else []
    investis = tableau_investissements(document, exercice, exclus)
    if investis is not None:
        exclus.append(investis)
    activite, tarifs = activite_et_tarifs(document, exercice, exclus)
    page_care = care.tableaux[0].pages[0] if care else None
    return Fiche(
        source=Source(
            fichier=document.fichier,
            sha256=document.sha256,
            pages=len(document.pages),
            scanne=document.scanne,
            type_document=type_lu.valeur,
            type_page=type_lu.page,
            type_citation=type_lu.citation,
        ),
        identification=identification,
        financier=financier,
        activite=activite,
        tarifs=tarifs,
        faits_marquants=faits_marquants(document),
        conformite=_conformite(document, page_care, type_lu.valeur),
        indicateurs_sispea=indicateurs_sispea(document, exercice),
        anomalies=detecter_instructions(document),
        production=Production(
            mode="regles",
            modele=None,
            version=VERSION,
            date=datetime.now(UTC),
            duree_s=round(time.perf_counter() - debut, 3),
        ),
    )


class RemplisseurRegles:
    """`fiche.remplissage.Remplisseur` par règles."""

    mode: Literal["regles", "llm"] = "regles"

    def remplir(self, document: Document) -> Fiche:
        return remplir_par_regles(document)
