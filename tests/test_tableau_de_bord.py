"""Un tableau de bord honnête : le temps gagné est une estimation qui dit ses hypothèses,
l'exactitude n'apparaît qu'avec assez de rapports relus, les comptes s'additionnent, et les
graphiques des rapports CCSPL y figurent, autorité par autorité."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from revue.services.exactitude import chiffres_de, exactitude
from socle.reglages import Reglages
from stockage.depot import Depot
from stockage.statuts import Statut
from tests.revue_outils import connecter, fiche_reference, semer
from tests.test_revue_http import (  # noqa: F401 (fixtures)
    CA_2023,
    client,
    depot,
    executant,
    rapport_id,
    reglages_test,
)


def valider_apres(navigateur: TestClient, base: Depot, rapport: int, secondes: int) -> None:
    csrf = connecter(navigateur, "valideur")
    navigateur.post(f"/rapports/{rapport}/temps", data={"secondes": str(secondes), "csrf": csrf})
    navigateur.post(
        f"/rapports/{rapport}/corrections",
        data={"chemin": CA_2023, "valeur": "5", "motif": "essai", "csrf": csrf},
    )
    base.changer_statut(rapport, Statut.VALIDE, agent="valideur")


def test_estimation_avec_hypotheses_et_sans_exactitude_trompeuse(
    client: TestClient,  # noqa: F811
    depot: Depot,  # noqa: F811
    rapport_id: int,  # noqa: F811
    reglages_test: Reglages,  # noqa: F811
) -> None:
    """Un rapport validé après 6 s, une correction d'essai : ni « 100 % », ni « 0 % »."""
    semer(depot, reglages_test, "plage_lot7_2023.pdf")  # reste « à valider »
    valider_apres(client, depot, rapport_id, 6)
    page = client.get("/tableau-de-bord").text
    assert "temps gagné — estimation" in page
    assert reglages_test.heures_reference_source in page.replace("&#39;", "'")
    assert "1 rapport(s) relu(s) avec moins de 60 s de revue active mesurée" in page
    assert '<span id="exactitude">—</span>' in page
    assert "Exactitude affichée à partir de 10 rapports relus" in page
    assert "0\u00a0%" not in page and "100\u00a0%" not in page
    # Les comptes s'additionnent : relus + à valider = rapports par statut.
    relus = int(re.search(r'id="rapports-relus">(\d+)<', page).group(1))  # type: ignore[union-attr]
    a_valider = int(re.search(r'id="rapports-a-valider">(\d+)<', page).group(1))  # type: ignore[union-attr]
    statuts = re.search(r"par statut \(dernière version.*?<tbody>(.*?)</tbody>", page, re.S)
    assert statuts is not None
    comptes = [int(n) for n in re.findall(r"<td>(\d+)</td>", statuts.group(1))]
    assert (relus, a_valider, sum(comptes)) == (1, 1, 2)


def test_exactitude_part_des_chiffres_non_corriges(
    depot: Depot,  # noqa: F811
    rapport_id: int,  # noqa: F811
) -> None:
    depot.ajouter_evenement(
        rapport_id, agent="valideur", action="correction", champ=CA_2023,
        ancienne_valeur="1", nouvelle_valeur="5", commentaire="essai",
    )  # fmt: skip
    depot.changer_statut(rapport_id, Statut.VALIDE, agent="valideur")
    chiffres = len(chiffres_de(fiche_reference("stationnement_forville_2023")))
    assert chiffres > 20 and CA_2023 in chiffres_de(fiche_reference("stationnement_forville_2023"))
    mesure = exactitude(depot, {rapport_id}, seuil=1)
    assert (mesure.chiffres, mesure.corriges) == (chiffres, 1)
    assert mesure.taux == 1 - 1 / chiffres
    assert exactitude(depot, {rapport_id}, seuil=10).taux is None


def test_graphiques_ccspl_par_autorite(
    client: TestClient,  # noqa: F811
    depot: Depot,  # noqa: F811
    rapport_id: int,  # noqa: F811
) -> None:
    valider_apres(client, depot, rapport_id, 300)
    page = client.get("/tableau-de-bord").text
    assert "Rapports CCSPL — exercice 2023" in page
    assert "Ville de Port-Azur (1 contrat(s) validé(s))" in page
    bloc = re.search(r'<script type="application/json" id="figures">(.*?)</script>', page, re.S)
    assert bloc is not None
    figures = json.loads(bloc.group(1))
    assert {"ccspl-1-anomalies", "ccspl-1-1"} <= set(figures)
    series = {s["name"]: s["y"] for s in figures["ccspl-1-1"]["data"]}
    assert set(series) == {"2022", "2023"}
    assert series["2023"][0] == 5  # le chiffre d'affaires corrigé par l'agent
    assert 'id="ccspl-1-1"' in page and 'id="ccspl-1-anomalies"' in page
