"""Profils des secteurs marché, équipement culturel, piscine et port de plaisance."""

from __future__ import annotations

from .parametres import Profil
from .profils_outils import sites
from .profils_secteurs import PCT, _care, _mesures


def marche() -> Profil:
    halles = ["Halle centrale", "Marché du Port", "Marché Saint-Louis", "Marché forain du dimanche"]
    return Profil(
        secteur="marche",
        service="service public des halles et marchés",
        usagers="commerçants",
        equipement="les halles",
        care=_care(
            [
                ("Droits de place", 820_000.0),
                ("Abonnements des commerçants", 410_000.0),
                ("Recettes d'animations", 35_000.0),
            ],
            "Total produits",
            [
                ("Personnel (placiers et agents)", 390_000.0, "charges_personnel"),
                ("Nettoyage et gestion des déchets", 260_000.0),
                ("Électricité et eau", 90_000.0),
                ("Redevance versée à la Ville", 240_000.0, "redevance"),
                ("Frais de gestion du groupe", 70_000.0, "frais_siege"),
                ("Entretien des installations", 95_000.0),
            ],
            "Total charges",
        ),
        indicateurs=_mesures(
            [
                ("Commerçants abonnés", "commerçants", 96, 0, ""),
                ("Commerçants volants (moyenne)", "commerçants", 41, 0, ""),
                ("Jours de marché", "jours", 302, 0, ""),
            ],
            "indicateur",
        ),
        tarifs=_mesures(
            [
                ("Droit de place – mètre linéaire", "€ HT", 1.85, 2, ""),
                ("Abonnement mensuel – étal", "€ HT", 95.0, 2, ""),
            ],
            "tarif",
        ),
        effectif=8.0,
        investissements=[
            ("Rénovation de la toiture de la halle", 140_000.0),
            ("Bornes électriques forains", 30_000.0),
        ],
        biens=[("Halle centrale", "Place du Marché"), ("Chambres froides", "Halle centrale")],
        faits=[
            "Réouverture de la halle centrale après trois mois de travaux de toiture.",
            "Création d'un marché nocturne estival le jeudi soir en juillet et août {n}.",
        ],
        activite=lambda r, p: sites(
            r,
            p,
            "Les marchés",
            halles,
            [("Commerçants présents (moyenne)", None, 40.0, 0)],
            ["Le {site} a fonctionné selon le règlement des marchés en vigueur en {n}."],
        ),
    )


def culturel() -> Profil:
    return Profil(
        secteur="equipement_culturel",
        service="exploitation du théâtre municipal et de sa salle de spectacles",
        usagers="spectateurs",
        equipement="le théâtre",
        care=_care(
            [
                ("Billetterie", 980_000.0),
                ("Locations de salles", 210_000.0),
                ("Compensation de service public versée par la Ville", 1_150_000.0),
                ("Mécénat et partenariats", 90_000.0),
            ],
            "Total des produits",
            [
                ("Personnel permanent", 890_000.0, "charges_personnel"),
                ("Personnel intermittent", 420_000.0),
                ("Achats de spectacles", 610_000.0),
                ("Communication", 120_000.0),
                ("Fluides", 140_000.0),
                ("Frais de siège", 95_000.0, "frais_siege"),
                ("Dotations aux amortissements", 110_000.0),
            ],
            "Total des charges",
        ),
        indicateurs=_mesures(
            [
                ("Représentations", "représentations", 142, 0, ""),
                ("Spectateurs", "spectateurs", 68_500, 0, ""),
                ("Taux de remplissage", "%", 78.0, 1, PCT),
            ],
            "indicateur",
        ),
        tarifs=_mesures(
            [
                ("Place plein tarif (catégorie A)", "€ TTC", 32.0, 2, ""),
                ("Place tarif réduit", "€ TTC", 18.0, 2, ""),
            ],
            "tarif",
        ),
        effectif=17.0,
        investissements=[
            ("Équipement scénique (projecteurs LED)", 95_000.0),
            ("Fauteuils de la grande salle", 160_000.0),
        ],
        biens=[
            ("Grande salle (820 places)", "Théâtre"),
            ("Salle de répétition", "Théâtre"),
            ("Jeu d'orgues", "Régie"),
        ],
        faits=[
            "Saison {n} marquée par deux créations coproduites avec des compagnies régionales.",
            "Mise en accessibilité de la grande salle pour les personnes à mobilité réduite.",
        ],
    )


