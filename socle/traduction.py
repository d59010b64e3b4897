"""Table de `str.translate` qui apprend chaque caractère à son premier passage.

Les normalisations de texte (accents, formes normées des contrôles, texte anti-injection)
sont des fonctions d'un caractère : calculées une fois par caractère distinct puis lues
par `str.translate` (en C), au lieu d'une décomposition Unicode par caractère et par
ligne, des milliers de fois par rapport.
"""

from __future__ import annotations

from collections.abc import Callable


class TableMemorisee(dict[int, str | None]):
    """`regle(caractère)` → remplaçant (chaîne, vide ou non) ou None pour le retirer."""

    def __init__(self, regle: Callable[[str], str | None]) -> None:
        super().__init__()
        self._regle = regle

    def __missing__(self, code: int) -> str | None:
        self[code] = self._regle(chr(code))
        return self[code]
