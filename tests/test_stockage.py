"""Stockage : chaque test tourne sur SQLite et sur un vrai serveur PostgreSQL (fixtures
`url_base` et `depot` de `tests/conftest.py`).

PostgreSQL vient de `DSP_TEST_POSTGRES_URL` (exportée par `scripts/verifier.sh`, serveur
démarré par `scripts/installer.sh`). Absente en local : les cas PostgreSQL sont sautés ;
en CI (`CI=true`), son absence ou un serveur injoignable fait échouer les tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from fiche.modeles import Anomalie, Fiche, Gravite
from socle.erreurs import StockageError
from stockage.depot import Depot
from stockage.historique import charger_historique
from stockage.statuts import Statut
from tests.conftest import CORPUS

RACINE = Path(__file__).resolve().parent.parent
CSV_CONTRATS = RACINE / "samples" / "contrats.csv"


def fiche_corpus(nom: str) -> Fiche:
    return Fiche.model_validate_json((CORPUS / f"{nom}.fiche.json").read_text(encoding="utf-8"))


def test_migration_a_la_derniere_revision_sur_base_vide(depot: Depot) -> None:
    tables = set(inspect(depot.moteur).get_table_names())
    attendues = {"rapports", "versions_fiche", "anomalies", "evenements_revue", "durees"}
    assert attendues | {"contrats", "alembic_version"} <= tables
    with depot.moteur.connect() as connexion:
        assert (
            connexion.scalar(text("select version_num from alembic_version"))
            == "0004_attente_delegataire"
        )
    Depot(moteur=depot.moteur)  # redémarrer sur une base à jour ne change rien


def test_sqlite_wal_et_cles_etrangeres(tmp_path: Path) -> None:
    depot = Depot(f"sqlite:///{tmp_path / 'b.db'}")
    with depot.moteur.connect() as connexion:
        assert connexion.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connexion.scalar(text("PRAGMA foreign_keys")) == 1
    depot.fermer()


def test_base_par_defaut_dans_le_dossier_des_donnees(tmp_path: Path) -> None:
    depot = Depot()
    assert str(tmp_path / "donnees" / "synthese.db") in str(depot.moteur.url)
    depot.fermer()


def test_enregistrement_dedoublonne_par_sha256(depot: Depot) -> None:
    rapport, nouveau = depot.enregistrer_rapport("/boite/eau_2023.pdf", "a" * 64)
    assert nouveau and rapport.version == 1 and rapport.statut == "extrait"
    meme, nouveau = depot.enregistrer_rapport("/ailleurs/eau_2023.pdf", "a" * 64)
    assert not nouveau and meme.id == rapport.id
    assert len(depot.rapports()) == 1


def test_fichier_modifie_nouvelle_version(depot: Depot) -> None:
    v1, _ = depot.enregistrer_rapport("eau_2023.pdf", "a" * 64)
    v2, nouveau = depot.enregistrer_rapport("eau_2023.pdf", "b" * 64)
    assert nouveau and v2.version == 2 and v2.precedent_id == v1.id
    assert [r.sha256[0] for r in depot.rapports()] == ["a", "b"]


def test_transitions_de_statut(depot: Depot) -> None:
    rapport, _ = depot.enregistrer_rapport("r.pdf", "c" * 64)
    depot.changer_statut(rapport.id, Statut.A_VALIDER)
    depot.changer_statut(rapport.id, Statut.VALIDE, agent="marie", raison="conforme")
    depot.changer_statut(rapport.id, Statut.PUBLIE)
    with pytest.raises(StockageError, match=r"Transition interdite.*« publié ».*« à valider »"):
        depot.changer_statut(rapport.id, Statut.A_VALIDER)
    assert depot.rapport(rapport.id).statut == "publie"
    assert [r.id for r in depot.rapports(Statut.PUBLIE)] == [rapport.id]
    journal = depot.evenements(rapport.id)
    assert [(e.ancienne_valeur, e.nouvelle_valeur) for e in journal] == [
        ("extrait", "a_valider"),
        ("a_valider", "valide"),
        ("valide", "publie"),
    ]
    assert journal[1].agent == "marie" and journal[1].commentaire == "conforme"


def test_erreur_avec_raison(depot: Depot) -> None:
    rapport, _ = depot.enregistrer_rapport("casse.pdf", "d" * 64)
    depot.changer_statut(rapport.id, Statut.ERREUR, raison="PDF protégé par mot de passe")
    assert depot.rapport(rapport.id).raison == "PDF protégé par mot de passe"
    with pytest.raises(StockageError, match="ne peut pas passer « validé »"):
        depot.changer_statut(rapport.id, Statut.VALIDE)


def test_versions_de_fiche_et_anomalies(depot: Depot) -> None:
    rapport, _ = depot.enregistrer_rapport("eau_potable_2023.pdf", "e" * 64)
    fiche = fiche_corpus("eau_potable_2023")
    fiche.anomalies = [
        Anomalie(
            code="FRAIS_SIEGE",
            gravite=Gravite.ALERTE,
            message="Frais de siège élevés",
            champs=["financier.postes.frais_siege.2023"],
            pages=[12, 13],
            regle="R.3131-3",
        )
    ]
    v1 = depot.enregistrer_fiche(rapport.id, fiche)
    corrigee = fiche.model_copy(deep=True)
    corrigee.identification.objet.valeur = "Objet corrigé par l'agent"
    corrigee.anomalies = []
    v2 = depot.enregistrer_fiche(rapport.id, corrigee, auteur="marie")
    assert [v.numero for v in depot.versions(rapport.id)] == [1, 2]
    assert depot.versions(rapport.id)[0].contenu["identification"]["objet"]["valeur"] != (
        "Objet corrigé par l'agent"
    )
    derniere = depot.derniere_fiche(rapport.id)
    assert derniere is not None and derniere.identification.objet.valeur == (
        "Objet corrigé par l'agent"
    )
    [anomalie] = depot.anomalies(v1.id)
    assert (anomalie.code, anomalie.gravite, anomalie.pages) == ("FRAIS_SIEGE", "alerte", [12, 13])
    assert anomalie.champs == ["financier.postes.frais_siege.2023"]
    assert depot.anomalies(v2.id) == []
    assert depot.rapport(rapport.id).exercice == 2023


def test_journal_en_ajout_seul(depot: Depot) -> None:
    rapport, _ = depot.enregistrer_rapport("r.pdf", "f" * 64)
    evenement = depot.ajouter_evenement(
        rapport.id,
        agent="marie",
        action="correction",
        champ="financier.postes.redevance.2023",
        ancienne_valeur=1200.0,
        nouvelle_valeur=12000.0,
    )
    assert (evenement.ancienne_valeur, evenement.nouvelle_valeur) == ("1200.0", "12000.0")
    assert not hasattr(depot, "modifier_evenement") and not hasattr(depot, "supprimer_evenement")
    for requete in ("UPDATE evenements_revue SET agent = 'pirate'", "DELETE FROM evenements_revue"):
        with pytest.raises(DBAPIError, match="ajout seul"), depot.moteur.begin() as connexion:
            connexion.execute(text(requete))
    assert [e.agent for e in depot.evenements(rapport.id)] == ["marie"]


def test_durees_par_etape(depot: Depot) -> None:
    rapport, _ = depot.enregistrer_rapport("r.pdf", "9" * 64)
    depot.enregistrer_duree(rapport.id, "extraction", 2.5)
    depot.enregistrer_duree(rapport.id, "extraction", 0.5)
    depot.enregistrer_duree(rapport.id, "remplissage", 1.0)
    assert depot.durees(rapport.id) == {"extraction": 3.0, "remplissage": 1.0}


def _fiche_enregistree(depot: Depot, nom: str, sha: str, statut: Statut | None) -> int:
    rapport, _ = depot.enregistrer_rapport(f"{nom}.pdf", sha * 64)
    depot.enregistrer_fiche(rapport.id, fiche_corpus(nom))
    if statut is not None:
        depot.changer_statut(rapport.id, Statut.A_VALIDER)
        depot.changer_statut(rapport.id, statut)
    return rapport.id


@pytest.mark.parametrize("avec_registre", [True, False])
def test_historique_fiches_validees_du_meme_contrat(depot: Depot, avec_registre: bool) -> None:
    if avec_registre:
        depot.importer_contrats(CSV_CONTRATS)
    _fiche_enregistree(depot, "eau_potable_2023", "1", Statut.VALIDE)
    _fiche_enregistree(depot, "casino_les_pins_2023", "2", Statut.VALIDE)  # autre contrat
    fiche_2024 = fiche_corpus("eau_potable_2024")
    [precedente] = charger_historique(depot, fiche_2024)
    assert precedente.identification.exercice.valeur == 2023
    assert precedente.source.fichier == "eau_potable_2023.pdf"
    assert charger_historique(depot, fiche_corpus("eau_potable_2023")) == []  # pas d'antérieur


def test_historique_ignore_les_fiches_non_validees(depot: Depot) -> None:
    depot.importer_contrats(CSV_CONTRATS)
    rapport_id = _fiche_enregistree(depot, "eau_potable_2023", "1", None)
    depot.changer_statut(rapport_id, Statut.A_VALIDER)
    assert charger_historique(depot, fiche_corpus("eau_potable_2024")) == []
    depot.changer_statut(rapport_id, Statut.VALIDE)
    assert len(charger_historique(depot, fiche_corpus("eau_potable_2024"))) == 1


def test_import_csv_et_rapprochement(depot: Depot) -> None:
    assert depot.importer_contrats(CSV_CONTRATS) == 15
    assert depot.importer_contrats(CSV_CONTRATS) == 15  # réimport : mise à jour, pas de doublon
    contrats = {c.cle: c for c in depot.contrats()}
    assert len(contrats) == 15
    eau = contrats["EAU-POTABLE"]
    assert eau.parametres["taux_de_frais_de_siège"] == pytest.approx(0.06)
    assert eau.heures_revue_reference == 6 and eau.date_debut is not None
    rapport_id = _fiche_enregistree(depot, "eau_potable_2023", "3", None)
    rapport = depot.rapport(rapport_id)
    assert rapport.contrat_id == eau.id and rapport.score_contrat == pytest.approx(100.0)
    assert not rapport.contrat_confirme


def test_rapprochement_flou_et_confirmation(depot: Depot) -> None:
    depot.importer_contrats(CSV_CONTRATS)
    fiche = fiche_corpus("stationnement_forville_2023")
    fiche.identification.collectivite.valeur = "VILLE DE PORT AZUR"
    fiche.identification.delegataire.valeur = "Indiparc Stationnement"
    rapport, _ = depot.enregistrer_rapport("forville.pdf", "4" * 64)
    depot.enregistrer_fiche(rapport.id, fiche)
    lu = depot.rapport(rapport.id)
    contrats = {c.cle: c for c in depot.contrats()}
    assert lu.contrat_id == contrats["STATIONNEMENT-FORVILLE"].id
    assert lu.score_contrat is not None and 75 <= lu.score_contrat < 100
    # Un rapport sans ressemblance n'est rattaché à rien, mais son score est gardé.
    fiche.identification.collectivite.valeur = "Métropole de Nulle-Part"
    fiche.identification.delegataire.valeur = "Inconnue SA"
    fiche.identification.objet.valeur = "Fourrière automobile"
    autre, _ = depot.enregistrer_rapport("autre.pdf", "5" * 64)
    depot.enregistrer_fiche(autre.id, fiche)
    assert depot.rapport(autre.id).contrat_id is None
    depot.confirmer_contrat(autre.id, "STATIONNEMENT-FORVILLE", agent="marie")
    confirme = depot.rapport(autre.id)
    assert (
        confirme.contrat_confirme and confirme.contrat_id == contrats["STATIONNEMENT-FORVILLE"].id
    )
    assert depot.evenements(autre.id)[-1].nouvelle_valeur == "STATIONNEMENT-FORVILLE"
    with pytest.raises(StockageError, match="Contrat inconnu"):
        depot.confirmer_contrat(autre.id, "NEANT", agent="marie")


def test_csv_malforme_erreur_en_francais_avec_ligne(depot: Depot, tmp_path: Path) -> None:
    chemin = tmp_path / "contrats.csv"
    lignes = CSV_CONTRATS.read_text(encoding="utf-8").splitlines()
    lignes[3] = lignes[3].replace("2014-10-01", "2014-13-45")
    chemin.write_text("\n".join(lignes), encoding="utf-8")
    with pytest.raises(StockageError, match=r"Ligne 4 du fichier contrats\.csv.*« date de début »"):
        depot.importer_contrats(chemin)
    assert depot.contrats() == []  # tout ou rien
    chemin.write_text("clé;objet\nA;B\n", encoding="utf-8")
    with pytest.raises(StockageError, match=r"Ligne 1.*« collectivité », « délégataire »"):
        depot.importer_contrats(chemin)


def test_contrats_manquants(depot: Depot) -> None:
    depot.importer_contrats(CSV_CONTRATS)
    _fiche_enregistree(depot, "eau_potable_2023", "6", None)
    _fiche_enregistree(depot, "casino_les_pins_2023", "7", None)
    manquants_2023 = {c.cle for c in depot.contrats_manquants(2023)}
    assert "EAU-POTABLE" not in manquants_2023 and "CASINO-LES-PINS" not in manquants_2023
    assert "PORT-PLAISANCE" in manquants_2023 and len(manquants_2023) == 13
    # 2040 : seul le port (2010-2039) est fini aussi ; aucun contrat n'est en cours.
    assert depot.contrats_manquants(2040) == []
    assert "EAU-POTABLE" in {c.cle for c in depot.contrats_manquants(2024)}


def test_cli_contrats_importer_et_manquants(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.principal import app

    lanceur = CliRunner()
    resultat = lanceur.invoke(app, ["contrats", "importer", str(CSV_CONTRATS)])
    assert resultat.exit_code == 0, resultat.output
    assert "15 contrat(s) importé(s)" in resultat.output
    resultat = lanceur.invoke(app, ["contrats", "manquants", "--exercice", "2023"])
    assert resultat.exit_code == 0 and "Rapports 2023 non reçus (15)" in resultat.output
    casse = tmp_path / "casse.csv"
    casse.write_text("clé;collectivité;délégataire;objet\n;Ville;Déleg;Objet\n", encoding="utf-8")
    resultat = lanceur.invoke(app, ["contrats", "importer", str(casse)])
    assert resultat.exit_code == 2 and "Ligne 2" in resultat.output


def test_migrations_conformes_aux_modeles(depot: Depot) -> None:
    """Les tables créées par les migrations sont celles que décrivent les modèles."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from stockage.modeles import Base

    with depot.moteur.connect() as connexion:
        ecarts = compare_metadata(MigrationContext.configure(connexion), Base.metadata)
    assert ecarts == []


