"""Issue 14 : chaîne de validation dans le stockage, sur SQLite et PostgreSQL.

- point 1 : une décision porte sur une version (son hachage) ; pendant qu'elle attend, et
  après la validation ou la publication, aucune nouvelle version n'est acceptée ;
- point 2 : journal chaîné (une ligne modifiée, supprimée ou une fin de journal retirée
  derrière le dos de l'application est nommée) ; la migration 0003 scelle un journal
  existant ; sur PostgreSQL, le rôle applicatif ne peut ni modifier ni supprimer le
  journal, ni retirer ses déclencheurs ;
- point 3 : une décision ne vient que d'un compte valideur ou administrateur ; la
  dérogation d'un administrateur est journalisée comme telle ;
- point 4 : une validation exige la reconnaissance motivée de chaque anomalie bloquante
  ou alerte.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from fiche.modeles import Anomalie, Fiche, Gravite
from socle.erreurs import StockageError
from stockage.decisions import DemandeDecision
from stockage.depot import Depot
from stockage.journal import proteger_postgres
from stockage.moteur import base_postgres_jetable, creer_moteur, migrer
from stockage.statuts import Statut
from tests.conftest import CORPUS
from tests.outils_decision import compte, demande

BLOQUANT = Anomalie(
    code="CA_DISPROPORTIONNE", gravite=Gravite.BLOQUANT, regle="controles.md § unités",
    message="Chiffre d'affaires 1 000 fois trop grand (k€ lu comme €).", pages=[4],
)  # fmt: skip


def _fiche(anomalies: list[Anomalie] | None = None) -> Fiche:
    fiche = Fiche.model_validate_json((CORPUS / "port_plaisance_2023.fiche.json").read_text())
    return fiche.model_copy(update={"anomalies": anomalies or []})


def _a_valider(depot: Depot, anomalies: list[Anomalie] | None = None) -> int:
    rapport, _ = depot.enregistrer_rapport(f"{uuid.uuid4().hex}.pdf", uuid.uuid4().hex * 2)
    depot.enregistrer_fiche(rapport.id, _fiche(anomalies), auteur="traitement automatique")
    depot.changer_statut(rapport.id, Statut.A_VALIDER)
    return rapport.id


def _alterer(depot: Depot, requete: str) -> None:
    """Une modification derrière le dos de l'application : déclencheurs retirés d'abord
    (ce qu'un propriétaire de la base, ou le possesseur du fichier SQLite, peut faire)."""
    with depot.moteur.begin() as connexion:
        if depot.moteur.dialect.name == "postgresql":
            connexion.execute(text("ALTER TABLE evenements_revue DISABLE TRIGGER USER"))
            connexion.execute(text(requete))
            connexion.execute(text("ALTER TABLE evenements_revue ENABLE TRIGGER USER"))
        else:
            for operation in ("update", "delete"):
                connexion.execute(
                    text(f"DROP TRIGGER IF EXISTS evenements_revue_{operation}_interdit")
                )
            connexion.execute(text(requete))


# --- Point 2 : journal chaîné -------------------------------------------------------------


def test_journal_chaine_intact_puis_ligne_modifiee(depot: Depot) -> None:
    rapport_id = _a_valider(depot)
    for rang in range(3):
        depot.ajouter_evenement(rapport_id, agent="marie", action="avis", nouvelle_valeur=rang)
    evenements = depot.evenements(rapport_id)
    assert all(e.hachage and len(e.hachage) == 64 for e in evenements)
    assert [e.hachage_precedent for e in evenements[1:]] == [e.hachage for e in evenements[:-1]]
    bilan = depot.verifier_journal()
    assert bilan.rupture is None and bilan.evenements == len(evenements)
    cible = evenements[2]
    _alterer(depot, f"UPDATE evenements_revue SET agent = 'pirate' WHERE id = {cible.id}")
    rupture = depot.verifier_journal().rupture
    assert rupture is not None and rupture.evenement_id == cible.id
    assert "ligne modifiée" in rupture.message() and f"n° {cible.id}" in rupture.message()


def test_journal_ligne_supprimee_et_fin_retiree(depot: Depot) -> None:
    rapport_id = _a_valider(depot)
    for rang in range(3):
        depot.ajouter_evenement(rapport_id, agent="marie", action="avis", nouvelle_valeur=rang)
    evenements = depot.evenements(rapport_id)
    _alterer(depot, f"DELETE FROM evenements_revue WHERE id = {evenements[-1].id}")
    rupture = depot.verifier_journal().rupture
    assert rupture is not None and rupture.evenement_id is None and "tête" in rupture.raison
    _alterer(depot, f"DELETE FROM evenements_revue WHERE id = {evenements[1].id}")
    rupture = depot.verifier_journal().rupture
    assert rupture is not None and rupture.evenement_id == evenements[2].id
    assert "ne suit pas" in rupture.raison


def test_migration_0003_scelle_le_journal_existant(url_base: str) -> None:
    moteur = creer_moteur(url_base)
    migrer(moteur, "0002_revue")
    with moteur.begin() as connexion:
        connexion.execute(
            text(
                "insert into rapports (id, fichier, sha256, version, contrat_confirme, statut, "
                "cree_le, modifie_le) values (1, 'p.pdf', 'a', 1, false, 'a_valider', "
                "current_timestamp, current_timestamp)"
            )
        )
        for rang in range(3):
            connexion.execute(
                text(
                    "insert into evenements_revue (rapport_id, agent, date, action, "
                    "nouvelle_valeur) values (1, 'marie', current_timestamp, 'avis', :v)"
                ),
                {"v": str(rang)},
            )
    depot = Depot(moteur=moteur)
    assert depot.verifier_journal().rupture is None
    depot.ajouter_evenement(1, agent="paul", action="avis")
    bilan = depot.verifier_journal()
    assert bilan.rupture is None and bilan.evenements == 4
    # Les déclencheurs d'ajout seul sont rétablis après le scellement.
    with pytest.raises(DBAPIError, match="ajout seul"), moteur.begin() as connexion:
        connexion.execute(text("UPDATE evenements_revue SET agent = 'pirate'"))
    depot.fermer()


def _url_role_applicatif(url_proprietaire: str) -> str:
    role = os.environ.get("DSP_TEST_POSTGRES_ROLE_APP", "dsp_test_app")
    url = make_url(url_proprietaire).set(username=role, password=role)
    return url.render_as_string(hide_password=False)


def test_postgres_le_role_applicatif_ne_touche_pas_au_journal() -> None:
    """Le propriétaire (qui migre) accorde les droits ; l'application, avec son rôle,
    travaille normalement mais ne peut ni modifier, ni vider, ni supprimer le journal, ni
    désactiver ou retirer ses déclencheurs."""
    url_admin = os.environ.get("DSP_TEST_POSTGRES_URL")
    if not url_admin:
        pytest.skip("DSP_TEST_POSTGRES_URL absente : PostgreSQL non testé en local")
    with base_postgres_jetable(url_admin, f"dsp_t_{uuid.uuid4().hex[:12]}") as url:
        proprietaire = Depot(url)
        with proprietaire.moteur.begin() as connexion:
            proteger_postgres(connexion, "dsp_test_app")
            with pytest.raises(StockageError, match="distinct du propriétaire"):
                proteger_postgres(connexion, str(connexion.scalar(text("select current_user"))))
        proprietaire.fermer()
        application = Depot(_url_role_applicatif(url))
        rapport_id = _a_valider(application)
        application.ajouter_evenement(rapport_id, agent="marie", action="avis")
        assert application.verifier_journal().rupture is None
        for requete in (
            "UPDATE evenements_revue SET agent = 'pirate'",
            "DELETE FROM evenements_revue",
            "TRUNCATE evenements_revue",
            "ALTER TABLE evenements_revue DISABLE TRIGGER evenements_revue_ajout_seul",
            "DROP TRIGGER evenements_revue_ajout_seul ON evenements_revue",
            "DROP TABLE evenements_revue CASCADE",
            "UPDATE versions_fiche SET contenu = '{}'",
        ):
            refus = r"permission denied|must be owner|droit refusé"
            with pytest.raises(DBAPIError, match=refus), application.moteur.begin() as connexion:
                connexion.execute(text(requete))
        assert application.verifier_journal().rupture is None
        application.fermer()
        create_engine(url).dispose()


# --- Points 1, 3, 4 : décisions --------------------------------------------------------


def test_decision_liee_a_la_version_et_fiche_figee(depot: Depot) -> None:
    rapport_id = _a_valider(depot)
    decision = depot.enregistrer_decision(demande(depot, rapport_id))
    version = depot.versions(rapport_id)[-1]
    assert (decision.version_id, decision.hachage, decision.etat) == (
        version.id, version.hachage, "en_attente",
    )  # fmt: skip
    with pytest.raises(StockageError, match=r"Modification refusée.*Mme Durand"):
        depot.enregistrer_fiche(rapport_id, _fiche(), auteur="relecteur")
    with pytest.raises(StockageError, match="déjà en cours"):
        depot.enregistrer_decision(demande(depot, rapport_id))
    _, statut = depot.appliquer_decision(decision.id, rapport_id)
    assert statut == Statut.VALIDE
    signee = depot.derniere_fiche(rapport_id)
    assert signee is not None and signee.revue is not None
    assert signee.revue.agent == "Mme Durand"
    depot.changer_statut(rapport_id, Statut.PUBLIE)
    with pytest.raises(StockageError, match="« publié » : la version validée"):
        depot.enregistrer_fiche(rapport_id, _fiche(), auteur="traitement automatique")
    actions = [e.action for e in depot.evenements(rapport_id)]
    assert actions.count("version") == 2 and "decision" in actions and "validation" in actions


def test_version_perimee_ou_contenu_change_refuse(depot: Depot) -> None:
    rapport_id = _a_valider(depot)
    depot.enregistrer_fiche(rapport_id, _fiche(), auteur="relecteur")
    perimee = demande(depot, rapport_id).model_copy(update={"version": 1})
    with pytest.raises(StockageError, match="a changé depuis que vous l'avez ouverte"):
        depot.enregistrer_decision(perimee)
    decision = depot.enregistrer_decision(demande(depot, rapport_id))
    with depot.moteur.begin() as connexion:  # la version décidée changée derrière l'appli
        connexion.execute(
            text("UPDATE versions_fiche SET contenu = :c WHERE id = :i"),
            {"c": _fiche([BLOQUANT]).model_dump_json(by_alias=True), "i": decision.version_id},
        )
    assert "hachage différent" in (depot.motif_de_refus(decision.id, rapport_id) or "")
    with pytest.raises(StockageError, match="hachage différent"):
        depot.appliquer_decision(decision.id, rapport_id)
    assert depot.rapport(rapport_id).statut == Statut.A_VALIDER


def test_decision_reservee_aux_comptes_valideurs(depot: Depot) -> None:
    rapport_id = _a_valider(depot)
    inconnu = DemandeDecision(rapport_id=rapport_id, decision="valider", compte="personne")
    with pytest.raises(StockageError, match="Compte inconnu"):
        depot.enregistrer_decision(inconnu)
    compte(depot, "paul", "Paul", "relecteur")
    with pytest.raises(StockageError, match="rôle valideur ou administrateur requis"):
        depot.enregistrer_decision(inconnu.model_copy(update={"compte": "paul"}))
    assert depot.decision_en_attente(rapport_id) is None


def test_derogation_d_un_administrateur_journalisee(depot: Depot) -> None:
    rapport_id = _a_valider(depot)
    bloquee = depot.enregistrer_decision(demande(depot, rapport_id))  # flow perdu, disons
    compte(depot, "admin", "Mme Admin", "admin")
    derogation = demande(depot, rapport_id, identifiant="admin", nom="Mme Admin")
    valideur = derogation.model_copy(update={"compte": "mdurand", "derogation": "flow perdu"})
    with pytest.raises(StockageError, match="réservée à un compte administrateur"):
        depot.enregistrer_decision(valideur)
    nouvelle = depot.enregistrer_decision(
        derogation.model_copy(update={"derogation": "flow perdu"})
    )
    assert depot.decision(bloquee.id).etat == "annulee"  # type: ignore[union-attr]
    assert nouvelle.derogation == "flow perdu"
    [trace] = [e for e in depot.evenements(rapport_id) if e.action == "derogation_admin"]
    assert trace.agent == "Mme Admin" and "flow perdu" in (trace.commentaire or "")


def test_validation_exige_de_reconnaitre_chaque_anomalie(depot: Depot) -> None:
    info = BLOQUANT.model_copy(update={"code": "CHAMP_MANQUANT", "gravite": Gravite.INFO})
    alerte = BLOQUANT.model_copy(update={"code": "FRAIS_SIEGE", "gravite": Gravite.ALERTE})
    rapport_id = _a_valider(depot, [BLOQUANT, alerte, info])
    sans = demande(depot, rapport_id, motif="")
    with pytest.raises(StockageError, match=r"2 anomalie.*CA_DISPROPORTIONNE \(bloquant\)"):
        depot.enregistrer_decision(sans)
    version = depot.versions(rapport_id)[-1]
    [premiere, _, _] = depot.anomalies(version.id)
    une_seule = sans.model_copy(update={"motifs": {premiere.id: "k€ vérifiés"}})
    with pytest.raises(StockageError, match=r"1 anomalie.*FRAIS_SIEGE"):
        depot.enregistrer_decision(une_seule)
    # Un rejet n'exige aucune reconnaissance.
    assert (
        depot.enregistrer_decision(
            demande(depot, rapport_id, "rejeter", commentaire="CA à revoir", motif="")
        ).reconnaissances
        == []
    )


def test_reconnaissances_journalisees(depot: Depot) -> None:
    rapport_id = _a_valider(depot, [BLOQUANT])
    decision = depot.enregistrer_decision(demande(depot, rapport_id, motif="k€ confirmés"))
    assert decision.reconnaissances == [{
        "code": "CA_DISPROPORTIONNE", "gravite": "bloquant", "message": BLOQUANT.message,
        "motif": "k€ confirmés",
    }]  # fmt: skip
    [trace] = [e for e in depot.evenements(rapport_id) if e.action == "reconnaissance_anomalie"]
    assert (trace.champ, trace.ancienne_valeur, trace.commentaire) == (
        "CA_DISPROPORTIONNE", "bloquant", "k€ confirmés",
    )  # fmt: skip
    depot.appliquer_decision(decision.id, rapport_id)
    appliquee = depot.decision_appliquee(rapport_id)
    assert appliquee is not None and appliquee.id == decision.id
    assert depot.verifier_journal().rupture is None
