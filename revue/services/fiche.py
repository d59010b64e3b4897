"""La fiche telle que l'agent la lit : sections, libellés français, valeurs mises en forme,
provenance (page, citation, ancrage, origine) et chemin de chaque champ pour le corriger."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel

from controles import commun
from fiche.ancrage import champs_de
from fiche.modeles import Champ, Fiche, Indicateur, Secteur, TypeContrat
from fiche.regles.sispea.referentiel import referentiel
from publication.libelles import POSTES, SECTEURS, TYPES_CONTRAT

TypeSaisie = Literal["texte", "nombre", "entier", "date", "choix"]

IDENTIFICATION: dict[str, str] = {
    "collectivite": "Autorité délégante",
    "objet": "Objet du contrat",
    "secteur": "Secteur",
    "delegataire": "Délégataire",
    "type_contrat": "Type de contrat",
    "date_debut": "Début du contrat",
    "date_fin": "Fin du contrat",
    "exercice": "Exercice",
}

ANCRAGES = {
    "exact": "retrouvée telle quelle",
    "approche": "retrouvée après normalisation",
    "absent": "introuvable sur la page",
    "calcule": "calculée",
}
ORIGINES = {"llm": "IA", "regles": "règles", "agent": "agent"}


class LigneChamp(BaseModel):
    """Un champ de la fiche, prêt à afficher et à corriger."""

    chemin: str
    libelle: str
    valeur: str
    saisie: str
    """La valeur telle qu'on la retape (pré-remplit le formulaire de correction)."""
    type_saisie: TypeSaisie
    choix: list[tuple[str, str]] = []
    page: int | None
    citation: str | None
    ancrage: str
    origine: str


class Section(BaseModel):
    titre: str
    lignes: list[LigneChamp]
    repliee: bool = False


def type_saisie(champ: Champ[Any]) -> TypeSaisie:
    annotation = str(type(champ).model_fields["valeur"].annotation)
    for cle, genre in (
        ("Secteur", "choix"), ("TypeContrat", "choix"), ("date", "date"),
        ("int", "entier"), ("float", "nombre"),
    ):  # fmt: skip
        if cle in annotation:
            return genre  # type: ignore[return-value]
    return "texte"


def choix_de(chemin: str) -> list[tuple[str, str]]:
    if chemin == "identification.secteur":
        return [(s.value, SECTEURS[s]) for s in Secteur]
    if chemin == "identification.type_contrat":
        return [(t.value, TYPES_CONTRAT[t]) for t in TypeContrat]
    return []


def afficher(valeur: Any, *, euros: bool = False) -> str:
    """La valeur en français : montants « 1 284 560 € », dates longues, libellés."""
    if valeur is None:
        return "—"
    if isinstance(valeur, Secteur):
        return SECTEURS[valeur]
    if isinstance(valeur, TypeContrat):
        return TYPES_CONTRAT[valeur]
    if isinstance(valeur, date):
        return commun.date_longue(valeur)
    if isinstance(valeur, bool) or (isinstance(valeur, int) and not euros):
        return str(valeur)
    if isinstance(valeur, int | float):
        return commun.euros(valeur) if euros else commun.nombre_fr(valeur, 4)
    return str(valeur)


def saisie(valeur: Any) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, StrEnum):
        return valeur.value
    if isinstance(valeur, date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, float):
        return commun.nombre_fr(valeur, 4).replace("\u202f", " ")
    return str(valeur)


def ligne(chemin: str, libelle: str, champ: Champ[Any], *, euros: bool = False) -> LigneChamp:
    return LigneChamp(
        chemin=chemin,
        libelle=libelle,
        valeur=afficher(champ.valeur, euros=euros),
        saisie=saisie(champ.valeur),
        type_saisie=type_saisie(champ),
        choix=choix_de(chemin),
        page=champ.page,
        citation=champ.citation,
        ancrage=champ.ancrage.value,
        origine=champ.origine.value,
    )


def _identification(fiche: Fiche) -> Section:
    lignes = [
        ligne(f"identification.{nom}", libelle, getattr(fiche.identification, nom))
        for nom, libelle in IDENTIFICATION.items()
    ]
    return Section(titre="Identification", lignes=lignes)


