"""One module per chapter, each defining ``SPEC = ChapterSpec(...)`` for its notebook.

``redshift_utils.book.parameters.load_spec`` discovers them; a test checks that each notebook's
``parameters`` cell declares exactly these names, with ``None`` where presets differ.
"""
