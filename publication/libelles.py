"""Libellés français de ce que la commission lit : secteurs, types de contrat, postes du
CARE en tête de ligne, gravités, mentions de transparence.

Les libellés des contrôles (« le chiffre d'affaires ») sont écrits pour une phrase ; ceux-ci
sont des intitulés de tableau (« Chiffre d'affaires »).
"""

from __future__ import annotations

from fiche.modeles import Gravite, Secteur, TypeContrat

SECTEURS: dict[Secteur, str] = {
    Secteur.EAU_POTABLE: "Eau potable",
    Secteur.ASSAINISSEMENT: "Assainissement",
    Secteur.STATIONNEMENT: "Stationnement",
    Secteur.RESTAURATION_COLLECTIVE: "Restauration collective",
    Secteur.PETITE_ENFANCE: "Petite enfance",
    Secteur.PLAGE: "Plage",
    Secteur.CASINO: "Casino",
    Secteur.TRANSPORT: "Transport",
    Secteur.CHAUFFAGE_URBAIN: "Chauffage urbain",
    Secteur.DECHETS: "Déchets",
    Secteur.PORT: "Port",
    Secteur.FOURRIERE: "Fourrière",
    Secteur.EQUIPEMENT_CULTUREL: "Équipement culturel",
    Secteur.EQUIPEMENT_SPORTIF: "Équipement sportif",
    Secteur.MARCHE: "Marché",
    Secteur.FUNERAIRE: "Funéraire",
    Secteur.AUTRE: "Autre",
}

TYPES_CONTRAT: dict[TypeContrat, str] = {
    TypeContrat.CONCESSION: "Concession",
    TypeContrat.AFFERMAGE: "Affermage",
    TypeContrat.REGIE_INTERESSEE: "Régie intéressée",
    TypeContrat.GERANCE: "Gérance",
    TypeContrat.SOUS_TRAITE_PLAGE: "Sous-traité d'exploitation de plage",
    TypeContrat.AUTRE: "Autre",
}

POSTES: dict[str, str] = {
    "chiffre_affaires": "Chiffre d'affaires",
    "total_charges": "Total des charges",
    "resultat": "Résultat avant impôt",
    "redevance": "Redevance versée à l'autorité",
    "charges_personnel": "Charges de personnel",
    "frais_siege": "Frais de siège",
    "investissements": "Investissements de l'exercice",
    "reversements": "Reversements (surtaxes, Agence de l'eau)",
    "resultat_net": "Résultat net",
}
"""Dans l'ordre de la fiche ; les deux derniers ne s'affichent que s'ils sont renseignés."""

POSTES_FACULTATIFS = frozenset({"reversements", "resultat_net"})

GRAVITES: dict[Gravite, str] = {
    Gravite.BLOQUANT: "Bloquant",
    Gravite.ALERTE: "Alerte",
    Gravite.INFO: "Information",
}

ORDRE_GRAVITE: dict[Gravite, int] = {Gravite.BLOQUANT: 0, Gravite.ALERTE: 1, Gravite.INFO: 2}
"""Les points de vigilance se lisent du plus grave au moins grave."""

NON_RENSEIGNE = "non renseigné"
FILIGRANE = "PROJET — non validé"

REDACTION = {
    "llm": "Fiche rédigée avec l'aide de l'IA générative",
    "regles": "Fiche rédigée par extraction automatique",
}
"""Début de la mention de transparence, selon le mode de production de la fiche."""
