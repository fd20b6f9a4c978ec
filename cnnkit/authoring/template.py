"""The one template every notebook starts with: a Colab badge and the setup cell.

Change the repository location here and nowhere else; ``python -m cnnkit.authoring build``
and ``... exercises`` rewrite every notebook, and a test fails when a notebook drifts.
"""

from __future__ import annotations

#: Where the course lives; the Colab badge and the Colab install line are built from it.
REPOSITORY = "cnnkit/cnnkit"
BRANCH = "main"


def colab_url(notebook_path: str) -> str:
    """Colab address that opens ``notebook_path`` (relative to the repository root) from GitHub."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{notebook_path}"


def badge_markdown(notebook_path: str) -> str:
    """The first Markdown line of every notebook: an 'Open in Colab' badge."""
    return (
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"({colab_url(notebook_path)})"
    )


def setup_cell_source(extra_imports: str = "") -> str:
    """The first code cell of every notebook: install in Colab, import, ``ck.setup()``."""
    lines = [
        "# Setup (generated; identical in every notebook): in Colab, install cnnkit first.",
        "import sys",
        "",
        'if "google.colab" in sys.modules:',
        f'    %pip install -q "cnnkit @ git+https://github.com/{REPOSITORY}@{BRANCH}"',
        "",
        "import cnnkit as ck",
        "",
        "settings = ck.setup(seed=42)",
    ]
    if extra_imports.strip():
        lines += [extra_imports.strip()]
    return "\n".join(lines)
