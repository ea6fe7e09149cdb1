"""The package itself: version, typing marker, lazy domains, the README's promises."""

import pathlib
import re

import pytest

import fastnn

ROOT = pathlib.Path(__file__).parents[1]


def test_version_and_typing_marker():
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+)?", fastnn.__version__)
    assert (pathlib.Path(fastnn.__file__).parent / "py.typed").exists()


def test_domains_load_on_first_use():
    assert fastnn.image.correlate2d is not None
    assert "image" in dir(fastnn)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        fastnn.nope  # noqa: B018


def test_readme_opens_with_the_two_commands_that_ci_runs():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```(?:bash|sh)\n(.*?)```", readme, re.S).group(1)
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2
    assert "python -m fastnn.bench --quick" in commands[0]
    assert "[test]" in commands[1] and "pytest" in commands[1]
    assert "README" in (ROOT / ".ci" / "run").read_text()


def test_readme_python_blocks_run(monkeypatch, tmp_path):
    import fastnn as package

    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks
    threads = package.get_num_threads()
    monkeypatch.chdir(tmp_path)
    try:
        for block in blocks:
            exec(compile(block, "README.md", "exec"), {})
    finally:
        package.set_num_threads(threads)
