"""Build (or reuse) the virtual environment of the Colab-stack test, and a git copy of this tree.

``python tests/colab_stack/colab_venv.py --venv DIR`` (what ``make colab-venv`` runs):

- the environment holds what a Colab runtime ships (``colab_preinstalled.txt``: TensorFlow 2.20,
  Keras 3.13, ...) and nothing of cnnkit; it is rebuilt only when that list or the
  Python changes (a stamp inside ``DIR``), so a second run costs only the notebooks' time;
- a stand-in ``google.colab`` module, imported when the kernel starts (as Colab's kernel does),
  so that every notebook's setup cell takes its Colab branch and runs its own
  ``%pip install "cnnkit @ git+https://github.com/...@main"``;
- ``DIR-mirror``: a git repository on branch ``main`` made from this working tree (tracked and
  new files, as a clone would have them); the test points the setup cell's GitHub address at it
  with git's ``url.<base>.insteadOf``, so the install is the real one, only without the network;
- cnnkit is uninstalled at every start, so that the first notebook's setup cell installs it.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY_ROOT = HERE.parents[1]
PINS = HERE / "colab_preinstalled.txt"
KERNEL_NAME = "colab"
COLAB_PYTHON_VERSION = "3.12"

# Colab's kernel imports google.colab at start; the stand-in only has to be importable.
FAKE_COLAB_MODULE = '''"""Stand-in for Colab's google.colab, made by cnnkit's Colab-stack test (tests/colab_stack)."""
'''


def find_python(requested: str | None) -> str:
    """Python 3.12 (Colab's) when the machine has one, else the given or running interpreter."""
    candidates = [requested] if requested else []
    candidates += [f"python{COLAB_PYTHON_VERSION}"]
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(
        glob.glob(f"{pyenv_root}/versions/{COLAB_PYTHON_VERSION}*/bin/python{COLAB_PYTHON_VERSION}")
    )
    for candidate in candidates:
        try:
            subprocess.run([candidate, "-c", ""], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError):
            continue
        return candidate
    print(
        f"note: no Python {COLAB_PYTHON_VERSION} here (Colab's); the Colab-stack test uses "
        f"{sys.executable}",
        flush=True,
    )
    return sys.executable


def python_version(python: str) -> str:
    return subprocess.run(
        [python, "-c", "import sys; print(sys.version)"], check=True, capture_output=True, text=True
    ).stdout.strip()


def stamp_key(python: str) -> str:
    digest = hashlib.sha256()
    for part in (PINS.read_bytes(), python_version(python).encode()):
        digest.update(part)
    return digest.hexdigest()


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def site_packages(venv: Path) -> Path:
    found = subprocess.run(
        [str(venv_python(venv)), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return Path(found)


def build_venv(venv: Path, python: str) -> None:
    if venv.exists():
        shutil.rmtree(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv_python(venv)), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        + ["-r", str(PINS)],
        check=True,
    )


def add_colab_parts(venv: Path) -> None:
    """The stand-in google.colab module and a kernel that imports it at start, as Colab's does."""
    colab = site_packages(venv) / "google" / "colab"
    colab.mkdir(parents=True, exist_ok=True)
    (colab / "__init__.py").write_text(FAKE_COLAB_MODULE)
    kernel = venv / "share" / "jupyter" / "kernels" / KERNEL_NAME
    kernel.mkdir(parents=True, exist_ok=True)
    argv = [str(venv_python(venv)), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    argv += ["--IPKernelApp.exec_lines=import google.colab"]
    spec = {"argv": argv, "display_name": "Colab stack", "language": "python"}
    (kernel / "kernel.json").write_text(json.dumps(spec, indent=1))


def make_mirror(mirror: Path) -> None:
    """A one-commit git repository of this working tree, on branch main."""
    if mirror.exists():
        shutil.rmtree(mirror)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPOSITORY_ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        source = REPOSITORY_ROOT / name
        if source.is_file():
            target = mirror / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=cnnkit", "-c", "user.email=cnnkit@localhost"]
    # Fixed dates: the same tree gives the same commit, whichever worker asks pip about it.
    dates = {
        "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
    }
    environment = dict(os.environ, **dates)
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "mirror"]):
        subprocess.run(git + command, cwd=mirror, check=True, env=environment)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, required=True)
    parser.add_argument("--python", default=None, help="default: Python 3.12 when present")
    arguments = parser.parse_args(argv)
    venv = arguments.venv.expanduser().resolve()
    python = find_python(arguments.python or None)
    stamp = venv / ".cnnkit-stamp"
    key = stamp_key(python)
    fresh = stamp.exists() and stamp.read_text() == key and venv_python(venv).exists()
    if fresh:
        print(f"colab-venv: {venv} is up to date (pins and Python unchanged)", flush=True)
    else:
        print(f"colab-venv: building {venv} with {python} from {PINS.name}", flush=True)
        build_venv(venv, python)
        stamp.write_text(key)
    add_colab_parts(venv)
    # Every run starts without cnnkit: the first notebook's setup cell installs it.
    (venv / ".cnnkit-installed.json").unlink(missing_ok=True)
    subprocess.run(
        [str(venv_python(venv)), "-m", "pip", "uninstall", "-q", "-y", "cnnkit"],
        check=True,
        capture_output=True,
    )
    make_mirror(Path(f"{venv}-mirror"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
