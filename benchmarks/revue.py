"""Banc d'essai de l'application de revue : latence (p50, p95) de la file, de la page d'un
rapport et du tableau de bord avec 1 000 rapports en base. Cible : p95 ≤ 200 ms.

Les rapports sont insérés directement (une fiche du corpus recopiée avec des variations
d'exercice, de secteur, de statut, d'anomalies, de durées et de corrections) ; les requêtes
passent par l'application complète (TestClient : routage, session, base, gabarits).

    uv run python benchmarks/revue.py [--rapports 1000] [--requetes 200] [--postgres URL]

Résultats dans `benchmarks/RESULTS.md` (section « Application de revue »).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ICI = Path(__file__).resolve().parent
RACINE = ICI.parent
TITRE = "## Application de revue (`benchmarks/revue.py`)"
SECTEURS = ("eau_potable", "stationnement", "plage", "casino", "transport", "port", "marche")
STATUTS = ("a_valider",) * 6 + ("publie",) * 3 + ("valide", "attente_delegataire", "erreur")
CODES = ("COMPLETUDE", "CHAMP_MANQUANT", "FRAIS_SIEGE", "VARIATION", "ANCRAGE", "DELAI")


def _lignes(n: int, contenu: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Les lignes à insérer : rapports, versions, anomalies, durées, journal."""
    hasard = random.Random(7)
    debut = datetime(2024, 6, 1, tzinfo=UTC)
    tables: dict[str, list[dict[str, Any]]] = {k: [] for k in ("r", "v", "a", "d", "e")}
    for i in range(1, n + 1):
        secteur, statut = hasard.choice(SECTEURS), hasard.choice(STATUTS)
        exercice, quand = hasard.choice((2022, 2023, 2024)), debut + timedelta(minutes=i)
        fiche = {**contenu, "identification": {**contenu["identification"]}}
        fiche["identification"]["secteur"] = {**contenu["identification"]["secteur"],
                                               "valeur": secteur}  # fmt: skip
        tables["r"].append({
            "id": i, "fichier": f"rapport_{i:04d}_{secteur}_{exercice}.pdf", "sha256": f"{i:064x}",
            "version": 1, "contrat_confirme": False, "exercice": exercice, "secteur": secteur,
            "delegataire": f"Délégataire {i % 97}", "collectivite": "Ville de Port-Azur",
            "statut": statut, "cree_le": quand, "modifie_le": quand,
        })  # fmt: skip
        for numero in (1, 2):
            tables["v"].append({"id": 2 * i - 2 + numero, "rapport_id": i, "numero": numero,
                                "contenu": fiche, "auteur": "banc", "cree_le": quand})  # fmt: skip
        for code in hasard.sample(CODES, hasard.randint(0, 4)):
            tables["a"].append({"version_id": 2 * i, "code": code, "gravite": "alerte",
                                "message": f"Anomalie {code}", "champs": [], "pages": [5],
                                "regle": "banc"})  # fmt: skip
        tables["d"] += [
            {"rapport_id": i, "etape": e, "duree_s": hasard.uniform(1, 30), "cree_le": quand,
             "agent": None} for e in ("extraction", "remplissage", "controles")
        ]  # fmt: skip
        if statut in ("valide", "publie"):
            agent = f"agent{i % 5}"
            revue = hasard.uniform(300, 4000)
            tables["d"].append({"rapport_id": i, "etape": "revue", "agent": agent,
                                "duree_s": revue, "cree_le": quand})  # fmt: skip
            for _ in range(hasard.randint(0, 3)):
                tables["e"].append({"rapport_id": i, "agent": agent, "date": quand,
                                    "action": "correction",
                                    "champ": "financier.postes.chiffre_affaires.2023",
                                    "ancienne_valeur": "1", "nouvelle_valeur": "2",
                                    "commentaire": "banc"})  # fmt: skip
    return tables


def semer(url: str, n: int) -> None:
    import json

    from sqlalchemy import insert, text

    from stockage.depot import Depot
    from stockage.modeles import AnomalieEnregistree, Duree, EvenementRevue, Rapport, VersionFiche

    depot = Depot(url)
    fiche = RACINE / "samples" / "corpus" / "stationnement_forville_2023.fiche.json"
    tables = _lignes(n, json.loads(fiche.read_text(encoding="utf-8")))
    with depot.moteur.begin() as connexion:
        for modele, cle in ((Rapport, "r"), (VersionFiche, "v"), (AnomalieEnregistree, "a"),
                            (Duree, "d"), (EvenementRevue, "e")):  # fmt: skip
            if tables[cle]:
                connexion.execute(insert(modele), tables[cle])
    if depot.moteur.dialect.name == "postgresql":  # statistiques à jour, comme en service
        with depot.moteur.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
    depot.fermer()


