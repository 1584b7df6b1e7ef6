"""Genre arrangements: instruments, drum grooves, bass and accompaniment styles, form and feel.

Melody and harmony are never listed here: they are sampled from the trained
song tables. A genre only says how to *play* them: which chord table and how
(loops of four chords, or phrases with cadences; with or without sevenths), how
busy the melody is, the groove, the form and the ending.

Drum patterns are 16 sixteenth-note steps per bar: ``X`` accent, ``x`` normal,
``o`` ghost, ``.`` rest; keys are General MIDI percussion notes (channel 10).
"""

from __future__ import annotations

from dataclasses import dataclass, field

KICK, SIDE, SNARE, CLAP, CLOSED_HAT, PEDAL_HAT, OPEN_HAT, CRASH, RIDE = 36, 37, 38, 39, 42, 44, 46, 49, 51
TAMBOURINE, SHAKER, LOW_TOM, MID_TOM, HIGH_TOM, FLOOR_TOM = 54, 82, 45, 47, 50, 41
Groove = dict[int, str]


@dataclass(frozen=True)
class Genre:
    name: str
    words: tuple[str, ...]  # request words that select it
    tempo: int
    drums: bool  # drums by default
    lead: int  # General MIDI programs
    comp: int
    bass: int
    pad: int | None = None
    mode: str | None = None  # default mode when neither the request nor a mood sets one
    harmony: str = "bar"  # chord table: "bar" (tunes, bar by bar) or "change" (chorales)
    loop: bool = False  # sections repeat a 4-chord loop
    seventh: bool = False  # chords with sevenths
    fifths: float = 0.0  # favour roots falling a fifth
    density: float = 4.0  # melody notes per bar
    temperature: float = 1.0
    swing: float = 0.0  # 0 straight; 0.33 = triplet swing of the off-beat eighths
    ending: str = "cadence"  # "cadence" (final chord held) or "fade"
    intro_bars: int = 2
    sections: tuple[tuple[str, int], ...] = (("A", 8), ("B", 8))
    bass_style: str = "root"
    comp_style: str = "block"
    melody_octave: int = 0
    velocity: int = 84
    grooves: dict[str, Groove] = field(default_factory=dict)  # by section label, "*" for any
    fill: str = "toms"  # "toms", "snare", "roll" (EDM build) or "none"


