"""Notice d'usage de l'IA, écrite à partir des réglages réels, et écriture des deux
documents de conformité (`dsp registre`)."""

from __future__ import annotations

from pathlib import Path

from fiche.llm.invites import VERSION_PROMPT
from publication import filtres
from publication.conformite import DocumentConformite, Rubrique, Section, ecrire
from publication.registre import (
    HEBERGEMENTS,
    fournisseur,
    pseudonymisation,
    registre_rgpd,
    transferts,
)
from socle.reglages import Reglages
from socle.sobriete import ECOLOGITS_PUE


def _ce_qu_il_fait(reglages: Reglages) -> Section:
    mode = (
        f"Un modèle de langage ({reglages.llm_model}) lit les pages utiles et propose les "
        "valeurs ; les règles déterministes tournent aussi et chaque divergence est signalée "
        "(DESACCORD) ; si le modèle fait défaut, la fiche est produite par les règles et le dit."
        if reglages.llm_configure
        else "Aucun modèle d'IA générative n'est configuré : les valeurs sont lues par des "
        "règles déterministes (dictionnaire de libellés, tableaux), sans apprentissage."
    )
    return Section(titre="Ce que fait le système", rubriques=[
        Rubrique(intitule="Rôle", texte=(
            "Il lit les rapports annuels reçus (PDF, scans, Word, tableurs), propose une fiche "
            "de synthèse dont chaque valeur renvoie à sa page et à la phrase citée, et applique "
            "des contrôles de cohérence dont chaque anomalie cite sa règle.")),
        Rubrique(intitule="Mode de production", texte=mode),
        Rubrique(intitule="Vérification de chaque valeur", texte=(
            "Toute valeur, quel que soit son auteur, est recherchée sur sa page : une valeur "
            "introuvable est marquée « absent » et signalée à l'agent.")),
    ])  # fmt: skip


def _ce_qu_il_ne_fait_pas() -> Section:
    return Section(titre="Ce que le système ne fait pas", rubriques=[
        Rubrique(intitule="Aucune décision", texte=(
            "Il ne valide, ne rejette ni ne publie rien : seul un agent habilité le fait. Il ne "
            "juge ni le délégataire ni la qualité du service, et ne prend aucune décision sur "
            "une personne.")),
        Rubrique(intitule="Aucune invention", texte=(
            "Une valeur absente du rapport reste vide plutôt que devinée ; un texte du rapport "
            "qui s'adresse à une IA est signalé, jamais suivi.")),
        Rubrique(intitule="Aucun apprentissage", texte=(
            "Aucun modèle n'est entraîné sur les rapports ni sur les corrections des agents.")),
    ])  # fmt: skip


def _controle_humain() -> Section:
    return Section(titre="Contrôle humain", rubriques=[
        Rubrique(intitule="Relecture", texte=(
            "Chaque fiche arrive « à valider » ; l'agent voit la page source surlignée, corrige "
            "une valeur avec un motif (nouvelle version, journalisée) et rédige son avis.")),
        Rubrique(intitule="Validation", texte=(
            "Un valideur décide sur la version affichée ; une anomalie bloquante ou une alerte "
            "doit être reconnue avec un motif. La fiche Word porte la mention « Fiche rédigée "
            "avec l'aide de l'IA générative et validée par [agent] le [date] » (« par "
            "extraction automatique » en mode règles) ; un brouillon porte le filigrane "
            "« PROJET — non validé ».")),
        Rubrique(intitule="Traçabilité", texte=(
            "Journal d'audit chaîné : qui a corrigé, validé ou rejeté, quand et pourquoi.")),
    ])  # fmt: skip


