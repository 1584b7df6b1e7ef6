#!/usr/bin/env python
"""Request fidelity: does what ``genloom run`` delivers match what was asked?

Each case is a realistic request with stated settings (durations, sizes,
voices, counts, words to print or speak, tempo, key) and, for some, the
user's own files (made in a temporary folder: a recorded meeting, a text
chapter, a short clip, photos). Every case runs END TO END through
``genloom run REQUEST [-i FILE] -o DIR --json`` on the real embedded models,
then the delivered files are measured with independent tools
(genloom.testing.checks: ffmpeg/libsndfile lengths, Pillow sizes, an
autocorrelation pitch tracker, Whisper tiny.en for spoken words, Tesseract
for printed words, mido for MIDI tempo and key).

A case is *fully right* when every one of its checks passes. Prints each
miss and the fraction fully right:

    .venv/bin/python bench/fidelity.py                 # all cases
    .venv/bin/python bench/fidelity.py -k voice -k clip  # cases whose id contains a word
    .venv/bin/python bench/fidelity.py --list
    .venv/bin/python bench/fidelity.py --set heldout   # the held-out cases (bench/fidelity_heldout.py)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from genloom.errors import GenloomError  # noqa: E402
from genloom.testing import checks  # noqa: E402

# -- what a run delivered ----------------------------------------------------------------


@dataclass
class Outcome:
    code: int
    data: dict[str, Any]
    stderr: str
    workdir: Path

    def steps(self, kind: str | None = None, deliverable_only: bool = True) -> list[dict[str, Any]]:
        plan = {s["id"]: s for s in self.data.get("plan", {}).get("steps", [])}
        out = []
        for s in self.data.get("steps", []):
            if kind and s["kind"] != kind:
                continue
            if deliverable_only and not plan.get(s["step_id"], {}).get("deliverable", True):
                continue
            out.append(s)
        return out

    def files(self, kind: str, suffixes: tuple[str, ...] = ()) -> list[Path]:
        paths = [Path(p) for s in self.steps(kind) if s["status"] == "ok" for p in s["paths"]]
        if suffixes:
            paths = [p for p in paths if p.suffix.lower() in suffixes]
        return paths

    def text(self, *kinds: str) -> str:
        return "\n".join(s.get("text") or "" for k in kinds for s in self.steps(k) if s["status"] == "ok")


Check = Callable[[Outcome], tuple[bool, str]]
AUDIO = (".wav", ".mp3", ".flac", ".ogg")
IMAGES = (".png", ".jpg", ".jpeg", ".webp")


def _one(o: Outcome, kind: str, suffixes: tuple[str, ...]) -> Path:
    found = o.files(kind, suffixes)
    if not found:
        raise LookupError(f"no {kind} file delivered")
    return found[0]


# -- checks (each returns (ok, what was measured)) -------------------------------------------

def kinds_are(*wanted: str) -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        got = sorted(o.data.get("plan", {}).get("deliverables", []))
        return sorted(wanted) == got, f"deliverables {got}, wanted {sorted(wanted)}"
    return check


def all_ok() -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        bad = [f"{s['step_id']}: {s.get('error')}" for s in o.data.get("steps", []) if s["status"] != "ok"]
        return o.code == 0 and not bad, f"exit {o.code}" + (f", failed {bad}" if bad else "")
    return check


def lasts(kind: str, target: float, tol: float = 0.15, at_least: bool = False) -> Check:
    suffixes = (".mp4", ".gif") if kind == "video" else AUDIO

    def check(o: Outcome) -> tuple[bool, str]:
        got = checks.seconds(_one(o, kind, suffixes))
        ok = got >= target * (1 - tol) if at_least else abs(got - target) <= max(0.6, target * tol)
        return ok, f"{kind} lasts {got:.1f} s, asked {target:g} s"
    return check


def same_length_as(kind: str, input_name: str, tol: float = 0.6) -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        want = checks.seconds(o.workdir / input_name)
        got = checks.seconds(_one(o, kind, (".mp4", ".gif") if kind == "video" else AUDIO))
        return abs(got - want) <= tol, f"{kind} lasts {got:.1f} s, {input_name} lasts {want:.1f} s"
    return check


def sized(width: int, height: int, count: int | None = None) -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        files = o.files("image", IMAGES) or o.files("video", (".mp4",))
        if not files:
            return False, "no image delivered"
        sizes = [checks.image_size(f) if f.suffix in IMAGES else _video_size(f) for f in files]
        ok = all(s == (width, height) for s in sizes) and (count is None or len(files) == count)
        return ok, f"sizes {sizes}, asked {count or 'any'} x {width}x{height}"
    return check


def _video_size(path: Path) -> tuple[int, int]:
    from genloom.inputs import type_file

    f = type_file(path)
    return int(f.width or 0), int(f.height or 0)


def aspect(ratio: float, kind: str = "image") -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        f = _one(o, kind, IMAGES if kind == "image" else (".mp4",))
        w, h = checks.image_size(f) if kind == "image" else _video_size(f)
        return abs(w / h - ratio) <= 0.02 * ratio, f"{kind} is {w}x{h} ({w / h:.3f}), asked {ratio:.3f}"
    return check


def image_count(n: int) -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        got = len(o.files("image", IMAGES))
        return got == n, f"{got} images, asked {n}"
    return check


def voice(pitch: str, kind: str = "speech") -> Check:
    """low: a male voice (median F0 under 165 Hz); high: a female or child voice (over 165 Hz)."""
    def check(o: Outcome) -> tuple[bool, str]:
        hz = checks.pitch_hz(_one(o, kind, AUDIO if kind == "speech" else (".mp4",)))
        ok = hz < 165 if pitch == "low" else hz > 165
        return ok, f"voice F0 {hz:.0f} Hz, asked {pitch}"
    return check


def says(words: str, kind: str = "speech", recall: float = 0.8) -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        heard = checks.spoken_text(_one(o, kind, AUDIO if kind == "speech" else (".mp4",)))
        r = checks.word_recall(words, heard)
        return r >= recall, f"heard {heard[:120]!r} ({r:.0%} of the words)"
    return check


def never_says(phrase: str) -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        heard = checks.spoken_text(_one(o, "speech", AUDIO))
        r = checks.word_recall(phrase, heard, content_only=False)
        return r < 0.7, f"the instruction {phrase!r} was {'spoken' if r >= 0.7 else 'not spoken'}: {heard[:80]!r}"
    return check


def prints(words: str, recall: float = 0.75) -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        f = _one(o, "image", IMAGES)
        seen = checks.printed_text(f)
        r = checks.printed_recall(words, seen)
        return r >= recall, f"OCR read {' '.join(seen.split())[:100]!r} ({r:.0%} of {words!r})"
    return check


def tempo(bpm: int, tol: float = 3) -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        midi = _one(o, "music", (".mid", ".midi"))
        got = checks.midi_tempo(midi)
        return abs(got - bpm) <= tol, f"MIDI tempo {got:.0f} bpm, asked {bpm}"
    return check


def key(tonic: str, mode: str) -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        midi = _one(o, "music", (".mid", ".midi"))
        got = checks.midi_key(midi)
        return checks.same_pitch_class(got[0], tonic) and got[1] == mode, f"MIDI key {got}, asked {tonic} {mode}"
    return check


def text_has(words: str, recall: float = 0.7, *kinds: str) -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        text = o.text(*(kinds or ("text", "transcript")))
        r = checks.word_recall(words, text)
        return r >= recall, f"text holds {r:.0%} of {words!r}: {' '.join(text.split())[:100]!r}"
    return check


def invents_no_numbers(source_file: str) -> Check:
    """Every number in the result appears in the source (a summary must not invent figures)."""
    def check(o: Outcome) -> tuple[bool, str]:
        source = (o.workdir / source_file).read_text()
        have = set(re.findall(r"\d+(?:[.,]\d+)?", source))
        text = o.text("text")
        extra = [n for n in re.findall(r"\d+(?:[.,]\d+)?", text) if n not in have]
        return not extra and bool(text.strip()), f"numbers not in the source: {extra}" if extra else "no invented numbers"
    return check


def word_count(lo: int, hi: int) -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        n = len(checks.words(o.text("text")))
        return lo <= n <= hi, f"{n} words, asked {lo}-{hi}"
    return check


def french() -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        w = checks.words(o.text("text"))
        fr = sum(x in {"le", "la", "les", "et", "de", "des", "est", "une", "un", "du", "pour", "nous", "à"} for x in w)
        return bool(w) and fr / len(w) > 0.08, f"{fr}/{len(w)} French function words"
    return check


def is_code(language: str = "python") -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        files = o.files("code")
        if not files:
            return False, "no code file"
        src = files[0].read_text()
        if language == "python":
            try:
                compile(src, str(files[0]), "exec")
            except SyntaxError as exc:
                return False, f"python does not compile: {exc}"
        return checks.kind_of(files[0]) == "code" or language != "python", f"{files[0].name}: {len(src)} chars"
    return check


def shows_images(*names: str) -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        video = _one(o, "video", (".mp4",))
        found = checks.frame_matches(video, [o.workdir / n for n in names])
        return all(found), f"images shown: {dict(zip(names, found, strict=True))}"
    return check


def keeps_picture(input_name: str) -> Check:
    """The user's clip is still the picture: its frames appear in the result."""
    def check(o: Outcome) -> tuple[bool, str]:
        from genloom.video.encode import ffmpeg_exe

        video = _one(o, "video", (".mp4",))
        still = o.workdir / "_clip_frame.png"
        import subprocess

        subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-ss", "1", "-i", str(o.workdir / input_name),
                        "-frames:v", "1", str(still)], check=True, timeout=60)
        found = checks.frame_matches(video, [still])[0]
        return found, "the clip's picture is kept" if found else "the clip's picture is gone"
    return check


