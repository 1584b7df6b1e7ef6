"""A text's stated length in words: read from the request, stated to the model, met by continuing or cutting.

The extractor rows are phrasings of the kinds people write ("a 300-word blog post",
"keep it under 40 words"); the executor tests use a fake text model whose replies
are queued, so each continuation round is visible; one end-to-end test runs a real
embedded model through ``genloom run`` and counts the words of the delivered file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genloom.brain import execute, plan
from genloom.brain.graph import Plan, Step
from genloom.brain.length import (
    WordTarget,
    clean_continuation,
    count_words,
    cut_to,
    fit,
    split_closer,
)
from genloom.brain.understand import _extract, read

# -- reading ------------------------------------------------------------------------------

WORDS = [
    ("Draft a 300-word blog post on composting at home", (300, "about")),
    ("explain photosynthesis to a ten year old in 120 words", (120, "about")),
    ("roughly 75 words about our return policy", (75, "about")),
    ("a bio for my website, two hundred words", (200, "about")),
    ("an 1,500-word short story set on Mars", (1500, "about")),
    ("keep the welcome email under 40 words", (40, "max")),
    ("an elevator pitch of no more than sixty words", (60, "max")),
    ("a summary, 90 words max", (90, "max")),
    ("an abstract of at most 150 words", (150, "max")),
    ("a cover letter of at least 250 words", (250, "min")),
    ("an essay, 800 words minimum", (800, "min")),
    ("give me 400+ words on sleep hygiene", (400, "min")),
    ("a product blurb of 30 to 50 words", (40, "about")),
    ("between 200 and 300 words on urban beekeeping", (250, "about")),
    ("a forty-five word author note", (45, "about")),
]


@pytest.mark.parametrize(("request_text", "expected"), WORDS)
def test_word_counts_are_read_with_their_bound(request_text: str, expected: tuple[int, str]) -> None:
    assert _extract.words(request_text) == expected


@pytest.mark.parametrize("request_text", [
    "a 45-second radio ad for a car wash",  # a duration
    "a voiceover read at 140 words per minute",  # a rate
    "narrate at 2.5 words/s",
    "five slogans of 4 words each",  # a length per item, not of the whole text
    "a word of thanks for our volunteers",
    "a poster that says 'Fifty words or fewer'",  # quoted words are the content, not a setting
    "three logo options, 1080x1080",
])
def test_numbers_that_are_no_word_count(request_text: str) -> None:
    assert _extract.words(request_text) is None


def test_the_reading_puts_the_length_on_the_text_and_nowhere_else() -> None:
    spec = read("Write a 120-word newsletter intro about our spring sale and a square poster for it",
                use_llm=False, use_embeddings=False)
    text = next(d for d in spec.deliverables if d.kind == "text")
    image = next(d for d in spec.deliverables if d.kind == "image")
    assert (text.words, text.words_bound) == (120, "about")
    assert text.params()["words"] == 120 and text.params()["words_bound"] == "about"
    assert image.words is None and "words" not in image.params()
    # A duration is not a word count, and a word count is not a duration or a count.
    voice = read("a 30-second voiceover about a bakery", use_llm=False, use_embeddings=False).deliverables[0]
    assert voice.seconds == 30 and voice.words is None
    note = read("a thank-you note to our volunteers, under 45 words", use_llm=False,
                use_embeddings=False).deliverables[0]
    assert (note.words, note.words_bound, note.count, note.seconds) == (45, "max", None, None)


@pytest.mark.parametrize(("request_text", "n", "words"), [
    ("three product blurbs for a candle shop, under 25 words", 3, (25, "max")),  # per item
    ("five 10-word slogans for a climbing gym", 5, (10, "about")),
    ("four taglines of 6 words each for a bike courier", 4, (6, "about")),
    ("Five video ideas for a cooking channel in 100 words", 5, (20, "about")),  # the whole, shared out
    ("three newsletter subject lines, 30 words in total", 3, (10, "about")),
])
def test_a_lists_word_count_is_per_item(request_text: str, n: int, words: tuple[int, str]) -> None:
    d = read(request_text, use_llm=False, use_embeddings=False).deliverables[0]
    assert d.kind == "text" and d.params()["n"] == n and (d.words, d.words_bound) == words


def test_a_spoken_word_count_sizes_the_script() -> None:
    p = plan("a 60-word voiceover about a repair cafe", use_llm=False)
    script = next(s for s in p.steps if s.kind == "text")
    assert script.params["words"] == 60 and "about 60 words" in (script.prompt or "")


# -- measuring, continuing, cutting ------------------------------------------------------

def test_targets_bind_as_stated() -> None:
    about, most, least = WordTarget(50), WordTarget(50, "max"), WordTarget(50, "min")
    assert about.accepts(40) and about.accepts(60) and not about.accepts(39) and not about.accepts(61)
    assert most.accepts(3) and most.accepts(50) and not most.accepts(51)
    assert least.accepts(50) and least.accepts(5000) and not least.accepts(49)
    assert about.ask() == "About 50 words." and most.ask() == "At most 50 words."
    assert least.max_tokens() > about.max_tokens() > 50
    assert WordTarget(62).stated_in("Write only the words to be spoken, about 62 words.")
    assert not WordTarget(62).stated_in("Write about 162 words.")
    assert not WordTarget(50).stated_in("A 50-word product description")  # said again, plainly


def test_a_long_text_is_cut_at_whole_sentences_nearest_the_target() -> None:
    text = "Tides rise twice a day. The moon pulls the sea. The sun pulls it too, a little less. Then it ebbs."
    assert cut_to(text, WordTarget(10, "about")) == "Tides rise twice a day. The moon pulls the sea."
    assert cut_to(text, WordTarget(9, "max")) == "Tides rise twice a day."
    # Within the limit, or a first sentence too long to cut: unchanged (no word is ever cut).
    assert cut_to(text, WordTarget(30, "max")) == text
    assert cut_to("One very long sentence with many many words in it", WordTarget(3, "max")).endswith("in it")
    bullets = "- fresh bread\n- hot coffee\n- cold brew on tap\n- pastries"
    assert cut_to(bullets, WordTarget(5, "max")) == "- fresh bread\n- hot coffee"


def test_a_text_whose_sentences_straddle_the_range_ends_nearest_and_says_why() -> None:
    text = "Short opener here. " + " ".join(["word"] * 20) + " ends. " + " ".join(["more"] * 10) + "."
    fitted = fit(text, WordTarget(20), None)  # sentences end 3, 24 and 34 words in: 24 is within 16-24
    assert count_words(fitted.text) == 24 and fitted.note is None
    fitted = fit(text, WordTarget(30, "about"), None)  # ends at 3, 24, 34: 24 to 36 is the range
    assert count_words(fitted.text) == 34 and fitted.note is None
    fitted = fit(text, WordTarget(14, "about"), None)  # nothing ends within 12-16: the nearest end (24)
    assert count_words(fitted.text) == 24 and fitted.note
    assert "no whole sentence ends between 12 and 16 words" in fitted.note
    fitted = fit(text, WordTarget(14, "max"), None)  # a hard limit: back to the opener
    assert fitted.text == "Short opener here." and fitted.note is None


def test_a_short_text_is_continued_until_it_is_long_enough() -> None:
    asked: list[tuple[str, int]] = []
    replies = iter(["Its bristles are soft and plant based.",
                    "Here is the continuation: The handle is sanded smooth and sealed with wax. It lasts months."])

    def more(text: str, missing: int) -> str:
        asked.append((text, missing))
        return next(replies)

    fitted = fit("A toothbrush made of bamboo.", WordTarget(20), more)
    assert fitted.text == ("A toothbrush made of bamboo. Its bristles are soft and plant based. "
                           "The handle is sanded smooth and sealed with wax. It lasts months.")
    assert fitted.rounds == 2 and fitted.note is None and 16 <= fitted.words <= 24
    # Each round gets the text so far and asks for the words still missing.
    assert asked[0] == ("A toothbrush made of bamboo.", 15) and asked[1][0].endswith("plant based.")


def test_continuation_stops_and_says_so_when_the_model_adds_nothing_new() -> None:
    calls = []

    def echo(text: str, missing: int) -> str:
        calls.append(missing)
        return text  # a model that only repeats what it was shown

    fitted = fit("Short and sweet. Really.", WordTarget(40, "min"), echo)
    assert calls == [36] and fitted.rounds == 0 and fitted.text == "Short and sweet. Really."
    assert fitted.note and "4 words, not at least 40" in fitted.note and "added nothing new" in fitted.note


def test_continuation_goes_before_a_closing_line_and_drops_repeats() -> None:
    text = "Welcome to our rooftop cafe. We grow herbs above the city. See you soon!"
    assert split_closer(text) == ("Welcome to our rooftop cafe. We grow herbs above the city.", "See you soon!")
    fitted = fit(text, WordTarget(25), lambda body, n: "We grow herbs above the city. Tea is brewed from the "
                                                       "mint we pick each morning. See you soon!")
    assert fitted.text == ("Welcome to our rooftop cafe. We grow herbs above the city. Tea is brewed from the mint "
                           "we pick each morning. See you soon!")
    # A reply cut off by its token budget keeps only its whole sentences.
    assert clean_continuation("A.", "One more thing. And then the") == "One more thing."
    # Running sentences stay running sentences; a list stays a list.
    assert clean_continuation("A cafe.", "Sure: Fresh mint.\nCold brew.") == "Fresh mint. Cold brew."
    listed = fit("- fresh bread\n- hot coffee", WordTarget(8), lambda t, n: "- cold brew on tap\n- hot coffee")
    assert listed.text == "- fresh bread\n- hot coffee\n- cold brew on tap"


def test_a_list_is_neither_continued_nor_cut_and_its_target_is_per_item() -> None:
    def boom(text: str, missing: int) -> str:
        raise AssertionError("a list gets no continuation: it would add items")

    taglines = WordTarget(5, "max", items=3)
    assert taglines.ask() == "At most 5 words each." and taglines.high == 15
    text = "1. Walks that wag tails\n2. Happy dogs, happy owners, every single day\n3. Leash the fun"
    fitted = fit(text, taglines, boom)
    assert fitted.text == text  # all three kept, though the whole is over 15 words
    assert fitted.note and "(5 for each of 3)" in fitted.note
    assert fit(text, WordTarget(6, "about", items=3), boom).note is None


def test_a_maximum_is_never_continued_and_an_overlong_minimum_is_never_cut() -> None:
    def boom(text: str, missing: int) -> str:
        raise AssertionError("a text under its maximum needs no continuation")

    assert fit("Brief.", WordTarget(80, "max"), boom).text == "Brief."
    long = " ".join(["Words keep coming here."] * 30)
    assert fit(long, WordTarget(10, "min"), boom).text == long


# -- the executor -------------------------------------------------------------------------

def _user_turns(fake_model) -> list[str]:
    turns = []
    for messages, _params in fake_model.history:
        turns.append(messages[-1].content if isinstance(messages, list) else messages)
    return turns


def test_a_text_step_states_its_length_and_continues_a_short_reply(fake_model, tmp_path: Path) -> None:
    fake_model.enqueue("Bamboo brushes are light.",
                       "They break down in compost within a year. The bristles are soft on gums and firm on plaque. "
                       "Each one ships in a paper sleeve.")
    p = Plan(request="r", deliverables=["text"], steps=[
        Step(id="blurb", kind="text", task="blurb", instruction="blurb", prompt="A product blurb for a bamboo brush",
             params={"words": 30, "words_bound": "about"})])
    result = execute(p, output_dir=tmp_path, use_llm=False, label=False)
    blurb = result.result("blurb")
    assert blurb.status == "ok" and blurb.error is None
    first, again = _user_turns(fake_model)
    assert first.endswith("About 30 words.")
    assert "Bamboo brushes are light." in again and "next 26 words" in again
    sizes = [params.max_tokens for _m, params in fake_model.history]
    assert sizes[0] == WordTarget(30).max_tokens() and sizes[1] == WordTarget(26).max_tokens()
    delivered = (tmp_path / "01-blurb.md").read_text()
    assert delivered.startswith("Bamboo brushes are light. They break down")
    assert 24 <= count_words(delivered) <= 36


def test_a_text_over_its_maximum_loses_its_last_sentences(fake_model) -> None:
    fake_model.enqueue("Join us Saturday. Bring your bike and your questions. Volunteers fix brakes, chains and "
                       "flats for free. Coffee is on us.")
    p = Plan(request="r", deliverables=["text"], steps=[
        Step(id="invite", kind="text", task="invite", instruction="invite", prompt="An invitation, under 12 words",
             params={"words": 12, "words_bound": "max"})])
    invite = execute(p, use_llm=False).result("invite")
    assert invite.text == "Join us Saturday. Bring your bike and your questions."
    assert len(fake_model.history) == 1  # nothing was asked twice


def test_a_script_too_short_for_its_voice_is_continued_then_spoken(fake_model, fake_runners) -> None:
    fake_model.enqueue("Welcome to the garden cafe.",
                       "Herbs grow in boxes along the rail. Lunch is picked an hour before you eat it. "
                       "The view reaches the river. Come up and stay a while.")
    p = Plan(request="r", deliverables=["speech"], steps=[
        Step(id="script", kind="text", task="script", instruction="script",
             prompt="Write a 12-second voiceover script about a garden cafe."),
        Step(id="voice", kind="speech", task="voice", instruction="read", inputs=["script"],
             params={"seconds": 12.0})])
    result = execute(p, use_llm=False)
    script = result.result("script")
    assert script.status == "ok" and count_words(script.text or "") >= 24  # 12 s at 2.5 words/s, -20 %
    spoken = next(c for c in fake_runners if c["kind"] == "speech")
    assert spoken["prompt"] == script.text


def test_a_model_that_keeps_repeating_itself_gets_a_note_not_a_padded_text(fake_model) -> None:
    fake_model.enqueue("Fresh bread daily.", "Fresh bread daily.")
    p = Plan(request="r", deliverables=["text"], steps=[
        Step(id="ad", kind="text", task="ad", instruction="ad", prompt="An ad for a bakery",
             params={"words": 50, "words_bound": "min"})])
    ad = execute(p, use_llm=False).result("ad")
    assert ad.status == "ok" and ad.text == "Fresh bread daily."
    assert ad.error and "3 words, not at least 50" in ad.error


# -- end to end on a real embedded model -------------------------------------------------------

@pytest.mark.e2e
def test_genloom_run_delivers_the_asked_number_of_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from genloom.cli import cli

    # The small Qwen keeps this test short; the default model goes through the same code.
    monkeypatch.setenv("GENLOOM_DEFAULT_TEXT_MODEL", "qwen2.5-coder-0.5b")
    res = CliRunner().invoke(cli, ["run", "Write a 60-word note to our neighbours about the spring planting day in the community garden.",
                                   "-o", str(tmp_path), "--json", "--no-llm", "--no-label"], catch_exceptions=False)
    assert res.exit_code == 0, res.stderr
    step = json.loads(res.stdout)["steps"][0]
    assert step["kind"] == "text" and step["status"] == "ok", step
    delivered = Path(step["paths"][0]).read_text()
    assert 48 <= count_words(delivered) <= 72, (count_words(delivered), step["error"], delivered)
