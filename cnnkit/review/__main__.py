"""``python -m cnnkit.review sheet OUTPUT_DIR``: build the printable formula sheet (HTML + PDF).

``make sheet`` runs it into ``review/``, where the README links the committed sheet.
"""

from __future__ import annotations

import sys

from cnnkit.review.sheet import main

if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] != "sheet":
        print(
            "usage: python -m cnnkit.review sheet OUTPUT_DIR [--formats html,pdf]", file=sys.stderr
        )
        sys.exit(2)
    sys.exit(main(args[1:]))
