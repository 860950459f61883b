"""The package's public surface and its lazy top level."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

import extractor
from extractor.cli import app
from extractor.resources import nianbao_version


def test_every_public_name_resolves_from_the_top_level() -> None:
    assert sorted(extractor.__all__) == sorted([*extractor._HOMES, "load", "load_bytes", "load_string"])
    for name in extractor.__all__:
        assert getattr(extractor, name).__name__ == name


def test_importing_the_package_loads_only_the_loaders_front() -> None:
    code = "import sys, extractor; print(' '.join(sorted(m for m in sys.modules if m.startswith('extractor.'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(out.split())
    assert "extractor.load" in loaded
    heavy = {"extractor.pipeline", "extractor.parse", "extractor.verify", "extractor.llm", "extractor.load.html"}
    assert not loaded & heavy


def test_version_option() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"nianbao {nianbao_version()}"


def test_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    assert version("nianbao") == nianbao_version()
