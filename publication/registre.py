"""Fiche de registre RGPD (article 30) et notice d'usage de l'IA, écrites à partir des
réglages réels (`dsp registre --sortie DOSSIER`).

Tout ce qui dépend de la configuration en vient : LLM configuré ou non, hébergement
déclaré (local, souverain, externe), pseudonymisation appliquée, transferts hors UE,
méthode d'estimation de l'énergie. Ce que l'application ne peut pas savoir (responsable,
contact du délégué, durée de conservation décidée) est écrit « à compléter » avec le
réglage qui le renseigne : une mention vide vaut mieux qu'une affirmation fausse.
"""

from __future__ import annotations

from publication.conformite import DocumentConformite, Section, section
from socle.reglages import Reglages

NOM_TRAITEMENT = (
    "Synthèse DSP : analyse des rapports annuels des délégataires de service public et des "
    "rapports sur le prix et la qualité des services d'eau et d'assainissement"
)
HEBERGEMENTS = {
    "local": "local (serveurs de la collectivité)",
    "souverain": "souverain (hébergeur déclaré, données en France ou dans l'Union européenne)",
    "externe": "externe (fournisseur hors de la collectivité)",
}


def _a_completer(valeur: str | None, suffixe: str) -> str:
    return valeur or f"À compléter par le responsable du traitement (DSP_REGISTRE_{suffixe})."


def fournisseur(reglages: Reglages) -> str:
    return reglages.llm_fournisseur or reglages.llm_hote or "non précisé"


def pseudonymisation(reglages: Reglages) -> str:
    """Laquelle s'applique, et pourquoi."""
    if not reglages.llm_configure:
        return "Sans objet : aucun LLM n'est configuré, aucun texte ne quitte l'application."
    hebergement = reglages.hebergement_llm
    quoi = (
        "courriels, téléphones et noms de personnes sont remplacés par des marques "
        "([PERSONNE_1]…) avant l'envoi et rétablis au retour ; la table de correspondance "
        "ne quitte pas le processus ; les chiffres ne sont jamais modifiés"
    )
    if reglages.llm_pseudonymiser is None:
        if reglages.pseudonymisation_active:
            return f"Active (par défaut pour un point d'accès externe) : {quoi}."
        return (
            f"Non appliquée : le point d'accès est {HEBERGEMENTS[hebergement]}, le texte "
            "reste dans un périmètre maîtrisé (DSP_LLM_PSEUDONYMISER=true l'imposerait)."
        )
    if reglages.llm_pseudonymiser:
        return f"Active (réglage DSP_LLM_PSEUDONYMISER=true) : {quoi}."
    avertissement = (
        " Le point d'accès étant externe, cette décision doit être justifiée."
        if hebergement == "externe"
        else ""
    )
    return (
        "Désactivée par décision du responsable (DSP_LLM_PSEUDONYMISER=false) : les noms et "
        f"coordonnées figurant dans les pages transmises sont envoyés en clair.{avertissement}"
    )


def transferts(reglages: Reglages) -> str:
    """Transferts hors UE selon le point d'accès LLM configuré."""
    if not reglages.llm_configure:
        return "Aucun : aucun LLM n'est configuré, les documents restent sur les serveurs."
    hote, qui = reglages.llm_hote or "non précisé", fournisseur(reglages)
    if reglages.llm_hors_ue:
        return (
            f"Oui : le fournisseur du LLM ({qui}, {hote}) traite les données hors de l'Union "
            "européenne ; à encadrer par une décision d'adéquation ou des clauses "
            "contractuelles types (articles 45 et 46 du RGPD)."
        )
    if reglages.hebergement_llm == "local":
        return f"Aucun : le LLM est déclaré local ({hote}), le texte ne quitte pas le réseau."
    if reglages.llm_hors_ue is False:
        return f"Aucun : le fournisseur ({qui}, {hote}) est déclaré traiter dans l'UE."
    if reglages.hebergement_llm == "souverain":
        return (
            f"Aucun déclaré : hébergement souverain ({qui}, {hote}) ; la localisation des "
            "données est à justifier par le contrat (DSP_LLM_HORS_UE=false pour l'attester)."
        )
    return (
        f"Non déterminé : le point d'accès {hote} ({qui}) est externe et la localisation du "
        "traitement n'est pas déclarée (DSP_LLM_HORS_UE) ; à vérifier au contrat avant "
        "la mise en service."
    )


def _destinataires(reglages: Reglages) -> str:
    texte = (
        "Agents habilités de la collectivité selon leur rôle (relecteur, valideur, "
        "administrateur) ; fiches validées et rapport annuel transmis à la commission "
        "consultative des services publics locaux (CCSPL) et à l'assemblée délibérante, "
        "qui portent le nom de l'agent ayant validé"
    )
    if reglages.llm_configure:
        texte += (
            f" ; sous-traitant (article 28 du RGPD) : le fournisseur du LLM "
            f"({fournisseur(reglages)}, point d'accès {HEBERGEMENTS[reglages.hebergement_llm]}), "
            "qui reçoit le texte des pages utiles de chaque rapport"
        )
    return texte + "."


