"""Le `Document` typé que produit tout extracteur, quel que soit le format d'entrée.

Coordonnées : points PDF (1/72 pouce), origine en haut à gauche de la page *telle
qu'affichée* (rotation appliquée). Les pages sont numérotées à partir de 1 ; pour un
classeur, une feuille est une page ; pour un DOCX, les pages suivent les sauts de page.
Les nombres des cellules sont dans l'unité de la source (voir `Tableau.unite`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

UniteMontant = Literal["euro", "millier_euro", "million_euro"]
MethodeTableau = Literal[
    "alignement", "pdfplumber", "camelot-lattice", "camelot-stream", "docx", "xlsx", "html"
]
FormatSource = Literal["pdf", "docx", "odt", "xlsx", "html"]
GenreLigne = Literal["titre", "recit", "liste", "tableau", "texte"]

MULTIPLICATEURS: dict[str, float] = {"euro": 1.0, "millier_euro": 1e3, "million_euro": 1e6}


class Enregistrement(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Boîtes et mots sont des n-uplets nommés, pas des modèles pydantic : un rapport de
# 1 000 pages en porte des centaines de milliers, et un modèle pydantic (dictionnaire et
# ensemble des champs fixés par instance) pèse ~4× un n-uplet ; c'était la moitié de la
# mémoire du `Document`. En JSON : des tableaux ; pydantic relit aussi la forme objet.
class Boite(NamedTuple):
    x0: float
    haut: float
    x1: float
    bas: float


class Mot(NamedTuple):
    texte: str
    boite: Boite | None = None
    confiance: float | None = None
    """Confiance OCR (0-100), None si natif."""


class Ligne(Enregistrement):
    id: str = Field(description="Identifiant stable : p<page>-l<rang>")
    page: int = Field(ge=1)
    texte: str
    boite: Boite | None = None
    taille: float | None = Field(None, description="Taille de police (ou hauteur OCR)")
    gras: bool = False
    genre: GenreLigne | None = Field(
        None, description="Type d'élément : titre de section, récit, liste, ligne de tableau"
    )
    mots: list[Mot] = Field(default_factory=list)


class Page(Enregistrement):
    numero: int = Field(ge=1)
    largeur: float
    hauteur: float
    rotation: int = Field(
        0,
        description="Angle (degrés, sens horaire) dont la page affichée a été redressée "
        "pour la lecture ; les boîtes sont dans ce repère redressé",
    )
    scannee: bool = False
    ocr_confiance: float | None = None
    lignes: list[Ligne] = Field(default_factory=list)

    @property
    def texte(self) -> str:
        return "\n".join(ligne.texte for ligne in self.lignes)


class Cellule(Enregistrement):
    texte: str
    nombre: float | None = None
    page: int = Field(ge=1)
    ligne: int = Field(ge=0, description="Rang de la ligne dans le tableau assemblé")
    colonne: int = Field(ge=0)
    boite: Boite | None = None


class Colonne(Enregistrement):
    index: int = Field(ge=0)
    entete: str = ""
    annee: int | None = Field(None, description="Année de l'exercice détectée dans l'en-tête")


class Tableau(Enregistrement):
    id: str = Field(description="Identifiant stable : t<page>-<rang>")
    pages: list[int]
    nb_lignes: int = Field(ge=0)
    nb_colonnes: int = Field(ge=0)
    lignes_entete: int = Field(0, ge=0)
    colonnes: list[Colonne] = Field(default_factory=list)
    unite: UniteMontant | None = None
    unite_indice: str | None = Field(None, description="Texte d'où l'unité a été déduite")
    titre: str | None = None
    methode: MethodeTableau
    score: float = Field(ge=0, le=1, description="Qualité de lecture retenue (0 à 1)")
    scores: dict[str, float] = Field(default_factory=dict, description="Score de chaque méthode")
    cellules: list[Cellule] = Field(default_factory=list)

    def cellule(self, ligne: int, colonne: int) -> Cellule | None:
        for c in self.cellules:
            if c.ligne == ligne and c.colonne == colonne:
                return c
        return None

    def montant_euros(self, cellule: Cellule) -> float | None:
        """Le nombre de la cellule converti en euros selon l'unité du tableau."""
        if cellule.nombre is None:
            return None
        return cellule.nombre * MULTIPLICATEURS.get(self.unite or "euro", 1.0)


class Document(Enregistrement):
    fichier: str
    sha256: str
    format: FormatSource
    pages: list[Page] = Field(default_factory=list)
    tableaux: list[Tableau] = Field(default_factory=list)
    exercice_probable: int | None = None
    avertissements: list[str] = Field(default_factory=list)
    duree_s: float = 0.0
    cpu_s: float = 0.0
    """Secondes CPU de la lecture (processus et enfants terminés : OCR, isolement)."""

    @property
    def scanne(self) -> bool:
        return any(p.scannee for p in self.pages)

    def lignes(self) -> list[Ligne]:
        return [ligne for page in self.pages for ligne in page.lignes]

    def json_par_morceaux(self) -> Iterator[bytes]:
        """Le JSON du document, page par page et tableau par tableau : l'écrire ne
        demande pas une copie entière (~25 Mo de texte, deux fois, pour 1 000 pages) au
        moment où la mémoire est déjà la plus haute. Se relit par `model_validate_json`."""
        entete = self.model_dump_json(exclude={"pages", "tableaux"})
        yield entete[:-1].encode("utf-8") + b',"pages":['
        for rang, page in enumerate(self.pages):
            yield (b"," if rang else b"") + page.model_dump_json().encode("utf-8")
        yield b'],"tableaux":['
        for rang, tableau in enumerate(self.tableaux):
            yield (b"," if rang else b"") + tableau.model_dump_json().encode("utf-8")
        yield b"]}"
