"""Publication : les fiches de synthèse et le rapport annuel pour la CCSPL en Word.

`rendre_fiche` écrit une fiche (brouillon filigrané ou fiche validée) ; `publier_rapport`
et `rapports_ccspl` (un rapport par autorité délégante) lisent la base et écrivent dans
`DSP_DATA_DIR/publications/<exercice>/`.
"""

from publication.annuel import rapports_ccspl
from publication.publier import publier_rapport, rapports_publiables
from publication.rendu import rendre_fiche

__all__ = ["publier_rapport", "rapports_ccspl", "rapports_publiables", "rendre_fiche"]
