#!/usr/bin/env python
"""Music benchmark: every genre, 36 requests, each file measured.

For each request the composer writes MIDI and FluidSynth renders it (warm: the
models are loaded once; the first call is timed separately). Then, from the files:

* duration error: |audio length - asked seconds| (and the MIDI file's own length);
* tempo error: the MIDI tempo map vs the asked tempo, plus the share of bass and drum
  onsets that sit on that tempo's sixteenth-note grid (triplet grid for swing genres);
* key accuracy: music21's key analysis (Krumhansl-Schmuckler) of the MIDI's pitched
  notes (the percussion channel removed) equals the asked key and mode;
* percussion: every request whose genre has drums (or asks for them) has notes on
  MIDI channel 10, and none when "without drums" is asked;
* variety: the same request composed with two seeds; the share of 4-beat windows of
  the first (pitched notes, relative onsets) found anywhere in the second;
* time to compose and render a 30-second piece (goal <= 3 s on 2 cores), wall and CPU seconds (the
  CPU time does not grow when other jobs share the machine).

    .venv/bin/python bench/music.py [--engine auto|builtin] [--no-render]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from typing import Any

NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
# (words, params, genre, key, tempo, seconds, drums); params as the brain's typed spec passes them.
REQUESTS: list[tuple[str, dict[str, Any], str, str, int, float, bool]] = [
    ("a catchy pop song in G major, 112 bpm, 30 seconds", {}, "pop", "G major", 112, 30, True),
    ("a jingle with drums for a bakery, 15 seconds", {}, "pop", "C major", 110, 15, True),
    ("an upbeat pop track in E minor", {"seconds": 30}, "pop", "E minor", 128, 30, True),
    ("pop", {"genre": "pop", "key": "Bb", "mode": "major", "tempo": 96, "seconds": 45}, "pop", "Bb major", 96, 45, True),
    ("a rock riff in E minor, 140 bpm, 30 seconds", {}, "rock", "E minor", 140, 30, True),
    ("energetic rock in A, 20 seconds", {}, "rock", "A major", 138, 20, True),
    ("rock", {"genre": "rock", "key": "D", "mode": "major", "tempo": 120, "seconds": 30,
              "instruments": ["distortion guitar", "electric bass"]}, "rock", "D major", 120, 30, True),
    ("a lo-fi beat to study to, 30 seconds", {}, "lofi", "C major", 80, 30, True),
    ("lo-fi hip hop in F minor, 75 bpm, 40 seconds", {}, "lofi", "F minor", 75, 40, True),
    ("chill", {"genre": "lofi", "key": "Eb", "mode": "major", "tempo": 85, "seconds": 30,
               "instruments": ["electric piano"]}, "lofi", "Eb major", 85, 30, True),
    ("an EDM drop, 30 seconds", {}, "edm", "C minor", 124, 30, True),
    ("deep house in A minor, 122 bpm, 30 seconds", {}, "edm", "A minor", 122, 30, True),
    ("dance", {"genre": "edm", "key": "F#", "mode": "minor", "tempo": 128, "seconds": 25}, "edm", "F# minor", 128, 25, True),
    ("calm ambient music in D major, 30 seconds", {}, "ambient", "D major", 66, 30, False),
    ("ambient soundscape for sleep in A minor, 60 bpm, 30 seconds", {}, "ambient", "A minor", 60, 30, False),
    ("ambient", {"genre": "ambient", "key": "E", "mode": "major", "tempo": 70, "seconds": 20, "drums": True},
     "ambient", "E major", 70, 20, True),
    ("an epic orchestral piece in C minor, 30 seconds", {}, "cinematic", "C minor", 96, 30, True),
    ("cinematic trailer music in D minor, 100 bpm, 30 seconds", {}, "cinematic", "D minor", 100, 30, True),
    ("film", {"genre": "cinematic", "key": "F", "mode": "major", "tempo": 84, "seconds": 35, "mood": "hopeful"},
     "cinematic", "F major", 84, 35, True),
    ("a jazz tune in Bb major, 30 seconds", {}, "jazz", "Bb major", 132, 30, True),
    ("smooth jazz in F, 100 bpm, 30 seconds, without drums", {}, "jazz", "F major", 100, 30, False),
    ("jazz", {"genre": "jazz", "key": "C", "mode": "minor", "tempo": 150, "seconds": 30,
              "instruments": ["trumpet", "piano", "double bass"]}, "jazz", "C minor", 150, 30, True),
    ("a folk tune in D major, 30 seconds", {}, "folk", "D major", 104, 30, True),
    ("an irish reel in G, 120 bpm, 30 seconds", {}, "folk", "G major", 120, 30, True),
    ("folk", {"genre": "folk", "key": "A", "mode": "minor", "tempo": 92, "seconds": 30, "drums": False,
              "instruments": ["fiddle", "acoustic guitar"]}, "folk", "A minor", 92, 30, False),
    ("a Bach chorale in D minor, 30 seconds", {}, "chorale", "D minor", 72, 30, False),
    ("a hymn for organ in F major, 66 bpm, 30 seconds", {}, "chorale", "F major", 66, 30, False),
    ("hymn", {"genre": "chorale", "key": "G", "mode": "major", "tempo": 80, "seconds": 20, "drums": True},
     "chorale", "G major", 80, 20, True),
    ("a happy ringtone, 20 seconds", {}, "pop", "C major", 112, 20, True),
    ("a sad piano piece in E minor, 30 seconds", {}, "cinematic", "E minor", 60, 30, True),
    ("music", {"genre": "pop", "key": "Ab", "mode": "major", "tempo": 100, "seconds": 60}, "pop", "Ab major", 100, 60, True),
    ("music", {"genre": "edm", "key": "G", "mode": "minor", "tempo": 126, "seconds": 90}, "edm", "G minor", 126, 90, True),
    ("music", {"genre": "rock", "key": "C#", "mode": "minor", "tempo": 150, "seconds": 12}, "rock", "C# minor", 150, 12, True),
    ("music", {"genre": "folk", "key": "Eb", "mode": "major", "tempo": 110, "seconds": 8}, "folk", "Eb major", 110, 8, True),
    ("music", {"genre": "jazz", "key": "G", "mode": "major", "tempo": 120, "seconds": 5}, "jazz", "G major", 120, 5, True),
    ("music", {"genre": "cinematic", "key": "B", "mode": "minor", "tempo": 70, "seconds": 120}, "cinematic", "B minor", 70, 120, True),
]
SWING = {"lofi", "jazz"}


def onsets(midi: bytes, channels: set[int] | None = None, pitched_only: bool = False) -> list[tuple[float, int, int]]:
    """(seconds, channel, pitch) of every note start."""
    import mido

    out, now = [], 0.0
    for msg in mido.MidiFile(file=io.BytesIO(midi)):
        now += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            if pitched_only and msg.channel == 9:
                continue
            if channels is None or msg.channel in channels:
                out.append((now, msg.channel, msg.note))
    return out


def grid_share(times: list[float], bpm: float, swing: bool) -> float:
    step = 60.0 / bpm / (6 if swing else 4)  # sixteenths, or sixteenth triplets for swing
    hits = [abs(t / step - round(t / step)) * step <= 0.012 for t in times]
    return sum(hits) / max(1, len(hits))


def windows(midi: bytes, bpm: float) -> list[frozenset[tuple[float, int]]]:
    beat = 60.0 / bpm
    notes = onsets(midi, pitched_only=True)
    if not notes:
        return []
    n = int(max(t for t, _, _ in notes) / (4 * beat)) + 1
    wins: list[set[tuple[float, int]]] = [set() for _ in range(n)]
    for t, _, pitch in notes:
        k = int(t / (4 * beat))
        wins[k].add((round(t / beat - 4 * k, 2), pitch))
    return [frozenset(w) for w in wins if w]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", default="auto", choices=["auto", "builtin", "fluidsynth"])
    ap.add_argument("--no-render", action="store_true", help="MIDI only (no audio timing or audio length)")
    args = ap.parse_args()
    os.environ.setdefault("GENLOOM_HOME", tempfile.mkdtemp(prefix="genloom-bench-"))

    import mido
    from music21 import converter

    from genloom.music.compose import compose
    from genloom.music.midi import pitched_only

    render = not args.no_render
    t0 = time.perf_counter()
    compose("warm up, 4 seconds", seed=0, engine=args.engine, render_audio=render)
    print(f"first call (loads the models): {time.perf_counter() - t0:.2f} s\n")
    print(f"{'request':<58}{'genre':>10}{'time s':>7}{'len s':>7}{'midi s':>7}  {'measured key':<10}{'bpm':>5}"
          f"{'grid':>6}{'drums':>6}")
    dur_err, midi_err, tempo_err, grid, times30, cpu30 = [], [], [], [], [], []
    key_hits, drum_ok, genre_ok = 0, 0, 0
    for i, (words, params, genre, key, tempo, seconds, drums) in enumerate(REQUESTS):
        t1, c1 = time.perf_counter(), time.process_time()
        comp = compose(words, params=params, seed=100 + i, engine=args.engine, render_audio=render)
        elapsed, cpu = time.perf_counter() - t1, time.process_time() - c1
        if render:
            dur_err.append(abs(comp.duration_s - seconds))
        if seconds == 30 and render:
            times30.append(elapsed)
            cpu30.append(cpu)
        mid = mido.MidiFile(file=io.BytesIO(comp.midi))
        midi_err.append(abs(mid.length - seconds))
        bpm = next(mido.tempo2bpm(m.tempo) for t in mid.tracks for m in t if m.type == "set_tempo")
        tempo_err.append(abs(bpm - tempo))
        # Bass and drums keep time (a strummed chord's notes are spread on purpose).
        g = grid_share([t for t, _, _ in onsets(comp.midi, channels={3, 9})], bpm, genre in SWING)
        grid.append(g)
        found = converter.parseData(pitched_only(comp.midi), format="midi").analyze("key")
        measured = f"{NAMES[found.tonic.pitchClass]} {found.mode}"
        key_hits += measured == key
        has_drums = any(ch == 9 for _, ch, _ in onsets(comp.midi))
        drum_ok += has_drums == drums
        genre_ok += comp.spec.genre == genre
        label = (words if not params else f"{words} {params}")[:57]
        print(f"{label:<58}{comp.spec.genre:>10}{elapsed:>7.2f}{comp.duration_s:>7.2f}{mid.length:>7.2f}  "
              f"{measured:<10}{bpm:>5.0f}{g:>6.2f}{'yes' if has_drums else 'no':>6}"
              f"{'' if measured == key else '  (asked ' + key + ')'}{'' if has_drums == drums else '  DRUMS?'}")

    print("\nvariety (same request, seeds 1 and 2: share of 4-beat windows of one found in the other; lower = more varied)")
    shares = []
    for genre in ("pop", "rock", "lofi", "edm", "ambient", "cinematic", "jazz", "folk", "chorale"):
        a = compose(f"{genre} in C major, 30 seconds", params={"genre": genre}, seed=1, render_audio=False)
        b = compose(f"{genre} in C major, 30 seconds", params={"genre": genre}, seed=2, render_audio=False)
        wa, wb = windows(a.midi, a.spec.tempo), set(windows(b.midi, b.spec.tempo))
        share = sum(w in wb for w in wa) / max(1, len(wa))
        shares.append(share)
        print(f"  {genre:<10} {share:.2f}")
    n = len(REQUESTS)
    print(f"\nrequests: {n} over 9 genres; genre chosen as asked: {genre_ok}/{n}")
    if render:
        print(f"duration error (audio): mean {statistics.mean(dur_err):.3f} s, max {max(dur_err):.3f} s  (goal <= 1 s)")
    print(f"duration error (MIDI length): mean {statistics.mean(midi_err):.3f} s, max {max(midi_err):.3f} s")
    print(f"tempo error (MIDI tempo map): max {max(tempo_err):.2f} bpm (goal <= 2); "
          f"onsets on that tempo's grid: mean {statistics.mean(grid):.2f}, min {min(grid):.2f}")
    print(f"key accuracy (music21 analysis of the MIDI): {key_hits}/{n} = {key_hits / n:.0%}  (goal >= 90 %)")
    print(f"percussion as asked (drum genres have channel-10 notes, 'without drums' has none): {drum_ok}/{n} = "
          f"{drum_ok / n:.0%}  (goal 100 %)")
    print(f"variety: shared 4-beat windows between two seeds, mean {statistics.mean(shares):.2f}, "
          f"max {max(shares):.2f}")
    if times30:
        load = os.getloadavg()[0]
        print(f"time to compose + render 30 s: median {statistics.median(times30):.2f} s, max {max(times30):.2f} s "
              f"over {len(times30)} pieces  (goal <= 3 s on 2 cores; engine {comp.engine}; "
              f"{os.cpu_count()} cores, load average {load:.1f} at the end)")
        print(f"CPU time (both synthesis threads) to compose + render 30 s: median {statistics.median(cpu30):.2f} s, "
              f"max {max(cpu30):.2f} s  (what an idle machine's wall time approaches)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
