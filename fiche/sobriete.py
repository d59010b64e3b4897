"""Énergie et CO2e d'une fiche (`production.energie_wh`, `production.co2_g`).

Calcul local (temps CPU mesuré × puissance d'un cœur) plus, quand un LLM a répondu, son
estimation EcoLogits à partir des jetons de sortie et de la taille déclarée du modèle
(formules et sources : `socle.sobriete`). Sans taille déclarée, l'énergie d'une fiche
qui a consommé des jetons reste vide : un chiffre ne comptant que le calcul local la
sous-estimerait de plusieurs ordres de grandeur.
"""

from __future__ import annotations

from fiche.modeles import Production
from socle.reglages import Reglages
from socle.sobriete import ModeleLlm, arrondi, co2_g, energie_cpu_wh, energie_llm_wh


def modele_llm(reglages: Reglages) -> ModeleLlm | None:
    """La taille du modèle configuré, si elle est déclarée (jamais devinée du nom : les
    modèles à experts n'activent qu'une part de leurs paramètres)."""
    actifs = reglages.llm_parametres_actifs_md
    if actifs is None:
        return None
    return ModeleLlm(actifs_md=actifs, total_md=reglages.llm_parametres_total_md or actifs)


def mix_llm(reglages: Reglages) -> float:
    """gCO2e/kWh du centre de données du LLM (le mix local à défaut)."""
    if reglages.llm_mix_gco2_kwh is not None:
        return reglages.llm_mix_gco2_kwh
    return reglages.mix_gco2_kwh


def chiffrer(production: Production, cpu_s: float, reglages: Reglages) -> Production:
    """La production complétée de son énergie et de ses émissions (repli compris : les
    jetons d'un LLM abandonné comptent s'ils ont été rapportés)."""
    local_wh = energie_cpu_wh(cpu_s, reglages.energie_puissance_coeur_w)
    local_g = co2_g(local_wh, reglages.mix_gco2_kwh)
    jetons = production.jetons_sortie or 0
    if jetons:
        modele = modele_llm(reglages)
        if modele is None:
            return production.model_copy(update={"energie_wh": None, "co2_g": None})
        latence = production.duree_s or None
        llm_wh = energie_llm_wh(jetons, modele, reglages.llm_pue, latence)
        local_wh, local_g = local_wh + llm_wh, local_g + co2_g(llm_wh, mix_llm(reglages))
    chiffres = {"energie_wh": arrondi(local_wh), "co2_g": arrondi(local_g)}
    return production.model_copy(update=chiffres)