def _securite(reglages: Reglages) -> str:
    mesures = [
        "comptes nominatifs à rôles, mots de passe hachés (scrypt)",
        "sessions à jeton aléatoire (empreinte seule en base), cookie HttpOnly et "
        "SameSite=Strict"
        + (", réservé au HTTPS" if reglages.revue_cookie_securise else " (HTTPS à imposer)"),
        "jeton CSRF sur chaque formulaire, connexions limitées par adresse et par compte "
        "(adresses gardées en mémoire le temps de la fenêtre, jamais en base)",
        "journal d'audit en ajout seul et chaîné (toute modification est détectée par "
        "`dsp journal verifier`)",
        "politique de sécurité du contenu, aucune ressource externe, texte des rapports "
        "toujours échappé",
        "lecture des fichiers reçus bornée (taille, pages, pixels, bombes de décompression) "
        "et isolée dans un processus de travail",
    ]
    texte = " ; ".join(mesures)
    return texte[0].upper() + texte[1:] + "."


def registre_rgpd(reglages: Reglages) -> DocumentConformite:
    """La fiche de registre des activités de traitement (article 30.1 du RGPD)."""
    identite = section(
        "Responsable et contact",
        ("Traitement", NOM_TRAITEMENT),
        ("Responsable du traitement", _a_completer(reglages.registre_responsable, "RESPONSABLE")),
        ("Délégué à la protection des données", _a_completer(reglages.registre_contact, "CONTACT")),
    )
    return DocumentConformite(
        titre="Registre des activités de traitement : fiche du traitement",
        chapeau="Fiche établie au titre de l'article 30 du RGPD à partir des réglages "
        "de l'application au moment de sa génération (dsp registre).",
        sections=[
            identite,
            _finalite(),
            _donnees(),
            _circulation(reglages),
            _conservation(reglages),
            _mesures(reglages),
        ],
    )


def _finalite() -> Section:
    return section(
        "Finalité et base légale",
        (
            "Finalité",
            (
                "Contrôler les rapports annuels des délégataires (article L. 3131-5 du code de la "
                "commande publique) et les rapports sur le prix et la qualité des services "
                "(article L. 2224-5 du CGCT) : lecture des chiffres, contrôles de cohérence, fiche "
                "de synthèse relue et validée par un agent, rapport annuel à la CCSPL. Aucune "
                "décision n'est prise sur une personne."
            ),
        ),
        (
            "Base légale",
            (
                "Mission d'intérêt public (article 6.1.e du RGPD) : contrôle des délégations de "
                "service public par l'autorité délégante (code de la commande publique, "
                "articles L. 3131-5 et R. 3131-2 à R. 3131-4 ; CGCT, article L. 1413-1)."
            ),
        ),
    )


def _donnees() -> Section:
    return section(
        "Personnes et données concernées",
        (
            "Catégories de personnes",
            (
                "Agents de la collectivité utilisateurs de l'application ; personnes nommées "
                "dans les rapports reçus (dirigeants, salariés et contacts des délégataires, "
                "élus ou agents cités)."
            ),
        ),
        (
            "Catégories de données",
            (
                "Agents : identifiant, nom, rôle, empreinte du mot de passe, sessions, actions "
                "journalisées (corrections, avis, décisions, dates) et temps de revue active. "
                "Personnes citées : nom, fonction, courriel et téléphone professionnels tels "
                "qu'ils figurent dans les rapports. Aucune donnée sensible (article 9) n'est "
                "recherchée ; l'effectif du délégataire n'est lu qu'en total."
            ),
        ),
    )


def _circulation(reglages: Reglages) -> Section:
    return section(
        "Destinataires et transferts",
        ("Destinataires", _destinataires(reglages)),
        ("Transferts hors de l'Union européenne", transferts(reglages)),
    )


def _conservation(reglages: Reglages) -> Section:
    defaut = (
        "À fixer par le responsable du traitement (réglage DSP_REGISTRE_CONSERVATION) : "
        "l'application ne supprime rien d'elle-même ; rapports archivés, versions de "
        "fiche, journal d'audit et comptes sont gardés tant que la base existe"
    )
    texte = reglages.registre_conservation or defaut
    if reglages.llm_configure and reglages.llm_cache:
        texte += f" ; réponses du LLM en cache disque sous {reglages.dossier_cache_llm}"
    return section(
        "Durée de conservation",
        ("Durée de conservation", texte.rstrip(".") + "."),
    )


def _mesures(reglages: Reglages) -> Section:
    return section(
        "Mesures de sécurité",
        ("Mesures techniques et organisationnelles", _securite(reglages)),
        ("Pseudonymisation avant le LLM", pseudonymisation(reglages)),
    )
