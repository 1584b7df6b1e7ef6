"""Songs in genres: the MIDI and audio files are measured, not the plan."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from genloom.errors import InvalidInput
from genloom.music.genres import GENRES
from genloom.music.request import parse


def _midi(data: bytes):  # noqa: ANN202 - mido has no stubs
    import mido

    return mido.MidiFile(file=io.BytesIO(data))


def _notes(data: bytes) -> list[tuple[float, int, int]]:
    """(seconds, channel, pitch) of every note start."""
    out, now = [], 0.0
    for msg in _midi(data):
        now += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            out.append((now, msg.channel, msg.note))
    return out


def _compose(prompt: str, params: dict | None = None, seed: int = 1, **kw):  # noqa: ANN202
    from genloom.music.compose import compose

    return compose(prompt, params=params, seed=seed, render_audio=kw.pop("render_audio", False), **kw)


@pytest.mark.parametrize("genre", sorted(GENRES))
def test_every_genre_has_its_parts_length_and_tempo(genre: str) -> None:
    g = GENRES[genre]
    comp = _compose("music", {"genre": genre, "key": "E", "mode": "minor", "tempo": 100, "seconds": 24})
    mid = _midi(comp.midi)
    assert abs(mid.length - 24) <= 1.0
    tempos = [m.tempo for t in mid.tracks for m in t if m.type == "set_tempo"]
    assert len(tempos) == 1 and abs(60e6 / tempos[0] - 100) < 0.5
    notes = _notes(comp.midi)
    channels = {ch for _, ch, _ in notes}
    assert (9 in channels) == g.drums  # General MIDI channel 10 exactly when the genre has drums
    assert 3 in channels  # a bass line
    bass = [p for _, ch, p in notes if ch == 3]
    top = [p for _, ch, p in notes if ch == 0]
    assert np.median(bass) < np.median(top) - 12
    if g.ending == "cadence":  # a final cadence: the last bass note is the tonic (E)
        assert bass[-1] % 12 == 4
    if genre != "chorale":
        assert comp.form[0] == "I" and len(comp.form) >= 2  # intro, then sections
        assert len({ch for ch in channels if ch not in (9,)}) >= 3  # melody, chords, bass at least


@pytest.mark.parametrize(("prompt", "genre", "drums"), [
    ("a lo-fi beat", "lofi", True), ("a rock riff", "rock", True), ("an EDM drop", "edm", True),
    ("a jingle with drums", "pop", True), ("ambient drone for sleep", "ambient", False),
    ("a hymn", "chorale", False), ("smooth jazz, no drums", "jazz", False), ("an epic film score", "cinematic", True),
    ("an irish folk tune without percussion", "folk", False), ("a house track", "edm", True),
])
def test_words_select_genre_and_drums(prompt: str, genre: str, drums: bool) -> None:
    spec = parse(prompt)
    assert (spec.genre, spec.drums) == (genre, drums)


def test_params_override_words_and_drums_flag() -> None:
    comp = _compose("a lo-fi beat", {"genre": "folk", "drums": False, "seconds": 10, "tempo": 90})
    assert comp.spec.genre == "folk"
    assert 9 not in {ch for _, ch, _ in _notes(comp.midi)}
    comp = _compose("ambient", {"drums": True, "seconds": 10})
    assert 9 in {ch for _, ch, _ in _notes(comp.midi)}


def test_instruments_take_the_parts() -> None:
    import mido

    comp = _compose("jazz", {"instruments": ["trumpet", "piano", "double bass"], "seconds": 10})
    programs = {m.channel: m.program for t in _midi(comp.midi).tracks for m in t
                if isinstance(m, mido.Message) and m.type == "program_change"}
    assert programs[0] == 56 and programs[1] == 0 and programs[3] == 43
    comp = _compose("a pop song with acoustic guitar", {"seconds": 10})
    programs = {m.program for t in _midi(comp.midi).tracks for m in t if m.type == "program_change"}
    assert 25 in programs


def test_seeds_vary_and_repeat() -> None:
    a, b = _compose("pop in C, 20 seconds", seed=1), _compose("pop in C, 20 seconds", seed=2)
    mel = [[p for _, ch, p in _notes(c.midi) if ch == 0] for c in (a, b)]
    assert mel[0] != mel[1]
    assert _compose("pop in C, 20 seconds", seed=1).midi == a.midi


@pytest.mark.parametrize("genre", ["pop", "lofi", "chorale"])
def test_audio_is_exactly_the_asked_length_and_ends_properly(genre: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENLOOM_NO_FLUIDSYNTH", "1")  # the built-in synth: fast and always there
    comp = _compose("music", {"genre": genre, "seconds": 13.5, "tempo": 96}, render_audio=True)
    audio = comp.audio if comp.audio.ndim == 1 else comp.audio.mean(axis=1)
    assert abs(comp.duration_s - 13.5) <= 0.05
    rate = comp.sample_rate
    rms = [float(np.sqrt(np.mean(audio[i:i + rate // 2] ** 2))) for i in range(0, audio.size - rate // 2, rate // 2)]
    assert max(rms) > 0.02
    assert rms[-1] < 0.6 * max(rms)  # no cut in full flight: a held final chord dies away, or a fade
    if GENRES[genre].ending == "fade":
        for track in _midi(comp.midi).tracks[1:]:  # every part fades: expression falls to the end
            ccs = [m.value for m in track if m.type == "control_change" and m.control == 11]
            assert ccs and ccs[0] == 127 and ccs[-1] <= 40 and ccs == sorted(ccs, reverse=True)
        assert rms[-2] > 0.02 * max(rms)  # still heard fading in its last second: not silence, not a cut
    else:
        starts = [t for t, ch, _ in _notes(comp.midi) if ch != 9]
        assert 13.5 - max(starts) >= 60 / 96  # the last chord is struck at least a beat before the end


def test_runner_writes_midi_beside_audio(tmp_path: Path) -> None:
    from genloom import api

    out = tmp_path / "beat.wav"
    result = api.create("music", "a lo-fi beat", params={"seed": 2, "seconds": 6, "engine": "builtin"}, output=out)
    assert result.paths == [out, tmp_path / "beat.mid"]
    assert (tmp_path / "beat.mid").read_bytes()[:4] == b"MThd"
    assert result.meta["genre"] == "lofi" and result.meta["drums"] is True


def test_song_model_is_trained_on_the_corpora() -> None:
    from genloom.music.song_model import load_song_model

    model = load_song_model()
    assert model.n_tunes > 1000 and model.n_chorales > 300
    # Learned, not listed: the major-key melody table prefers steps to leaps, and the dominant
    # is the chord the corpus most often puts before the closing tonic.
    major = model.mel_bi[0][:-1]  # the last row is the context before a tune's first note
    steps = sum(major[i, i + 1] + major[i + 1, i] for i in range(major.shape[0] - 1))
    leaps = sum(major[i, j] for i in range(major.shape[0]) for j in range(major.shape[1]) if abs(i - j) >= 4)
    assert steps > leaps
    from genloom.music.harmony import state

    for source in ("bar", "change"):
        assert model.cadence_chord("major", source, state(0, 0)) == state(7, 0)


@pytest.mark.e2e
def test_measured_key_in_genres() -> None:
    from music21 import converter

    from genloom.music.midi import pitched_only

    for genre, key in (("rock", "A"), ("lofi", "F"), ("folk", "D")):
        comp = _compose("music", {"genre": genre, "key": key, "mode": "major", "seconds": 30})
        found = converter.parseData(pitched_only(comp.midi), format="midi").analyze("key")
        assert (found.tonic.name, found.mode) == (key, "major")


def test_song_training_counts_real_tunes_deterministically(tmp_path: Path) -> None:
    from genloom.music.song_model import SongModel
    from genloom.music.song_train import build, save
    from genloom.music.tunes import load_tunes

    tunes = load_tunes(limit=3, use_cache=False)  # the Nottingham tunes, with their chord symbols
    assert len(tunes) >= 2 and any(t["chords"] for t in tunes)
    chorale = {"mode": "major", "beats": [[12, 7, 4, -12], [14, 7, 2, -5], [12, 4, 0, -12]] * 4,
               "attacks": [15] * 12, "ornaments": [[0, 0, 2]], "phrase_ends": [11]}
    model = build(tunes, [chorale])
    assert all(np.array_equal(model[k], build(tunes, [chorale])[k]) for k in model)
    assert model["mel_tri"].sum() == sum(len(t["notes"]) for t in tunes)
    small = SongModel(save(model, tmp_path / "songs.npz"))
    assert small.n_tunes == len(tunes)


@pytest.mark.parametrize(("prompt", "genre", "tempo", "key", "seconds", "drums"), [
    ("upbeat electronic dance track at 128 BPM in F minor, 45 seconds", "edm", 128, "F minor", 45, True),
    ("a 20-second jingle with drums", "pop", 110, "C major", 20, True),
    ("90s hip hop beat, 40 seconds", "lofi", 80, "C major", 40, True),
    ("orchestral music for a trailer, 1 minute, no percussion", "cinematic", 90, "C major", 60, False),
    ("heavy metal riff at 160 bpm in E minor", "rock", 160, "E minor", 30, True),
    ("techno at 130 bpm for 2 minutes", "edm", 130, "C minor", 120, True),
    ("a lullaby in G, 40 seconds", "ambient", 66, "G major", 40, False),
    ("blues in A, tempo 90", "jazz", 90, "A major", 30, True),
    ("lo-fi beat, 85bpm, A minor, 45 s", "lofi", 85, "A minor", 45, True),
])
def test_words_fallback_reads_a_whole_request(prompt: str, genre: str, tempo: int, key: str, seconds: float,
                                               drums: bool) -> None:
    spec = parse(prompt)
    assert (spec.genre, spec.tempo, spec.key_name, spec.seconds, spec.drums) == (genre, tempo, key, seconds, drums)


def test_everyday_instrument_names_and_percussion_words() -> None:
    spec = parse("x", {"genre": "folk", "instruments": ["ukulele", "fiddle", "bongos"], "drums": None})
    assert spec.roles["lead"] == 40 and spec.roles["comp"] == 24 and spec.drums
    spec = parse("x", {"genre": "folk", "instruments": ["ukulele", "bongos"], "drums": False})
    assert not spec.drums  # an explicit drums flag wins over a percussion name
    with pytest.raises(InvalidInput, match="kazoo"):
        parse("x", {"instruments": ["piano", "kazoo"]})
