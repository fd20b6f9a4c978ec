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