def has_sound(kind: str = "video") -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        import numpy as np

        f = _one(o, kind, (".mp4",))
        samples = checks._samples(f)
        level = float(np.sqrt(np.mean(np.square(samples)))) if len(samples) else 0.0
        return level > 0.005, f"sound level {level:.4f}"
    return check


def music_under_voice(kind: str = "speech") -> Check:
    """A voice over a music bed: the track never drops to silence between the words."""
    def check(o: Outcome) -> tuple[bool, str]:
        level = checks.level_between_words(_one(o, kind, AUDIO))
        return level > 0.004, f"level between the words {level:.4f} (a bare voice measures ~0)"
    return check


def fails_clearly(fragment: str) -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        lines = [ln for ln in o.stderr.strip().splitlines() if ln.strip()]
        ok = o.code != 0 and any(fragment.lower() in ln.lower() for ln in lines)
        return ok, f"exit {o.code}, stderr {lines[-1][:120] if lines else ''!r}"
    return check


# -- the user's files ------------------------------------------------------------------------

MEETING = ("Good morning team. The launch moves to March twelfth. Priya will finish the billing page by Friday. "
           "We still need two more testers for the mobile app.")
CHAPTER = ("The lighthouse keeper, Tomas, climbed the one hundred and twelve steps every evening. "
           "He lit the lamp at seven. One night a small boat named Wren drifted toward the rocks, "
           "and Tomas rang the bell until the sailors turned away.")
