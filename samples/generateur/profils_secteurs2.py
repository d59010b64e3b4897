"""Profils des secteurs casino, transport, chauffage urbain et déchets."""

from __future__ import annotations

from .care import BlocCare
from .parametres import Parametres, Profil
from .profils_outils import Sous, annexe_mensuelle, bloc, liste_travaux, sites
from .profils_secteurs import PCT, _care, _mesures
from .redacteur import Redacteur


def care_casino(p: Parametres) -> list[BlocCare]:
    """Le PBJ n'est pas le CA : CA = produit net des jeux + recettes hors jeux."""
    produits = bloc(
        p,
        "produits",
        "Produits",
        [
            ("Produit brut des jeux", 14_200_000.0),
            ("Prélèvement de l'État", -6_100_000.0),
            ("Prélèvement communal", -2_050_000.0, "redevance"),
            Sous("Produit net des jeux"),
            ("Restauration et bar", 1_650_000.0),
            ("Spectacles et animations", 420_000.0),
        ],
        ("Total chiffre d'affaires", "chiffre_affaires"),
    )
    charges = bloc(
        p,
        "charges",
        "Charges",
        [
            ("Personnel", 3_900_000.0, "charges_personnel"),
            ("Achats consommés", 620_000.0),
            ("Animations et publicité", 540_000.0),
            ("Entretien et maintenance", 380_000.0),
            ("Impôts et taxes", 260_000.0),
            ("Honoraires de gestion du groupe", 610_000.0, "frais_siege"),
            ("Dotations aux amortissements", 750_000.0),
        ],
        ("Total charges", "total_charges"),
    )
    return [produits, charges]


def casino() -> Profil:
    return Profil(
        secteur="casino",
        service="exploitation du casino municipal",
        usagers="clients",
        equipement="le casino",
        care=care_casino,
        indicateurs=_mesures(
            [
                ("Entrées", "entrées", 286_000, 0, ""),
                ("Machines à sous", "machines", 180, 0, ""),
                ("Tables de jeux", "tables", 12, 0, ""),
                ("Rang national (PBJ)", "rang", 38, 0, ""),
            ],
            "indicateur",
        ),
        tarifs=_mesures(
            [
                ("Carte de membre annuelle", "€ TTC", 20.0, 2, ""),
                ("Menu du restaurant", "€ TTC", 29.0, 2, ""),
            ],
            "tarif",
        ),
        effectif=86.0,
        investissements=[
            ("Renouvellement du parc de machines à sous", 850_000.0),
            ("Rénovation du restaurant", 320_000.0),
        ],
        biens=[
            ("Salle des machines à sous", "Rez-de-chaussée"),
            ("Salle de spectacle", "1er étage"),
            ("Restaurant panoramique", "2e étage"),
        ],
        faits=[
            "Ouverture d'une salle de poker électronique au mois de mai {n}.",
            "Renouvellement de l'autorisation de jeux pour cinq ans par arrêté ministériel.",
            "Quarante soirées de spectacles et de concerts organisées au cours de l'exercice.",
        ],
        libelle_ca="Total chiffre d'affaires",
    )


def care_transport(p: Parametres) -> list[BlocCare]:
    produits = bloc(
        p,
        "produits",
        "PRODUITS",
        [
            ("Recettes commerciales", 2_300_000.0),
            ("Abonnements scolaires", 640_000.0),
            ("Contribution forfaitaire d'exploitation", 6_800_000.0),
        ],
        ("Total des produits", "chiffre_affaires"),
    )
    charges = bloc(
        p,
        "charges",
        "CHARGES",
        [
            ("Personnel de conduite", 4_100_000.0),
            ("Personnel d'encadrement et de maintenance", 1_250_000.0),
            Sous("Sous-total personnel", "charges_personnel"),
            ("Carburant", 1_150_000.0),
            ("Maintenance du matériel roulant", 720_000.0),
            ("Pneumatiques", 95_000.0),
            ("Assurances", 210_000.0),
            Sous("Sous-total charges externes"),
            ("Redevance pour mise à disposition du dépôt", 120_000.0, "redevance"),
            ("Frais de siège", 410_000.0, "frais_siege"),
            ("Dotations aux amortissements", 560_000.0),
        ],
        ("Total des charges", "total_charges"),
    )
    return [produits, charges]


