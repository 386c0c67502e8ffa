"""Every limit on what a user may send, in one place (docs/engine.md lists them; the README quotes them).

Each is checked before the text is parsed any further, and breaking one gives one ConfigError (or one
problem line) that names what is too long, in English and Chinese.
"""

from __future__ import annotations

# the network
MAX_LAYERS = 6  # layers after the input
MAX_NEURONS = 10  # neurons per layer, and inputs
MAX_SAMPLES = 16
MAX_ABS = 1e6  # |every number| in a config
MAX_ROUND_TO = 12

# a config file, an upload, a JSON answers file
MAX_FILE_BYTES = 1_000_000  # bytes of one file (read at most this + 1)
MAX_INT_DIGITS = 400  # digits of one JSON integer (Python refuses > 4300; anything this long is beyond MAX_ABS anyway)

# text in a config
MAX_TITLE_CHARS = 200  # title, title_zh, source, a step id, a short label
MAX_ID_CHARS = 64  # the preset id
MAX_TEXT_CHARS = 4_000  # a description, a comment, a `where`
MAX_META_ITEMS = 1_000  # entries of printed, experiments, typos, an experiment's `set`
MAX_SYMBOL_CHARS = 64  # one LaTeX symbol (or template) of the notation
MAX_SYMBOL_DEPTH = 4  # brace nesting inside one symbol

# what a learner types or pastes (Check my work, check --answers)
MAX_ANSWER_CHARS = 50_000  # a pasted answers text
MAX_ANSWER_LINES = 2_000  # its lines
MAX_ANSWERS = 2_000  # answers in one paste or one JSON answers file
MAX_NAME_CHARS = 100  # one name (`dE/dw5`)
MAX_NUMBER_CHARS = 60  # one number (`-1.3125e-3`)

# worksheets (engine/worksheet.py, `exercise --names`)
MAX_STUDENT_NAME_CHARS = 80  # a student's name or ID, an assignment word
MAX_PACK = 200  # students (sheets) in one class pack

# display precision (RenderOptions, --decimals / --significant)
MAX_DECIMALS = 15
MAX_SIGNIFICANT = 17
