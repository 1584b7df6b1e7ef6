"""General MIDI instrument names: the 128 programs, common short names, and which ones play bass."""

from __future__ import annotations

import re

PROGRAMS = (
    "acoustic grand piano", "bright acoustic piano", "electric grand piano", "honky-tonk piano",
    "electric piano 1", "electric piano 2", "harpsichord", "clavinet", "celesta", "glockenspiel", "music box",
    "vibraphone", "marimba", "xylophone", "tubular bells", "dulcimer", "drawbar organ", "percussive organ",
    "rock organ", "church organ", "reed organ", "accordion", "harmonica", "tango accordion",
    "acoustic guitar (nylon)", "acoustic guitar (steel)", "electric guitar (jazz)", "electric guitar (clean)",
    "electric guitar (muted)", "overdriven guitar", "distortion guitar", "guitar harmonics", "acoustic bass",
    "electric bass (finger)", "electric bass (pick)", "fretless bass", "slap bass 1", "slap bass 2",
    "synth bass 1", "synth bass 2", "violin", "viola", "cello", "contrabass", "tremolo strings",
    "pizzicato strings", "orchestral harp", "timpani", "string ensemble 1", "string ensemble 2",
    "synth strings 1", "synth strings 2", "choir aahs", "voice oohs", "synth voice", "orchestra hit",
    "trumpet", "trombone", "tuba", "muted trumpet", "french horn", "brass section", "synth brass 1",
    "synth brass 2", "soprano sax", "alto sax", "tenor sax", "baritone sax", "oboe", "english horn",
    "bassoon", "clarinet", "piccolo", "flute", "recorder", "pan flute", "blown bottle", "shakuhachi",
    "whistle", "ocarina", "lead 1 (square)", "lead 2 (sawtooth)", "lead 3 (calliope)", "lead 4 (chiff)",
    "lead 5 (charang)", "lead 6 (voice)", "lead 7 (fifths)", "lead 8 (bass + lead)", "pad 1 (new age)",
    "pad 2 (warm)", "pad 3 (polysynth)", "pad 4 (choir)", "pad 5 (bowed)", "pad 6 (metallic)", "pad 7 (halo)",
    "pad 8 (sweep)", "fx 1 (rain)", "fx 2 (soundtrack)", "fx 3 (crystal)", "fx 4 (atmosphere)",
    "fx 5 (brightness)", "fx 6 (goblins)", "fx 7 (echoes)", "fx 8 (sci-fi)", "sitar", "banjo", "shamisen",
    "koto", "kalimba", "bagpipe", "fiddle", "shanai", "tinkle bell", "agogo", "steel drums", "woodblock",
    "taiko drum", "melodic tom", "synth drum", "reverse cymbal", "guitar fret noise", "breath noise",
    "seashore", "bird tweet", "telephone ring", "helicopter", "applause", "gunshot",
)
# Everyday names (and plurals handled by the parser) for the programs above.
ALIASES: dict[str, int] = {
    "piano": 0, "grand piano": 0, "upright piano": 1, "keys": 4, "electric piano": 4, "rhodes": 4, "e-piano": 4,
    "wurlitzer": 5, "harpsichord": 6, "celesta": 8, "glockenspiel": 9, "music box": 10, "vibes": 11,
    "vibraphone": 11, "marimba": 12, "xylophone": 13, "bells": 14, "chimes": 14, "organ": 19, "hammond": 16,
    "church organ": 19, "rock organ": 18, "accordion": 21, "harmonica": 22, "guitar": 25,
    "acoustic guitar": 25, "nylon guitar": 24, "classical guitar": 24, "steel guitar": 25, "jazz guitar": 26,
    "electric guitar": 27, "clean guitar": 27, "muted guitar": 28, "overdriven guitar": 29,
    "distorted guitar": 30, "distortion guitar": 30, "rock guitar": 30, "bass": 33, "bass guitar": 33,
    "electric bass": 33, "acoustic bass": 32, "upright bass": 32, "double bass": 43, "fretless bass": 35,
    "slap bass": 36, "synth bass": 38, "violin": 40, "fiddle": 40, "viola": 41, "cello": 42, "contrabass": 43,
    "strings": 48, "string ensemble": 48, "string quartet": 48, "orchestra": 48, "pizzicato": 45, "harp": 46,
    "timpani": 47, "synth strings": 50, "choir": 52, "voice": 53, "vocals": 53, "voices": 52, "trumpet": 56,
    "trombone": 57, "tuba": 58, "horn": 60, "french horn": 60, "horns": 60, "brass": 61, "brass section": 61,
    "synth brass": 62, "sax": 65, "saxophone": 65, "soprano sax": 64, "alto sax": 65, "tenor sax": 66,
    "baritone sax": 67, "oboe": 68, "english horn": 69, "bassoon": 70, "clarinet": 71, "piccolo": 72,
    "flute": 73, "recorder": 74, "pan flute": 75, "whistle": 78, "ocarina": 79, "woodwinds": 71,
    "synth": 81, "synth lead": 81, "lead synth": 81, "saw lead": 81, "square lead": 80, "supersaw": 81,
    "pad": 89, "synth pad": 89, "warm pad": 89, "sitar": 104, "banjo": 105, "kalimba": 108, "koto": 107,
    "bagpipe": 109, "bagpipes": 109, "steel drums": 114, "steel pan": 114, "taiko": 116,
    # Everyday names without a General MIDI program of their own: the nearest one.
    "ukulele": 24, "mandolin": 105, "lute": 24, "keyboard": 0, "keyboards": 0, "acoustic piano": 0,
    "pipe organ": 19, "hammond organ": 16, "string section": 48, "horn section": 61, "synthesizer": 81,
    "synthesiser": 81, "bass synth": 38, "sub bass": 38, "808": 38, "lead guitar": 30, "rhythm guitar": 27,
    "tin whistle": 78, "penny whistle": 78, "whistling": 78, "humming": 53, "vocal": 53, "singing": 53,
    "pan pipes": 75, "didgeridoo": 109, "erhu": 110, "zither": 15, "hang drum": 114, "handpan": 114,
}
BASS_PROGRAMS = frozenset({32, 33, 34, 35, 36, 37, 38, 39, 43, 58, 70})
MELODIC_PROGRAMS = frozenset({*range(40, 42), *range(52, 55), *range(56, 88), 104, 105, 109, 110, 111})
NOT_INSTRUMENTS = frozenset({"drums", "drum", "percussion", "beat", "beats", "drum kit", "drumkit", "drum machine",
                             "bongos", "congas", "tabla", "cajon", "claps", "hand claps", "handclaps", "shaker",
                             "tambourine", "cymbals", "hi-hats", "hihats"})


def find_instruments(text: str) -> list[tuple[str, int]]:
    """(name, program) of each instrument named in ``text``, in order, longest names first at a position."""
    lowered = text.lower()
    names = {**{n: i for i, n in enumerate(PROGRAMS)}, **ALIASES}
    found: list[tuple[int, int, str, int]] = []
    for name in sorted(names, key=len, reverse=True):
        for m in re.finditer(rf"(?<![a-z]){re.escape(name)}(?:e?s)?(?![a-z])", lowered):
            if not any(s <= m.start() < e or m.start() <= s < m.end() for s, e, _, _ in found):
                found.append((m.start(), m.end(), name, names[name]))
    return [(name, program) for _, _, name, program in sorted(found)]


def program_for(name: str) -> int | None:
    """The program of one instrument name ("acoustic guitar", "Piano", "program 33"), else None."""
    name = name.strip().lower()
    m = re.fullmatch(r"(?:program|gm)\s*(\d{1,3})", name)
    if m and int(m.group(1)) < 128:
        return int(m.group(1))
    found = find_instruments(name)
    return found[0][1] if len(found) == 1 else None
