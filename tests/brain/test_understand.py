"""Understanding: each request below reads as the spec fields next to it (no LLM, no embeddings).

Read a row as "this request asks for <kind> with <settings>". The rows are varied
on purpose: each extractor is exercised by phrasings it was not written for.
"""

from __future__ import annotations

from typing import Any

import pytest

from genloom.brain.spec import InputFile
from genloom.brain.understand import mentioned_files, read


def _delivered(request: str) -> list[Any]:
    spec = read(request, use_llm=False, use_embeddings=False)
    return [d for d in spec.deliverables if d.deliverable]


def _only(request: str) -> Any:
    delivered = _delivered(request)
    assert len(delivered) == 1, [d.kind for d in delivered]
    return delivered[0]


# request -> (kind, params subset)
TABLE: list[tuple[str, str, dict[str, Any]]] = [
    ("a 25-second voiceover in a low male voice about our hiking boots", "speech",
     {"seconds": 25.0, "voice_traits": {"gender": "male", "pitch": "low"}}),
    ("Narrate a two minute intro, deep British narrator please", "speech",
     {"seconds": 120.0, "voice_traits": {"pitch": "low", "accent": "uk"}}),
    ("narrate a bedtime story in an old woman's gentle voice", "speech",
     {"voice_traits": {"gender": "female", "age": "old", "tone": "gentle"}}),
    ("1080x1920 story image announcing our summer sale", "image",
     {"width": 1080, "height": 1920, "aspect": "9:16", "format": "instagram-story"}),
    ("a link banner for our webinar", "image", {"width": 1200, "height": 628, "format": "link-banner"}),
    ("youtube thumbnail for my video about sourdough baking", "image",
     {"width": 1280, "height": 720, "format": "youtube-thumbnail"}),
    ("I need 4 logo options for a dog grooming salon named Fluff & Buff", "image", {"n": 4}),
    ("three watercolor postcards of Lisbon trams", "image", {"n": 3, "style": "watercolor"}),
    ("a 16:9 wallpaper of a misty forest", "image", {"aspect": "16:9"}),
    ("a poster that says 'Jazz Night, Friday 9pm'", "image", {"headline": "Jazz Night, Friday 9pm"}),
    ("a slow piano piece in D minor, around 70 bpm", "music",
     {"tempo": 70, "key": "D", "mode": "minor", "instruments": ["piano"]}),
    ("upbeat pop track at 128 BPM without drums, 20 seconds", "music",
     {"genre": "pop", "tempo": 128, "drums": False, "seconds": 20.0}),
    ("a jazzy tune in Bb major with saxophone and drums", "music",
     {"genre": "jazz", "key": "Bb", "mode": "major", "instruments": ["saxophone"], "drums": True}),
    ("a jingle for Loop Coffee", "music", {}),
    ("the sound of waves crashing for 30 seconds", "sound", {"sound": "ocean", "seconds": 30.0}),
    ("white noise for sleep, one hour", "sound", {"sound": "white-noise", "seconds": 3600.0}),
    ("a seamless loop of rain on a tin roof, 45s", "sound", {"sound": "rain", "seconds": 45.0, "loop": True}),
    ("a 15s vertical tiktok about our new bubble tea flavour", "video",
     {"seconds": 15.0, "aspect": "9:16", "captions": True}),
    ("a 1 minute landscape video about composting, no captions", "video",
     {"seconds": 60.0, "aspect": "16:9", "captions": False}),
    ("write a haiku about rain in French", "text", {"language": "fr"}),
]


@pytest.mark.parametrize(("request_text", "kind", "params"), TABLE, ids=[r[0][:40] for r in TABLE])
def test_request_reads_as_spec(request_text: str, kind: str, params: dict[str, Any]) -> None:
    d = _only(request_text)
    assert d.kind == kind
    got = d.params()
    for key, value in params.items():
        if isinstance(value, dict):
            assert {k: got.get(key, {}).get(k) for k in value} == value, (key, got)
        else:
            assert got.get(key) == value, (key, got)


def test_settings_not_asked_are_absent() -> None:
    assert _only("a picture of a cat").params() == {}
    assert "seconds" not in _only("compose a happy song").params()


@pytest.mark.parametrize(("request_text", "words"), [
    ("say 'happy birthday Maria' in a cheerful voice", "happy birthday Maria"),
    ("read this aloud: The library closes at eight tonight.", "The library closes at eight tonight."),
    ("text to speech: buy a poster and a song today", "buy a poster and a song today"),
    ("record me saying “thanks for calling, we will be right with you”",
     "thanks for calling, we will be right with you"),
])
def test_exact_words_are_spoken_verbatim(request_text: str, words: str) -> None:
    d = _only(request_text)
    assert d.kind == "speech" and d.verbatim == words


