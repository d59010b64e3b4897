"""Confiance de chaque valeur de la fiche, et son motif : ce que l'agent regarde d'abord.

La confiance (0 à 1) part de la source que la règle a utilisée (une fiche d'identité vaut
mieux qu'une mention fréquente : la règle la pose, 1 à défaut) et la réduit selon ce que
l'on sait de la valeur après coup, quel que soit le remplisseur :
- l'ancrage sur la page citée : retrouvée telle quelle (×1), calculée par les règles
  (×0,8 : juste si ses termes le sont), retrouvée seulement après normalisation (×0,6),
  introuvable (0) ;
- proposée par un modèle de langue (×0,9), même relue sur la page ;
- lue par OCR : × la confiance du moteur sur les mots cités (à défaut, celle de la page).
Une valeur saisie par un agent n'est pas notée : c'est lui qui fait foi. Le motif dit en
français pourquoi la confiance n'est pas entière.
"""

from __future__ import annotations

from typing import Any

from extracteurs.confiance_ocr import confiance_ocr
from extracteurs.modeles import Document
from fiche.ancrage import champs_de
from fiche.modeles import Ancrage, Champ, Fiche, Origine

FACTEURS_ANCRAGE: dict[Ancrage, tuple[float, str | None]] = {
    Ancrage.EXACT: (1.0, None),
    Ancrage.CALCULE: (0.8, "valeur calculée à partir de montants imprimés"),
    Ancrage.APPROCHE: (0.6, "retrouvée sur la page seulement après normalisation"),
    Ancrage.ABSENT: (0.0, "introuvable sur la page citée"),
}
FACTEUR_LLM = 0.9


def noter(champ: Champ[Any], confiance: float, motif: str | None = None) -> Champ[Any]:
    """La règle qui a trouvé la valeur dit ce que vaut sa source (rendu pour chaîner)."""
    if champ.valeur is not None:
        champ.confiance = confiance
        champ.motif = motif
    return champ


def evaluer_confiance(fiche: Fiche, document: Document) -> Fiche:
    """Pose `confiance` et `motif` sur chaque valeur non saisie par un agent (la fiche est
    modifiée et rendue). Appelée après l'ancrage, dont elle dépend."""
    ocr_pages = {p.numero: p.ocr_confiance for p in document.pages if p.scannee}
    for _, champ in champs_de(fiche):
        if champ.valeur is None or champ.origine == Origine.AGENT:
            continue
        confiance = champ.confiance if champ.confiance is not None else 1.0
        motifs = [champ.motif] if champ.motif else []
        facteur, motif = FACTEURS_ANCRAGE[champ.ancrage]
        confiance *= facteur
        motifs += [motif] if motif else []
        if champ.origine == Origine.LLM:
            confiance *= FACTEUR_LLM
            motifs.append("proposée par le modèle de langue")
        if champ.page in ocr_pages:
            lue = confiance_ocr(document, champ.page, champ.citation) or ocr_pages[champ.page]
            if lue is not None:
                confiance *= max(0.0, min(lue, 100.0)) / 100
                motifs.append(f"lue par reconnaissance de caractères (confiance {lue:.0f} %)")
        champ.confiance = round(confiance, 2)
        champ.motif = " ; ".join(motifs) or None
    return fiche
