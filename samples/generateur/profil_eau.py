"""Profils « eau » : eau potable au format des grands groupes (reversements) et
assainissement collectif."""

from __future__ import annotations

from .annexes_eau import RECIT_RESSOURCE, RESSOURCES, annexes_eau
from .care import BlocCare, LigneCareDef, ReglagesCare, resultat_lignes
from .parametres import Parametres, Profil
from .profils_outils import COMMUNES, annexe_mensuelle, bloc, mesure, sites
from .redacteur import MesureDef, Redacteur

REVERSEMENTS = [
    ("Part syndicale reversée à la collectivité", 1_650_000.0),
    ("Redevances reversées à l'Agence de l'eau", 950_000.0),
]


def care_eau(p: Parametres) -> list[BlocCare]:
    rev = bloc(
        p,
        "reversements",
        "REVERSEMENTS",
        list(REVERSEMENTS),
        ("Total reversements", "reversements"),
    )
    # Les sommes collectées pour le compte des collectivités sont exactement reversées.
    collecte = {a: sum(lg.montants[a] for lg in rev.lignes) for a in p.annees}
    produits = bloc(
        p,
        "produits",
        "PRODUITS",
        [
            ("Exploitation du service", 5_400_000.0),
            ("Travaux attribués à titre exclusif", 420_000.0),
            ("Produits accessoires", 160_000.0),
        ],
        ("Total produits", "chiffre_affaires"),
    )
    produits.lignes.insert(1, LigneCareDef("Collectivités et autres organismes publics", collecte))
    charges = bloc(
        p,
        "charges",
        "CHARGES",
        [
            ("Personnel", 1_900_000.0, "charges_personnel"),
            ("Énergie électrique", 620_000.0),
            ("Achats d'eau", 310_000.0),
            ("Produits de traitement", 140_000.0),
            ("Analyses", 60_000.0),
            ("Sous-traitance, matières et fournitures", 780_000.0),
            ("Impôts locaux et taxes", 190_000.0),
            ("Autres dépenses d'exploitation", 260_000.0),
            ("Contribution des services centraux et recherche", 330_000.0, "frais_siege"),
            ("Charges relatives aux renouvellements", 520_000.0),
            ("Charges relatives aux investissements", 380_000.0),
            ("Pertes sur créances irrécouvrables", 45_000.0),
        ],
        ("Total charges", "total_charges"),
    )
    return [produits, rev, charges]


def resultat_eau(p: Parametres, blocs: list[BlocCare]) -> BlocCare:
    from .squelette import reglages_care

    reglages: ReglagesCare = reglages_care(p)
    bruts = {
        a: sum(
            b.total.montants[a] * (1 if b.section == "produits" else -1) for b in blocs if b.total
        )
        for a in p.annees
    }
    impot = {a: max(0, round(bruts[a] * 0.25)) for a in p.annees}
    return resultat_lignes(blocs, reglages, "Résultat avant impôt", impot, "Résultat")


def indicateurs_eau(p: Parametres) -> list[MesureDef]:
    return [
        mesure(p, "Nombre d'abonnés", "abonnés", 24_300, pente=0.008, bruit=0.004),
        mesure(p, "Volume produit", "m³", 3_950_000, pente=0.0, bruit=0.02),
        mesure(p, "Volume vendu aux abonnés", "m³", 3_120_000, pente=0.0, bruit=0.02),
        mesure(
            p,
            "Rendement du réseau (P104.3)",
            "%",
            81.5,
            1,
            pente=0.004,
            bruit=0.01,
            suffixe="\u00a0%",
        ),
        mesure(
            p,
            "Conformité microbiologique (P101.1)",
            "%",
            99.6,
            1,
            pente=0.0,
            bruit=0.003,
            suffixe="\u00a0%",
        ),
        mesure(p, "Indice linéaire de pertes (P106.3)", "m³/km/j", 3.4, 2, pente=-0.01, bruit=0.04),
        mesure(
            p,
            "Taux de renouvellement des réseaux (P107.2)",
            "%",
            0.62,
            2,
            pente=0.02,
            bruit=0.05,
            suffixe="\u00a0%",
        ),
    ]


def tarifs_eau(p: Parametres) -> list[MesureDef]:
    return [
        mesure(
            p,
            "Prix TTC du m³ pour 120 m³ (D102.0)",
            "€/m³",
            2.08,
            4,
            "tarif",
            pente=0.03,
            bruit=0.0,
        ),
        mesure(
            p,
            "Abonnement annuel – part délégataire",
            "€ HT",
            48.6,
            2,
            "tarif",
            pente=0.03,
            bruit=0.0,
        ),
        mesure(
            p,
            "Consommation – part délégataire",
            "€ HT/m³",
            0.9125,
            4,
            "tarif",
            pente=0.03,
            bruit=0.0,
        ),
    ]


RECIT_COMMUNE = [
    "La commune de {site} est alimentée à partir du réservoir de tête et du réseau de "
    "distribution principal. Aucune interruption de service supérieure à douze heures n'a été "
    "constatée en {n}.",
    "Sur le territoire de {site}, les travaux de renouvellement des branchements en plomb se "
    "sont achevés en {n}. Les volumes consommés restent stables par rapport à {n1}.",
    "À {site}, une campagne de recherche de fuites a été conduite au printemps {n} ; elle a "
    "permis de localiser et de réparer onze fuites sur canalisations et branchements.",
]


