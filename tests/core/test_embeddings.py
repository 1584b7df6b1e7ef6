from __future__ import annotations

import numpy as np
import pytest

from genloom.embeddings import embed, similarity


def test_vectors_are_normalised_and_meaningful():
    vecs = embed(["a poster for a jazz night", "flyer for a jazz concert", "sort a list in python"])
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.3


def test_batches_match_single_calls():
    texts = [f"sentence number {i} about cats" for i in range(40)]
    batch = embed(texts)
    single = embed([texts[33]])
    assert np.allclose(batch[33], single[0], atol=1e-4)


def test_similarity_and_empty_input():
    assert similarity("dog", "puppy") > similarity("dog", "spreadsheet")
    assert embed([]).shape == (0, 384)


def test_openai_alias_resolves():
    from genloom.models.registry import get_registry

    assert get_registry().card("text-embedding-3-small").id == "minilm-l6"


def test_non_string_input_rejected():
    from genloom.errors import InvalidInput

    with pytest.raises(InvalidInput):
        embed([1, 2])  # type: ignore[list-item]
