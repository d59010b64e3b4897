"""Bibliothèque de paragraphes de récit, communs à tous les secteurs.

Les textes reprennent le ton des rapports réels (présentation du délégataire, politique
qualité, ressources humaines, méthodes de répartition, patrimoine...). Les champs entre
accolades sont remplis par `remplir` ; le choix et l'ordre dépendent de la graine.
"""

from __future__ import annotations

import random

TEXTES: dict[str, list[str]] = {
    "mot": [
        "Nous avons le plaisir de vous adresser le rapport annuel relatif à l'exécution du "
        "{service} pour l'exercice {n}. Ce document, établi en application de l'article "
        "L.3131-5 du code de la commande publique, retrace les conditions d'exécution du "
        "contrat, les comptes de l'exploitation et l'analyse de la qualité du service.",
        "L'année {n} a été marquée par la poursuite de nos engagements auprès {de_collectivite}. "
        "Nos équipes se sont mobilisées chaque jour pour assurer la continuité du service et "
        "répondre aux attentes des {usagers}, dans un contexte de forte hausse du coût de "
        "l'énergie et des matières premières.",
        "Ce rapport a été conçu pour permettre aux élus et aux services de la collectivité de "
        "suivre l'exécution du contrat et de comparer l'exercice {n} à l'exercice {n1}. Nos "
        "équipes restent à votre disposition pour toute précision complémentaire.",
        "Au terme de cet exercice, nous tenons à remercier les services {de_collectivite} pour la "
        "qualité des échanges tout au long de l'année, notamment lors des comités de suivi "
        "trimestriels qui permettent d'anticiper les évolutions du service.",
    ],
    "contexte": [
        "Le contexte économique de l'exercice {n} reste marqué par l'inflation, qui a touché "
        "principalement les postes énergie, sous-traitance et fournitures. Les formules "
        "d'indexation prévues au contrat n'ont compensé ces hausses qu'avec un décalage de "
        "plusieurs mois.",
        "Sur le plan réglementaire, l'exercice a vu l'entrée en vigueur de plusieurs textes "
        "relatifs à la sobriété énergétique et à la transparence des données de service "
        "public. Le délégataire a adapté ses procédures en conséquence.",
        "Les échanges avec l'autorité délégante se sont poursuivis dans le cadre des réunions "
        "de suivi du contrat. Les comptes rendus de ces réunions sont tenus à la disposition "
        "des services de contrôle.",
    ],
    "qualite": [
        "La démarche qualité du délégataire repose sur un système de management certifié "
        "ISO 9001 depuis 2016, étendu à l'environnement (ISO 14001) et à la santé et sécurité "
        "au travail (ISO 45001). L'audit de suivi de l'exercice {n} n'a relevé aucune "
        "non-conformité majeure.",
        "Les réclamations écrites des {usagers} font l'objet d'un enregistrement systématique "
        "et d'une réponse sous huit jours ouvrés. Le délai moyen de réponse constaté sur "
        "l'exercice est inférieur à cet engagement contractuel.",
        "Une enquête de satisfaction a été conduite au cours du dernier trimestre auprès d'un "
        "échantillon représentatif des {usagers}. La propreté, l'accueil et l'information "
        "restent les points les mieux notés ; les délais d'attente aux heures de pointe "
        "constituent le principal axe de progrès.",
        "Les contrôles de l'autorité délégante, réalisés de manière inopinée, n'ont pas donné "
        "lieu à l'application de pénalités au titre de l'exercice {n}.",
    ],
    "rh": [
        "Le personnel affecté au contrat bénéficie d'un plan de formation annuel couvrant la "
        "sécurité, l'habilitation électrique, l'accueil des publics et les outils numériques. "
        "Au total, plus de 600 heures de formation ont été dispensées au cours de l'exercice.",
        "L'organisation du travail repose sur des équipes polyvalentes, complétées en période "
        "de forte activité par des renforts saisonniers. Aucun accident du travail avec arrêt "
        "n'a été déploré en {n}.",
        "Les effectifs affectés au service sont présentés en équivalents temps plein (ETP). "
        "Les personnels mutualisés avec d'autres contrats sont comptés au prorata du temps "
        "passé, sur la base des relevés d'activité.",
    ],
    "methodes": [
        "Les charges directes sont affectées au contrat dès leur engagement. Les charges "
        "indirectes, notamment les charges de structure (direction régionale, services "
        "supports, informatique), sont réparties entre les contrats au prorata de la valeur "
        "ajoutée de chacun. Cette clé est inchangée par rapport à l'exercice précédent.",
        "La contribution des services centraux et de la recherche correspond à la quote-part "
        "des frais du siège social et des centres d'expertise. Elle est calculée en "
        "pourcentage du chiffre d'affaires du contrat, selon un taux fixé chaque année par la "
        "direction financière du groupe.",
        "Les charges de personnel mutualisé sont imputées au prorata des heures déclarées sur "
        "chaque contrat. Les véhicules et engins communs à plusieurs contrats sont répartis "
        "au kilomètre parcouru ou à l'heure d'utilisation.",
        "Les charges relatives aux renouvellements sont calculées selon la méthode du lissage "
        "sur la durée résiduelle du contrat : la charge économique annuelle est constante et "
        "indépendante du rythme effectif des travaux.",
        "Aucune modification des méthodes comptables n'est intervenue au cours de l'exercice ; "
        "les comptes de l'exercice {n} sont donc directement comparables à ceux de "
        "l'exercice {n1}.",
    ],
    "patrimoine": [
        "Au cours de l'exercice {n}, le patrimoine du service a évolué principalement du fait "
        "des travaux de renouvellement réalisés et de la mise en service des équipements "
        "prévus au programme contractuel.",
        "Aucune cession ni acquisition foncière n'est intervenue dans le périmètre du contrat. "
        "Les biens mis à disposition par la collectivité au début du contrat sont toujours "
        "affectés au service.",
        "Les équipements dont le renouvellement incombe au délégataire font l'objet d'un suivi "
        "dans la gestion de maintenance assistée par ordinateur. Leur état est apprécié lors "
        "des visites préventives et consigné dans les fiches d'intervention.",
    ],
    "biens": [
        "Les biens de retour sont les biens nécessaires au fonctionnement du service ; ils "
        "appartiennent à la collectivité dès leur réalisation ou leur acquisition et lui "
        "reviennent gratuitement en fin de contrat. Les biens de reprise peuvent être repris "
        "par la collectivité moyennant un prix.",
        "L'inventaire ci-dessous recense les biens de retour à la clôture de l'exercice, avec "
        "leur année de mise en service et leur état apprécié par le délégataire.",
    ],
    "engagements": [
        "Les engagements à incidence financière nécessaires à la continuité du service "
        "comprennent les contrats de fourniture d'énergie, les contrats de maintenance "
        "pluriannuels et les contrats de crédit-bail en cours.",
        "En cas de changement d'exploitant, le personnel affecté au contrat serait transféré "
        "dans les conditions de l'article L.1224-1 du code du travail. La liste nominative "
        "anonymisée de ce personnel est tenue à la disposition de la collectivité.",
        "Les provisions pour renouvellement non consommées à l'échéance du contrat seront "
        "reversées à l'autorité délégante, conformément aux stipulations contractuelles.",
    ],
    "investissements": [
        "Le programme d'investissements contractuel a été exécuté conformément au calendrier "
        "prévisionnel. Les écarts éventuels font l'objet d'une explication dans le tableau "
        "de suivi ci-dessous.",
        "Les montants indiqués correspondent aux dépenses engagées au cours de chaque "
        "exercice, hors frais financiers intercalaires.",
    ],
    "tarifs": [
        "Les tarifs sont révisés chaque année au 1er janvier par application de la formule "
        "d'indexation prévue au contrat, fondée sur les indices du coût de la main-d'œuvre, "
        "de l'énergie et des services.",
        "Toute évolution tarifaire non prévue par la formule d'indexation est soumise à "
        "l'approbation préalable de l'assemblée délibérante {de_collectivite}.",
        "Les autres recettes d'exploitation (prestations annexes, refacturations) sont "
        "présentées dans le compte annuel de résultat de l'exploitation.",
    ],
    "perspectives": [
        "Pour l'exercice {n2}, le délégataire poursuivra les actions engagées en matière de "
        "sobriété énergétique et de modernisation des équipements, en concertation avec les "
        "services de la collectivité.",
        "Les prochaines échéances du contrat feront l'objet d'une réunion de programmation "
        "au premier trimestre {n2}, afin d'arrêter la liste des travaux prioritaires.",
    ],
    "environnement": [
        "La consommation d'énergie du service a fait l'objet d'un plan de sobriété : "
        "abaissement des températures de consigne, remplacement des éclairages par des "
        "luminaires à LED et pilotage horaire des équipements.",
        "Les déchets produits par l'exploitation sont triés à la source et orientés vers des "
        "filières de valorisation agréées ; les bordereaux de suivi sont archivés.",
    ],
}


