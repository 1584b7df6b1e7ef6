"""Backend for genloom's procedural sounds (``genloom-sounds``): ambiences, noises and UI effects.

No weights: every sound is a numpy DSP recipe in :mod:`genloom.sound.generators`,
seeded, at any length, looping seamlessly.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from genloom.models.card import Kind, ModelCard

CARD = ModelCard(
    id="genloom-sounds",
    name="genloom procedural sounds",
    kind=Kind.sound,
    default_for=[Kind.sound],
    tasks=["ambience", "sound-effect", "noise"],
    backend="procedural-sound",
    size_bytes=None,
    license="Apache-2.0",
    source="genloom (numpy DSP recipes in genloom.sound.generators)",
    description="Rain, ocean, wind, thunder, fire, stream, birdsong, white/pink/brown noise, clock, heartbeat, "
                "beep, chime, whoosh, applause: seeded, any length, seamless loops, 44.1 kHz.",
    aliases=["sounds", "sfx", "default-sound", "eleven_text_to_sound_v2", "eleven_sfx_v2"],
    options={"weights": False},  # code, not weights: nothing to hash in provenance
)


def status(card: ModelCard) -> str:
    return "installed" if importlib.util.find_spec("numpy") is not None else "missing"


class SoundMaker:
    """The loaded ``sound`` model: renders a :class:`genloom.sound.request.SoundRequest`."""

    def __init__(self, card: ModelCard):
        self.card = card

    def render(self, request: Any, seed: int) -> Any:
        from genloom.sound.render import render

        return render(request, seed)


def factory(card: ModelCard) -> SoundMaker:
    from genloom.errors import BackendUnavailable

    if status(card) != "installed":
        raise BackendUnavailable("Procedural sounds need numpy", hint="pip install numpy")
    return SoundMaker(card)