def piscine() -> Profil:
    return Profil(
        secteur="equipement_sportif",
        service="exploitation du centre aquatique intercommunal",
        usagers="usagers",
        equipement="le centre aquatique",
        care=_care(
            [
                ("Entrées public", 690_000.0),
                ("Activités (aquagym, école de natation)", 310_000.0),
                ("Accueil des scolaires", 140_000.0),
                ("Compensation forfaitaire", 880_000.0),
            ],
            "TOTAL PRODUITS",
            [
                ("Personnel", 980_000.0, "charges_personnel"),
                ("Fluides (eau, énergie)", 420_000.0),
                ("Produits de traitement et d'entretien", 75_000.0),
                ("Maintenance", 160_000.0),
                ("Redevance", 40_000.0, "redevance"),
                ("Frais de siège", 130_000.0, "frais_siege"),
                ("Dotations aux amortissements", 150_000.0),
            ],
            "TOTAL CHARGES",
        ),
        indicateurs=_mesures(
            [
                ("Entrées totales", "entrées", 212_000, 0, ""),
                ("Jours d'ouverture", "jours", 341, 0, ""),
                ("Conformité sanitaire des bassins", "%", 98.0, 1, PCT),
            ],
            "indicateur",
        ),
        tarifs=_mesures(
            [("Entrée adulte", "€ TTC", 5.20, 2, ""), ("Carte 10 entrées", "€ TTC", 44.0, 2, "")],
            "tarif",
        ),
        effectif=24.0,
        investissements=[("Déshumidificateur", 120_000.0), ("Toboggan", 60_000.0)],
        biens=[("Bassin sportif 25 m", "Centre aquatique"), ("Pataugeoire", "Centre aquatique")],
        faits=[
            "Fermeture technique de trois semaines en septembre {n} pour vidange réglementaire.",
            "Lancement du dispositif « J'apprends à nager » avec les écoles du territoire.",
        ],
    )


def port() -> Profil:
    return Profil(
        secteur="port",
        service="service public du port de plaisance",
        usagers="plaisanciers",
        equipement="le port",
        care=_care(
            [
                ("Contrats annuels d'amarrage", 1_750_000.0),
                ("Escales", 430_000.0),
                ("Ventes de carburant", 260_000.0),
                ("Services aux plaisanciers", 95_000.0),
            ],
            "Total produits",
            [
                ("Personnel", 690_000.0, "charges_personnel"),
                ("Achats de carburant", 215_000.0),
                ("Entretien des ouvrages", 240_000.0),
                ("Dragage", 150_000.0),
                ("Redevance domaniale", 310_000.0, "redevance"),
                ("Frais de siège", 120_000.0, "frais_siege"),
                ("Dotations aux amortissements", 380_000.0),
            ],
            "Total charges",
        ),
        indicateurs=_mesures(
            [
                ("Anneaux", "anneaux", 740, 0, ""),
                ("Nuitées d'escale", "nuitées", 9_800, 0, ""),
                ("Taux d'occupation des anneaux", "%", 93.0, 1, PCT),
            ],
            "indicateur",
        ),
        tarifs=_mesures(
            [
                ("Contrat annuel – bateau de 10 m", "€ TTC", 2_450.0, 2, ""),
                ("Escale – nuit – 10 m", "€ TTC", 38.0, 2, ""),
            ],
            "tarif",
        ),
        effectif=14.0,
        investissements=[("Pontons flottants", 420_000.0), ("Aire de carénage", 180_000.0)],
        biens=[
            ("Capitainerie", "Quai d'honneur"),
            ("Ponton A", "Bassin Est"),
            ("Station d'avitaillement", "Quai Ouest"),
        ],
        faits=[
            "Remplacement des pontons A et B dans le bassin Est.",
            "Obtention du label Pavillon bleu pour la saison {n}.",
        ],
    )
