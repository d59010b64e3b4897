"""Publication : les fiches de synthèse et le rapport annuel pour la CCSPL en Word.

`rendre_fiche` écrit une fiche (brouillon filigrané ou fiche validée) ; `publier_rapport`
et `rapports_ccspl` (un rapport par autorité délégante) lisent la base et écrivent dans
`DSP_DATA_DIR/publications/<exercice>/`.

Chaque nom est chargé à sa première lecture : `dsp traiter`, qui n'écrit que des
brouillons, et le lot, qui ne lit que `filtres`, ne chargent pas le rapport annuel, ses
graphiques ni la publication en base (~0,08 s CPU par commande).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from publication.annuel import rapports_ccspl
    from publication.publier import publier_rapport, rapports_publiables
    from publication.rendu import rendre_fiche

_MODULES = {
    "rapports_ccspl": "publication.annuel",
    "publier_rapport": "publication.publier",
    "rapports_publiables": "publication.publier",
    "rendre_fiche": "publication.rendu",
}
__all__ = ["publier_rapport", "rapports_ccspl", "rapports_publiables", "rendre_fiche"]


def __getattr__(nom: str) -> Any:
    if nom in _MODULES:
        return getattr(import_module(_MODULES[nom]), nom)
    raise AttributeError(f"module 'publication' has no attribute {nom!r}")
