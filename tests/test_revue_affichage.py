"""Ce que l'agent voit sur la page d'un rapport et dans la file : anomalies en haut et sur
chaque ligne qu'elles concernent, badges honnêtes, N-1, variation et unité, journal
lisible ; rejet → « en attente du délégataire » avec échéance, retards dans la file."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from revue.app import creer_app
from stockage.depot import Depot
from stockage.moteur import url_base
from stockage.statuts import Statut
from tests.revue_outils import connecter, creer_comptes, reglages_revue, semer

FRAIS_2023 = "financier.postes.frais_siege.2023"
CA_2023 = "financier.postes.chiffre_affaires.2023"


def _appliquer(depot: Depot) -> object:
    return lambda rapport_id, decision_id: (
        depot.appliquer_decision(decision_id, rapport_id)[1].value
    )


@pytest.fixture
def contexte() -> Iterator[tuple[TestClient, Depot, int]]:
    reglages = reglages_revue()
    depot = Depot(url_base(reglages))
    creer_comptes(depot)
    rapport_id = semer(depot, reglages, "stationnement_forville_2023.pdf")
    with TestClient(creer_app(reglages, executant=_appliquer(depot))) as client:  # type: ignore[arg-type]
        yield client, depot, rapport_id
    depot.fermer()


def _ligne(html: str, chemin: str) -> str:
    trouve = re.search(rf'<tr id="champ-{re.escape(chemin)}".*?</tr>', html, re.S)
    assert trouve, f"ligne {chemin} absente"
    return trouve.group(0)


def test_anomalies_en_haut_et_sur_leurs_lignes(contexte: tuple[TestClient, Depot, int]) -> None:
    client, _, rapport_id = contexte
    connecter(client, "relecteur")
    page = client.get(f"/rapports/{rapport_id}").text
    assert page.index('id="anomalies"') < page.index('id="fiche"')
    assert 'id="anomalie-1"' in page and "Frais de siège élevés" in page
    assert f'href="#champ-{FRAIS_2023}"' in page  # de l'anomalie vers la ligne
    frais = _ligne(page, FRAIS_2023)
    assert 'href="#anomalie-' in frais and "valeur à vérifier" in frais
    assert "citation retrouvée</span>" not in frais  # jamais « exact » sous une anomalie
    ca = _ligne(page, CA_2023)
    assert 'data-chemin-precedent="financier.postes.chiffre_affaires.2022"' in ca  # N-1
    assert 'id="champ-financier.postes.chiffre_affaires.2022"' not in page  # pas de doublon
    assert "<td>€</td>" in ca and re.search(r"<td>[+−][\d,\u202f]+\u00a0%</td>", ca)
    assert "(€ TTC) (€ TTC)" not in page and "<td>€ TTC</td>" in page  # l'unité a sa colonne


def test_correction_refusee_puis_badge_agent_et_journal_lisible(
    contexte: tuple[TestClient, Depot, int],
) -> None:
    client, _, rapport_id = contexte
    csrf = connecter(client, "relecteur")
    entete = {"HX-Request": "true", "X-CSRF-Token": csrf}
    refus = client.post(
        f"/rapports/{rapport_id}/corrections", headers=entete,
        data={"chemin": CA_2023, "valeur": "douze mille", "motif": "relu"},
    )  # fmt: skip
    assert refus.status_code == 422 and "pas un nombre" in refus.text
    assert 'role="alert"' in refus.text
    client.post(
        f"/rapports/{rapport_id}/corrections", headers=entete,
        data={"chemin": CA_2023, "valeur": "12 000", "motif": "relu page 5"},
    )  # fmt: skip
    page = client.get(f"/rapports/{rapport_id}").text
    assert "corrigée par un agent" in _ligne(page, CA_2023)
    journal = html.unescape(page[page.index("Journal d'audit") :])
    assert "correction d'une valeur" in journal and "Chiffre d'affaires 2023" in journal
    assert CA_2023 not in journal and not re.search(r"[0-9a-f]{64}", journal)
    assert "12\u202f000" in journal


def test_rejet_met_en_attente_du_delegataire(contexte: tuple[TestClient, Depot, int]) -> None:
    client, depot, rapport_id = contexte
    csrf = connecter(client, "valideur")
    version = str(depot.versions(rapport_id)[-1].numero)
    sans_motif = client.post(
        f"/rapports/{rapport_id}/decision", headers={"HX-Request": "true", "X-CSRF-Token": csrf},
        data={"decision": "rejeter", "version": version},
    )  # fmt: skip
    assert sans_motif.status_code == 422 and "motivé" in sans_motif.text
    client.post(
        f"/rapports/{rapport_id}/decision", headers={"HX-Request": "true", "X-CSRF-Token": csrf},
        data={"decision": "rejeter", "version": version, "commentaire": "CARE illisible"},
    )  # fmt: skip
    for _ in range(100):  # la décision s'applique dans un fil à part
        if depot.rapport(rapport_id).statut == Statut.ATTENTE_DELEGATAIRE:
            break
        time.sleep(0.05)
    rapport = depot.rapport(rapport_id)
    assert rapport.statut == Statut.ATTENTE_DELEGATAIRE and rapport.echeance is not None
    page = client.get(f"/rapports/{rapport_id}").text
    assert 'id="attente-delegataire"' in page and "CARE illisible" in page
    assert "échéance du délégataire" in page  # journal : la date, pas un code
    file = client.get("/rapports?statut=attente_delegataire").text
    assert "en attente d'un nouveau fichier du délégataire" in file
    assert "en retard</span>" not in file
    # Échéance dépassée : la file le montre, et le filtre « en retard » le trouve.
    with depot.moteur.begin() as connexion:
        connexion.execute(
            text("update rapports set echeance = :d where id = :i"),
            {"d": date(2020, 1, 1), "i": rapport_id},
        )
    retards = client.get("/rapports?statut=en_retard").text
    assert "en retard</span>" in retards and "1 en retard" in retards
