"""Outils des tests de l'application de revue : rapports semés depuis le corpus (fichier
archivé et fiche de référence en base), comptes, connexion d'un client HTTP."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from extracteurs.document import empreinte
from fiche.ancrage import champs_de
from fiche.modeles import Fiche, Origine
from revue.comptes import creer_compte
from socle.reglages import Reglages
from stockage.archives import archiver
from stockage.comptes import Comptes
from stockage.depot import Depot
from stockage.statuts import Statut
from tests.conftest import CORPUS

MOT_DE_PASSE = "mot-de-passe-solide"
SECRET = "secret-de-test-suffisamment-long"
ROLES_TEST = ("relecteur", "valideur", "admin")


def reglages_revue(**surcharges: Any) -> Reglages:
    return Reglages(revue_secret=SECRET, **surcharges)  # type: ignore[arg-type]


def fiche_reference(nom: str) -> Fiche:
    """La fiche de référence du corpus, comme si les règles l'avaient produite."""
    fiche = Fiche.model_validate_json((CORPUS / f"{nom}.fiche.json").read_text("utf-8"))
    for _, champ in champs_de(fiche):
        champ.origine = Origine.REGLES
    return fiche


def semer(
    depot: Depot,
    reglages: Reglages,
    fichier: str,
    *,
    fiche: Fiche | None = None,
    copie: Path | None = None,
) -> int:
    """Un rapport « à valider » : fichier du corpus archivé et sa fiche de référence.

    `copie` : un dossier où dupliquer le fichier avec un octet de plus (autre sha256).
    """
    source = CORPUS / fichier
    if copie is not None:
        copie.mkdir(parents=True, exist_ok=True)
        cible = copie / fichier
        shutil.copy(source, cible)
        with cible.open("ab") as flux:
            flux.write(b"\n% copie\n")
        source = cible
    sha = empreinte(source)
    archiver(source, sha, reglages.data_dir)
    rapport, _ = depot.enregistrer_rapport(source, sha)
    fiche = fiche or fiche_reference(Path(fichier).stem)
    fiche = fiche.model_copy(update={"source": fiche.source.model_copy(update={"sha256": sha})})
    depot.enregistrer_fiche(rapport.id, fiche, auteur="traitement automatique")
    depot.enregistrer_duree(rapport.id, "extraction", 4.0)
    depot.enregistrer_duree(rapport.id, "remplissage", 1.0)
    depot.changer_statut(rapport.id, Statut.A_VALIDER)
    return rapport.id


def creer_comptes(depot: Depot) -> None:
    comptes = Comptes(depot)
    for role in ROLES_TEST:
        creer_compte(comptes, role, f"Agent {role}", role, MOT_DE_PASSE)


def csrf_de(html: str) -> str:
    trouve = re.search(r'name="csrf" value="([^"]+)"', html)
    assert trouve, "jeton CSRF absent de la page"
    return trouve.group(1)


def connecter(client: TestClient, identifiant: str, mot_de_passe: str = MOT_DE_PASSE) -> str:
    """Connecte le client ; rend le jeton CSRF de la session."""
    formulaire = client.get("/connexion")
    reponse = client.post(
        "/connexion",
        data={
            "identifiant": identifiant,
            "mot_de_passe": mot_de_passe,
            "csrf": csrf_de(formulaire.text),
        },
        follow_redirects=False,
    )
    assert reponse.status_code == 303, reponse.text
    page = client.get("/rapports")
    return csrf_de(page.text)
