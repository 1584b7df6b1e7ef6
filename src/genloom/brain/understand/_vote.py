"""When no word names the output: the embedding vote.

The request is compared with labelled prototype requests (MiniLM); the nearest
kind wins when it is both close and clearly ahead. When it is not, the LLM reads
the request (``_llm.llm_read``).
"""

from __future__ import annotations

import threading
from typing import Any

# -- stage 2: embeddings -----------------------------------------------------

PROTOTYPES: dict[str, list[str]] = {
    "text": ["write an email to my boss", "tell me about the history of Rome", "answer this question",
             "give me advice on my career", "hi, how are you?", "a thank you note for my teacher",
             "help me plan my week", "what should I cook tonight", "ideas for a birthday party",
             "a story for my kids", "summarize this", "make this paragraph shorter"],
    "code": ["write a function", "fix my python code", "a script that renames files", "build a web app",
             "automate this task with a program", "parse a CSV file in pandas", "sort an array",
             "connect to a database", "make my loop faster", "deploy with kubernetes"],
    "image": ["a picture of a cat", "generate an image of mountains", "design a logo", "a poster for a concert",
              "an illustration for my book", "a photo of a beach at sunset", "make art of a dragon",
              "a drawing of a house", "something pretty to hang on my wall"],
    "speech": ["read this out loud", "a voiceover for my video", "convert text to audio",
               "record a voice message", "narrate my story", "say hello in a friendly voice",
               "an audiobook chapter", "a spoken announcement"],
    "music": ["compose a song", "background music for a video", "a jingle for my brand",
              "a relaxing melody", "a beat for my rap", "piano music", "something to help me fall asleep to",
              "a catchy tune", "an ambient soundscape"],
    "video": ["make a video", "an animation of a bouncing ball", "a short film", "a promo clip",
              "a trailer for my game", "a timelapse of a city", "a slideshow of my photos"],
    "sound": ["the sound of rain", "a sound effect for a button click", "ocean waves ambience",
              "white noise to sleep", "a crackling fireplace", "birds chirping in a forest"],
}

_proto_lock = threading.Lock()
_proto: tuple[Any, list[str]] | None = None


def _prototypes() -> tuple[Any, list[str]]:
    global _proto
    with _proto_lock:
        if _proto is None:
            from genloom.embeddings import embed

            labels = [k for k, items in PROTOTYPES.items() for _ in items]
            texts = [t for items in PROTOTYPES.values() for t in items]
            _proto = (embed(texts), labels)
        return _proto


def route_embedding(request: str) -> tuple[str, float, float]:
    """Stage 2: (best kind, its similarity, margin over the runner-up kind)."""
    from genloom.embeddings import embed

    vecs, labels = _prototypes()
    sims = vecs @ embed([request])[0]
    best: dict[str, float] = {}
    for label, sim in zip(labels, sims, strict=True):
        best[label] = max(best.get(label, -1.0), float(sim))
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    (kind, score), (_, second) = ranked[0], ranked[1]
    return kind, score, score - second


# The embedding vote decides only when its best kind is both close and clearly ahead.
EMBED_MIN_SIM = 0.35
EMBED_MIN_MARGIN = 0.04