def test_a_voiceover_about_something_has_no_verbatim_words() -> None:
    d = _only("record a voiceover about our new hiking boots")
    assert d.kind == "speech" and d.verbatim is None


def test_names_are_subjects_not_cues() -> None:
    spec = read("an upbeat ukulele jingle for Loop Coffee and a square logo", use_llm=False,
                use_embeddings=False)
    assert spec.kinds() == ["image", "music"] and spec.name == "Loop Coffee"
    assert spec.deliverables[0].music.instruments == ["ukulele"]


def test_file_mentions_are_found_as_written() -> None:
    assert mentioned_files("transcribe ./calls/standup.wav then compare with notes.md, v1.5 is out") == [
        "./calls/standup.wav", "notes.md"]


def test_a_chain_delivers_the_last_operations_product() -> None:
    spec = read("transcribe interview.mp3 then summarize it in 5 bullet points", use_llm=False,
                use_embeddings=False)
    transcript, summary = spec.deliverables
    assert (transcript.kind, transcript.deliverable, transcript.operation) == ("transcript", False, "transcribe")
    assert transcript.uses_files == ["interview.mp3"]
    assert (summary.kind, summary.operation, summary.made_from) == ("text", "summarize", [0])
    assert spec.kinds() == ["text"]


def test_adding_audio_to_a_clip_returns_the_clip() -> None:
    spec = read("put some chill music under demo.mp4", use_llm=False, use_embeddings=False)
    assert spec.kinds() == ["video"]
    video = next(d for d in spec.deliverables if d.kind == "video")
    assert video.operation == "add-music" and video.uses_files == ["demo.mp4"]
    music = spec.deliverables[video.made_from[0]]
    assert music.kind == "music" and not music.deliverable


def test_resolved_inputs_get_ids(tmp_path) -> None:
    f = InputFile(id="in1", path=str(tmp_path / "notes.txt"), kind="text", named_as="notes.txt")
    spec = read("narrate notes.txt in a calm female voice", inputs=[f], use_llm=False, use_embeddings=False)
    d = _only("narrate notes.txt in a calm female voice")
    assert d.operation == "narrate"
    speech = spec.deliverables[0]
    assert speech.uses_inputs == ["in1"] and spec.inputs == [f]
    assert speech.voice.gender == "female" and speech.voice.tone == "calm"


def test_unmentioned_input_is_used_by_the_request() -> None:
    f = InputFile(id="in1", path="/tmp/x.wav", kind="audio", named_as="-i")
    spec = read("summarize this meeting", inputs=[f], use_llm=False, use_embeddings=False)
    assert spec.kinds() == ["text"]
    transcript = next(d for d in spec.deliverables if d.kind == "transcript")
    assert transcript.uses_inputs == ["in1"] and not transcript.deliverable


def test_narration_fits_the_video() -> None:
    spec = read("make a 30 second vertical video with narration about our bakery", use_llm=False,
                use_embeddings=False)
    video, narration = spec.deliverables
    assert video.seconds == 30 and narration.kind == "speech" and narration.seconds == 30
    assert not narration.deliverable and video.made_from == [1]
    assert spec.topic == "our bakery"


def test_llm_reads_open_topic_once(fake_model) -> None:
    fake_model.enqueue('{"kinds": ["text", "image", "music"], "topic": "the Aurora lamp launch", '
                       '"name": "Aurora", "tone": "warm", "style": ""}')
    spec = read("headline, hero image and jingle, Aurora lamp launch")
    assert spec.topic == "the Aurora lamp launch" and spec.topic_by == "llm" and spec.tone == "warm"
    assert spec.confidence > 0.95  # rules and LLM agree on the kinds
    assert len(fake_model.history) == 1


def test_trailing_settings_belong_to_the_part_before_them() -> None:
    d = _only("a photo of a red car on a coastal road, 1080x1920, no text")
    assert (d.kind, d.size.width, d.size.height, d.style) == ("image", 1080, 1920, "photo")


@pytest.mark.parametrize(("request_text", "kind", "params"), [
    ("paint a lighthouse at dusk, oil painting style", "image", {"style": "oil painting"}),
    ("a 30 second radio spot for a bike shop, female voice, cheerful", "speech",
     {"voice_traits": {"gender": "female", "tone": "cheerful"}}),
    ("a 16:9 banner for a jazz night", "image", {"aspect": "16:9"}),
])
def test_comma_parts_that_only_add_settings_stay_one_deliverable(request_text: str, kind: str,
                                                                 params: dict[str, Any]) -> None:
    test_request_reads_as_spec(request_text, kind, params)


