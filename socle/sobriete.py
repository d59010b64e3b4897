"""Énergie et émissions d'une fiche : fonctions pures, constantes sourcées.

Deux postes, additionnés dans `production.energie_wh` et `production.co2_g` :

1. **Calcul local** (extraction, règles, contrôles, pseudonymisation) : temps CPU mesuré
   (utilisateur + système) × puissance d'un cœur. Méthode de Green Algorithms (Lannelongue,
   Grealey et Inouye, « Green Algorithms: Quantifying the Carbon Footprint of
   Computation », Advanced Science, 2021) : un cœur occupé consomme sa part du TDP du
   processeur. Défaut : Intel Xeon Gold 6248, TDP 150 W pour 20 cœurs (fiche constructeur
   Intel ARK), soit 7,5 W par cœur ; réglage `DSP_ENERGIE_PUISSANCE_COEUR_W`.
2. **LLM** (appels à un point d'accès, local ou distant) : méthode d'EcoLogits
   (GenAI Impact, méthodologie « LLM inference », `ecologits/impacts/llm.py`), réécrite
   ici pour rester hors ligne et sans dépendance : énergie GPU par jeton de sortie fonction
   linéaire du nombre de paramètres actifs (ajustement sur le ML.ENERGY Leaderboard),
   énergie du serveur hors GPU au prorata des GPU occupés pendant la génération, le tout
   multiplié par le PUE du centre de données. Seuls les jetons de sortie comptent dans
   cette méthode ; valeurs moyennes (EcoLogits donne aussi un intervalle à 95 %).

Émissions : énergie × facteur d'émission du mix électrique. Défaut France :
52 gCO2e/kWh (ADEME, Base Empreinte, électricité, mix moyen français à la consommation,
analyse du cycle de vie) ; réglages `DSP_MIX_GCO2_KWH` (local) et `DSP_LLM_MIX_GCO2_KWH`
(centre de données du LLM, le mix local à défaut).
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass

PUISSANCE_COEUR_W = 150.0 / 20
"""Intel Xeon Gold 6248 : TDP 150 W, 20 cœurs (Intel ARK) → 7,5 W par cœur."""
MIX_FRANCE_GCO2_KWH = 52.0
"""ADEME, Base Empreinte : électricité, mix moyen France, consommation (ACV)."""

# EcoLogits, ecologits/impacts/llm.py (méthodologie « LLM inference »).
ECOLOGITS_ENERGIE_ALPHA_KWH = 8.91e-8
"""kWh par jeton de sortie et par milliard de paramètres actifs (un GPU)."""
ECOLOGITS_ENERGIE_BETA_KWH = 1.43e-6
"""kWh par jeton de sortie, part fixe (un GPU)."""
ECOLOGITS_LATENCE_ALPHA_S = 8.02e-4
"""Secondes par jeton de sortie et par milliard de paramètres actifs."""
ECOLOGITS_LATENCE_BETA_S = 2.23e-2
"""Secondes par jeton de sortie, part fixe."""
ECOLOGITS_QUANTIFICATION_BITS = 4
ECOLOGITS_MEMOIRE_GPU_GO = 80
ECOLOGITS_GPU_PAR_SERVEUR = 8
ECOLOGITS_PUISSANCE_SERVEUR_KW = 1.0
"""Puissance du serveur hors GPU."""
ECOLOGITS_PUE = 1.2
"""PUE par défaut d'EcoLogits pour un centre de données."""


@dataclass(frozen=True)
class ModeleLlm:
    """Taille d'un modèle en milliards de paramètres (actifs : ceux d'un jeton, MoE)."""

    actifs_md: float
    total_md: float


def temps_cpu_processus() -> float:
    """Secondes CPU (utilisateur + système) du processus et de ses enfants terminés
    (Tesseract, lecteurs isolés) : à comparer avant/après une étape."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def temps_cpu_fil() -> float:
    """Secondes CPU du seul fil courant : dans un lot Prefect, plusieurs fiches sont
    remplies en même temps par des fils du même processus ; le temps du processus
    compterait celles des voisines."""
    return time.thread_time()


def energie_cpu_wh(cpu_s: float, puissance_coeur_w: float) -> float:
    """Wh d'un temps CPU : secondes-cœur × watts par cœur ÷ 3 600."""
    return max(cpu_s, 0.0) * puissance_coeur_w / 3600


def gpu_requis(modele: ModeleLlm) -> int:
    """GPU nécessaires pour charger le modèle (mémoire = 1,2 × paramètres × bits ÷ 8)."""
    memoire_go = 1.2 * modele.total_md * ECOLOGITS_QUANTIFICATION_BITS / 8
    return max(1, math.ceil(memoire_go / ECOLOGITS_MEMOIRE_GPU_GO))


def energie_llm_wh(
    jetons_sortie: int, modele: ModeleLlm, pue: float, latence_max_s: float | None = None
) -> float:
    """Wh d'une génération selon EcoLogits (valeurs moyennes).

    E = PUE × (E_serveur + n_GPU × E_GPU), avec E_GPU = jetons × (α·P_actifs + β) et
    E_serveur = latence × P_serveur × n_GPU / GPU_par_serveur ; la latence estimée est
    bornée par la durée mesurée quand on la connaît (comme EcoLogits).
    """
    if jetons_sortie <= 0:
        return 0.0
    par_jeton_kwh = ECOLOGITS_ENERGIE_ALPHA_KWH * modele.actifs_md + ECOLOGITS_ENERGIE_BETA_KWH
    latence_s = jetons_sortie * (
        ECOLOGITS_LATENCE_ALPHA_S * modele.actifs_md + ECOLOGITS_LATENCE_BETA_S
    )
    if latence_max_s is not None:
        latence_s = min(latence_s, latence_max_s)
    n_gpu = gpu_requis(modele)
    serveur_kwh = latence_s / 3600 * ECOLOGITS_PUISSANCE_SERVEUR_KW * n_gpu
    serveur_kwh /= ECOLOGITS_GPU_PAR_SERVEUR
    return pue * (serveur_kwh + n_gpu * jetons_sortie * par_jeton_kwh) * 1000


def co2_g(energie_wh: float, mix_gco2_kwh: float) -> float:
    """Grammes de CO2e : Wh ÷ 1 000 × gCO2e/kWh."""
    return energie_wh / 1000 * mix_gco2_kwh


def arrondi(valeur: float) -> float:
    """Quatre chiffres significatifs : la précision d'une estimation, pas plus."""
    return float(f"{valeur:.4g}")
