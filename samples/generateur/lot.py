"""Lot de benchmark « taille Cannes » : n rapports variés (59 contrats pour une ville).

Chaque rapport reçoit sa graine, des noms tirés de listes, une mise en forme et parfois
une anomalie plantée ; la répartition des secteurs suit celle d'une ville balnéaire
(beaucoup de lots de plage et de parcs de stationnement). Rien n'est commité.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from pathlib import Path

from .generation import ecrire_manifeste
from .nombres_fr import ESPACE, FINE, INSECABLE, FormatNombre
from .parametres import Parametres, Profil
from .polices import FAMILLES
from .production import produire
from .profil_eau import profil_assainissement, profil_eau_potable
from .profils_secteurs import petite_enfance, plage, restauration, stationnement
from .profils_secteurs2 import casino, chaleur, transport
from .profils_secteurs3 import culturel, marche, piscine, port
from .rendu_pdf import StylePdf
from .squelette import rediger

SECTEURS: list[tuple[str, Callable[[], Profil], str, int]] = [
    ("plage", plage, "sous_traite_plage", 14),
    ("stationnement", stationnement, "concession", 9),
    ("restauration", restauration, "concession", 3),
    ("petite_enfance", petite_enfance, "concession", 5),
    ("casino", casino, "concession", 2),
    ("port", port, "concession", 3),
    ("marche", marche, "regie_interessee", 3),
    ("culture", culturel, "concession", 4),
    ("piscine", piscine, "concession", 3),
    ("transport", transport, "concession", 2),
    ("chaleur", chaleur, "concession", 2),
    ("eau", profil_eau_potable, "affermage", 4),
    ("assainissement", profil_assainissement, "affermage", 5),
]
PHRASES = {
    "sous_traite_plage": "sous-traité d'exploitation de plage",
    "concession": "contrat de concession",
    "affermage": "contrat d'affermage",
    "regie_interessee": "contrat de régie intéressée",
}
SOCIETES = [
    "Azur Services",
    "Méditerranée Exploitation",
    "Groupe Estérel",
    "Riviera Gestion",
    "Horizon Publics",
    "Lérins Développement",
    "Croisette Services",
    "Calanques Exploitation",
    "Mistral Gestion",
    "Cap Sud",
]
FORMES = ["SAS", "SARL", "SA", "SEM"]


def _style(rng: random.Random) -> StylePdf:
    police = rng.choice([f for f in FAMILLES if f != "LiberationMono"])
    return StylePdf(
        police,
        police,
        rng.choice([9.5, 10.0, 10.5, 11.0]),
        rng.choice(["romain", "decimal", "majuscules", "bandeau"]),
    )


def _format(rng: random.Random) -> tuple[str, FormatNombre, str]:
    unite = rng.choices(["euro", "millier_euro"], [3, 1])[0]
    separateur = rng.choice([ESPACE, INSECABLE, FINE])
    negatif = rng.choice(["moins", "parentheses", "moins_final"])
    decimales = 1 if unite == "millier_euro" and rng.random() < 0.6 else 0
    legende = (
        rng.choice(["en euros", "Montants en euros"])
        if unite == "euro"
        else rng.choice(["(en k€)", "Montants en milliers d'euros"])
    )
    return unite, FormatNombre(separateur, decimales, negatif), legende  # type: ignore[arg-type]


def parametres_lot(rang: int) -> tuple[Parametres, Profil]:
    rng = random.Random(10_000 + rang)
    tirage = [s for s in SECTEURS for _ in range(s[3])]
    nom, profil, contrat, _ = (
        tirage[rang % len(tirage)] if rang < len(tirage) else rng.choice(tirage)
    )
    unite, fmt, legende = _format(rng)
    debut = date(rng.randint(2010, 2021), rng.choice([1, 4, 7, 9]), 1)
    p = Parametres(
        nom=f"lot_{rang + 1:02d}_{nom}",
        graine=10_000 + rang,
        exercice=2023,
        collectivite="Ville de Port-Azur",
        delegataire=f"{rng.choice(SOCIETES)} {rng.choice(FORMES)}",
        objet=f"Exploitation du contrat n° {rang + 1:02d} ({nom.replace('_', ' ')})",
        type_contrat=contrat,
        phrase_contrat=PHRASES[contrat],
        date_debut=debut,
        # Un contrat en cours : l'échéance suit toujours l'exercice rapporté (2023).
        date_fin=date(max(debut.year + rng.choice([8, 10, 12, 15]), 2025), debut.month, 1),
        forme_dates=rng.choice(["longue", "courte", "intervalle"]),
        unite=unite,
        fmt=fmt,
        legende_unite=legende,
        charges_negatives=rng.random() < 0.4,
        entetes=rng.choice(["annee", "annee", "n", "realise"]),
        regle=rng.random() < 0.6,
        carte_identite=rng.random() < 0.3,
        volume=0 if nom == "plage" else rng.randint(1, 3),
        style=_style(rng),
        sommaire=nom != "plage",
        scanne=rng.random() < 0.06,
    )
    _planter(p, rng)
    return p, profil()


def _planter(p: Parametres, rng: random.Random) -> None:
    """Environ un rapport sur quatre porte une anomalie plantée."""
    tirage = rng.random()
    if tirage < 0.06:
        p.texte_tableau_pct = 15.0
    elif tirage < 0.12 and p.unite == "euro":
        p.unite, p.unite_trompeuse, p.legende_unite = "millier_euro", True, "en k€"
    elif tirage < 0.18:
        p.reception = date(2024, 6, rng.randint(3, 28))
    elif tirage < 0.25:
        p.omis = {
            rng.choice(
                ["methodes_calcul", "inventaire_biens_retour", "engagements_financiers", "tarifs"]
            )
        }


def generer_lot(nombre: int, dossier: Path) -> list[dict[str, object]]:
    entrees = []
    for rang in range(nombre):
        p, profil = parametres_lot(rang)
        entrees.append(produire(rediger(profil, p), p, dossier)[1])
    ecrire_manifeste(dossier, entrees, f"Lot de benchmark de {nombre} rapports (non commité)")
    return entrees
