"""Chaîne de validation : journal chaîné par hachage, hachage des versions de fiche,
décisions liées à une version.

- `evenements_revue` : `hachage_precedent` et `hachage` ; les événements déjà en base sont
  chaînés dans l'ordre de leurs numéros (déclencheurs d'ajout seul suspendus le temps de
  la migration, puis rétablis) ; `tete_journal` garde le dernier maillon ;
- `versions_fiche.hachage` : sha256 du contenu, calculé pour les versions existantes ;
- `decisions` : la décision d'un compte sur une version (son hachage), ses anomalies
  reconnues, son état.

Révision : 0003_validation
Précédente : 0002_revue
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from stockage.journal import hachage_contenu, sceller_existants

revision: str = "0003_validation"
down_revision: str | None = "0002_revue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE_AJOUT_SEUL = "journal de revue en ajout seul : modification et suppression interdites"
DECLENCHEURS_SQLITE = {
    operation: f"""CREATE TRIGGER evenements_revue_{operation.lower()}_interdit
    BEFORE {operation} ON evenements_revue
    BEGIN SELECT RAISE(ABORT, '{MESSAGE_AJOUT_SEUL}'); END"""
    for operation in ("UPDATE", "DELETE")
}


def _suspendre_ajout_seul(suspendre: bool) -> None:
    """Le seul moment où le journal est réécrit : son scellement par cette migration."""
    if op.get_bind().dialect.name == "postgresql":
        etat = "DISABLE" if suspendre else "ENABLE"
        op.execute(f"ALTER TABLE evenements_revue {etat} TRIGGER evenements_revue_ajout_seul")
        return
    for operation, creation in DECLENCHEURS_SQLITE.items():
        if suspendre:
            op.execute(f"DROP TRIGGER evenements_revue_{operation.lower()}_interdit")
        else:
            op.execute(creation)


def upgrade() -> None:
    with op.batch_alter_table("evenements_revue") as batch_op:
        batch_op.add_column(sa.Column("hachage_precedent", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hachage", sa.String(length=64), nullable=True))
    op.create_table(
        "tete_journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nombre", sa.Integer(), nullable=False),
        sa.Column("dernier_hachage", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    _suspendre_ajout_seul(True)
    sceller_existants(op.get_bind())
    _suspendre_ajout_seul(False)
    op.create_index("uq_evenements_revue_hachage", "evenements_revue", ["hachage"], unique=True)
    with op.batch_alter_table("versions_fiche") as batch_op:
        batch_op.add_column(sa.Column("hachage", sa.String(length=64), nullable=True))
    _hacher_versions()
    _table_decisions()


def _hacher_versions() -> None:
    connexion = op.get_bind()
    versions = sa.table(
        "versions_fiche", sa.column("id", sa.Integer()), sa.column("contenu", sa.JSON()),
        sa.column("hachage", sa.String()),
    )  # fmt: skip
    for identifiant, contenu in connexion.execute(sa.select(versions.c.id, versions.c.contenu)):
        connexion.execute(
            versions.update()
            .where(versions.c.id == identifiant)
            .values(hachage=hachage_contenu(contenu))
        )


def _table_decisions() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rapport_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("hachage", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("compte", sa.String(length=100), nullable=False),
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column("commentaire", sa.Text(), nullable=True),
        sa.Column("reconnaissances", sa.JSON(), nullable=False),
        sa.Column("derogation", sa.Text(), nullable=True),
        sa.Column("etat", sa.String(length=20), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_signee_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["rapport_id"], ["rapports.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["versions_fiche.id"]),
        sa.ForeignKeyConstraint(["version_signee_id"], ["versions_fiche.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decisions_rapport_id", "decisions", ["rapport_id"], unique=False)
    op.create_index("ix_decisions_etat", "decisions", ["etat"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_decisions_etat", table_name="decisions")
    op.drop_index("ix_decisions_rapport_id", table_name="decisions")
    op.drop_table("decisions")
    with op.batch_alter_table("versions_fiche") as batch_op:
        batch_op.drop_column("hachage")
    op.drop_index("uq_evenements_revue_hachage", table_name="evenements_revue")
    op.drop_table("tete_journal")
    _suspendre_ajout_seul(True)
    with op.batch_alter_table("evenements_revue") as batch_op:
        batch_op.drop_column("hachage")
        batch_op.drop_column("hachage_precedent")
    _suspendre_ajout_seul(False)