def test_text_after_a_spoken_request_is_read_verbatim_even_when_it_names_things() -> None:
    d = _only("narrate this: Draw the curtains, play a song and make a video of the sunset.")
    assert d.kind == "speech" and d.verbatim == "Draw the curtains, play a song and make a video of the sunset."


def test_a_clip_that_should_have_a_voiceover_gets_one_made() -> None:
    spec = read("give clip.mov a narration about our cafe in a warm woman's voice", use_llm=False,
                use_embeddings=False)
    video = next(d for d in spec.deliverables if d.deliverable)
    assert video.kind == "video" and video.operation == "voiceover" and video.uses_files == ["clip.mov"]
    voice = spec.deliverables[video.made_from[0]]
    assert voice.kind == "speech" and voice.voice.gender == "female"


def test_slideshow_seconds_each_is_the_whole_show() -> None:
    d = _only("a slideshow of a.jpg, b.jpg, c.jpg and d.jpg, 2 seconds per photo")
    assert d.operation == "slideshow" and d.seconds == 8 and len(d.uses_files) == 4


@pytest.mark.parametrize("request_text, words, traits", [
    ('In a female voice, say "Welcome to Harbor Dental, we open at eight."',
     "Welcome to Harbor Dental, we open at eight.", {"gender": "female"}),
    ("With a deep male voice, read this aloud: the pool closes at noon today.",
     "the pool closes at noon today.", {"gender": "male", "pitch": "low"}),
])
def test_a_voice_described_before_its_words_is_one_voice(request_text: str, words: str,
                                                         traits: dict[str, str]) -> None:
    d = _only(request_text)
    assert d.kind == "speech" and d.verbatim == words
    assert d.params()["voice_traits"] == traits


def test_a_voice_described_before_a_voiceover_sets_its_voice() -> None:
    d = _only("In a calm voice, a 20-second voiceover about our yoga studio")
    assert d.kind == "speech" and d.verbatim is None
    assert d.params()["seconds"] == 20.0 and d.params()["voice_traits"] == {"tone": "calm"}


@pytest.mark.parametrize("request_text", ["an illustrated bedtime story about an owl",
                                          "a short story about a lighthouse keeper, with a picture"])
def test_a_tale_is_not_the_instagram_story_format(request_text: str) -> None:
    for d in _delivered(request_text):
        assert "format" not in d.params() and "aspect" not in d.params(), d


def test_a_duration_a_recipe_cannot_carry_is_planned_step_by_step() -> None:
    from genloom.brain.planner import plan

    p = plan("A 40-second podcast intro about urban beekeeping.", use_llm=False)
    speech = [s for s in p.steps if s.kind == "speech"]
    assert speech and all(s.params.get("seconds") == 40.0 for s in speech)


@pytest.mark.parametrize("request_text", ["Add narration and background music to tour.mp4",
                                          "add a voiceover and an upbeat jingle to tour.mp4"])
def test_new_sound_for_a_users_clip_goes_into_the_clip(tmp_path, monkeypatch, request_text: str) -> None:
    clip = tmp_path / "tour.mp4"
    clip.write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    spec = read(request_text, inputs=[InputFile(id="in1", path=str(clip), kind="video", named_as="tour.mp4")],
                use_llm=False, use_embeddings=False)
    assert spec.kinds() == ["video"]
    video = next(d for d in spec.deliverables if d.kind == "video")
    fed = {spec.deliverables[j].kind for j in video.made_from}
    assert {"speech", "music"} <= fed


@pytest.mark.parametrize(("request_text", "speed"), [
    ("a limerick about cats, read aloud slowly by a warm female voice", 0.85),
    ("narrate this very slowly: The train now departs.", 0.75),
    ("a slow, soothing voice reading a bedtime poem", 0.85),
    ("a fast-paced narration for a sale ad, 15 seconds", 1.2),
    ("say 'doors close in one minute' quickly", 1.2),
    ("a calm voiceover about our garden", None),
    ("a voiceover for a fast food chain", None),
])
def test_the_pace_a_speech_asks_for_is_its_speed(request_text: str, speed: float | None) -> None:
    spec = read(request_text, use_llm=False, use_embeddings=False)
    voice = next(d for d in spec.deliverables if d.kind == "speech")
    assert voice.speed == speed


@pytest.mark.parametrize(("request_text", "count", "headline"), [
    ('a square poster that says "3 NIGHTS ONLY"', None, "3 NIGHTS ONLY"),
    ('two banners with the headline "Save 20 percent"', 2, "Save 20 percent"),
    ('an instagram post reading "Top 10 Pasta Spots"', None, "Top 10 Pasta Spots"),
])
def test_numbers_inside_the_printed_words_are_not_settings(request_text: str, count: int | None,
                                                           headline: str) -> None:
    d = _only(request_text)
    assert d.kind == "image" and d.count == count and d.headline == headline


