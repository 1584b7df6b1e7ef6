"""The rule stage reads a request's structure, not sentence-specific cues (no LLM, no embeddings).

Each row is a request written for these tests, none of them in bench/: a rule that only
fixed a benchmark sentence would fail here.
"""

from __future__ import annotations

from typing import Any

import pytest

from genloom.brain.understand import read


def _only(request: str) -> Any:
    spec = read(request, use_llm=False, use_embeddings=False)
    delivered = [d for d in spec.deliverables if d.deliverable]
    assert len(delivered) == 1, [d.kind for d in delivered]
    return delivered[0]


# "<artifact> ideas / options / ...": the artifact before the generic noun decides (policy in _cues.PROPOSALS).
ALTERNATIVES: list[tuple[str, str, int | None]] = [
    # proposals of a visual are pictures, one per idea
    ("two sticker ideas for a surf shop", "image", 2),
    ("could you do 4 banner concepts for a charity run", "image", 4),
    ("a few wallpaper suggestions with mountains", "image", 3),
    # proposals of anything else are a written list of that many ideas
    ("five podcast episode ideas about gardening", "text", 5),
    ("six song ideas for a road trip", "text", 6),
    ("3 short film concepts set in a lighthouse", "text", 3),
    ("some python project ideas for a beginner", "text", 3),
    # variants are more of the artifact itself
    ("three slogan options for a bike shop", "text", 3),
    ("two mascot variations for a hockey team", "image", 2),
    ("four web page designs for a dentist", "image", 4),
    ("a couple of email drafts declining the offer", "text", 2),
    # a generic noun that no artifact modifies: the proposal is a list, the variant names nothing
    ("ideas for a garden party", "text", None),
    ("three options for a book cover", "image", 3),
]


@pytest.mark.parametrize(("request_text", "kind", "count"), ALTERNATIVES, ids=[r[0][:40] for r in ALTERNATIVES])
def test_alternatives_take_their_kind_from_the_artifact(request_text: str, kind: str, count: int | None) -> None:
    d = _only(request_text)
    assert (d.kind, d.count) == (kind, count), d.reason
    if count is not None:
        assert d.params()["n"] == count


def test_alternatives_of_a_medium_the_generator_makes_once_keep_one_and_say_so() -> None:
    spec = read("two jingle versions for a pet shop", use_llm=False, use_embeddings=False)
    (d,) = spec.deliverables
    assert d.kind == "music" and d.count is None  # the music generator makes one piece per step
    assert any("2 jingle versions were asked; one is made" in n for n in spec.notes), spec.notes


def test_a_deciding_verb_still_decides_for_alternatives() -> None:
    d = _only("brainstorm four logo ideas for a tea room")
    assert (d.kind, d.count) == ("text", 4)
    assert _only("write three voiceover drafts for a car ad").kind == "text"


def _kinds(request: str) -> list[str]:
    return sorted(read(request, use_llm=False, use_embeddings=False).kinds())


@pytest.mark.parametrize(("request_text", "expected"), [
    ("animate a short clip of my dog and come up with a funny caption for it", ["text", "video"]),
    ("draw a comic strip and come up with a title", ["image", "text"]),
    ("film a walk on the beach, and help me out with a slogan", ["text", "video"]),
])
def test_the_with_of_a_phrasal_verb_joins_verb_and_object(request_text: str, expected: list[str]) -> None:
    # "come up with X" asks for X: X is a deliverable, not an attribute carried by the previous part.
    assert _kinds(request_text) == expected


@pytest.mark.parametrize(("request_text", "kind"), [
    # a timed medium before a medium-neutral noun names the medium
    ("a 30 second radio spot for a dentist", "speech"),
    ("a podcast teaser for season two", "speech"),
    ("an audiobook excerpt from chapter 3, warm female narrator", "speech"),
    ("a song snippet for my story", "music"),
    ("a tv commercial for a bank", "video"),
    ("record a voicemail greeting for my office", "speech"),
    ("a radio announcement about the road closure", "speech"),
    ("a short podcast clip we can share", "speech"),
    ("a tv ad for a car dealership", "video"),
    ("a 10-second jingle clip, upbeat", "music"),
    # a picture decides only for a noun with no medium of its own
    ("a banner ad for a shoe sale", "image"),
    # a text or code modifier is what the piece is about: the head's own kind stands
    ("a game trailer for my platformer", "video"),
    ("a book chapter about sailing", "text"),
])
def test_a_medium_neutral_noun_takes_the_medium_before_it(request_text: str, kind: str) -> None:
    assert _only(request_text).kind == kind


