"""docs/writing-a-notification-plugin.md, run as a reader would: every code block of it, in a fresh folder.

- each block marked ``file=PATH`` is written: the distribution's files under ``notify_dingtalk/``,
  ``site.ini`` beside it;
- the ``sh`` block's commands are run, each as the guide means it: the ``pip install -e`` installs the
  written distribution — into a folder of its own, put on the commands' PYTHONPATH, so the suite's
  environment is left as it was (every xdist worker that runs these tests installs its own) — then
  ``tessera plugins`` reads ``site.ini``, then the plugin's own tests run (they deliver a signed
  reminder through the reminder engine to a local server);
- the ``text`` blocks are what those commands print: the listing, and the start-up error of a site
  without the required secret.

A command in the guide that this test does not know fails it: nothing in the guide goes untried.
"""
from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "writing-a-notification-plugin.md"
BIN = pathlib.Path(sys.executable).parent
DISTRIBUTION = "notify_dingtalk"
BLOCK = re.compile(r"^```(\w+)(?: file=(\S+))?\n(.*?)^```$", re.M | re.S)
COMMANDS = {
    f".venv/bin/pip install -e ./{DISTRIBUTION}": "install",
    ".venv/bin/tessera -c site.ini plugins": "list",
    f"(cd {DISTRIBUTION} && ../.venv/bin/python -m pytest)": "test",
}


def blocks() -> list[tuple[str, str | None, str]]:
    return BLOCK.findall(GUIDE.read_text())


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    """A fresh folder with every file the guide shows, the distribution installed as its ``sh`` block says."""
    folder = tmp_path_factory.mktemp("reader")
    for _language, path, text in blocks():
        if path:
            target = folder / path if path == "site.ini" else folder / DISTRIBUTION / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    environ = {name: value for name, value in os.environ.items() if not name.startswith("TESSERA_")
               or name == "TESSERA_TEST_DATABASE_URL"}
    environ["PYTHONPATH"] = str(folder / "installed")
    assert f".venv/bin/pip install -e ./{DISTRIBUTION}" in commands()
    installed = run([str(BIN / "pip"), "install", "--quiet", "--no-deps", "--no-build-isolation",
                     "--target", str(folder / "installed"), f"./{DISTRIBUTION}"], folder, environ)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return folder, environ


def commands() -> list[str]:
    (text,) = [text for language, _, text in blocks() if language == "sh"]
    return [line for line in text.splitlines() if line.strip()]


def run(command: list[str], folder: pathlib.Path, environ: dict) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=folder, env=environ, capture_output=True, text=True, timeout=600)


def test_every_block_is_a_file_a_command_or_what_a_command_prints():
    kinds = [(language, bool(path)) for language, path, _ in blocks()]
    assert all(written or language in ("sh", "text") for language, written in kinds)
    assert [line for line in commands() if line not in COMMANDS] == []
    written = {path for _, path, _ in blocks() if path}
    assert {"pyproject.toml", "setup.cfg", f"{DISTRIBUTION}/__init__.py", f"{DISTRIBUTION}/channel.py",
            "tests/conftest.py", "tests/test_dingtalk.py", "site.ini"} == written


def test_the_installed_plugin_is_listed_and_passes_its_own_tests(reader):
    folder, environ = reader
    listing = [text.strip() for language, _, text in blocks() if language == "text"][0]
    outputs = {}
    for step in (COMMANDS[line] for line in commands() if COMMANDS[line] != "install"):  # the fixture installed
        if step == "list":
            outputs[step] = run([str(BIN / "tessera"), "-c", "site.ini", "plugins"], folder, environ)
        else:
            outputs[step] = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
                                folder / DISTRIBUTION, environ)
        assert outputs[step].returncode == 0, outputs[step].stdout + outputs[step].stderr

    assert " ".join(listing.split()) in [" ".join(row.split()) for row in outputs["list"].stdout.splitlines()]
    assert re.search(r"^7 passed", outputs["test"].stdout, re.M), outputs["test"].stdout


def test_without_the_required_secret_the_site_stops_as_the_guide_shows(reader):
    folder, environ = reader
    site = (folder / "site.ini").read_text()
    (folder / "no-secret.ini").write_text(re.sub(r"^tessera\.notify_dingtalk\.secret = .*\n", "", site, flags=re.M))
    error = [text.strip() for language, _, text in blocks() if language == "text"][1]

    answer = run([str(BIN / "tessera"), "-c", "no-secret.ini", "plugins"], folder, environ)

    assert answer.returncode != 0
    assert error in answer.stderr
