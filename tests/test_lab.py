"""`make lab`'s pieces: the student's copies, the landing page, the JupyterLab command line."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cnnkit.authoring import lab

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]


def _course_copy(tmp_path: Path) -> Path:
    for notebook in lab.reference_notebooks(REPOSITORY_ROOT):
        (tmp_path / notebook).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPOSITORY_ROOT / notebook, tmp_path / notebook)
    return tmp_path


def test_the_course_has_chapters_exercises_and_solutions():
    chapters = lab.chapter_notebooks(REPOSITORY_ROOT)
    sources = sorted((REPOSITORY_ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))
    assert [path.stem for path in chapters] == [path.stem for path in sources]
    exercises = lab.exercise_notebooks(REPOSITORY_ROOT)
    solutions = lab.exercise_notebooks(REPOSITORY_ROOT, solutions=True)
    assert exercises and [path.name for path in exercises] == [path.name for path in solutions]


def test_landing_page_links_every_notebook_and_matches_the_readme():
    text = "\n".join(lab.landing_markdown(REPOSITORY_ROOT))
    links = set(re.findall(r"\]\(([^)]+\.ipynb)\)", text))
    for notebook in lab.reference_notebooks(REPOSITORY_ROOT):
        assert lab.work_copy(notebook).as_posix() in links, f"no link to the copy of {notebook}"
    for chapter in lab.chapter_notebooks(REPOSITORY_ROOT):
        assert chapter.as_posix() in links, f"no link to the reference page {chapter}"
    # every link points at a notebook that exists (reference) or that make lab makes (copy)
    expected = {lab.work_copy(path).as_posix() for path in lab.reference_notebooks(REPOSITORY_ROOT)}
    expected |= {path.as_posix() for path in lab.chapter_notebooks(REPOSITORY_ROOT)}
    assert links == expected
    readme = (REPOSITORY_ROOT / "README.md").read_text(encoding="utf-8")
    in_readme = sorted(set(re.findall(r"\]\((notebooks/\d\d_\w+\.ipynb)\)", readme)))
    assert in_readme == [path.as_posix() for path in lab.chapter_notebooks(REPOSITORY_ROOT)], (
        "README's chapter map and the chapters on disk differ"
    )


def test_landing_page_titles_come_from_the_chapters():
    text = lab.landing_markdown(REPOSITORY_ROOT)[1]
    assert "| 02 | Convolution (卷积) |" in text
    assert "| 01 | Neural-network basics (神经网络基础) |" in text  # 'Chapter 01:' prefix dropped


def test_landing_page_refuses_exercises_without_a_chapter(tmp_path):
    root = _course_copy(tmp_path)
    shutil.copy2(root / "exercises" / "01_nn_basics.ipynb", root / "exercises" / "09_extra.ipynb")
    with pytest.raises(ValueError, match="09_extra"):
        lab.landing_markdown(root)


def test_write_landing_makes_a_markdown_only_notebook(tmp_path):
    root = _course_copy(tmp_path)
    path = lab.write_landing(root)
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert path.name == "START_HERE.ipynb" and path.parent == root
    assert {cell.cell_type for cell in notebook.cells} == {"markdown"}


def test_landing_page_is_what_jupyterlab_would_save(tmp_path):
    """Opened in JupyterLab, the page must not be marked unsaved: its metadata are what the
    kernel reports (kernelspec and language_info), nbformat 4.5 with cell ids, and rewriting it
    on the next start gives the same bytes."""
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelspec import get_kernel_dict

    root = _course_copy(tmp_path)
    first = lab.write_landing(root).read_bytes()
    notebook = nbformat.reads(first.decode(), as_version=nbformat.NO_CONVERT)
    assert (notebook.nbformat, notebook.nbformat_minor) == (4, 5)
    assert all(cell.get("id") for cell in notebook.cells)
    spec = get_kernel_dict()
    assert notebook.metadata.kernelspec == {
        "display_name": spec["display_name"],
        "language": spec["language"],
        "name": "python3",
    }
    reported = dict(IPythonKernel.language_info)  # what the kernel sends in kernel_info_reply
    reported["version"] = sys.version.split()[0]
    assert notebook.metadata.language_info == reported
    # exactly what Jupyter's contents manager writes when JupyterLab saves the page
    assert first.decode() == nbformat.writes(notebook) + "\n"
    assert lab.write_landing(root).read_bytes() == first


def test_kit_config_holds_the_token_privately_and_turns_the_news_off(tmp_path):
    environment = lab.lab_environment(
        tmp_path, "secret-token", base={"JUPYTER_CONFIG_PATH": "/elsewhere", "HOME": "/h"}
    )
    config = Path(environment["JUPYTER_CONFIG_DIR"])
    assert config == tmp_path / lab.CONFIG_DIR and environment["JUPYTER_TOKEN"] == "secret-token"
    assert "JUPYTER_CONFIG_PATH" not in environment  # a user's extra folders are not read
    server = config / "jupyter_server_config.json"
    assert json.loads(server.read_text()) == {"IdentityProvider": {"token": "secret-token"}}
    assert server.stat().st_mode & 0o777 == 0o600 and config.stat().st_mode & 0o777 == 0o700
    settings = config / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    news = settings / "notification.jupyterlab-settings"
    assert json.loads(news.read_text())["fetchNews"] == "false"
    news.write_text('{"fetchNews": "true"}')  # the student's own choice is kept
    lab.lab_environment(tmp_path, "another", base={})
    assert news.read_text() == '{"fetchNews": "true"}'
    assert json.loads(server.read_text())["IdentityProvider"]["token"] == "another"


def test_copies_of_a_chapter_its_exercises_and_solutions_have_different_names():
    """A tab shows the file name only: three tabs named 02_convolution.ipynb told nothing apart."""
    assert lab.work_copy(Path("notebooks/02_convolution.ipynb")) == Path(
        "work/notebooks/02_convolution.ipynb"
    )
    assert lab.work_copy(Path("exercises/02_convolution.ipynb")) == Path(
        "work/exercises/02_convolution_exercises.ipynb"
    )
    assert lab.work_copy(Path("exercises/solutions/02_convolution.ipynb")) == Path(
        "work/exercises/solutions/02_convolution_solutions.ipynb"
    )
    names = [lab.work_copy(path).name for path in lab.reference_notebooks(REPOSITORY_ROOT)]
    assert len(names) == len(set(names))


def test_prepare_work_renames_a_copy_made_under_the_earlier_name(tmp_path):
    root = _course_copy(tmp_path)
    earlier = root / lab.WORK_DIR / "exercises" / "02_convolution.ipynb"
    earlier.parent.mkdir(parents=True)
    earlier.write_text('{"student": "work"}')
    made = lab.prepare_work(root)
    renamed = root / lab.WORK_DIR / "exercises" / "02_convolution_exercises.ipynb"
    assert not earlier.exists() and renamed.read_text() == '{"student": "work"}'
    assert renamed.relative_to(root) not in made


def test_prepare_work_copies_what_is_missing_and_never_overwrites(tmp_path):
    root = _course_copy(tmp_path)
    made = lab.prepare_work(root)
    assert sorted(made) == sorted(lab.work_copy(nb) for nb in lab.reference_notebooks(root))
    mine = root / lab.WORK_DIR / "exercises" / "02_convolution_exercises.ipynb"
    mine.write_text('{"student": "work"}')
    gone = root / lab.WORK_DIR / "notebooks" / "03_pooling.ipynb"
    gone.unlink()
    assert lab.prepare_work(root) == [Path(lab.WORK_DIR) / "notebooks" / "03_pooling.ipynb"]
    assert mine.read_text() == '{"student": "work"}', "a student's copy was overwritten"
    assert gone.read_bytes() == (root / "notebooks" / "03_pooling.ipynb").read_bytes()


def test_lab_command_allows_root_only_as_root(monkeypatch, tmp_path):
    monkeypatch.setattr(lab.os, "geteuid", lambda: 0)
    assert "--allow-root" in lab.lab_command(tmp_path, port=8888, open_browser=False)
    monkeypatch.setattr(lab.os, "geteuid", lambda: 1000)
    assert "--allow-root" not in lab.lab_command(tmp_path, port=8888, open_browser=False)


def test_lab_command_serves_the_root_on_the_landing_page(tmp_path):
    command = lab.lab_command(tmp_path, port=8901, open_browser=False)
    assert command[1:4] == ["-m", "jupyter", "lab"]
    assert f"--ServerApp.root_dir={tmp_path}" in command
    assert "--ServerApp.port=8901" in command and "--ServerApp.ip=127.0.0.1" in command
    assert "--LabApp.default_url=/lab/tree/START_HERE.ipynb" in command
    assert "--no-browser" in command


def test_no_browser_without_a_display(monkeypatch, tmp_path):
    monkeypatch.setattr(lab.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert not lab.has_display()
    assert "--no-browser" in lab.lab_command(tmp_path, port=8888)
    monkeypatch.setenv("DISPLAY", ":0")
    assert lab.has_display()
    assert "--no-browser" not in lab.lab_command(tmp_path, port=8888)


def test_free_port_skips_a_port_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        assert lab.free_port(taken, tries=20) > taken


def test_landing_url_has_the_page_and_token():
    url = lab.landing_url("0.0.0.0", 8888, "abc")
    assert url == "http://127.0.0.1:8888/lab/tree/START_HERE.ipynb?token=abc"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_ignores_the_students_files():
    paths = [
        f"{lab.WORK_DIR}/notebooks/01_nn_basics.ipynb",
        lab.LANDING_PAGE,
        f"{lab.CONFIG_DIR}/jupyter_server_config.json",
        ".venv/bin/python",
        ".make/install.stamp",
        "tests/screenshots/browser_lab/01_landing_page.png",
    ]
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode == 128:
        pytest.skip(f"not a git checkout: {result.stderr.strip()}")
    assert sorted(result.stdout.split()) == sorted(paths)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_install_skips_pip_until_the_requirements_change(tmp_path):
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy2(REPOSITORY_ROOT / name, tmp_path / name)
    # Stand-ins, so that this folder's `cnnkit` is the one imported (as after `pip install -e .`)
    (tmp_path / "cnnkit").mkdir()
    (tmp_path / "cnnkit" / "__init__.py").write_text("")
    (tmp_path / "jupyterlab.py").write_text("")
    environment = dict(os.environ, PYTHONPATH=str(tmp_path))
    environment.pop("MAKEFLAGS", None)
    command = ["make", "--no-print-directory", "install", "PIP=echo PIP-RAN", "SYSTEM_PACKAGES="]
    command.append(f"PYTHON={sys.executable}")

    def install() -> str:
        done = subprocess.run(
            command, cwd=tmp_path, env=environment, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    assert "PIP-RAN" in install(), "the first install must run pip"
    second = install()
    assert "PIP-RAN" not in second and "skipping pip" in second
    with open(tmp_path / "requirements.txt", "a") as requirements:
        requirements.write("# changed\n")
    assert "PIP-RAN" in install(), "a changed requirements.txt must run pip again"
    assert "skipping pip" in install()
