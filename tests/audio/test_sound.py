"""The ``sound`` kind: every sound has its measurable property, loops, hits its length, and says what it cannot make."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from genloom.errors import InvalidInput
from genloom.sound.catalog import SOUNDS
from genloom.sound.measure import CHECKS, loop_seam
from genloom.sound.render import render
from genloom.sound.request import SoundRequest, find_sounds


def _render(sound: str, seconds: float, seed: int = 7, **params: object) -> np.ndarray:
    return render(SoundRequest.from_params("", {"sound": sound, "seconds": seconds, **params}), seed).samples


def test_every_sound_has_a_check() -> None:
    assert set(CHECKS) == set(SOUNDS)


@pytest.mark.parametrize("sound", list(SOUNDS))
def test_each_sound_has_its_property_at_30_seconds(sound: str) -> None:
    x = _render(sound, 30.0)
    assert x.size == 30 * 44100 and np.isfinite(x).all()
    assert 0.05 < float(np.abs(x).max()) <= 0.9  # audible, never clipping
    value, ok = CHECKS[sound].run(x, 44100)
    assert ok, f"{sound}: {CHECKS[sound].what} = {value:.3f}, wanted {CHECKS[sound].lo}..{CHECKS[sound].hi}"


def test_checks_tell_the_sounds_apart() -> None:
    """A check must be able to fail: each property is measured on the wrong sound too."""
    wrong = {"rain": "brown-noise", "ocean": "white-noise", "wind": "rain", "thunder": "stream",
             "fire": "pink-noise", "stream": "thunder", "birdsong": "rain", "white-noise": "pink-noise",
             "pink-noise": "brown-noise", "brown-noise": "white-noise", "clock": "heartbeat",
             "heartbeat": "rain", "beep": "chime", "chime": "white-noise", "whoosh": "beep",
             "applause": "white-noise"}
    for sound, other in wrong.items():
        _, ok = CHECKS[sound].run(_render(other, 30.0), 44100)
        assert not ok, f"the {sound} check passed on {other}"


@pytest.mark.parametrize("sound", [s for s, info in SOUNDS.items() if info.ambience])
def test_ambiences_loop_without_a_seam(sound: str) -> None:
    x = _render(sound, 6.3)
    assert loop_seam(x) < 2.0


@pytest.mark.parametrize("sound", ["brown-noise", "wind"])
def test_the_seam_measure_catches_a_cut(sound: str) -> None:
    """Where the waveform is smooth enough for a cut to show (low rumbles), a bad loop point is caught."""
    x = _render(sound, 6.3)
    assert loop_seam(np.concatenate([x[x.size // 3:], x[:x.size // 3 - 2000]])) > 2.0


@pytest.mark.parametrize("seconds", [0.1, 0.5, 2.0, 7.3, 250.0])
def test_any_length(seconds: float) -> None:
    for sound in (("rain", "clock") if seconds == 250.0 else SOUNDS):
        x = _render(sound, seconds)
        assert abs(x.size / 44100 - seconds) < 0.001, sound


def test_long_sounds_are_whole_loops() -> None:
    x = _render("rain", 250.0)
    third = x.size // 3
    assert np.array_equal(x[:third], x[third:2 * third])  # three identical seamless blocks
    assert loop_seam(x) < 2.0


def test_seeds() -> None:
    a, b, c = _render("fire", 3.0, seed=1), _render("fire", 3.0, seed=1), _render("fire", 3.0, seed=2)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize("prompt,sounds", [
    ("the sound of waves crashing on the shore", ["ocean"]),
    ("rain with distant thunder", ["rain", "thunder"]),
    ("a thunderstorm at night", ["rain", "thunder"]),
    ("white noise for sleep", ["white-noise"]),
    ("brown noise", ["brown-noise"]),
    ("noise for sleeping", ["pink-noise"]),
    ("a crackling campfire", ["fire"]),
    ("a babbling brook", ["stream"]),
    ("birds chirping in the morning", ["birdsong"]),
    ("a clock ticking", ["clock"]),
    ("a slow heartbeat", ["heartbeat"]),
    ("a notification ding", ["chime"]),
    ("a UI beep", ["beep"]),
    ("a whoosh transition", ["whoosh"]),
    ("applause after a speech", ["applause"]),
    ("a howling wind", ["wind"]),
])
def test_words_choose_the_sound(prompt: str, sounds: list[str]) -> None:
    assert find_sounds(prompt) == sounds


def test_words_colour_the_sound() -> None:
    gentle = SoundRequest.from_params("gentle rain", {})
    heavy = SoundRequest.from_params("heavy rain", {})
    assert gentle.settings.intensity < 1.0 < heavy.settings.intensity
    stronger = SoundRequest.from_params("heavy rain", {"prompt_influence": 1.0})
    assert stronger.settings.intensity > heavy.settings.intensity
    assert SoundRequest.from_params("a heartbeat at 90 bpm", {}).settings.rate == 90
    assert SoundRequest.from_params("a 440 hz beep", {}).settings.pitch == 440
    # Explicit params win over words.
    assert SoundRequest.from_params("heavy rain", {"sound": "ocean", "intensity": 0.5}).sounds == ["ocean"]


def test_heavier_rain_has_more_drops() -> None:
    from genloom.sound.measure import envelope

    def busy(prompt: str) -> float:
        req = SoundRequest.from_params(prompt, {"seconds": 5, "seed": 3})
        env = envelope(render(req, 3).samples, 44100, 0.002)
        return float(np.mean(env > 3 * np.median(env)))

    assert busy("heavy rain") != busy("gentle rain")


def test_heartbeat_rate_is_measured_in_the_file() -> None:
    from genloom.sound.measure import envelope_period

    x = render(SoundRequest.from_params("a heartbeat at 120 bpm", {"seconds": 20}), 1).samples
    period, _ = envelope_period(x, 44100, 0.3, 1.2, 0.005)
    assert abs(period - 0.5) < 0.02


@pytest.mark.parametrize("prompt", ["a door creaking", "a dog barking", "footsteps on gravel", ""])
def test_what_it_cannot_make_is_refused_with_the_list(prompt: str) -> None:
    with pytest.raises(InvalidInput) as err:
        SoundRequest.from_params(prompt, {})
    assert "cannot make" in str(err.value) and "rain" in str(err.value) and "applause" in str(err.value)
    with pytest.raises(InvalidInput):
        SoundRequest.from_params("x", {"sound": "creaking door"})


def test_bad_values_name_the_param() -> None:
    for params, name in (({"seconds": 0}, "seconds"), ({"seconds": 99999}, "seconds"), ({"loop": "maybe"}, "loop"),
                         ({"prompt_influence": 2}, "prompt_influence"), ({"seconds": "long"}, "seconds")):
        with pytest.raises(InvalidInput) as err:
            SoundRequest.from_params("rain", params)
        assert err.value.param == name


def test_runner_records_labels_and_writes(tmp_path: Path) -> None:
    from genloom import api
    from genloom.audio.label import read_wav_label
    from genloom.audio.wav import decode
    from genloom.store.db import get_store

    out = tmp_path / "rain.wav"
    result = api.create("sound", "the sound of rain", params={"seconds": 4, "seed": 5, "sidecar": True}, output=out)
    assert result.kind == "sound" and result.model_id == "genloom-sounds"
    samples, rate = decode(out)
    assert rate == 44100 and abs(samples.size / rate - 4.0) < 0.01
    label = read_wav_label(out.read_bytes())
    assert label["ai_generated"] is True and label["sound"] == "rain" and label["seed"] == 5
    side = json.loads((tmp_path / "rain.wav.json").read_text())
    assert side["generation_id"] == result.generation_id and side["ai_generated"] is True
    gen = get_store().generation(result.generation_id)
    assert gen["kind"] == "sound" and gen["seed"] == 5 and gen["params"]["sound"] == "rain"
    ogg = api.create("sound", "", params={"sound": "chime", "format": "ogg"}, output=tmp_path / "c.ogg")
    assert (tmp_path / "c.ogg").read_bytes()[:4] == b"OggS" and ogg.meta["loop"] is False
    with pytest.raises(InvalidInput):
        api.create("sound", "rain", params={"tempo": 120})


def test_sound_is_in_the_registry() -> None:
    from genloom.models.card import KINDS
    from genloom.models.registry import get_registry

    assert "sound" in KINDS
    card = get_registry().default_card("sound")
    assert card.id == "genloom-sounds" and card.is_installed()
    assert get_registry().card("eleven_text_to_sound_v2").id == "genloom-sounds"


def test_cli(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from genloom.cli import cli as main

    out = tmp_path / "w.wav"
    res = CliRunner().invoke(main, ["sound", "gentle ocean waves", "-o", str(out), "--seconds", "3", "--seed", "1"])
    assert res.exit_code == 0, res.output
    from genloom.audio.wav import decode

    samples, rate = decode(out)
    assert abs(samples.size / rate - 3.0) < 0.01
    res = CliRunner().invoke(main, ["sound", "a door creaking", "-o", str(tmp_path / "d.wav")])
    assert res.exit_code != 0 and "cannot make" in res.output and "rain" in res.output
    assert not (tmp_path / "d.wav").exists()
    listing = CliRunner().invoke(main, ["sound", "--list"])
    assert listing.exit_code == 0 and all(s in listing.output for s in SOUNDS)


@pytest.fixture
def client() -> Iterator[object]:
    from fastapi.testclient import TestClient

    from genloom.server.app import create_app
    from genloom.server.settings import Settings

    with TestClient(create_app(Settings.from_env())) as c:
        yield c


def test_server_sound_generation(client: object) -> None:
    from genloom.audio.wav import decode

    r = client.post("/v1/sound-generation", json={"text": "a crackling fire", "duration_seconds": 2.5,
                                                  "prompt_influence": 0.5, "model_id": "eleven_text_to_sound_v2"})
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
    assert r.headers["x-ai-generated"] == "true" and r.headers["x-genloom-sound"] == "fire"
    samples, rate = decode(r.content)
    assert abs(samples.size / rate - 2.5) < 0.01
    mp3 = client.post("/v1/sound-generation?output_format=mp3_44100_128", json={"text": "rain", "model": "sounds",
                                                                               "duration_seconds": 1})
    assert mp3.status_code == 200 and mp3.headers["content-type"] == "audio/mpeg"
    bad = client.post("/v1/sound-generation", json={"text": "a door creaking"})
    assert bad.status_code == 400 and "rain" in bad.json()["error"]["message"] + str(bad.json()["error"])
    assert client.post("/v1/sound-generation", json={"text": "rain", "duration_seconds": -1}).status_code == 400