def _postes(fiche: Fiche) -> Section:
    lignes = []
    for poste, valeurs in fiche.financier.postes.items():
        for annee in sorted(valeurs, reverse=True):
            libelle = f"{POSTES.get(poste, poste)} {annee}"
            chemin = f"financier.postes.{poste}.{annee}"
            lignes.append(ligne(chemin, libelle, valeurs[annee], euros=True))
    return Section(titre="Chiffres clés (en euros)", lignes=lignes)


def _mesures(titre: str, famille: str, liste: list[Indicateur], *, repliee: bool) -> Section:
    lignes = []
    for rang, indicateur in enumerate(liste):
        unite = f" ({indicateur.unite})" if indicateur.unite else ""
        for annee in sorted(indicateur.valeurs, reverse=True):
            libelle = f"{indicateur.libelle}{unite} {annee}"
            chemin = f"{famille}.{rang}.{annee}"
            lignes.append(ligne(chemin, libelle, indicateur.valeurs[annee]))
    return Section(titre=titre, lignes=lignes, repliee=repliee)


def _care(fiche: Fiche) -> Section:
    lignes = []
    for rang, ligne_care in enumerate(fiche.financier.lignes):
        for annee in sorted(ligne_care.valeurs, reverse=True):
            libelle = f"{ligne_care.libelle} {annee}"
            chemin = f"financier.lignes.{rang}.{annee}"
            lignes.append(ligne(chemin, libelle, ligne_care.valeurs[annee], euros=True))
    return Section(titre="Lignes du CARE telles que lues", lignes=lignes, repliee=True)


def _faits(fiche: Fiche) -> Section:
    lignes = [
        ligne(f"faits_marquants.{rang}", f"Fait marquant {rang + 1}", fait)
        for rang, fait in enumerate(fiche.faits_marquants)
    ]
    effectif = [
        ligne(f"activite.effectif_etp.{annee}", f"Effectif (ETP) {annee}", champ)
        for annee, champ in sorted(fiche.activite.effectif_etp.items(), reverse=True)
    ]
    return Section(titre="Effectif et faits marquants", lignes=effectif + lignes)


def _sispea(fiche: Fiche) -> Section:
    """Indicateurs SISPEA : code, libellé réglementaire, unité ; même source surlignée."""
    definitions = referentiel()
    lignes = []
    for code, champ in fiche.indicateurs_sispea.items():
        definition = definitions.get(code)
        libelle = f"{code} — {definition.libelle} ({definition.unite})" if definition else code
        lignes.append(ligne(f"indicateurs_sispea.{code}", libelle, champ))
    return Section(titre="Indicateurs SISPEA", lignes=lignes)


def sections(fiche: Fiche) -> list[Section]:
    """Les sections de la fiche dans l'ordre de lecture de l'agent."""
    toutes = [
        _identification(fiche),
        _postes(fiche),
        _mesures(
            "Indicateurs d'activité", "activite.indicateurs", fiche.activite.indicateurs,
            repliee=False,
        ),
        _mesures("Tarifs", "tarifs", fiche.tarifs, repliee=False),
        _sispea(fiche),
        _faits(fiche),
        _care(fiche),
    ]  # fmt: skip
    return [s for s in toutes if s.lignes]


def champ_de(fiche: Fiche, chemin: str) -> Champ[Any] | None:
    """Le champ désigné par son chemin (celui de `fiche.ancrage.champs_de`), ou None."""
    if chemin.startswith("indicateurs_sispea."):
        return fiche.indicateurs_sispea.get(chemin.removeprefix("indicateurs_sispea."))
    return next((c for p, c in champs_de(fiche) if p == chemin), None)


def ligne_de(fiche: Fiche, chemin: str) -> LigneChamp | None:
    """La ligne affichée d'un chemin (libellé compris)."""
    for section in sections(fiche):
        for ligne_champ in section.lignes:
            if ligne_champ.chemin == chemin:
                return ligne_champ
    return None
