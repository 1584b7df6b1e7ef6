"""A song in a genre: form, chords, melody, bass, accompaniment and drums, as MIDI tracks.

The piece lasts exactly the asked number of beats (``seconds * tempo / 60``):
whole bars of sections, then either a final tonic chord held to the end (a
cadence, approached from the chord the corpus most often puts before the tonic)
or, for genres that end that way, a fade over the last bars.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from genloom.music.genres import (
    CRASH,
    FLOOR_TOM,
    HIGH_TOM,
    KICK,
    LOW_TOM,
    MID_TOM,
    SNARE,
    Genre,
    Groove,
)
from genloom.music.harmony import (
    MAJOR,
    MINOR,
    N_CHORDS,
    chord_pcs,
    key_margin,
    quality_of,
    root_of,
    state,
    voicing,
)
from genloom.music.midi import Note
from genloom.music.song_model import SongModel, melody_pitch
from genloom.music.song_train import DEG_LOW, DEG_START

if TYPE_CHECKING:
    from genloom.music.request import Spec

DRUM_CHANNEL = 9  # General MIDI channel 10
RELEASE_S = 0.35  # the last notes end this long before the piece does, so they ring out inside it
VELOCITY = {"X": 112, "x": 92, "o": 52}


@dataclass
class Track:
    name: str
    channel: int
    program: int
    notes: list[Note] = field(default_factory=list)
    volume: int = 100  # channel volume (CC 7): the mix
    pan: int = 64  # CC 10: 0 left, 64 centre, 127 right


@dataclass
class Section:
    label: str
    start_bar: int
    bars: int


@dataclass
class Arrangement:
    tracks: list[Track]
    end_beat: float
    sections: list[Section]
    chords: list[int]  # one per bar of the body, then the final chord
    fade_from: float | None = None  # beat where a fade-out starts

    @property
    def notes(self) -> list[Note]:
        return [n for t in self.tracks for n in t.notes]


def plan_form(genre: Genre, body_bars: int) -> list[Section]:
    """Intro, then the genre's sections in turn until the body is full (the last one shortened)."""
    sections: list[Section] = []
    intro = genre.intro_bars if body_bars >= genre.intro_bars + 8 else (1 if genre.intro_bars and body_bars >= 6 else 0)
    if intro:
        sections.append(Section("I", 0, intro))
    bar, i = intro, 0
    while bar < body_bars:
        label, length = genre.sections[i % len(genre.sections)]
        length = min(length, body_bars - bar)
        sections.append(Section(label, bar, length))
        bar += length
        i += 1
    return sections


def _tonic_triad(mode: str) -> int:
    return state(0, MAJOR if mode == "major" else MINOR)


