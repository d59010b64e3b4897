"""Le rapport annuel que reçoit la CCSPL d'une autorité délégante pour un exercice, en
enregistrements typés : couverture, synthèse des contrats (sans total : des contrats sans
rapport entre eux ne s'additionnent pas), graphiques, fiches validées, suivi des rapports
attendus (seulement d'après le registre des contrats importé), en retard ou en instruction.

La CCSPL est propre à chaque autorité (L.1413-1 CGCT) : jamais deux autorités dans un même
rapport.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fiche.evaluation import normaliser_texte
from fiche.modeles import Fiche, Gravite
from publication import libelles
from publication.contexte import Enregistrement, Reconnaissance
from publication.graphiques import Graphique, Serie
from stockage.modeles import Contrat

CODE_RETARD = "DELAI"
"""Le contrôle qui relève un rapport remis après le 1er juin N+1 (L.3131-5)."""

POSTES_GRAPHIQUE = ("chiffre_affaires", "total_charges", "resultat", "redevance")
"""Les montants N-1 / N dessinés pour chaque contrat."""

GRIS, BLEU = "#9c9c9c", "#1f3864"
COULEURS_GRAVITE = {Gravite.BLOQUANT: "#c00000", Gravite.ALERTE: "#e36c09", Gravite.INFO: "#7f9fc9"}
AUTORITE_INCONNUE = "Autorité délégante non renseignée"

# « Ville de X » et « Commune de X » désignent la même commune.
_PREFIXE_COMMUNE = re.compile(r"^(?:ville|commune)\s+(?:de\s+(?:la\s+)?|d'|du\s+|des\s+)")


class LigneSynthese(Enregistrement):
    contrat: str
    delegataire: str
    secteur: str
    chiffre_affaires: float | None
    resultat: float | None
    redevance: float | None
    alertes: int


class FicheIncluse(Enregistrement):
    """Une fiche validée déjà rendue en Word, insérée telle quelle, et son graphique."""

    rang: int
    titre: str
    chemin: Path
    graphique: Path


class ContratManquant(Enregistrement):
    cle: str
    delegataire: str
    objet: str


class RapportEnRetard(Enregistrement):
    contrat: str
    constat: str


class RapportEnCours(Enregistrement):
    contrat: str
    statut: str


class ContexteCcspl(Enregistrement):
    exercice: int
    exercice_suivant: int
    autorite: str
    date_production: date
    synthese: list[LigneSynthese]
    graphique_anomalies: Path
    fiches: list[FicheIncluse]
    registre_importe: bool
    suivi: str
    """Rapports attendus et reçus selon le registre, ou l'aveu qu'on ne les connaît pas."""
    manquants: list[ContratManquant]
    retards: list[RapportEnRetard]
    en_cours: list[RapportEnCours]


@dataclass(frozen=True)
class ContratRecu:
    """Un rapport reçu de l'exercice : sa dernière fiche et son contrat s'il est rattaché."""

    fiche: Fiche
    contrat: Contrat | None
    statut: str = ""
    reconnaissances: list[Reconnaissance] = field(default_factory=list)


@dataclass(frozen=True)
class DossierAutorite:
    """Ce que la base sait d'une autorité pour un exercice."""

    autorite: str
    validees: list[ContratRecu]
    en_instruction: list[ContratRecu]
    attendus: list[Contrat] | None
    """Contrats du registre en cours pendant l'exercice ; None : aucun registre importé."""
    manquants: list[Contrat]


# --- Autorité et contrat ------------------------------------------------------------------


def cle_autorite(nom: str | None) -> str:
    """Clé de regroupement : casse, accents et « Ville de » / « Commune de » ignorés."""
    return _PREFIXE_COMMUNE.sub("", normaliser_texte(nom or ""))


def autorite(recu: ContratRecu) -> str | None:
    """L'autorité du registre si le rapport est rattaché à un contrat, sinon celle lue."""
    if recu.contrat is not None:
        return recu.contrat.collectivite
    return recu.fiche.identification.collectivite.valeur


def nom_autorite(noms: list[str]) -> str:
    """Le nom le plus employé (à égalité, l'ordre alphabétique) : stable d'un rapport à l'autre."""
    if not noms:
        return AUTORITE_INCONNUE
    return sorted(Counter(noms).items(), key=lambda paire: (-paire[1], paire[0]))[0][0]


def texte(valeur: object) -> str:
    return libelles.NON_RENSEIGNE if valeur is None else str(valeur)


def secteur(fiche: Fiche) -> str:
    valeur = fiche.identification.secteur.valeur
    return libelles.SECTEURS[valeur] if valeur else libelles.NON_RENSEIGNE


def objet(recu: ContratRecu) -> str:
    """L'objet du contrat (registre d'abord), à défaut le secteur : jamais un nom de fichier."""
    if recu.contrat is not None:
        return recu.contrat.objet
    return recu.fiche.identification.objet.valeur or f"Contrat « {secteur(recu.fiche)} »"