def test_migration_0002_remplit_la_file_de_revue(url_base: str) -> None:
    """Une base en 0001 avec un rapport : la 0002 reprend secteur et délégataire."""
    from stockage.moteur import creer_moteur, migrer

    moteur = creer_moteur(url_base)
    migrer(moteur, "0001_initial")
    fiche = fiche_corpus("plage_lot7_2023")
    with moteur.begin() as connexion:
        connexion.execute(
            text(
                "insert into rapports (id, fichier, sha256, version, contrat_confirme, statut, "
                "cree_le, modifie_le) values (1, 'plage.pdf', 'a', 1, false, 'a_valider', "
                "current_timestamp, current_timestamp)"
            )
        )
        connexion.execute(
            text(
                "insert into versions_fiche (rapport_id, numero, contenu, cree_le) "
                "values (1, 1, :contenu, current_timestamp)"
            ),
            {"contenu": fiche.model_dump_json(by_alias=True)},
        )
    depot = Depot(moteur=moteur)
    rapport = depot.rapport(1)
    assert rapport.secteur == "plage"
    assert rapport.delegataire == fiche.identification.delegataire.valeur
    depot.fermer()


def test_comptes_sessions_et_temps_par_agent(depot: Depot) -> None:
    from datetime import UTC, datetime, timedelta

    from stockage.comptes import Comptes

    comptes = Comptes(depot)
    utilisateur = comptes.creer("mdurand", "Mme Durand", "scrypt$empreinte", "valideur")
    with pytest.raises(StockageError, match="déjà pris"):
        comptes.creer("mdurand", "Autre", "x", "relecteur")
    maintenant = datetime.now(UTC)
    comptes.ouvrir_session(utilisateur.id, "e" * 64, maintenant + timedelta(hours=1))
    comptes.ouvrir_session(utilisateur.id, "f" * 64, maintenant - timedelta(seconds=1))
    trouve = comptes.session_active("e" * 64, maintenant)
    assert trouve is not None and trouve.identifiant == "mdurand"
    assert comptes.session_active("f" * 64, maintenant) is None
    assert comptes.purger_sessions(maintenant) == 1
    comptes.modifier("mdurand", actif=False)
    assert comptes.session_active("e" * 64, maintenant) is None
    rapport, _ = depot.enregistrer_rapport("eau.pdf", "c" * 64)
    depot.enregistrer_duree(rapport.id, "revue", 30.0, agent="mdurand")
    depot.enregistrer_duree(rapport.id, "revue", 12.5, agent="mdurand")
    assert depot.durees(rapport.id) == {"revue": 42.5}


