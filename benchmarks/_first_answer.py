"""The chat's first cited answer in this fresh process, driven headless.

Run:  python benchmarks/_first_answer.py "QUESTION"   (settings from FILMCHAT_* variables)

Launches the real Textual app, types the question as soon as the window is up (the model is
still loading, as when a user types at once), waits until the answer is fully shown, and prints
one JSON line: the wall clock (`time.time()`) when the answer was shown, so the caller can
subtract its own launch time; the answer; its citations; and which heavy modules (torch,
transformers, sentence-transformers) the process had imported by then. Used by
`bench_start.py` and by the test that the chat answers without torch.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

HEAVY = ("torch", "transformers", "sentence_transformers")


async def first_answer(question: str) -> dict[str, object]:
    from filmchat.settings import load_settings
    from filmchat.tui.app import FilmchatApp

    app = FilmchatApp(load_settings())
    async with app.run_test(size=(120, 40)) as pilot:
        app.chat.prompt.focus()
        app.chat.prompt.value = question
        await pilot.press("enter")
        deadline = time.monotonic() + 300
        while not (app.chat.answers and app.chat.request is None):
            if time.monotonic() > deadline:
                raise SystemExit("no answer within 300 s")
            await pilot.pause(0.01)
        shown = time.time()
        answer = app.chat.answers[0]
        return {
            "shown_at": shown,
            "answered": answer.answered,
            "text": answer.text,
            "citations": [citation.path for citation in answer.citations],
            "heavy": [name for name in HEAVY if name in sys.modules],
        }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(first_answer(sys.argv[1]))))
