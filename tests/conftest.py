"""Shared fixtures: the real bundled model, loaded once, and a real index of the seed corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from filmchat.embedding import Embedder
from filmchat.indexer import build_index
from filmchat.settings import Settings

PROJECT = Path(__file__).resolve().parents[1]
SEED_CORPUS = PROJECT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The bundled all-MiniLM-L6-v2, loaded once for the whole run (loading costs seconds)."""
    return Embedder(Settings())


@pytest.fixture
def make_settings(tmp_path: Path):
    """Settings over a fresh copy of the seed corpus and an empty index folder."""

    def make(corpus: Path | None = None, **overrides: object) -> Settings:
        target = tmp_path / "corpus"
        if not target.exists():
            shutil.copytree(corpus or SEED_CORPUS, target)
        return Settings(corpus=target, index=tmp_path / "index", **overrides)

    return make


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """A real index of the seed corpus, built once; tests must not modify it."""
    root = tmp_path_factory.mktemp("seed")
    shutil.copytree(SEED_CORPUS, root / "corpus")
    settings = Settings(corpus=root / "corpus", index=root / "index")
    build_index(settings, embedder=embedder)
    return settings


@pytest.fixture
def indexed(make_settings, embedder: Embedder) -> Settings:
    """A private, modifiable real index of the seed corpus."""
    settings = make_settings()
    build_index(settings, embedder=embedder)
    return settings
