"""The README's Python example runs as written and prints the values the README states."""

import re
import runpy
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.slow
def test_readme_example_runs(tmp_path, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) == 1
    script = tmp_path / "example.py"
    script.write_text(blocks[0])

    runpy.run_path(str(script), run_name="__main__")
    output = capsys.readouterr().out
    assert "D* = 0.0697" in output
    assert "alpha* = 0.535" in output
    trained = re.search(r"trained SAEs: D = ([0-9.]+), mixing = ([0-9.]+)", output)
    assert trained is not None
    # The README promises a trained SAE within about 1e-4 of the closed form.
    assert abs(float(trained.group(1)) - 0.0697) <= 2e-4
    assert abs(float(trained.group(2)) - 0.535) <= 0.01
