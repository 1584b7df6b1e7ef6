"""Honest notes: what the installed models cannot do as the spec asks, and what would.

Read from the spec's settings and the model registry, never from the request
text. Each note names the gap and the command that closes it; the CLI, API and
studio show ``plan.notes``.
"""

from __future__ import annotations

from typing import Any

from genloom.brain.spec import RequestSpec

_PHOTO_MODEL = "sd-turbo"


def _installed(kind: str) -> list[str]:
    from genloom.models.registry import get_registry

    return [c.id for c in get_registry().cards(kind) if c.installed_status() == "installed"]


def choose_voice(traits: dict[str, Any], language: str | None
                 ) -> tuple[str | None, str | None, str, str | None]:
    """(voice id or None, its speech model, why, a note when no installed voice can do what is asked).

    The audio layer's resolver scores the installed voices against the traits; when
    none has an asked trait or speaks the language, its reason names what would.
    """
    from genloom.audio.voices import installed_voices, resolve
    from genloom.errors import InvalidInput

    try:
        voice, reason = resolve(traits, language)
    except InvalidInput as exc:  # no installed voice speaks the language (or none is installed)
        fix = f" {exc.hint}" if exc.hint else ""
        return None, None, str(exc.message), f"{exc.message}: this speech step will fail as asked.{fix}"
    note = reason if reason.startswith("no installed voice") else None
    model = next((v.model for v in installed_voices() if v.id == voice), None)
    return voice, model, reason, note


def honest_notes(spec: RequestSpec) -> list[str]:
    notes: list[str] = []
    kinds = {d.kind for d in spec.deliverables}
    if "image" in kinds and any(d.kind == "image" and d.style == "photo" for d in spec.deliverables):
        images = _installed("image")
        if images and all(m == "genloom-composer" for m in images):
            notes.append("A photograph was asked, but the only installed image model is the illustration "
                         f"composer (flat vector art). `genloom pull {_PHOTO_MODEL}` installs a photographic model.")
    for d in spec.deliverables:
        if d.kind == "sound" and d.sound is None:
            from genloom.sound.request import SOUNDS, find_sounds

            if not find_sounds(d.phrase):  # the run refuses it too: say so now, and what would make it
                notes.append(f"{d.phrase or 'this sound'!r} is not one of the sounds genloom synthesises "
                             f"({', '.join(SOUNDS)}): this step will fail. A recording of it, or a sound-effects "
                             "model added as a plugin, would make it.")
        if d.kind == "music" and d.music is not None and d.music.vocals:
            notes.append("genloom cannot sing: the music will be instrumental, with no words sung "
                         "(lyrics, when asked, are delivered as text). A singing-voice model added as a plugin "
                         "would sing them.")
    return notes
