"""Schéma initial : contrats, rapports, versions de fiche, anomalies, journal de revue, durées.

Le journal de revue (`evenements_revue`) est protégé par des déclencheurs qui refusent
UPDATE et DELETE : l'audit reste en ajout seul même pour un client SQL direct.

Révision : 0001_initial
Précédente : aucune
Créée le : 2026-11-22 01:40:33.349870
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contrats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cle", sa.String(length=100), nullable=False),
        sa.Column("collectivite", sa.String(length=300), nullable=False),
        sa.Column("delegataire", sa.String(length=300), nullable=False),
        sa.Column("objet", sa.Text(), nullable=False),
        sa.Column("secteur", sa.String(length=50), nullable=True),
        sa.Column("type_contrat", sa.String(length=50), nullable=True),
        sa.Column("date_debut", sa.Date(), nullable=True),
        sa.Column("date_fin", sa.Date(), nullable=True),
        sa.Column("parametres", sa.JSON(), nullable=False),
        sa.Column("heures_revue_reference", sa.Float(), nullable=True),
        sa.Column("modifie_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cle"),
    )
    op.create_table(
        "rapports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fichier", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("precedent_id", sa.Integer(), nullable=True),
        sa.Column("contrat_id", sa.Integer(), nullable=True),
        sa.Column("score_contrat", sa.Float(), nullable=True),
        sa.Column("contrat_confirme", sa.Boolean(), nullable=False),
        sa.Column("exercice", sa.Integer(), nullable=True),
        sa.Column("statut", sa.String(length=20), nullable=False),
        sa.Column("raison", sa.Text(), nullable=True),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modifie_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contrat_id"],
            ["contrats.id"],
        ),
        sa.ForeignKeyConstraint(
            ["precedent_id"],
            ["rapports.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fichier", "version", name="uq_rapports_fichier_version"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "durees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rapport_id", sa.Integer(), nullable=False),
        sa.Column("etape", sa.String(length=50), nullable=False),
        sa.Column("duree_s", sa.Float(), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rapport_id"],
            ["rapports.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("durees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_durees_rapport_id"), ["rapport_id"], unique=False)

    op.create_table(
        "evenements_revue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rapport_id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column("date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("champ", sa.String(length=300), nullable=True),
        sa.Column("ancienne_valeur", sa.Text(), nullable=True),
        sa.Column("nouvelle_valeur", sa.Text(), nullable=True),
        sa.Column("commentaire", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["rapport_id"],
            ["rapports.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evenements_revue", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evenements_revue_rapport_id"), ["rapport_id"], unique=False
        )

    op.create_table(
        "versions_fiche",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rapport_id", sa.Integer(), nullable=False),
        sa.Column("numero", sa.Integer(), nullable=False),
        sa.Column("contenu", sa.JSON(), nullable=False),
        sa.Column("auteur", sa.String(length=200), nullable=True),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rapport_id"],
            ["rapports.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rapport_id", "numero", name="uq_versions_fiche_numero"),
    )
    with op.batch_alter_table("versions_fiche", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_versions_fiche_rapport_id"), ["rapport_id"], unique=False
        )

    op.create_table(
        "anomalies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("gravite", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("champs", sa.JSON(), nullable=False),
        sa.Column("pages", sa.JSON(), nullable=False),
        sa.Column("regle", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["versions_fiche.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("anomalies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_anomalies_version_id"), ["version_id"], unique=False)

    _journal_ajout_seul()


MESSAGE_AJOUT_SEUL = "journal de revue en ajout seul : modification et suppression interdites"

DECLENCHEURS_SQLITE = [
    f"""CREATE TRIGGER evenements_revue_{operation.lower()}_interdit
    BEFORE {operation} ON evenements_revue
    BEGIN SELECT RAISE(ABORT, '{MESSAGE_AJOUT_SEUL}'); END"""
    for operation in ("UPDATE", "DELETE")
]

FONCTION_POSTGRESQL = f"""CREATE FUNCTION evenements_revue_ajout_seul() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE_AJOUT_SEUL}';
END;
$$"""

DECLENCHEURS_POSTGRESQL = [
    FONCTION_POSTGRESQL,
    """CREATE TRIGGER evenements_revue_ajout_seul BEFORE UPDATE OR DELETE ON evenements_revue
    FOR EACH ROW EXECUTE FUNCTION evenements_revue_ajout_seul()""",
    """CREATE TRIGGER evenements_revue_sans_vidage BEFORE TRUNCATE ON evenements_revue
    FOR EACH STATEMENT EXECUTE FUNCTION evenements_revue_ajout_seul()""",
]


def _journal_ajout_seul() -> None:
    """Déclencheurs refusant UPDATE/DELETE sur le journal (SQLite et PostgreSQL)."""
    dialecte = op.get_bind().dialect.name
    instructions = {"sqlite": DECLENCHEURS_SQLITE, "postgresql": DECLENCHEURS_POSTGRESQL}
    for instruction in instructions.get(dialecte, []):
        op.execute(instruction)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE evenements_revue CASCADE")
        op.execute("DROP FUNCTION evenements_revue_ajout_seul()")
    with op.batch_alter_table("anomalies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anomalies_version_id"))

    op.drop_table("anomalies")
    with op.batch_alter_table("versions_fiche", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_versions_fiche_rapport_id"))

    op.drop_table("versions_fiche")
    with op.batch_alter_table("evenements_revue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evenements_revue_rapport_id"))

    if op.get_bind().dialect.name != "postgresql":
        op.drop_table("evenements_revue")
    with op.batch_alter_table("durees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_durees_rapport_id"))

    op.drop_table("durees")
    op.drop_table("rapports")
    op.drop_table("contrats")
