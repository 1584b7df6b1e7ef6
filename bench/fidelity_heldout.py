#!/usr/bin/env python
"""Held-out request fidelity: 20 cases written apart from bench/fidelity.py's, by someone playing
the outside user (the request-understanding rules were not read first).

Same cases, checks and runner as bench/fidelity.py (real models, ``genloom run ... --json``, the
delivered files measured with genloom.testing.checks):

    .venv/bin/python bench/fidelity.py --set heldout [--keep DIR] [-k WORD]
    .venv/bin/python bench/fidelity_heldout.py --list

Only the first look at these cases is an honest estimate for unseen requests; see
bench/heldout_first_look.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fidelity import (  # noqa: E402
    Case,
    Check,
    Outcome,
    all_ok,
    aspect,
    has_sound,
    image_count,
    is_code,
    keeps_picture,
    key,
    kinds_are,
    lasts,
    make_clip,
    make_photo,
    make_speech,
    never_says,
    prints,
    same_length_as,
    says,
    shows_images,
    sized,
    tempo,
    text_has,
    voice,
    word_count,
)

from genloom.testing import checks  # noqa: E402

# -- checks these cases need beyond bench/fidelity.py's --------------------------------------


def spanish() -> Check:
    def check(o: Outcome) -> tuple[bool, str]:
        w = checks.words(o.text("text"))
        es = sum(x in {"el", "la", "los", "las", "y", "de", "que", "en", "un", "una", "es", "por", "para", "con",
                       "del", "nuestro", "nuestra", "esta", "le"} for x in w)
        return bool(w) and es / len(w) > 0.08, f"{es}/{len(w)} Spanish function words"
    return check


def notes_say(fragment: str) -> Check:
    """An honest note (in the run's JSON or on stderr) mentions ``fragment``."""
    def check(o: Outcome) -> tuple[bool, str]:
        import json

        blob = (json.dumps(o.data) + "\n" + o.stderr).lower()
        return fragment.lower() in blob, f"{fragment!r} {'is' if fragment.lower() in blob else 'is not'} in the notes"
    return check


# The sound ids docs/audio.md lists: a refusal should name what can be made instead.
SOUND_IDS = ("rain", "ocean", "wind", "thunder", "fire", "stream", "birdsong", "white-noise", "pink-noise",
             "brown-noise", "clock", "heartbeat", "beep", "chime", "whoosh", "applause")


def refuses_naming_alternatives() -> Check:
    """Exit non-zero, no sound delivered, and the message lists (at least three of) the sounds genloom makes."""
    def check(o: Outcome) -> tuple[bool, str]:
        named = [s for s in SOUND_IDS if s in o.stderr.lower()]
        delivered = o.files("sound") if o.data else []
        last = next((ln for ln in reversed(o.stderr.splitlines()) if ln.strip()), "")
        ok = o.code != 0 and not delivered and len(named) >= 3
        return ok, f"exit {o.code}, {len(delivered)} sound files, names {named[:5]}; stderr {last[:120]!r}"
    return check


# -- the user's files ------------------------------------------------------------------------

VOICENOTE = ("Hi Sam, the plumber is coming on Thursday at ten. "
             "Please leave the back gate unlocked and feed the dog.")
CALL = ("Thanks for joining the call. Our budget for the garden project is twelve thousand dollars. "
        "Planting starts in April, and Lena will order the trees next week.")
WELCOME = ("Welcome aboard the Silver Line ferry. The crossing takes twenty minutes. "
           "Life jackets are under your seats.")
MENU_NOTE = "Good evening and welcome to our restaurant. Tonight the chef recommends the mushroom soup."


def _photo(seed: int):  # noqa: ANN202 - a Case input maker
    return lambda p: make_photo(p, seed)


# -- the cases --------------------------------------------------------------------------------

HELDOUT: list[Case] = [
    # speech
    Case("ho-voice-man-verbatim", 'Say "The museum opens at nine tomorrow morning" in a man\'s voice.',
         [kinds_are("speech"), all_ok(), voice("low"), says("The museum opens at nine tomorrow morning")]),
    Case("ho-voice-woman-15s",
         "A 15-second voice message in a woman's voice reminding customers about the Saturday farmers market.",
         [kinds_are("speech"), all_ok(), lasts("speech", 15, 0.25), voice("high"), never_says("voice message")]),
    # images
    Case("ho-two-thumbnails", "Two YouTube thumbnails for a cooking channel called Salt and Smoke.",
         [kinds_are("image"), all_ok(), image_count(2), sized(1280, 720, 2)]),
    Case("ho-fb-cover-words", 'A Facebook cover for a yoga studio with the words "Breathe Easy".',
         [kinds_are("image"), all_ok(), sized(820, 312), prints("Breathe Easy")]),
    Case("ho-photo-offline", "A realistic photograph of a golden retriever on a beach.",
         [kinds_are("image"), notes_say("sd-turbo")]),
    # music
    Case("ho-jazz-f-100", "A 20-second jazz tune at 100 bpm in F major.",
         [kinds_are("music"), all_ok(), lasts("music", 20, 0.15), tempo(100), key("F", "major")]),
    Case("ho-ambient-half-minute", "Half a minute of ambient music in A minor for a meditation app.",
         [kinds_are("music"), all_ok(), lasts("music", 30, 0.15), key("A", "minor")]),
    # sounds
    Case("ho-campfire-1min", "One minute of crackling campfire sound.",
         [kinds_are("sound"), all_ok(), lasts("sound", 60, 0.1)]),
    Case("ho-door-creak-refused", "A creaking door sound effect.",
         [refuses_naming_alternatives()]),
    # video
    Case("ho-tiktok-windmill-10s", "A 10-second TikTok video of a spinning windmill.",
         [kinds_are("video"), all_ok(), lasts("video", 10, 0.1), aspect(9 / 16, "video")]),
    Case("ho-video-says-verbatim", 'A short video where a narrator says "Fresh bread every morning at Crumb Bakery."',
         [kinds_are("video"), all_ok(), has_sound(), says("Fresh bread every morning at Crumb Bakery", kind="video")]),
    # text and code
    Case("ho-bio-100-words", "A 100-word bio for a freelance illustrator named Mara Quinn.",
         [kinds_are("text"), all_ok(), word_count(75, 130), text_has("Mara Quinn", 1.0)]),
    Case("ho-python-csv", "Python code that reads a CSV file and prints the average of the price column.",
         [kinds_are("code"), all_ok(), is_code("python")]),
    # the user's files
    Case("ho-what-does-it-say", "what does voicenote.wav say? write it out for me",
         [all_ok(), text_has("plumber Thursday ten back gate unlocked feed dog", 0.6)],
         {"voicenote.wav": lambda p: make_speech(p, VOICENOTE)}),
    Case("ho-transcribe-then-summarize", "Transcribe call.wav, then summarize it in one sentence.",
         [all_ok(), kinds_are("text"), text_has("budget garden April trees", 0.5), word_count(4, 45)],
         {"call.wav": lambda p: make_speech(p, CALL)}),
    Case("ho-narrate-male", "Turn welcome.txt into an audio file read by a man.",
         [all_ok(), kinds_are("speech"), voice("low"), says(WELCOME, recall=0.75)],
         {"welcome.txt": lambda p: p.write_text(WELCOME)}),
    Case("ho-translate-spanish", "Translate menu_note.txt into Spanish.",
         [all_ok(), kinds_are("text"), spanish()],
         {"menu_note.txt": lambda p: p.write_text(MENU_NOTE)}),
    Case("ho-clip-lofi", "Add a lo-fi beat under skate.mp4.",
         [all_ok(), kinds_are("video"), same_length_as("video", "skate.mp4"), has_sound(), keeps_picture("skate.mp4")],
         {"skate.mp4": lambda p: make_clip(p, 8)}),
    Case("ho-square-slideshow-12s", "Turn p1.jpg, p2.jpg, p3.jpg and p4.jpg into a 12-second square slideshow.",
         [all_ok(), kinds_are("video"), lasts("video", 12, 0.1), aspect(1.0, "video"),
          shows_images("p1.jpg", "p2.jpg", "p3.jpg", "p4.jpg")],
         {f"p{i}.jpg": _photo(30 + i) for i in (1, 2, 3, 4)}),
    Case("ho-words-on-photo", 'Add the text "Sunday Brunch Special" to brunch.jpg.',
         [all_ok(), kinds_are("image"), sized(800, 600), prints("Sunday Brunch Special")],
         {"brunch.jpg": _photo(41)}),
]

assert len(HELDOUT) == 20 and len({c.id for c in HELDOUT}) == 20


if __name__ == "__main__":
    import fidelity

    sys.argv[1:1] = ["--set", "heldout"]
    raise SystemExit(fidelity.main())
