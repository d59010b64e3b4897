"""Pannes du LLM contre le serveur local compatible OpenAI (`tests/serveur_openai.py`) :
vrai client `openai`, vrai HTTP. Chaque panne est réessayée, relancée, ou se replie sur
les règles avec la cause dans `production.note` ; jamais une fiche fausse en silence.

| panne | issue |
| --- | --- |
| 429 (Retry-After) | attente demandée, plafonnée par DSP_LLM_ATTENTE_MAX_S ; persistant : repli |
| 500, connexion refusée | réessais (DSP_LLM_ESSAIS), puis repli |
| délai dépassé | repli sans relance (DSP_LLM_RELANCER_APRES_DELAI pour réessayer) |
| autre 4xx | repli sans réessai |
| JSON invalide, hors schéma | une relance citant l'erreur ; deux fois : repli |
| réponse tronquée (`finish_reason=length`) | tâche recoupée plus petite ; irréductible : repli |
| refus du modèle | repli |
| chiffre inventé, réponse conforme | `ancrage: absent` et ANCRAGE bloquant ; en mode auto, |
| | valeur des règles retenue et DESACCORD citant celle du LLM |
"""

from __future__ import annotations

import copy
import json
import re
import socket
from pathlib import Path
from typing import Any

from controles import controler
from extracteurs.modeles import Document
from fiche.llm import RemplisseurLlm
from fiche.modeles import Ancrage, Fiche, Gravite
from fiche.production import produire_fiche
from tests.outils_llm import reglages_test, verifier_contenu_du_repli
from tests.serveur_openai import ServeurOpenAI, completion, erreur, lenteur

REPLI = " : fiche produite par les règles"


def _note(fiche: Fiche) -> str:
    assert fiche.production.mode == "regles"
    return fiche.production.note or ""


# --- 429 : Retry-After suivi, plafonné ; quota épuisé : repli ---------------------------


def _ecart(serveur: ServeurOpenAI) -> float:
    premier, second = serveur.requetes
    return second.instant - premier.instant


def test_429_retry_after_plafonne(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document, reponse_forville: dict[str, Any]
) -> None:
    serveur.ajouter(erreur(429, {"Retry-After": "30"}), completion(reponse_forville))
    reglages = reglages_test(serveur.url, tmp_path, llm_attente_max_s=0.3)
    fiche = RemplisseurLlm(reglages).remplir(forville)
    assert fiche.production.mode == "llm"
    assert 0.28 <= _ecart(serveur) < 2.0  # 30 s demandées, 0,3 s au plus


def test_429_retry_after_suivi(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document, reponse_forville: dict[str, Any]
) -> None:
    serveur.ajouter(erreur(429, {"Retry-After": "1.2"}), completion(reponse_forville))
    reglages = reglages_test(serveur.url, tmp_path, llm_attente_max_s=10)
    fiche = RemplisseurLlm(reglages).remplir(forville)
    assert fiche.production.mode == "llm"
    # L'attente exponentielle du premier essai serait de 0,5 à 0,75 s : c'est l'en-tête.
    assert 1.15 <= _ecart(serveur) < 3.0


def test_429_persistant_repli(serveur: ServeurOpenAI, tmp_path: Path, forville: Document) -> None:
    serveur.ajouter(*[erreur(429, {"Retry-After": "0"})] * 4)
    fiche = RemplisseurLlm(reglages_test(serveur.url, tmp_path)).remplir(forville)
    assert len(serveur.requetes) == 3
    assert _note(fiche).startswith(
        f"LLM indisponible après 3 essais (quota dépassé, erreur 429){REPLI}"
    )
    verifier_contenu_du_repli(fiche)


# --- Erreurs serveur, délai, connexion : réessais puis repli ----------------------------


