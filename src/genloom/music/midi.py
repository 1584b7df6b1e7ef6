"""A :class:`Piece` in a key, tempo and instrumentation, as a Standard MIDI File."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from genloom.music.model import REST, Piece
from genloom.music.request import NAMES_SHARP, Spec

if TYPE_CHECKING:
    from genloom.music.arrange import Track

TICKS = 480  # per quarter note
FADE_DB = -24.0  # where a fade-out ends, at the last sample
FINAL_HOLD = 2  # extra beats on the last chord (a fermata)


@dataclass
class Note:
    voice: int
    start: float  # beats
    end: float
    pitch: int
    velocity: int


def transpose_shift(tonic: int) -> int:
    """Semitones from the model's C to the requested tonic, keeping voices near their range."""
    return tonic if tonic <= 6 else tonic - 12


def notes(piece: Piece, spec: Spec, hold: float = FINAL_HOLD) -> list[Note]:
    """Per-voice notes: held pitches merged, passing eighths inserted, the final chord held ``hold`` beats."""
    shift = 60 + transpose_shift(spec.tonic)
    out: list[Note] = []
    n = len(piece.beats)
    for v in range(4):
        current: Note | None = None
        for b in range(n):
            rel = piece.beats[b][v]
            if rel == REST:
                current = None
                continue
            pitch = rel + shift
            attack = bool(piece.attacks[b] & (1 << v)) or current is None or current.pitch != pitch
            if attack:
                accent = 8 if b % 4 == 0 else 0
                velocity = max(1, min(127, spec.velocity + accent - 4 * v))
                current = Note(v, b, b + 1, pitch, velocity)
                out.append(current)
            else:
                current.end = b + 1  # type: ignore[union-attr]
            passing = piece.passing.get((b, v))
            if passing is not None and current is not None:
                current.end = b + 0.5
                current = Note(v, b + 0.5, b + 1, pitch + passing, max(1, current.velocity - 6))
                out.append(current)
    last = n
    for note in out:
        if note.end >= last:
            note.end = last + hold
    return out


def write_midi(note_list: list[Note], spec: Spec, label: str | None = None) -> bytes:
    """Type-1 MIDI: a conductor track (tempo, meter, key, AI label) and one track per voice."""
    import mido

    mid = mido.MidiFile(type=1, ticks_per_beat=TICKS)
    mid.tracks.append(_conductor(spec, label, 0))
    voice_names = ("Soprano", "Alto", "Tenor", "Bass")
    for v in range(4):
        track = mido.MidiTrack()
        track.append(mido.MetaMessage("track_name", name=voice_names[v], time=0))
        track.append(mido.Message("program_change", program=spec.programs[v], channel=v, time=0))
        events: list[tuple[int, int, mido.Message]] = []
        for note in note_list:
            if note.voice != v:
                continue
            on, off = round(note.start * TICKS), round(note.end * TICKS)
            # Off before on at the same tick, so a repeated pitch is re-struck, not cut.
            events.append((on, 1, mido.Message("note_on", note=note.pitch, velocity=note.velocity, channel=v)))
            events.append((off, 0, mido.Message("note_off", note=note.pitch, velocity=0, channel=v)))
        now = 0
        for tick, _, msg in sorted(events, key=lambda e: (e[0], e[1])):
            track.append(msg.copy(time=tick - now))
            now = tick
        track.append(mido.MetaMessage("end_of_track", time=0))
        mid.tracks.append(track)
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()


def write_tracks(tracks: list[Track], spec: Spec, end_beat: float, label: str | None = None,
                 fade_from: float | None = None) -> bytes:
    """Type-1 MIDI of an arrangement: a conductor track, then one track per part on its own channel
    (drums on channel 10). Every track ends at ``end_beat``, so the file lasts exactly the piece;
    a fade is an expression (CC 11) ramp on every channel from ``fade_from`` to the end (to ``FADE_DB``)."""
    import mido

    mid = mido.MidiFile(type=1, ticks_per_beat=TICKS)
    end_tick = round(end_beat * TICKS)
    mid.tracks.append(_conductor(spec, label, end_tick))
    for track in tracks:
        out = mido.MidiTrack()
        out.append(mido.MetaMessage("track_name", name=track.name, time=0))
        out.append(mido.Message("program_change", program=track.program, channel=track.channel, time=0))
        out.append(mido.Message("control_change", control=7, value=track.volume, channel=track.channel, time=0))
        out.append(mido.Message("control_change", control=10, value=track.pan, channel=track.channel, time=0))
        events: list[tuple[int, int, mido.Message]] = []
        if fade_from is not None:
            steps = max(2, int((end_beat - fade_from) * 4))
            for k in range(steps + 1):
                beat = fade_from + (end_beat - fade_from) * k / steps
                # Evenly in decibels down to FADE_DB at the last instant (expression is heard as
                # 40 log10(v / 127) dB), so the music is heard fading right to the end of the file.
                value = round(127 * 10 ** (FADE_DB * k / steps / 40))
                events.append((round(beat * TICKS), 0, mido.Message("control_change", control=11, value=value,
                                                                    channel=track.channel)))
        for note in track.notes:
            on, off = round(note.start * TICKS), min(end_tick, round(note.end * TICKS))
            if off <= on:
                continue
            events.append((on, 2, mido.Message("note_on", note=note.pitch, velocity=note.velocity, channel=track.channel)))
            events.append((off, 1, mido.Message("note_off", note=note.pitch, velocity=0, channel=track.channel)))
        now = 0
        for tick, _, msg in sorted(events, key=lambda e: (e[0], e[1])):
            out.append(msg.copy(time=tick - now))
            now = tick
        out.append(mido.MetaMessage("end_of_track", time=max(0, end_tick - now)))
        mid.tracks.append(out)
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()


def _conductor(spec: Spec, label: str | None, end_tick: int) -> object:
    import mido

    conductor = mido.MidiTrack()
    conductor.append(mido.MetaMessage("track_name", name="genloom composer", time=0))
    if label:
        conductor.append(mido.MetaMessage("text", text=label, time=0))
        conductor.append(mido.MetaMessage("copyright", text="AI-generated (genloom)", time=0))
    conductor.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(spec.tempo), time=0))
    conductor.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    key = NAMES_SHARP[spec.tonic] + ("m" if spec.mode == "minor" else "")
    try:
        conductor.append(mido.MetaMessage("key_signature", key=key, time=0))
    except (ValueError, KeyError):  # mido lacks a few enharmonic spellings
        pass
    conductor.append(mido.MetaMessage("end_of_track", time=end_tick))
    return conductor


def pitched_only(midi: bytes) -> bytes:
    """The same MIDI file without the percussion channel (for key analysis of the pitched parts)."""
    import mido

    mid = mido.MidiFile(file=io.BytesIO(midi))
    for track in mid.tracks:
        kept, carry = [], 0
        for msg in track:
            if not msg.is_meta and getattr(msg, "channel", None) == 9:
                carry += msg.time
                continue
            kept.append(msg.copy(time=msg.time + carry))
            carry = 0
        track[:] = kept
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()
