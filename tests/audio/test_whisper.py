"""Whisper (faster-whisper, CTranslate2 int8): assembly, transcripts with timings, subtitles, language, translation."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from genloom.audio.transcript import Segment, Transcript, Word, render, to_srt, to_vtt
from genloom.backends import whisper_ct2
from genloom.errors import InvalidInput

from .conftest import SENTENCES

TINY = "faster-whisper-tiny.en"
BASE = "faster-whisper-base"


def _ready(card_id: str) -> None:
    from genloom.models.registry import get_registry

    if get_registry().card(card_id).installed_status() == "missing":
        pytest.skip(f"{card_id} is not installed (make setup)")


def test_subtitle_formats() -> None:
    words = [Word("Hello", 0.0, 0.4), Word("there.", 0.5, 0.9), Word("General", 8.0, 8.5), Word("Kenobi.", 8.6, 9.4)]
    t = Transcript(text="Hello there. General Kenobi.", language="en", duration=10.0,
                   segments=[Segment(0, 0.0, 9.4, "Hello there. General Kenobi.", words)])
    srt = to_srt(t)
    # The 9.4 s segment is longer than a cue may be: it splits at a word boundary.
    assert srt.startswith("1\n00:00:00,000 --> 00:00:00,900\nHello there.\n\n2\n00:00:08,000 --> 00:00:09,400\n")
    vtt = to_vtt(t)
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nHello there.")
    verbose, mime = render(t, "verbose_json")
    assert mime == "application/json" and verbose["language"] == "english" and len(verbose["words"]) == 4
    assert render(t, "text")[0] == "Hello there. General Kenobi.\n"
    with pytest.raises(InvalidInput):
        render(t, "docx")


def test_assembly_joins_parts_and_checks_sha(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The base model's parts are joined beside copies of part 1's side files; a wrong sha256 is refused."""
    import hashlib

    pkg1, pkg2 = tmp_path / "p1", tmp_path / "p2"
    (pkg1 / "data").mkdir(parents=True)
    (pkg2 / "data").mkdir(parents=True)
    (pkg1 / "data" / "model.bin.part1").write_bytes(b"abc" * 1000)
    (pkg2 / "data" / "model.bin.part2").write_bytes(b"xyz" * 1000)
    (pkg1 / "data" / "config.json").write_text(json.dumps({"alignment_heads": [[1, 1]], "lang_ids": [1, 2]}))
    (pkg1 / "data" / "tokenizer.json").write_text("{}")
    (pkg1 / "data" / "vocabulary.txt").write_text("a\n")
    dirs = {"fake_part1": pkg1, "fake_part2": pkg2}
    monkeypatch.setattr(whisper_ct2, "_package_dir", lambda module: dirs.get(module))
    monkeypatch.setattr(whisper_ct2.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setenv("GENLOOM_MODELS_DIR", str(tmp_path / "models"))
    good = hashlib.sha256(b"abc" * 1000 + b"xyz" * 1000).hexdigest()
    card = whisper_ct2.WHISPER_BASE.model_copy(update={"sha256": good, "options": {
        **whisper_ct2.WHISPER_BASE.options, "parts": ["fake_part1", "fake_part2"], "dirname": "wb"}})
    assert whisper_ct2.status(card) == "installable"
    out = whisper_ct2.ensure_installed(card)
    assert (out / "model.bin").read_bytes() == b"abc" * 1000 + b"xyz" * 1000
    assert {p.name for p in out.iterdir()} >= {"config.json", "tokenizer.json", "vocabulary.txt", "model.bin.sha256"}
    assert whisper_ct2.status(card) == "installed"
    bad = card.model_copy(update={"sha256": "0" * 64, "options": {**card.options, "dirname": "wb2"}})
    from genloom.errors import CorruptWeights

    with pytest.raises(CorruptWeights):
        whisper_ct2.ensure_installed(bad)
    assert not (tmp_path / "models" / "wb2" / "model.bin").exists()


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from genloom.audio import speech

    data, _ = speech.synthesize(SENTENCES, seed=0)
    path = tmp_path_factory.mktemp("w") / "s.wav"
    path.write_bytes(data)
    yield path


@pytest.fixture(scope="module")
def short_spoken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from genloom.audio import speech

    data, _ = speech.synthesize("The quick brown fox jumps over the lazy dog.", seed=0)
    path = tmp_path_factory.mktemp("w") / "short.wav"
    path.write_bytes(data)
    yield path


@pytest.mark.e2e
def test_tiny_transcribes_with_word_timestamps(spoken: Path) -> None:
    from genloom.audio.transcribe import transcribe_full, word_error_rate
    from genloom.audio.wav import decode

    _ready(TINY)
    samples, rate = decode(spoken)
    t = transcribe_full(spoken, model=TINY, word_timestamps=True)
    assert word_error_rate(SENTENCES, t.text) <= 0.10, t.text
    assert t.language == "en" and abs(t.duration - samples.size / rate) < 0.05
    words = t.words()
    assert len(words) >= 15
    starts = [w.start for w in words]
    assert starts == sorted(starts) and all(w.end >= w.start for w in words)
    assert words[-1].end <= t.duration + 0.1 and words[0].start < 1.5
    fox = next(w for w in words if "fox" in w.word.lower())
    lunch = next(w for w in words if "lunch" in w.word.lower())
    assert fox.end < lunch.start  # the timings follow the speech
    with pytest.raises(InvalidInput):
        transcribe_full(spoken, model=TINY, task="translate")


@pytest.mark.e2e
def test_cli_writes_subtitles(short_spoken: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from genloom.cli import cli

    _ready(TINY)
    out = tmp_path / "s.srt"
    res = CliRunner().invoke(cli, ["transcribe", str(short_spoken), "-m", TINY, "--srt", "-o", str(out)])
    assert res.exit_code == 0, res.output
    srt = out.read_text()
    assert srt.startswith("1\n00:00:0") and " --> " in srt and "fox" in srt.lower()
    res = CliRunner().invoke(cli, ["transcribe", str(short_spoken), "-m", TINY, "--vtt"])
    assert res.exit_code == 0 and res.output.startswith("WEBVTT\n\n00:00:0")


def _espeak(text: str, voice: str, path: Path) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng (Debian) makes the non-English speech for this test")
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True)
    return path


@pytest.mark.e2e
def test_base_detects_the_language_and_translates(tmp_path: Path) -> None:
    from genloom.audio.transcribe import transcribe_full

    _ready(BASE)
    french = _espeak("Bonjour, je m'appelle Marie. J'habite à Paris depuis dix ans, et j'aime beaucoup le pain frais.",
                     "fr", tmp_path / "fr.wav")
    heard = transcribe_full(french, model=BASE)
    assert heard.language == "fr" and heard.language_probability > 0.3 and "Paris" in heard.text
    english = transcribe_full(french, model=BASE, task="translate")
    assert english.task == "translate" and "Paris" in english.text
    assert {"je", "suis", "habite"}.isdisjoint(english.text.lower().split()), english.text


@pytest.mark.e2e
def test_server_formats_and_translation(short_spoken: Path) -> None:
    from fastapi.testclient import TestClient

    from genloom.server.app import create_app
    from genloom.server.settings import Settings

    _ready(TINY)
    with TestClient(create_app(Settings.from_env())) as client:
        def post(fmt: str, **form: str) -> object:
            with short_spoken.open("rb") as f:
                return client.post("/v1/audio/transcriptions", files={"file": ("s.wav", f, "audio/wav")},
                                   data={"model": TINY, "response_format": fmt, **form})

        verbose = post("verbose_json", **{"timestamp_granularities[]": "word"}).json()
        assert verbose["language"] == "english" and verbose["duration"] > 1.5 and verbose["segments"]
        assert verbose["words"] and verbose["words"][0]["start"] < verbose["words"][-1]["end"]
        srt = post("srt")
        assert srt.status_code == 200 and srt.text.startswith("1\n00:00:0")
        vtt = post("vtt")
        assert vtt.headers["content-type"].startswith("text/vtt") and vtt.text.startswith("WEBVTT")
        assert "fox" in post("text").text.lower()
        with short_spoken.open("rb") as f:
            tr = client.post("/v1/audio/translations", files={"file": ("s.wav", f, "audio/wav")},
                             data={"model": TINY})
        assert tr.status_code == 400 and "translate" in tr.json()["error"]["message"]  # tiny.en is English-only


def test_wer_counts_numbers_in_digits_or_words() -> None:
    from genloom.audio.transcribe import word_error_rate

    assert word_error_rate("platform four at twenty one, one hundred metres", "Platform 4 at 21, 100 metres") == 0
    assert word_error_rate("one hundred and five", "105") > 0  # "and" is said, not written
    assert word_error_rate("platform four", "platform 5") == 0.5
