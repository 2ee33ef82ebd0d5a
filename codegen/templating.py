"""Where the Jinja templates are: `templates/<lang>/` at the top of the repository (a checkout or
an editable install), shipped inside the wheel as `codegen/templates/<lang>/`."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CodegenError

if TYPE_CHECKING:
    import jinja2


@functools.cache
def template_root() -> Path:
    here = Path(__file__).parent
    for root in (here / "templates", here.parent / "templates"):
        if (root / "python").is_dir():
            return root
    raise CodegenError(f"the templates are missing (looked in {here} and {here.parent})")


def environment(lang: str) -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_root() / lang),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
