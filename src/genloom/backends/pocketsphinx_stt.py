"""pocketsphinx: offline English speech recognition (CMU Sphinx, bundled US English model).

Accuracy on open vocabulary is modest; given a language model built from the
words expected (``lm_text``) it is a reliable checker for generated speech.
"""

from __future__ import annotations

import importlib.util
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

from genloom.errors import BackendUnavailable, InvalidInput
from genloom.models.card import Kind, ModelCard

SAMPLE_RATE = 16000

CARD = ModelCard(
    id="pocketsphinx-en-us",
    name="PocketSphinx 5 US English",
    kind=Kind.transcript,
    tasks=["transcribe"],
    backend="pocketsphinx",
    size_bytes=38_000_000,
    license="BSD-2-Clause",
    source="pypi: pocketsphinx==5.1.1 (bundled en-us acoustic model, LM and dictionary)",
    description="Fallback offline English transcription; pass lm_text to restrict it to expected words.",
    aliases=["pocketsphinx", "sphinx"],
)


def status(card: ModelCard) -> str:
    return "installed" if importlib.util.find_spec("pocketsphinx") is not None else "missing"


def normalize_words(text: str) -> list[str]:
    """Lower-case words (letters, digits, apostrophes) as the recogniser's dictionary spells them."""
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def build_lm(text: str, path: Path) -> Path:
    """An ARPA trigram model over the sentences of ``text`` (one per line, with <s> ... </s>)."""
    from pocketsphinx.lm import ArpaBoLM

    sentences = [" ".join(normalize_words(s)) for s in re.split(r"[.!?;\n]+", text)]
    sentences = [s for s in sentences if s]
    if not sentences:
        raise InvalidInput("lm_text has no words", param="lm_text")
    # norm=True would strip the "<" of "<s>": we normalise the words ourselves.
    lm = ArpaBoLM(text="\n".join(sentences), add_start=True)
    lm.compute()
    with open(path, "w") as fh:
        lm.write(fh)
    return path


# Building a decoder loads the acoustic model and the 130k-word dictionary (~2-6 s):
# one per process is shared, and expected-text language models are swapped in as searches.
_decoder: Any = None
_decoder_lock = threading.Lock()


def shared_decoder() -> Any:
    global _decoder
    if _decoder is None:
        from pocketsphinx import Decoder

        # logfn=/dev/null: the decoder otherwise prints hundreds of INFO lines to stderr.
        _decoder = Decoder(samprate=SAMPLE_RATE, logfn="/dev/null")
    return _decoder


def build_dict(text: str, path: Path) -> Path | None:
    """The lines of the bundled pronouncing dictionary for the words of ``text`` (None if none)."""
    from pocketsphinx import get_model_path

    wanted = set(normalize_words(text))
    lines = []
    with open(Path(get_model_path()) / "en-us" / "cmudict-en-us.dict", encoding="utf-8") as fh:
        for line in fh:
            word = line.split(" ", 1)[0]
            if word.split("(", 1)[0] in wanted:
                lines.append(line if line.endswith("\n") else line + "\n")
    if not lines:
        return None
    path.write_text("".join(lines), encoding="utf-8")
    return path


class SphinxTranscriber:
    def __init__(self, card: ModelCard):
        try:
            import pocketsphinx  # noqa: F401
        except ImportError:
            raise BackendUnavailable("Transcription needs the pocketsphinx package",
                                     hint="pip install 'genloom[audio]'") from None
        self.card = card
        self.sample_rate = SAMPLE_RATE

    def transcribe_pcm(self, pcm: bytes, lm_text: str | None = None, progress: Any = None) -> str:
        """16 kHz mono 16-bit PCM to text."""
        if not lm_text:
            with _decoder_lock:
                return self._run(shared_decoder(), pcm, progress)
        from pocketsphinx import Decoder

        with tempfile.TemporaryDirectory(prefix="genloom-lm-") as tmp:
            lm = build_lm(lm_text, Path(tmp) / "expected.lm")
            words = build_dict(lm_text, Path(tmp) / "expected.dict")
            if not words:
                raise InvalidInput("None of the expected words are in the recogniser's dictionary",
                                   hint="lm_text must be English words", param="lm_text")
            # A decoder over just the expected words starts in milliseconds; adding an LM
            # to the full 130k-word decoder takes seconds.
            decoder = Decoder(samprate=SAMPLE_RATE, lm=str(lm), dict=str(words), logfn="/dev/null")
            return self._run(decoder, pcm, progress)

    @staticmethod
    def _run(decoder: Any, pcm: bytes, progress: Any) -> str:
        step = SAMPLE_RATE * 2 * 5  # 5 s of audio between progress reports
        decoder.start_utt()
        for start in range(0, len(pcm), step):
            decoder.process_raw(pcm[start:start + step], no_search=False, full_utt=False)
            if progress:
                progress(min(1.0, (start + step) / max(1, len(pcm))), "transcribing")
        decoder.end_utt()
        hyp = decoder.hyp()
        if hyp is None:
            return ""
        # Filler tokens such as <sil>, [NOISE] and (2) pronunciation variants are not words.
        words = [w for w in hyp.hypstr.split() if not w.startswith(("<", "["))]
        return " ".join(re.sub(r"\(\d+\)$", "", w) for w in words)


def factory(card: ModelCard) -> SphinxTranscriber:
    return SphinxTranscriber(card)
