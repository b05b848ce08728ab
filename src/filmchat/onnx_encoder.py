"""The light encoder: a sentence-transformers model on ONNX Runtime and `tokenizers`, no torch.

Importing sentence-transformers costs seconds and hundreds of MiB, all to embed one short
question; ONNX Runtime does the same in milliseconds. The ONNX file is exported here, locally,
from the model folder's own weights (nothing is downloaded), into a cache keyed by the folder's
checksum, and it is only used after it gave the reference's vectors: cosine ≥ 0.9999 to
sentence-transformers on fixed texts and the same top-5 passages for every gold-set question.
Every later load re-checks a few stored reference vectors, so a damaged or stale file is
rebuilt, never used. Only exporting and verifying import torch, once per model.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ValidationError

from filmchat.errors import FilmchatError

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

# bump when the exported graph or the checks change: older cache entries are then not used
EXPORT_VERSION = 1
COSINE_FLOOR = 0.9999
TOP_K = 5
# texts re-encoded at every load and compared with the reference's vectors stored at export
PROBES = 3
ONNX_FILE = "model.onnx"
RECORD_FILE = "verified.json"

Warn = Callable[[str], None]


class NotExportable(FilmchatError):
    """The model has a shape the light encoder does not reproduce; sentence-transformers runs it."""


@dataclass(frozen=True)
class Layout:
    """What the light encoder must reproduce of a sentence-transformers model folder."""

    folder: Path
    max_tokens: int
    lower_case: bool
    normalize: bool


def read_layout(folder: Path) -> Layout:
    """The folder's layout if it is a transformer + mean pooling (+ normalize) model.

    Anything else (CLS pooling, a Dense layer, a model without a fast tokenizer) raises
    NotExportable with the reason, and sentence-transformers stays in charge.
    """
    if not folder.is_dir():
        raise NotExportable(f"{folder} is not a local model folder")
    try:
        modules = json.loads((folder / "modules.json").read_text())
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        config = json.loads((folder / "sentence_bert_config.json").read_text())
    except (OSError, ValueError) as exc:
        raise NotExportable(f"{folder} lacks a readable sentence-transformers layout") from exc
    kinds = [module.get("type", "").rsplit(".", 1)[-1] for module in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise NotExportable(f"modules {kinds} are not transformer + pooling")
    if modules[0].get("path", "") != "" or modules[1].get("path") != "1_Pooling":
        raise NotExportable("the transformer is not at the folder's top")
    modes = sorted(key for key, on in pooling.items() if key.startswith("pooling_mode") and on)
    if modes != ["pooling_mode_mean_tokens"]:
        raise NotExportable(f"pooling {modes} is not mean pooling")
    if not (folder / "tokenizer.json").is_file():
        raise NotExportable("no fast tokenizer (tokenizer.json)")
    return Layout(
        folder=folder,
        max_tokens=int(config.get("max_seq_length") or 512),
        lower_case=bool(config.get("do_lower_case", False)),
        normalize=kinds[-1] == "Normalize",
    )


# --- the model folder's checksum ------------------------------------------------------------


def _folder_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def folder_checksum(folder: Path, cache: Path) -> str:
    """sha256 of every file in the folder (names and bytes).

    Hashing 90 MB of weights costs ~60 ms, so the result is remembered beside the file sizes and
    modification times it was computed from, and computed again only when one of them changes.
    """
    files = _folder_files(folder)
    signature = [
        [path.relative_to(folder).as_posix(), path.stat().st_size, path.stat().st_mtime_ns]
        for path in files
    ]
    memo = cache / "checksums" / f"{hashlib.sha256(str(folder).encode()).hexdigest()[:24]}.json"
    with contextlib.suppress(OSError, ValueError, KeyError):
        known = json.loads(memo.read_text())
        if known["signature"] == signature:
            return str(known["checksum"])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    checksum = digest.hexdigest()
    with contextlib.suppress(OSError):
        _write_atomic(memo, json.dumps({"signature": signature, "checksum": checksum}))
    return checksum


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    temporary.write_text(text)
    os.replace(temporary, path)


# --- running the exported model -------------------------------------------------------------


class OnnxEncoder:
    """Tokenize with `tokenizers`, run the transformer on ONNX Runtime, mean-pool, normalize:
    the steps of sentence-transformers' `encode`, in the same order and with the same limits."""

    def __init__(self, onnx_path: Path, layout: Layout, threads: int | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.layout = layout
        self.tokenizer = _batch_tokenizer(
            Tokenizer.from_file(str(layout.folder / "tokenizer.json")), layout
        )
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # its warnings are about graph fusions, not for users
        # threads that spin while waiting slow everything down on a busy machine (see the same
        # choice for torch in `embedding`)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if threads:
            options.intra_op_num_threads = threads
        self.session: InferenceSession = onnxruntime.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {item.name for item in self.session.get_inputs()}
        self.dimension = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Float32 vectors, unit length when the model normalizes; in the order given."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            out[start : start + batch_size] = self._encode_batch(texts[start : start + batch_size])
        return out

    def _encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        # sentence-transformers strips each text (and lower-cases it if the model says so)
        prepared = [
            text.strip().lower() if self.layout.lower_case else text.strip() for text in texts
        ]
        encodings = self.tokenizer.encode_batch_fast(prepared)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
        hidden = self.session.run(None, feed)[0]
        # mean pooling over real tokens, then L2 normalisation, as sentence-transformers does
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        if self.layout.normalize:
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled.astype(np.float32, copy=False)

    @cached_property
    def counter(self) -> Tokenizer:
        """A copy of the tokenizer that neither truncates nor pads, made when first needed
        (indexing): a question never pays for it."""
        from tokenizers import Tokenizer

        counter = Tokenizer.from_str(self.tokenizer.to_str())
        counter.no_truncation()
        counter.no_padding()
        return counter

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens of each text without the special tokens (the chunker budgets for those)."""
        encoded = self.counter.encode_batch_fast(texts, add_special_tokens=False)
        return [len(encoding.ids) for encoding in encoded]


def _batch_tokenizer(tokenizer: Tokenizer, layout: Layout) -> Tokenizer:
    """Truncate at the model's window and pad to the batch's longest text, as transformers does
    for sentence-transformers (a tokenizer.json may carry other limits, e.g. fixed 128)."""
    padding = tokenizer.padding or {}
    tokenizer.enable_truncation(max_length=layout.max_tokens)
    tokenizer.enable_padding(
        pad_id=padding.get("pad_id", 0),
        pad_type_id=padding.get("pad_type_id", 0),
        pad_token=padding.get("pad_token", "[PAD]"),
    )
    return tokenizer


# --- the cache: export once, verify, then load with a quick re-check -----------------------


class ExportRecord(BaseModel):
    """verified.json beside the exported file: what it was made from and how it checked out."""

    export_version: int
    model_checksum: str
    passed: bool
    reason: str = ""
    cosine_min: float = -1.0
    files: dict[str, int] = {}  # name → size in bytes
    graph_sha256: str = ""
    probes: list[str] = []
    reference: list[list[float]] = []  # sentence-transformers' vectors of the probes


def cache_entry(cache: Path, checksum: str) -> Path:
    return cache / "onnx" / f"{checksum[:32]}-v{EXPORT_VERSION}"


def read_record(entry: Path) -> ExportRecord | None:
    try:
        return ExportRecord.model_validate_json((entry / RECORD_FILE).read_bytes())
    except (OSError, ValidationError):
        return None


def open_checked(entry: Path, layout: Layout, checksum: str) -> OnnxEncoder:
    """The cached encoder, after checking it is the one that passed verification.

    FilmchatError says what is wrong: files missing or of another size, another graph, or
    vectors that no longer match the reference's (a damaged weights file that still loads).
    """
    record = read_record(entry)
    if record is None:
        raise FilmchatError("its verification record is missing or unreadable")
    if record.model_checksum != checksum or record.export_version != EXPORT_VERSION:
        raise FilmchatError("it was made from another model or by another version")
    for name, size in record.files.items():
        path = entry / name
        if not path.is_file() or path.stat().st_size != size:
            raise FilmchatError(f"{name} is missing or has the wrong size")
    graph = hashlib.sha256((entry / ONNX_FILE).read_bytes()).hexdigest()
    if graph != record.graph_sha256:
        raise FilmchatError(f"{ONNX_FILE} has changed since it was verified")
    try:
        encoder = OnnxEncoder(entry / ONNX_FILE, layout)
        vectors = encoder.encode(record.probes)
    except Exception as exc:  # ONNX Runtime raises its own kinds for a file it cannot read
        raise FilmchatError(f"ONNX Runtime cannot run it ({type(exc).__name__})") from exc
    cosine = _cosines(vectors, np.asarray(record.reference, dtype=np.float32)).min()
    if not cosine >= COSINE_FLOOR:  # also catches NaN
        raise FilmchatError(f"its vectors no longer match the reference (cosine {cosine:.6f})")
    return encoder


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.sum(a * b, axis=1) / np.maximum(norms, 1e-12)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One process exports a model at a time; the others wait and then use its result."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


Exporter = Callable[["SentenceTransformer", Path], None]


def load_light_encoder(
    layout: Layout,
    cache: Path,
    warn: Warn,
    *,
    load_reference: Callable[[], SentenceTransformer],
    exporter: Exporter | None = None,
) -> OnnxEncoder | None:
    """The verified ONNX encoder for the model, exporting and verifying it on first use.

    None when the export did not verify: the caller falls back to sentence-transformers (the
    one-line reason is given to `warn`, and the failed verdict is cached so it is not retried).
    """
    checksum = folder_checksum(layout.folder, cache)
    entry = cache_entry(cache, checksum)
    found = _cached(entry, layout, checksum)
    if found is None or isinstance(found, str):
        with _locked(entry.with_name(entry.name + ".lock")):
            found = _cached(entry, layout, checksum)  # another process may have rebuilt it
            if found is None or isinstance(found, str):
                if found is not None:
                    warn(
                        f"The cached ONNX encoder in {entry} is unusable ({found}); rebuilding it."
                    )
                _rebuild(entry, layout, checksum, load_reference(), exporter or export_onnx)
                found = _cached(entry, layout, checksum)
    if isinstance(found, OnnxEncoder):
        return found
    reason = found.reason if isinstance(found, ExportRecord) else found
    warn(
        f"The ONNX export of this model did not match sentence-transformers ({reason}); "
        "using sentence-transformers."
    )
    return None


def _cached(entry: Path, layout: Layout, checksum: str) -> OnnxEncoder | ExportRecord | str | None:
    """The checked encoder; the record of a failed verification; what is wrong; or None."""
    if not entry.exists():
        return None
    record = read_record(entry)
    if record is not None and not record.passed and record.model_checksum == checksum:
        return record
    try:
        return open_checked(entry, layout, checksum)
    except FilmchatError as exc:
        return str(exc)


def _rebuild(
    entry: Path, layout: Layout, checksum: str, reference: SentenceTransformer, exporter: Exporter
) -> ExportRecord:
    """Export into a fresh folder, verify it, then swap it in for the old entry."""
    staging = entry.with_name(f".{entry.name}.{uuid.uuid4().hex}")
    staging.mkdir(parents=True)
    try:
        try:
            exporter(reference, staging / ONNX_FILE)
        except Exception as exc:  # an architecture the exporter cannot trace: a verdict too
            reason = f"the export failed: {type(exc).__name__}: {exc}".splitlines()[0][:200]
            record = ExportRecord(
                export_version=EXPORT_VERSION, model_checksum=checksum, passed=False, reason=reason
            )
        else:
            record = verify(staging, layout, checksum, reference)
        _write_atomic(staging / RECORD_FILE, record.model_dump_json())
        if entry.exists():
            shutil.rmtree(entry)
        os.replace(staging, entry)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return record


def export_onnx(reference: SentenceTransformer, target: Path) -> None:
    """The model's transformer as ONNX (fp32), weights in a side file so ONNX Runtime maps them
    instead of copying them (peak memory of a query: ~105 MiB against ~190 MiB)."""
    import inspect
    import warnings

    import onnx
    import torch

    transformer = reference[0].auto_model.float().eval()
    names = ["input_ids", "attention_mask"]
    if "token_type_ids" in inspect.signature(transformer.forward).parameters:
        names.append("token_type_ids")

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.transformer(**dict(zip(names, inputs, strict=True))).last_hidden_state

    example = tuple(torch.ones((2, 8), dtype=torch.long) for _ in names)
    plain = target.with_name("plain.onnx")
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "hidden"]}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Hidden(),
            example,
            str(plain),
            input_names=names,
            output_names=["hidden"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    model = onnx.load(str(plain))
    onnx.save_model(
        model,
        str(target),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=target.name + ".data",
        size_threshold=1024,
    )
    plain.unlink()


def check_texts() -> tuple[list[str], list[str]]:
    """Passages written for the check, and every turn of the packaged gold set as questions."""
    data = resources.files("filmchat") / "data"
    passages = [
        block.strip()
        for block in (data / "encoder_check.txt").read_text(encoding="utf-8").split("\n\n")
        if block.strip() and not block.startswith("#")
    ]
    questions = [
        turn
        for line in (data / "gold.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
        for turn in json.loads(line)["turns"]
    ]
    return passages, questions


def verify(
    entry: Path, layout: Layout, checksum: str, reference: SentenceTransformer
) -> ExportRecord:
    """Compare the exported encoder with sentence-transformers on the check texts.

    Passes when every vector has cosine ≥ 0.9999 to the reference's and every gold question
    ranks the same five passages first, in the same order.
    """
    passages, questions = check_texts()
    texts = [*passages, *questions]
    expected = reference.encode(
        texts, batch_size=16, convert_to_numpy=True, show_progress_bar=False
    )
    expected = np.asarray(expected, dtype=np.float32)
    try:
        encoder = OnnxEncoder(entry / ONNX_FILE, layout)
        got = encoder.encode(texts)
    except Exception as exc:  # an export ONNX Runtime cannot run fails verification
        got, reason = np.full_like(expected, np.nan), f"ONNX Runtime cannot run it: {exc}"[:200]
    else:
        reason = ""
    cosines = _cosines(got, expected)
    cosine_min = float(np.nan_to_num(cosines.min(), nan=-1.0))
    if not reason and cosine_min < COSINE_FLOOR:
        reason = f"cosine {cosine_min:.6f} < {COSINE_FLOOR}"
    if not reason:
        n = len(passages)
        for q, question in enumerate(questions):
            want = np.argsort(-(expected[:n] @ expected[n + q]), kind="stable")[:TOP_K]
            have = np.argsort(-(got[:n] @ got[n + q]), kind="stable")[:TOP_K]
            if list(want) != list(have):
                reason = f"another top {TOP_K} for the gold question {question!r}"
                break
    files = {path.name: path.stat().st_size for path in entry.iterdir() if path.is_file()}
    return ExportRecord(
        export_version=EXPORT_VERSION,
        model_checksum=checksum,
        passed=not reason,
        reason=reason,
        cosine_min=cosine_min,
        files=files,
        graph_sha256=hashlib.sha256((entry / ONNX_FILE).read_bytes()).hexdigest(),
        probes=texts[:PROBES],
        reference=expected[:PROBES].tolist(),
    )