def transport() -> Profil:
    lignes = [f"Ligne {n}" for n in ("1", "2", "3", "4", "5", "6", "A", "B")]
    return Profil(
        secteur="transport",
        service="service public de transport urbain de voyageurs",
        usagers="voyageurs",
        equipement="le réseau de bus",
        care=care_transport,
        indicateurs=_mesures(
            [
                ("Voyages", "voyages", 5_400_000, 0, ""),
                ("Kilomètres commerciaux", "km", 2_950_000, 0, ""),
                ("Taux de ponctualité", "%", 91.2, 1, PCT),
                ("Véhicules en service", "bus", 64, 0, ""),
            ],
            "indicateur",
        ),
        tarifs=_mesures(
            [
                ("Ticket unitaire", "€", 1.50, 2, ""),
                ("Abonnement mensuel tout public", "€", 38.0, 2, ""),
                ("Abonnement annuel scolaire", "€", 180.0, 2, ""),
            ],
            "tarif",
        ),
        effectif=142.0,
        investissements=[
            ("Bus à motorisation électrique", 1_800_000.0),
            ("Système d'information voyageurs", 260_000.0),
        ],
        biens=[
            ("Dépôt de bus", "Zone des Acacias"),
            ("Bus articulé", "Dépôt"),
            ("Abribus", "Réseau"),
        ],
        faits=[
            "Mise en service de six bus électriques sur la ligne A en septembre {n}.",
            "Grève de quatre jours en mars {n} ayant entraîné une réduction de l'offre.",
            "Restructuration du réseau à la rentrée avec la création de la ligne 6.",
        ],
        activite=lambda r, p: sites(
            r,
            p,
            "Fréquentation par ligne",
            lignes,
            [("Voyages", "voyages", 600_000.0, 0), ("Kilomètres", "km", 340_000.0, 0)],
            [
                "La {site} a été exploitée selon le plan de transport validé par l'autorité "
                "organisatrice pour {n}."
            ],
        ),
    )


def care_chaleur(p: Parametres) -> list[BlocCare]:
    return [
        bloc(
            p,
            "produits",
            "Recettes",
            [
                ("Ventes d'énergie (R1)", 3_050_000.0),
                ("Abonnements (R2)", 1_380_000.0),
                ("Frais de raccordement", 120_000.0),
            ],
            ("Total recettes", "chiffre_affaires"),
        ),
        bloc(
            p,
            "charges",
            "Dépenses",
            [
                ("Gaz naturel", 1_050_000.0),
                ("Biomasse", 620_000.0),
                ("Électricité", 180_000.0),
                ("Personnel", 640_000.0, "charges_personnel"),
                ("Gros entretien et renouvellement (P3)", 390_000.0),
                ("Redevance d'occupation du domaine public", 85_000.0, "redevance"),
                ("Frais de structure", 240_000.0, "frais_siege"),
                ("Amortissements des ouvrages", 820_000.0),
            ],
            ("Total dépenses", "total_charges"),
        ),
    ]


def annexes_chaleur(r: Redacteur, p: Parametres) -> None:
    annexe_mensuelle(r, p, "Énergie livrée mois par mois", "Énergie (MWh)", 5600.0)
    annexe_mensuelle(r, p, "Degrés-jours unifiés", "DJU", 210.0)
    materiaux = ["Acier pré-isolé", "PEHD pré-isolé"]
    liste_travaux(r, p, "Travaux de réseau de l'exercice", 35 * p.volume, materiaux)


