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
from fiche.modeles import Champ, Fiche, Financier, Production, Source, UniteSource
from fiche.regles.activite import activite_et_tarifs
from fiche.regles.care import Care, trouver_care
from fiche.regles.champs import champ_exact
from fiche.regles.identification import identifier
from fiche.regles.investissements import investissements, tableau_investissements
from fiche.regles.postes import lignes_care, postes_care
from fiche.regles.sections import conformite, faits_marquants
from fiche.regles.sispea import indicateurs_sispea
from fiche.regles.tableaux import colonnes_annees

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


def _financier(document: Document, care: Care | None, exercice: int | None) -> Financier:
    financier = Financier()
    if care is not None:
        financier.unite_source = UniteSource(care.unite)
        financier.postes = postes_care(care)
        financier.lignes = lignes_care(care)
    exclus = care.tableaux if care else []
    investis = investissements(document, exercice, exclus, care.unite if care else None)
    if investis:
        financier.postes["investissements"] = investis
    return financier


def remplir_par_regles(document: Document) -> Fiche:
    """La fiche d'un rapport, remplie par les seules règles (aucune valeur devinée)."""
    debut = time.perf_counter()
    identification = identifier(document)
    exercice = document.exercice_probable or identification.exercice.valeur
    care = trouver_care(document, exercice)
    if identification.exercice.valeur is None:
        identification.exercice = _exercice_de_repli(_annees_care(care, exercice))
        exercice = exercice or identification.exercice.valeur
    financier = _financier(document, care, exercice)
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
        ),
        identification=identification,
        financier=financier,
        activite=activite,
        tarifs=tarifs,
        faits_marquants=faits_marquants(document),
        conformite=conformite(document, page_care),
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
