"""The sounds genloom can make: id, the words that ask for each, and how it is made.

This table is the single list: the request parser matches its words, the
error for an unknown effect lists its ids, and docs/audio.md describes the
same entries.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SoundInfo:
    id: str
    words: tuple[str, ...]   # regex fragments that name this sound in a request
    ambience: bool           # ambiences loop by default; effects are one-shots
    made: str                # how it is synthesized (shown by 'genloom sound --list' and in the docs)


SOUNDS: dict[str, SoundInfo] = {s.id: s for s in (
    SoundInfo("rain", (r"rain\w*", r"drizzl\w*", r"downpour", r"raindrops?", r"showers?"), True,
              "a hiss bed plus ~260 tiny damped resonances (drops) a second"),
    SoundInfo("ocean", (r"oceans?", r"seas?", r"seaside", r"waves?", r"surf", r"beach", r"shore\w*", r"tides?"), True,
              "low roar and foam hiss under a wave envelope (a swell every ~9 s, foam as it breaks)"),
    SoundInfo("wind", (r"wind\w*", r"breeze", r"gusts?", r"gales?", r"blizzard"), True,
              "low-passed noise under slow gusts plus two narrow whistling bands"),
    SoundInfo("thunder", (r"thunder\w*", r"lightning", r"storms?"), True,
              "a distant rumble bed with strikes: a sharp crack then a rolling low rumble"),
    SoundInfo("fire", (r"fires?", r"campfire", r"fireplace", r"bonfire", r"hearth", r"crackl\w*", r"flames?"), True,
              "a flickering low roar, a faint hiss and clustered, heavy-tailed crackles"),
    SoundInfo("stream", (r"streams?", r"brooks?", r"creeks?", r"rivers?", r"babbling", r"trickl\w*",
                         r"running water", r"flowing water"), True,
              "a water hiss plus Minnaert bubbles: resonances whose pitch rises as they close"),
    SoundInfo("birdsong", (r"birds?", r"birdsong", r"bird song", r"chirp\w*", r"tweet\w*", r"songbirds?",
                           r"dawn chorus"), True,
              "three synthetic birds singing phrases of gliding and trilled whistles over faint air"),
    SoundInfo("white-noise", (r"white[ -]noise", r"static", r"white"), True,
              "white noise: flat spectrum (0 dB per octave)"),
    SoundInfo("pink-noise", (r"pink[ -]noise", r"pink"), True,
              "pink noise: power falls 3 dB per octave (1/f), shaped in the frequency domain"),
    SoundInfo("brown-noise", (r"brown(?:ian)?[ -]noise", r"red[ -]noise", r"brown(?:ian)?"), True,
              "brown noise: power falls 6 dB per octave (1/f²)"),
    SoundInfo("clock", (r"clocks?", r"tick(?:s|ing|ed)?", r"tick[ -]tock"), True,
              "tick and tock: damped wooden-metal resonances once a second, with a case resonance"),
    SoundInfo("heartbeat", (r"heart ?beats?", r"hearts?", r"pulse"), True,
              "lub-dub: two low damped thumps (48 and 65 Hz) per beat, 62 bpm unless asked"),
    SoundInfo("beep", (r"beeps?", r"bleeps?", r"alert tone", r"alarm"), False,
              "a pure tone of 0.25 s with 5 ms ramps (repeated once a second in a longer clip)"),
    SoundInfo("chime", (r"chimes?", r"dings?", r"ding[ -]dong", r"bells?", r"notification"), False,
              "a struck-bar ding-dong of inharmonic partials; a longer clip goes on like wind chimes"),
    SoundInfo("whoosh", (r"whoosh\w*", r"swoosh\w*", r"woosh\w*", r"swish\w*", r"swipe"), False,
              "noise through a band that sweeps up and down (STFT filter) under a swell"),
    SoundInfo("applause", (r"applause", r"applaud\w*", r"clapping", r"claps?", r"ovation"), True,
              "thirty people clapping, each at a steady rate of their own, with their own hand resonance"),
)}

# "noise for sleeping" with no colour named: pink noise is the usual sleep noise.
SLEEP_DEFAULT = "pink-noise"


def names() -> list[str]:
    return list(SOUNDS)
