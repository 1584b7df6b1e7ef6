"""The speak, compose and transcribe commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from genloom.cli import cli

from .conftest import SENTENCES


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def test_help_lists_audio_commands() -> None:
    out = run("--help").output
    for name in ("speak", "compose", "transcribe"):
        assert name in out


@pytest.mark.e2e
def test_speak_then_transcribe(tmp_path: Path) -> None:
    out = tmp_path / "s.wav"
    result = run("speak", SENTENCES, "-o", str(out), "--seed", "1")
    assert result.exit_code == 0, result.output
    assert out.exists() and out.read_bytes()[:4] == b"RIFF"
    # tiny.en: the fast Whisper (the default, base, is covered by the server's whisper-1 test)
    result = run("transcribe", str(out), "-m", "faster-whisper-tiny.en", "--expect", SENTENCES, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    from genloom.audio.transcribe import word_error_rate

    assert word_error_rate(SENTENCES, data["text"]) <= 0.10


@pytest.mark.e2e
def test_speak_from_stdin_and_stream(tmp_path: Path) -> None:
    out = tmp_path / "in.flac"
    result = run("speak", "-o", str(out), input="Read from standard input.")
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:4] == b"fLaC"
    streamed = CliRunner().invoke(cli, ["speak", "One. Two.", "--stream"])
    assert streamed.exit_code == 0
    assert streamed.stdout_bytes[:4] == b"RIFF" and len(streamed.stdout_bytes) > 10_000


def test_speak_errors_exit_1_without_files(tmp_path: Path) -> None:
    out = tmp_path / "x.wav"
    for args in (["speak", "", "-o", str(out)], ["speak", "hi", "--voice", "nobody", "-o", str(out)],
                 ["speak", "😀", "-o", str(out)], ["speak", "hi", "-o", str(tmp_path)]):
        result = run(*args)
        assert result.exit_code in (1, 2), (args, result.output)  # 2: click's own usage errors
        assert "Error:" in result.output and "Traceback" not in result.output
    result = run("speak", "-o", str(out), input="x" * 100_000)
    assert result.exit_code == 1 and "100,000" in result.output
    assert not out.exists()


def test_speak_list_voices() -> None:
    result = run("speak", "--list-voices", "--json")
    assert result.exit_code == 0
    voices = {r["voice"] for r in json.loads(result.output)}
    assert {"heart", "joe"} <= voices


def test_compose_writes_wav_and_midi(tmp_path: Path) -> None:
    out, mid = tmp_path / "out.wav", tmp_path / "out.mid"
    result = run("compose", "a calm piece in D minor, 10 seconds", "-o", str(out), "--midi", str(mid),
                 "--seed", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["meta"]["key"] == "D minor" and data["meta"]["tempo"] == 66
    assert out.read_bytes()[:4] == b"RIFF" and mid.read_bytes()[:4] == b"MThd"
    result = run("compose", "x", "--tempo", "1000", "-o", str(tmp_path / "y.wav"))
    assert result.exit_code == 1 and "Tempo" in result.output
    assert not (tmp_path / "y.wav").exists()


def test_transcribe_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_text("definitely not audio")
    result = run("transcribe", str(bad))
    assert result.exit_code == 1 and "not a readable audio file" in result.output
    result = run("transcribe", str(tmp_path / "missing.wav"))
    assert result.exit_code == 1 and "No such file" in result.output


def test_compose_genre_flags(tmp_path: Path) -> None:
    import io

    import mido
    import soundfile as sf

    out = tmp_path / "riff.wav"
    result = run("compose", "a riff", "--genre", "rock", "--key", "E", "--mode", "minor", "--tempo", "140",
                 "--seconds", "7", "--no-drums", "--instruments", "overdriven guitar, electric bass",
                 "--engine", "builtin", "-o", str(out), "--seed", "5", "--json")
    assert result.exit_code == 0, result.output
    meta = json.loads(result.output)["meta"]
    assert (meta["genre"], meta["key"], meta["tempo"], meta["drums"]) == ("rock", "E minor", 140, False)
    assert abs(sf.info(str(out)).duration - 7) <= 0.05
    mid = mido.MidiFile(file=io.BytesIO((tmp_path / "riff.mid").read_bytes()))  # written beside the audio
    assert not any(m.type == "note_on" and m.channel == 9 for t in mid.tracks for m in t)
    assert {29, 33} <= {m.program for t in mid.tracks for m in t if m.type == "program_change"}
    result = run("compose", "x", "--genre", "polka", "-o", str(tmp_path / "z.wav"))
    assert result.exit_code == 1 and "genre" in result.output