def delegataire(recu: ContratRecu) -> str:
    lu = recu.fiche.identification.delegataire.valeur
    return lu or (recu.contrat.delegataire if recu.contrat else libelles.NON_RENSEIGNE)


def nom_contrat(recu: ContratRecu) -> str:
    """« Objet — délégataire », le nom sous lequel la commission connaît le contrat."""
    return f"{objet(recu)} — {delegataire(recu)}"


# --- Synthèse et graphiques ---------------------------------------------------------------


def montant(fiche: Fiche, poste: str, exercice: int) -> float | None:
    champ = fiche.financier.postes.get(poste, {}).get(str(exercice))
    return champ.valeur if champ else None


def ligne_synthese(recu: ContratRecu, exercice: int) -> LigneSynthese:
    graves = (Gravite.BLOQUANT, Gravite.ALERTE)
    fiche = recu.fiche
    return LigneSynthese(
        contrat=objet(recu),
        delegataire=delegataire(recu),
        secteur=secteur(fiche),
        chiffre_affaires=montant(fiche, "chiffre_affaires", exercice),
        resultat=montant(fiche, "resultat", exercice),
        redevance=montant(fiche, "redevance", exercice),
        alertes=sum(a.gravite in graves for a in fiche.anomalies),
    )


def graphique_contrat(recu: ContratRecu, exercice: int) -> Graphique:
    """Les montants clés N-1 / N du contrat (une case absente se lit « n.c. »)."""
    fiche = recu.fiche
    return Graphique(
        titre=f"Chiffres clés {exercice - 1} / {exercice} — {delegataire(recu)}"[:90],
        categories=[libelles.POSTES[p] for p in POSTES_GRAPHIQUE],
        series=[
            Serie(
                nom=str(annee),
                valeurs=[montant(fiche, p, annee) for p in POSTES_GRAPHIQUE],
                couleur=couleur,
            )
            for annee, couleur in ((exercice - 1, GRIS), (exercice, BLEU))
        ],
    )


def graphique_anomalies(recus: list[ContratRecu]) -> Graphique:
    """Anomalies de chaque fiche validée, par gravité."""
    return Graphique(
        titre="Anomalies relevées par les contrôles, par contrat et par gravité",
        categories=[delegataire(r) for r in recus],
        series=[
            Serie(
                nom=libelles.GRAVITES[gravite],
                valeurs=[
                    float(sum(a.gravite == gravite for a in r.fiche.anomalies)) for r in recus
                ],
                couleur=couleur,
            )
            for gravite, couleur in COULEURS_GRAVITE.items()
        ],
        unite="anomalies",
    )


# --- Suivi des rapports attendus ----------------------------------------------------------


def suivi(dossier: DossierAutorite, exercice: int) -> str:
    """Attendus et reçus selon le registre ; sans registre, le dire au lieu d'affirmer."""
    if dossier.attendus is None:
        return (
            "Aucun registre des contrats n'a été importé (commande « dsp contrats importer ») : "
            f"les rapports attendus pour l'exercice {exercice} ne sont pas connus, et ce "
            "document ne peut pas dire s'il en manque."
        )
    attendus = len(dossier.attendus)
    if attendus == 0:
        return (
            "Le registre des contrats importé ne compte aucun contrat de cette autorité en "
            f"cours pendant l'exercice {exercice}."
        )
    recus = attendus - len(dossier.manquants)
    if not dossier.manquants:
        return (
            f"Selon le registre des contrats, {attendus} rapport(s) attendu(s) pour "
            f"l'exercice {exercice} : tous ont été reçus."
        )
    return (
        f"Selon le registre des contrats, {attendus} rapport(s) attendu(s) pour l'exercice "
        f"{exercice}, {recus} reçu(s) ; {len(dossier.manquants)} manquant(s) ci-dessous."
    )


def retards(recus: list[ContratRecu]) -> list[RapportEnRetard]:
    return [
        RapportEnRetard(contrat=nom_contrat(r), constat=a.message)
        for r in recus
        for a in r.fiche.anomalies
        if a.code == CODE_RETARD
    ]


def contexte_ccspl(
    exercice: int,
    dossier: DossierAutorite,
    incluses: list[FicheIncluse],
    graphique: Path,
) -> ContexteCcspl:
    """Le contexte du gabarit ; `dossier.validees` et `incluses` vont dans le même ordre."""
    return ContexteCcspl(
        exercice=exercice,
        exercice_suivant=exercice + 1,
        autorite=dossier.autorite,
        date_production=date.today(),
        synthese=[ligne_synthese(r, exercice) for r in dossier.validees],
        graphique_anomalies=graphique,
        fiches=incluses,
        registre_importe=dossier.attendus is not None,
        suivi=suivi(dossier, exercice),
        manquants=[
            ContratManquant(cle=c.cle, delegataire=c.delegataire, objet=c.objet)
            for c in dossier.manquants
        ],
        retards=retards(dossier.validees),
        en_cours=[
            RapportEnCours(contrat=nom_contrat(r), statut=r.statut) for r in dossier.en_instruction
        ],
    )
