"""``python -m cnnkit.authoring build|exercises|run [--quick] NOTEBOOK...|translate update|build|check|lab``"""

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
    lab = commands.add_parser("lab", help="copies in work/, landing page, JupyterLab (make lab)")
    lab.add_argument("--port", type=int, default=None, help="default: first free from 8888")
    lab.add_argument("--ip", default="127.0.0.1", help="0.0.0.0 to serve other machines")
    lab.add_argument(
        "--browser",
        choices=("auto", "yes", "no"),
        default="auto",
        help="open a browser (auto: only where there is a display)",
    )
    translate = commands.add_parser(
        "translate", help="update the catalogs in locale/ or build notebooks/<lang>/ from them"
    )
    translate.add_argument("action", choices=("update", "build", "check"))
    translate.add_argument("--lang", default="zh")
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
    elif arguments.command == "translate":
        return _translate(arguments.action, arguments.lang)
    elif arguments.command == "lab":
        from cnnkit.authoring import lab as lab_launcher

        open_browser = {"auto": None, "yes": True, "no": False}[arguments.browser]
        return lab_launcher.run_lab(
            notebooks.REPOSITORY_ROOT,
            port=arguments.port,
            ip=arguments.ip,
            open_browser=open_browser,
        )
    return 0


def _translate(action: str, lang: str) -> int:
    """update: catalogs follow the English notebooks; build: write notebooks/<lang>/; check: list stale."""
    from cnnkit.authoring import translation

    chapters = sorted(notebooks.NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
    if action == "update":
        for chapter in chapters:
            path = translation.update_catalog(lang, chapter)
            stale = translation.stale_entries(lang, chapter)
            print(f"{path.relative_to(notebooks.REPOSITORY_ROOT)}: {len(stale)} to translate")
        return 0
    if action == "build":
        for path in translation.build_translations(lang, chapters):
            print(f"built {path.relative_to(notebooks.REPOSITORY_ROOT)}")
        return 0
    stale = [
        entry
        for chapter in chapters
        if translation.catalog_path(lang, chapter.stem).exists()
        for entry in translation.stale_entries(lang, chapter)
    ]
    for entry in stale:
        print(entry)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
