"""Paramètres d'un échantillon (noms, mise en forme, anomalies) et profil d'un secteur."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from .nombres_fr import FormatNombre
from .rendu_pdf import StylePdf

if TYPE_CHECKING:
    from .care import BlocCare
    from .redacteur import MesureDef, Redacteur

MULTIPLICATEUR = {"euro": 1.0, "millier_euro": 1e3, "million_euro": 1e6}


@dataclass
class Parametres:
    nom: str
    graine: int
    exercice: int
    collectivite: str
    delegataire: str
    objet: str
    type_contrat: str  # valeur de TypeContrat
    phrase_contrat: str  # « contrat d'affermage » : citation de type_contrat
    date_debut: date
    date_fin: date
    format: str = "pdf"
    forme_dates: str = "longue"  # longue | courte | intervalle | duree (date_fin non écrite)
    unite: str = "euro"
    fmt: FormatNombre = field(default_factory=FormatNombre)
    unite_trompeuse: bool = False  # UNITE : légende « en k€ » sur des montants en euros
    legende_unite: str = "Montants en euros"
    charges_negatives: bool = False
    entetes: str = "annee"  # annee | n | scolaire | realise
    nb_annees: int = 2
    colonne_variation: bool = False
    regle: bool = True
    coupe: str | None = None
    coupe_apres: int | None = None
    care_paysage: bool = False
    style: StylePdf = field(default_factory=StylePdf)
    omis: set[str] = field(default_factory=set)
    champs_omis: set[str] = field(default_factory=set)
    plants: set[str] = field(default_factory=set)
    reception: date | None = None
    volume: int = 1  # quantité d'annexes de remplissage (pages)
    scanne: bool = False
    page_tournee: str | None = None  # "care" : la page du CARE est pivotée au scan
    annee_ref: int = 2020  # année d'ancrage des séries : deux rapports d'un même contrat
    surcharges: dict[tuple[str, str], float] = field(default_factory=dict)  # (libellé, année)
    signature: str = ""  # nom et fonction du signataire
    ville: str = ""
    carte_identite: bool = False  # identification en tableau plutôt qu'en récit
    sommaire: bool = True
    faits_supplementaires: list[str] = field(default_factory=list)
    texte_tableau_pct: float | None = None  # TEXTE_TABLEAU : variation annoncée à tort
    erreurs: dict[tuple[str, str], int] = field(default_factory=dict)  # en quanta imprimés
    titre_care: str = "Compte annuel de résultat de l'exploitation"
    premiere_entete: str = ""
    recent_dabord: bool = False  # colonnes N puis N-1
    saut_chapitre: bool = False  # chaque titre de premier niveau commence une page
    observations: list[str] = field(default_factory=list)  # « Observations du délégataire »

    @property
    def annees(self) -> list[str]:
        return [str(self.exercice - k) for k in range(self.nb_annees - 1, -1, -1)]

    @property
    def quantum_or(self) -> float:
        return float(MULTIPLICATEUR[self.unite] / 10**self.fmt.decimales)

    @property
    def quantum_impression(self) -> float:
        # Avec une unité trompeuse, les montants imprimés sont des euros.
        return 1.0 if self.unite_trompeuse else self.quantum_or

    def rng(self, *sel: object) -> random.Random:
        """Générateur déterministe propre à un usage (ne dépend pas de l'ordre d'appel)."""
        germe = hashlib.sha256(repr((self.graine, *sel)).encode()).hexdigest()
        return random.Random(int(germe[:16], 16))

    def euros(
        self, libelle: str, base: float, annee: str, pente: float = 0.025, bruit: float = 0.03
    ) -> float:
        """Montant d'une ligne pour une année : ne dépend que de la graine et de l'année,
        pour que le N-1 d'un rapport égale le N du rapport de l'an passé."""
        if (libelle, annee) in self.surcharges:
            return self.surcharges[(libelle, annee)]
        ecart = int(annee) - self.annee_ref
        alea = self.rng("montant", libelle, annee).uniform(-bruit, bruit)
        return float(base * (1 + pente) ** ecart * (1 + alea))

    def quanta(self, libelle: str, base: float, annee: str, **options: float) -> int:
        return round(self.euros(libelle, base, annee, **options) / self.quantum_impression)

    def serie(self, libelle: str, base: float, **options: float) -> dict[str, int]:
        return {a: self.quanta(libelle, base, a, **options) for a in self.annees}

    def mesure(
        self, libelle: str, base: float, pente: float = 0.01, bruit: float = 0.02
    ) -> dict[str, float]:
        return {a: self.euros(libelle, base, a, pente, bruit) for a in self.annees}


@dataclass
class Profil:
    """Ce qui est propre à un secteur : CARE, indicateurs, vocabulaire, annexes."""

    secteur: str
    service: str  # « service public de l'eau potable » : citation de secteur
    usagers: str
    equipement: str  # « le réseau », « le parc de stationnement »
    care: Callable[[Parametres], list[BlocCare]]
    resultat: Callable[[Parametres, list[BlocCare]], BlocCare] | None = None
    indicateurs: Callable[[Parametres], list[MesureDef]] = lambda p: []
    tarifs: Callable[[Parametres], list[MesureDef]] = lambda p: []
    effectif: float = 10.0
    investissements: list[tuple[str, float]] = field(default_factory=list)
    biens: list[tuple[str, str]] = field(default_factory=list)  # (désignation, localisation)
    faits: list[str] = field(default_factory=list)
    qualite: list[str] = field(default_factory=list)
    activite: Callable[[Redacteur, Parametres], None] | None = None
    annexes: Callable[[Redacteur, Parametres], None] | None = None
    libelle_ca: str = "Total produits"
