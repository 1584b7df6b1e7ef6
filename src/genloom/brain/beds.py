"""A speech over a music bed: one delivered track made from two steps.

"A radio ad with background music", "a voiceover with soft piano music", "a
podcast intro": the user receives one audio file, the voice at full level over
music ducked under the words. The plan has a speech step (``params.music`` is
true) that lists the music step among its inputs; the music step is an
intermediate. The executor

* sizes the voice to the track: a stated duration is the whole track's, so the
  voice gets it minus the bed's lead-in and tail (:func:`voice_seconds`);
* sizes the music to the voice: the stated duration, or the words the voice
  will say (:func:`bed_seconds`), with room to spare, since the mix cuts it;
* mixes the two with the video's mixer (:func:`genloom.video.soundtrack.voice_over_bed`)
  and records the track as a generation whose parents are the voice and the
  music (:func:`mix_over_bed`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genloom.brain.graph import Plan, Step

# Words a second assumed when a bed is sized before its voice exists: slower than the planner's
# 2.5, because a bed that comes out long is cut to the voice and one that comes out short is not.
ESTIMATE_WORDS_PER_SECOND = 2.0
# Music made past the track's end, so its fade-out is music, not the composer's final chord.
SPARE_S = 1.0
MIXER_ID = "genloom-mixer"


def bed_ids(plan: Plan, step: Step) -> list[str]:
    """The music steps ``step`` is spoken over (none unless it is a speech with ``params.music``)."""
    if step.kind != "speech" or not step.params.get("music"):
        return []
    ids = {s.id: s.kind for s in plan.steps}
    return [i for i in step.inputs if ids.get(i) == "music"]


def carrier(plan: Plan, music: Step) -> Step | None:
    """The speech whose bed ``music`` is, if any."""
    return next((s for s in plan.steps if music.id in bed_ids(plan, s)), None)


def voice_seconds(speech: Step) -> float | None:
    """How long the voice of a speech over a bed may last: the stated track length minus lead-in and tail."""
    from genloom.video.soundtrack import voice_seconds_over_bed

    asked = speech.params.get("seconds")
    return voice_seconds_over_bed(float(asked)) if asked else None


def bed_seconds(speech: Step, words: int | None) -> float:
    """How much music to make for ``speech``: its track's stated length, else room for its words."""
    from genloom.video.soundtrack import BED_LEAD_S, BED_TAIL_S

    asked = speech.params.get("seconds")
    if asked:
        return round(float(asked) + SPARE_S, 2)
    spoken = (words or 0) / ESTIMATE_WORDS_PER_SECOND or 15.0
    return round(BED_LEAD_S + spoken + BED_TAIL_S + SPARE_S, 2)


def mix_over_bed(voice: Any, words: str, music_path: Path, music_generation: str | None, *,
                 seconds: float | None, scratch: Path, run_id: str | None) -> Any:
    """The voice result ``voice`` mixed over ``music_path``: a new recorded speech result (one track).

    Its generation's parents are the voice's generation and the music's, so
    ``genloom log show RUN --tree`` shows both.
    """
    from genloom.api import Result, record_files
    from genloom.video.soundtrack import BED_LEAD_S, voice_over_bed

    dest = scratch / f"{voice.generation_id or 'speech'}-over-bed.wav"
    total = voice_over_bed(Path(voice.paths[0]), music_path, dest, seconds)
    parents = [g for g in (voice.generation_id, music_generation) if g]
    params = {"voice_at": BED_LEAD_S, "seconds": round(total, 2), "music": True}
    gid, ids, stored = record_files(kind="speech", task="mix", model_id=MIXER_ID, prompt=words,
                                    params=params, files=[(dest, "audio/wav")], parent_ids=parents or None,
                                    run_id=run_id, meta={"voice_model": voice.model_id})
    return Result(kind="speech", generation_id=gid, model_id=voice.model_id, text=voice.text, asset_ids=ids,
                  paths=list(stored), meta={**voice.meta, "mixed_over_music": True, "track_seconds": round(total, 2)})