def test_nouveau_fichier_remplace_le_rapport_en_attente_du_delegataire(depot: Depot) -> None:
    """Rejeté, le rapport attend le délégataire ; le fichier suivant du même contrat et du
    même exercice, sous un autre nom, en devient la version suivante."""
    rejete = _fiche_enregistree(depot, "eau_potable_2023", "1", Statut.ATTENTE_DELEGATAIRE)
    autre = _fiche_enregistree(depot, "casino_les_pins_2023", "2", None)
    assert depot.remplacer_rapport_rejete(autre) is None  # autre contrat : rien à remplacer
    nouveau, _ = depot.enregistrer_rapport("eau_potable_2023_corrige.pdf", "3" * 64)
    depot.enregistrer_fiche(nouveau.id, fiche_corpus("eau_potable_2023"))
    remplace = depot.remplacer_rapport_rejete(nouveau.id)
    assert remplace is not None and remplace.id == rejete
    assert depot.rapport(rejete).statut == Statut.REMPLACE
    apres = depot.rapport(nouveau.id)
    assert (apres.precedent_id, apres.version) == (rejete, 2)
    assert depot.successeur(rejete) == nouveau.id
    assert depot.evenements(nouveau.id)[-1].action == "nouveau_fichier"
    assert depot.quasi_doublons(nouveau.id) == []  # l'ancien, remplacé, n'est pas un doublon
    with pytest.raises(StockageError, match="Transition interdite"):
        depot.changer_statut(rejete, Statut.A_VALIDER)


