"""``python -m cnnkit.authoring build|exercises|run [--quick] NOTEBOOK...``"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cnnkit.authoring import notebooks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cnnkit.authoring", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="build notebooks/*.ipynb from notebooks/src/*.py")
    commands.add_parser("exercises", help="generate exercises/ and exercises/solutions/")
    run = commands.add_parser("run", help="execute notebooks in place, storing outputs")
    run.add_argument("paths", nargs="+", type=Path)
    run.add_argument("--quick", action="store_true", help="quick mode (CNNKIT_QUICK=1)")
    arguments = parser.parse_args(argv)

    if arguments.command == "build":
        for path in notebooks.build_chapter_notebooks():
            print(f"built {path.relative_to(notebooks.REPOSITORY_ROOT)}")
    elif arguments.command == "exercises":
        for path in notebooks.build_exercise_notebooks():
            print(f"generated {path.relative_to(notebooks.REPOSITORY_ROOT)}")
    elif arguments.command == "run":
        mode = "quick" if arguments.quick else "full"
        for path in arguments.paths:
            figures = notebooks.run_notebook(path, quick=arguments.quick)
            notebooks.record_run(path, mode, figures)
            print(
                f"ran {path} in {mode} mode: {figures['seconds']:.1f} s, "
                f"peak memory {figures['peak_rss_mib']:.0f} MiB",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
