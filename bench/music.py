#!/usr/bin/env python
"""Music benchmark: a 30-second piece composed and rendered in <= 3 s, in the key and tempo asked for.

For each request the composer writes MIDI and FluidSynth renders it (warm:
the model is loaded once, first-call time is printed separately). The key is
then *measured* by music21's key analysis (Krumhansl-Schmuckler) of the MIDI
file, and the tempo both from the MIDI tempo map and from the note onsets
(the most common gap between accented onsets, where two or more notes
start together, is one beat).

    .venv/bin/python bench/music.py [--engine auto|builtin]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time

REQUESTS = [
    ("a calm piece in D minor, 30 seconds", "D minor", 66),
    ("a joyful piece in A major, 120 bpm, 30 seconds", "A major", 120),
    ("dramatic brass in E minor, 100 bpm, 30 seconds", "E minor", 100),
    ("peaceful strings in F major, 30 seconds", "F major", 63),
    ("a sad organ chorale in C minor, 30 seconds", "C minor", 60),
    ("a bright piano piece in G major, 30 seconds", "G major", 108),
]


def onset_tempo(midi: bytes) -> float:
    from collections import Counter

    import mido
    import numpy as np

    mid = mido.MidiFile(file=io.BytesIO(midi))
    onsets: Counter[float] = Counter()
    now = 0.0
    for msg in mid:  # iterating a MidiFile yields messages with times in seconds
        now += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            onsets[round(now, 3)] += 1
    # Accented onsets (two or more notes struck together) mark the beats; a lone
    # passing note between them would otherwise read as double tempo.
    gaps = np.diff(sorted(t for t, n in onsets.items() if n >= 2))
    gaps = np.round(gaps[gaps > 0.05], 2)
    values, counts = np.unique(gaps, return_counts=True)
    return 60.0 / float(values[counts.argmax()])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", default="auto", choices=["auto", "builtin", "fluidsynth"])
    ap.add_argument("--all-keys", action="store_true", help="also check the measured key in all 24 keys, 2 seeds each")
    args = ap.parse_args()
    os.environ.setdefault("GENLOOM_HOME", tempfile.mkdtemp(prefix="genloom-bench-"))

    import mido
    from music21 import converter

    from genloom.music.compose import compose

    t0 = time.perf_counter()
    compose("warm up, 5 seconds", seed=0, engine=args.engine)
    print(f"first call (loads the model): {time.perf_counter() - t0:.2f} s\n")
    print(f"{'request':<50}{'time s':>7}{'audio s':>8}  {'measured key':<13}{'tempo map':>10}{'onsets':>8}  ok")
    all_ok = True
    for i, (prompt, key, tempo) in enumerate(REQUESTS):
        t0 = time.perf_counter()
        comp = compose(prompt, seed=100 + i, engine=args.engine)
        elapsed = time.perf_counter() - t0
        score = converter.parseData(comp.midi, format="midi")
        measured = score.analyze("key")
        measured_name = f"{measured.tonic.name.replace('-', 'b')} {measured.mode}"
        mid = mido.MidiFile(file=io.BytesIO(comp.midi))
        map_bpm = next(mido.tempo2bpm(m.tempo) for t in mid.tracks for m in t if m.type == "set_tempo")
        heard_bpm = onset_tempo(comp.midi)
        ok = (elapsed <= 3.0 and measured_name == key and abs(map_bpm - tempo) < 0.5
              and abs(heard_bpm - tempo) / tempo < 0.03 and 25 <= comp.duration_s <= 36)
        all_ok &= ok
        print(f"{prompt:<50}{elapsed:>7.2f}{comp.duration_s:>8.1f}  {measured_name:<13}{map_bpm:>10.0f}"
              f"{heard_bpm:>8.0f}  {'OK' if ok else 'NO'}   (asked {key}, {tempo} bpm; {comp.engine})")
    print(f"\nall pieces within 3 s, in the requested key and tempo: {'OK' if all_ok else 'NO'}")
    if args.all_keys:
        names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
        hits, misses = 0, []
        for mode in ("major", "minor"):
            for tonic, name in enumerate(names):
                for seed in (1, 2):
                    comp = compose(f"in {name} {mode}, 30 seconds", seed=seed, render_audio=False)
                    found = converter.parseData(comp.midi, format="midi").analyze("key")
                    if (found.tonic.pitchClass, found.mode) == (tonic, mode):
                        hits += 1
                    else:
                        misses.append(f"{name} {mode} (seed {seed}) -> {found}")
        print(f"measured key = requested key in {hits}/48 pieces (24 keys x 2 seeds)"
              + (f"; misses: {', '.join(misses)}" if misses else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