class Arranger:
    def __init__(self, model: SongModel, genre: Genre, spec: Spec, rng: np.random.Generator):
        self.model, self.g, self.spec, self.rng = model, genre, spec, rng
        self.mode = spec.mode
        self.tonic_shift = spec.tonic if spec.tonic <= 7 else spec.tonic - 12
        self.trans = model.transitions(self.mode, genre.harmony, repeat=0.05 if genre.loop else 0.6,
                                       fifths=genre.fifths, temperature=genre.temperature)
        if genre.loop:  # loop-based styles build their loops from major and minor chords only
            self.trans[:, 2:N_CHORDS:3] = 0.0
            self.trans /= np.maximum(self.trans.sum(axis=1, keepdims=True), 1e-12)

    # -- harmony --------------------------------------------------------------------------------
    def section_chords(self, label: str, bars: int, first_label: bool) -> list[int]:
        tonic = _tonic_triad(self.mode)
        if self.g.loop:
            first = tonic if first_label else None
            # A loop is heard over and over, so it must say the key: of a few draws keep the first that
            # holds the tonic chord, three chords, and fits the asked key better than any other key.
            best, best_score = None, -1e9
            for _ in range(16):
                loop = self.model.progression(self.trans, 4, self.rng, first=first, loop=True)
                score = key_margin(loop, self.mode) + (tonic in loop) + 0.5 * (len(set(loop)) >= 3)
                if score > best_score:
                    best, best_score = loop, score
                if score > 1.55:  # tonic, three chords, and the key by a clear margin
                    break
            assert best is not None
            return [best[b % 4] for b in range(bars)]
        chords: list[int] = []
        while len(chords) < bars:
            n = min(8, bars - len(chords))
            best, best_score = None, -1e9
            for _ in range(8):  # phrases too should say the key: keep the first draw that does
                phrase = self.model.progression(self.trans, n, self.rng, first=tonic, last=tonic if n > 1 else None)
                score = key_margin(phrase, self.mode)
                if score > best_score:
                    best, best_score = phrase, score
                if score > 0.02:
                    break
            assert best is not None
            chords += best
        return chords[:bars]

    # -- melody ---------------------------------------------------------------------------------
    def phrase(self, chords: list[int], motif: list[tuple[int, list[int]]] | None, end_target: int | None,
               context: tuple[int, int], lift: int = 0) -> tuple[list[tuple[int, list[int]]], list[tuple[float, float, int, int]]]:
        """Up to four bars of melody: [(pattern, degree indices)] per bar and notes (start, end, degree, chord).

        Bars 1-2 are the motif (given, or drawn), bar 3 repeats the motif's rhythm
        with new pitches, bar 4 takes a phrase-ending rhythm and heads for ``end_target``.
        """
        density = self.g.density * self.spec.busyness
        bars: list[tuple[int, list[int]]] = []
        d2, d1 = context
        low, high = -3 + lift, 9 + lift  # scale degrees around the tonic; a chorus sits higher
        prev_pattern: int | None = None
        for b, chord in enumerate(chords):
            last_bar = b == len(chords) - 1
            if motif is not None and b < len(motif) and b < 2:
                pattern, degs = motif[b]
                bars.append((pattern, list(degs)))
                if degs:
                    d2, d1 = (degs[-2] if len(degs) > 1 else d1), degs[-1]
                prev_pattern = pattern
                continue
            if b == 2 and bars:
                pattern = bars[0][0]
            else:
                pattern = self.model.bar_rhythm(prev_pattern, self.rng, density, final=last_bar and len(chords) == 4)
            slots = [s for s in range(8) if pattern >> s & 1]
            degs = []
            for k, slot in enumerate(slots):
                target = end_target if (last_bar and k == len(slots) - 1) else None
                d = self.model.next_degree(self.mode, d2, d1, chord, slot % 2 == 0, self.rng, low, high,
                                           self.g.temperature, target=target)
                degs.append(d)
                d2, d1 = d1, d
            bars.append((pattern, degs))
            prev_pattern = pattern
        notes: list[tuple[float, float, int, int]] = []
        onsets = [(b * 4 + s / 2, deg) for b, (pattern, degs) in enumerate(bars)
                  for s, deg in zip([s for s in range(8) if pattern >> s & 1], degs, strict=False)]
        for i, (start, deg) in enumerate(onsets):
            nxt = onsets[i + 1][0] if i + 1 < len(onsets) else len(chords) * 4.0
            end = min(nxt, start + 3.0)
            notes.append((start, start + max(0.25, (end - start) * 0.92), deg + DEG_LOW, chords[int(start // 4)]))
        return bars, notes

    def section_melody(self, chords: list[int], final: bool, lift: int = 0) -> list[tuple[float, float, int, int]]:
        notes: list[tuple[float, float, int, int]] = []
        motif = None
        context = (DEG_START, DEG_START)
        n_phrases = math.ceil(len(chords) / 4)
        for p in range(n_phrases):
            part = chords[p * 4:(p + 1) * 4]
            last_phrase = p == n_phrases - 1
            # Phrase ends: the tonic at the end of a section, the dominant's degree (a half cadence) inside it;
            # the final section stops on a note of its cadence chord and resolves on the final chord.
            target = (4 if final else 0) if last_phrase else 4
            bars, phrase_notes = self.phrase(part, motif, target - DEG_LOW if len(part) == 4 else None, context, lift)
            motif = motif or bars[:2]
            notes += [(s + p * 16, e + p * 16, d, c) for s, e, d, c in phrase_notes]
            flat = [d for _, degs in bars for d in degs]
            if len(flat) >= 2:
                context = (flat[-2], flat[-1])
        return notes

    # -- whole piece ----------------------------------------------------------------------------
    def arrange(self) -> Arrangement:
        spec, g = self.spec, self.g
        total_beats = spec.seconds * spec.tempo / 60.0
        release = RELEASE_S * spec.tempo / 60.0
        fade = g.ending == "fade" and total_beats >= 16
        body_bars = math.ceil(total_beats / 4) if fade else max(0, int((total_beats - 2.5) // 4))
        sections = plan_form(g, body_bars)
        chords: list[int] = []
        by_label: dict[str, list[int]] = {}
        melodies: dict[str, list[tuple[float, float, int, int]]] = {}
        labels_seen: list[str] = []
        body_melody: list[tuple[float, float, int, int]] = []
        for sec in sections:
            if sec.label == "I":
                continue
            if sec.label not in by_label:
                by_label[sec.label] = self.section_chords(sec.label, 8 if g.loop else max(sec.bars, 4), not labels_seen)
                labels_seen.append(sec.label)
        for i, sec in enumerate(sections):
            if sec.label == "I":
                first = next((s.label for s in sections if s.label != "I"), None)
                source = by_label.get(first or "", [_tonic_triad(self.mode)])
                chords += [source[b % len(source)] for b in range(sec.bars)]
                continue
            sec_chords = list(by_label[sec.label][:sec.bars])
            while len(sec_chords) < sec.bars:
                sec_chords += by_label[sec.label][: sec.bars - len(sec_chords)]
            is_last = i == len(sections) - 1
            if is_last and not fade and sec.bars >= 1:
                sec_chords[-1] = self.model.cadence_chord(self.mode, self.g.harmony, _tonic_triad(self.mode))
            chords += sec_chords
            if self.silent_lead(sec.label):
                continue
            if sec.label in melodies and not is_last:
                mel = [n for n in melodies[sec.label] if n[0] < sec.bars * 4]
            else:
                # The second kind of section (the chorus, the B part) lifts the tune by a third.
                lift = 2 if labels_seen.index(sec.label) == 1 else 0
                mel = self.section_melody(sec_chords, final=is_last and not fade, lift=lift)
                melodies.setdefault(sec.label, mel)
            body_melody += [(s + sec.start_bar * 4, e + sec.start_bar * 4, d, c) for s, e, d, c in mel]
        final_chord = _tonic_triad(self.mode)
        end_beat = total_beats
        tracks = self.tracks(sections, chords, body_melody, body_bars, final_chord, end_beat, release, fade)
        arrangement = Arrangement(tracks, end_beat, sections, chords + ([] if fade else [final_chord]),
                                  fade_from=max(0.0, end_beat - min(end_beat / 4, 6 * spec.tempo / 60)) if fade else None)
        self.finish(arrangement, release)
        return arrangement

    def silent_lead(self, label: str) -> bool:
        return label in ("I", "U") or (self.g.name == "edm" and label == "K")

    # -- parts ----------------------------------------------------------------------------------
    def tracks(self, sections: list[Section], chords: list[int], melody: list[tuple[float, float, int, int]],
               body_bars: int, final_chord: int, end_beat: float, release: float, fade: bool) -> list[Track]:
        spec, g = self.spec, self.g
        roles = spec.roles
        # The mix: the tune in front, chords and pad behind it and to the sides, bass and drums centred.
        lead = Track("Melody", 0, roles.get("lead", g.lead), volume=112)
        comp = Track("Chords", 1, roles.get("comp", g.comp), volume=84, pan=48)
        pad_program = roles.get("pad", g.pad if not roles.get("named") else None)
        pad = Track("Pad", 2, pad_program, volume=70, pan=84) if pad_program is not None else None
        bass = Track("Bass", 3, roles.get("bass", g.bass), volume=100)
        base = 60 + self.tonic_shift + 12 * g.melody_octave
        vel = spec.velocity_for(g.velocity)
        for start, end, deg, chord in melody:
            accent = 8 if start % 2 == 0 else 0
            lead.notes.append(Note(0, start, end, melody_pitch(deg, self.mode, chord, base), self._vel(vel + accent)))
        label_at = {b: s.label for s in sections for b in range(s.start_bar, s.start_bar + s.bars)}
        prev_voicing: list[int] | None = None
        for bar, chord in enumerate(chords[:body_bars]):
            label = label_at.get(bar, "A")
            pcs = [(p + spec.tonic) % 12 for p in chord_pcs(chord, "auto" if g.seventh else None)]
            prev_voicing = self.comp_bar(comp, bar, chord, pcs, label, prev_voicing, vel)
            if pad is not None and self.pad_plays(label):
                for p in voicing(pcs, 72, 60, 84):
                    pad.notes.append(Note(2, bar * 4, bar * 4 + 4, p, self._vel(vel - 30)))
            self.bass_bar(bass, bar, chord, chords[bar + 1] if bar + 1 < len(chords) else final_chord, label, vel)
        tracks = [lead, comp] + ([pad] if pad is not None else []) + [bass]
        if g.name == "cinematic":
            tracks.append(self.timpani(sections, chords, body_bars, vel))
        if spec.drums:
            tracks.append(self.drums(sections, body_bars, vel))
        if not fade:
            self.final_chord(tracks, body_bars * 4.0, end_beat - release, final_chord, melody, base, vel)
        return tracks

    def _vel(self, v: float) -> int:
        return int(max(1, min(127, v + self.rng.integers(-5, 6))))

    def _bass_pitch(self, pc: int) -> int:
        p = 36 + (pc + self.spec.tonic) % 12
        return p - 12 if p > 43 else p

    def pad_plays(self, label: str) -> bool:
        g = self.g
        if g.name == "pop":
            return label == "C"
        if g.name == "cinematic":
            return label == "B"
        if g.name == "edm":  # the drop has its stabs; the pad carries the intro, build and break
            return label != "D"
        if g.name == "lofi":
            return label == "B"
        return True

    def comp_bar(self, track: Track, bar: int, chord: int, pcs: list[int], label: str,
                 prev: list[int] | None, vel: int) -> list[int]:
        style, t0, ch = self.g.comp_style, bar * 4.0, track.channel
        # Chords sit just under the melody (which centres on the tonic around middle C and above).
        center = 60 if prev is None else sum(prev) / len(prev)
        notes = voicing(pcs, int(round(0.5 * center + 0.5 * 60)), 48, 74)

        def hit(start: float, length: float, pitches: list[int], v: float, strum: float = 0.0) -> None:
            for k, p in enumerate(pitches):
                track.notes.append(Note(ch, t0 + start + k * strum, t0 + start + length, p, self._vel(v)))

        if style == "pulse":
            step = 0.5 if label == "C" else 1.0
            for k in range(int(4 / step)):
                hit(k * step, step * 0.9, notes, vel - 18 + (8 if k * step % 2 == 0 else 0))
        elif style == "power":
            if label == "C":  # the chorus opens up: full chords, struck and let ring
                hit(0.0, 1.9, notes, vel - 4, strum=0.015)
                hit(2.0, 1.9, notes, vel - 8, strum=0.015)
            else:  # verses and intro: palm-muted power chords (root, fifth, octave) in eighths
                root = self._bass_pitch(root_of(chord)) + 12
                power = [root, root + 7, root + 12]
                for k in range(8):
                    hit(k * 0.5, 0.45, power, vel - 14)
        elif style == "lazy":
            hit(0.0, 1.4, notes, vel - 14, strum=0.03)
            hit(1.5, 2.3, notes, vel - 20, strum=0.03)
        elif style == "stabs":
            if label == "D":
                for k in range(4):
                    hit(k + 0.5, 0.3, notes, vel - 10)
        elif style == "pad":
            hit(0.0, 4.0, notes, vel - 16)
        elif style == "sustain":
            low = [notes[0] - 12] if label == "B" else []
            hit(0.0, 4.0, low + notes, vel - 12)
        elif style == "charleston":
            shell = sorted({p for p in notes if (p - (root_of(chord) + self.spec.tonic)) % 12 != 0}) or notes
            hit(0.0, 0.9, shell, vel - 14)
            hit(1.5, 0.4, shell, vel - 20)
            if self.rng.random() < 0.4:
                hit(3.5, 0.4, shell, vel - 22)
        elif style == "strum":
            strings = voicing(pcs, 60, 45, 72)
            strings = [strings[0] - 12 + 12 * (strings[0] < 52)] + strings if len(strings) < 5 else strings
            for start, length, v in ((0, 1, 0), (1, 0.5, -12), (1.5, 1, -8), (2.5, 0.5, -14), (3, 1, -6)):
                hit(start, length * 0.95, strings, vel - 16 + v, strum=0.02)
        else:  # block
            hit(0.0, 4.0, notes, vel - 12)
        return notes

    def bass_bar(self, track: Track, bar: int, chord: int, next_chord: int, label: str, vel: int) -> None:
        style, t0, ch = self.g.bass_style, bar * 4.0, track.channel
        root = self._bass_pitch(root_of(chord))
        third = root + (4 if quality_of(chord) == MAJOR else 3)
        fifth = root + (6 if quality_of(chord) == 2 else 7)
        nxt = self._bass_pitch(root_of(next_chord))

        def play(start: float, length: float, pitch: int, v: float) -> None:
            track.notes.append(Note(ch, t0 + start, t0 + start + length, pitch, self._vel(v)))

        if label == "I" and style not in ("drone", "walking"):
            play(0, 3.9, root, vel - 10)
        elif style == "pop":
            for start, length, p in ((0, 1.4, root), (1.5, 0.9, root), (2.5, 0.5, fifth), (3, 0.9, root)):
                play(start, length, p, vel - 6)
        elif style == "eighths":
            for k in range(8):
                play(k * 0.5, 0.45, root, vel - (4 if k % 2 == 0 else 12))
        elif style == "lofi":
            play(0, 1.4, root, vel)
            play(1.75, 0.6, fifth - 12 if fifth - 12 >= 28 else fifth, vel - 12)
            play(2.5, 1.3, root, vel - 6)
        elif style == "offbeat":
            if label in ("D", "U"):
                for k in range(4):
                    play(k + 0.5, 0.4, root + 12 if k % 2 else root, vel)
            else:
                play(0, 3.9, root, vel - 14)
        elif style == "drone":
            play(0, 4.0, root, vel - 14)
        elif style == "half":
            play(0, 1.9, root, vel - 6)
            play(2, 1.9, fifth if self.rng.random() < 0.4 else root, vel - 10)
        elif style == "walking":
            step = nxt + (1 if self.rng.random() < 0.5 else -1)  # chromatic approach to the next root
            for k, p in enumerate((root, third if self.rng.random() < 0.6 else fifth, fifth, step)):
                play(k, 0.95, p, vel - (0 if k == 0 else 8))
        elif style == "boomchick":
            play(0, 0.9, root, vel)
            play(2, 0.9, fifth - 12 if fifth - 12 >= 28 else fifth, vel - 8)
        else:
            play(0, 3.9, root, vel)

    def timpani(self, sections: list[Section], chords: list[int], body_bars: int, vel: int) -> Track:
        track = Track("Timpani", 4, 47, volume=92, pan=72)
        for sec in sections:
            if sec.label != "B" and sec.start_bar != 0:
                continue
            for bar in range(sec.start_bar, min(body_bars, sec.start_bar + sec.bars), 2):
                p = self._bass_pitch(root_of(chords[bar])) + 12
                track.notes.append(Note(4, bar * 4.0, bar * 4.0 + 1.5, p, self._vel(vel)))
        return track

    def groove(self, label: str) -> Groove:
        grooves = self.g.grooves
        return grooves.get(label) or grooves.get("*") or next(iter(grooves.values()))

    def drums(self, sections: list[Section], body_bars: int, vel: int) -> Track:
        track = Track("Drums", DRUM_CHANNEL, 0, volume=96)
        scale = vel / 92.0

        struck: dict[tuple[float, int], Note] = {}

        def hit(beat: float, note: int, v: float) -> None:
            velocity = self._vel(v * scale)
            same = struck.get((beat, note))
            if same is not None:  # a crash's kick on a groove's kick: one louder hit, not two
                same.velocity = max(same.velocity, velocity)
                return
            struck[(beat, note)] = Note(DRUM_CHANNEL, beat, beat + 0.2, note, velocity)
            track.notes.append(struck[(beat, note)])

        for si, sec in enumerate(sections):
            has_next = si + 1 < len(sections)
            groove = self.groove(sec.label)
            for b in range(sec.bars):
                bar = sec.start_bar + b
                if bar >= body_bars:
                    break
                t0 = bar * 4.0
                fill_bar = has_next and b == sec.bars - 1 and self.g.fill in ("toms", "snare") and sec.bars >= 2
                for note, steps in groove.items():
                    for k, ch in enumerate(steps):
                        if ch in VELOCITY and not (fill_bar and k >= 8):
                            hit(t0 + k / 4, note, VELOCITY[ch])
                if sec.label == "U" and self.g.fill == "roll":  # an EDM build: the snare speeds up
                    step = 1.0 if b < sec.bars / 2 else (0.5 if b < sec.bars - 1 else 0.25)
                    for k in range(int(4 / step)):
                        hit(t0 + k * step, SNARE, 50 + 60 * (b * 4 + k * step) / (sec.bars * 4))
                if fill_bar:
                    self.fill(hit, t0)
                if b == 0 and si > 0 and sec.label not in ("K",):
                    hit(t0, CRASH, 100)
                    hit(t0, KICK, 100)
        return track

    def fill(self, hit: object, t0: float) -> None:
        play = hit  # type: ignore[assignment]
        if self.g.fill == "toms":
            for k, note in enumerate((SNARE, SNARE, HIGH_TOM, HIGH_TOM, MID_TOM, MID_TOM, LOW_TOM, FLOOR_TOM)):
                play(t0 + 2 + k / 4, note, 80 + 4 * k)  # type: ignore[operator]
            play(t0 + 2, KICK, 90)  # type: ignore[operator]
        else:
            for k, v in ((8, 60), (10, 45), (12, 70), (13, 50), (14, 80), (15, 90)):
                play(t0 + k / 4, SNARE, v)  # type: ignore[operator]

    def final_chord(self, tracks: list[Track], start: float, end: float, chord: int,
                    melody: list[tuple[float, float, int, int]], base: int, vel: int) -> None:
        """The closing tonic chord, held to the end: melody on the tonic, chord, bass root, a last crash."""
        end = max(end, start + 0.5)
        pcs = [(p + self.spec.tonic) % 12 for p in chord_pcs(chord, "maj7" if self.g.name == "jazz" else None)]
        by_name = {t.name: t for t in tracks}
        last_deg = melody[-1][2] if melody else 0
        tonic_deg = 7 * round(last_deg / 7)
        by_name["Melody"].notes.append(Note(0, start, end, melody_pitch(tonic_deg, self.mode, chord, base), vel))
        for p in voicing(pcs, 60, 48, 74):
            by_name["Chords"].notes.append(Note(1, start, end, p, vel - 12))
        if "Pad" in by_name:
            for p in voicing(pcs, 72, 60, 84):
                by_name["Pad"].notes.append(Note(2, start, end, p, vel - 28))
        by_name["Bass"].notes.append(Note(3, start, end, self._bass_pitch(0), vel))
        if "Timpani" in by_name:
            by_name["Timpani"].notes.append(Note(4, start, start + 1.5, self._bass_pitch(0) + 12, vel))
        if "Drums" in by_name:
            by_name["Drums"].notes += [Note(DRUM_CHANNEL, start, start + 0.2, CRASH, 110),
                                       Note(DRUM_CHANNEL, start, start + 0.2, KICK, 110)]

    def finish(self, arr: Arrangement, release: float) -> None:
        """Swing, and nothing past the end (the fade itself is a controller ramp in the MIDI file)."""
        swing = self.g.swing
        limit = arr.end_beat - release
        for track in arr.tracks:
            kept: list[Note] = []
            for n in track.notes:
                if swing:
                    n.start, n.end = _swing(n.start, swing), _swing(n.end, swing)
                if n.start >= limit:
                    continue
                n.end = min(n.end, limit)
                kept.append(n)
            track.notes = sorted(kept, key=lambda n: (n.start, n.pitch))


def _swing(beat: float, amount: float) -> float:
    """Delay off-beat eighths by ``amount`` of an eighth (0.33: triplet swing)."""
    frac = beat % 1.0
    if abs(frac - 0.5) < 1e-6:
        return beat + amount * 0.5
    if abs(frac - 0.75) < 1e-6 or abs(frac - 0.25) < 1e-6:
        return beat + amount * 0.25
    return beat


def chorale_drums(n_beats: int, velocity: int) -> Track:
    """A plain hymn beat (the chorale genre's groove) under a chorale, for "with drums" requests."""
    from genloom.music.genres import GENRES

    track = Track("Drums", DRUM_CHANNEL, 0)
    groove = GENRES["chorale"].grooves["*"]
    for bar in range(math.ceil(n_beats / 4)):
        for note, steps in groove.items():
            for k, ch in enumerate(steps):
                beat = bar * 4 + k / 4
                if ch in VELOCITY and beat < n_beats:
                    v = int(min(127, VELOCITY[ch] * velocity / 92))
                    track.notes.append(Note(DRUM_CHANNEL, beat, beat + 0.2, note, v))
    track.notes.append(Note(DRUM_CHANNEL, n_beats, n_beats + 0.2, CRASH, 100))
    return track