def chaleur() -> Profil:
    sous_stations = [
        f"Sous-station {nom}"
        for nom in (
            "Hôpital",
            "Lycée Curie",
            "Résidence Les Pins",
            "Mairie",
            "Piscine",
            "Collège Brassens",
            "Gymnase",
            "Résidence du Parc",
            "EHPAD",
            "Médiathèque",
            "Groupe scolaire Nord",
            "Caserne",
            "Université",
            "Centre commercial",
            "Résidence Les Tilleuls",
            "Piscine Nord",
            "Stade",
            "Lycée Monnet",
            "Foyer-logement",
            "Cité administrative",
            "Clinique",
            "Crèche",
            "Résidence Bellevue",
            "Conservatoire",
        )
    ]
    return Profil(
        secteur="chauffage_urbain",
        service="service public de distribution de chaleur",
        usagers="abonnés",
        equipement="le réseau de chaleur",
        care=care_chaleur,
        indicateurs=_mesures(
            [
                ("Énergie livrée", "MWh", 68_000, 0, ""),
                ("Taux d'énergies renouvelables", "%", 61.0, 1, PCT),
                ("Longueur du réseau", "km", 24.5, 1, ""),
                ("Sous-stations", "postes", 148, 0, ""),
            ],
            "indicateur",
        ),
        tarifs=_mesures(
            [
                ("Terme R1 (énergie)", "€ HT/MWh", 52.30, 2, ""),
                ("Terme R2 (abonnement)", "€ HT/kW", 48.10, 2, ""),
            ],
            "tarif",
        ),
        effectif=12.0,
        investissements=[
            ("Extension du réseau secteur Nord", 1_200_000.0),
            ("Chaudière biomasse n° 2", 2_100_000.0),
        ],
        biens=[
            ("Chaufferie centrale", "Rue de l'Industrie"),
            ("Chaudière biomasse", "Chaufferie"),
            ("Réseau primaire", "Ville"),
        ],
        faits=[
            "Raccordement de dix-huit nouveaux bâtiments, dont le groupe scolaire Nord.",
            "Arrêt technique de la chaudière biomasse du 3 au 21 juillet {n} pour maintenance.",
            "Le taux d'énergies renouvelables dépasse 60 %, ouvrant droit au taux réduit de TVA.",
        ],
        activite=lambda r, p: sites(
            r,
            p,
            "Les sous-stations",
            sous_stations[: 4 * p.volume],
            [
                ("Énergie livrée (MWh)", "MWh", 460.0, 0),
                ("Puissance souscrite (kW)", "kW", 380.0, 0),
            ],
            ["La {site} a été alimentée sans interruption au cours de la saison de chauffe {n}."],
        ),
        annexes=annexes_chaleur,
    )


def dechets() -> Profil:
    return Profil(
        secteur="dechets",
        service="service public de collecte des déchets ménagers et assimilés",
        usagers="habitants",
        equipement="le parc de collecte",
        care=_care(
            [
                ("Rémunération forfaitaire de la collectivité", 4_650_000.0),
                ("Ventes de matériaux", 380_000.0),
                ("Soutiens des éco-organismes", 290_000.0),
            ],
            "Total des produits",
            [
                ("Personnel", 2_450_000.0, "charges_personnel"),
                ("Carburant", 390_000.0),
                ("Entretien des véhicules", 340_000.0),
                ("Traitement et élimination", 820_000.0),
                ("Taxe générale sur les activités polluantes", 160_000.0),
                ("Frais de siège", 260_000.0, "frais_siege"),
                ("Dotations aux amortissements", 520_000.0),
            ],
            "Total des charges",
        ),
        indicateurs=_mesures(
            [
                ("Ordures ménagères collectées", "t", 21_400, 0, ""),
                ("Collecte sélective", "t", 6_900, 0, ""),
                ("Taux de valorisation matière", "%", 38.5, 1, ""),
                ("Bennes en service", "véhicules", 24, 0, ""),
            ],
            "indicateur",
        ),
        tarifs=_mesures(
            [
                ("Prix de la tonne collectée (OMR)", "€ HT/t", 98.40, 2, ""),
                ("Prix de la levée de bac", "€ HT", 1.12, 2, ""),
            ],
            "tarif",
        ),
        effectif=58.0,
        investissements=[("Bennes à ordures ménagères", 620_000.0), ("Bacs roulants", 150_000.0)],
        biens=[("Benne 26 t", "Dépôt"), ("Bacs roulants", "Territoire")],
    )
