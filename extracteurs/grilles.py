"""Grille brute : ce qu'un lecteur de tableaux rend avant la mise en forme commune.

Chaque lecteur (alignement des mots, pdfplumber, camelot, DOCX, XLSX) produit des
`GrilleBrute` ; `extracteurs.tableaux.construire_tableau` en fait des `Tableau`
(en-têtes, années, unité, nombres) de la même façon pour tous les formats.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from extracteurs.modeles import Boite, MethodeTableau


class CelluleBrute(BaseModel):
    model_config = ConfigDict(extra="forbid")

    texte: str
    page: int = Field(ge=1)
    boite: Boite | None = None
    nombre: float | None = Field(
        None, description="Valeur numérique native (tableur) ; sinon lue depuis le texte"
    )


class GrilleBrute(BaseModel):
    model_config = ConfigDict(extra="forbid")

    methode: MethodeTableau
    page: int = Field(ge=1, description="Page où commence la grille")
    lignes: list[list[CelluleBrute]]
    boite: Boite | None = None
    contexte: list[str] = Field(
        default_factory=list, description="Lignes de texte juste au-dessus (titre, unité)"
    )
    score: float = Field(0.0, ge=0, le=1)
    scores: dict[str, float] = Field(
        default_factory=dict, description="Note de chaque lecteur essayé sur la page"
    )
