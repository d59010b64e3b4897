"""Ce que montre la page d'un rapport : fiche, anomalies, journal, temps, publication."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from fiche.modeles import Anomalie, Fiche, Gravite
from revue.services.anomalies import AnomalieVue, vue_anomalies
from revue.services.fiche import Section, sections
from revue.services.file import libelle_secteur
from revue.services.journal import LigneJournal, lignes_journal
from socle.erreurs import StockageError
from stockage.attente import en_retard
from stockage.decisions import GRAVITES_A_RECONNAITRE
from stockage.depot import Depot
from stockage.modeles import AnomalieEnregistree, EvenementRevue, Rapport
from stockage.statuts import LIBELLES, Statut


class VueRapport(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    rapport: Rapport
    fiche: Fiche | None
    statut: str
    statut_libelle: str
    secteur: str
    sections: list[Section]
    anomalies: list[AnomalieVue]
    journal: list[LigneJournal]
    revue_s: float
    machine_s: float
    avis: str | None
    publication: str | None
    modifiable: bool
    premiere_page: int | None
    version: int
    """Numéro de la version affichée : la décision porte sur elle."""
    a_reconnaitre: list[AnomalieEnregistree]
    """Anomalies bloquantes ou alertes de cette version : un motif chacune pour valider."""
    decision_en_attente: str | None
    echeance: date | None = None
    """Rejeté : date avant laquelle le délégataire doit envoyer un nouveau fichier."""
    en_retard: bool = False
    remplace_par: int | None = None
    """Rapport remplacé : le numéro du rapport qui porte le nouveau fichier."""


def publication_de(journal: list[EvenementRevue]) -> str | None:
    """Le chemin de la dernière fiche Word publiée (événement `publication`)."""
    chemins = [e.nouvelle_valeur for e in journal if e.action == "publication"]
    return chemins[-1] if chemins and chemins[-1] else None


REGLE_UN_RAPPORT = (
    "Un rapport annuel par contrat et par exercice (code de la commande publique, art. L. 3131-5)"
)


def alertes_quasi_doublons(depot: Depot, rapport_id: int) -> list[Anomalie]:
    """Une alerte par autre rapport du même contrat et du même exercice, calculée à
    l'affichage : les deux rapports la portent, quel que soit l'ordre d'arrivée."""
    return [
        Anomalie(
            code="QUASI_DOUBLON",
            gravite=Gravite.ALERTE,
            message=(
                f"Un autre rapport porte sur le même contrat et le même exercice "
                f"({autre.exercice}) : « {autre.fichier} » (n° {autre.id}, "
                f"{LIBELLES[Statut(autre.statut)]}). Un seul rapport annuel est attendu : "
                "vérifiez lequel fait foi avant de valider."
            ),
            regle=REGLE_UN_RAPPORT,
        )
        for autre in depot.quasi_doublons(rapport_id)
    ]


def vue_rapport(depot: Depot, rapport_id: int) -> VueRapport:
    rapport = depot.rapport(rapport_id)
    fiche = depot.derniere_fiche(rapport_id)
    journal = depot.evenements(rapport_id)
    durees = depot.durees(rapport_id)
    statut = Statut(rapport.statut)
    lignes = sections(fiche) if fiche else []
    doublons = alertes_quasi_doublons(depot, rapport_id)
    anomalies = vue_anomalies(doublons, fiche.anomalies if fiche else [], lignes)
    pages = [p for a in anomalies for p in a.pages]
    versions = depot.versions(rapport_id)
    derniere = versions[-1] if versions else None
    ouvertes = depot.anomalies(derniere.id) if derniere else []
    attente = depot.decision_en_attente(rapport_id)
    return VueRapport(
        rapport=rapport,
        fiche=fiche,
        statut=statut.value,
        statut_libelle=LIBELLES[statut],
        secteur=libelle_secteur(rapport.secteur),
        sections=lignes,
        anomalies=anomalies,
        journal=lignes_journal(list(reversed(journal)), fiche),
        revue_s=durees.get("revue", 0.0),
        machine_s=sum(v for k, v in durees.items() if k != "revue"),
        avis=fiche.revue.avis if fiche and fiche.revue else None,
        publication=publication_de(journal),
        modifiable=statut == Statut.A_VALIDER and fiche is not None and attente is None,
        premiere_page=min(pages) if pages else (1 if fiche and fiche.source.pages else None),
        version=derniere.numero if derniere else 0,
        a_reconnaitre=[a for a in ouvertes if a.gravite in GRAVITES_A_RECONNAITRE],
        decision_en_attente=f"{attente.agent} ({attente.decision})" if attente else None,
        echeance=rapport.echeance,
        en_retard=en_retard(rapport),
        remplace_par=depot.successeur(rapport_id) if statut == Statut.REMPLACE else None,
    )


def document_publie(depot: Depot, rapport_id: int, racine: Path) -> Path:
    """Le .docx publié du rapport, s'il est sous `racine` (dossier des données)."""
    chemin = publication_de(depot.evenements(rapport_id))
    if chemin is None:
        raise StockageError("Ce rapport n'a pas encore de fiche publiée.")
    resolu = Path(chemin).resolve()
    if not resolu.is_relative_to(racine.resolve()) or resolu.suffix.lower() != ".docx":
        raise StockageError("Fichier hors du dossier des données : accès refusé.")
    if not resolu.is_file():
        raise StockageError("La fiche publiée n'est plus sur le disque : republiez-la.")
    return resolu
