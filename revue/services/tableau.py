"""Tableau de bord du temps gagné.

Pour chaque rapport relu (statut « validé » ou « publié ») :

    heures gagnées = heures de référence − (revue active + temps machine)

- heures de référence : celles du contrat (`contrats.heures_revue_reference`) si le
  registre les donne, sinon celles du secteur (`DSP_HEURES_REFERENCE_PAR_SECTEUR`), sinon
  `DSP_HEURES_REFERENCE_TOTAL / DSP_RAPPORTS_REFERENCE` (1 100 h / 59 ≈ 18,6 h) ;
- revue active : somme des durées `revue` (mesurées dans la page, par agent) ;
- temps machine : somme des autres durées (extraction, remplissage, contrôles).

Le temps gagné est une estimation : la référence est un chiffre déclaré
(`DSP_HEURES_REFERENCE_SOURCE`), pas une mesure ; seules la revue active et le temps machine
sont mesurés. Un rapport validé avec moins de `DSP_REVUE_MINIMALE_S` de revue mesurée est
compté à part (son gain suppose une lecture qui n'a pas été mesurée).

Seule la dernière version de chaque rapport compte (une version remplacée après un rejet
n'est ni relue ni à valider) : les comptes par statut, les relus et les à valider
s'additionnent. Corrections par champ : sur les rapports relus seulement ; l'exactitude
globale (part des chiffres non corrigés) est dans `revue.services.exactitude`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from pydantic import BaseModel
from sqlalchemy import case, func, select

from publication.libelles import POSTES
from revue.services.exactitude import Exactitude, exactitude
from revue.services.fiche import IDENTIFICATION
from revue.services.file import libelle_secteur
from revue.services.requetes import (
    alertes_par_rapport,
    dernieres_versions,
    lecture,
    sobriete_par_rapport,
)
from socle.reglages import Reglages
from stockage.depot import Depot
from stockage.modeles import AnomalieEnregistree, Contrat, Duree, EvenementRevue, Rapport
from stockage.statuts import LIBELLES, STATUTS_VALIDES, Statut

ETAPE_REVUE = "revue"
TRANCHES_MINUTES = ((0, 5), (5, 15), (15, 30), (30, 60), (60, 120), (120, None))


class LigneRapport(BaseModel):
    id: int
    fichier: str
    exercice: int | None
    secteur: str | None
    statut: str
    alertes: int
    corrections: int
    revue_s: float
    machine_s: float
    reference_h: float
    relu: bool
    energie_wh: float | None = None
    co2_g: float | None = None

    @property
    def gagne_h(self) -> float | None:
        if not self.relu:
            return None
        return self.reference_h - (self.revue_s + self.machine_s) / 3600


class Total(BaseModel):
    libelle: str
    rapports: int = 0
    reference_h: float = 0.0
    revue_h: float = 0.0
    machine_h: float = 0.0
    gagne_h: float = 0.0
    energie_wh: float = 0.0
    co2_g: float = 0.0
    sans_energie: int = 0
    """Rapports relus dont l'énergie n'a pas été estimée (absents des sommes)."""


class Compte(BaseModel):
    libelle: str
    nombre: float


class ParAgent(BaseModel):
    agent: str
    rapports: int
    revue_h: float


class CorrectionsChamp(BaseModel):
    libelle: str
    corrections: int
    rapports_corriges: int
    exactitude: float | None


class TableauDeBord(BaseModel):
    lignes: list[LigneRapport]
    total: Total
    en_revue: int
    par_exercice: list[Total]
    par_secteur: list[Total]
    par_agent: list[ParAgent]
    distribution: list[Compte]
    corrections: list[CorrectionsChamp]
    alertes: list[Compte]
    statuts: list[Compte]
    reference_defaut_h: float
    reference_source: str
    revue_minimale_s: float
    revues_courtes: int
    """Rapports relus dont la revue active mesurée est sous `revue_minimale_s`."""
    exactitude: Exactitude


def famille(chemin: str | None) -> str:
    """Le libellé de la famille d'un champ corrigé (année et rang retirés)."""
    morceaux = (chemin or "").split(".")
    if morceaux[0] == "identification" and len(morceaux) > 1:
        return IDENTIFICATION.get(morceaux[1], morceaux[1])
    if morceaux[:2] == ["financier", "postes"] and len(morceaux) > 2:
        return POSTES.get(morceaux[2], morceaux[2])
    familles = {
        "financier.lignes": "Lignes du CARE", "activite.indicateurs": "Indicateurs d'activité",
        "activite.effectif_etp": "Effectif (ETP)", "tarifs": "Tarifs",
        "faits_marquants": "Faits marquants",
    }  # fmt: skip
    for prefixe, libelle in familles.items():
        if ".".join(morceaux).startswith(prefixe):
            return libelle
    return chemin or "—"


