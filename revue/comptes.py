"""Comptes locaux de l'application de revue : création (`dsp utilisateur creer`), compte
de démonstration, authentification."""

from __future__ import annotations

import secrets

from pydantic import BaseModel

from revue.securite import (
    EMPREINTE_LEURRE,
    ROLES,
    hacher_mot_de_passe,
    verifier_force,
    verifier_mot_de_passe,
)
from socle.erreurs import ConfigurationError
from socle.reglages import Reglages
from stockage.comptes import Comptes
from stockage.depot import Depot
from stockage.moteur import url_base

IDENTIFIANT_DEMO = "demo"
NOM_DEMO = "Agent de démonstration"


class Compte(BaseModel):
    """Ce que l'application sait d'un agent connecté (jamais le hachage)."""

    id: int
    identifiant: str
    nom: str
    role: str


def comptes_de(reglages: Reglages) -> Comptes:
    return Comptes(Depot(url_base(reglages)))


def creer_compte(
    comptes: Comptes, identifiant: str, nom: str, role: str, mot_de_passe: str
) -> Compte:
    """Un nouveau compte (mot de passe haché) ; erreurs en français."""
    identifiant = identifiant.strip()
    if not identifiant or len(identifiant) > 100 or not identifiant.isprintable():
        raise ConfigurationError("Identifiant invalide (1 à 100 caractères imprimables).")
    if role not in ROLES:
        raise ConfigurationError(f"Rôle inconnu « {role} » : {', '.join(ROLES)}.")
    verifier_force(mot_de_passe)
    utilisateur = comptes.creer(
        identifiant, nom.strip() or identifiant, hacher_mot_de_passe(mot_de_passe), role
    )
    return Compte(id=utilisateur.id, identifiant=identifiant, nom=utilisateur.nom, role=role)


def creer_compte_demo(reglages: Reglages) -> tuple[str, str]:
    """Crée (ou réinitialise) le compte de démonstration, administrateur, avec un mot de
    passe aléatoire ; rend (identifiant, mot de passe) à afficher."""
    comptes = comptes_de(reglages)
    mot_de_passe = secrets.token_urlsafe(9)
    if comptes.utilisateur(IDENTIFIANT_DEMO) is None:
        creer_compte(comptes, IDENTIFIANT_DEMO, NOM_DEMO, "admin", mot_de_passe)
    else:
        comptes.modifier(IDENTIFIANT_DEMO, empreinte=hacher_mot_de_passe(mot_de_passe), actif=True)
    return IDENTIFIANT_DEMO, mot_de_passe


def authentifier(comptes: Comptes, identifiant: str, mot_de_passe: str) -> Compte | None:
    """Le compte si l'identifiant et le mot de passe conviennent et qu'il est actif.

    Un identifiant inconnu coûte le même calcul de hachage (pas d'indice par la durée).
    """
    utilisateur = comptes.utilisateur(identifiant.strip())
    empreinte = utilisateur.hash if utilisateur else EMPREINTE_LEURRE
    valide = verifier_mot_de_passe(mot_de_passe, empreinte)
    if utilisateur is None or not valide or not utilisateur.actif:
        return None
    return Compte(
        id=utilisateur.id, identifiant=utilisateur.identifiant, nom=utilisateur.nom,
        role=utilisateur.role,
    )  # fmt: skip
