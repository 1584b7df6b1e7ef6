"""The composer: request parsing, the trained model, MIDI, rendering, the runner."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from genloom.errors import InvalidInput
from genloom.music.request import parse


@pytest.mark.parametrize(
    ("prompt", "tonic", "mode", "tempo", "seconds"),
    [
        ("a calm piece in D minor, 30 seconds", 2, "minor", 66, 30),
        ("joyful, in the key of E flat major, 120 bpm, 1 minute", 3, "major", 120, 60),
        ("sad music in F#", 6, "minor", 60, 30),
        ("a bright allegro in Bb, 1:30", 10, "major", 126, 90),
        ("something darker, 45s", 0, "minor", 66, 45),
        ("happy tune in A minor", 9, "minor", 112, 30),
    ],
)
def test_parse_prompt(prompt: str, tonic: int, mode: str, tempo: int, seconds: float) -> None:
    spec = parse(prompt)
    assert (spec.tonic, spec.mode, spec.tempo, spec.seconds) == (tonic, mode, tempo, seconds)


def test_instruments_and_moods() -> None:
    assert parse("a chorale for string quartet").programs == [40, 40, 41, 42]
    assert parse("a hymn for flute and cello").programs == [73, 42, 42, 42]
    assert parse("a calm piece").genre == "ambient"
    assert parse("organ chorale").programs == [19] * 4
    calm, lively = parse("calm"), parse("lively")
    assert calm.tempo < lively.tempo and calm.velocity < lively.velocity
    assert parse("16 bars at 120 bpm").seconds == pytest.approx(32.0)


def test_params_override_prompt_and_are_validated() -> None:
    spec = parse("calm in D minor", {"key": "G major", "tempo": 100, "duration": 12, "instruments": "brass"})
    assert (spec.tonic, spec.mode, spec.tempo, spec.seconds, spec.instruments) == (7, "major", 100, 12, "brass")
    for bad in ({"key": "H minor"}, {"tempo": 5}, {"duration": 10_000}, {"instruments": "kazoo"},
                {"mode": "lydian"}, {"tempo": "fast"}):
        with pytest.raises(InvalidInput):
            parse("x", bad)


def test_model_sample_length_cadence_and_ranges() -> None:
    from genloom.music.model import load_model

    model = load_model()
    assert model.n_chorales > 300
    for mode in ("major", "minor"):
        for seed in range(3):
            piece = model.sample(mode, 40, np.random.default_rng(seed))
            assert abs(len(piece.beats) - 40) <= 4
            last = piece.beats[-1]
            assert last[3] % 12 == 0  # ends on the tonic in the bass
            sop = [b[0] for b in piece.beats if b[0] != 127]
            bass = [b[3] for b in piece.beats if b[3] != 127]
            assert min(sop) > max(bass) - 12 and max(sop) <= 24 and min(bass) >= -30
    a = model.sample("major", 32, np.random.default_rng(5))
    b = model.sample("major", 32, np.random.default_rng(5))
    assert a.beats == b.beats and a.passing == b.passing


def _midi_info(data: bytes) -> tuple[float, list[int], float]:
    import mido

    mid = mido.MidiFile(file=io.BytesIO(data))
    tempos = [m.tempo for t in mid.tracks for m in t if m.type == "set_tempo"]
    pitches = [m.note for t in mid.tracks for m in t if m.type == "note_on" and m.velocity > 0]
    return mido.tempo2bpm(tempos[0]), pitches, mid.length


def test_compose_honours_key_tempo_length_instruments() -> None:
    from genloom.music.compose import compose

    comp = compose("a calm chorale in D minor, 20 seconds, strings", seed=3, render_audio=False)
    bpm, pitches, length = _midi_info(comp.midi)
    assert round(bpm) == 66
    assert abs(length - 20) <= 1
    # Pitch-class profile: D and A (tonic, dominant) are the most used, F (minor third) beats F#.
    pcs = np.bincount(np.array(pitches) % 12, minlength=12)
    assert set(np.argsort(pcs)[-3:]) & {2, 9}
    assert pcs[5] > pcs[6]
    import mido

    mid = mido.MidiFile(file=io.BytesIO(comp.midi))
    programs = [m.program for t in mid.tracks for m in t if m.type == "program_change"]
    assert programs == [40, 40, 41, 42]
    texts = [m.text for t in mid.tracks for m in t if m.type == "text"]
    assert any('"ai_generated":true' in t for t in texts)


@pytest.mark.e2e
@pytest.mark.parametrize(("prompt", "expected"), [("in D minor", "d minor"), ("joyful, in A major", "A major")])
def test_measured_key_matches_request(prompt: str, expected: str) -> None:
    from music21 import converter

    from genloom.music.compose import compose

    comp = compose(prompt + ", 30 seconds", seed=11, render_audio=False)
    score = converter.parseData(comp.midi, format="midi") if hasattr(converter, "parseData") else None
    if score is None:  # pragma: no cover
        pytest.skip("music21 cannot parse MIDI bytes")
    assert str(score.analyze("key")) == expected


def test_builtin_synth_when_fluidsynth_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from genloom.music.compose import compose

    monkeypatch.setenv("GENLOOM_NO_FLUIDSYNTH", "1")
    comp = compose("a piece in G major, 8 seconds", seed=1)
    assert comp.engine == "builtin"
    assert comp.audio is not None and 6 < comp.duration_s < 14
    assert np.sqrt(np.mean(comp.audio**2)) > 0.01
    assert np.max(np.abs(comp.audio)) <= 1.0


@pytest.mark.skipif(not Path("/usr/bin/fluidsynth").exists(), reason="Debian fluidsynth not installed")
def test_fluidsynth_render() -> None:
    from genloom.music.compose import compose

    comp = compose("lively brass in F major, 8 seconds", seed=2)
    assert comp.engine.startswith("fluidsynth")
    assert comp.sample_rate == 44100 and comp.audio.ndim == 2
    assert 6 < comp.duration_s < 14
    assert np.sqrt(np.mean(comp.audio**2)) > 0.01


def test_runner_writes_audio_and_midi_with_provenance(tmp_path: Path) -> None:
    from genloom import api
    from genloom.audio.label import read_wav_label
    from genloom.store.db import get_store

    out, mid = tmp_path / "piece.wav", tmp_path / "piece.mid"
    result = api.create("music", "a solemn organ piece in C minor, 10 seconds",
                        params={"seed": 4, "midi": mid, "sidecar": True}, output=out)
    assert result.paths == [out, mid]
    label = read_wav_label(out.read_bytes())
    assert label["ai_generated"] and label["key"] == "C minor" and label["seed"] == 4
    assert mid.read_bytes()[:4] == b"MThd"
    gen = get_store().generation(result.generation_id)
    assert gen["kind"] == "music" and gen["model_id"] == "bach-composer" and gen["seed"] == 4
    assert gen["params"]["key"] == "C minor" and gen["params"]["tempo"] == 60
    assert sorted(a["mime"] for a in gen["assets"]) == ["audio/midi", "audio/wav"]
    assert all(a["meta"]["ai_generated"] for a in gen["assets"])
    assert json.loads((tmp_path / "piece.wav.json").read_text())["generation_id"] == result.generation_id
    # Same seed, same music.
    again = api.create("music", "a solemn organ piece in C minor, 10 seconds", params={"seed": 4},
                       output=tmp_path / "again.mid")
    assert (tmp_path / "again.mid").read_bytes() == mid.read_bytes()
    assert again.meta["render"] == "none"


def test_runner_rejects_bad_params(tmp_path: Path) -> None:
    from genloom import api

    with pytest.raises(InvalidInput, match="Unknown music parameter"):
        api.create("music", "x", params={"loudness": 3})
    with pytest.raises(InvalidInput, match="Cannot write|directory"):
        api.create("music", "x", output=tmp_path)


def test_training_reproduces_from_grids(tmp_path: Path) -> None:
    from genloom.music.corpus import load_corpus
    from genloom.music.model import ComposerModel
    from genloom.music.train import build, save

    grids = load_corpus(limit=4, use_cache=False)
    assert grids and all(len(g["beats"]) == len(g["attacks"]) for g in grids)
    model = build(grids)
    assert np.array_equal(build(grids)["trigrams"], model["trigrams"])  # deterministic
    path = save(model, tmp_path / "small.npz")
    composer = ComposerModel(path)
    mode = grids[0]["mode"]
    piece = composer.sample(mode, 16, np.random.default_rng(0))
    assert len(piece.beats) >= 4
