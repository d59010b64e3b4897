"""Rendu docxtpl : un gabarit de `gabarits/`, un contexte typé, un fichier écrit d'un coup.

C'est le seul endroit où le contexte devient un dictionnaire, et le seul appel à
`render` : toujours avec les filtres français et l'échappement automatique.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError
from pydantic import BaseModel

from fiche.modeles import Fiche
from publication.contexte import Reconnaissance, contexte_fiche
from publication.filtres import environnement
from socle.erreurs import PublicationError
from socle.fichiers import ecrire_atomique

if TYPE_CHECKING:
    # Le rapport CCSPL (graphiques : PIL) n'est chargé que par qui le rend : le brouillon
    # de chaque fiche de `dsp traiter` passe par ce module sans lui (~0,08 s CPU).
    from publication.ccspl import ContexteCcspl

DOSSIER_GABARITS = Path(__file__).resolve().parent.parent / "gabarits"
GABARIT_FICHE = "fiche_synthese.docx"
GABARIT_CCSPL = "rapport_ccspl.docx"


class _Gabarit(DocxTemplate):  # type: ignore[misc]
    """Gabarit docxtpl dont le XML préparé pour jinja est gardé d'un rendu à l'autre.

    `patch_xml` (nettoyage du XML de Word par expressions régulières, ~10 ms par partie)
    ne dépend que du XML du gabarit, relu identique à chaque fiche."""

    _prepares: ClassVar[dict[str, str]] = {}

    def patch_xml(self, src_xml: str) -> str:
        prepare = self._prepares.get(src_xml)
        if prepare is None:
            prepare = super().patch_xml(src_xml)
            if len(self._prepares) < _PARTIES_MEMORISEES:
                self._prepares[src_xml] = prepare
        return prepare


_PARTIES_MEMORISEES = 64


def charger(nom: str) -> DocxTemplate:
    chemin = DOSSIER_GABARITS / nom
    if not chemin.is_file():
        raise PublicationError(
            f"Gabarit introuvable : {chemin} "
            "(le régénérer : uv run python gabarits/construire.py).",
            fichier=chemin,
        )
    return _Gabarit(str(chemin))


def donnees(contexte: BaseModel) -> dict[str, Any]:
    """Le contexte en dictionnaire ; dates et nombres restent bruts pour les filtres."""
    return contexte.model_dump(mode="python")


def enregistrer(gabarit: DocxTemplate, valeurs: dict[str, Any], cible: Path) -> Path:
    """Rend le gabarit et l'écrit atomiquement (temporaire puis renommage)."""
    try:
        gabarit.render(valeurs, environnement(), autoescape=True)
    except TemplateError as exc:
        # Un agent a pu abîmer une balise en retouchant le gabarit dans Word.
        raise PublicationError(
            f"Le gabarit Word contient une balise invalide : {exc.message or exc}.",
            fichier=cible.name,
        ) from exc
    flux = io.BytesIO()
    gabarit.save(flux)
    ecrire_atomique(cible, flux.getvalue())
    return cible


def rendre_fiche(
    fiche: Fiche,
    cible: Path,
    *,
    brouillon: bool,
    reconnaissances: Sequence[Reconnaissance] = (),
) -> Path:
    """La fiche en Word : brouillon (filigrane « PROJET — non validé ») ou fiche validée.

    Une fiche sans revue est toujours un brouillon ; la mention de transparence nomme
    l'agent et la date de la revue ; les anomalies reconnues par le valideur portent sa
    reconnaissance dans les points de vigilance.
    """
    contexte = contexte_fiche(fiche, brouillon=brouillon, reconnaissances=reconnaissances)
    return enregistrer(charger(GABARIT_FICHE), donnees(contexte), cible)


LARGEUR_GRAPHIQUE = Mm(165)
"""Largeur d'un graphique dans la page A4 (17,4 cm utiles)."""


def rendre_ccspl(contexte: ContexteCcspl, cible: Path) -> Path:
    """Le rapport CCSPL ; chaque fiche incluse, déjà rendue, entre comme sous-document
    (styles repris par docxcompose) : sa mise en page reste celle du gabarit de la fiche.
    Les graphiques (PNG) entrent comme images dans le texte."""
    gabarit = charger(GABARIT_CCSPL)
    valeurs = donnees(contexte)
    for brute, incluse in zip(valeurs["fiches"], contexte.fiches, strict=True):
        brute["document"] = gabarit.new_subdoc(str(incluse.chemin))
        brute["graphique"] = InlineImage(gabarit, str(incluse.graphique), width=LARGEUR_GRAPHIQUE)
    valeurs["graphique_anomalies"] = InlineImage(
        gabarit, str(contexte.graphique_anomalies), width=LARGEUR_GRAPHIQUE
    )
    return enregistrer(gabarit, valeurs, cible)
