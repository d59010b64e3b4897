"""Confiance de l'OCR pour un texte cité : la plus basse des mots qui le forment.

Partagée par les contrôles (quelle cellule vérifier d'abord sur le scan) et par la
confiance de chaque champ de la fiche (une valeur lue par OCR est moins sûre).
"""

from __future__ import annotations

from extracteurs.modeles import Document, Ligne
from extracteurs.nombres import normaliser_espaces


def confiance_ocr(document: Document, page: int | None, citation: str | None) -> float | None:
    """Confiance OCR (0-100) la plus basse des mots qui forment une cellule d'une page
    scannée (« 1 221 532 » lu en « 1221 » 84 et « 532 » 74 : 74) ; `None` sur une page
    native ou si la cellule n'est pas retrouvée."""
    if page is None or not citation:
        return None
    cible = "".join(normaliser_espaces(citation).split())
    if not cible:
        return None
    for feuille in document.pages:
        if feuille.numero != page or not feuille.scannee:
            continue
        for ligne in feuille.lignes:
            trouvee = _dans_la_ligne(ligne, cible)
            if trouvee is not None:
                return trouvee
    return None


def _dans_la_ligne(ligne: Ligne, cible: str) -> float | None:
    mots = [m for m in ligne.mots if m.texte.strip()]
    for debut in range(len(mots)):
        lu = ""
        for fin in range(debut, len(mots)):
            lu += "".join(mots[fin].texte.split())
            if lu == cible:
                connues = [m.confiance for m in mots[debut : fin + 1] if m.confiance is not None]
                return min(connues) if connues else None
            if not cible.startswith(lu):
                break
    return None
