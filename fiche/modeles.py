"""Modèles pydantic de la fiche de synthèse, à l'identique de `shared/specs/fiche.md`.

Les noms de champs sont le contrat partagé avec l'application de revue, les gabarits
Word et l'évaluation : on peut en ajouter, jamais en renommer.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Generic, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

SCHEMA_FICHE: Literal["fiche-dsp/1"] = "fiche-dsp/1"


class Ancrage(StrEnum):
    EXACT = "exact"
    APPROCHE = "approche"
    ABSENT = "absent"
    CALCULE = "calcule"


class Origine(StrEnum):
    LLM = "llm"
    REGLES = "regles"
    AGENT = "agent"


class Secteur(StrEnum):
    EAU_POTABLE = "eau_potable"
    ASSAINISSEMENT = "assainissement"
    STATIONNEMENT = "stationnement"
    RESTAURATION_COLLECTIVE = "restauration_collective"
    PETITE_ENFANCE = "petite_enfance"
    PLAGE = "plage"
    CASINO = "casino"
    TRANSPORT = "transport"
    CHAUFFAGE_URBAIN = "chauffage_urbain"
    DECHETS = "dechets"
    PORT = "port"
    FOURRIERE = "fourriere"
    EQUIPEMENT_CULTUREL = "equipement_culturel"
    EQUIPEMENT_SPORTIF = "equipement_sportif"
    MARCHE = "marche"
    FUNERAIRE = "funeraire"
    AUTRE = "autre"


class TypeContrat(StrEnum):
    CONCESSION = "concession"
    AFFERMAGE = "affermage"
    REGIE_INTERESSEE = "regie_interessee"
    GERANCE = "gerance"
    SOUS_TRAITE_PLAGE = "sous_traite_plage"
    AUTRE = "autre"


class ModeGestion(StrEnum):
    """Mode de gestion du service : une régie n'a pas de type de contrat ni de délégataire."""

    REGIE = "regie"
    REGIE_PRESTATION = "regie_prestation"
    DELEGATION = "delegation"


class Gravite(StrEnum):
    BLOQUANT = "bloquant"
    ALERTE = "alerte"
    INFO = "info"


class UniteSource(StrEnum):
    EURO = "euro"
    MILLIER_EURO = "millier_euro"
    MILLION_EURO = "million_euro"


NomPoste = Literal[
    "chiffre_affaires",
    "total_charges",
    "resultat",
    "redevance",
    "charges_personnel",
    "frais_siege",
    "investissements",
    "reversements",
    "resultat_net",
]
POSTES: tuple[str, ...] = get_args(NomPoste)
"""Agrégats CARE que chaque fiche essaie de remplir (fiche.md, « postes »)."""

POSTES_PRINCIPAUX = POSTES[:7]
"""Les sept postes principaux (hors reversements et résultat net, facultatifs)."""

NomElement = Literal[
    "care",
    "methodes_calcul",
    "variation_patrimoine",
    "situation_biens",
    "suivi_investissements",
    "inventaire_biens_retour",
    "engagements_financiers",
    "analyse_qualite",
    "tarifs",
]
ELEMENTS_CONFORMITE: tuple[str, ...] = get_args(NomElement)
"""Contenu obligatoire d'un RAD (R.3131-3 et R.3131-4)."""


