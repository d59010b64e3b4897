"""Dictionnaire des libellés réels (domaine.md) : lignes du CARE, sections, identification.

Chaque motif s'applique au libellé *normalisé* (`texte.normaliser` : sans accents, en
minuscules, ponctuation remplacée par des espaces, apostrophe droite). Les listes viennent
des rapports publics des grands groupes (eau, stationnement, transport), des lots de plage,
casinos, crèches et cantines ; elles sont volontairement plus larges que le corpus.
"""

from __future__ import annotations

import re

from fiche.modeles import Secteur, TypeContrat


def _re(*motifs: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{m})" for m in motifs))


# --- Sections du CARE (intertitres sans montant) --------------------------------------
SECTION_PRODUITS = _re(
    r"^(?:total )?(?:des )?produits?\b(?! de traitement)",
    r"^recettes?\b",
    r"^chiffre d'affaires\b",
    r"^ressources\b",
    r"^revenus?\b",
)
SECTION_CHARGES = _re(
    r"^(?:total )?(?:des )?charges?\b",
    r"^depenses?\b",
    r"^couts?\b",
    r"^emplois\b",
)
SECTION_REVERSEMENTS = _re(r"\breversements?\b", r"^sommes? (?:collectees|reversees)")
# « Produits de traitement » (réactifs de l'eau) est une charge, pas un intertitre produits.

# --- Natures de ligne -------------------------------------------------------------------
TOTAL = _re(r"^total\b", r"^totaux\b", r"\btotale?s?$", r"^montant total\b", r"^ensemble des\b")
SOUS_TOTAL = _re(r"^sous total\b", r"^s total\b", r"^st\b", r"^dont total\b")
RESULTAT = _re(
    r"^resultats?\b",
    r"^(?:excedent|deficit|benefice|perte)s?\b(?! sur)",
    r"^solde (?:d'exploitation|du compte|net)\b",
    r"^marge nette\b",
)
RESULTAT_NET = _re(r"\bnet\b", r"apres (?:impots?|is)\b", r"\bexercice$")
RESULTAT_AVANT_IMPOT = _re(r"avant (?:impots?|is)\b")
IMPOT = _re(r"^impots? sur les (?:societes|benefices)", r"^is\b", r"^impot societe")
PRODUITS_TOTAL = _re(
    r"\bproduits?\b",
    r"\brecettes?\b",
    r"chiffre d'affaires",
    r"\bressources\b",
    r"\brevenus?\b",
)
CHARGES_TOTAL = _re(r"\bcharges?\b", r"\bdepenses?\b", r"\bcouts?\b")