def test_echeance_depassee() -> None:
    from datetime import date

    from stockage.attente import en_retard
    from stockage.modeles import Rapport

    rapport = Rapport(statut=Statut.ATTENTE_DELEGATAIRE.value, echeance=date(2026, 1, 31))
    assert en_retard(rapport, date(2026, 2, 1)) and not en_retard(rapport, date(2026, 1, 31))


MIGRER = (
    "import sys\nfrom stockage.moteur import creer_moteur, migrer\n"
    "migrer(creer_moteur(sys.argv[1]))"
)


def test_migrations_simultanees_sur_une_base_neuve(tmp_path: Path) -> None:
    """Quatre commandes qui démarrent ensemble sur une base SQLite neuve (lots planifiés à
    la même minute) : la migration est sérialisée, aucune n'échoue sur « table contrats
    already exists »."""
    url = f"sqlite:///{tmp_path / 'neuve.db'}"
    commande = [sys.executable, "-c", MIGRER, url]
    processus = [
        subprocess.Popen(commande, cwd=RACINE, stderr=subprocess.PIPE, text=True) for _ in range(4)
    ]
    for p in processus:
        _, erreur = p.communicate(timeout=120)
        assert p.returncode == 0, erreur[-1500:]


def test_la_revision_de_tete_est_celle_d_alembic() -> None:
    """La révision que `migrer` cherche en base sans Alembic est bien la dernière écrite :
    une migration ajoutée sans mettre à jour `REVISION_DE_TETE` ferait échouer ce test."""
    from alembic.script import ScriptDirectory

    from stockage.moteur import REVISION_DE_TETE, configuration_alembic

    assert ScriptDirectory.from_config(configuration_alembic()).get_heads() == [REVISION_DE_TETE]


