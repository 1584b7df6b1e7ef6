"""What a step works from: the user's files and earlier steps' outputs, as words, files and durations.

The executor asks here for three things a step needs besides its prompt:

* the *words* it must stay within: a text file's contents, the transcript of
  an audio or video file (extracted with ffmpeg, transcribed with the
  installed recogniser), or an earlier step's text;
* the *files* it is built on: a user's clip, images or picture;
* the *durations* that chain steps: a clip's length, a narration's length.

Grounded writing (summaries, translations) puts the source text itself in
the prompt and tells the model to add nothing: inventing content the input
does not hold is the worst thing genloom can do.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from genloom.brain.spec import InputFile
from genloom.errors import GenerationFailed, InvalidInput

# The default LLM has a 4096-token window; ~3.5 characters a token in English,
# and the prompt and reply must both fit.
CHUNK_CHARS = 4000
GROUNDING = ("Use only what the source text says. Do not add facts, names, numbers or events that are not in it. "
             "If the source is short, the result is short.")
GROUNDED_SYSTEM = "You work only from the source text the user gives you. You never invent anything."

LANGUAGES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "sv": "Swedish", "da": "Danish", "no": "Norwegian", "fi": "Finnish", "pl": "Polish",
    "cs": "Czech", "ru": "Russian", "uk": "Ukrainian", "tr": "Turkish", "el": "Greek", "ar": "Arabic",
    "he": "Hebrew", "hi": "Hindi", "ja": "Japanese", "ko": "Korean", "zh": "Chinese", "vi": "Vietnamese",
    "id": "Indonesian", "th": "Thai", "ro": "Romanian", "hu": "Hungarian", "ca": "Catalan",
}


def language_name(code: str) -> str:
    """"fr" -> "French"; a name passes through ("French")."""
    return LANGUAGES.get(code.lower(), code) if code else code


def extract_audio(video: Path, workdir: Path) -> Path:
    """The sound of a video file as 16 kHz mono WAV (what recognisers read)."""
    from genloom.video.encode import ffmpeg_exe

    out = workdir / f"{video.stem}-audio.wav"
    run = subprocess.run([ffmpeg_exe(), "-y", "-v", "error", "-i", str(video), "-vn", "-ac", "1", "-ar", "16000",
                          "-c:a", "pcm_s16le", str(out)], capture_output=True, text=True, timeout=600)
    if run.returncode != 0 or not out.is_file() or out.stat().st_size <= 44:
        reason = run.stderr.strip()[-200:] or "it has no sound track"
        raise InvalidInput(f"Cannot take the sound out of {video.name}: {reason}",
                           hint="pass a video with an audio track, or the audio file itself", param="inputs")
    return out


def media_seconds(path: Path) -> float:
    """Length in seconds of an audio or video file."""
    from genloom.inputs import type_file

    info = type_file(path)
    if info.seconds is None:
        raise GenerationFailed(f"Could not measure the length of {path.name}")
    return float(info.seconds)


def transcribable(f: InputFile, workdir: Path) -> Path:
    """The audio file to transcribe for an audio or video input."""
    if f.kind == "audio":
        return Path(f.path)
    if f.kind == "video":
        return extract_audio(Path(f.path), workdir)
    raise InvalidInput(f"Input {f.named_as or f.path} is {f.kind}; only audio or video can be transcribed",
                       param="inputs")


def scratch_dir() -> Path:
    """A private temporary folder for extracted audio (removed by the OS's temp cleaning)."""
    return Path(tempfile.mkdtemp(prefix="genloom-src-"))


def chunks(text: str, limit: int = CHUNK_CHARS) -> list[str]:
    """Split ``text`` into pieces under ``limit`` characters, at paragraph, then sentence, then word ends."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        units = [para] if len(para) <= limit else re.split(r"(?<=[.!?])\s+", para)
        for unit in units:
            while len(unit) > limit:  # one endless sentence: cut at a space
                cut = unit.rfind(" ", 0, limit)
                cut = cut if cut > limit // 2 else limit
                pieces.append(unit[:cut])
                unit = unit[cut:].lstrip()
            pieces.append(unit)
    out: list[str] = []
    for p in pieces:
        if out and len(out[-1]) + len(p) + 2 <= limit:
            out[-1] = f"{out[-1]}\n\n{p}" if "\n" in p or p.endswith("\n") else f"{out[-1]} {p}"
        else:
            out.append(p)
    return [c.strip() for c in out if c.strip()]


def grounded_prompt(instruction: str, source: str, operation: str | None, language: str | None) -> str:
    """The prompt of a text step that works from a source text (a file, a transcript)."""
    if operation == "translate":
        target = language_name(language or "") or "the language asked"
        return (f"Translate the source text below into {target}. Translate all of it, sentence by sentence. "
                f"Output only the translation.\n\nSource text:\n{source}")
    return f"{instruction}\n\n{GROUNDING}\n\nSource text:\n\"\"\"\n{source}\n\"\"\""


def words_for(seconds: float, words_per_second: float = 2.5) -> int:
    """How many words a narration of ``seconds`` holds, leaving a breath of margin."""
    return max(3, int(seconds * words_per_second * 0.85))


def fit_sentences(text: str, fraction: float) -> str:
    """The first whole sentences of ``text`` holding at most ``fraction`` of its words (at least one sentence)."""
    sentences = [x for x in re.split(r"(?<=[.!?])\s+", text.strip()) if x]
    budget = max(1, int(len(text.split()) * fraction))
    kept: list[str] = []
    for sentence in sentences:
        if kept and len(" ".join(kept + [sentence]).split()) > budget:
            break
        kept.append(sentence)
    return " ".join(kept)