# --- Postes lus sur une ligne de détail -------------------------------------------------
PERSONNEL = _re(
    r"^(?:sous total |total )?(?:frais |charges |depenses |couts )?(?:de |du |des )?personnels?\b",
    r"^salaires?\b",
    r"^(?:charges|cotisations) sociales\b",
    r"^remunerations?\b",
    r"^masse salariale\b",
    r"^main d'oeuvre\b",
    r"^frais de personnel\b",
)
# Personnel extérieur ou non permanent : intérim et mises à disposition sont des charges
# externes au plan comptable (compte 621), et les intermittents d'un théâtre se suivent
# avec les coûts artistiques ; ils restent lignes du CARE mais hors `charges_personnel`.
PERSONNEL_EXTERIEUR = _re(
    r"\binterim", r"\bintermittents?\b", r"\bexterieurs?\b", r"mis a disposition", r"\bdetaches?\b"
)
FRAIS_SIEGE = _re(
    r"\bfrais (?:de |du )?siege\b",
    r"\bservices? centraux\b",
    r"\bcharges? (?:de |des )?structures?\b",
    r"\bfrais (?:de |des )?structures?\b",
    r"\b(?:frais|honoraires|redevance) (?:generaux |de gestion )?(?:du |de )?groupe\b",
    r"\bhonoraires de gestion\b",
    r"\bfrais generaux (?:du |de )?(?:siege|groupe|societe)\b",
    r"\bquote part (?:des )?frais (?:de |du )?(?:siege|groupe|structure)",
    r"\bmanagement fees?\b",
    r"\bassistance (?:technique )?(?:du |de la )?(?:groupe|maison mere)\b",
    r"\bcontribution (?:aux|des) (?:frais|charges) (?:communs|centraux|de siege)",
    r"\bfrais centraux\b",
    r"\b(?:prestations|services|assistance) (?:du |de )?siege\b",
    r"\bfrais de direction (?:generale|regionale)\b",
)
REDEVANCE = _re(
    r"\bredevances?\b",
    r"\bprelevements? (?:communal|municipal|de la (?:commune|ville|collectivite))\b",
    r"\bprelevement (?:de la )?(?:commune|ville)\b",
    r"\bloyer (?:verse |du |paye )?(?:a |au )?(?:la )?(?:collectivite|ville|commune|delegant)\b",
    r"\b(?:interessement|participation|versement|reversement)s? (?:verses? )?"
    r"(?:a |de )(?:la |l')(?:collectivite|ville|commune|autorite delegante)\b",
    r"\bpart (?:fixe|variable) (?:de la |versee a la )?(?:collectivite|ville|commune)\b",
)
# Une « redevance » qui n'est pas versée à l'autorité : tarif du service (produit),
# redevances de l'Agence de l'eau et surtaxes (reversements), part du délégataire.
REDEVANCE_EXCLUE = _re(
    r"agence de l'eau",
    r"\bpart (?:du )?(?:delegataire|exploitant|fermier)\b",
    r"\bsurtaxe\b",
    r"\bpollution\b",
    r"modernisation des reseaux",
    r"\bprelevements? (?:de l'etat|etat|progressif)\b",
    r"\bredevances? (?:d'assainissement|assainissement|eau potable|usagers?)\b",
)
# Le prélèvement communal d'un casino se lit parmi les produits (en déduction du PBJ).
REDEVANCE_DANS_PRODUITS = _re(r"\bprelevements? (?:communal|municipal|de la (?:commune|ville))")
# Le produit brut des jeux est un agrégat de jeu, jamais le chiffre d'affaires.
PRODUIT_BRUT_JEUX = _re(r"produit brut des jeux", r"^pbj\b")

# Libellés de détail courants : servent seulement à reconnaître un tableau CARE.
DETAILS_CARE = _re(
    r"\bachats?\b",
    r"sous traitance",
    r"\benergie\b",
    r"\belectricite\b",
    r"impots? (?:et|locaux|taxes)",
    r"\btaxes?\b",
    r"amortissements?",
    r"\bprovisions?\b",
    r"\bassurances?\b",
    r"\bentretien\b",
    r"\bmaintenance\b",
    r"\brenouvellement",
    r"\bfournitures\b",
    r"charges financieres",
    r"\bventes?\b",
    r"\babonnements?\b",
    r"produits accessoires",
    r"autres (?:produits|charges|recettes)",
    r"\bcompensation\b",
    r"\bsubventions?\b",
    r"\btravaux\b",
)

