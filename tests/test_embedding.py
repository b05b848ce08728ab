"""Embedding with the real bundled model: vector shape, bf16 fidelity, precision choice, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from filmchat import embedding
from filmchat.embedding import Embedder, bf16_in_cpu_flags, choose_precision
from filmchat.errors import FilmchatError
from filmchat.settings import Settings

TEXTS = [
    "Her / Performances\nJoaquin Phoenix gives a tender, unguarded performance as Theodore, "
    "a lonely letter writer who falls in love with his operating system.",
    "Scarlett Johansson voices Samantha, and her warm, curious voice carries the film.",
    "The score by Arcade Fire and Owen Pallett is soft and melancholic.",
    "Who directed Her?",
]

# /proc/cpuinfo of a real Skylake-SP server: AVX-512, but no bf16 instructions
SKYLAKE_FLAGS = (
    "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush "
    "mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology "
    "nonstop_tsc cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic "
    "movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch fsgsbase "
    "bmi1 hle avx2 smep bmi2 erms invpcid rtm mpx avx512f avx512dq rdseed adx smap clflushopt "
    "clwb avx512cd avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves arat pku ospke avx512_vnni\n"
)


@pytest.fixture(scope="module")
def fp32_embedder() -> Embedder:
    return Embedder(Settings(runtime="torch", precision="fp32"))


@pytest.fixture(scope="module")
def bf16_embedder() -> Embedder:
    return Embedder(Settings(runtime="torch", precision="bf16"))


def test_vectors_are_unit_length_and_384_dimensional(embedder: Embedder) -> None:
    vectors = embedder.encode(TEXTS)
    assert embedder.dimension == 384
    assert vectors.shape == (len(TEXTS), 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # a query alone and the same text in a padded batch: the same vector, up to bf16 rounding
    assert float(embedder.encode_query(TEXTS[3]) @ vectors[3]) > 0.999


def test_encode_keeps_the_callers_order_and_reports_progress(embedder: Embedder) -> None:
    """Texts are encoded longest first, over several steps; vectors come back in input order."""
    count = embedder.batch_size * 4 + 6  # encode works in steps of four batches
    texts = [f"{TEXTS[n % 4]}{' Again.' * (n % 9)}" for n in range(count)]
    seen: list[tuple[int, int]] = []
    together = embedder.encode(texts, progress=lambda done, total: seen.append((done, total)))
    alone = np.stack([embedder.encode_query(text) for text in texts[::9]])
    assert np.min(np.sum(together[::9] * alone, axis=1)) > 0.999
    assert len(seen) > 1 and seen[-1] == (len(texts), len(texts))


def test_bf16_vectors_agree_with_fp32(fp32_embedder: Embedder, bf16_embedder: Embedder) -> None:
    assert (fp32_embedder.precision, bf16_embedder.precision) == ("fp32", "bf16")
    cosines = np.sum(fp32_embedder.encode(TEXTS) * bf16_embedder.encode(TEXTS), axis=1)
    assert cosines.min() >= 0.9998  # bf16 matrix products, fp32 weights and layer norms


def test_bf16_and_fp32_rank_passages_the_same(
    fp32_embedder: Embedder, bf16_embedder: Embedder
) -> None:
    passages, question = TEXTS[:3], "Who plays the lonely writer?"

    def ranking(model: Embedder) -> list[int]:
        return list(np.argsort(-(model.encode(passages) @ model.encode_query(question))))

    assert ranking(fp32_embedder) == ranking(bf16_embedder)


def test_cpu_flags_decide_native_bf16() -> None:
    assert not bf16_in_cpu_flags(SKYLAKE_FLAGS)
    assert bf16_in_cpu_flags(SKYLAKE_FLAGS.replace("avx512_vnni", "avx512_vnni avx512_bf16"))
    assert bf16_in_cpu_flags(SKYLAKE_FLAGS.replace("avx512_vnni", "avx512_vnni amx_bf16 amx_tile"))
    assert not bf16_in_cpu_flags("")


def test_auto_precision_is_fp32_on_a_cpu_without_bf16(
    monkeypatch: pytest.MonkeyPatch, fp32_embedder: Embedder
) -> None:
    monkeypatch.setattr(embedding, "cpu_has_native_bf16", lambda: bf16_in_cpu_flags(SKYLAKE_FLAGS))
    assert choose_precision("auto", "cpu") == "fp32"
    auto = Embedder(Settings(runtime="torch", precision="auto"))
    assert auto.precision == "fp32"
    np.testing.assert_allclose(auto.encode(TEXTS), fp32_embedder.encode(TEXTS), atol=1e-5)


def test_explicit_precision_and_cuda_are_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedding, "cpu_has_native_bf16", lambda: True)
    assert choose_precision("auto", "cpu") == "bf16"
    assert choose_precision("fp32", "cpu") == "fp32"
    assert choose_precision("auto", "cuda") == "fp32"


@pytest.mark.parametrize("name", ["no-such-org/no-such-model", "missing-folder"])
def test_a_bad_model_name_is_one_clear_line(name: str, tmp_path: Path) -> None:
    model = name if "/" in name else str(tmp_path / name)
    with pytest.raises(FilmchatError) as caught:
        Embedder(Settings(model=model, cache=tmp_path / "cache"))
    message = str(caught.value)
    assert "\n" not in message
    assert repr(model) in message
    assert "FILMCHAT_MODEL" in message


@pytest.mark.parametrize(
    ("native_bf16", "words", "path"),
    [
        (True, 10, ("onnx", "fp32")),  # a question or a small update: never torch
        (True, 150, ("torch", "bf16")),  # a full rebuild where bf16 is native
        (False, 150, ("onnx", "fp32")),  # without bf16, ONNX until torch fp32 pays for itself
        (False, 400, ("torch", "fp32")),
    ],
)
def test_each_call_takes_the_fastest_path_for_its_size(
    monkeypatch: pytest.MonkeyPatch, native_bf16: bool, words: int, path: tuple[str, str]
) -> None:
    """`bulk_tokens` scaled down to 100 tokens, so a few sentences stand for a full rebuild."""
    monkeypatch.setattr(embedding, "cpu_has_native_bf16", lambda: native_bf16)
    embedder = Embedder(Settings(bulk_tokens=100))
    texts = ["Phoenix plays a lonely writer in love."] * (words // 8)
    vectors = embedder.encode(texts)
    assert (embedder.runtime, embedder.precision) == path
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
