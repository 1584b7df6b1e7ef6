"""Honest notes: what the installed models cannot do as the spec asks, and what would.

Read from the spec's settings and the model registry, never from the request
text. Each note names the gap and the command that closes it; the CLI, API and
studio show ``plan.notes``.
"""

from __future__ import annotations

from genloom.brain.spec import RequestSpec

# Speech models that speak a language, from the catalog (docs/models.md).
_VOICE_LANGUAGES = {"kokoro-82m": {"en", "es", "fr", "hi", "it", "ja", "pt", "zh"},
                    "piper-de-de-thorsten-medium": {"de"}}
_PHOTO_MODEL = "sd-turbo"


def _installed(kind: str) -> list[str]:
    from genloom.models.registry import get_registry

    return [c.id for c in get_registry().cards(kind) if c.installed_status() == "installed"]


def honest_notes(spec: RequestSpec) -> list[str]:
    notes: list[str] = []
    kinds = {d.kind for d in spec.deliverables}
    if "image" in kinds and any(d.kind == "image" and d.style == "photo" for d in spec.deliverables):
        images = _installed("image")
        if images and all(m == "genloom-composer" for m in images):
            notes.append("A photograph was asked, but the only installed image model is the illustration "
                         f"composer (flat vector art). `genloom pull {_PHOTO_MODEL}` installs a photographic model.")
    for d in spec.deliverables:
        if d.kind != "speech":
            continue
        if d.voice is not None and d.voice.age == "child":
            notes.append("A child's voice was asked; no genloom voice model has one, so an adult voice reads it.")
        lang = d.language or spec.language
        if lang and lang != "en":
            voices = _installed("speech")
            able = [m for m in voices if lang in _VOICE_LANGUAGES.get(m, {"en"})]
            if not able:
                can = [m for m, langs in _VOICE_LANGUAGES.items() if lang in langs]
                fix = f"`genloom pull {can[0]}` adds a voice that speaks it" if can else \
                    "no genloom voice model speaks it yet"
                notes.append(f"Speech in {lang!r} was asked, but no installed voice speaks it: {fix}.")
    for d in spec.deliverables:
        if d.kind == "sound" and d.sound is None:
            notes.append(f"{d.phrase or 'this sound'!r} is not one of the sounds genloom synthesises (rain, ocean, "
                         "wind, thunder, fire, stream, birdsong, noises, clock, heartbeat, beep, chime, whoosh, "
                         "applause); the closest one is used.")
    return notes