def remplir(texte: str, contexte: dict[str, object]) -> str:
    return texte.format(**contexte)


def choisir(theme: str, rng: random.Random, nombre: int, contexte: dict[str, object]) -> list[str]:
    """`nombre` paragraphes distincts du thème, dans un ordre propre à la graine."""
    textes = list(TEXTES[theme])
    rng.shuffle(textes)
    return [remplir(t, contexte) for t in textes[: min(nombre, len(textes))]]


GLOSSAIRE: list[tuple[str, str]] = [
    (
        "Autorité délégante",
        "Collectivité territoriale ou groupement qui confie la gestion d'un "
        "service public à un opérateur économique par un contrat de concession.",
    ),
    (
        "Délégataire",
        "Opérateur économique auquel la gestion du service est confiée et qui en "
        "assume le risque d'exploitation.",
    ),
    (
        "CARE",
        "Compte annuel de résultat de l'exploitation : compte de résultat du contrat, "
        "établi selon des méthodes constantes d'une année sur l'autre.",
    ),
    (
        "Biens de retour",
        "Biens nécessaires au service, propriété de la collectivité, qui lui "
        "reviennent gratuitement en fin de contrat.",
    ),
    (
        "Biens de reprise",
        "Biens utiles au service que la collectivité peut racheter en fin de "
        "contrat à une valeur fixée contractuellement.",
    ),
    (
        "CCSPL",
        "Commission consultative des services publics locaux, qui examine chaque année "
        "le rapport du délégataire (article L.1413-1 du CGCT).",
    ),
    (
        "Charges de structure",
        "Charges des services communs (direction, comptabilité, "
        "informatique) réparties entre les contrats selon une clé de répartition.",
    ),
    (
        "Redevance",
        "Somme versée par le délégataire à l'autorité délégante en contrepartie de "
        "l'occupation du domaine public ou des droits conférés par le contrat.",
    ),
    (
        "Renouvellement",
        "Remplacement d'un équipement arrivé en fin de vie par un équipement "
        "neuf assurant la même fonction.",
    ),
    (
        "ETP",
        "Équivalent temps plein : unité de mesure de l'effectif proratisée selon le temps "
        "de travail et la durée de présence sur l'année.",
    ),
]