def test_a_look_named_inside_the_printed_words_is_not_the_style() -> None:
    d = _only('a banner that says "Vintage Vinyl Fair"')
    assert d.style is None and d.headline == "Vintage Vinyl Fair"


@pytest.mark.parametrize(("request_text", "kind", "operation"), [
    ("the menu for our cafe needs a short tagline", "text", None),
    ("my workout channel could really use an energetic theme tune", "music", None),
    ("the about page is lacking a team illustration", "image", None),
    ("the newsletter requires a 40-word intro", "text", None),
    ("lecture.mp3 needs a transcript", "transcript", "transcribe"),
    ("the banner needs bolder letters", "image", None),  # nothing wanted by name: still the banner
])
def test_a_thing_that_needs_something_asks_for_that_something(request_text: str, kind: str,
                                                              operation: str | None) -> None:
    d = _only(request_text)
    assert (d.kind, d.operation) == (kind, operation)


def test_files_that_need_something_are_its_material(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("p1.png", "p2.png"):
        (tmp_path / name).write_bytes(b"")
    d = _only("the shots p1.png and p2.png need a short caption each")
    assert d.kind == "text" and d.operation == "describe" and d.uses_files == ["p1.png", "p2.png"]


def test_a_text_about_pictures_alone_is_blocked_not_made_up(tmp_path, monkeypatch) -> None:
    # genloom has no image-understanding model: what the picture shows would be invented.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "porch.png").write_bytes(b"")
    spec = read("I'd like a two-line description of porch.png", use_llm=False, use_embeddings=False)
    text = next(d for d in spec.deliverables if d.kind == "text")
    assert text.blocked and "cannot see what it shows" in text.blocked and "porch.png" in text.blocked
    assert text.blocked in spec.notes


def test_a_text_with_its_own_subject_is_written_from_the_request_not_the_picture(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sunset.webp").write_bytes(b"")
    spec = read("an instagram caption for sunset.webp promoting our rooftop bar", use_llm=False,
                use_embeddings=False)
    text = next(d for d in spec.deliverables if d.kind == "text")
    assert not text.blocked and not text.uses_files and text.operation != "describe"
    assert any("cannot see what sunset.webp shows" in n for n in spec.notes)


@pytest.mark.parametrize(("request_text", "topic"), [
    ("our dog-walking service could use a friendly mascot", "our dog-walking service"),
    ("a short story about a robot that needs a friend", "a robot"),  # a need inside the subject
    ("a flyer promoting the village flea market", "the village flea market"),
])
def test_the_topic_is_the_thing_that_needs_or_is_promoted(request_text: str, topic: str) -> None:
    assert read(request_text, use_llm=False, use_embeddings=False).topic == topic


def test_words_after_the_colon_are_what_the_parts_pointing_at_them_say_and_print() -> None:
    spec = read("read these directions out loud and also print them on a flyer: turn left at the old mill",
                use_llm=False, use_embeddings=False)
    speech = next(d for d in spec.deliverables if d.kind == "speech")
    flyer = next(d for d in spec.deliverables if d.kind == "image")
    assert speech.verbatim == flyer.headline == "turn left at the old mill"
    assert speech.words is None  # no script to write: the words are given


@pytest.mark.parametrize("request_text", ["stick this slogan on a banner: Ride more, worry less",
                                          "paint it across the top of a poster: Ride more, worry less"])
def test_words_placed_on_a_picture_make_the_picture_with_them(request_text: str) -> None:
    d = _only(request_text)
    assert d.kind == "image" and d.headline == "Ride more, worry less"


def test_parts_that_do_not_point_at_the_colon_words_keep_their_own_subject() -> None:
    spec = read("a flyer and a voiceover for our repair shop: open late on Fridays", use_llm=False,
                use_embeddings=False)
    speech = next(d for d in spec.deliverables if d.kind == "speech")
    assert speech.verbatim is None


@pytest.mark.parametrize(("request_text", "tone"), [
    ("a short poem about snow, then read it softly", "soft"),
    ("compose a toast for my brother's wedding and read it proudly", None),
    ("write two lines for a ghost story, then whisper them", "whispering"),
    ("a bedtime rhyme, then read it gently in a whisper", "gentle"),
])
def test_how_words_are_performed_makes_them_spoken(request_text: str, tone: str | None) -> None:
    speech = [d for d in _delivered(request_text) if d.kind == "speech"]
    assert len(speech) == 1, [d.kind for d in _delivered(request_text)]
    assert (speech[0].voice.tone if speech[0].voice else None) == tone


def test_reading_something_carefully_is_not_a_request_for_a_voice() -> None:
    assert [d.kind for d in _delivered("read it carefully and fix the typos: Teh cat sat")] == ["text"]