REPORT = ("Quarterly report for Alder Bikes. Revenue was 4.2 million euros, up 18 percent. "
          "The Lyon store opened in May and sold 640 bikes in its first month. "
          "Returns fell to 3 percent after the new sizing guide. "
          "The team plans two new cargo models for spring.")
NOTICE = "The library will close early on Friday at four o'clock. Please return borrowed laptops by noon."


def make_speech(path: Path, text: str) -> None:
    from genloom import api

    out = api.create("speech", text, params={})
    path.write_bytes(Path(out.paths[0]).read_bytes())


def make_clip(path: Path, seconds: float, with_speech: str | None = None, size: str = "640x360") -> None:
    """A clip of moving colour bars; with_speech puts a spoken sentence on its sound track."""
    import subprocess

    from genloom.video.encode import ffmpeg_exe

    cmd = [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=24:duration={seconds}"]
    if with_speech:
        wav = path.with_suffix(".speech.wav")
        make_speech(wav, with_speech)
        cmd += ["-i", str(wav), "-af", f"apad=whole_dur={seconds}", "-t", str(seconds)]
    else:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=220:duration={seconds}", "-af", "volume=0.05"]
    cmd += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)]
    subprocess.run(cmd, check=True, timeout=120)


def make_photo(path: Path, seed: int, size: tuple[int, int] = (800, 600)) -> None:
    """A distinct picture: coloured shapes on a gradient (each seed looks different)."""
    import random

    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    c1, c2 = [tuple(rnd.randrange(256) for _ in range(3)) for _ in range(2)]
    for y in range(size[1]):
        t = y / size[1]
        draw.line([(0, y), (size[0], y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(c1, c2, strict=True)))
    for _ in range(6):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        r = rnd.randrange(40, 160)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rnd.randrange(256) for _ in range(3)))
    img.save(path, format="JPEG" if path.suffix in (".jpg", ".jpeg") else "PNG")