def _lignes(depot: Depot, reglages: Reglages) -> list[LigneRapport]:
    alertes = alertes_par_rapport()
    sobriete = sobriete_par_rapport()
    revue = func.sum(case((Duree.etape == ETAPE_REVUE, Duree.duree_s), else_=0.0))
    machine = func.sum(case((Duree.etape != ETAPE_REVUE, Duree.duree_s), else_=0.0))
    durees = (
        select(Duree.rapport_id, revue.label("revue"), machine.label("machine"))
        .group_by(Duree.rapport_id)
        .subquery()
    )
    corrections = (
        select(EvenementRevue.rapport_id, func.count().label("n"))
        .where(EvenementRevue.action == "correction")
        .group_by(EvenementRevue.rapport_id)
        .subquery()
    )
    requete = (
        select(
            Rapport.id,
            Rapport.fichier,
            Rapport.exercice,
            Rapport.secteur,
            Rapport.statut,
            Contrat.heures_revue_reference,
            alertes.c.alertes,
            durees.c.revue,
            durees.c.machine,
            corrections.c.n,
            sobriete.c.energie_wh,
            sobriete.c.co2_g,
        )
        .outerjoin(Contrat, Contrat.id == Rapport.contrat_id)
        .outerjoin(alertes, alertes.c.rapport_id == Rapport.id)
        .outerjoin(durees, durees.c.rapport_id == Rapport.id)
        .outerjoin(corrections, corrections.c.rapport_id == Rapport.id)
        .outerjoin(sobriete, sobriete.c.rapport_id == Rapport.id)
        .order_by(Rapport.id)
    )
    valides = {s.value for s in STATUTS_VALIDES}
    remplaces = select(Rapport.precedent_id).where(Rapport.precedent_id.is_not(None))
    with lecture(depot) as session:
        anciennes = set(session.scalars(remplaces))
        return [
            LigneRapport(
                id=i,
                fichier=fichier,
                exercice=exercice,
                secteur=secteur,
                statut=statut,
                alertes=int(a or 0),
                corrections=int(c or 0),
                revue_s=float(rv or 0),
                machine_s=float(m or 0),
                reference_h=h if h is not None else reglages.heures_reference(secteur),
                relu=statut in valides,
                energie_wh=wh,
                co2_g=g,
            )
            for i, fichier, exercice, secteur, statut, h, a, rv, m, c, wh, g in session.execute(
                requete
            )
            if i not in anciennes
        ]


def totaliser(libelle: str, lignes: Iterable[LigneRapport]) -> Total:
    total = Total(libelle=libelle)
    for ligne in lignes:
        if not ligne.relu:
            continue
        total.rapports += 1
        total.reference_h += ligne.reference_h
        total.revue_h += ligne.revue_s / 3600
        total.machine_h += ligne.machine_s / 3600
        total.gagne_h += ligne.gagne_h or 0.0
        if ligne.energie_wh is None or ligne.co2_g is None:
            total.sans_energie += 1
        else:
            total.energie_wh += ligne.energie_wh
            total.co2_g += ligne.co2_g
    return total


def _groupes(lignes: list[LigneRapport], cle: str) -> list[Total]:
    groupes: dict[str, list[LigneRapport]] = defaultdict(list)
    for ligne in lignes:
        valeur = getattr(ligne, cle)
        nom = libelle_secteur(valeur) if cle == "secteur" else str(valeur or "inconnu")
        groupes[nom].append(ligne)
    totaux = [totaliser(nom, membres) for nom, membres in sorted(groupes.items())]
    return [t for t in totaux if t.rapports]


