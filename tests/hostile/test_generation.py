"""Le générateur du corpus hostile est déterministe : mêmes octets à chaque génération."""

from __future__ import annotations

from pathlib import Path

from extracteurs.document import empreinte
from tests.hostile.generer import SORTES, generer


def test_generation_deterministe(tmp_path: Path) -> None:
    premiere = generer(tmp_path / "a")
    seconde = generer(tmp_path / "b")
    assert set(premiere) == set(SORTES) and len(SORTES) >= 15
    for sorte, fichiers in premiere.items():
        assert [f.name for f in fichiers] == [f.name for f in seconde[sorte]], sorte
        assert [empreinte(f) for f in fichiers] == [empreinte(f) for f in seconde[sorte]], sorte
    # Les fichiers démesurés ne le sont qu'une fois décodés.
    assert sum(f.stat().st_size for fs in premiere.values() for f in fs) < 5 * 1024 * 1024
