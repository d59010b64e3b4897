"""Le rapport annuel consolidé que reçoit la CCSPL pour un exercice, en enregistrements
typés : couverture, tableau de synthèse des contrats, fiches validées, rapports manquants,
en retard ou en cours d'instruction.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fiche.modeles import Fiche, Gravite
from publication import libelles
from publication.contexte import Enregistrement
from stockage.modeles import Contrat, Rapport
from stockage.statuts import LIBELLES, Statut

CODE_RETARD = "DELAI"
"""Le contrôle qui relève un rapport remis après le 1er juin N+1 (L.3131-5)."""


class LigneSynthese(Enregistrement):
    delegataire: str
    secteur: str
    chiffre_affaires: float | None
    resultat: float | None
    redevance: float | None
    alertes: int


class TotalSynthese(Enregistrement):
    chiffre_affaires: float
    resultat: float
    redevance: float
    alertes: int


class FicheIncluse(Enregistrement):
    """Une fiche validée déjà rendue en Word, insérée telle quelle dans le rapport."""

    rang: int
    titre: str
    chemin: Path


class ContratManquant(Enregistrement):
    cle: str
    collectivite: str
    delegataire: str
    objet: str


class RapportEnRetard(Enregistrement):
    delegataire: str
    objet: str
    constat: str


class RapportEnCours(Enregistrement):
    fichier: str
    statut: str


class ContexteCcspl(Enregistrement):
    exercice: int
    exercice_suivant: int
    collectivites: str
    date_production: date
    synthese: list[LigneSynthese]
    total: TotalSynthese
    fiches: list[FicheIncluse]
    manquants: list[ContratManquant]
    retards: list[RapportEnRetard]
    en_cours: list[RapportEnCours]


def montant(fiche: Fiche, poste: str, exercice: int) -> float | None:
    champ = fiche.financier.postes.get(poste, {}).get(str(exercice))
    return champ.valeur if champ else None


def texte(valeur: object) -> str:
    return libelles.NON_RENSEIGNE if valeur is None else str(valeur)


def secteur(fiche: Fiche) -> str:
    valeur = fiche.identification.secteur.valeur
    return libelles.SECTEURS[valeur] if valeur else libelles.NON_RENSEIGNE


def ligne_synthese(fiche: Fiche, exercice: int) -> LigneSynthese:
    graves = (Gravite.BLOQUANT, Gravite.ALERTE)
    return LigneSynthese(
        delegataire=texte(fiche.identification.delegataire.valeur),
        secteur=secteur(fiche),
        chiffre_affaires=montant(fiche, "chiffre_affaires", exercice),
        resultat=montant(fiche, "resultat", exercice),
        redevance=montant(fiche, "redevance", exercice),
        alertes=sum(a.gravite in graves for a in fiche.anomalies),
    )


def total(lignes: list[LigneSynthese]) -> TotalSynthese:
    """Sommes des montants connus (une case vide ne compte pas pour zéro : elle est omise)."""
    return TotalSynthese(
        chiffre_affaires=sum(x.chiffre_affaires or 0.0 for x in lignes),
        resultat=sum(x.resultat or 0.0 for x in lignes),
        redevance=sum(x.redevance or 0.0 for x in lignes),
        alertes=sum(x.alertes for x in lignes),
    )


def titre_fiche(fiche: Fiche) -> str:
    delegataire = texte(fiche.identification.delegataire.valeur)
    return f"{delegataire} — {secteur(fiche)}"


def retards(fiches: list[Fiche]) -> list[RapportEnRetard]:
    return [
        RapportEnRetard(
            delegataire=texte(f.identification.delegataire.valeur),
            objet=texte(f.identification.objet.valeur),
            constat=a.message,
        )
        for f in fiches
        for a in f.anomalies
        if a.code == CODE_RETARD
    ]


def contrat_manquant(contrat: Contrat) -> ContratManquant:
    return ContratManquant(
        cle=contrat.cle,
        collectivite=contrat.collectivite,
        delegataire=contrat.delegataire,
        objet=contrat.objet,
    )


def en_cours(rapport: Rapport) -> RapportEnCours:
    return RapportEnCours(fichier=rapport.fichier, statut=LIBELLES[Statut(rapport.statut)])


def contexte_ccspl(
    exercice: int,
    fiches: list[Fiche],
    incluses: list[FicheIncluse],
    manquants: list[Contrat],
    instruction: list[Rapport],
) -> ContexteCcspl:
    """Le contexte du gabarit ; `fiches` et `incluses` vont dans le même ordre."""
    lignes = [ligne_synthese(f, exercice) for f in fiches]
    autorites = sorted({c for f in fiches if (c := f.identification.collectivite.valeur)})
    return ContexteCcspl(
        exercice=exercice,
        exercice_suivant=exercice + 1,
        collectivites=", ".join(autorites),
        date_production=date.today(),
        synthese=lignes,
        total=total(lignes),
        fiches=incluses,
        manquants=[contrat_manquant(c) for c in manquants],
        retards=retards(fiches),
        en_cours=[en_cours(r) for r in instruction],
    )