class Modele(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class Champ(Modele, Generic[T]):
    """Une valeur et sa provenance : page (1-based), citation verbatim, ancrage, origine."""

    valeur: T | None = None
    page: int | None = Field(None, ge=1)
    citation: str | None = None
    ancrage: Ancrage = Ancrage.ABSENT
    origine: Origine = Origine.REGLES
    confiance: float | None = Field(None, ge=0, le=1)
    """Confiance des règles dans la valeur (1 : lue sous une étiquette sans ambiguïté) ;
    `None` quand elle n'est pas évaluée. Montrée à l'agent dans l'application de revue."""
    motif: str | None = None
    """Pourquoi la valeur est vide ou peu sûre (« aucun CARE du délégataire »…)."""


Montant = Champ[float]
ValeursAnnuelles = dict[str, Champ[float]]
"""Clé : l'année (« 2023 ») ; valeur : le montant ou la mesure de cette année."""


TypeDocument = Literal["rad", "care", "rpqs", "autre"]
"""Ce qu'est le document (fiche.md, `type_document`) : les contrôles propres au RAD
(sommes du CARE, complétude R.3131, délai du 1er juin) ne s'appliquent qu'à lui."""

TYPES_DU_DELEGATAIRE: tuple[TypeDocument, ...] = ("rad", "care")
"""Documents du délégataire : eux seuls remplissent les postes et relèvent de R.3131."""


class Source(Modele):
    fichier: str
    sha256: str
    pages: int = Field(ge=0)
    scanne: bool
    type_document: TypeDocument = "rad"
    type_page: int | None = Field(None, ge=1)
    type_citation: str | None = None


class Identification(Modele):
    collectivite: Champ[str] = Field(default_factory=Champ[str])
    objet: Champ[str] = Field(default_factory=Champ[str])
    secteur: Champ[Secteur] = Field(default_factory=Champ[Secteur])
    delegataire: Champ[str] = Field(default_factory=Champ[str])
    type_contrat: Champ[TypeContrat] = Field(default_factory=Champ[TypeContrat])
    date_debut: Champ[date] = Field(default_factory=Champ[date])
    date_fin: Champ[date] = Field(default_factory=Champ[date])
    exercice: Champ[int] = Field(default_factory=Champ[int])
    mode_gestion: Champ[ModeGestion] = Field(default_factory=Champ[ModeGestion])


class LigneCare(Modele):
    """Une ligne du CARE telle que lue (montants convertis en euros)."""

    libelle: str
    page: int = Field(ge=1)
    section: Literal["produits", "charges", "reversements", "resultat", "autre"]
    nature: Literal["detail", "sous_total", "total"] = "detail"
    poste: str | None = None
    valeurs: ValeursAnnuelles = Field(default_factory=dict)


class Financier(Modele):
    unite_source: UniteSource = UniteSource.EURO
    postes: dict[str, ValeursAnnuelles] = Field(default_factory=dict)
    lignes: list[LigneCare] = Field(default_factory=list)


class Indicateur(Modele):
    libelle: str
    unite: str | None = None
    valeurs: ValeursAnnuelles = Field(default_factory=dict)


class Activite(Modele):
    indicateurs: list[Indicateur] = Field(default_factory=list)
    effectif_etp: ValeursAnnuelles = Field(default_factory=dict)


class ElementConformite(Modele):
    present: bool
    page: int | None = Field(None, ge=1)


class Anomalie(Modele):
    code: str
    gravite: Gravite
    message: str
    champs: list[str] = Field(default_factory=list)
    pages: list[int] = Field(default_factory=list)
    regle: str


class Production(Modele):
    mode: Literal["llm", "regles"]
    modele: str | None = None
    version: str
    date: datetime
    jetons_entree: int | None = None
    jetons_sortie: int | None = None
    duree_s: float = Field(ge=0)
    energie_wh: float | None = Field(None, ge=0)
    """Énergie estimée (calcul local + LLM, repli compris ; `socle.sobriete`) ; vide
    quand elle n'a pas été mesurée (fiche de référence, fiche d'avant la mesure)."""
    co2_g: float | None = Field(None, ge=0)
    """Émissions de cette énergie (gCO2e) selon le mix électrique des réglages."""
    note: str | None = None


class Revue(Modele):
    statut: str
    agent: str
    date: datetime
    duree_active_s: float = Field(ge=0)
    corrections: int = Field(ge=0)
    avis: str | None = None


class Fiche(Modele):
    """La fiche de synthèse complète (`<rapport>.fiche.json`)."""

    schema_: Literal["fiche-dsp/1"] = Field(SCHEMA_FICHE, alias="schema")
    source: Source
    identification: Identification = Field(default_factory=Identification)
    financier: Financier = Field(default_factory=Financier)
    activite: Activite = Field(default_factory=Activite)
    tarifs: list[Indicateur] = Field(default_factory=list)
    faits_marquants: list[Champ[str]] = Field(default_factory=list)
    conformite: dict[str, ElementConformite] = Field(default_factory=dict)
    indicateurs_sispea: dict[str, Champ[float]] = Field(default_factory=dict)
    """Indicateurs réglementaires SISPEA (code → valeur dans l'unité SISPEA)."""
    anomalies: list[Anomalie] = Field(default_factory=list)
    production: Production
    revue: Revue | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def vers_json(self) -> str:
        """Sérialisation canonique (alias `schema`, dates ISO 8601, UTF-8 lisible)."""
        return self.model_dump_json(by_alias=True, indent=2)