def test_500_trois_fois_repli_sur_les_regles(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document
) -> None:
    serveur.ajouter(erreur(500), erreur(500), erreur(500), erreur(500))
    fiche = RemplisseurLlm(reglages_test(serveur.url, tmp_path)).remplir(forville)
    assert len(serveur.requetes) == 3
    assert _note(fiche).startswith(f"LLM indisponible après 3 essais (erreur 500){REPLI}")
    verifier_contenu_du_repli(fiche)


def test_erreur_definitive_non_reessayee(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document
) -> None:
    serveur.ajouter(erreur(401), erreur(401))
    fiche = RemplisseurLlm(reglages_test(serveur.url, tmp_path)).remplir(forville)
    assert len(serveur.requetes) == 1
    assert "erreur 401, non réessayée" in _note(fiche)


def test_delai_depasse_puis_succes_si_relance_demandee(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document, reponse_forville: dict[str, Any]
) -> None:
    serveur.ajouter(lenteur(2.0, completion(reponse_forville)), completion(reponse_forville))
    reglages = reglages_test(
        serveur.url, tmp_path, llm_timeout_s=0.4, llm_relancer_apres_delai=True
    )
    fiche = RemplisseurLlm(reglages).remplir(forville)
    assert len(serveur.requetes) == 2
    assert fiche.production.mode == "llm"


def test_delai_depasse_pas_de_seconde_generation_par_defaut(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document, reponse_forville: dict[str, Any]
) -> None:
    """Un serveur local à un emplacement continue la génération abandonnée : une relance
    attendrait derrière elle. Par défaut, le délai dépassé mène au repli, sans relance."""
    serveur.ajouter(lenteur(2.0, completion(reponse_forville)), completion(reponse_forville))
    fiche = RemplisseurLlm(reglages_test(serveur.url, tmp_path, llm_timeout_s=0.4)).remplir(
        forville
    )
    assert len(serveur.requetes) == 1
    assert "délai de 0.4 s dépassé, non réessayé" in _note(fiche)
    assert fiche.production.modele == "modele-test"


def test_delai_toujours_depasse_repli(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document
) -> None:
    lent = lenteur(2.0, erreur(500))
    serveur.ajouter(lent, lent)
    reglages = reglages_test(
        serveur.url, tmp_path, llm_timeout_s=0.3, llm_essais=2, llm_relancer_apres_delai=True
    )
    fiche = RemplisseurLlm(reglages).remplir(forville)
    assert len(serveur.requetes) == 2
    assert _note(fiche).startswith(
        f"LLM indisponible après 2 essais (délai de 0.3 s dépassé){REPLI}"
    )


def test_connexion_refusee_repli(tmp_path: Path, forville: Document) -> None:
    with socket.socket() as sonde:
        sonde.bind(("127.0.0.1", 0))
        port = sonde.getsockname()[1]
    # Le port vient d'être libéré : personne n'y écoute.
    reglages = reglages_test(f"http://127.0.0.1:{port}/v1", tmp_path)
    fiche = RemplisseurLlm(reglages).remplir(forville)
    assert _note(fiche).startswith(f"LLM indisponible après 3 essais (connexion impossible){REPLI}")
    verifier_contenu_du_repli(fiche)


# --- Réponse non conforme : une relance avec l'erreur, puis repli -----------------------


def test_json_invalide_puis_valide_relance_reussie(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document, reponse_forville: dict[str, Any]
) -> None:
    invalide = '{"identification": {"collectivite": '
    serveur.ajouter(
        completion(invalide, jetons=(1000, 10)), completion(reponse_forville, jetons=(1100, 500))
    )
    fiche = RemplisseurLlm(reglages_test(serveur.url, tmp_path)).remplir(forville)

    assert len(serveur.requetes) == 2
    relance = serveur.requetes[1]
    assert relance.messages[-2] == {"role": "assistant", "content": invalide}
    assert "le JSON est invalide" in relance.messages[-1]["content"]
    assert fiche.production.mode == "llm"
    assert (fiche.production.jetons_entree, fiche.production.jetons_sortie) == (2100, 510)


