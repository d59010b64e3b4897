"""Annexes du rapport d'eau potable : ressources, qualité de l'eau, définitions."""

from __future__ import annotations

from .parametres import Parametres
from .profils_outils import annexe_mensuelle, liste_travaux
from .redacteur import Redacteur

RESSOURCES = [
    "Forage F1 – La Prairie",
    "Forage F2 – La Prairie",
    "Source du Grand Pré",
    "Usine de Bord de Loue",
    "Captage de la Fontaine",
    "Puits de la Noue",
]
RECIT_RESSOURCE = [
    "Le site {site} a fonctionné sans arrêt prolongé en {n}. Les volumes prélevés respectent "
    "l'autorisation préfectorale de prélèvement.",
    "Au site {site}, la pompe n° 2 a été remplacée en {n} après 62 000 heures de fonctionnement ; "
    "la consommation d'énergie spécifique diminue par rapport à {n1}.",
]


DEFINITIONS = [
    (
        "P101.1",
        "Taux de conformité des prélèvements sur les eaux distribuées réalisés au titre du "
        "contrôle sanitaire par rapport aux limites de qualité pour ce qui concerne la "
        "microbiologie.",
    ),
    (
        "P102.1",
        "Taux de conformité des prélèvements sur les eaux distribuées réalisés au titre du "
        "contrôle sanitaire par rapport aux limites de qualité pour ce qui concerne les "
        "paramètres physico-chimiques.",
    ),
    (
        "P103.2B",
        "Indice de connaissance et de gestion patrimoniale des réseaux d'eau potable, noté de 0 "
        "à 120 points selon la qualité des plans et de l'inventaire.",
    ),
    (
        "P104.3",
        "Rendement du réseau de distribution : rapport entre le volume consommé autorisé "
        "augmenté des volumes vendus en gros et le volume produit augmenté des volumes achetés.",
    ),
    (
        "P105.3",
        "Indice linéaire des volumes non comptés, exprimé en mètres cubes par kilomètre de "
        "réseau et par jour.",
    ),
    (
        "P106.3",
        "Indice linéaire de pertes en réseau : volume perdu (fuites et volumes non autorisés) "
        "rapporté à la longueur du réseau hors branchements.",
    ),
    (
        "P107.2",
        "Taux moyen de renouvellement des réseaux d'eau potable sur les cinq dernières années, "
        "en pourcentage du linéaire total.",
    ),
    (
        "P108.3",
        "Indice d'avancement de la protection de la ressource en eau, de 0 % (aucune action) à "
        "100 % (arrêté préfectoral complètement mis en œuvre).",
    ),
    (
        "P109.0",
        "Montant des abandons de créances ou des versements à un fonds de solidarité, rapporté "
        "au volume facturé.",
    ),
    (
        "P151.1",
        "Taux d'occurrence des interruptions de service non programmées, pour 1 000 abonnés.",
    ),
    (
        "P152.1",
        "Taux de respect du délai maximal d'ouverture des branchements pour les nouveaux abonnés "
        "défini par le service.",
    ),
    ("P153.2", "Durée d'extinction de la dette de la collectivité, en années."),
    ("P154.0", "Taux d'impayés sur les factures d'eau de l'année précédente."),
    ("P155.1", "Taux de réclamations écrites, pour 1 000 abonnés."),
    ("D101.0", "Estimation du nombre d'habitants desservis par le service."),
    ("D102.0", "Prix TTC du service au mètre cube pour une consommation de référence de 120 m³."),
]


def annexes_eau(r: Redacteur, p: Parametres) -> None:
    r.titre("Annexes techniques")
    annexe_mensuelle(r, p, "Volumes produits mois par mois", "Volume produit (m³)", 330_000.0)
    annexe_mensuelle(r, p, "Interventions sur le réseau", "Interventions", 85.0)
    annexe_mensuelle(r, p, "Volumes vendus mois par mois", "Volume vendu (m³)", 260_000.0)
    annexe_mensuelle(r, p, "Énergie consommée mois par mois", "Énergie (kWh)", 150_000.0)
    annexe_mensuelle(r, p, "Appels au centre de relation clientèle", "Appels", 2_100.0)
    annexe_mensuelle(r, p, "Réclamations écrites", "Réclamations", 14.0)
    liste_travaux(r, p, "Branchements renouvelés", 20 * p.volume, ["PEHD DN 25", "PEHD DN 32"])
    liste_travaux(
        r,
        p,
        "Travaux de renouvellement réalisés",
        30 * p.volume,
        ["Fonte ductile", "PEHD", "PVC bi-orienté"],
    )
    analyses_eau(r, p)
    r.titre("Définitions des indicateurs réglementaires", niveau=2)
    for code, definition in DEFINITIONS:
        r.para(f"{code} – {definition}")


PARAMETRES_EAU = [
    ("Escherichia coli", "n/100 mL", 0.0),
    ("Entérocoques", "n/100 mL", 0.0),
    ("Turbidité", "NFU", 0.3),
    ("Nitrates", "mg/L", 18.4),
    ("Pesticides totaux", "µg/L", 0.08),
    ("Chlore libre", "mg/L", 0.21),
    ("Conductivité", "µS/cm", 512.0),
    ("pH", "unité pH", 7.6),
    ("Fer total", "µg/L", 24.0),
    ("Manganèse", "µg/L", 6.0),
    ("Aluminium", "µg/L", 31.0),
    ("Trihalométhanes", "µg/L", 12.0),
]


def analyses_eau(r: Redacteur, p: Parametres) -> None:
    r.titre("Qualité de l'eau distribuée", niveau=2)
    r.para(
        "Résultats moyens du contrôle sanitaire de l'Agence régionale de santé et de la "
        "surveillance du délégataire."
    )
    corps = [
        [nom, unite, f"{valeur:.2f}".replace(".", ","), str(12 + rang * 3)]
        for rang, (nom, unite, valeur) in enumerate(PARAMETRES_EAU)
    ]
    r.tableau_texte(
        ["Paramètre", "Unité", "Valeur moyenne", "Analyses"],
        corps,
        regle=p.regle,
        largeur_libelle=0.35,
    )
