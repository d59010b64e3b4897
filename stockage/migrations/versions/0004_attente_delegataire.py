"""Rejet : attente d'un nouveau fichier du délégataire, avec une échéance.

- `rapports.echeance` : date avant laquelle le délégataire doit envoyer un rapport
  corrigé ;
- le statut `rejete` (rejet suivi d'un retraitement du même fichier, qui redonnait la même
  fiche) devient `attente_delegataire`, échéance à 30 jours de son dernier changement
  (le défaut de `DSP_DELAI_DELEGATAIRE_JOURS`) : il attend désormais un nouveau fichier.

Révision : 0004_attente_delegataire
Précédente : 0003_validation
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0004_attente_delegataire"
down_revision: str | None = "0003_validation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DELAI_JOURS = 30

RAPPORTS = sa.table(
    "rapports",
    sa.column("id", sa.Integer()),
    sa.column("statut", sa.String()),
    sa.column("modifie_le", sa.DateTime(timezone=True)),
    sa.column("echeance", sa.Date()),
)


def upgrade() -> None:
    with op.batch_alter_table("rapports") as batch_op:
        batch_op.add_column(sa.Column("echeance", sa.Date(), nullable=True))
    connexion = op.get_bind()
    rejetes = connexion.execute(
        sa.select(RAPPORTS.c.id, RAPPORTS.c.modifie_le).where(RAPPORTS.c.statut == "rejete")
    ).all()
    for identifiant, modifie_le in rejetes:
        depart = modifie_le if isinstance(modifie_le, datetime) else datetime.now()
        connexion.execute(
            RAPPORTS.update()
            .where(RAPPORTS.c.id == identifiant)
            .values(
                statut="attente_delegataire",
                echeance=(depart + timedelta(days=DELAI_JOURS)).date(),
            )
        )


def downgrade() -> None:
    op.execute(
        "UPDATE rapports SET statut = 'rejete' WHERE statut IN ('attente_delegataire', 'remplace')"
    )
    with op.batch_alter_table("rapports") as batch_op:
        batch_op.drop_column("echeance")
