"""`Depot` : la seule porte d'entrée de la base pour les flows, l'application et la CLI.

Chaque méthode ouvre sa transaction et rend des objets détachés (lisibles après la
fermeture de la session) : l'appelant ne manipule jamais de session SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from fiche.modeles import Fiche
from socle.erreurs import StockageError
from socle.reglages import reglages
from stockage import attente, decisions, journal
from stockage import contrats as registre
from stockage.modeles import (
    AnomalieEnregistree,
    Contrat,
    Decision,
    Duree,
    EvenementRevue,
    Rapport,
    VersionFiche,
    maintenant,
)
from stockage.moteur import base_indisponible, creer_moteur, migrer
from stockage.statuts import STATUTS_VALIDES, Statut, verifier_transition

AGENT_SYSTEME = "systeme"


class Depot:
    """Dépôt des rapports, fiches, anomalies, journal de revue, durées et contrats."""

    def __init__(self, url: str | None = None, *, moteur: Engine | None = None) -> None:
        self.moteur = moteur or creer_moteur(url)
        migrer(self.moteur)  # au démarrage, la base est toujours à la dernière révision
        self._sessions = sessionmaker(self.moteur, expire_on_commit=False)

    def fermer(self) -> None:
        self.moteur.dispose()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """Une transaction ; base verrouillée ou injoignable → `StockageError` en français
        (la transaction est annulée : rien n'est écrit à moitié)."""
        try:
            with self._sessions.begin() as session:
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise base_indisponible(self.moteur, exc) from exc

    # --- Rapports ------------------------------------------------------------------------

    def par_sha256(self, sha256: str) -> Rapport | None:
        with self._transaction() as session:
            return session.scalar(select(Rapport).where(Rapport.sha256 == sha256))

    def rapport(self, rapport_id: int) -> Rapport:
        with self._transaction() as session:
            return self._rapport(session, rapport_id)

    @staticmethod
    def _rapport(session: Session, rapport_id: int) -> Rapport:
        rapport = session.get(Rapport, rapport_id)
        if rapport is None:
            raise StockageError(f"Rapport inconnu : n° {rapport_id}.")
        return rapport

    def enregistrer_rapport(
        self,
        fichier: str | Path,
        sha256: str,
        *,
        statut: Statut = Statut.EXTRAIT,
        raison: str | None = None,
    ) -> tuple[Rapport, bool]:
        """Enregistre un fichier reçu ; rend (rapport, nouveau).

        Un contenu déjà enregistré (même sha256) rend la ligne existante et `False` : un
        fichier inchangé n'est jamais traité deux fois. Un nom déjà connu avec un autre
        contenu devient une nouvelle version du rapport, rattachée à la précédente.
        """
        nom = Path(fichier).name
        with self._transaction() as session:
            existant = session.scalar(select(Rapport).where(Rapport.sha256 == sha256))
            if existant is not None:
                return existant, False
            precedent = session.scalar(
                select(Rapport).where(Rapport.fichier == nom).order_by(Rapport.version.desc())
            )
            rapport = Rapport(
                fichier=nom,
                sha256=sha256,
                version=precedent.version + 1 if precedent else 1,
                precedent_id=precedent.id if precedent else None,
                contrat_id=precedent.contrat_id if precedent else None,
                score_contrat=precedent.score_contrat if precedent else None,
                contrat_confirme=precedent.contrat_confirme if precedent else False,
                exercice=precedent.exercice if precedent else None,
                statut=statut.value,
                raison=raison,
            )
            session.add(rapport)
            session.flush()
            return rapport, True

    def changer_statut(
        self,
        rapport_id: int,
        statut: Statut,
        *,
        raison: str | None = None,
        agent: str = AGENT_SYSTEME,
    ) -> Rapport:
        """Change le statut si la transition est permise, et l'inscrit au journal."""
        with self._transaction() as session:
            rapport = self._rapport(session, rapport_id)
            ancien = Statut(rapport.statut)
            verifier_transition(ancien, statut, rapport.fichier)
            rapport.statut, rapport.raison, rapport.modifie_le = statut.value, raison, maintenant()
            self._journal(session, rapport_id, agent, "statut", None, ancien.value, statut, raison)
            return rapport

    def quasi_doublons(self, rapport_id: int) -> list[Rapport]:
        """Les autres rapports du même contrat et du même exercice (un octet changé suffit à
        changer l'empreinte : sans ce rapprochement, un second rapport passait sans alerte).

        Même contrat : même contrat du registre si les deux y sont rattachés, sinon même
        collectivité et même délégataire. Les versions d'un même fichier (même nom), une
        version remplacée par une plus récente et les rapports en erreur ne comptent pas."""
        with self._transaction() as session:
            rapport = self._rapport(session, rapport_id)
            if rapport.exercice is None:
                return []
            remplaces = select(Rapport.precedent_id).where(Rapport.precedent_id.is_not(None))
            candidats = session.scalars(
                select(Rapport).where(
                    Rapport.exercice == rapport.exercice,
                    Rapport.id != rapport.id,
                    Rapport.fichier != rapport.fichier,
                    Rapport.statut.not_in([Statut.ERREUR.value, Statut.REMPLACE.value]),
                    Rapport.id.not_in(remplaces),
                )
            )
            return [r for r in candidats if attente.meme_contrat(rapport, r)]

    def remplacer_rapport_rejete(
        self, rapport_id: int, *, agent: str = AGENT_SYSTEME
    ) -> Rapport | None:
        """Un nouveau fichier remplace le rapport du même contrat et du même exercice
        « en attente du délégataire » (`stockage.attente`) ; rend le rapport remplacé."""
        with self._transaction() as session:
            return attente.remplacer(session, rapport_id, agent)

    def successeur(self, rapport_id: int) -> int | None:
        """Le rapport qui porte la version suivante de celui-ci, s'il y en a une."""
        with self._transaction() as session:
            return session.scalar(select(Rapport.id).where(Rapport.precedent_id == rapport_id))

    def rapports(self, statut: Statut | None = None) -> list[Rapport]:
        """Les rapports (d'un statut donné), du plus ancien au plus récent."""
        requete = select(Rapport).order_by(Rapport.id)
        if statut is not None:
            requete = requete.where(Rapport.statut == statut.value)
        with self._transaction() as session:
            return list(session.scalars(requete))

    # --- Fiches et anomalies -------------------------------------------------------------

    def enregistrer_fiche(
        self, rapport_id: int, fiche: Fiche, *, auteur: str | None = None
    ) -> VersionFiche:
        """Ajoute une version de la fiche (les précédentes restent), ses anomalies et un
        événement `version` (son hachage) au journal ; refusée pendant une décision et
        après la validation (`stockage.decisions.verifier_modifiable`) ; renseigne
        l'exercice du rapport et le rattache à son contrat s'il n'est pas confirmé."""
        with self._transaction() as session:
            journal.verrouiller(session)
            rapport = self._rapport(session, rapport_id)
            decisions.verifier_modifiable(session, rapport)
            numero = session.scalar(
                select(func.coalesce(func.max(VersionFiche.numero), 0)).where(
                    VersionFiche.rapport_id == rapport_id
                )
            )
            contenu = fiche.model_dump(mode="json", by_alias=True)
            version = VersionFiche(
                rapport_id=rapport_id,
                numero=(numero or 0) + 1,
                contenu=contenu,
                auteur=auteur,
                hachage=journal.hachage_contenu(contenu),
            )
            session.add(version)
            session.flush()
            self._journal(session, rapport_id, auteur or AGENT_SYSTEME, "version",
                          f"version {version.numero}", None, version.hachage)  # fmt: skip
            session.add_all(
                AnomalieEnregistree(version_id=version.id, **a.model_dump(mode="json"))
                for a in fiche.anomalies
            )
            ident = fiche.identification
            rapport.exercice = ident.exercice.valeur or rapport.exercice
            secteur = ident.secteur.valeur
            rapport.secteur = secteur.value if secteur else rapport.secteur
            rapport.delegataire = ident.delegataire.valeur or rapport.delegataire
            rapport.collectivite = ident.collectivite.valeur or rapport.collectivite
            if not rapport.contrat_confirme:
                self._rattacher(session, rapport, fiche)
            return version

    @staticmethod
    def _rattacher(session: Session, rapport: Rapport, fiche: Fiche) -> None:
        trouve = registre.rapprocher(fiche.identification, list(session.scalars(select(Contrat))))
        if trouve is None:
            return
        rapport.score_contrat = trouve.score
        retenu = trouve.score >= registre.SEUIL_RAPPROCHEMENT
        rapport.contrat_id = trouve.contrat.id if retenu else None

    def versions(self, rapport_id: int) -> list[VersionFiche]:
        with self._transaction() as session:
            requete = select(VersionFiche).where(VersionFiche.rapport_id == rapport_id)
            return list(session.scalars(requete.order_by(VersionFiche.numero)))

    def derniere_fiche(self, rapport_id: int) -> Fiche | None:
        with self._transaction() as session:
            return self._derniere(session, rapport_id)

    @staticmethod
    def _derniere(session: Session, rapport_id: int) -> Fiche | None:
        contenu = session.scalar(
            select(VersionFiche.contenu)
            .where(VersionFiche.rapport_id == rapport_id)
            .order_by(VersionFiche.numero.desc())
            .limit(1)
        )
        return Fiche.model_validate(contenu) if contenu is not None else None

    def anomalies(self, version_id: int) -> list[AnomalieEnregistree]:
        with self._transaction() as session:
            requete = select(AnomalieEnregistree).where(
                AnomalieEnregistree.version_id == version_id
            )
            return list(session.scalars(requete.order_by(AnomalieEnregistree.id)))

    def fiches_validees(self, contrat_id: int | None, avant: int) -> list[tuple[Rapport, Fiche]]:
        """Dernière fiche de chaque rapport validé ou publié d'un exercice antérieur à
        `avant` (d'un contrat, ou de tous si `contrat_id` est None), récents d'abord."""
        requete = select(Rapport).where(
            Rapport.statut.in_([s.value for s in STATUTS_VALIDES]), Rapport.exercice < avant
        )
        if contrat_id is not None:
            requete = requete.where(Rapport.contrat_id == contrat_id)
        requete = requete.order_by(Rapport.exercice.desc(), Rapport.id.desc())
        with self._transaction() as session:
            paires = [(r, self._derniere(session, r.id)) for r in session.scalars(requete)]
        return [(r, f) for r, f in paires if f is not None]

    def contrat_de(self, fiche: Fiche) -> registre.Rapprochement | None:
        """Le contrat du registre auquel la fiche se rattache (au-delà du seuil), ou None."""
        with self._transaction() as session:
            trouve = registre.rapprocher(
                fiche.identification, list(session.scalars(select(Contrat)))
            )
        return trouve if trouve and trouve.score >= registre.SEUIL_RAPPROCHEMENT else None

    # --- Journal de revue (ajout seul) ---------------------------------------------------

    @staticmethod
    def _journal(
        session: Session,
        rapport_id: int,
        agent: str,
        action: str,
        champ: str | None,
        ancienne: Any,
        nouvelle: Any,
        commentaire: str | None = None,
    ) -> EvenementRevue:
        return journal.journaliser(
            session, rapport_id, agent, action, champ, ancienne, nouvelle, commentaire
        )

    def ajouter_evenement(
        self,
        rapport_id: int,
        *,
        agent: str,
        action: str,
        champ: str | None = None,
        ancienne_valeur: Any = None,
        nouvelle_valeur: Any = None,
        commentaire: str | None = None,
    ) -> EvenementRevue:
        """Ajoute un événement au journal ; il n'existe aucune méthode pour le modifier."""
        with self._transaction() as session:
            self._rapport(session, rapport_id)
            evenement = self._journal(
                session, rapport_id, agent, action, champ,
                ancienne_valeur, nouvelle_valeur, commentaire,
            )  # fmt: skip
            session.flush()
            return evenement

    def evenements(self, rapport_id: int) -> list[EvenementRevue]:
        with self._transaction() as session:
            requete = select(EvenementRevue).where(EvenementRevue.rapport_id == rapport_id)
            return list(session.scalars(requete.order_by(EvenementRevue.id)))

    def verifier_journal(self) -> journal.BilanChaine:
        """Recalcule la chaîne du journal (`dsp journal verifier`)."""
        with self._transaction() as session:
            return journal.verifier_chaine(session)

    # --- Décisions (liées à une version de fiche) ----------------------------------------

    def enregistrer_decision(self, demande: decisions.DemandeDecision) -> Decision:
        with self._transaction() as session:
            return decisions.enregistrer(session, demande)

    def decision(self, decision_id: int) -> Decision | None:
        with self._transaction() as session:
            return session.get(Decision, decision_id)

    def decision_en_attente(self, rapport_id: int) -> Decision | None:
        with self._transaction() as session:
            return decisions.en_attente(session, rapport_id)

    def motif_de_refus(self, decision_id: int, rapport_id: int) -> str | None:
        with self._transaction() as session:
            return decisions.motif_de_refus(session, decision_id, rapport_id)

    def refuser_decision(self, decision_id: int, rapport_id: int, motif: str, agent: str) -> None:
        with self._transaction() as session:
            decisions.refuser(session, decision_id, rapport_id, motif, agent)

    def appliquer_decision(
        self, decision_id: int, rapport_id: int, *, delai_jours: int | None = None
    ) -> tuple[Decision, Statut]:
        """Applique la décision ; un rejet laisse `delai_jours` au délégataire (défaut :
        `DSP_DELAI_DELEGATAIRE_JOURS`)."""
        delai = delai_jours or reglages().delai_delegataire_jours
        with self._transaction() as session:
            return decisions.appliquer(session, decision_id, rapport_id, delai)

    def decision_appliquee(self, rapport_id: int) -> Decision | None:
        """La dernière validation appliquée (ses anomalies reconnues vont dans la fiche Word)."""
        with self._transaction() as session:
            return session.scalar(
                select(Decision)
                .where(Decision.rapport_id == rapport_id, Decision.etat == decisions.APPLIQUEE)
                .order_by(Decision.id.desc())
                .limit(1)
            )

    # --- Durées --------------------------------------------------------------------------

    def enregistrer_duree(
        self, rapport_id: int, etape: str, duree_s: float, *, agent: str | None = None
    ) -> None:
        """Ajoute une durée ; `agent` : l'agent dont c'est le temps de revue active."""
        with self._transaction() as session:
            session.add(Duree(rapport_id=rapport_id, etape=etape, duree_s=duree_s, agent=agent))

    def enregistrer_temps_revue(
        self, rapport_id: int, etape: str, duree_s: float, *, agent: str
    ) -> float:
        """Ajoute du temps de revue active, borné par l'horloge : jamais plus que le temps
        écoulé depuis le dernier temps compté de cet agent (tous rapports confondus, un
        agent ne relit pas deux rapports à la fois). Rend les secondes retenues."""
        with self._transaction() as session:
            dernier = session.scalar(
                select(func.max(Duree.cree_le)).where(Duree.agent == agent, Duree.etape == etape)
            )
            instant = maintenant()
            if dernier is not None:
                dernier = dernier if dernier.tzinfo else dernier.replace(tzinfo=UTC)
                duree_s = max(0.0, min(duree_s, (instant - dernier).total_seconds()))
            if duree_s > 0:
                session.add(
                    Duree(rapport_id=rapport_id, etape=etape, duree_s=duree_s,
                          agent=agent, cree_le=instant)
                )  # fmt: skip
            return duree_s

    def durees(self, rapport_id: int) -> dict[str, float]:
        """Durée cumulée par étape (une étape relancée s'additionne)."""
        with self._transaction() as session:
            lignes = session.execute(
                select(Duree.etape, func.sum(Duree.duree_s))
                .where(Duree.rapport_id == rapport_id)
                .group_by(Duree.etape)
            )
            return {etape: float(total) for etape, total in lignes}

    # --- Contrats ------------------------------------------------------------------------

    def importer_contrats(self, chemin: Path) -> int:
        """Importe le CSV ; tout ou rien (une ligne fautive n'importe rien)."""
        lignes = registre.lire_csv(chemin)
        with self._transaction() as session:
            return registre.importer(session, lignes)

    def contrats(self) -> list[Contrat]:
        with self._transaction() as session:
            return list(session.scalars(select(Contrat).order_by(Contrat.cle)))

    def contrats_manquants(self, exercice: int) -> list[Contrat]:
        with self._transaction() as session:
            return registre.manquants(session, exercice)

    def confirmer_contrat(self, rapport_id: int, cle: str, *, agent: str) -> Rapport:
        """L'agent confirme (ou corrige) le contrat d'un rapport ; inscrit au journal."""
        with self._transaction() as session:
            rapport = self._rapport(session, rapport_id)
            contrat = session.scalar(select(Contrat).where(Contrat.cle == cle))
            if contrat is None:
                raise StockageError(f"Contrat inconnu : « {cle} ».", fichier=rapport.fichier)
            ancien = session.get(Contrat, rapport.contrat_id) if rapport.contrat_id else None
            rapport.contrat_id, rapport.contrat_confirme = contrat.id, True
            self._journal(
                session, rapport_id, agent, "contrat", None, ancien.cle if ancien else None, cle
            )
            return rapport
