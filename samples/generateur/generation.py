"""Production du corpus commité et du manifeste qui décrit ses variétés."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from fiche.modeles import Fiche

from . import corpus
from .corpus_speciaux import (
    anomalie_exercice_precedent,
    parametres_dechets,
    parametres_eau_2024,
    rediger_dechets,
)
from .parametres import Parametres, Profil
from .production import produire
from .profil_eau import profil_assainissement, profil_eau_potable
from .profils_secteurs import petite_enfance, plage, restauration, stationnement
from .profils_secteurs2 import casino, chaleur, transport
from .profils_secteurs3 import culturel, marche, piscine, port
from .squelette import rediger

ROSTER: list[tuple[Callable[[], Parametres], Callable[[], Profil]]] = [
    (corpus.assainissement, profil_assainissement),
    (corpus.stationnement_forville, stationnement),
    (corpus.stationnement_gare, stationnement),
    (corpus.plage, plage),
    (corpus.casino, casino),
    (corpus.restauration, restauration),
    (corpus.petite_enfance, petite_enfance),
    (corpus.transport, transport),
    (corpus.chaleur, chaleur),
    (corpus.piscine, piscine),
    (corpus.marche, marche),
    (corpus.culturel, culturel),
    (corpus.port, port),
]


def generer_eau(dossier: Path) -> list[dict[str, object]]:
    p2023 = corpus.eau(2023)
    fiche_2023, entree_2023 = produire(rediger(profil_eau_potable(), p2023), p2023, dossier)
    p2024 = corpus.eau(2024)
    parametres_eau_2024(p2024, p2023)
    rapport = rediger(profil_eau_potable(), p2024)
    anomalie_exercice_precedent(rapport, fiche_2023)
    _, entree_2024 = produire(rapport, p2024, dossier)
    return [entree_2023, entree_2024]


def generer_un(nom: str, dossier: Path) -> Fiche:
    """Régénère un seul échantillon (tests de déterminisme)."""
    for parametres, profil in ROSTER:
        p = parametres()
        if p.nom == nom:
            return produire(rediger(profil(), p), p, dossier)[0]
    raise KeyError(nom)


def generer_corpus(dossier: Path) -> list[dict[str, object]]:
    entrees = generer_eau(dossier)
    for parametres, profil in ROSTER:
        p = parametres()
        entrees.append(produire(rediger(profil(), p), p, dossier)[1])
    p = parametres_dechets()
    entrees.append(produire(rediger_dechets(p), p, dossier)[1])
    ecrire_manifeste(dossier, entrees, "Corpus d'échantillons de RAD (fichiers et fiches d'or)")
    return entrees


def ecrire_manifeste(dossier: Path, entrees: list[dict[str, object]], description: str) -> None:
    contenu = {
        "schema": "manifeste-echantillons/1",
        "description": description,
        "echantillons": entrees,
    }
    texte = json.dumps(contenu, ensure_ascii=False, indent=2)
    (dossier / "manifeste.json").write_text(texte + "\n", encoding="utf-8")
