"""OpenCV réglé pour une machine partagée : un seul fil de calcul par processus.

Sur 2 cœurs partagés, les fils d'OpenCV (seuillage adaptatif, érosions et dilatations de
camelot lattice, effacement des filets avant l'OCR) coûtent ~40 % de CPU en plus pour les
mêmes pixels (banc : 0,69 s CPU à un fil contre 1,18 s à deux, même image 300 ppp) ; le
parallélisme se fait déjà entre documents, un processus de lecture par rapport.
"""

from __future__ import annotations

from types import ModuleType


def opencv() -> ModuleType:
    """Le module cv2, un seul fil de calcul (réglage global du processus, idempotent)."""
    # Importé ici : OpenCV ne sert qu'aux pages rendues en image (camelot lattice, OCR).
    import cv2

    if cv2.getNumThreads() != 1:
        cv2.setNumThreads(1)
    return cv2