# --- Contexte d'un tableau --------------------------------------------------------------
CONTEXTE_CARE = _re(
    r"compte annuel de resultat",
    r"\bcare\b",
    r"compte de resultat",
    r"compte d'exploitation",
    r"comptes? (?:de la delegation|du contrat|du service)",
    r"compte rendu financier",
    r"resultats? (?:de l'exploitation|financiers?)",
)
# À qui est le tableau : les recettes, le budget ou la facture de la collectivité ne sont
# pas le compte du délégataire (un RPQS en imprime plusieurs sur une même page).
CONTEXTE_COLLECTIVITE = _re(
    r"\b(?:recettes|depenses|ressources) (?:de la|du budget de la) "
    r"(?:collectivite|commune|ville)\b",
    r"compte administratif",
    r"\bbudgets? (?:annexes?|principal|general)\b",
    r"pour le compte de tiers",
    r"\bfactures? (?:type|d'eau|d'assainissement)\b",
    r"\b120 ?m3\b",
)
# Sur une ligne du tableau : une facture ou un prix au m³ ne sont pas un compte.
LIGNE_FACTURE = _re(r"\bfacture\b", r"\b120 ?m3\b", r"\bprix ttc\b", r"\bau m3\b", r"\bttc\b")
CONTEXTE_DELEGATAIRE = _re(
    r"\b(?:du|de l'|de la societe|revenant au) ?"
    r"(?:delegataire|exploitant|fermier|concessionnaire)\b"
)
CONTEXTE_INVESTISSEMENTS = _re(
    r"investissements?",
    r"programme (?:de |des )?(?:travaux|renouvellements?)",
    r"travaux (?:de |realises)",
    r"renouvellements? realises?",
)
CONTEXTE_PREVISIONNEL = _re(r"previsionnel", r"\bprevus?\b", r"\ba venir\b", r"\bbudget")
CONTEXTE_INVENTAIRE = _re(
    r"inventaire", r"biens de (?:retour|reprise)", r"valeur (?:brute|nette)", r"mise en service"
)
CONTEXTE_TARIFS = _re(r"\btarifs?\b", r"\btarifaires?\b", r"\bgrille\b", r"\bprix\b")
CONTEXTE_INDICATEURS = _re(
    r"indicateurs?", r"\bactivite\b", r"performance", r"qualite", r"frequentation", r"chiffres cles"
)
CONTEXTE_PERSONNEL = _re(r"^personnel$", r"^effectifs?$", r"moyens humains", r"ressources humaines")
EFFECTIF = _re(
    r"\betp\b", r"equivalents? temps plein", r"^effectifs?\b", r"\beffectifs? (?:total|moyen)"
)
EFFECTIF_PREFERE = _re(r"\betp\b", r"temps plein", r"affecte", r"moyen", r"total")
EFFECTIF_SECONDAIRE = _re(r"saisonnier", r"\binterim", r"\bcdd\b", r"heures")
MOIS = _re(
    r"^(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)\b"
)
COLONNE_BUDGET = _re(r"\bbudget", r"previsionnel", r"\bprevu", r"\bbp\b", r"objectif", r"\bcep\b")

# --- Identification -----------------------------------------------------------------------
ETIQUETTES: dict[str, re.Pattern[str]] = {
    "collectivite": _re(
        r"^(?:autorite|collectivite|personne publique) (?:delegante|concedante|contractante)$",
        r"^(?:collectivite|delegant|concedant|autorite organisatrice)$",
        r"^nom de la collectivite$",
        r"^collectivite (?:competente|organisatrice|responsable)$",
        r"^maitre d'ouvrage$",
    ),
    "delegataire": _re(
        r"^(?:societe )?(?:delegataire|concessionnaire|fermier|exploitant|titulaire)"
        r"(?: du contrat| de la convention)?$",
        r"^raison sociale$",
        r"^(?:nom du |identite du )(?:delegataire|concessionnaire)$",
    ),
    "objet": _re(r"^objet(?: du contrat| de la (?:delegation|concession|convention))?$"),
    "secteur": _re(r"^(?:service|service public|secteur|activite|domaine)(?: delegue)?$"),
    "type_contrat": _re(
        r"^(?:nature|type|forme|mode de gestion|mode)(?: du| de)?(?: contrat| la convention)?$",
        r"^contrat$",
    ),
    "date_debut": _re(
        r"^date (?:d'effet|de debut|de prise d'effet|d'entree en vigueur|de demarrage)",
        r"^(?:prise d'effet|debut(?: du contrat)?|entree en vigueur|demarrage)$",
    ),
    "date_fin": _re(
        r"^(?:date (?:de fin|d'echeance|d'expiration)|echeance|fin(?: du contrat)?|terme"
        r"|expiration)(?: du contrat)?$",
    ),
    "duree": _re(r"^(?:duree|periode)(?: du contrat| contractuelle)?$"),
    "exercice": _re(r"^(?:exercice|annee|periode couverte)$"),
}

# Autorités nommées par leur nature (commune, syndicat…) ; les préfixes faibles (« Territoire
# Ouest », « Grand X », « Collectivité ») nomment aussi des découpages qui n'en sont pas.
PREFIXE_AUTORITE_FORTE = (
    r"(?:Ville|Commune|Mairie|Communaut[ée] d['’]agglom[ée]ration|Communaut[ée] de communes"
    r"|Communaut[ée] urbaine|M[ée]tropole|Syndicat|SIVOM|SIVU|SIAEP|SMAEP|SIEA|SDEA"
    r"|D[ée]partement|Conseil d[ée]partemental|R[ée]gion|Agglom[ée]ration"
    r"|[ÉE]tablissement public territorial|P[ôo]le m[ée]tropolitain)"
)
PREFIXE_COLLECTIVITE = rf"(?:{PREFIXE_AUTORITE_FORTE}|Collectivit[ée]|Territoire|Grand\s)"
FORMES_SOCIALES = r"(?:SAS|SASU|SA|SARL|EURL|SEM|SEML|SPL|SNC|SCIC|SCOP|SCA|GIE|SEMOP)"

