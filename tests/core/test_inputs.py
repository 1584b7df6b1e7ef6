"""Input files: typed by their content (never their name), measured, and refused clearly when unusable."""

from __future__ import annotations

import io
import math
import struct
import subprocess
import wave
from pathlib import Path

import pytest

from genloom.errors import InvalidInput
from genloom.inputs import (
    gather,
    load_inputs,
    looks_like_code,
    mentioned_files,
    read_text,
    type_file,
)


def write_wav(path: Path, seconds: float = 1.5, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        n = int(seconds * rate)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 10))) for i in range(n)))
    return path


def write_png(path: Path, size: tuple[int, int] = (320, 200), fmt: str = "PNG") -> Path:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buf, format=fmt)
    path.write_bytes(buf.getvalue())
    return path


def write_mp4(path: Path, seconds: float = 2.0, audio: bool = True) -> Path:
    from genloom.video.encode import ffmpeg_exe

    cmd = [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c=blue:s=160x96:r=12:d={seconds}"]
    if audio:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=300:duration={seconds}", "-c:a", "aac"]
    cmd += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-shortest", "-f", "mp4", str(path)]
    subprocess.run(cmd, check=True, timeout=60)
    return path


def test_audio_is_typed_and_measured(tmp_path: Path) -> None:
    f = type_file(write_wav(tmp_path / "standup.wav", 1.5))
    assert f.kind == "audio" and f.mime == "audio/wav"
    assert f.seconds == pytest.approx(1.5, abs=0.01)
    assert Path(f.path).is_absolute() and f.named_as == "standup.wav"


def test_kind_comes_from_content_not_name(tmp_path: Path) -> None:
    # A WAV named .txt is audio; text named .wav is text; a PNG named .mp3 is an image.
    audio = write_wav(tmp_path / "notes.txt")
    text = tmp_path / "song.wav"
    text.write_text("These are the minutes of the meeting.\nWe agreed on Friday.\n")
    image = write_png(tmp_path / "track.mp3")
    assert type_file(audio).kind == "audio"
    assert type_file(text).kind == "text"
    assert type_file(image).kind == "image"


def test_image_size_and_jpeg(tmp_path: Path) -> None:
    f = type_file(write_png(tmp_path / "photo.bin", (640, 480), "JPEG"))
    assert (f.kind, f.width, f.height, f.mime) == ("image", 640, 480, "image/jpeg")


def test_video_streams_and_length(tmp_path: Path) -> None:
    f = type_file(write_mp4(tmp_path / "clip.dat", 2.0))
    assert f.kind == "video"
    assert (f.width, f.height) == (160, 96)
    assert f.seconds == pytest.approx(2.0, abs=0.15)


def test_code_and_text(tmp_path: Path) -> None:
    code = tmp_path / "notes.txt"
    code.write_text("import os\n\ndef main():\n    print(os.getcwd())\n\nif __name__ == '__main__':\n    main()\n")
    prose = tmp_path / "main.py"
    prose.write_text("Chapter one. The keeper climbed the steps; the lamp was lit at seven.\n")
    assert type_file(code).kind == "code"
    assert type_file(prose).kind == "text"
    assert read_text(type_file(prose)).startswith("Chapter one")
    assert not looks_like_code("Dear team,\nthe launch moves to March.\nThanks!")
    # Comments and docstrings are prose inside a program: they do not make it text.
    documented = ('# AI-generated\ndef is_palindrome(s):\n    """\n    Check a string.\n\n    Args:\n    s (str): it.\n'
                  '    """\n    # normalise first\n    t = s.lower()\n    return t == t[::-1]\n\nprint(is_palindrome("aba"))  # True\n')
    assert looks_like_code(documented)


@pytest.mark.parametrize(("data", "message"), [
    (b"", "is empty"),
    (b"   \n\t\n", "only whitespace"),
    (b"%PDF-1.7\n...", "PDF"),
    (b"MThd\x00\x00\x00\x06", "MIDI"),
    (bytes(range(256)) * 8, "neither text, audio, video nor an image"),
    (b"RIFF\x10\x00\x00\x00WAVEjunk" + bytes(range(256)) * 4, "no decodable sound"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "cannot be read"),
])
def test_unusable_files_are_refused_with_their_name(tmp_path: Path, data: bytes, message: str) -> None:
    bad = tmp_path / "input.bin"
    bad.write_bytes(data)
    with pytest.raises(InvalidInput, match=message) as err:
        type_file(bad, named_as="input.bin")
    assert "input.bin" in str(err.value)
    assert err.value.status == 400


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="minutes.wav does not exist"):
        type_file(tmp_path / "minutes.wav", named_as="minutes.wav")
    with pytest.raises(InvalidInput, match="is a directory"):
        type_file(tmp_path)


def test_unreadable_file(tmp_path: Path) -> None:
    import os

    locked = tmp_path / "locked.txt"
    locked.write_text("secret")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # running as root: permissions do not apply
            pytest.skip("root reads any file")
        with pytest.raises(InvalidInput, match="cannot be read"):
            type_file(locked)
    finally:
        locked.chmod(0o644)


def test_mentioned_files() -> None:
    assert mentioned_files("Summarize standup.wav, then narrate ./notes/ch1.txt.") == ["standup.wav", "./notes/ch1.txt"]
    assert mentioned_files("put music under 'my clip.mp4' please") == ["my clip.mp4"]
    # Numbers, abbreviations and web sites are not files.
    assert mentioned_files("e.g. a 1.5 minute video for example.com with node.js v2.0") == []


def test_gather_explicit_then_named_existing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_wav(tmp_path / "standup.wav")
    (tmp_path / "chapter.txt").write_text("Once upon a time.")
    monkeypatch.chdir(tmp_path)
    files = gather("summarize standup.wav and save it as summary.md", [str(tmp_path / "chapter.txt")])
    assert [(f.id, f.named_as, f.kind) for f in files] == [("in1", "chapter.txt", "text"),
                                                            ("in2", "standup.wav", "audio")]
    # The same file named and passed with -i is one input.
    again = gather("narrate chapter.txt", ["chapter.txt"])
    assert len(again) == 1


def test_load_inputs_stops_at_the_first_bad_file(tmp_path: Path) -> None:
    good = write_wav(tmp_path / "a.wav")
    with pytest.raises(InvalidInput, match="nope.wav"):
        load_inputs([good, tmp_path / "nope.wav"])