GENRES: dict[str, Genre] = {g.name: g for g in (
    Genre(
        "pop", ("pop", "jingle", "ringtone", "catchy", "radio", "commercial", "advert", "ad music"),
        tempo=110, drums=True, lead=80, comp=0, bass=33, pad=48, loop=True, density=4.5,
        sections=(("V", 8), ("C", 8)), bass_style="pop", comp_style="pulse",
        grooves={
            "I": {KICK: "x.......x.......", CLOSED_HAT: "x.x.x.x.x.x.x.x."},
            "V": {KICK: "x.......x.x.....", SNARE: "....x.......x...", CLOSED_HAT: "x.x.x.x.x.x.x.x."},
            "C": {KICK: "x.....x.x.x.....", SNARE: "....X.......X...", CLOSED_HAT: "x.o.x.o.x.o.x.o.",
                  TAMBOURINE: "....x.......x..."},
        }),
    Genre(
        "rock", ("rock", "riff", "guitar riff", "punk", "metal", "grunge", "power chord"),
        tempo=128, drums=True, lead=30, comp=29, bass=34, loop=True, density=4.0, temperature=0.9,
        sections=(("V", 8), ("C", 8)), bass_style="eighths", comp_style="power",
        velocity=96,
        grooves={
            "I": {KICK: "x.x.....x.x.....", SNARE: "....x.......x...", CLOSED_HAT: "x.x.x.x.x.x.x.x."},
            "V": {KICK: "x.x.....x.x.....", SNARE: "....x.......x...", CLOSED_HAT: "x.x.x.x.x.x.x.x."},
            "C": {KICK: "x.x...x.x.x.....", SNARE: "....X.......X...", RIDE: "x.x.x.x.x.x.x.x."},
        }),
    Genre(
        "lofi", ("lofi", "lo-fi", "lo fi", "hip hop", "hip-hop", "hiphop", "chillhop", "boom bap", "study beat",
                 "beat to study", "chill beat"),
        tempo=80, drums=True, lead=11, comp=4, bass=32, pad=89, harmony="change", loop=True, seventh=True,
        density=3.0,
        temperature=0.9, swing=0.33, ending="fade", sections=(("A", 8), ("B", 8)), bass_style="lofi",
        comp_style="lazy", velocity=70, fill="snare",
        grooves={
            "I": {KICK: "x.........x.....", CLOSED_HAT: "x.o.x.o.x.o.x.o."},
            "*": {KICK: "x......x..x.....", SNARE: "....x.......x..o", CLOSED_HAT: "x.o.x.o.x.o.x.ox"},
        }),
    Genre(
        "edm", ("edm", "house", "techno", "trance", "dance", "electronic", "club", "drop", "rave", "dubstep",
                "electro", "synthwave"),
        tempo=124, drums=True, lead=81, comp=90, bass=38, pad=89, mode="minor", loop=True, density=5.0,
        ending="fade", intro_bars=4, sections=(("U", 4), ("D", 8), ("K", 4), ("U", 4), ("D", 8)),
        bass_style="offbeat", comp_style="stabs", fill="roll",
        grooves={
            "I": {KICK: "x...x...x...x...", CLOSED_HAT: "..x...x...x...x."},
            "U": {KICK: "x...x...x...x...", CLOSED_HAT: "x.x.x.x.x.x.x.x.", CLAP: "....x.......x..."},
            "D": {KICK: "X...X...X...X...", CLAP: "....x.......x...", OPEN_HAT: "..x...x...x...x.",
                  CLOSED_HAT: "o.o.o.o.o.o.o.o."},
            "K": {OPEN_HAT: "..o...o...o...o."},
        }),
    Genre(
        "ambient", ("ambient", "drone", "atmospheric", "soundscape", "meditation", "meditative", "spa", "sleep",
                    "background", "new age"),
        tempo=70, drums=False, lead=8, comp=89, bass=89, pad=95, harmony="change", density=1.5,
        temperature=1.1, ending="fade", sections=(("A", 8), ("B", 8)), bass_style="drone",
        comp_style="pad", melody_octave=1, velocity=62, fill="none",
        grooves={"*": {KICK: "x...............", SHAKER: "..o...o...o...o."}}),
    Genre(
        "cinematic", ("cinematic", "orchestral", "orchestra", "epic", "film score", "movie", "soundtrack",
                      "trailer", "score", "symphonic", "heroic"),
        tempo=90, drums=True, lead=60, comp=48, bass=43, pad=52, harmony="change", density=3.0,
        sections=(("A", 8), ("B", 8)), bass_style="half", comp_style="sustain", velocity=88,
        grooves={
            "I": {FLOOR_TOM: "x...............", KICK: "x..............."},
            "A": {FLOOR_TOM: "x.....x.x.......", KICK: "x.......x......."},
            "B": {FLOOR_TOM: "x.....x.x...x...", LOW_TOM: "....x.......x.x.", KICK: "x.....x.x.......",
                  SNARE: "....x.......x..."},
        }),
    Genre(
        "jazz", ("jazz", "swing", "bebop", "jazzy", "lounge", "bossa", "smooth jazz", "big band", "blues", "bluesy"),
        tempo=132, drums=True, lead=65, comp=0, bass=32, harmony="change", seventh=True, fifths=2.0,
        density=5.0, temperature=1.05, swing=0.33, sections=(("A", 8), ("B", 8)), bass_style="walking",
        comp_style="charleston", velocity=78, fill="snare",
        grooves={"*": {RIDE: "x...x.x.x...x.x.", PEDAL_HAT: "....x.......x...", KICK: "o...o...o...o..."}}),
    Genre(
        "folk", ("folk", "acoustic", "celtic", "irish", "country", "bluegrass", "campfire", "fiddle", "reel",
                 "ballad", "singer-songwriter", "sea shanty", "shanty"),
        tempo=104, drums=True, lead=40, comp=25, bass=32, density=5.5, sections=(("A", 8), ("B", 8)),
        bass_style="boomchick", comp_style="strum", velocity=80, fill="snare",
        grooves={"*": {KICK: "x.......x.......", SIDE: "....x.......x...", TAMBOURINE: "..x...x...x...x."}}),
    Genre(
        "chorale", ("chorale", "hymn", "choral", "bach", "baroque", "church", "sacred", "four-part", "four part",
                    "carol", "psalm"),
        tempo=72, drums=False, lead=0, comp=0, bass=0, density=2.0, intro_bars=0, fill="none",
        grooves={"*": {KICK: "x.......x.......", SNARE: "....x.......x...", CLOSED_HAT: "x...x...x...x..."}}),
)}
DRUM_GENRES = tuple(name for name, g in GENRES.items() if g.drums)
# Moods that suggest a genre when the request names none.
MOOD_GENRE = {
    "calm": "ambient", "peaceful": "ambient", "serene": "ambient", "relaxing": "ambient", "dreamy": "ambient",
    "quiet": "ambient", "gentle": "folk", "soft": "folk", "sad": "cinematic", "melancholy": "cinematic",
    "melancholic": "cinematic", "tragic": "cinematic", "dramatic": "cinematic", "epic": "cinematic",
    "majestic": "cinematic", "triumphant": "cinematic", "mysterious": "cinematic", "tense": "cinematic",
    "dark": "cinematic", "darker": "cinematic", "solemn": "chorale", "mournful": "chorale", "somber": "chorale",
    "sombre": "chorale", "gloomy": "cinematic", "hopeful": "cinematic", "romantic": "jazz", "happy": "pop",
    "joyful": "pop", "cheerful": "pop", "bright": "pop", "brighter": "pop", "uplifting": "pop", "upbeat": "pop",
    "festive": "pop", "playful": "folk", "lively": "folk", "energetic": "rock", "exciting": "edm", "angry": "rock",
    "lullaby": "ambient", "nostalgic": "lofi", "emotional": "cinematic", "inspiring": "cinematic",
    "inspirational": "cinematic", "motivational": "pop", "corporate": "pop", "groovy": "pop", "funky": "pop",
    "hype": "edm", "chill": "lofi", "chilled": "lofi", "cozy": "lofi", "mellow": "lofi", "spooky": "cinematic", "scary": "cinematic",
    "eerie": "cinematic", "suspenseful": "cinematic", "intense": "rock", "aggressive": "rock",
}
DEFAULT_GENRE = "pop"


def genre(name: str) -> Genre:
    return GENRES[name]
