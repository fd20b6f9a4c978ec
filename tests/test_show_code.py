"""ck.show_code shows exactly the package source that runs, without machine paths."""

import inspect

import pytest

from cnnkit.formulas import conv_output_size
from cnnkit.show_code import show_code, source_of


def test_source_of_a_package_function_is_its_real_source():
    shown_name, source = source_of(conv_output_size)
    assert shown_name == "cnnkit/formulas/sizes.py"
    assert source == inspect.getsource(conv_output_size).rstrip() + "\n"
    assert "def conv_output_size(" in source


def test_show_code_prints_markdown_without_machine_paths(capsys):
    markdown = show_code(conv_output_size, title="The output-size formula")
    printed = capsys.readouterr().out
    assert "```python\n" in markdown and "def conv_output_size(" in markdown
    assert "**The output-size formula**" in printed
    assert "/work/" not in markdown and "/root/" not in markdown and "site-packages" not in markdown


@pytest.mark.parametrize("bad", [3, "lenet5", None])
def test_show_code_rejects_what_is_not_code(bad):
    with pytest.raises(TypeError, match="show_code"):
        show_code(bad)


def test_show_code_needs_an_object():
    with pytest.raises(TypeError):
        show_code()


def test_show_code_as_last_expression_is_not_displayed_twice():
    from IPython.core.formatters import DisplayFormatter

    markdown = show_code(conv_output_size)
    assert isinstance(markdown, str) and "def conv_output_size(" in markdown
    assert DisplayFormatter().format(markdown) == ({}, {})  # the cell result adds nothing


def test_another_librarys_code_is_refused_with_a_short_message():
    import keras

    with pytest.raises(ValueError, match="shows the kit's code") as raised:
        show_code(keras.Model)
    assert len(str(raised.value)) < 300


def define_in_a_cell(source: str, cell: str):
    """Define a function as a notebook cell does: module __main__, source kept in linecache."""
    import linecache

    linecache.cache[cell] = (len(source), None, source.splitlines(True), cell)
    namespace = {"__name__": "__main__"}
    exec(compile(source, cell, "exec"), namespace)
    return namespace


def test_a_notebook_function_is_shown_and_a_huge_one_refused():
    small = define_in_a_cell("def small():\n    return 1\n", "<cell-small>")["small"]
    shown_name, source = source_of(small)
    assert shown_name == "<notebook>" and "return 1" in source

    huge = define_in_a_cell("def huge():\n" + "    x = 1\n" * 5_000, "<cell-huge>")["huge"]
    with pytest.raises(ValueError, match="more than show_code"):
        source_of(huge)