def mesurer(appel: Callable[[int], Any], requetes: int) -> tuple[float, float]:
    for k in range(5):  # mise en route (gabarits compilés, connexions ouvertes)
        appel(k)
    durees = []
    for k in range(requetes):
        debut = time.perf_counter()
        reponse = appel(k)
        durees.append((time.perf_counter() - debut) * 1000)
        assert reponse.status_code == 200, reponse.text[:300]
    centiles = statistics.quantiles(durees, n=100)
    return centiles[49], centiles[94]


def scenarios(client: Any, n: int) -> dict[str, Callable[[int], Any]]:
    hasard = random.Random(11)
    return {
        "file de revue (à valider, 1re page de 50)": lambda _k: client.get("/rapports"),
        "file filtrée (secteur, exercice, recherche)": lambda _k: client.get(
            "/rapports?statut=tous&secteur=plage&exercice=2023&q=rapport"
        ),
        "page d'un rapport": lambda _k: client.get(f"/rapports/{hasard.randint(1, n)}"),
        "tableau de bord": lambda _k: client.get("/tableau-de-bord"),
    }


def main() -> None:
    analyse = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analyse.add_argument("--rapports", type=int, default=1000)
    analyse.add_argument("--requetes", type=int, default=200)
    analyse.add_argument(
        "--postgres",
        default=os.environ.get("DSP_TEST_POSTGRES_URL"),
        help="URL d'un serveur PostgreSQL où créer une base jetable (mesurée en plus de SQLite)",
    )
    analyse.add_argument("--resultats", type=Path, default=ICI / "RESULTS.md")
    args = analyse.parse_args()
    sys.path.insert(0, str(RACINE))
    resultats = {"SQLite": mesurer_base(None, args)}
    if args.postgres:
        resultats["PostgreSQL"] = mesurer_base(args.postgres, args)
    ecrire(resultats, args)


def mesurer_base(postgres: str | None, args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    """Sème puis mesure dans un processus propre à la base (réglages lus une fois)."""
    with tempfile.TemporaryDirectory(prefix="dsp-revue-") as dossier:
        os.environ["DSP_DATA_DIR"] = dossier
        os.environ.setdefault("DSP_REVUE_SECRET", "secret-du-banc-d-essai-de-la-revue")
        with base_jetable(postgres, dossier) as url:
            os.environ["DSP_DATABASE_URL"] = url
            from socle.reglages import reglages

            reglages.cache_clear()
            semer(url, args.rapports)
            print(f"— {'PostgreSQL' if postgres else 'SQLite'}, {args.rapports} rapports")
            return lancer(args.rapports, args.requetes)


@contextmanager
def base_jetable(postgres: str | None, dossier: str) -> Iterator[str]:
    if postgres is None:
        yield f"sqlite:///{dossier}/synthese.db"
        return
    from stockage.moteur import base_postgres_jetable

    with base_postgres_jetable(postgres, f"dsp_banc_revue_{os.getpid()}") as url:
        yield url


def lancer(n: int, requetes: int) -> dict[str, tuple[float, float]]:
    from fastapi.testclient import TestClient

    from revue.app import creer_app, figer_demarrage
    from revue.comptes import comptes_de, creer_compte
    from socle.reglages import reglages

    creer_compte(comptes_de(reglages()), "banc", "Banc d'essai", "valideur", "mot-de-passe-banc")
    application = creer_app()
    figer_demarrage()  # comme `dsp revue` avant de servir
    with TestClient(application) as client:
        page = client.get("/connexion").text
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        donnees = {"identifiant": "banc", "mot_de_passe": "mot-de-passe-banc", "csrf": csrf}
        client.post("/connexion", data=donnees)
        mesures = {}
        for nom, appel in scenarios(client, n).items():
            mesures[nom] = mesurer(appel, requetes)
            print(f"{nom} : p50 {mesures[nom][0]:.1f} ms, p95 {mesures[nom][1]:.1f} ms")
    return mesures


def ecrire(resultats: dict[str, dict[str, tuple[float, float]]], args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ICI))
    from extraction import remplacer_section

    quand = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    atteinte = all(p95 <= 200 for m in resultats.values() for _, p95 in m.values())
    lignes = [
        TITRE, "",
        f"Mesuré le {quand} sur {platform.machine()}, {os.cpu_count()} cœurs : {args.rapports} "
        "rapports en base (2 versions de fiche chacun, anomalies, durées, corrections), "
        f"{args.requetes} requêtes par page après 5 de mise en route, application complète "
        "(TestClient : session, base, gabarits). Cible p95 ≤ 200 ms : "
        f"{'atteinte' if atteinte else 'NON atteinte'}.", "",
        "| base | page | p50 (ms) | p95 (ms) |", "|---|---|---|---|",
        *(f"| {base} | {nom} | {p50:.1f} | {p95:.1f} |"
          for base, mesures in resultats.items() for nom, (p50, p95) in mesures.items()),
    ]  # fmt: skip
    remplacer_section(args.resultats, TITRE, "\n".join(lignes))
    print(f"Résultats écrits dans {args.resultats}")


if __name__ == "__main__":
    main()
