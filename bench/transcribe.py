#!/usr/bin/env python
"""Transcription benchmark: WER and real-time factor of Whisper base, Whisper tiny.en and PocketSphinx.

The same clips for every transcriber: each sentence below (everyday talk,
science, cooking, travel, business, medicine, sport, technology, history,
nature, law, music: varied vocabulary, names and rare words) spoken by both
installed voices (hibari "heart", Piper "joe") = 2 x 12 = 24 clips. No
expected-text hints are given to any transcriber (open vocabulary).

WER: word edit distance over reference words, summed over all clips (lower is
better; goal for Whisper base: <= 0.05). RTF: transcription seconds over audio
seconds (lower is faster), model load excluded and reported separately.
Machines differ and a shared machine is noisy: compare within one run.

    .venv/bin/python bench/transcribe.py [--models faster-whisper-base,faster-whisper-tiny.en,pocketsphinx-en-us]
"""

from __future__ import annotations

import argparse
import sys
import time

SENTENCES = [
    "Could you pick up some milk and a loaf of bread on your way home tonight?",
    "Photosynthesis turns sunlight, water and carbon dioxide into sugar and oxygen.",
    "Whisk the eggs with a pinch of salt, then fold them gently into the melted butter.",
    "Our train to Edinburgh leaves from platform four just after midnight.",
    "The quarterly report shows revenue growing faster than our marketing budget.",
    "The doctor prescribed antibiotics and told him to rest for the whole week.",
    "The goalkeeper saved a penalty in the final minute of extra time.",
    "Please restart the router and check whether the firmware update has finished.",
    "The Roman emperor built a long wall across the north of the province.",
    "A heron stood perfectly still in the shallow river, waiting for a fish.",
    "The judge asked the witness to describe exactly what happened that evening.",
    "The orchestra tuned their violins while the conductor studied the score.",
]
VOICES = ("heart", "joe")
DEFAULT_MODELS = "faster-whisper-base,faster-whisper-tiny.en,pocketsphinx-en-us"


def clips() -> list[tuple[str, str, bytes, float]]:
    """(voice, sentence, wav bytes, seconds) for every sentence and voice."""
    from genloom.audio.speech import speak
    from genloom.audio.wav import wav_bytes

    out = []
    for voice in VOICES:
        for i, text in enumerate(SENTENCES):
            s = speak(text, voice=voice, seed=i)
            out.append((voice, text, wav_bytes(s.samples, s.sample_rate), s.duration_s))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default=DEFAULT_MODELS, help="comma-separated transcript model ids")
    ap.add_argument("--show", action="store_true", help="print every hypothesis with errors")
    args = ap.parse_args()

    from genloom.audio.transcribe import transcribe_full, word_error_rate
    from genloom.backends.pocketsphinx_stt import normalize_words
    from genloom.models.registry import get_registry

    data = clips()
    audio_s = sum(c[3] for c in data)
    ref_words = sum(len(normalize_words(c[1])) for c in data)
    print(f"{len(data)} clips, {audio_s:.1f} s of speech, {ref_words} words, voices {', '.join(VOICES)}\n")
    print(f"{'model':<26} {'WER':>6} {'heart':>6} {'joe':>6} {'RTF':>6} {'load s':>7}")
    registry = get_registry()
    results = {}
    for model in args.models.split(","):
        t0 = time.perf_counter()
        registry.load(model)
        load = time.perf_counter() - t0
        errors = {v: 0.0 for v in VOICES}
        words = {v: 0 for v in VOICES}
        busy = 0.0
        for voice, text, wav, _ in data:
            t0 = time.perf_counter()
            hyp = transcribe_full(wav, model=model, language="en").text
            busy += time.perf_counter() - t0
            n = len(normalize_words(text))
            errors[voice] += word_error_rate(text, hyp) * n
            words[voice] += n
            if args.show and word_error_rate(text, hyp) > 0:
                print(f"  [{model} {voice}] {hyp}")
        wer = sum(errors.values()) / sum(words.values())
        results[model] = wer
        per = " ".join(f"{errors[v] / words[v]:6.3f}" for v in VOICES)
        print(f"{model:<26} {wer:6.3f} {per} {busy / audio_s:6.3f} {load:7.2f}")
        registry.unload(model)
    base = results.get("faster-whisper-base")
    if base is not None:
        print(f"\nWhisper base WER {base:.3f} (goal <= 0.05): {'met' if base <= 0.05 else 'NOT met'}")
        sphinx = results.get("pocketsphinx-en-us")
        if sphinx:
            print(f"PocketSphinx / Whisper base error ratio: {sphinx / max(base, 1e-9):.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
