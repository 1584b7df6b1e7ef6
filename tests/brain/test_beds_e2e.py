"""A radio ad with background music, end to end through ``genloom run`` on the real generators.

The user receives one audio file: the voice over a music bed. Measured on the file:
its length, the words Whisper hears, and music where the voice is silent (the
lead-in, and the gaps between words, found from the voice's own recording,
which the track's provenance names as a parent).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from genloom.cli import cli
from genloom.testing import checks

pytestmark = pytest.mark.e2e

WORDS = "Ride further with Spoke and Chain. Tune ups, rentals and repairs, open every day."


def _rms(samples, rate: int, start: float, end: float) -> float:  # type: ignore[no-untyped-def]
    import numpy as np

    piece = samples[int(start * rate):int(end * rate)]
    return float(np.sqrt(np.mean(piece ** 2))) if piece.size else 0.0


def test_radio_ad_with_music_is_one_track_with_music_under_the_voice(tmp_path: Path) -> None:
    import numpy as np

    from genloom.store.db import get_store
    from genloom.video.soundtrack import BED_LEAD_S, RATE, decode

    request = f'a 12-second radio ad with soft piano music that says "{WORDS}"'
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        res = CliRunner().invoke(cli, ["run", request, "-o", str(tmp_path / "out"), "--json", "--no-llm"], catch_exceptions=False)
    finally:
        os.chdir(cwd)
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    deliverable = {s["id"] for s in data["plan"]["steps"] if s["deliverable"]}
    delivered = [s for s in data["steps"] if s["step_id"] in deliverable]
    assert [(s["kind"], len(s["paths"])) for s in delivered] == [("speech", 1)]
    track = Path(delivered[0]["paths"][0])

    assert checks.seconds(track) == pytest.approx(12.0, abs=0.6)
    assert checks.word_recall(WORDS, checks.spoken_text(track)) >= 0.7
    assert checks.level_between_words(track) > 0.004  # a bare voice measures 0: its pauses are silent

    # The voice alone: the track's generation has the voice and the music as parents.
    store = get_store()
    parents = [store.generation(g) for g in store.generation(delivered[0]["generation_id"])["parent_ids"]]
    assert sorted(p["kind"] for p in parents) == ["music", "speech"]
    voice_asset = next(p for p in parents if p["kind"] == "speech")["assets"][0]
    voice = decode(Path(store.asset_path(voice_asset)), channels=1)[0][:, 0]
    mix = decode(track, channels=1)[0][:, 0]

    # Music alone before the first word.
    assert _rms(mix, RATE, 0.1, BED_LEAD_S - 0.1) > 0.01
    # Music in the gaps between words: 50 ms frames where the voice is silent, inside the speech.
    hop = RATE // 20
    level = np.array([_rms(voice, RATE, i / RATE, (i + hop) / RATE) for i in range(0, voice.size - hop, hop)])
    spoken = np.flatnonzero(level > 0.1 * level.max())
    gaps = [i for i in range(spoken[0], spoken[-1]) if level[i] < 0.01 * level.max()]
    assert gaps, "the voice has no pause to listen in"
    under = [_rms(mix, RATE, BED_LEAD_S + i * 0.05, BED_LEAD_S + (i + 1) * 0.05) for i in gaps]
    assert np.median(under) > 0.01, under