def _modele(reglages: Reglages) -> Section:
    if not reglages.llm_configure:
        return Section(titre="Modèle et fournisseur", rubriques=[
            Rubrique(intitule="Modèle", texte="Aucun (mode règles déterministes)."),
        ])  # fmt: skip
    taille = reglages.llm_parametres_actifs_md
    return Section(titre="Modèle et fournisseur", rubriques=[
        Rubrique(intitule="Modèle", texte=(
            f"{reglages.llm_model}, consignes version {VERSION_PROMPT}, taille "
            + (f"{filtres.nombre(taille)} milliards de paramètres actifs" if taille
               else "non déclarée (DSP_LLM_PARAMETRES_ACTIFS_MD)") + ".")),
        Rubrique(intitule="Fournisseur et hébergement", texte=(
            f"{fournisseur(reglages)}, point d'accès {reglages.llm_base_url}, "
            f"{HEBERGEMENTS[reglages.hebergement_llm]}.")),
        Rubrique(intitule="Transferts hors UE", texte=transferts(reglages)),
        Rubrique(intitule="Données personnelles", texte=pseudonymisation(reglages)),
    ])  # fmt: skip


def _limites() -> Section:
    return Section(titre="Limites connues", rubriques=[
        Rubrique(intitule="Lecture", texte=(
            "Un scan de mauvaise qualité peut être mal lu par l'OCR ; un tableau à la mise en "
            "page inhabituelle peut être mal découpé ; un libellé inconnu des règles laisse "
            "le champ vide.")),
        Rubrique(intitule="Modèle de langage", texte=(
            "Un modèle peut se tromper de ligne ou d'exercice : la vérification sur la page et "
            "les contrôles en rattrapent une partie, la relecture de l'agent reste nécessaire.")),
        Rubrique(intitule="Pseudonymisation", texte=(
            "La reconnaissance des noms est statistique : un nom peut passer ; les raisons "
            "sociales et le nom du fichier ne sont pas masqués.")),
    ])  # fmt: skip


def _sobriete(reglages: Reglages) -> Section:
    llm = (
        "jetons de sortie × taille déclarée du modèle selon la méthode EcoLogits (PUE "
        f"{filtres.nombre(reglages.llm_pue)}, défaut EcoLogits {filtres.nombre(ECOLOGITS_PUE)}) ; "
        "sans taille déclarée, l'énergie d'une fiche produite par le LLM n'est pas estimée"
    )
    return Section(titre="Sobriété", rubriques=[
        Rubrique(intitule="Énergie et émissions de chaque fiche", texte=(
            "Temps CPU mesuré × "
            f"{filtres.nombre(reglages.energie_puissance_coeur_w)} W par cœur, plus pour le LLM : "
            f"{llm}. Émissions : mix électrique de {filtres.nombre(reglages.mix_gco2_kwh)} "
            "gCO2e/kWh. Affichées sur la page du rapport, dans le pied de la fiche Word, au "
            "bilan des lots et au tableau de bord.")),
    ])  # fmt: skip


def _contester(reglages: Reglages) -> Section:
    contact = reglages.registre_contact or "le délégué à la protection des données"
    return Section(titre="Contester une fiche", rubriques=[
        Rubrique(intitule="Une valeur ou une anomalie", texte=(
            "Le délégataire ou tout lecteur signale l'erreur au service qui a validé la fiche "
            "en citant la page du rapport ; l'agent corrige avec un motif (nouvelle version "
            "journalisée) ou fait retraiter le rapport, puis la fiche est validée à nouveau.")),
        Rubrique(intitule="Vos données personnelles", texte=(
            f"Droits d'accès, de rectification, de limitation et d'opposition : {contact} ; "
            "réclamation possible auprès de la CNIL.")),
    ])  # fmt: skip


def notice_ia(reglages: Reglages) -> DocumentConformite:
    return DocumentConformite(
        titre="Notice d'usage de l'intelligence artificielle",
        chapeau="Ce que fait l'application Synthèse DSP avec les rapports reçus, telle "
        "qu'elle est configurée au moment de la génération de cette notice (dsp registre).",
        sections=[_ce_qu_il_fait(reglages), _ce_qu_il_ne_fait_pas(), _controle_humain(),
                  _modele(reglages), _limites(), _sobriete(reglages), _contester(reglages)],
    )  # fmt: skip


def ecrire_conformite(reglages: Reglages, dossier: Path) -> list[Path]:
    """`registre_rgpd.md`/`.docx` et `notice_ia.md`/`.docx` dans `dossier`."""
    return ecrire(registre_rgpd(reglages), dossier, "registre_rgpd") + ecrire(
        notice_ia(reglages), dossier, "notice_ia"
    )
