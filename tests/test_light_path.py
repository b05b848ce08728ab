"""The light query path: the bundled model exported to ONNX, verified against
sentence-transformers, cached by checksum, rebuilt when damaged, and answering without torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from filmchat.embedding import Embedder, resolve_model
from filmchat.onnx_encoder import (
    ONNX_FILE,
    RECORD_FILE,
    export_onnx,
    load_light_encoder,
    read_layout,
    read_record,
)
from filmchat.settings import BUNDLED_MODEL, Settings

HEAVY = ("torch", "transformers", "sentence_transformers")
TEXTS = [
    "Moon / Story\nSam Bell is three weeks from the end of his contract on the far side of the "
    "Moon when he finds a man in a crashed rover who looks exactly like him.",
    "  Denis Villeneuve directed Arrival, with Amy Adams as the linguist Louise Banks.  ",
    "Who composed the music for Moon?",
    "Clint Mansell's score repeats one piano figure until it sounds like loneliness itself. "
    * 30,  # far past the 256-token window: truncated the same way on both paths
]


@pytest.fixture(scope="module")
def reference() -> Embedder:
    """sentence-transformers in fp32: what every other path is measured against."""
    return Embedder(Settings(runtime="torch", precision="fp32"))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder holding one fresh export of the bundled model (made once here)."""
    cache = tmp_path_factory.mktemp("cache")
    warnings: list[str] = []
    embedder = Embedder(Settings(cache=cache), warn=warnings.append)
    assert embedder.light and warnings == []
    return cache


def entry_of(cache: Path) -> Path:
    (entry,) = [path for path in (cache / "onnx").iterdir() if path.is_dir()]
    return entry


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


def test_the_default_model_runs_on_onnx_with_the_references_vectors(
    embedder: Embedder, reference: Embedder
) -> None:
    light, heavy = embedder.encode(TEXTS), reference.encode(TEXTS)
    # the path is chosen per call (a long batch may go to torch): this call's path
    assert embedder.light and (embedder.runtime, embedder.precision) == ("onnx", "fp32")
    assert not reference.light and reference.runtime == "torch"
    assert cosines(light, heavy).min() >= 0.9999
    np.testing.assert_allclose(np.linalg.norm(light, axis=1), 1.0, atol=1e-5)
    # a question alone and inside a padded batch: the same vector
    assert float(embedder.encode_query(TEXTS[2]) @ light[2]) > 0.99999
    # the chunker's token counts come from `tokenizers` and agree with transformers'
    assert embedder.count_tokens(TEXTS) == reference.count_tokens(TEXTS)
    assert embedder.max_tokens == reference.max_tokens == 256


def test_the_export_is_verified_and_recorded(exported: Path) -> None:
    entry = entry_of(exported)
    record = read_record(entry)
    assert record is not None and record.passed and record.reason == ""
    assert record.cosine_min >= 0.9999
    assert sorted(record.files) == [ONNX_FILE, f"{ONNX_FILE}.data"]
    # the cache is keyed by the model folder's checksum: another folder, another entry
    assert record.model_checksum[:32] in entry.name


def test_a_verified_export_is_used_without_exporting_again(exported: Path) -> None:
    layout = read_layout(Path(resolve_model(BUNDLED_MODEL)))

    def must_not_run(*_: object) -> None:
        raise AssertionError("exported again although the cache was good")

    warnings: list[str] = []
    encoder = load_light_encoder(
        layout, exported, warnings.append, load_reference=must_not_run, exporter=must_not_run
    )
    assert encoder is not None and warnings == []


