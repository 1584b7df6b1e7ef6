"""Quoted words a speaker says inside a video, and lists of the user's files (no LLM, no embeddings).

* 'a video where someone says "…"': the words are the video's narration, spoken
  verbatim; words a sign or a title shows are not.
* "a.jpg, b.jpg and c.jpg": a list of files is one object of one operation, on
  whichever side of the operation it stands.
* A sentence's first capitalised word is no name ("A short video ...", "Combine ...").
"""

from __future__ import annotations

from typing import Any

import pytest

from genloom.brain.understand import _topic, read


def _spec(request: str) -> Any:
    return read(request, use_llm=False, use_embeddings=False)


def _narration(spec: Any) -> tuple[Any, Any]:
    """(the video, the speech part it carries), asserting the shape: one delivered video carrying one voice."""
    assert spec.kinds() == ["video"], [(d.kind, d.deliverable) for d in spec.deliverables]
    video = next(d for d in spec.deliverables if d.kind == "video")
    speech = [d for d in spec.deliverables if d.kind == "speech"]
    assert len(speech) == 1, [d.kind for d in spec.deliverables]
    i = spec.deliverables.index(speech[0])
    assert i in video.made_from and i in video.carries and not speech[0].deliverable
    return video, speech[0]


# request -> (words spoken, voice traits asked, video seconds)
SPOKEN: list[tuple[str, str, dict[str, str], float | None]] = [
    ('a 10-second clip in which a deep male voice says "Doors open at seven."', "Doors open at seven.",
     {"gender": "male", "pitch": "low"}, 10.0),
    ('Make an animation of autumn leaves while a woman whispers, "Let it go."', "Let it go.",
     {"gender": "female", "tone": "whispering"}, None),
    ('a video of a harbour at dawn where the narrator reads “Chapter one: the tide” aloud',
     "Chapter one: the tide", {}, None),
    ("a short film of a kitchen with a chef who says: 'Taste everything twice.'", "Taste everything twice.", {},
     None),
    ('I want a 20 second video of a lighthouse; an old man tells us "Keep the light on."', "Keep the light on.",
     {"gender": "male", "age": "old"}, 20.0),
    ('a reel that has a little girl asking "Can we go again?" at the end', "Can we go again?",
     {"gender": "female", "age": "child"}, None),
]


@pytest.mark.parametrize(("request_text", "words", "traits", "seconds"), SPOKEN)
def test_quoted_words_a_speaker_says_in_a_video_are_its_narration(request_text: str, words: str,
                                                                   traits: dict[str, str],
                                                                   seconds: float | None) -> None:
    video, speech = _narration(_spec(request_text))
    assert speech.verbatim == words and speech.params()["verbatim"] is True
    assert (speech.voice.model_dump(exclude_none=True) if speech.voice else {}) == traits
    assert video.seconds == seconds
    assert words not in video.phrase  # the words are heard, not drawn into the shots


@pytest.mark.parametrize("request_text", [
    'a video where the sign says "Closed for winter"',  # a sign shows words
    'a 15-second video whose title reads "Harbour Lights"',
    'a video titled "Night Market" of lanterns over a street',
    'an animation that says "Happy birthday, Nora"',  # the video itself: on screen or aloud is not said
])
def test_words_something_shows_are_not_spoken(request_text: str) -> None:
    spec = _spec(request_text)
    assert [d.kind for d in spec.deliverables] == ["video"]


def test_the_narrated_line_is_the_subject_and_names_in_it_the_title() -> None:
    spec = _spec('A quick video where an announcer says "Big savings this weekend at Harbor Outfitters."')
    assert spec.topic == "Big savings this weekend at Harbor Outfitters."
    assert spec.name == "Harbor Outfitters"
    spec = _spec('A quick video where an announcer says "Big savings this weekend."')
    assert spec.name is None  # no name in the words: no title, never the sentence's first word


@pytest.mark.parametrize("request_text", [
    "Combine x1.png and x2.png into a vertical slideshow",
    "Narrate welcome.txt in a calm voice",
    "A poster for a bake sale, and a jingle",
])
def test_a_sentences_first_capital_is_no_name(request_text: str) -> None:
    assert _spec(request_text).name is None