def test_hors_schema_puis_valide_la_relance_cite_le_champ(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document, reponse_forville: dict[str, Any]
) -> None:
    incomplet = {k: v for k, v in reponse_forville.items() if k != "postes"}
    serveur.ajouter(completion(incomplet), completion(reponse_forville))
    fiche = RemplisseurLlm(reglages_test(serveur.url, tmp_path)).remplir(forville)
    assert fiche.production.mode == "llm"
    consigne = serveur.requetes[1].messages[-1]["content"]
    assert "ne respecte pas le schéma" in consigne and "postes" in consigne


def test_deux_reponses_invalides_repli(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document
) -> None:
    serveur.ajouter(completion("pas du JSON"), completion("toujours pas"))
    fiche = RemplisseurLlm(reglages_test(serveur.url, tmp_path)).remplir(forville)
    assert len(serveur.requetes) == 2
    assert "non conforme après relance" in _note(fiche)


def _pages_envoyees(requete: Any) -> set[str]:
    return set(re.findall(r"=== page (\d+)", requete.message("user")))


def test_reponse_tronquee_la_tache_est_reduite(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document, reponse_forville: dict[str, Any]
) -> None:
    """Tronquée : le morceau est recoupé en morceaux plus petits, chacun demandé à part,
    sans jamais renvoyer la réponse coupée ; chaque requête borne sa réponse."""
    vide = {**reponse_forville, "postes": [], "indicateurs": [], "tarifs": []}
    serveur.ajouter(completion('{"identification"', fin="length"))
    serveur.ajouter(*[completion(reponse_forville if i == 0 else vide) for i in range(12)])
    fiche = RemplisseurLlm(reglages_test(serveur.url, tmp_path)).remplir(forville)
    assert fiche.production.mode == "llm"
    premiere, *suivantes = serveur.requetes
    assert len(suivantes) >= 2
    for requete in suivantes:
        assert [m["role"] for m in requete.messages] == ["system", "user"]
        assert _pages_envoyees(requete) <= _pages_envoyees(premiere)
        assert len(requete.message("user")) < len(premiere.message("user"))
    assert all(isinstance(r.corps["max_tokens"], int) for r in serveur.requetes)
    jetons = len(serveur.requetes) * 1234
    assert fiche.production.jetons_entree == jetons


def test_reponse_toujours_tronquee_repli_avec_les_jetons_et_le_diagnostic(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document
) -> None:
    """Même un JSON complet n'est pas gardé quand le serveur dit l'avoir coupé : des champs
    ont pu manquer. Tronquée jusqu'à la plus petite tâche : repli, avec le modèle, les
    jetons de tous les appels et les réponses brutes dans le fichier de diagnostic."""
    for _ in range(64):
        serveur.ajouter(completion('{"identification": {"collectivite": {"va', fin="length"))
    reglages = reglages_test(serveur.url, tmp_path, llm_max_jetons_prompt=6000)
    cible = tmp_path / "rapport.diagnostic-llm.json"
    fiche = produire_fiche(forville, "llm", reglages, cible)
    n = len(serveur.requetes)
    assert 1 < n < 64
    note = _note(fiche)
    assert "tronquée, tâche irréductible" in note and f"({n} appel(s) au LLM)" in note
    assert cible.name in note
    assert fiche.production.modele == "modele-test"
    assert (fiche.production.jetons_entree, fiche.production.jetons_sortie) == (n * 1234, n * 567)
    diagnostic = json.loads(cible.read_text("utf-8"))
    assert len(diagnostic["reponses_rejetees"]) == n
    assert diagnostic["reponses_rejetees"][0]["fin"] == "length"
    assert diagnostic["reponses_rejetees"][0]["contenu"].startswith('{"identification"')
    verifier_contenu_du_repli(fiche)


def test_refus_du_modele_repli(serveur: ServeurOpenAI, tmp_path: Path, forville: Document) -> None:
    serveur.ajouter(completion(None, refus="Je ne peux pas traiter ce document."))
    fiche = RemplisseurLlm(reglages_test(serveur.url, tmp_path)).remplir(forville)
    assert len(serveur.requetes) == 1
    assert "refusé de répondre" in _note(fiche)


