"""Sentence embeddings for routing, retrieval and ``/v1/embeddings``.

    >>> vecs = embed(["a poster for a jazz night", "jazz concert flyer"])
    >>> float(vecs[0] @ vecs[1])  # cosine similarity: vectors are L2-normalised
"""

from __future__ import annotations

from typing import Any

from genloom.models.card import Kind


def get_embedder(model: str | None = None) -> Any:
    from genloom.models.registry import get_model

    embedder = get_model(model, Kind.embedding)
    if not hasattr(embedder, "embed"):
        from genloom.errors import InvalidInput

        raise InvalidInput(f"Model {embedder.card.id!r} is not an embedding model", param="model")
    return embedder


def embed(texts: list[str], model: str | None = None) -> Any:
    """L2-normalised vectors, shape ``(len(texts), dim)``, float32."""
    return get_embedder(model).embed(list(texts))


def similarity(a: str, b: str, model: str | None = None) -> float:
    vecs = embed([a, b], model)
    return float(vecs[0] @ vecs[1])