def test_a_name_at_the_start_of_a_sentence_is_kept_when_written_as_one() -> None:
    assert _topic.name_from("GlowTrail lantern launch kit", [], starts_sentence=True) == "GlowTrail"
    assert _topic.name_from("Crumb Bakery grand opening video", [], starts_sentence=True) == "Crumb Bakery"
    assert _topic.name_from("Sunday brunch poster", [], starts_sentence=True) is None
    assert _topic.name_from("Sunday brunch", [], starts_sentence=False) == "Sunday"  # after "for": a name


# request -> (files in order, seconds of the whole show)
LISTS: list[tuple[str, list[str], float | None]] = [
    ("Make a slideshow from beach.jpg, dunes.jpg, and pier.jpg", ["beach.jpg", "dunes.jpg", "pier.jpg"], None),
    ("Turn one.png, two.png & three.png into a 9-second vertical slideshow", ["one.png", "two.png", "three.png"],
     9.0),
    ("cat.png, dog.png, owl.png: slideshow, 3 seconds each", ["cat.png", "dog.png", "owl.png"], 9.0),
    ("please put m1.jpg plus m2.jpg into a square slideshow", ["m1.jpg", "m2.jpg"], None),
]


@pytest.mark.parametrize(("request_text", "files", "seconds"), LISTS)
def test_a_list_of_files_belongs_to_the_operation_next_to_it(request_text: str, files: list[str],
                                                             seconds: float | None) -> None:
    spec = _spec(request_text)
    assert [d.kind for d in spec.deliverables] == ["video"]
    video = spec.deliverables[0]
    assert video.operation == "slideshow" and video.uses_files == files and video.seconds == seconds
    assert all(f in video.phrase for f in files)  # the phrase names the files as the user did


def test_a_list_of_files_does_not_reach_across_operations() -> None:
    spec = _spec("summarize minutes.txt, then make a slideshow of a.jpg and b.jpg")
    by_kind = {d.kind: d for d in spec.deliverables}
    assert by_kind["text"].uses_files == ["minutes.txt"]
    assert by_kind["video"].uses_files == ["a.jpg", "b.jpg"] and by_kind["video"].operation == "slideshow"


def test_several_recordings_in_a_list_are_all_transcribed() -> None:
    spec = _spec("transcribe monday.wav, tuesday.wav and friday.wav")
    assert spec.deliverables[0].kind == "transcript"
    assert spec.deliverables[0].uses_files == ["monday.wav", "tuesday.wav", "friday.wav"]


def test_files_in_words_that_ask_for_nothing_go_to_the_operation_after_them() -> None:
    spec = _spec("Using dawn.jpg and dusk.jpg, make a slideshow, and translate letter.txt into German")
    by_kind = {d.kind: d for d in spec.deliverables}
    assert by_kind["video"].uses_files == ["dawn.jpg", "dusk.jpg"] and by_kind["video"].operation == "slideshow"
    assert by_kind["text"].uses_files == ["letter.txt"] and by_kind["text"].operation == "translate"


@pytest.mark.parametrize("request_text", [
    "please say 'see you in 10 minutes' slowly",
    'A clip where a guide announces "The tour starts in fifteen minutes."',
    "Speak this: the shuttle leaves in two hours",
])
def test_durations_inside_the_exact_words_are_no_setting(request_text: str) -> None:
    spec = _spec(request_text)
    assert all(d.seconds is None for d in spec.deliverables), [(d.kind, d.seconds) for d in spec.deliverables]
    assert any(d.verbatim for d in spec.deliverables)


@pytest.mark.parametrize("request_text", [
    "With these pictures one.png, two.png: make a short slideshow",
    "here are our shots one.png and two.png, turn them into a slideshow",
    "using my photos one.png and two.png, build a slideshow",
])
def test_words_that_only_point_at_the_users_files_ask_for_nothing(request_text: str) -> None:
    from genloom.brain.understand import read

    spec = read(request_text, use_llm=False, use_embeddings=False)
    assert [(d.kind, d.operation) for d in spec.deliverables if d.deliverable] == [("video", "slideshow")]
    video = next(d for d in spec.deliverables if d.kind == "video")
    assert video.uses_files == ["one.png", "two.png"]
