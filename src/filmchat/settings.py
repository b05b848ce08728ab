"""Configuration, read once from FILMCHAT_* environment variables and command-line options."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from platformdirs import user_cache_dir
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from filmchat.errors import FilmchatError

BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"


def project_root() -> Path:
    """The checkout filmchat runs from, so `corpus/` and `index/` default to the project's own."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "corpus").is_dir():
            return parent
    return Path.cwd()


class Settings(BaseSettings):
    """Everything a user may change without touching code."""

    model_config = SettingsConfigDict(env_prefix="FILMCHAT_", extra="ignore")

    corpus: Path = Field(
        default_factory=lambda: project_root() / "corpus",
        description="Folder of review articles, one file per article.",
    )
    index: Path = Field(
        default_factory=lambda: project_root() / "index",
        description="Folder of the built index; safe to delete, `filmchat index` rebuilds it.",
    )
    model: str = Field(
        default=BUNDLED_MODEL,
        description="Sentence-transformers model name or folder; the default ships in a package.",
    )
    batch_size: int | None = Field(
        default=None,
        ge=1,
        description="Chunks per embedding batch; default 32 in bf16 (fastest with AMX) and 16 "
        "in fp32 (torch and ONNX).",
    )
    device: str | None = Field(
        default=None, description="torch device; None picks CUDA when present, else CPU."
    )
    precision: Literal["auto", "fp32", "bf16"] = Field(
        default="auto",
        description="bf16 is ~2x faster on CPUs with native bf16 and gives the same neighbours.",
    )
    runtime: Literal["auto", "onnx", "torch"] = Field(
        default="auto",
        description="auto: questions and small updates on ONNX Runtime (no torch), full rebuilds "
        "on the CPU's fastest path; onnx: ONNX Runtime for everything; torch: "
        "sentence-transformers for everything. A model that cannot be exported always uses torch.",
    )
    bulk_tokens: int = Field(
        default=40_000,
        ge=1,
        description="From this many tokens in one embedding call (~300 chunks), runtime auto "
        "embeds with torch bf16 where the CPU has native bf16 (with torch fp32 only from 3x "
        "as many), once torch's ~6 s start-up pays; smaller calls, a collection's words "
        "included, stay on ONNX.",
    )
    cache: Path = Field(
        default_factory=lambda: Path(user_cache_dir("filmchat")),
        description="Where the exported ONNX encoder is kept, keyed by the model's checksum.",
    )
    min_words: int = Field(default=80, ge=1, description="A chunk grows to at least this.")
    max_words: int = Field(default=200, ge=10, description="A chunk stays under this.")
    overlap_sentences: int = Field(
        default=1, ge=0, description="Sentences repeated between chunks."
    )
    answering: Literal["rules", "fitted"] = Field(
        default="rules",
        description="Extractive answers chosen by the hand-weighted rules, or by the scorer "
        "fitted on real reviews (fitting/fit_answers.py; see README, 'Answers without a "
        "language model').",
    )
    llm_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL; unset means extractive answers."
    )
    llm_model: str | None = Field(default=None, description="Model name sent to the LLM server.")
    llm_api_key: str | None = Field(
        default=None, description="Bearer token, if the server wants one."
    )
    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds before an LLM call fails.")
    llm_uncited: Literal["flag", "drop"] = Field(
        default="flag",
        description="A generated sentence citing no passage: show it flagged, or drop it.",
    )
    history: Path | None = Field(
        default=None, description="SQLite file for chat history; default in the user data folder."
    )
    keys: dict[str, str] = Field(
        default_factory=dict,
        description='Chat keys by binding id, as JSON: {"copy-answer": "f5"} (see README).',
    )

    def chunk_settings(self) -> dict[str, int]:
        """The settings that shape chunks: changing any of them forces a full rebuild."""
        return {
            "min_words": self.min_words,
            "max_words": self.max_words,
            "overlap_sentences": self.overlap_sentences,
        }


ENV_PREFIX = Settings.model_config["env_prefix"]


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with non-None command-line overrides on top.

    A bad value is one line naming the variable, what it holds and what it should hold,
    never pydantic's multi-line report.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except SettingsError as exc:  # a JSON field whose text is not JSON
        found = re.search(r'field "(\w+)"', str(exc))
        raise _bad_setting(found.group(1) if found else "", "not JSON") from exc
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else ""
        raise _bad_setting(name, error["msg"][:1].lower() + error["msg"][1:]) from exc


def _bad_setting(name: str, problem: str) -> FilmchatError:
    variable = f"{ENV_PREFIX}{name.upper()}"
    field = Settings.model_fields.get(name)
    expected = f" ({field.description})" if field is not None and field.description else ""
    value = os.environ.get(variable)
    shown = f"={value!r}" if value is not None else ""
    return FilmchatError(f"{variable}{shown}: {problem}{expected}; fix it or unset it.")
