"""The Chinese edition's mechanism: catalogs follow the English, stale entries block the build,
numbers come from the one run, and the glossary's terms are used."""

from __future__ import annotations

import re

import nbformat
import polib
import pytest

from cnnkit.authoring import translation
from cnnkit.authoring.notebooks import NOTEBOOK_DIR

BADGE = "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](x)"


def _english(tmp_path, prose="Pooling (池化) keeps the depth; a 2×2 window with stride 2."):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(f"{BADGE}\n\n# 03 Pooling (池化)"),
        nbformat.v4.new_markdown_cell(prose),
        nbformat.v4.new_code_cell("ck.claim(...)"),
    ]
    notebook.cells[2].outputs = [
        nbformat.v4.new_output(
            "stream",
            name="stdout",
            text="shapes (28, 28, 6)\nClaim holds: max pooling reaches 0.8712 > 0.85 accuracy\n",
        )
    ]
    path = tmp_path / "03_pooling.ipynb"
    nbformat.write(notebook, path)
    return path


def _translate_all(catalog_file, translations):
    catalog = polib.pofile(str(catalog_file))
    for entry in catalog:
        entry.msgstr = translations[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save()


TRANSLATIONS = {
    "# 03 Pooling (池化)": "# 03 池化 (pooling)",
    "Pooling (池化) keeps the depth; a 2×2 window with stride 2.": "池化保持深度；2×2 窗口，步长 2。",
    "Claim holds: max pooling reaches {0} > {1} accuracy": "结论成立：最大池化的准确率达到 {0} > {1}",
}


def test_a_new_catalog_lists_every_entry_and_blocks_the_build(tmp_path):
    english = _english(tmp_path)
    path = translation.update_catalog("zh", english, tmp_path / "locale")
    assert path == tmp_path / "locale" / "zh" / "LC_MESSAGES" / "03_pooling.po"
    stale = translation.stale_entries("zh", english, tmp_path / "locale")
    assert [(s.reason, s.msgid) for s in stale] == [
        ("untranslated", msgid) for msgid in TRANSLATIONS
    ]
    with pytest.raises(translation.StaleTranslationError, match="3 entries need a translator"):
        translation.translated_notebook("zh", english, tmp_path / "locale")


def test_translated_notebook_replaces_prose_and_claims_with_the_runs_numbers(tmp_path):
    english = _english(tmp_path)
    _translate_all(translation.update_catalog("zh", english, tmp_path / "locale"), TRANSLATIONS)
    zh = translation.translated_notebook("zh", english, tmp_path / "locale")
    en = nbformat.read(english, as_version=4)
    assert zh.cells[0].source.endswith("# 03 池化 (pooling)")
    assert "notebooks/zh/03_pooling.ipynb" in zh.cells[0].source
    assert zh.cells[1].source == "池化保持深度；2×2 窗口，步长 2。"
    assert zh.cells[2].source == en.cells[2].source  # code is the same in both editions
    text = zh.cells[2].outputs[0]["text"]
    assert text == "shapes (28, 28, 6)\n结论成立：最大池化的准确率达到 0.8712 > 0.85\n"
    numbers = re.compile(r"\d+(?:\.\d+)?")
    assert numbers.findall(text) == numbers.findall(en.cells[2].outputs[0]["text"])


def test_a_changed_english_block_turns_its_translation_fuzzy(tmp_path):
    english = _english(tmp_path)
    locale = tmp_path / "locale"
    _translate_all(translation.update_catalog("zh", english, locale), TRANSLATIONS)
    changed = _english(
        tmp_path, prose="Pooling (池化) keeps the depth; a 3×3 window with stride 2."
    )
    catalog_file = translation.update_catalog("zh", changed, locale)
    stale = translation.stale_entries("zh", changed, locale)
    assert [s.reason for s in stale] == ["fuzzy"]
    entry = next(e for e in polib.pofile(str(catalog_file)) if "fuzzy" in e.flags)
    assert entry.previous_msgid.endswith("a 2×2 window with stride 2.")  # what changed is shown
    assert (
        entry.msgstr == TRANSLATIONS["Pooling (池化) keeps the depth; a 2×2 window with stride 2."]
    )
    with pytest.raises(translation.StaleTranslationError, match="fuzzy"):
        translation.translated_notebook("zh", changed, locale)


def test_a_vanished_block_is_kept_obsolete_not_lost(tmp_path):
    english = _english(tmp_path)
    locale = tmp_path / "locale"
    _translate_all(translation.update_catalog("zh", english, locale), TRANSLATIONS)
    other = _english(tmp_path, prose="Something else entirely, with no likeness at all.")
    catalog = polib.pofile(str(translation.update_catalog("zh", other, locale)))
    assert [e.msgstr for e in catalog.obsolete_entries()] == ["池化保持深度；2×2 窗口，步长 2。"]


def test_a_translation_that_loses_a_number_is_refused(tmp_path):
    english = _english(tmp_path)
    wrong = dict(TRANSLATIONS)
    wrong["Claim holds: max pooling reaches {0} > {1} accuracy"] = "结论成立：准确率达到 {0}"
    _translate_all(translation.update_catalog("zh", english, tmp_path / "locale"), wrong)
    with pytest.raises(translation.StaleTranslationError, match="placeholders"):
        translation.translated_notebook("zh", english, tmp_path / "locale")
    assert translation.placeholder_problems("stride 2, 6 filters", "步长 2，滤波器")


def test_terminology_uses_the_glossary():
    assert translation.terminology_problems("Max pooling keeps the largest value.", "保留最大值。")
    assert not translation.terminology_problems("Max pooling keeps it.", "最大池化保留最大值。")


def test_committed_editions_are_current_complete_and_show_the_same_numbers():
    """Every committed catalog: nothing stale, the edition on disk is what the catalog builds,
    its outputs' numbers equal the English run's, and its prose uses the glossary's terms."""
    checked = 0
    for english in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb")):
        for lang in translation.LANGUAGES:
            catalog_file = translation.catalog_path(lang, english.stem)
            target = translation.translated_path(lang, english)
            if not catalog_file.exists():
                assert not target.exists(), f"{target} has no catalog"
                continue
            checked += 1
            stale = translation.stale_entries(lang, english)
            assert not stale, "stale entries:\n" + "\n".join(str(s) for s in stale)
            built = translation.translated_notebook(lang, english)
            on_disk = nbformat.read(target, as_version=4)
            assert [c.source for c in on_disk.cells] == [c.source for c in built.cells]
            en_cells = nbformat.read(english, as_version=4).cells
            for en_cell, zh_cell in zip(en_cells, on_disk.cells, strict=True):
                if en_cell.cell_type == "code":
                    assert _numbers(zh_cell) == _numbers(en_cell), zh_cell.source[:60]
            for entry in polib.pofile(str(catalog_file)):
                if entry.msgctxt == translation.PROSE and not entry.obsolete:
                    problems = translation.terminology_problems(entry.msgid, entry.msgstr)
                    assert not problems, f"{catalog_file.name}: {problems} in {entry.msgid[:60]!r}"
    assert checked == len(list(translation.LOCALE_DIR.glob("*/LC_MESSAGES/*.po")))


def _numbers(cell) -> list[str]:
    text = "".join(
        output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
        for output in cell.get("outputs", [])
    )
    return translation.NUMBER.findall(text)