# --- Secteurs : mots du service, du plus spécifique au plus général ------------------------
SECTEURS: list[tuple[Secteur, re.Pattern[str]]] = [
    (Secteur.FOURRIERE, _re(r"fourriere")),
    (Secteur.FUNERAIRE, _re(r"funerai", r"crematori", r"pompes funebres", r"cimetiere")),
    (Secteur.CASINO, _re(r"\bcasinos?\b", r"jeux de hasard")),
    (Secteur.PLAGE, _re(r"\bplages?\b", r"bains de mer")),
    (
        Secteur.CHAUFFAGE_URBAIN,
        _re(
            r"reseaux? de (?:chaleur|froid)",
            r"chauffage urbain",
            r"distribution de (?:chaleur|froid)",
            r"energie thermique",
        ),
    ),
    (Secteur.ASSAINISSEMENT, _re(r"assainissement", r"eaux usees", r"epuration")),
    (
        Secteur.EAU_POTABLE,
        _re(
            r"eau potable",
            r"distribution d'eau",
            r"production d'eau",
            r"adduction d'eau",
            r"service de l'eau",
            r"service public de l'eau",
        ),
    ),
    (Secteur.DECHETS, _re(r"dechets", r"ordures menageres", r"dechetterie", r"collecte selective")),
    (
        Secteur.PETITE_ENFANCE,
        _re(
            r"petite enfance",
            r"\bcreches?\b",
            r"multi accueil",
            r"jeune enfant",
            r"halte garderie",
            r"micro creche",
        ),
    ),
    (
        Secteur.RESTAURATION_COLLECTIVE,
        _re(
            r"restauration (?:scolaire|collective|municipale)",
            r"cuisine centrale",
            r"\brepas\b",
            r"cantines?",
        ),
    ),
    (
        Secteur.STATIONNEMENT,
        _re(
            r"stationnement",
            r"\bparkings?\b",
            r"parcs? (?:de stationnement|"
            r"relais)",
            r"horodateurs?",
        ),
    ),
    (
        Secteur.TRANSPORT,
        _re(
            r"\btransports?\b",
            r"mobilites?",
            r"reseau de bus",
            r"\bbus\b",
            r"voyageurs",
            r"\btramway",
        ),
    ),
    (Secteur.PORT, _re(r"\bports?\b", r"portuaire", r"plaisance", r"\bmarina\b")),
    (
        Secteur.EQUIPEMENT_SPORTIF,
        _re(
            r"aquatique",
            r"piscines?",
            r"patinoire",
            r"\bgolf\b",
            r"equipements? sporti",
            r"complexe sporti",
            r"\bstade",
            r"centre nautique",
            r"base de loisirs",
        ),
    ),
    (
        Secteur.EQUIPEMENT_CULTUREL,
        _re(
            r"theatre",
            r"salles? de spectacles?",
            r"cinema",
            r"musee",
            r"equipements? culturel",
            r"mediatheque",
            r"conservatoire",
            r"\bopera\b",
            r"salle de concert",
        ),
    ),
    (
        Secteur.MARCHE,
        _re(
            r"\bhalles?\b",
            r"\bmarches? (?:de plein air|forains?|couverts?|"
            r"d'approvisionnement|publics?|municipaux)",
            r"droits de place",
        ),
    ),
]

# --- Types de contrat : du plus précis au plus général ------------------------------------
TYPES_CONTRAT: list[tuple[TypeContrat, re.Pattern[str]]] = [
    (TypeContrat.SOUS_TRAITE_PLAGE, _re(r"sous traite")),
    (TypeContrat.REGIE_INTERESSEE, _re(r"regie interessee")),
    (TypeContrat.AFFERMAGE, _re(r"affermage")),
    (TypeContrat.GERANCE, _re(r"\bgerance\b")),
    (
        TypeContrat.CONCESSION,
        _re(
            r"concession",
            r"delegation de service public",
            r"\bdsp\b",
            r"convention de delegation",
            r"contrat de delegation",
        ),
    ),
]
