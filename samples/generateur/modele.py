"""Description d'un rapport indépendante du format : blocs, et faits attendus dans l'or.

Les blocs portent des clés ; le moteur de rendu rend la page de chaque clé, ce qui permet
d'écrire l'or (page et citation de chaque valeur) sans jamais relire le fichier produit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Coupe = Literal["entete_repete", "entete_absent"]
Section = Literal["produits", "charges", "reversements", "resultat", "autre"]
Nature = Literal["detail", "sous_total", "total"]


@dataclass
class Titre:
    texte: str
    niveau: int = 1
    cle: str | None = None


@dataclass
class Paragraphe:
    texte: str
    cle: str | None = None
    puce: bool = False
    italique: bool = False
    taille: float | None = None
    centre: bool = False


@dataclass
class LigneTableau:
    cellules: list[str]
    cle: str | None = None
    gras: bool = False
    intertitre: bool = False  # ligne « PRODUITS » sans montant, sur toute la largeur


@dataclass
class Tableau:
    entetes: list[list[str]]
    lignes: list[LigneTableau]
    regle: bool = True
    titre: str | None = None
    legende: str | None = None  # indication d'unité (« en k€ », « Montants en euros »)
    coupe_apres: int | None = None  # saut de page forcé après cette ligne (0-based)
    coupe: Coupe | None = None
    cle: str | None = None
    numerique: bool = True  # colonnes 2..n alignées à droite (montants)
    largeur_libelle: float | None = None  # part de la largeur pour la 1re colonne


@dataclass
class SautPage:
    pass


@dataclass
class SectionPaysage:
    """Page(s) en paysage, stockée(s) en portrait avec /Rotate 90 (section paysage Word)."""

    blocs: list[Bloc]


Bloc = Titre | Paragraphe | Tableau | SautPage | SectionPaysage


@dataclass
class Valeur:
    """Une valeur imprimée : nombre (en euros pour un montant), texte exact, bloc porteur."""

    valeur: float
    citation: str
    cle: str


@dataclass
class LigneOr:
    libelle: str
    section: Section
    nature: Nature
    poste: str | None
    cle: str
    valeurs: dict[str, Valeur]


@dataclass
class PosteOr:
    valeur: float
    citation: str | None
    cle: str | None
    calcule: bool = False


@dataclass
class ChampTexte:
    valeur: object
    citation: str
    cle: str
    calcule: bool = False  # déduit de valeurs imprimées (échéance = début + durée)


@dataclass
class Mesure:
    libelle: str
    unite: str | None
    valeurs: dict[str, Valeur]


@dataclass
class AnomaliePlantee:
    """Anomalie voulue ; `message` peut citer des pages : « {p:cle} » devient le numéro."""

    code: str
    gravite: str
    message: str
    champs: list[str]
    cles_pages: list[str]
    regle: str
    pages_externes: list[int] = field(default_factory=list)


@dataclass
class Caracteristiques:
    """Ce que le manifeste dit d'un échantillon (variétés couvertes)."""

    format: str
    secteur: str
    unite: str
    separateur_milliers: str
    style_negatif: str | None
    tableau_regle: bool
    care_coupe: Coupe | None = None
    scanne: bool = False
    page_tournee: str | None = None  # clé du bloc porté par la page tournée
    page_tournee_maniere: str | None = None  # "rotate_pdf" | "image_pivotee"
    entetes_annees: list[str] = field(default_factory=list)
    legende_unite: str | None = None
    police: str | None = None
    style_titres: str | None = None


@dataclass
class Rapport:
    nom: str
    format: Literal["pdf", "docx", "xlsx"]
    titre_document: str
    exercice: int
    blocs: list[Bloc] = field(default_factory=list)
    identification: dict[str, ChampTexte] = field(default_factory=dict)
    unite_source: str = "euro"
    lignes: list[LigneOr] = field(default_factory=list)
    postes: dict[str, dict[str, PosteOr]] = field(default_factory=dict)
    indicateurs: list[Mesure] = field(default_factory=list)
    effectif: dict[str, Valeur] = field(default_factory=dict)
    tarifs: list[Mesure] = field(default_factory=list)
    faits_marquants: list[tuple[str, str]] = field(default_factory=list)
    conformite: dict[str, str | None] = field(default_factory=dict)
    anomalies: list[AnomaliePlantee] = field(default_factory=list)
    anomalies_plantees: list[str] = field(default_factory=list)
    reception: date | None = None
    caracteristiques: Caracteristiques | None = None
    style: object | None = None  # generateur.rendu_pdf.StylePdf pour le PDF
    scan: object | None = None  # generateur.scan.ReglagesScan si le rapport est scanné
