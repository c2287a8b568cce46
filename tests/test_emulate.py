"""`dify-codenode emulate`: the apps a small file describes are served as Dify serves them, to generated nodes too."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from support.snippets import render_code, run_snippet

from generator.emulator.apps_file import load_apps

APPS = """\
[[apps]]
key = "app-emulatedFlow00001"
mode = "workflow"
name = "Summarizer"
outputs = { text = "A summary.", score = 3 }

[[apps]]
key = "app-emulatedPause0002"
mode = "chatflow"
answer = "Draft ready"
pause = true

[[apps]]
key = "app-emulatedError0003"
mode = "chat"
error = { status = 429, code = "too_many_requests", message = "Slow down." }

[[apps]]
key = "app-emulatedAgent0004"
mode = "agent-1.16"
answer = "Hallo."
tags = ["demo"]

[[apps.inputs]]
variable = "lang"
type = "select"
options = ["en", "de"]

[[apps.inputs]]
variable = "note"
type = "paragraph"
required = false
max_length = 5
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, dify) -> dict:
    """The file's apps, served by the test emulator (the same server `emulate` runs), by mode."""
    path = tmp_path_factory.mktemp("emulate") / "apps.toml"
    path.write_text(APPS)
    return {app.mode: dify.add(app) for app in load_apps(path)}


def test_a_workflow_app_answers_with_the_files_outputs(served: dict, dify) -> None:
    code = render_code(template="single", app="workflow", query_input="query", workflow_outputs={"score": "number"})
    run = run_snippet(dify, served["workflow"], code)
    assert run.ok, run.error
    assert run.outputs["score"] == 3


def test_a_pausing_app_pauses_for_human_input_after_its_answer(served: dict, dify) -> None:
    run = run_snippet(dify, served["chatflow"], render_code(template="single", app="chatflow"))
    assert not run.ok and "paused for human input at node" in run.error


def test_an_app_with_an_error_answers_difys_envelope(served: dict, dify) -> None:
    run = run_snippet(dify, served["chat"], render_code(template="single", app="chat"))
    assert not run.ok and "429" in run.error and "too_many_requests" in run.error and "Slow down." in run.error


def test_a_form_is_checked_as_dify_checks_it(served: dict, dify) -> None:
    app = served["agent-1.16"]
    code = render_code(template="variables", app="agent", inputs={"lang": "lang", "note": "note"})
    assert run_snippet(dify, app, code, lang="de").outputs == {"response_text": "Hallo."}
    wrong = run_snippet(dify, app, code, lang="fr")
    assert not wrong.ok and "lang in input form must be one of the following: ['en', 'de']" in wrong.error
    long = run_snippet(dify, app, code, lang="en", note="too long")
    assert not long.ok and "note in input form must be less than 5 characters" in long.error


def test_info_and_parameters_describe_the_apps(served: dict, dify) -> None:
    def get(path: str, key: str) -> dict:
        request = urllib.request.Request(dify.base_url + path, headers={"Authorization": f"Bearer {key}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)

    assert get("/info", "app-emulatedAgent0004") == {
        "name": "Emulated app",
        "description": "",
        "tags": ["demo"],
        "mode": "agent",
    }
    form = get("/parameters", "app-emulatedAgent0004")["user_input_form"]
    assert [next(iter(entry)) for entry in form] == ["select", "paragraph"]
    assert form[1]["paragraph"]["required"] is False and form[1]["paragraph"]["max_length"] == 5
    assert get("/info", "app-emulatedFlow00001")["mode"] == "workflow"


def _start(apps: Path, *flags: str, interpreter: tuple[str, ...] = ("-m", "generator")) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, *interpreter, "emulate", "--apps", str(apps), *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = process.stdout.readline()
    match = re.search(r"at (http://127\.0\.0\.1:(\d+)/v1) ", first)
    assert match, first + (process.stderr.read() if process.poll() is not None else "")
    return process, match.group(1)


def test_the_command_serves_until_stopped_logs_masked_and_refuses_a_busy_port(tmp_path: Path) -> None:
    apps = tmp_path / "apps.toml"
    apps.write_text(APPS)
    process, url = _start(apps, "--port", "0")
    try:
        listed = [process.stdout.readline() for _ in range(4)]
        assert listed[0] == "  workflow   'app-…0001' 'Summarizer'\n" and listed[3].startswith(
            "  agent-1.16 'app-…0004'"
        )
        port = url.split(":")[2].split("/")[0]
        busy = subprocess.run(
            [sys.executable, "-m", "generator", "emulate", "--apps", str(apps), "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert busy.returncode == 2 and busy.stdout == ""
        assert busy.stderr.startswith(f"dify-codenode: error: can't listen on '127.0.0.1' port {port}: ")
        assert busy.stderr.count("\n") == 1 and "choose another --port" in busy.stderr
        wrong = urllib.request.Request(url + "/info", headers={"Authorization": "Bearer app-notOneOfThem9999"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(wrong, timeout=10)
        assert refused.value.code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        _, log = process.communicate(timeout=30)
    assert process.returncode == 0
    assert log == "GET /info -> 401 (app-…9999)\nstopped\n".replace("/info", "/v1/info")
    assert "notOneOfThem" not in log


def test_an_address_this_machine_does_not_have_is_one_line(tmp_path: Path) -> None:
    apps = tmp_path / "apps.toml"
    apps.write_text(APPS)
    done = subprocess.run(  # 192.0.2.1: TEST-NET-1, never a local address
        [sys.executable, "-m", "generator", "emulate", "--apps", str(apps), "--host", "192.0.2.1", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert done.stderr.startswith("dify-codenode: error: can't listen on '192.0.2.1' port 0: ")


def test_ctrl_c_stops_it_in_one_line(tmp_path: Path) -> None:
    apps = tmp_path / "apps.toml"
    apps.write_text(APPS)
    # As a terminal starts it, Ctrl-C's SIGINT not ignored (a background job, as CI may run the tests, ignores it).
    terminal = (
        "import signal, sys\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "sys.argv = sys.argv[1:]\nfrom generator.__main__ import main\nmain()"
    )
    process, _ = _start(apps, "--port", "0", interpreter=("-c", terminal, "dify-codenode"))
    for _ in range(4):
        process.stdout.readline()
    process.send_signal(signal.SIGINT)
    _, log = process.communicate(timeout=30)
    assert (process.returncode, log) == (0, "stopped\n")