def _distribution(lignes: list[LigneRapport]) -> list[Compte]:
    minutes = [ligne.revue_s / 60 for ligne in lignes if ligne.relu]
    comptes = []
    for debut, fin in TRANCHES_MINUTES:
        libelle = f"{debut}–{fin} min" if fin else f"≥ {debut} min"
        nombre = sum(debut <= m and (fin is None or m < fin) for m in minutes)
        comptes.append(Compte(libelle=libelle, nombre=nombre))
    return comptes


def _par_agent(depot: Depot) -> list[ParAgent]:
    requete = (
        select(Duree.agent, func.count(func.distinct(Duree.rapport_id)), func.sum(Duree.duree_s))
        .where(Duree.etape == ETAPE_REVUE)
        .group_by(Duree.agent)
        .order_by(Duree.agent)
    )
    with lecture(depot) as session:
        return [
            ParAgent(agent=a or "inconnu", rapports=int(n), revue_h=float(s or 0) / 3600)
            for a, n, s in session.execute(requete)
        ]


def _corrections(depot: Depot, lignes: list[LigneRapport], seuil: int) -> list[CorrectionsChamp]:
    """Corrections des rapports relus, par famille de champ ; l'exactitude d'une famille
    (part des relus non corrigés) n'est donnée qu'à partir de `seuil` rapports relus."""
    relus = {ligne.id for ligne in lignes if ligne.relu}
    requete = select(EvenementRevue.rapport_id, EvenementRevue.champ).where(
        EvenementRevue.action == "correction"
    )
    with lecture(depot) as session:
        evenements = [
            (rid, famille(champ)) for rid, champ in session.execute(requete) if rid in relus
        ]
    nombres = Counter(f for _, f in evenements)
    corriges: dict[str, set[int]] = defaultdict(set)
    for rapport_id, nom in evenements:
        if rapport_id in relus:
            corriges[nom].add(rapport_id)
    return [
        CorrectionsChamp(
            libelle=nom,
            corrections=n,
            rapports_corriges=len(corriges[nom]),
            exactitude=1 - len(corriges[nom]) / len(relus) if len(relus) >= seuil else None,
        )
        for nom, n in nombres.most_common()
    ]


def _alertes(depot: Depot) -> list[Compte]:
    dernieres = dernieres_versions()
    requete = (
        select(AnomalieEnregistree.code, func.count())
        .join(dernieres, dernieres.c.version_id == AnomalieEnregistree.version_id)
        .group_by(AnomalieEnregistree.code)
        .order_by(func.count().desc(), AnomalieEnregistree.code)
    )
    with lecture(depot) as session:
        return [Compte(libelle=code, nombre=n) for code, n in session.execute(requete)]


def tableau_de_bord(depot: Depot, reglages: Reglages) -> TableauDeBord:
    lignes = _lignes(depot, reglages)
    statuts = Counter(ligne.statut for ligne in lignes)
    relus = [ligne for ligne in lignes if ligne.relu]
    return TableauDeBord(
        lignes=lignes,
        total=totaliser("Total", lignes),
        en_revue=sum(ligne.statut == Statut.A_VALIDER.value for ligne in lignes),
        par_exercice=_groupes(lignes, "exercice"),
        par_secteur=_groupes(lignes, "secteur"),
        par_agent=_par_agent(depot),
        distribution=_distribution(lignes),
        corrections=_corrections(depot, lignes, reglages.exactitude_rapports_min),
        alertes=_alertes(depot),
        statuts=[Compte(libelle=LIBELLES[s], nombre=statuts[s.value]) for s in Statut],
        reference_defaut_h=reglages.heures_reference_total / reglages.rapports_reference,
        reference_source=reglages.heures_reference_source,
        revue_minimale_s=reglages.revue_minimale_s,
        revues_courtes=sum(ligne.revue_s < reglages.revue_minimale_s for ligne in relus),
        exactitude=exactitude(
            depot, {ligne.id for ligne in relus}, reglages.exactitude_rapports_min
        ),
    )