def photo(seed: int) -> Callable[[Path], None]:
    return lambda p: make_photo(p, seed)


# -- the cases --------------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    request: str
    checks: list[Check]
    inputs: dict[str, Callable[[Path], None]] = field(default_factory=dict)
    # Files passed with -i (the others are only named in the request).
    flags: list[str] = field(default_factory=list)


CASES: list[Case] = [
    # speech: durations, voices, verbatim words, never the instruction
    Case("voice-25s-low-male", "Record a 25-second voiceover in a low male voice about our new rooftop garden cafe.",
         [kinds_are("speech"), all_ok(), lasts("speech", 25, 0.2), voice("low"),
          never_says("record a voiceover")]),
    Case("voice-female-verbatim", 'In a female voice, say "Welcome to Harbor Dental, we open at eight."',
         [kinds_are("speech"), all_ok(), voice("high"), says("Welcome to Harbor Dental, we open at eight")]),
    Case("read-aloud-colon", "Read this aloud: Doors close in five minutes. Please take your seats.",
         [kinds_are("speech"), all_ok(), says("Doors close in five minutes. Please take your seats.")]),
    Case("voice-10s-about", "A 10-second voice message about the bakery being closed on Monday.",
         [kinds_are("speech"), all_ok(), lasts("speech", 10, 0.3), never_says("voice message about")]),
    Case("voice-deep-announcement", 'A deep male voice announcing "Gate twelve is now boarding."',
         [kinds_are("speech"), all_ok(), voice("low"), says("Gate twelve is now boarding")]),
    Case("voice-40s-podcast-intro", "A 40-second podcast intro about urban beekeeping.",
         [kinds_are("speech"), all_ok(), lasts("speech", 40, 0.25), never_says("podcast intro"),
          music_under_voice()]),
    Case("radio-ad-with-music", "A 20-second radio ad with soft guitar music for Spoke & Chain bike repairs.",
         [kinds_are("speech"), all_ok(), lasts("speech", 20, 0.15), music_under_voice(), never_says("radio ad")]),
    # images: sizes, formats, counts, printed words
    Case("story-image", "An Instagram story image for a summer sale at Lumen Books.",
         [kinds_are("image"), all_ok(), aspect(9 / 16)]),
    Case("banner-1200x628", 'A 1200x628 link banner with the headline "Spring Sale".',
         [kinds_are("image"), all_ok(), sized(1200, 628), prints("Spring Sale")]),
    Case("four-logos", "Four logo options for a bike repair shop called Spoke & Chain.",
         [kinds_are("image"), all_ok(), image_count(4)]),
    Case("yt-thumbnail", 'A YouTube thumbnail that says "TOP 5 HIKES".',
         [kinds_are("image"), all_ok(), sized(1280, 720), prints("TOP 5 HIKES")]),
    Case("square-poster-text", 'A square poster for a jazz night with the headline "Blue Monday".',
         [kinds_are("image"), all_ok(), aspect(1.0), prints("Blue Monday")]),
    Case("three-icons", "Three app icon ideas for a weather app.",
         [kinds_are("image"), all_ok(), image_count(3)]),
    Case("a4-poster", 'An A4 poster for a charity run that says "Run for Rivers".',
         [kinds_are("image"), all_ok(), aspect(2480 / 3508), prints("Run for Rivers")]),
    Case("wide-16-9", "A 16:9 illustration of a lighthouse at dusk.",
         [kinds_are("image"), all_ok(), aspect(16 / 9)]),
    Case("exact-512", "A 512x512 icon of a paper plane.",
         [kinds_are("image"), all_ok(), sized(512, 512)]),
    # music: length, tempo, key
    Case("music-30s-120", "A 30-second upbeat pop track at 120 bpm.",
         [kinds_are("music"), all_ok(), lasts("music", 30, 0.15), tempo(120)]),
    Case("music-d-minor", "A slow piano piece in D minor, about 20 seconds.",
         [kinds_are("music"), all_ok(), lasts("music", 20, 0.2), key("D", "minor")]),
    Case("jingle-loop-coffee", "A jingle for Loop Coffee, 15 seconds, in G major.",
         [kinds_are("music"), all_ok(), lasts("music", 15, 0.2), key("G", "major")]),
    Case("lofi-80", "Lo-fi beat, 80 bpm, 45 seconds, for studying.",
         [kinds_are("music"), all_ok(), lasts("music", 45, 0.15), tempo(80)]),
    Case("rock-140-e", "A rock instrumental at 140 bpm in E minor lasting 25 seconds.",
         [kinds_are("music"), all_ok(), tempo(140), key("E", "minor"), lasts("music", 25, 0.15)]),
    # video: durations, formats, narration
    Case("reel-20s", "A 20-second Instagram reel about a farmers market.",
         [kinds_are("video"), all_ok(), lasts("video", 20, 0.1), aspect(9 / 16, "video")]),
    Case("video-12s-square", "A 12-second square video of falling autumn leaves.",
         [kinds_are("video"), all_ok(), lasts("video", 12, 0.1), aspect(1.0, "video")]),
    Case("video-narrated-30s", "A 30-second video with narration about recycling batteries.",
         [all_ok(), lasts("video", 30, 0.1), has_sound()]),
    Case("video-narrated-free", "A short narrated video about how bees make honey.",
         [all_ok(), has_sound(), lasts("video", 4, 0.0, at_least=True)]),
    # text and code
    Case("text-50-words", "A 50-word product description for a bamboo toothbrush.",
         [kinds_are("text"), all_ok(), word_count(35, 70)]),
    Case("python-code", "Write a Python function that checks whether a string is a palindrome.",
         [kinds_are("code"), all_ok(), is_code("python")]),
    Case("three-taglines", "Three taglines for a dog-walking service called Happy Tails.",
         [kinds_are("text"), all_ok(), text_has("Happy Tails", 0.5)]),
    # the user's files: transcribe, summarize, translate, narrate
    Case("transcribe-wav", "Transcribe standup.wav.",
         [all_ok(), text_has("launch moves March twelfth Priya billing page Friday testers", 0.6)],
         {"standup.wav": lambda p: make_speech(p, MEETING)}),
    Case("summarize-wav", "Summarize standup.wav in two sentences.",
         [all_ok(), kinds_are("text"), text_has("launch March Priya billing", 0.5)],
         {"standup.wav": lambda p: make_speech(p, MEETING)}),
    Case("summarize-report", "Summarize report.txt for the board.",
         [all_ok(), kinds_are("text"), text_has("Alder revenue Lyon", 0.6), invents_no_numbers("report.txt")],
         {"report.txt": lambda p: p.write_text(REPORT)}),
    Case("translate-notice", "Translate notice.txt into French.",
         [all_ok(), kinds_are("text"), french()],
         {"notice.txt": lambda p: p.write_text(NOTICE)}),
    Case("narrate-chapter", "Narrate chapter1.txt.",
         [all_ok(), kinds_are("speech"), says(CHAPTER, recall=0.75)],
         {"chapter1.txt": lambda p: p.write_text(CHAPTER)}),
    Case("narrate-flag", "Read this file aloud in a calm voice.",
         [all_ok(), kinds_are("speech"), says(NOTICE, recall=0.75)],
         {"notice.md": lambda p: p.write_text(NOTICE)}, flags=["notice.md"]),
    Case("transcribe-video", "Transcribe the talk in talk.mp4.",
         [all_ok(), text_has("library close early Friday laptops noon", 0.5)],
         {"talk.mp4": lambda p: make_clip(p, 8, with_speech=NOTICE)}),
    Case("summarize-content-typed", "Summarize the attached recording.",
         [all_ok(), kinds_are("text"), text_has("launch March Priya", 0.5)],
         # a WAV named .txt: typed by its content, it is audio
         {"recording.txt": lambda p: make_speech(p, MEETING)}, flags=["recording.txt"]),
    # the user's video: voiceover and music, as long as the clip
    Case("clip-voiceover", "Add a voiceover about our hiking trip to clip.mp4.",
         [all_ok(), kinds_are("video"), same_length_as("video", "clip.mp4"), has_sound(), keeps_picture("clip.mp4")],
         {"clip.mp4": lambda p: make_clip(p, 9)}),
    Case("clip-music", "Put calm music under demo.mp4.",
         [all_ok(), kinds_are("video"), same_length_as("video", "demo.mp4"), has_sound(), keeps_picture("demo.mp4")],
         {"demo.mp4": lambda p: make_clip(p, 7)}),
    Case("clip-voice-and-music", "Add narration and background music to tour.mp4 about a museum tour.",
         [all_ok(), kinds_are("video"), same_length_as("video", "tour.mp4"), has_sound()],
         {"tour.mp4": lambda p: make_clip(p, 10)}),
    # the user's images: slideshow, headline
    Case("slideshow-3", "Make a slideshow video from beach1.jpg, beach2.jpg and beach3.jpg.",
         [all_ok(), kinds_are("video"), shows_images("beach1.jpg", "beach2.jpg", "beach3.jpg")],
         {f"beach{i}.jpg": photo(i) for i in (1, 2, 3)}),
    Case("slideshow-flags-15s", "A 15-second slideshow of these photos.",
         [all_ok(), kinds_are("video"), lasts("video", 15, 0.1), shows_images("a.png", "b.png")],
         {"a.png": lambda p: make_photo(p, 11), "b.png": lambda p: make_photo(p, 12)}, flags=["a.png", "b.png"]),
    Case("headline-on-photo", 'Put the headline "Open House Saturday" on house.jpg.',
         [all_ok(), kinds_are("image"), sized(800, 600), prints("Open House Saturday")],
         {"house.jpg": lambda p: make_photo(p, 21)}),
    # honest failures
    Case("missing-input", "Summarize minutes.wav.",
         [fails_clearly("minutes.wav")]),
    Case("unreadable-input", "Transcribe broken.wav.",
         [fails_clearly("broken.wav")],
         {"broken.wav": lambda p: p.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk" + bytes(range(256)) * 4)}),
]


# -- running ----------------------------------------------------------------------------------

def run_case(case: Case, workdir: Path, use_llm: bool) -> Outcome:
    from click.testing import CliRunner

    from genloom.cli import cli

    for name, make in case.inputs.items():
        make(workdir / name)
    args = ["run", case.request, "-o", str(workdir / "out"), "--json"]
    for name in case.flags:
        args += ["-i", str(workdir / name)]
    if not use_llm:
        args.append("--no-llm")
    cwd = os.getcwd()
    os.chdir(workdir)  # names in the request are found relative to the working directory
    try:
        res = CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    try:
        data = json.loads(res.stdout) if res.stdout.strip().startswith("{") else {}
    except json.JSONDecodeError:
        data = {}
    return Outcome(res.exit_code, data, res.stderr, workdir)


def judge(case: Case, outcome: Outcome) -> list[str]:
    misses = []
    for check in case.checks:
        try:
            ok, detail = check(outcome)
        except (LookupError, ValueError, OSError, RuntimeError, GenloomError) as exc:
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        if not ok:
            misses.append(detail)
    return misses


def _case_set(name: str) -> list[Case]:
    if name == "dev":
        return CASES
    # The held-out cases live in their own module so they are written (and read) apart from these.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from fidelity_heldout import HELDOUT

    return HELDOUT


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=("dev", "heldout"), default="dev",
                    help="which cases: the development set (default) or the held-out set")
    ap.add_argument("-k", action="append", default=[], help="only cases whose id contains this (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--no-llm", action="store_true", help="run genloom with --no-llm")
    ap.add_argument("--keep", type=Path, help="keep every case's files under this folder")
    ap.add_argument("--shard", default="1/1", metavar="I/N",
                    help="run every N-th case starting at the I-th (run N shards side by side; add their counts)")
    args = ap.parse_args()
    cases = [c for c in _case_set(args.set) if not args.k or any(k in c.id for k in args.k)]
    index, total = (int(x) for x in args.shard.split("/"))
    cases = cases[index - 1::total]
    if args.list:
        for c in cases:
            print(f"{c.id:<26} {c.request}")
        return 0
    right, t0 = 0, time.perf_counter()
    misses_all: list[tuple[str, list[str]]] = []
    base = args.keep or Path(tempfile.mkdtemp(prefix="genloom-fidelity-"))
    for i, case in enumerate(cases, 1):
        workdir = base / case.id
        workdir.mkdir(parents=True, exist_ok=True)
        t1 = time.perf_counter()
        outcome = run_case(case, workdir, use_llm=not args.no_llm)
        misses = judge(case, outcome)
        right += not misses
        mark = "ok  " if not misses else "MISS"
        print(f"[{i:2d}/{len(cases)}] {mark} {case.id:<26} {time.perf_counter() - t1:5.1f} s", flush=True)
        for m in misses:
            print(f"        - {m}", flush=True)
        if misses:
            misses_all.append((case.id, misses))
    print(f"\nfully right: {right}/{len(cases)} = {right / max(1, len(cases)):.1%} "
          f"({time.perf_counter() - t0:.0f} s)")
    for cid, misses in misses_all:
        print(f"  miss {cid}: {'; '.join(misses)}")
    if not args.keep:
        import shutil

        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