def activite_eau(r: Redacteur, p: Parametres) -> None:
    colonnes = [
        ("Abonnés", "abonnés", 1900.0, 0),
        ("Volumes vendus (m³)", "m³", 240_000.0, 0),
        ("Linéaire de réseau (km)", "km", 48.0, 1),
    ]
    sites(r, p, "Le territoire desservi", COMMUNES[: 4 * p.volume], colonnes, RECIT_COMMUNE)
    if p.volume >= 3:
        production = [
            ("Volume prélevé (m³)", "m³", 420_000.0, 0),
            ("Heures de pompage", "h", 5200.0, 0),
            ("Énergie consommée (kWh)", "kWh", 310_000.0, 0),
        ]
        sites(r, p, "Les ressources et la production", RESSOURCES, production, RECIT_RESSOURCE)


BIENS_EAU = [
    ("Réservoir semi-enterré", "Les Hauts"),
    ("Station de pompage", "Le Moulin"),
    ("Forage F2", "La Prairie"),
    ("Usine de traitement", "Bord de Loue"),
    ("Surpresseur", "Z.A. des Landes"),
    ("Canalisation fonte DN 200", "RD 12"),
    ("Compteurs de sectorisation", "Réseau"),
    ("Château d'eau", "Le Bourg"),
]

FAITS_EAU = [
    "Mise en service de la nouvelle unité de traitement des pesticides à l'usine de Bord de Loue "
    "au mois de mars {n}.",
    "Épisode de sécheresse estival : arrêté préfectoral de restriction des usages de l'eau du 12 "
    "juillet au 30 septembre {n}.",
    "Renouvellement de 4,2 km de canalisations et de 312 branchements en plomb.",
    "Déploiement de la télérelève sur 38 % du parc de compteurs.",
    "Hausse du prix de l'électricité de plus de 40 % sur les contrats de fourniture des sites de "
    "production.",
]


def profil_eau_potable() -> Profil:
    return Profil(
        secteur="eau_potable",
        service="service public de production et de distribution d'eau potable",
        usagers="abonnés",
        equipement="le réseau de distribution",
        care=care_eau,
        resultat=resultat_eau,
        indicateurs=indicateurs_eau,
        tarifs=tarifs_eau,
        effectif=27.5,
        investissements=[
            ("Renouvellement de canalisations", 610_000.0),
            ("Branchements plomb", 240_000.0),
            ("Télérelève", 180_000.0),
            ("Unité de traitement des pesticides", 420_000.0),
        ],
        biens=BIENS_EAU,
        faits=FAITS_EAU,
        qualite=[
            "Le rendement du réseau progresse grâce à la sectorisation et à la recherche active "
            "de fuites."
        ],
        activite=activite_eau,
        annexes=annexes_eau,
    )


def care_assainissement(p: Parametres) -> list[BlocCare]:
    produits = bloc(
        p,
        "produits",
        "Produits d'exploitation",
        [
            ("Redevance assainissement – part délégataire", 2_150_000.0),
            ("Prestations de contrôle de branchements", 95_000.0),
            ("Traitement des matières de vidange", 70_000.0),
            ("Autres produits", 40_000.0),
        ],
        ("Produits d'exploitation", "chiffre_affaires"),
    )
    charges = bloc(
        p,
        "charges",
        "Charges d'exploitation",
        [
            ("Frais de personnel", 720_000.0, "charges_personnel"),
            ("Énergie", 310_000.0),
            ("Réactifs", 95_000.0),
            ("Évacuation et traitement des boues", 240_000.0),
            ("Sous-traitance", 180_000.0),
            ("Redevance d'occupation du domaine public", 60_000.0, "redevance"),
            ("Frais de structure", 150_000.0, "frais_siege"),
            ("Renouvellement", 260_000.0),
            ("Dotations aux amortissements", 200_000.0),
        ],
        ("Charges d'exploitation", "total_charges"),
    )
    return [produits, charges]


def profil_assainissement() -> Profil:
    return Profil(
        secteur="assainissement",
        service="service public de l'assainissement collectif",
        usagers="usagers raccordés",
        equipement="le réseau de collecte et la station d'épuration",
        care=care_assainissement,
        indicateurs=lambda p: [
            mesure(p, "Abonnés raccordés", "abonnés", 11_800, pente=0.006, bruit=0.003),
            mesure(p, "Volumes assujettis", "m³", 1_420_000, pente=0.0),
            mesure(
                p, "Conformité des rejets (P254.3)", "%", 96.0, 1, suffixe="\u00a0%", bruit=0.01
            ),
            mesure(p, "Boues évacuées", "t MS", 612, 0),
        ],
        tarifs=lambda p: [
            mesure(
                p,
                "Part délégataire – prix du m³",
                "€ HT/m³",
                1.2840,
                4,
                "tarif",
                pente=0.028,
                bruit=0.0,
            ),
            mesure(p, "Part fixe annuelle", "€ HT", 32.0, 2, "tarif", pente=0.028, bruit=0.0),
        ],
        effectif=11.0,
        investissements=[
            ("Réhabilitation du poste de relèvement", 180_000.0),
            ("Chemisage de collecteurs", 260_000.0),
        ],
        biens=[
            ("Station d'épuration", "Les Saulaies"),
            ("Poste de relèvement", "Quai Sud"),
            ("Collecteur DN 400", "Avenue du Port"),
            ("Bassin d'orage", "La Noue"),
        ],
        faits=[
            "Réception des travaux de réhabilitation du poste de relèvement du Quai Sud en mai "
            "{n}.",
            "Renouvellement de l'agrément des boues pour l'épandage agricole.",
            "Deux déversements au milieu naturel lors des orages de juin, déclarés aux services "
            "de l'État.",
            "Campagne de contrôle de 420 branchements dans le cadre des ventes immobilières.",
        ],
        activite=lambda r, p: annexe_mensuelle(
            r, p, "Volumes traités mois par mois", "Volume traité (m³)", 130_000.0
        ),
    )
