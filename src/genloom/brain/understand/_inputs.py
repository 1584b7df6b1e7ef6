"""The user's files in a request: which part uses which file, and what it does with it.

A part that names a file (or says "it" right after a part that did) applies an
*operation* to it. What the user receives is the product of the last
operation: "transcribe interview.mp3 then summarize it" delivers the summary,
the transcript is an intermediate; "add my voiceover to clip.mp4" delivers the
clip with a voice on it, so the voiceover is made to be mixed in, not handed
over. The table below is the whole rule: (what the part asks for, what the file
holds) -> what is delivered, with which operation.
"""

from __future__ import annotations

import re

from genloom.brain.spec import Deliverable
from genloom.brain.understand import _extract

# Words that pick the text operation on a file's (or a transcript's) content.
_TEXT_OPS = (("summarize", r"summar|sum up|tl;?dr|key points|recap|bullet|gist|minutes"),
             ("translate", r"translat"), ("describe", r"describ|alt text|caption|what'?s in"))
PRONOUN = re.compile(r"\b(?:it|them|this|that|the (?:result|transcript|summary|text|audio|recording|file))\b")
_BURN = re.compile(r"\b(?:add|burn|put|embed|overlay|include)\b")
_EXTRACT = re.compile(r"\b(?:extract|rip|pull|get)\b.*\baudio\b")
# A list of the user's files ("zfile1, zfile2, and zfile3"), once file names are placeholders.
_LIST_JOIN = r"(?:\s*,\s*(?:(?:and|&|plus)\s+)?|\s+(?:and|&|plus)\s+|\s*&\s*)"
_FILE_LIST = re.compile(rf"\bzfile\d+(?:{_LIST_JOIN}zfile\d+)+\b")
FILE_RUN = re.compile(r"\bzfile\d+(?:\s+zfile\d+)+\b")


def join_file_lists(masked: str) -> str:
    """"turn zfile1, zfile2 and zfile3 into a slideshow" -> "turn zfile1 zfile2 zfile3 into a slideshow".

    A list of the user's files is one object of one operation. Its commas and "and"s
    would otherwise split the request into parts, and every file but the last would
    fall into a chunk that asks for nothing and be lost. Joined by spaces, the run
    stays inside the part that names the operation, whichever side of it the list is
    ("make a slideshow from a.jpg, b.jpg and c.jpg", "a.png, b.png: slideshow").
    ``list_text`` writes a run back as a list.
    """
    return _FILE_LIST.sub(lambda m: " ".join(re.findall(r"zfile\d+", m.group(0))), masked)


def list_text(names: list[str]) -> str:
    """["a.jpg", "b.jpg", "c.jpg"] -> "a.jpg, b.jpg and c.jpg"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _mentioned_kinds(phrase: str) -> set[str]:
    from genloom.brain.understand._parts import _matches

    return {m.kind for m in _matches(phrase.lower()) if m.role in ("noun", "verb")}


def text_operation(phrase: str) -> str:
    low = phrase.lower()
    return next((op for op, rx in _TEXT_OPS if re.search(rx, low)), "answer")


def is_extraction(phrase: str) -> bool:
    """"extract the audio from talk.mp4": no deliverable, the next step reads the clip itself."""
    return bool(_EXTRACT.search(phrase.lower()))


def apply(ds: list[Deliverable], i: int, file_kinds: dict[str, str | None]) -> list[Deliverable]:
    """Deliverable ``i`` uses ``file_kinds`` (mention -> kind): set its operation; return new intermediates.

    New deliverables are returned (not inserted) so indices stay stable; the
    caller appends them and points ``made_from`` at them.
    """
    d = ds[i]
    files = list(file_kinds)
    kinds = set(file_kinds.values())
    of = {k: [f for f, fk in file_kinds.items() if fk == k] for k in kinds}
    media = of.get("audio", []) + of.get("video", [])
    added: list[Deliverable] = []
    if d.kind == "transcript" and of.get("video") and _BURN.search(d.phrase.lower()):
        # "add subtitles to talk.mp4": the clip comes back with the words on it
        d.kind, d.operation, d.uses_files, d.captions = "video", "captions", of["video"], True
    elif d.kind == "transcript":
        d.operation, d.uses_files = "transcribe", media or files
    elif d.kind == "text" and of.get("video") and _BURN.search(d.phrase.lower()) and \
            re.search(r"\b(?:captions?|subtitles?)\b", d.phrase.lower()):
        # "add captions to reel.mp4": the clip comes back with its words on it
        d.kind, d.operation, d.uses_files, d.captions = "video", "captions", of["video"], True
    elif d.kind == "text":
        if media:
            added.append(Deliverable(kind="transcript", label="transcript", phrase=d.phrase, deliverable=False,
                                     operation="transcribe", uses_files=media,
                                     reason="the recording is transcribed first: the text uses only what it says"))
            d.operation = text_operation(d.phrase)
        elif of.get("image") and (d.verbatim or d.headline):
            # "write 'SOLD OUT' across poster.jpg": the picture comes back with the words on it
            d.kind, d.operation, d.uses_files = "image", "headline-on-image", of["image"]
            d.headline = d.headline or d.verbatim
        elif of.get("image"):
            d.operation, d.uses_files = "describe", of["image"]
        else:
            d.operation, d.uses_files = text_operation(d.phrase), files
        if d.operation != "describe" and not media:
            d.uses_files = files
        if d.label in ("headline", "headlines", "title", "text") and of.get("image"):
            # "put the headline 'Grand Opening' on storefront.png": the picture is what comes back.
            d.kind, d.operation, d.uses_files = "image", "headline-on-image", of["image"]
            d.headline = d.headline or d.verbatim
    elif d.kind in ("speech", "music", "sound") and of.get("video"):
        # "add my voiceover to clip.mp4": the clip comes back, with the new audio mixed in.
        op = "voiceover" if d.kind == "speech" else "add-music"
        video = Deliverable(kind="video", label="video", phrase=d.phrase, operation=op, uses_files=of["video"],
                            with_music=True if d.kind == "music" else None,
                            reason=f"{d.kind} is added to the user's clip: the edited clip is what comes back")
        d.deliverable = False
        if d.kind == "speech" and of.get("text"):
            d.operation, d.uses_files = "narrate", of["text"]
        added.append(video)
    elif d.kind == "speech":
        d.operation, d.uses_files = "narrate", of.get("text", []) + of.get("code", []) or files
    elif d.kind == "video":
        if of.get("image"):
            d.operation, d.uses_files = "slideshow", of["image"]
        elif of.get("video"):
            # "make clip.mp4 have a voiceover ...", "clip.mp4 with music": what the phrase adds to the clip
            adds = _mentioned_kinds(d.phrase) & {"speech", "music"}
            d.uses_files = of["video"]
            d.operation = "voiceover" if "speech" in adds else "add-music" if "music" in adds else "edit"
            for kind in sorted(adds):
                extra = Deliverable(kind=kind, label="voiceover" if kind == "speech" else "music",
                                    phrase=d.phrase, deliverable=False,
                                    reason=f"{kind} made to be mixed into the user's clip")
                if kind == "speech":
                    extra.voice = _extract.voice(d.phrase)
                else:
                    d.with_music = True
                added.append(extra)
        per_item = _extract.per_item_seconds(d.phrase)
        if d.operation == "slideshow" and per_item:
            d.seconds = per_item * len(d.uses_files)  # "3 seconds each": the whole show
    elif d.kind == "image" and of.get("image"):
        d.operation, d.uses_files = ("headline-on-image" if d.headline or d.verbatim else "edit"), of["image"]
        d.headline = d.headline or d.verbatim
    return added
