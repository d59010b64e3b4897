"""Petits appels par section pour un modèle au contexte court (`fiche.llm.par_sections`).

Serveur compatible OpenAI scripté (`tests/serveur_openai.py`) : il répond d'après le
schéma reçu (les identifiants candidats en `enum`) et le texte de l'invite, comme un
modèle qui désigne des lignes. On vérifie le découpage (un appel par section, invites
courtes, candidats présents), le rejet d'un identifiant inventé, la relecture de la
valeur dans le document, la réconciliation avec divergence signalée et le repli.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from extracteurs.modeles import Document
from extracteurs.nombres import lire_nombre, normaliser_espaces
from fiche.llm import RemplisseurLlm
from fiche.llm.par_sections import VERSION_SECTIONS
from fiche.llm.selection import estimer_jetons
from fiche.modeles import Gravite, Origine
from fiche.production import produire_fiche
from fiche.reconciliation import CODE_CHOIX
from fiche.regles import remplir_par_regles
from tests.outils_llm import reglages_test
from tests.serveur_openai import Reponse, Requete, ServeurOpenAI, completion, erreur

CONTEXTE = 4096
Choisir = Callable[[str, list[str], str], str | None]
"""(champ, identifiants admis, texte de l'invite) → identifiant rendu (ou None)."""


def _repondeur(choisir: Choisir) -> Callable[[Requete], Reponse]:
    def repondre(requete: Requete) -> Reponse:
        schema = requete.corps["response_format"]["json_schema"]["schema"]
        texte = requete.message("user")
        reponse = {
            champ: choisir(champ, [i for i in noeud["enum"] if i], texte)
            for champ, noeud in schema["properties"].items()
        }
        return completion(reponse, jetons=(500, 20))

    return repondre


def _rien(champ: str, ids: list[str], texte: str) -> str | None:
    return None


def _rangee_portant(texte: str, montant: str) -> str:
    """L'identifiant de la rangée du CARE rendue dont un montant est `montant`."""
    for ligne in texte.splitlines():
        if re.search(rf"\b\d{{4}} : {re.escape(montant)}(?: \||$)", ligne):
            return ligne.split(" | ")[0]
    raise LookupError(montant)


def _servir(serveur: ServeurOpenAI, choisir: Choisir, nombre: int = 12) -> None:
    serveur.ajouter(*[_repondeur(choisir) for _ in range(nombre)])


def test_un_appel_par_section_invites_courtes_et_candidats_presents(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document
) -> None:
    _servir(serveur, _rien)
    reglages = reglages_test(serveur.url, tmp_path, llm_contexte_jetons=CONTEXTE)
    fiche = RemplisseurLlm(reglages).remplir(forville)
    assert fiche.production.mode == "llm" and fiche.production.version == VERSION_SECTIONS
    noms = [r.corps["response_format"]["json_schema"]["name"] for r in serveur.requetes]
    assert len(serveur.requetes) >= 2 and set(noms) == {"section_dsp_v1"}
    champs = [
        set(r.corps["response_format"]["json_schema"]["schema"]["properties"])
        for r in serveur.requetes
    ]
    assert "collectivite" in champs[0] and "chiffre_affaires" in champs[1]
    identification = serveur.requetes[0].message("user")
    pages = {int(p) for p in re.findall(r"^p(\d+)-l\d+ \| ", identification, re.MULTILINE)}
    assert pages and max(pages) <= 3  # les premières pages seulement
    for requete in serveur.requetes:
        schema = requete.corps["response_format"]["json_schema"]["schema"]
        ids = {i for noeud in schema["properties"].values() for i in noeud["enum"] if i}
        assert ids and all(i in requete.message("user") for i in ids)
        invite = estimer_jetons(requete.texte)
        assert invite < CONTEXTE // 2  # une invite courte, pas la fiche entière
        assert 0 < requete.corps["max_tokens"] <= 512
        assert invite * 1.25 + requete.corps["max_tokens"] <= CONTEXTE
    # Tout est resté aux règles (le modèle n'a rien désigné) ; les jetons sont comptés.
    assert fiche.financier.postes == remplir_par_regles(forville).financier.postes
    assert fiche.production.jetons_entree == 500 * len(serveur.requetes)


def test_identifiant_invente_rejete_garde_au_diagnostic_champ_aux_regles(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document
) -> None:
    def inventer(champ: str, ids: list[str], texte: str) -> str | None:
        return "p99-l1" if champ == "collectivite" else None

    _servir(serveur, inventer)
    reglages = reglages_test(serveur.url, tmp_path, llm_contexte_jetons=CONTEXTE)
    cible = tmp_path / "forville.diagnostic-llm.json"
    fiche = produire_fiche(forville, "llm", reglages, cible)
    regles = remplir_par_regles(forville).identification.collectivite
    assert fiche.production.mode == "llm"  # la section du CARE a répondu
    assert fiche.identification.collectivite.valeur == regles.valeur
    assert fiche.identification.collectivite.origine == Origine.REGLES
    assert "p99-l1" in (fiche.production.note or "")
    rejetees = json.loads(cible.read_text("utf-8"))["reponses_rejetees"]
    assert len(rejetees) == 1 and "p99-l1" in rejetees[0]["contenu"]
    assert "identification" in rejetees[0]["erreur"]


def test_la_valeur_est_relue_dans_le_document_a_partir_de_l_identifiant(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document
) -> None:
    """Le modèle ne rend qu'un identifiant de rangée : le montant vient du tableau."""
    regles = remplir_par_regles(forville).financier.postes
    assert "resultat_net" not in regles  # vide chez les règles
    resultat = regles["resultat"]["2023"].citation or ""

    def designer(champ: str, ids: list[str], texte: str) -> str | None:
        return _rangee_portant(texte, resultat) if champ == "resultat_net" else None

    _servir(serveur, designer)
    reglages = reglages_test(serveur.url, tmp_path, llm_contexte_jetons=CONTEXTE)
    fiche = RemplisseurLlm(reglages).remplir(forville)
    lus = fiche.financier.postes["resultat_net"]
    assert set(lus) == set(regles["resultat"])  # chaque année de la rangée désignée
    for champ in lus.values():
        assert champ.origine == Origine.LLM and champ.page is not None and champ.citation
        page = normaliser_espaces(forville.pages[champ.page - 1].texte)
        assert normaliser_espaces(champ.citation) in page
        assert champ.valeur == lire_nombre(champ.citation)  # tableau en euros


def test_desaccord_montre_a_l_agent_lecture_du_modele_reportee(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document
) -> None:
    regles = remplir_par_regles(forville).financier.postes
    charges = regles["total_charges"]["2023"].citation or ""

    def confondre(champ: str, ids: list[str], texte: str) -> str | None:
        return _rangee_portant(texte, charges) if champ == "chiffre_affaires" else None

    _servir(serveur, confondre)
    reglages = reglages_test(serveur.url, tmp_path, llm_contexte_jetons=CONTEXTE)
    fiche = produire_fiche(forville, "auto", reglages)
    lu = fiche.financier.postes["chiffre_affaires"]["2023"]
    assert lu.valeur == regles["total_charges"]["2023"].valeur
    assert lu.origine == Origine.LLM and lu.confiance is not None and lu.confiance <= 0.9
    chemin = "financier.postes.chiffre_affaires.2023"
    signalees = [a for a in fiche.anomalies if chemin in a.champs]
    assert [(a.code, a.gravite) for a in signalees] == [(CODE_CHOIX, Gravite.INFO)]
    assert signalees[0].pages == [regles["chiffre_affaires"]["2023"].page]
    assert "modèle" in signalees[0].message and "règles" in signalees[0].message


def test_panne_du_point_d_acces_repli_avec_modele_et_jetons(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document
) -> None:
    serveur.ajouter(_repondeur(_rien), erreur(401))
    reglages = reglages_test(serveur.url, tmp_path, llm_contexte_jetons=CONTEXTE)
    fiche = RemplisseurLlm(reglages).remplir(forville)
    assert fiche.production.mode == "regles" and fiche.production.modele == "modele-test"
    assert "erreur 401" in (fiche.production.note or "")
    assert fiche.production.jetons_entree == 500
    assert len(serveur.requetes) == 2


def test_modele_au_long_contexte_garde_la_fiche_entiere(
    serveur: ServeurOpenAI, tmp_path: Path, forville: Document, reponse_forville: dict[str, Any]
) -> None:
    serveur.ajouter(completion(reponse_forville))
    reglages = reglages_test(serveur.url, tmp_path, llm_contexte_jetons=32768)
    fiche = RemplisseurLlm(reglages).remplir(forville)
    assert fiche.production.version != VERSION_SECTIONS and len(serveur.requetes) == 1
