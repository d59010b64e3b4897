"""Tables de la base (SQLAlchemy 2, typées) ; le schéma est créé par les migrations Alembic.

Toute modification passe par une nouvelle révision dans `stockage/migrations/versions/` :
ces classes décrivent le schéma, elles ne le créent jamais (`create_all` n'est pas employé).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def maintenant() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        datetime: DateTime(timezone=True),
    }


class Contrat(Base):
    """Un contrat de DSP du registre (importé d'un CSV modifiable par les agents)."""

    __tablename__ = "contrats"

    id: Mapped[int] = mapped_column(primary_key=True)
    cle: Mapped[str] = mapped_column(String(100), unique=True)
    collectivite: Mapped[str] = mapped_column(String(300))
    delegataire: Mapped[str] = mapped_column(String(300))
    objet: Mapped[str] = mapped_column(Text)
    secteur: Mapped[str | None] = mapped_column(String(50))
    type_contrat: Mapped[str | None] = mapped_column(String(50))
    date_debut: Mapped[date | None] = mapped_column(Date)
    date_fin: Mapped[date | None] = mapped_column(Date)
    parametres: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Paramètres contractuels : formule de redevance, taux de frais de siège, etc."""
    heures_revue_reference: Mapped[float | None] = mapped_column(Float)
    modifie_le: Mapped[datetime] = mapped_column(default=maintenant)


class Rapport(Base):
    """Un fichier reçu. Un même nom de fichier dont le contenu change donne une nouvelle
    ligne (`version` + 1) ; un contenu déjà vu (sha256) n'est jamais enregistré deux fois."""

    __tablename__ = "rapports"
    __table_args__ = (UniqueConstraint("fichier", "version", name="uq_rapports_fichier_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fichier: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    precedent_id: Mapped[int | None] = mapped_column(ForeignKey("rapports.id"))
    contrat_id: Mapped[int | None] = mapped_column(ForeignKey("contrats.id"))
    score_contrat: Mapped[float | None] = mapped_column(Float)
    """Score (0-100) du rapprochement automatique, pour que l'agent le confirme."""
    contrat_confirme: Mapped[bool] = mapped_column(default=False)
    exercice: Mapped[int | None] = mapped_column(Integer, index=True)
    secteur: Mapped[str | None] = mapped_column(String(50), index=True)
    """Secteur, délégataire et collectivité de la dernière fiche (file de revue, recherche)."""
    delegataire: Mapped[str | None] = mapped_column(String(300))
    collectivite: Mapped[str | None] = mapped_column(String(300))
    statut: Mapped[str] = mapped_column(String(20), index=True)
    raison: Mapped[str | None] = mapped_column(Text)
    echeance: Mapped[date | None] = mapped_column(Date)
    """Après un rejet : date avant laquelle le délégataire doit envoyer un nouveau fichier."""
    cree_le: Mapped[datetime] = mapped_column(default=maintenant)
    modifie_le: Mapped[datetime] = mapped_column(default=maintenant)


class VersionFiche(Base):
    """Une fiche produite ou corrigée ; aucune version n'est remplacée ni effacée."""

    __tablename__ = "versions_fiche"
    __table_args__ = (UniqueConstraint("rapport_id", "numero", name="uq_versions_fiche_numero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rapport_id: Mapped[int] = mapped_column(ForeignKey("rapports.id"), index=True)
    numero: Mapped[int] = mapped_column(Integer)
    contenu: Mapped[dict[str, Any]] = mapped_column()
    auteur: Mapped[str | None] = mapped_column(String(200))
    cree_le: Mapped[datetime] = mapped_column(default=maintenant)
    hachage: Mapped[str | None] = mapped_column(String(64))
    """sha256 du contenu (JSON canonique) : ce qu'une décision valide (`decisions`)."""


class AnomalieEnregistree(Base):
    """Une anomalie d'une version de fiche, en colonnes pour pouvoir compter et filtrer."""

    __tablename__ = "anomalies"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions_fiche.id"), index=True)
    code: Mapped[str] = mapped_column(String(50))
    gravite: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    champs: Mapped[list[str]] = mapped_column(JSON, default=list)
    pages: Mapped[list[int]] = mapped_column(JSON, default=list)
    regle: Mapped[str | None] = mapped_column(Text)


class EvenementRevue(Base):
    """Journal d'audit en ajout seul (un déclencheur refuse UPDATE et DELETE), chaîné :
    chaque événement porte le hachage du précédent (`stockage.journal`)."""

    __tablename__ = "evenements_revue"
    __table_args__ = (Index("uq_evenements_revue_hachage", "hachage", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rapport_id: Mapped[int] = mapped_column(ForeignKey("rapports.id"), index=True)
    agent: Mapped[str] = mapped_column(String(200))
    date: Mapped[datetime] = mapped_column(default=maintenant)
    action: Mapped[str] = mapped_column(String(50), index=True)
    champ: Mapped[str | None] = mapped_column(String(300))
    ancienne_valeur: Mapped[str | None] = mapped_column(Text)
    nouvelle_valeur: Mapped[str | None] = mapped_column(Text)
    commentaire: Mapped[str | None] = mapped_column(Text)
    hachage_precedent: Mapped[str | None] = mapped_column(String(64))
    hachage: Mapped[str | None] = mapped_column(String(64))


class TeteJournal(Base):
    """Une ligne : le dernier maillon du journal. La mettre à jour en premier sérialise les
    écritures du journal (verrou de ligne PostgreSQL, verrou d'écriture SQLite), et
    `dsp journal verifier` y lit le nombre d'événements (une fin de journal supprimée se voit)."""

    __tablename__ = "tete_journal"

    id: Mapped[int] = mapped_column(primary_key=True)
    nombre: Mapped[int] = mapped_column(Integer, default=0)
    dernier_hachage: Mapped[str | None] = mapped_column(String(64))


class Decision(Base):
    """La décision d'un compte sur une version précise d'une fiche (son hachage).

    `en_attente` tant qu'elle n'est pas appliquée : aucune nouvelle version n'est acceptée
    pendant ce temps ; `appliquee` ensuite ; `refusee` si elle ne correspond plus à la
    fiche ; `annulee` par une dérogation d'un administrateur."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    rapport_id: Mapped[int] = mapped_column(ForeignKey("rapports.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions_fiche.id"))
    hachage: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(20))
    compte: Mapped[str] = mapped_column(String(100))
    agent: Mapped[str] = mapped_column(String(200))
    commentaire: Mapped[str | None] = mapped_column(Text)
    reconnaissances: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """Anomalies bloquantes ou alertes reconnues : code, gravité, message, motif."""
    derogation: Mapped[str | None] = mapped_column(Text)
    """Motif de la dérogation d'un administrateur, sinon None."""
    etat: Mapped[str] = mapped_column(String(20), index=True)
    cree_le: Mapped[datetime] = mapped_column(default=maintenant)
    version_signee_id: Mapped[int | None] = mapped_column(ForeignKey("versions_fiche.id"))


class Duree(Base):
    """Durée d'une étape du traitement d'un rapport (extraction, remplissage, revue…)."""

    __tablename__ = "durees"

    id: Mapped[int] = mapped_column(primary_key=True)
    rapport_id: Mapped[int] = mapped_column(ForeignKey("rapports.id"), index=True)
    etape: Mapped[str] = mapped_column(String(50))
    duree_s: Mapped[float] = mapped_column(Float)
    cree_le: Mapped[datetime] = mapped_column(default=maintenant)
    agent: Mapped[str | None] = mapped_column(String(200))
    """L'agent dont c'est le temps de revue active (None pour les étapes machine)."""


class Utilisateur(Base):
    """Un compte local de l'application de revue (mot de passe haché, jamais en clair)."""

    __tablename__ = "utilisateurs"

    id: Mapped[int] = mapped_column(primary_key=True)
    identifiant: Mapped[str] = mapped_column(String(100), unique=True)
    nom: Mapped[str] = mapped_column(String(200))
    hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    actif: Mapped[bool] = mapped_column(default=True)
    cree_le: Mapped[datetime] = mapped_column(default=maintenant)


class SessionRevue(Base):
    """Une session ouverte : seule l'empreinte sha256 du jeton du cookie est gardée."""

    __tablename__ = "sessions_revue"

    id: Mapped[int] = mapped_column(primary_key=True)
    empreinte: Mapped[str] = mapped_column(String(64), unique=True)
    utilisateur_id: Mapped[int] = mapped_column(ForeignKey("utilisateurs.id"), index=True)
    cree_le: Mapped[datetime] = mapped_column(default=maintenant)
    expire_le: Mapped[datetime] = mapped_column()