def overwrite_weights(entry: Path) -> None:
    """Same size, garbage inside: the file still loads, its vectors are wrong."""
    data = entry / f"{ONNX_FILE}.data"
    size = data.stat().st_size
    with data.open("r+b") as handle:
        handle.seek(size * 6 // 10)
        handle.write(b"\xff" * (size * 3 // 10))


def truncate_weights(entry: Path) -> None:
    data = entry / f"{ONNX_FILE}.data"
    with data.open("r+b") as handle:
        handle.truncate(data.stat().st_size // 2)


def edit_graph(entry: Path) -> None:
    graph = entry / ONNX_FILE
    content = bytearray(graph.read_bytes())
    content[len(content) // 2] ^= 0x01
    graph.write_bytes(bytes(content))


def lose_record(entry: Path) -> None:
    (entry / RECORD_FILE).unlink()


def record_of_another_model(entry: Path) -> None:
    record = json.loads((entry / RECORD_FILE).read_text())
    record["model_checksum"] = "0" * 64
    (entry / RECORD_FILE).write_text(json.dumps(record))


@pytest.mark.parametrize(
    "damage",
    [overwrite_weights, truncate_weights, edit_graph, lose_record, record_of_another_model],
)
def test_a_damaged_or_stale_cache_is_rebuilt_and_never_used(
    damage: Callable[[Path], None], exported: Path, tmp_path: Path, reference: Embedder
) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(exported, cache)
    entry = entry_of(cache)
    damage(entry)
    warnings: list[str] = []
    embedder = Embedder(Settings(cache=cache), warn=warnings.append)
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert "unusable" in warnings[0] and "rebuilding it" in warnings[0]
    assert embedder.light
    assert cosines(embedder.encode(TEXTS), reference.encode(TEXTS)).min() >= 0.9999
    record = read_record(entry)
    assert record is not None and record.passed
    # rebuilt in place: the next process uses it silently
    again: list[str] = []
    assert Embedder(Settings(cache=cache), warn=again.append).light and again == []


def export_without_last_layer(reference: object, target: Path) -> None:
    """A real, runnable export of the wrong network: what a broken exporter would produce."""
    encoder = reference[0].auto_model.encoder  # type: ignore[index]
    layers = encoder.layer
    encoder.layer = layers[:-1]
    try:
        export_onnx(reference, target)  # type: ignore[arg-type]
    finally:
        encoder.layer = layers


def test_an_export_that_fails_verification_falls_back_in_one_line(
    tmp_path: Path, reference: Embedder
) -> None:
    from filmchat.embedding import _load

    layout = read_layout(Path(resolve_model(BUNDLED_MODEL)))
    warnings: list[str] = []
    encoder = load_light_encoder(
        layout,
        tmp_path,
        warnings.append,
        load_reference=lambda: _load(BUNDLED_MODEL, "cpu"),
        exporter=export_without_last_layer,
    )
    assert encoder is None
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert "did not match sentence-transformers" in warnings[0]
    assert "using sentence-transformers" in warnings[0]
    # the verdict is cached: later runs fall back at once, with the same line, without exporting
    warned: list[str] = []
    embedder = Embedder(Settings(cache=tmp_path, precision="fp32"), warn=warned.append)
    assert warned == warnings
    assert not embedder.light and embedder.runtime == "torch"
    assert cosines(embedder.encode(TEXTS), reference.encode(TEXTS)).min() >= 0.9999
    assert embedder.count_tokens(TEXTS) == reference.count_tokens(TEXTS)


def test_a_model_that_cannot_be_exported_uses_sentence_transformers(tmp_path: Path) -> None:
    """The bundled weights with CLS pooling: a model of another shape, not reproduced on ONNX."""
    bundled = Path(resolve_model(BUNDLED_MODEL))
    folder = tmp_path / "cls-model"
    shutil.copytree(bundled, folder, copy_function=os.symlink)
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.unlink()
    pooling.write_text(json.dumps(config))
    warnings: list[str] = []
    embedder = Embedder(Settings(model=str(folder), cache=tmp_path / "cache"), warn=warnings.append)
    assert not embedder.light and embedder.runtime == "torch" and warnings == []
    assert not (tmp_path / "cache" / "onnx").exists()
    vectors = embedder.encode(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


RUN_CLI = f"""
import json, sys
from filmchat.cli import cli
try:
    cli.main(sys.argv[1:], standalone_mode=False)
finally:
    heavy = [name for name in {HEAVY!r} if name in sys.modules]
    print("HEAVY " + json.dumps(heavy), file=sys.stderr)
"""


def run_cli(settings: Settings, *args: str, **env: str) -> tuple[str, list[str]]:
    """The real `filmchat` command in a fresh process; its stdout and the heavy modules it
    had imported by the end."""
    folders = ["--corpus", str(settings.corpus), "--index", str(settings.index)]
    done = subprocess.run(
        [sys.executable, "-c", RUN_CLI, args[0], *folders, *args[1:]],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("HEAVY ")]
    return done.stdout, json.loads(line.removeprefix("HEAVY "))


def test_ask_sources_and_eval_never_import_torch(seed_index: Settings) -> None:
    out, heavy = run_cli(seed_index, "ask", "Who directed Her?")
    assert "Spike Jonze" in out and "[1]" in out
    assert heavy == []
    out, heavy = run_cli(seed_index, "sources")
    assert "her-2013-review.md" in out and heavy == []
    out, heavy = run_cli(seed_index, "eval", "--json")
    assert json.loads(out)["answer_hit_rate"] >= 0.9 and heavy == []


def test_answers_are_the_same_with_the_light_path_switched_off(seed_index: Settings) -> None:
    light, heavy = run_cli(seed_index, "eval", "--json")
    assert heavy == []
    reference, heavy = run_cli(
        seed_index, "eval", "--json", FILMCHAT_RUNTIME="torch", FILMCHAT_PRECISION="fp32"
    )
    assert "torch" in heavy
    assert json.loads(light) == json.loads(reference)


def test_the_chats_first_answer_never_imports_torch(seed_index: Settings, tmp_path: Path) -> None:
    """The real chat in a fresh process, the question typed while the model loads."""
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "_first_answer.py"
    done = subprocess.run(
        [sys.executable, str(script), "Who plays Theodore in Her?"],
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "FILMCHAT_CORPUS": str(seed_index.corpus),
            "FILMCHAT_INDEX": str(seed_index.index),
            "FILMCHAT_HISTORY": str(tmp_path / "history.sqlite"),
        },
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["answered"] and "Joaquin Phoenix" in result["text"] and result["citations"]
    assert result["heavy"] == []


def test_a_cache_folder_that_cannot_be_written_falls_back_in_one_line(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    warnings: list[str] = []
    embedder = Embedder(Settings(cache=blocked, precision="fp32"), warn=warnings.append)
    assert not embedder.light and embedder.runtime == "torch"
    assert len(warnings) == 1 and "FILMCHAT_CACHE" in warnings[0] and "\n" not in warnings[0]
    assert embedder.encode(TEXTS[:1]).shape == (1, 384)
