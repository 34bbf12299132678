"""Every `stancetrack annotate` command documents itself with an example."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from stancetrack.cli import cli
from stancetrack.cli.annotate import annotate

COMMANDS = sorted(annotate.commands)


def test_the_commands():
    assert COMMANDS == ["agreement", "config", "import", "pull", "push", "serve", "suggest", "tasks"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_an_example(command):
    result = CliRunner().invoke(cli, ["annotate", command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output and f"stancetrack annotate {command}" in result.output


@pytest.mark.parametrize("command", ["import", "pull"])
def test_help_states_the_rule_for_several_annotations(command):
    result = CliRunner().invoke(cli, ["annotate", command, "--help"])
    assert "most recently updated" in result.output and "ground" in result.output


def test_importing_stancetrack_does_not_import_the_sdk():
    code = ("import sys, stancetrack, stancetrack.annotate, stancetrack.cli; "
            "assert 'label_studio_sdk' not in sys.modules, 'SDK imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_sdk_says_how_to_install(monkeypatch):
    from stancetrack.annotate import client
    from stancetrack.errors import MissingExtra

    monkeypatch.setitem(sys.modules, "label_studio_sdk", None)  # import fails as when not installed
    with pytest.raises(MissingExtra, match=r"pip install 'stancetrack\[annotate\]'"):
        client.Client("http://127.0.0.1:9", api_key="x")