# --- Réponse conforme mais chiffres inventés : signalés, jamais gardés en silence -------


def _avec_chiffres_inventes(reponse_forville: dict[str, Any]) -> dict[str, Any]:
    reponse = copy.deepcopy(reponse_forville)
    for poste in reponse["postes"]:
        if (poste["poste"], poste["annee"]) == ("chiffre_affaires", 2023):
            poste["valeur"] = 2_500_000.0  # la ligne p5-l4 porte 2 198 816
        if (poste["poste"], poste["annee"]) == ("frais_siege", 2023):
            poste["ligne"] = "p42-l7"  # identifiant inventé
    return reponse


def test_chiffre_absent_de_la_ligne_citee_est_signale(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document, reponse_forville: dict[str, Any]
) -> None:
    serveur.ajouter(completion(_avec_chiffres_inventes(reponse_forville)))
    fiche = RemplisseurLlm(reglages_test(serveur.url, tmp_path)).remplir(forville)

    faux = fiche.financier.postes["chiffre_affaires"]["2023"]
    assert faux.valeur == 2_500_000.0
    assert faux.ancrage == Ancrage.ABSENT
    assert faux.page == 5 and faux.citation == "Total produits 2 107 124 2 198 816"
    invente = fiche.financier.postes["frais_siege"]["2023"]
    assert invente.valeur == 208_222.0
    assert (invente.page, invente.citation, invente.ancrage) == (None, None, Ancrage.ABSENT)
    assert fiche.financier.postes["chiffre_affaires"]["2022"].ancrage == Ancrage.EXACT


def test_chiffre_invente_bloque_la_fiche(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document, reponse_forville: dict[str, Any]
) -> None:
    """Mode LLM, contrôles compris : ANCRAGE bloquant sur chaque valeur introuvable."""
    serveur.ajouter(completion(_avec_chiffres_inventes(reponse_forville)))
    reglages = reglages_test(serveur.url, tmp_path)
    fiche = controler(produire_fiche(forville, "llm", reglages), forville, reglages)

    assert fiche.production.mode == "llm"
    ancrage = {c: a for a in fiche.anomalies if a.code == "ANCRAGE" for c in a.champs}
    inventes = {"financier.postes.chiffre_affaires.2023", "financier.postes.frais_siege.2023"}
    assert inventes <= set(ancrage)
    assert all(ancrage[c].gravite == Gravite.BLOQUANT for c in inventes)
    assert "2 500 000 €" in " ".join(
        ancrage["financier.postes.chiffre_affaires.2023"].message.split()
    )


def test_chiffre_invente_remplace_par_les_regles_en_mode_auto(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document, reponse_forville: dict[str, Any]
) -> None:
    """Mode auto : la valeur ancrée des règles est retenue, DESACCORD garde celle du LLM."""
    serveur.ajouter(completion(_avec_chiffres_inventes(reponse_forville)))
    reglages = reglages_test(serveur.url, tmp_path)
    fiche = controler(produire_fiche(forville, "auto", reglages), forville, reglages)

    verifier_contenu_du_repli(fiche)  # les règles doivent exister pour la double lecture
    ca = fiche.financier.postes["chiffre_affaires"]["2023"]
    assert (ca.valeur, ca.ancrage, ca.origine.value) == (2_198_816.0, Ancrage.EXACT, "regles")
    (desaccord,) = [
        a
        for a in fiche.anomalies
        if a.code == "DESACCORD" and a.champs == ["financier.postes.chiffre_affaires.2023"]
    ]
    assert "2 500 000" in desaccord.message.replace("\u202f", " ")
    assert any(
        a.code == "ANCRAGE" and a.champs == ["financier.postes.frais_siege.2023"]
        for a in fiche.anomalies
    )
