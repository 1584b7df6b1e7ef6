"""genloom's composer: a chorale-trained sequence model, MIDI writing and audio rendering.

* :mod:`genloom.music.corpus`: the Bach chorales of music21 as key-relative beat grids (cached).
* :mod:`genloom.music.train`: counts the model (``scripts/train_music.py`` runs it).
* :mod:`genloom.music.model`: loads ``bach_composer.npz`` and samples phrases from it.
* :mod:`genloom.music.request`: turns "a calm piece in D minor, 30 seconds" into a :class:`Spec`.
* :mod:`genloom.music.midi` / :mod:`genloom.music.render`: MIDI file, then FluidSynth or the built-in synth.
* :mod:`genloom.music.compose`: ``compose(prompt)`` and the ``music`` runner.
"""
