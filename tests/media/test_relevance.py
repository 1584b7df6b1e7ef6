"""Which art the composer's relevance parse draws for prompts written the way an LLM writes them."""

from __future__ import annotations

import pytest

from genloom.image import relevance


@pytest.mark.parametrize(("prompt", "head", "art"), [
    # A comma ends the subject: the looks listed after it are not the thing to draw.
    ("a sailboat at sea, calm water, golden hour light", "sailboat", "sailboat"),
    ("a vintage camera, minimal flat design, soft shadows", "camera", "camera"),
    # ... except before an appositive that says what the subject is.
    ("Pebble, a tiny hedgehog, curled up asleep", "hedgehog", "hedgehog"),
    # A mascot is a role: the animal is what to draw.
    ("a penguin mascot, bold outlines, playful mood", "penguin", "penguin"),
])
def test_the_subject_ends_at_a_comma_unless_an_appositive_follows(prompt: str, head: str, art: str) -> None:
    assert relevance.parse(prompt).head == head
    assert relevance.rank(prompt, k=1, use_embeddings=False)[0].asset.name == art
