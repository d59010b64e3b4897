"""Profils des secteurs « équipements et services » décrits de façon compacte."""

from __future__ import annotations

from collections.abc import Callable

from .care import BlocCare
from .parametres import Parametres, Profil
from .profils_outils import Entree, annexe_mensuelle, bloc, mesure
from .redacteur import MesureDef

Spec = tuple[str, str | None, float, int, str]  # libellé, unité, base, décimales, suffixe


def _mesures(specs: list[Spec], role: str) -> Callable[[Parametres], list[MesureDef]]:
    def construire(p: Parametres) -> list[MesureDef]:
        pente = 0.03 if role == "tarif" else 0.01
        bruit = 0.0 if role == "tarif" else 0.02
        # Un taux ne dérive pas d'une année sur l'autre (il dépasserait 100 %).
        return [
            mesure(
                p,
                lib,
                u,
                b,
                d,
                role,
                pente=0.0 if u == "%" else pente,
                bruit=0.004 if u == "%" else bruit,
                suffixe=s,
            )
            for lib, u, b, d, s in specs
        ]

    return construire


def _care(
    produits: list[Entree],
    total_produits: str,
    charges: list[Entree],
    total_charges: str,
    intertitres: tuple[str | None, str | None] = ("Produits", "Charges"),
) -> Callable[[Parametres], list[BlocCare]]:
    def construire(p: Parametres) -> list[BlocCare]:
        return [
            bloc(
                p, "produits", intertitres[0], list(produits), (total_produits, "chiffre_affaires")
            ),
            bloc(p, "charges", intertitres[1], list(charges), (total_charges, "total_charges")),
        ]

    return construire


PCT = "\u00a0%"


def stationnement() -> Profil:
    return Profil(
        secteur="stationnement",
        service="service public du stationnement en ouvrage",
        usagers="usagers",
        equipement="le parc de stationnement",
        care=_care(
            [
                ("Recettes horaires", 1_420_000.0),
                ("Recettes abonnements", 560_000.0),
                ("Autres produits", 45_000.0),
            ],
            "Total produits",
            [
                ("Personnel", 520_000.0, "charges_personnel"),
                ("Entretien et maintenance", 210_000.0),
                ("Énergie", 95_000.0),
                ("Assurances", 28_000.0),
                ("Impôts et taxes", 64_000.0),
                ("Redevance versée à la collectivité", 380_000.0, "redevance"),
                ("Frais de siège", 190_000.0, "frais_siege"),
                ("Dotations aux amortissements", 240_000.0),
                ("Charges financières", 35_000.0),
            ],
            "Total charges",
        ),
        indicateurs=_mesures(
            [
                ("Nombre de places", "places", 620, 0, ""),
                ("Entrées horaires", "entrées", 410_000, 0, ""),
                ("Abonnés au 31 décembre", "abonnés", 480, 0, ""),
                ("Taux d'occupation moyen", "%", 64.0, 1, PCT),
                ("Disponibilité des équipements", "%", 99.1, 1, PCT),
            ],
            "indicateur",
        ),
        tarifs=_mesures(
            [
                ("Première heure", "€ TTC", 2.40, 2, ""),
                ("Forfait 24 heures", "€ TTC", 18.0, 2, ""),
                ("Abonnement mensuel résident", "€ TTC", 85.0, 2, ""),
            ],
            "tarif",
        ),
        effectif=9.5,
        investissements=[
            ("Éclairage LED", 85_000.0),
            ("Contrôle d'accès et péage", 140_000.0),
            ("Bornes de recharge", 60_000.0),
        ],
        biens=[
            ("Barrière de péage", "Niveau 0"),
            ("Caisse automatique", "Hall piétons"),
            ("Ascenseur", "Cage A"),
            ("Système de ventilation", "Niveaux -1 à -3"),
            ("Vidéoprotection", "Tous niveaux"),
        ],
        faits=[
            "Installation de douze bornes de recharge pour véhicules électriques au niveau -1.",
            "Remplacement complet du système de péage en octobre {n}.",
            "Fermeture partielle du niveau -3 pendant six semaines pour travaux d'étanchéité.",
            "Hausse de la fréquentation horaire liée à la réouverture du marché couvert voisin.",
            "Lancement de l'abonnement « nuit et week-end » destiné aux résidents.",
        ],
        activite=lambda r, p: annexe_mensuelle(
            r, p, "Fréquentation mensuelle", "Entrées horaires", 34_000.0
        ),
    )


