"""Application de revue par HTTP (TestClient) : chaque route pour chaque rôle, sessions,
CSRF, limitation des connexions, échappement, chemins de fichiers, journal inaltérable.

Les décisions passent par un exécutant factice (le vrai flow Prefect est exercé par le
test de bout en bout `test_revue_e2e.py`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fiche.modeles import Champ, Fiche
from revue.app import creer_app
from revue.securite import COOKIE_SESSION, EN_TETES
from socle.erreurs import ConfigurationError
from socle.reglages import Reglages
from stockage.depot import Depot
from stockage.modeles import Duree
from stockage.moteur import url_base
from stockage.statuts import Statut
from tests.revue_outils import (
    MOT_DE_PASSE,
    connecter,
    creer_comptes,
    csrf_de,
    fiche_reference,
    reglages_revue,
    semer,
)

SCRIPT = "<script>alert('x')</script>"
CA_2023 = "financier.postes.chiffre_affaires.2023"


class Executant:
    """Décisions factices : la décision enregistrée par la route est appliquée en base
    comme le ferait le flow (sans Prefect)."""

    def __init__(self, depot: Depot) -> None:
        self.depot, self.appels = depot, []  # type: list[tuple[int, str, str, str]]

    def __call__(self, rapport_id: int, decision_id: int) -> str:
        decision = self.depot.decision(decision_id)
        assert decision is not None
        self.appels.append(
            (rapport_id, decision.decision, decision.agent, decision.commentaire or "")
        )
        return self.depot.appliquer_decision(decision_id, rapport_id)[1].value


def donnees_decision(depot: Depot, rapport_id: int, **champs: str) -> dict[str, Any]:
    """Le formulaire de décision tel que la page l'envoie : version affichée, et un motif
    pour chaque anomalie bloquante ou alerte (vide si `motif` est vide)."""
    version = depot.versions(rapport_id)[-1]
    ouvertes = [a for a in depot.anomalies(version.id) if a.gravite in ("bloquant", "alerte")]
    motif = champs.pop("motif", "Vu avec le délégataire")
    return {
        "decision": "valider", "version": str(version.numero), **champs,
        "anomalie": [str(a.id) for a in ouvertes], "motif": [motif] * len(ouvertes),
    }  # fmt: skip


@pytest.fixture
def reglages_test() -> Reglages:
    return reglages_revue()


@pytest.fixture
def depot(reglages_test: Reglages) -> Iterator[Depot]:
    depot = Depot(url_base(reglages_test))
    creer_comptes(depot)
    yield depot
    depot.fermer()


@pytest.fixture
def rapport_id(depot: Depot, reglages_test: Reglages) -> int:
    return semer(depot, reglages_test, "stationnement_forville_2023.pdf")


@pytest.fixture
def executant(depot: Depot) -> Executant:
    return Executant(depot)


@pytest.fixture
def client(reglages_test: Reglages, executant: Executant, rapport_id: int) -> Iterator[TestClient]:
    with TestClient(creer_app(reglages_test, executant=executant)) as client:
        yield client


CORRECTION = {"chemin": CA_2023, "valeur": "1 000", "motif": "test"}
NOUVEAU_COMPTE = {
    "identifiant": "nouvel", "nom": "Nouvel Agent", "role": "relecteur",
    "mot_de_passe": MOT_DE_PASSE,
}  # fmt: skip


def routes(rapport_id: int) -> list[tuple[str, str, str, dict[str, str]]]:
    """(méthode, chemin, rôle minimal, données) de chaque route protégée."""
    r = f"/rapports/{rapport_id}"
    return [
        ("GET", "/", "relecteur", {}),
        ("GET", "/rapports", "relecteur", {}),
        ("GET", "/rapports?statut=tous&exercice=&secteur=&alertes_min=&q=forv", "relecteur", {}),
        ("GET", r, "relecteur", {}),
        ("GET", f"{r}/fiche", "relecteur", {}),
        ("GET", f"{r}/source?champ={CA_2023}", "relecteur", {}),
        ("GET", f"{r}/source?page=2", "relecteur", {}),
        ("GET", f"{r}/pages/5.png", "relecteur", {}),
        ("GET", f"{r}/decision", "relecteur", {}),
        ("GET", "/tableau-de-bord", "relecteur", {}),
        ("GET", "/tableau-de-bord.csv", "relecteur", {}),
        ("POST", f"{r}/temps", "relecteur", {"secondes": "12"}),
        ("POST", f"{r}/corrections", "relecteur", CORRECTION),
        ("POST", f"{r}/avis", "relecteur", {"texte": "Avis favorable."}),
        ("POST", f"{r}/decision", "valideur", {"decision": "valider", "commentaire": "RAS"}),
        ("GET", "/utilisateurs", "admin", {}),
        ("POST", "/utilisateurs", "admin", NOUVEAU_COMPTE),
        ("POST", "/utilisateurs/relecteur/actif", "admin", {"actif": "true"}),
        ("POST", "/deconnexion", "relecteur", {}),
    ]  # fmt: skip


NIVEAU = {"relecteur": 1, "valideur": 2, "admin": 3}


def test_sans_session_chaque_route_renvoie_a_la_connexion(
    client: TestClient, rapport_id: int
) -> None:
    for methode, chemin, _role, donnees in routes(rapport_id):
        reponse = client.request(methode, chemin, data=donnees or None, follow_redirects=False)
        if methode == "GET":
            assert reponse.status_code == 303, chemin
            assert reponse.headers["location"] == "/connexion"
        else:
            assert reponse.status_code == 401, chemin
    assert client.get("/connexion").status_code == 200
    assert client.get("/static/htmx.min.js").status_code == 200


@pytest.mark.parametrize("role", ["relecteur", "valideur", "admin"])
def test_chaque_route_pour_chaque_role(
    client: TestClient, depot: Depot, rapport_id: int, role: str
) -> None:
    csrf = connecter(client, role)
    for methode, chemin, minimal, donnees in routes(rapport_id):
        if chemin == "/deconnexion":
            continue
        if chemin.endswith("/decision") and methode == "POST":
            donnees = donnees_decision(depot, rapport_id, commentaire="RAS")
        envoi = {**donnees, "csrf": csrf} if methode == "POST" else None
        reponse = client.request(methode, chemin, data=envoi, follow_redirects=False)
        if NIVEAU[role] >= NIVEAU[minimal]:
            assert reponse.status_code in (200, 204, 303), (chemin, reponse.text[:300])
        else:
            assert reponse.status_code == 403, chemin
            assert "réservée au rôle" in reponse.text
    deconnexion = client.post("/deconnexion", data={"csrf": csrf}, follow_redirects=False)
    assert deconnexion.status_code == 303
    assert client.get("/rapports", follow_redirects=False).status_code == 303


def test_csrf_exige_sur_chaque_formulaire(client: TestClient, rapport_id: int) -> None:
    connecter(client, "admin")
    for methode, chemin, _role, donnees in routes(rapport_id):
        if methode != "POST":
            continue
        sans = client.post(chemin, data=donnees, follow_redirects=False)
        assert sans.status_code == 403, chemin
        faux = client.post(chemin, data={**donnees, "csrf": "0" * 64}, follow_redirects=False)
        assert faux.status_code == 403, chemin
        assert "CSRF" in faux.text
    # Connexion : le jeton double (cookie signé + champ) est exigé aussi.
    client.cookies.clear()
    refus = client.post(
        "/connexion", data={"identifiant": "admin", "mot_de_passe": MOT_DE_PASSE, "csrf": "x"}
    )
    assert refus.status_code == 403


def test_htmx_envoie_le_jeton_en_en_tete(client: TestClient, rapport_id: int) -> None:
    csrf = connecter(client, "relecteur")
    page = client.get(f"/rapports/{rapport_id}").text
    assert f'hx-headers=\'{{"X-CSRF-Token": "{csrf}"}}\'' in page
    reponse = client.post(
        f"/rapports/{rapport_id}/temps", data={"secondes": "3"}, headers={"X-CSRF-Token": csrf}
    )
    assert reponse.status_code == 204


def test_connexion_limitee_apres_echecs(client: TestClient) -> None:
    for _ in range(5):
        page = client.get("/connexion")
        echec = client.post(
            "/connexion",
            data={"identifiant": "valideur", "mot_de_passe": "faux", "csrf": csrf_de(page.text)},
        )
        assert echec.status_code == 401
        assert "incorrect" in echec.text
    page = client.get("/connexion")
    bloque = client.post(
        "/connexion",
        data={"identifiant": "valideur", "mot_de_passe": MOT_DE_PASSE, "csrf": csrf_de(page.text)},
    )
    assert bloque.status_code == 429
    assert "Trop de tentatives" in bloque.text


def test_identifiant_inconnu_et_compte_desactive(client: TestClient, depot: Depot) -> None:
    from stockage.comptes import Comptes

    page = client.get("/connexion")
    inconnu = client.post(
        "/connexion", data={"identifiant": "x", "mot_de_passe": "y", "csrf": csrf_de(page.text)}
    )
    assert inconnu.status_code == 401
    csrf = connecter(client, "relecteur")
    Comptes(depot).modifier("relecteur", actif=False)  # ses sessions sont fermées
    assert client.get("/rapports", follow_redirects=False).status_code == 303
    assert csrf


def test_secret_par_defaut_refuse_hors_demonstration() -> None:
    with pytest.raises(ConfigurationError, match="DSP_REVUE_SECRET"):
        creer_app(Reglages())
    with pytest.raises(ConfigurationError, match="trop court"):
        creer_app(Reglages(revue_secret="court"))  # type: ignore[arg-type]
    assert creer_app(Reglages(demo=True)) is not None


def test_en_tetes_de_securite_et_aucune_ressource_externe(client: TestClient) -> None:
    reponse = client.get("/connexion")
    for nom, valeur in EN_TETES.items():
        assert reponse.headers[nom] == valeur
    cookie = reponse.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    racine = Path(__file__).resolve().parent.parent / "revue"
    for fichier in [*racine.glob("templates/*.html"), *racine.glob("static/revue*")]:
        texte = fichier.read_text(encoding="utf-8")
        assert "http://" not in texte and "https://" not in texte, fichier
        assert "<script>" not in texte, fichier  # aucun script en ligne (CSP)


def test_texte_du_rapport_toujours_echappe(
    client: TestClient, depot: Depot, reglages_test: Reglages
) -> None:
    fiche = fiche_reference("marche_halles_2023")
    fiche.identification.delegataire.valeur = f"Halles {SCRIPT}"
    fiche.faits_marquants.append(Champ[str](valeur=SCRIPT, page=3, citation=SCRIPT))
    piege = semer(depot, reglages_test, "marche_halles_2023.pdf", fiche=fiche)
    csrf = connecter(client, "relecteur")
    client.post(
        f"/rapports/{piege}/corrections",
        data={"chemin": "identification.objet", "valeur": SCRIPT, "motif": SCRIPT, "csrf": csrf},
    )
    rang = len(fiche.faits_marquants) - 1
    pages = [
        client.get("/rapports").text,
        client.get(f"/rapports/{piege}").text,
        client.get(f"/rapports/{piege}/source?champ=faits_marquants.{rang}").text,
        client.get("/tableau-de-bord").text,
    ]
    for html in pages:
        assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in pages[1]
    assert "&lt;script&gt;" in pages[0] and "&lt;script&gt;" in pages[2]


def test_chemins_de_fichiers_restent_dans_les_donnees(
    client: TestClient, depot: Depot, rapport_id: int
) -> None:
    connecter(client, "relecteur")
    for chemin in (
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/..%2fapp.py",
        f"/rapports/{rapport_id}/pages/..%2f..%2fsynthese.db.png",
        f"/rapports/{rapport_id}/pages/-1.png",
        f"/rapports/{rapport_id}/pages/999.png",
    ):
        reponse = client.get(chemin)
        assert reponse.status_code in (400, 404, 422), chemin
        assert not reponse.content.startswith(b"\x89PNG")
    # Un chemin de publication hors du dossier des données (journal falsifié) est refusé.
    depot.ajouter_evenement(
        rapport_id, agent="x", action="publication", nouvelle_valeur="/etc/passwd"
    )
    refus = client.get(f"/rapports/{rapport_id}/fiche.docx")
    assert refus.status_code == 400 and "root:" not in refus.text
    assert "hors du dossier des données" in refus.text


def test_page_source_surlignee_et_image(client: TestClient, rapport_id: int) -> None:
    connecter(client, "relecteur")
    panneau = client.get(f"/rapports/{rapport_id}/source?champ={CA_2023}").text
    assert "Page 5 sur" in panneau and 'class="surlignage"' in panneau
    assert "zone(s) surlignée(s)" in panneau
    image = client.get(f"/rapports/{rapport_id}/pages/5.png")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    again = client.get(f"/rapports/{rapport_id}/pages/5.png")
    assert again.content == image.content  # servie depuis le cache


def test_correction_nouvelle_version_et_journal(
    client: TestClient, depot: Depot, rapport_id: int
) -> None:
    csrf = connecter(client, "relecteur")
    avant = depot.derniere_fiche(rapport_id)
    assert avant is not None
    ancien = avant.financier.postes["chiffre_affaires"]["2023"]
    versions = len(depot.versions(rapport_id))
    reponse = client.post(
        f"/rapports/{rapport_id}/corrections",
        data={"chemin": CA_2023, "valeur": "1 284 560,50", "motif": "colonne N", "csrf": csrf},
    )
    assert reponse.status_code == 200 and "Correction enregistrée" in reponse.text
    # Le formulaire de décision suit : il portera la version corrigée (échange hors bande).
    assert f'value="{versions + 1}" id="version-decision" hx-swap-oob="true"' in reponse.text
    apres = depot.derniere_fiche(rapport_id)
    assert apres is not None and len(depot.versions(rapport_id)) == versions + 1
    champ = apres.financier.postes["chiffre_affaires"]["2023"]
    assert champ.valeur == 1284560.5 and champ.origine == "agent"
    assert (champ.page, champ.citation) == (ancien.page, ancien.citation)
    evenement = depot.evenements(rapport_id)[-1]
    assert (evenement.action, evenement.champ, evenement.agent) == (
        "correction",
        CA_2023,
        "relecteur",
    )
    assert evenement.ancienne_valeur == str(ancien.valeur) and evenement.commentaire == "colonne N"
    assert evenement.nouvelle_valeur == "1284560.5"
    for valeur, motif in (("douze", "x"), ("1 000", "")):
        refus = client.post(
            f"/rapports/{rapport_id}/corrections",
            data={"chemin": CA_2023, "valeur": valeur, "motif": motif, "csrf": csrf},
        )
        assert refus.status_code == 422
    date = client.post(
        f"/rapports/{rapport_id}/corrections",
        data={"chemin": "identification.date_fin", "valeur": "31/03/2033", "motif": "avenant",
              "csrf": csrf},
    )  # fmt: skip
    assert date.status_code == 200
    fiche = depot.derniere_fiche(rapport_id)
    assert fiche is not None and str(fiche.identification.date_fin.valeur) == "2033-03-31"


def test_avis_et_decision(
    client: TestClient, depot: Depot, rapport_id: int, executant: Executant
) -> None:
    csrf = connecter(client, "valideur")
    client.post(f"/rapports/{rapport_id}/avis", data={"texte": "Avis favorable.", "csrf": csrf})
    fiche = depot.derniere_fiche(rapport_id)
    assert fiche is not None and fiche.revue is not None and fiche.revue.avis == "Avis favorable."
    assert depot.evenements(rapport_id)[-1].action == "avis"
    rejet = client.post(
        f"/rapports/{rapport_id}/decision",
        data={**donnees_decision(depot, rapport_id, decision="rejeter"), "csrf": csrf},
    )
    assert rejet.status_code == 422 and "motivé" in rejet.text
    envoi = client.post(
        f"/rapports/{rapport_id}/decision",
        data={**donnees_decision(depot, rapport_id), "csrf": csrf},
    )
    assert envoi.status_code == 200
    for _ in range(100):
        etat = client.get(f"/rapports/{rapport_id}/decision").text
        if "en cours" not in etat:
            break
        time.sleep(0.05)
    assert "Décision enregistrée" in etat
    assert executant.appels == [(rapport_id, "valider", "Agent valideur", "Avis favorable.")]
    assert depot.rapport(rapport_id).statut == Statut.VALIDE
    # Une fiche validée ne se corrige plus.
    refus = client.post(
        f"/rapports/{rapport_id}/corrections",
        data={"chemin": CA_2023, "valeur": "1", "motif": "x", "csrf": csrf},
    )
    assert refus.status_code == 400 and "ne se modifie plus" in refus.text


def test_decision_liee_a_la_version_affichee_puis_fiche_figee(
    reglages_test: Reglages, depot: Depot, rapport_id: int
) -> None:
    """Issue 14, point 1 : une correction et un avis envoyés juste après « Valider » sont
    refusés (la décision en cours porte sur la version affichée, son hachage est gardé) ;
    une décision sur une version périmée est refusée."""
    transmises: list[int] = []

    def transmettre(_rapport_id: int, decision_id: int) -> str:
        transmises.append(decision_id)  # comme un flow suspendu : appliquée plus tard
        return "transmise"

    with TestClient(creer_app(reglages_test, executant=transmettre)) as client:
        csrf = connecter(client, "valideur")
        perimee = donnees_decision(depot, rapport_id)
        client.post(
            f"/rapports/{rapport_id}/corrections",
            data={"chemin": CA_2023, "valeur": "2 000", "motif": "colonne N", "csrf": csrf},
        )
        refus = client.post(f"/rapports/{rapport_id}/decision", data={**perimee, "csrf": csrf})
        assert refus.status_code == 400 and "a changé depuis que vous" in refus.text
        envoi = client.post(
            f"/rapports/{rapport_id}/decision",
            data={**donnees_decision(depot, rapport_id), "csrf": csrf},
        )
        assert envoi.status_code == 200
        version = depot.versions(rapport_id)[-1]
        decision = depot.decision_en_attente(rapport_id)
        assert decision is not None and decision.version_id == version.id
        assert decision.hachage == version.hachage and len(version.hachage or "") == 64
        correction = client.post(
            f"/rapports/{rapport_id}/corrections",
            data={"chemin": CA_2023, "valeur": "1", "motif": "après le clic", "csrf": csrf},
        )
        assert correction.status_code == 400 and "Modification refusée" in correction.text
        avis = client.post(f"/rapports/{rapport_id}/avis", data={"texte": "tard", "csrf": csrf})
        assert avis.status_code == 400 and "Modification refusée" in avis.text
        assert depot.versions(rapport_id)[-1].id == version.id
        page = client.get(f"/rapports/{rapport_id}").text
        assert 'id="decision-en-attente"' in page and 'id="valider"' not in page
    # Le traitement applique ensuite exactement cette version, puis la signe.
    decision_id = transmises[0]
    assert depot.appliquer_decision(decision_id, rapport_id)[1] == Statut.VALIDE
    assert depot.decision(decision_id).version_signee_id == depot.versions(rapport_id)[-1].id  # type: ignore[union-attr]


def test_validation_exige_la_reconnaissance_des_anomalies(
    client: TestClient, depot: Depot, rapport_id: int
) -> None:
    """Issue 14, point 4 : l'alerte FRAIS_SIEGE de la fiche doit être reconnue avec un
    motif ; la reconnaissance est journalisée."""
    csrf = connecter(client, "valideur")
    page = client.get(f"/rapports/{rapport_id}").text
    assert "Anomalies bloquantes ou alertes à reconnaître" in page and "FRAIS_SIEGE" in page
    sans = donnees_decision(depot, rapport_id, motif="")
    refus = client.post(f"/rapports/{rapport_id}/decision", data={**sans, "csrf": csrf})
    assert refus.status_code == 400 and "FRAIS_SIEGE (alerte)" in refus.text
    assert depot.rapport(rapport_id).statut == Statut.A_VALIDER
    avec = donnees_decision(depot, rapport_id, motif="Frais de siège prévus à l'avenant 3")
    assert client.post(f"/rapports/{rapport_id}/decision", data={**avec, "csrf": csrf}).is_success
    reconnues = [e for e in depot.evenements(rapport_id) if e.action == "reconnaissance_anomalie"]
    assert [(e.champ, e.agent, e.commentaire) for e in reconnues] == [
        ("FRAIS_SIEGE", "Agent valideur", "Frais de siège prévus à l'avenant 3")
    ]


def test_temps_de_revue_par_agent_borne(client: TestClient, depot: Depot, rapport_id: int) -> None:
    csrf = connecter(client, "relecteur")
    assert (
        client.post(
            f"/rapports/{rapport_id}/temps", data={"secondes": "30", "csrf": csrf}
        ).status_code
        == 204
    )
    for trop in ("500", "0", "-3", "abc"):
        reponse = client.post(
            f"/rapports/{rapport_id}/temps", data={"secondes": trop, "csrf": csrf}
        )
        assert reponse.status_code == 422
    assert depot.durees(rapport_id)["revue"] == 30
    with Session(depot.moteur) as session:
        agents = session.scalars(select(Duree.agent).where(Duree.etape == "revue")).all()
    assert agents == ["relecteur"]


def test_journal_inalterable_par_l_application(
    client: TestClient, depot: Depot, rapport_id: int
) -> None:
    app = client.app
    methodes = {m for route in app.routes for m in getattr(route, "methods", set())}  # type: ignore[attr-defined]
    assert methodes <= {"GET", "HEAD", "POST"}
    csrf = connecter(client, "admin")
    avant = [(e.id, e.action, e.nouvelle_valeur) for e in depot.evenements(rapport_id)]
    for methode in ("DELETE", "PUT", "PATCH"):
        assert client.request(methode, f"/rapports/{rapport_id}").status_code == 405
    client.post(
        f"/rapports/{rapport_id}/corrections",
        data={"chemin": CA_2023, "valeur": "5", "motif": "essai", "csrf": csrf},
    )
    client.post(f"/rapports/{rapport_id}/avis", data={"texte": "avis", "csrf": csrf})
    apres = [(e.id, e.action, e.nouvelle_valeur) for e in depot.evenements(rapport_id)]
    # Chaque correction et chaque avis : l'événement et celui de la nouvelle version.
    assert apres[: len(avant)] == avant and len(apres) == len(avant) + 4
    assert [a for _, a, _ in apres[len(avant) :]] == ["version", "correction", "version", "avis"]
    assert depot.verifier_journal().rupture is None


def test_file_filtres_et_pagination(
    client: TestClient, depot: Depot, reglages_test: Reglages, tmp_path: Path
) -> None:
    semer(depot, reglages_test, "plage_lot7_2023.pdf")
    connecter(client, "relecteur")
    tous = client.get("/rapports?statut=tous").text
    assert "stationnement_forville_2023.pdf" in tous and "plage_lot7_2023.pdf" in tous
    plage = client.get("/rapports?secteur=plage").text
    assert "plage_lot7_2023.pdf" in plage and "stationnement_forville" not in plage
    recherche = client.get("/rapports?q=FORVILLE").text
    assert "stationnement_forville_2023.pdf" in recherche and "plage_lot7" not in recherche
    assert "Aucun rapport" in client.get("/rapports?alertes_min=99").text
    assert "Aucun rapport" in client.get("/rapports?statut=publie").text
    invalide = client.get("/rapports?exercice=abc")
    assert invalide.status_code == 422 and "Saisie invalide" in invalide.text
    assert "« exercice »" in invalide.text


def test_tableau_de_bord_et_csv(
    client: TestClient, depot: Depot, rapport_id: int, reglages_test: Reglages
) -> None:
    csrf = connecter(client, "valideur")
    client.post(f"/rapports/{rapport_id}/temps", data={"secondes": "90", "csrf": csrf})
    client.post(
        f"/rapports/{rapport_id}/corrections",
        data={"chemin": CA_2023, "valeur": "5", "motif": "essai", "csrf": csrf},
    )
    depot.changer_statut(rapport_id, Statut.VALIDE, agent="valideur")
    page = client.get("/tableau-de-bord").text
    assert '<span id="rapports-relus">1</span>' in page
    reference = reglages_test.heures_reference_total / reglages_test.rapports_reference
    gagne = reference - (90 + 5) / 3600
    assert f"{gagne:.1f}".replace(".", ",") in page
    assert "Chiffre d&#39;affaires" in page and "FRAIS_SIEGE" in page
    assert "/static/plotly-basic.min.js" in page
    csv = client.get("/tableau-de-bord.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    lignes = csv.content.decode("utf-8-sig").splitlines()
    assert lignes[0].startswith("rapport;fichier;exercice")
    assert lignes[1].split(";")[-1] == f"{gagne:.2f}".replace(".", ",")


def test_gestion_des_comptes(client: TestClient) -> None:
    csrf = connecter(client, "admin")
    cree = client.post(
        "/utilisateurs",
        data={"identifiant": "mdurand", "nom": "Mme Durand", "role": "valideur",
              "mot_de_passe": MOT_DE_PASSE, "csrf": csrf},
        follow_redirects=False,
    )  # fmt: skip
    assert cree.status_code == 303
    assert "Mme Durand" in client.get("/utilisateurs").text
    court = client.post(
        "/utilisateurs",
        data={"identifiant": "x", "nom": "x", "role": "valideur", "mot_de_passe": "court",
              "csrf": csrf},
    )  # fmt: skip
    assert court.status_code == 400 and "trop court" in court.text
    soi = client.post("/utilisateurs/admin/actif", data={"actif": "false", "csrf": csrf})
    assert soi.status_code == 400


def test_fiche_de_la_revue_accepte_un_rapport_docx(
    client: TestClient, depot: Depot, reglages_test: Reglages
) -> None:
    docx = semer(depot, reglages_test, "restauration_collective_ormes_2024.docx")
    connecter(client, "relecteur")
    panneau = client.get(f"/rapports/{docx}/source?champ=identification.delegataire").text
    assert "pas d'image de page" in panneau and "Texte cité" in panneau
    assert client.get(f"/rapports/{docx}/pages/1.png").status_code == 400
    fiche = depot.derniere_fiche(docx)
    assert isinstance(fiche, Fiche)


def test_cli_utilisateur_creer_et_revue_sans_secret() -> None:
    from typer.testing import CliRunner

    from cli.principal import app
    from revue.comptes import authentifier, comptes_de, creer_compte_demo
    from socle.reglages import reglages

    lanceur = CliRunner()
    resultat = lanceur.invoke(
        app,
        ["utilisateur", "creer", "mdurand", "--nom", "Mme Durand", "--role", "valideur"],
        input=f"{MOT_DE_PASSE}\n{MOT_DE_PASSE}\n",
    )
    assert resultat.exit_code == 0, resultat.output
    assert "Compte « mdurand » créé" in resultat.output
    comptes = comptes_de(reglages())
    compte = authentifier(comptes, "mdurand", MOT_DE_PASSE)
    assert compte is not None and compte.role == "valideur"
    double = lanceur.invoke(
        app, ["utilisateur", "creer", "mdurand", "--nom", "X", "--mot-de-passe", MOT_DE_PASSE]
    )
    assert double.exit_code == 2 and "déjà pris" in double.output
    role = lanceur.invoke(
        app,
        ["utilisateur", "creer", "y", "--nom", "Y", "--role", "chef", "--mot-de-passe", "z" * 9],
    )
    assert role.exit_code == 2 and "Rôle inconnu" in role.output
    sans_secret = lanceur.invoke(app, ["revue"])
    assert sans_secret.exit_code == 2 and "DSP_REVUE_SECRET" in sans_secret.output
    identifiant, mot_de_passe = creer_compte_demo(reglages())
    assert authentifier(comptes, identifiant, mot_de_passe) is not None
    _, nouveau = creer_compte_demo(reglages())  # réinitialisé à chaque démonstration
    assert authentifier(comptes, identifiant, mot_de_passe) is None
    assert authentifier(comptes, identifiant, nouveau) is not None


def test_session_neuve_a_chaque_connexion_et_fermee_a_la_deconnexion(client: TestClient) -> None:
    """ASVS V3.2/V3.3 : pas de fixation de session, déconnexion effective côté serveur."""

    def statut_avec(jeton: str) -> int:
        client.cookies.clear()
        client.cookies.set(COOKIE_SESSION, jeton)
        return client.get("/rapports", follow_redirects=False).status_code

    connecter(client, "relecteur")
    premier = str(client.cookies.get(COOKIE_SESSION))
    connecter(client, "relecteur")
    second = str(client.cookies.get(COOKIE_SESSION))
    assert premier != second
    assert statut_avec(premier) == 303  # la session d'avant la connexion est fermée
    assert statut_avec(second) == 200
    csrf = csrf_de(client.get("/rapports").text)
    sortie = client.post("/deconnexion", data={"csrf": csrf}, follow_redirects=False)
    assert sortie.status_code == 303
    assert statut_avec(second) == 303  # rejouer le jeton après la déconnexion : refusé
