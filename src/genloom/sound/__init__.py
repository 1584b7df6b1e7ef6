"""Procedural sounds: ambiences, noises and UI effects (the ``sound`` output kind).

- :mod:`~genloom.sound.catalog`: the sounds genloom can make (``SOUNDS``) and the words for each
- :mod:`~genloom.sound.request`: a request's params and words, checked once (``SoundRequest``)
- :mod:`~genloom.sound.generators`: one DSP recipe per sound; :mod:`~genloom.sound.dsp`, :mod:`~genloom.sound.events`
- :mod:`~genloom.sound.render`: layering, loudness, seamless loops; :mod:`~genloom.sound.runner`: ``run_sound``
- :mod:`~genloom.sound.measure`: measurable properties per sound (bench and tests)
"""

from genloom.sound.catalog import SOUNDS

__all__ = ["SOUNDS"]