def plage() -> Profil:
    return Profil(
        secteur="plage",
        service="exploitation du lot de plage",
        usagers="clients",
        equipement="l'établissement de plage",
        care=_care(
            [
                ("Chiffre d'affaires restauration", 610_000.0),
                ("Chiffre d'affaires location de matelas", 240_000.0),
            ],
            "Chiffre d'affaires total",
            [
                ("Achats consommés", 205_000.0),
                ("Personnel", 290_000.0, "charges_personnel"),
                ("Redevance – part fixe", 42_000.0, "redevance"),
                ("Redevance – part variable", 38_000.0, "redevance"),
                ("Autres charges externes", 120_000.0),
                ("Amortissements", 60_000.0),
            ],
            "Total des charges",
            intertitres=(None, None),
        ),
        indicateurs=_mesures(
            [
                ("Jours d'ouverture", "jours", 182, 0, ""),
                ("Matelas loués", "locations", 14_800, 0, ""),
                ("Effectif saisonnier", "personnes", 18, 0, ""),
            ],
            "indicateur",
        ),
        tarifs=_mesures([("Matelas à la journée", "€ TTC", 25.0, 2, "")], "tarif"),
        effectif=7.5,
        biens=[("Ponton démontable", "Lot n° 7"), ("Paillote", "Lot n° 7")],
        faits=[
            "Saison ouverte du 1er avril au 30 septembre {n}, conformément au sous-traité.",
            "Démontage complet des installations achevé le 15 novembre {n}.",
            "Aucun incident de sécurité des baigneurs n'a été signalé au poste de secours.",
        ],
    )


def restauration() -> Profil:
    return Profil(
        secteur="restauration_collective",
        service="service public de la restauration scolaire",
        usagers="familles",
        equipement="la cuisine centrale",
        care=_care(
            [
                ("Ventes de repas", 1_850_000.0),
                ("Participation des familles", 940_000.0),
                ("Participation de la ville", 620_000.0),
            ],
            "Total des produits",
            [
                ("Denrées alimentaires", 1_150_000.0),
                ("Personnel", 1_240_000.0, "charges_personnel"),
                ("Transport des repas", 160_000.0),
                ("Entretien des locaux et matériels", 110_000.0),
                ("Redevance d'occupation de la cuisine centrale", 90_000.0, "redevance"),
                ("Frais de structure", 170_000.0, "frais_siege"),
                ("Dotations aux amortissements", 140_000.0),
            ],
            "Total des charges",
        ),
        indicateurs=_mesures(
            [
                ("Repas servis", "repas", 412_000, 0, ""),
                ("Part de produits durables et de qualité (EGalim)", "%", 52.0, 1, PCT),
                ("dont produits biologiques", "%", 22.5, 1, PCT),
                ("Écoles desservies", "écoles", 24, 0, ""),
            ],
            "indicateur",
        ),
        tarifs=_mesures(
            [
                ("Repas élémentaire – tarif plein", "€", 4.10, 2, ""),
                ("Repas maternelle – tarif plein", "€", 3.85, 2, ""),
                ("Repas adulte", "€", 6.20, 2, ""),
            ],
            "tarif",
        ),
        effectif=38.0,
        investissements=[
            ("Cellule de refroidissement rapide", 95_000.0),
            ("Véhicules frigorifiques", 120_000.0),
        ],
        biens=[
            ("Cuisine centrale", "Zone des Ormes"),
            ("Cellule de refroidissement", "Cuisine centrale"),
            ("Véhicule frigorifique", "Parc"),
        ],
        faits=[
            "Passage à deux menus végétariens par semaine dans les écoles élémentaires.",
            "Suppression des contenants en plastique pour la liaison chaude.",
            "Mise en place de la tarification sociale à dix tranches de quotient familial.",
            "Renouvellement de la certification de la cuisine centrale par les services "
            "vétérinaires.",
        ],
    )


def petite_enfance() -> Profil:
    return Profil(
        secteur="petite_enfance",
        service="service public d'accueil du jeune enfant",
        usagers="familles",
        equipement="l'établissement multi-accueil",
        care=_care(
            [
                ("Participations familiales", 310_000.0),
                ("Prestation de service unique (CAF)", 520_000.0),
                ("Contribution de la commune", 240_000.0),
                ("Autres produits", 15_000.0),
            ],
            "Total produits",
            [
                ("Personnel", 760_000.0, "charges_personnel"),
                ("Alimentation et couches", 70_000.0),
                ("Fournitures et petit matériel", 32_000.0),
                ("Loyer et charges locatives", 96_000.0),
                ("Redevance d'occupation", 18_000.0, "redevance"),
                ("Frais de siège", 62_000.0, "frais_siege"),
                ("Dotations aux amortissements", 25_000.0),
            ],
            "Total charges",
        ),
        indicateurs=_mesures(
            [
                ("Places agréées", "places", 60, 0, ""),
                ("Enfants inscrits", "enfants", 118, 0, ""),
                ("Heures facturées", "h", 98_500, 0, ""),
                ("Taux d'occupation financier", "%", 72.4, 1, PCT),
            ],
            "indicateur",
        ),
        tarifs=_mesures(
            [
                ("Taux d'effort horaire (1 enfant)", "%", 0.0619, 4, PCT),
                ("Plancher horaire", "€", 0.78, 2, ""),
            ],
            "tarif",
        ),
        effectif=19.0,
        investissements=[
            ("Mobilier et jeux d'extérieur", 18_000.0),
            ("Rénovation de la biberonnerie", 24_000.0),
        ],
        biens=[("Bâtiment multi-accueil", "Rue des Lilas"), ("Jardin clos", "Rue des Lilas")],
        faits=[
            "Ouverture d'une section de dix places supplémentaires en septembre {n}.",
            "Signature de la nouvelle convention d'objectifs et de financement avec la CAF.",
            "Difficultés de recrutement d'auxiliaires de puériculture au premier semestre.",
        ],
    )
