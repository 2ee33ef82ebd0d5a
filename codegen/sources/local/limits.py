"""The limits of the static analysis of one model directory: any input within them is analysed in
bounded time and memory, and one beyond them is a `CodegenError` that names the limit. Real models
stay far below each (README: "Limits").
"""

from __future__ import annotations

from typing import Final

MAX_SOURCE_BYTES: Final = 512 * 1024  # model.py; `ast` needs some 500 bytes per node
MAX_CONFIG_BYTES: Final = 1024 * 1024  # config.yaml
MAX_CLASSES: Final = 1000  # classes model.py defines (at module level, conditionally or not)
MAX_METHODS: Final = 200  # @ModelClass.method definitions analysed
MAX_PARAMS: Final = 100  # parameters of one method
MAX_DEPTH: Final = 60  # names and expressions followed to resolve one value, nested
MAX_VALUE_ITEMS: Final = 1 << 20  # characters and items of one constant value
MAX_TOTAL_ITEMS: Final = 4 * MAX_VALUE_ITEMS  # ... of all constant values built, together
MAX_INT_BITS: Final = 8192  # of one int constant (Python refuses to print ints of > 4300 digits)