@pytest.mark.parametrize(("request_text", "kind"), [
    # the clause's verb acts on an object of its own: the script or class is a program
    ("i need a script which pings my server every minute", "code"),
    ("a class that represents a bank account", "code"),
    ("a class to parse csv rows into dicts", "code"),
    # the script is what is read or performed, or it addresses an audience: words
    ("a script to read at my sister's wedding", "text"),
    ("a script that a narrator can read over our ad", "text"),
    ("a 30 second script that explains our app", "text"),
])
def test_a_script_or_class_that_acts_on_something_is_a_program(request_text: str, kind: str) -> None:
    assert _only(request_text).kind == kind


@pytest.mark.parametrize("request_text", [
    "a lua script for my game", "an R script that plots sales by month", "a rust crate for parsing dates",
    "a ruby gem that slugifies titles", "a node script for a discord webhook",
])
def test_a_language_before_a_program_noun_is_code(request_text: str) -> None:
    assert _only(request_text).kind == "code"


def test_everyday_words_that_are_also_languages_stay_words() -> None:
    assert _only("a java coffee poster").kind == "image"
    assert _only("explain recursion with an example in go").kind == "text"


@pytest.mark.parametrize(("request_text", "kinds", "carried"), [
    ("an animated explainer for our app with soft piano music and a narration", ["video"], {"music", "speech"}),
    ("a 15 second reel with upbeat music and a voice saying welcome", ["video"], {"music", "speech"}),
    ("a cartoon clip with thunder sounds and a narration", ["video"], {"sound", "speech"}),
    # Not a sound the host carries, or not a plain "and": its own deliverable.
    ("a flyer with a slogan and a jingle", ["image", "music"], {"text"}),
    ("a teaser video with music and a banner", ["image", "video"], {"music"}),
    ("a teaser video with music, and another voiceover for radio", ["speech", "video"], {"music"}),
])
def test_sounds_listed_after_with_go_into_the_host(request_text: str, kinds: list[str], carried: set[str]) -> None:
    from genloom.brain.understand import read

    spec = read(request_text, use_llm=False, use_embeddings=False)
    assert spec.kinds() == kinds
    assert {d.kind for d in spec.deliverables if not d.deliverable} == carried


@pytest.mark.parametrize("request_text", [
    "a narrated timelapse of a city waking up",
    "a 12 second narrated animation explaining photosynthesis",
    "narrate an animation about how bees make honey",
])
def test_a_narrated_video_carries_its_narration(request_text: str) -> None:
    from genloom.brain import plan

    p = plan(request_text, use_llm=False)
    assert p.deliverables == ["video"]
    video = next(s for s in p.steps if s.kind == "video")
    speech = next(s for s in p.steps if s.kind == "speech")
    assert not speech.deliverable and speech.id in video.inputs


def test_narrating_a_slideshow_of_photos_keeps_the_photos_for_the_pictures() -> None:
    spec = read("narrate a slideshow of x.png and y.png about our garden", use_llm=False, use_embeddings=False)
    video = next(d for d in spec.deliverables if d.kind == "video")
    voice = next(d for d in spec.deliverables if d.kind == "speech")
    assert video.operation == "slideshow" and video.uses_files == ["x.png", "y.png"]
    assert not voice.uses_files and not voice.deliverable
    assert all("zfile" not in r for r in spec.reasons)  # explanations name the user's files


def test_narrating_the_users_clip_makes_one_voice() -> None:
    spec = read("a narrated version of holiday.mp4 about our trip to Lisbon", use_llm=False, use_embeddings=False)
    assert [d.kind for d in spec.deliverables if d.deliverable] == ["video"]
    assert sum(d.kind == "speech" for d in spec.deliverables) == 1
    assert next(d for d in spec.deliverables if d.kind == "video").operation == "voiceover"
