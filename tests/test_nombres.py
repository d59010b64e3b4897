"""Lecteur de nombres français : propriétés (hypothesis) et cas réels de domaine.md."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extracteurs.nombres import lire_nombre, nombres_dans_texte

SEPARATEURS = [" ", "\u00a0", "\u202f", "\u2009", "."]
NEGATIFS = ["-{}", "\u2212{}", "({})", "{}-", "- {}", "\u2013{}"]
SUFFIXES = ["", " €", "\u00a0€", " k€", " M€", " %", " EUR"]


def formater(entier: int, decimales: str, separateur: str) -> str:
    chiffres = f"{entier:d}"
    groupes = []
    while len(chiffres) > 3:
        groupes.insert(0, chiffres[-3:])
        chiffres = chiffres[:-3]
    groupes.insert(0, chiffres)
    texte = separateur.join(groupes)
    return f"{texte},{decimales}" if decimales else texte


@given(
    entier=st.integers(min_value=0, max_value=10**12),
    decimales=st.sampled_from(["", "0", "5", "25", "07", "123"]),
    separateur=st.sampled_from(SEPARATEURS),
    negatif=st.sampled_from([None, *NEGATIFS]),
    suffixe=st.sampled_from(SUFFIXES),
)
def test_toute_forme_imprimee_se_relit(
    entier: int, decimales: str, separateur: str, negatif: str | None, suffixe: str
) -> None:
    texte = formater(entier, decimales, separateur)
    attendu = float(f"{entier}.{decimales}" if decimales else entier)
    if negatif:
        texte, attendu = negatif.format(texte), -attendu
    assert lire_nombre(texte + suffixe) == pytest.approx(attendu)


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda x: round(x, 2)))
def test_aller_retour_format_francais(valeur: float) -> None:
    entier, _, decimales = f"{abs(valeur):.2f}".partition(".")
    texte = formater(int(entier), decimales, "\u202f")
    if valeur < 0:
        texte = f"({texte})"
    assert lire_nombre(texte) == pytest.approx(valeur)


@pytest.mark.parametrize(
    "texte",
    ["2023 2024", "12 34", "P104.3", "01/06/2024", "-", "abc", "", "1 234,", "1,2,3", "12 3456"],
)
def test_ce_qui_n_est_pas_un_nombre_seul(texte: str) -> None:
    assert lire_nombre(texte) is None


@pytest.mark.parametrize(
    ("texte", "valeur"),
    [
        ("1 284 560 €", 1284560.0),
        ("(12 345)", -12345.0),
        ("12 345-", -12345.0),
        ("1\u202f234,5 k€", 1234.5),
        ("+7,2 %", 7.2),
        ("−0,5", -0.5),
        ("1.5", 1.5),
        ("1.234.567", 1234567.0),
    ],
)
def test_cas_reels(texte: str, valeur: float) -> None:
    assert lire_nombre(texte) == pytest.approx(valeur)


def test_nombres_du_recit() -> None:
    phrase = (
        "Le CA progresse de 12,5 % pour atteindre 1\u202f284\u202f560 €, un déficit de (25 900)."
    )
    valeurs = [v for _, v in nombres_dans_texte(phrase)]
    assert valeurs == [12.5, 1284560.0, -25900.0]