def test_base_a_jour_sans_alembic_base_ancienne_migree(url_base: str) -> None:
    """Une base déjà à la dernière révision est reconnue par une requête simple : la
    commande n'importe pas Alembic. Une base restée à une révision antérieure est migrée."""
    from stockage.moteur import REVISION_DE_TETE, creer_moteur, migrer

    moteur = creer_moteur(url_base)
    migrer(moteur, "0001_initial")
    moteur.dispose()
    verifier = MIGRER + "\nprint('alembic' in sys.modules)"
    for alembic_attendu in ("True", "False"):  # migrée par la 1re commande, à jour pour la 2e
        sortie = subprocess.run(
            [sys.executable, "-c", verifier, url_base],
            cwd=RACINE, capture_output=True, text=True, check=True, timeout=120,
        )  # fmt: skip
        assert sortie.stdout.strip() == alembic_attendu, sortie.stderr[-1500:]
    moteur = creer_moteur(url_base)
    with moteur.connect() as connexion:
        version = connexion.execute(text("SELECT version_num FROM alembic_version")).scalar()
    moteur.dispose()
    assert version == REVISION_DE_TETE


def test_base_injoignable_dite_sans_seconde_tentative(tmp_path: Path) -> None:
    """Une base injoignable est dite dès la vérification de sa révision : une seule
    tentative de connexion (un hôte qui ne répond pas ferait attendre deux fois)."""
    from sqlalchemy import event

    from stockage.moteur import creer_moteur, migrer

    moteur = creer_moteur(f"sqlite:///{tmp_path / 'absent' / 'base.db'}")
    tentatives: list[object] = []
    event.listen(moteur, "do_connect", lambda *_: tentatives.append(1))
    with pytest.raises(StockageError, match="injoignable"):
        migrer(moteur)
    assert len(tentatives) == 1
