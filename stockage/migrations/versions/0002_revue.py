"""Application de revue : comptes locaux, sessions, temps de revue par agent, colonnes de
la file de revue (secteur, délégataire, collectivité de la dernière fiche) et index.

Les colonnes ajoutées à `rapports` sont remplies depuis la dernière version de fiche de
chaque rapport déjà en base.

Révision : 0002_revue
Précédente : 0001_initial
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002_revue"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "utilisateurs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identifiant", sa.String(length=100), nullable=False),
        sa.Column("nom", sa.String(length=200), nullable=False),
        sa.Column("hash", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("actif", sa.Boolean(), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identifiant"),
    )
    op.create_table(
        "sessions_revue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("empreinte", sa.String(length=64), nullable=False),
        sa.Column("utilisateur_id", sa.Integer(), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expire_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["utilisateur_id"], ["utilisateurs.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("empreinte"),
    )
    op.create_index(
        "ix_sessions_revue_utilisateur_id", "sessions_revue", ["utilisateur_id"], unique=False
    )
    with op.batch_alter_table("durees") as batch_op:
        batch_op.add_column(sa.Column("agent", sa.String(length=200), nullable=True))
    with op.batch_alter_table("rapports") as batch_op:
        batch_op.add_column(sa.Column("secteur", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("delegataire", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("collectivite", sa.String(length=300), nullable=True))
    op.create_index("ix_rapports_statut", "rapports", ["statut"], unique=False)
    op.create_index("ix_rapports_exercice", "rapports", ["exercice"], unique=False)
    op.create_index("ix_rapports_secteur", "rapports", ["secteur"], unique=False)
    op.create_index("ix_evenements_revue_action", "evenements_revue", ["action"], unique=False)
    _remplir_rapports()


def _valeur(contenu: dict[str, Any], nom: str) -> Any:
    champ = (contenu.get("identification") or {}).get(nom) or {}
    return champ.get("valeur") if isinstance(champ, dict) else None


def _remplir_rapports() -> None:
    """Secteur, délégataire et collectivité de la dernière fiche de chaque rapport."""
    connexion = op.get_bind()
    versions = sa.table(
        "versions_fiche",
        sa.column("rapport_id", sa.Integer()),
        sa.column("numero", sa.Integer()),
        sa.column("contenu", sa.JSON()),
    )
    rapports = sa.table(
        "rapports",
        sa.column("id", sa.Integer()),
        sa.column("secteur", sa.String()),
        sa.column("delegataire", sa.String()),
        sa.column("collectivite", sa.String()),
    )
    dernieres: dict[int, dict[str, Any]] = {}
    requete = sa.select(versions.c.rapport_id, versions.c.contenu).order_by(
        versions.c.rapport_id, versions.c.numero
    )
    for rapport_id, contenu in connexion.execute(requete):
        dernieres[rapport_id] = contenu or {}
    for rapport_id, contenu in dernieres.items():
        connexion.execute(
            rapports.update()
            .where(rapports.c.id == rapport_id)
            .values(
                secteur=_valeur(contenu, "secteur"),
                delegataire=_valeur(contenu, "delegataire"),
                collectivite=_valeur(contenu, "collectivite"),
            )
        )


def downgrade() -> None:
    op.drop_index("ix_evenements_revue_action", table_name="evenements_revue")
    op.drop_index("ix_rapports_secteur", table_name="rapports")
    op.drop_index("ix_rapports_exercice", table_name="rapports")
    op.drop_index("ix_rapports_statut", table_name="rapports")
    with op.batch_alter_table("rapports") as batch_op:
        batch_op.drop_column("collectivite")
        batch_op.drop_column("delegataire")
        batch_op.drop_column("secteur")
    with op.batch_alter_table("durees") as batch_op:
        batch_op.drop_column("agent")
    op.drop_index("ix_sessions_revue_utilisateur_id", table_name="sessions_revue")
    op.drop_table("sessions_revue")
    op.drop_table("utilisateurs")
