"""Le corpus hostile, fabriqué à la demande une fois par session (`tests.hostile.generer`)."""

from __future__ import annotations

import pytest

from tests.hostile.parcours import CorpusHostile


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusHostile:
    return CorpusHostile(tmp_path_factory.mktemp("hostile"))
