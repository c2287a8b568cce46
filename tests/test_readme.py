"""The README is a contract: every fenced block that is a command, a config or an example is run here.

Each shell line is matched against what this suite knows how to check; a line it doesn't
know fails the test, so a new command in the README can't go unchecked. Installs and the
test suite itself are not re-run (this run *is* their result): their arguments are checked
against the repo instead (the extra exists, the marker selects tests, the script starts).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from support.snippets import add_app

from generator.emulator.forms import Variable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
APPS_BLOCK = 2  # the toml blocks: spec, typed inputs, emulate's apps file, pyproject, schema line
BLOCKS = [(match.group(1), match.group(2)) for match in re.finditer(r"^```(\w*)\n(.*?)^```", README, re.M | re.S)]


def blocks(language: str) -> list[str]:
    return [text for lang, text in BLOCKS if lang == language]


class Project:
    """A user's project the README's commands run in: the repo's spec copied, an environment,
    and the Dify emulator standing in for the live apps `add` and `check --against-apps` ask."""

    def __init__(self, directory: Path, dify) -> None:
        self.directory = directory
        self.dify = dify
        self.env = dict(os.environ)
        self.env.pop("DIFY_APP_API_KEY", None)
        form = [Variable("topic", "paragraph"), Variable("lang", "select", options=["en", "de"])]
        self.app = add_app(dify, "workflow", form=form)  # the README's researcher
        self.emulated: subprocess.Popen | None = None  # `dify-codenode emulate ... &`, when a block starts it
        self.emulated_url = ""

    def tool(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "generator", *args],
            cwd=self.directory,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def run(self, words: list[str]) -> None:
        """Run or verify one README command; fail for one this test doesn't know."""
        if words[:3] == ["python", "-m", "pip"] or words[0] == "pip":
            check_install(words[words.index("install") + 1 :])
        elif words[:3] == ["python", "-m", "pytest"]:
            check_pytest(words[3:])
        elif words == ["python", "tests/static_pass.py"]:
            started = subprocess.run(
                [sys.executable, "tests/static_pass.py", "--help"], cwd=REPO, capture_output=True, timeout=60
            )
            assert started.returncode == 0, started.stderr
        elif words == ["bash", ".ci/venvs"]:
            assert subprocess.run(["bash", "-n", ".ci/venvs"], cwd=REPO).returncode == 0
            assert "bash .ci/venvs" in (REPO / ".ci" / "run").read_text()  # what CI runs too
        elif words[0] == "export" and len(words) == 2 and "=" in words[1]:
            name, _, value = words[1].partition("=")
            # The README exports a key: its own emulator's app's as written, else the test emulator's app's.
            self.env[name] = value if self.emulated else self.app.key
        elif words[:2] == ["dify-codenode", "emulate"] and words[-1] == "&":
            self.start_emulator(words[2:-1])
        elif words[0] == "dify-codenode":
            self.run_tool(words[1:])
        else:
            pytest.fail(f"README command {words} is not known to tests/test_readme.py: teach it how to check this")

    def start_emulator(self, arguments: list[str]) -> None:
        """`dify-codenode emulate --apps FILE &` with the README's apps file, on a free port: its first
        line says where it serves and every app it serves is listed."""
        apps_file = arguments[arguments.index("--apps") + 1]
        (self.directory / apps_file).write_text(blocks("toml")[APPS_BLOCK])
        self.emulated = subprocess.Popen(
            [sys.executable, "-m", "generator", "emulate", *arguments, "--port", "0"],
            cwd=self.directory,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first = self.emulated.stdout.readline()
        match = re.fullmatch(
            r"serving 1 app as Dify's Service API at (http://127\.0\.0\.1:\d+/v1) \(Ctrl-C stops it\)\n", first
        )
        assert match, first + self.emulated.stderr.read() if self.emulated.poll() is not None else first
        self.emulated_url = match.group(1)
        assert self.emulated.stdout.readline() == "  agent      'app-…0001' 'Research agent'\n"

    def stop_emulator(self) -> str:
        """Stops it as `kill %1` would (SIGTERM: a background job of a script, as in the README,
        ignores SIGINT); its stderr: one line per request it answered."""
        if self.emulated is None:
            return ""
        self.emulated.send_signal(signal.SIGTERM)
        _, stderr = self.emulated.communicate(timeout=30)
        assert self.emulated.returncode == 0 and stderr.endswith("stopped\n"), stderr
        return stderr

    def run_tool(self, arguments: list[str]) -> None:
        """dify-codenode itself, for real: in this project, or in the repo for a plain check."""
        if arguments == ["check"]:
            done = subprocess.run(
                [sys.executable, "-m", "generator", "check"], cwd=REPO, capture_output=True, text=True, timeout=120
            )
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr
            return
        if arguments == ["check", "--staged"]:  # the check hook: at commit time, in a git repository
            if not (self.directory / ".git").exists():
                for command in (["git", "init", "-q"], [sys.executable, "-m", "generator", "generate"]):
                    subprocess.run(command, cwd=self.directory, check=True, capture_output=True, env=self.env)
                subprocess.run(["git", "add", "."], cwd=self.directory, check=True, capture_output=True)
        if arguments[0] == "add":  # the live app is the emulator's: the README's own, else the test's
            at = arguments.index("--base-url")
            arguments = [*arguments[: at + 1], self.emulated_url or self.dify.base_url, *arguments[at + 2 :]]
        arguments = [re.sub(r"\$(\w+)", lambda name: self.env[name.group(1)], word) for word in arguments]
        for argument in arguments[1:]:
            if argument.endswith(".yml") and not (self.directory / argument).exists():  # the user's exported app
                self.export_stale_app(self.directory / argument)
        if (
            arguments == ["check", "--against-apps"]
            and "verify_key_env" not in (self.directory / "snippets.toml").read_text()
        ):
            self.run(["export", "DIFY_APP_API_KEY=key"])  # a CI recipe's project used `add` before
            self.run_tool(["add", "researcher", "--template", "variables", "--base-url", "x"])
        done = self.tool(*arguments)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr
        if arguments[0] == "render":
            compile(done.stdout, "rendered.py", "exec", dont_inherit=True)
            assert done.stdout.startswith("# @generated by dify-codenode from dify-codenode render")
        elif arguments == ["generate"]:
            for path in (REPO / "output").iterdir():  # the repo's own snippets, byte for byte (and any added)
                assert (self.directory / "output" / path.name).read_text() == path.read_text(), path.name
        elif arguments[0] == "add":
            assert self.app.key not in done.stdout + done.stderr + (self.directory / "snippets.toml").read_text()
        elif arguments[0] == "sync":
            assert "synced " in done.stderr  # the exported app's bound node was stale
        elif arguments == ["check", "--staged"]:
            assert done.stderr.endswith("files)\n")  # up to date, every file staged
        elif arguments[0] == "run":  # the README says what it prints
            said = re.search(r"`run` prints `(\{.*?\})`", README).group(1)
            assert json.loads(done.stdout) == json.loads(said)
        elif arguments[:2] != ["check", "--apps"] and arguments != ["check", "--against-apps"]:
            pytest.fail(
                f"README runs `dify-codenode {' '.join(arguments)}`: teach tests/test_readme.py what it must do"
            )

    @staticmethod
    def export_stale_app(path: Path) -> None:
        """An app exported from Dify whose Code node holds an older agent_single."""
        from support.dify_exports import aged, current_document, exported

        from generator.spec.load import load_spec

        snippet = next(s for s in load_spec(REPO / "snippets.toml").snippets if s.name == "agent_single")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(exported(aged(current_document(snippet), "0.6.0")))


def commands(text: str) -> list[list[str]]:
    """The commands of a shell block: one per line and per `&&`, comments dropped."""
    found = []
    for line in text.splitlines():
        current: list[str] = []
        for word in shlex.split(line, comments=True):
            if word == "&&":
                found.append(current)
                current = []
            else:
                current.append(word)
        if current:
            found.append(current)
    return found


def check_install(arguments: list[str]) -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    for argument in arguments:
        if argument == "-e":
            continue
        if argument.startswith("."):
            extras = re.fullmatch(r"\.(?:\[(.*)\])?", argument).group(1)
            for extra in filter(None, (extras or "").split(",")):
                assert extra in pyproject["project"]["optional-dependencies"], f"no extra {extra!r}"
        elif argument == "$DIFY_CODENODE":
            assert 'DIFY_CODENODE="dify-codenode @ git+' in README
        elif argument.startswith("dify-codenode @ git+"):
            assert argument.endswith("@COMMIT")
        else:
            pytest.fail(f"unknown install argument {argument!r}")


def check_pytest(arguments: list[str]) -> None:
    """The suite's own command: its plugins are installed and its marker selects tests."""
    if "-n" in arguments:
        import xdist  # noqa: F401 (pytest-xdist, from the test extra)

        at = arguments.index("-n")
        arguments = arguments[:at] + arguments[at + 2 :]
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stdout[-2000:]
    assert re.search(r"^(\d+) tests? collected", collected.stdout, re.M) or re.search(
        r"^\d+/\d+ tests collected", collected.stdout, re.M
    )


@pytest.fixture
def project(tmp_path: Path, dify) -> Iterator[Project]:
    """A user's project: the repo's spec (and its schema), no output yet."""
    shutil.copy(REPO / "snippets.toml", tmp_path)
    shutil.copy(REPO / "snippets.schema.json", tmp_path)
    made = Project(tmp_path, dify)
    yield made
    if made.emulated is not None and made.emulated.poll() is None:
        made.emulated.kill()


SHELL = blocks("sh")


@pytest.mark.parametrize("text", SHELL, ids=[f"sh{n}" for n in range(len(SHELL))])
def test_every_shell_block_runs(text: str, project: Project) -> None:
    found = commands(text)
    assert found
    for words in found:
        project.run(words)
    if project.emulated is not None:  # the block's calls reached the README's emulator, key masked
        log = project.stop_emulator()
        assert "GET /v1/parameters -> 200 (app-…0001)" in log and "POST /v1/chat-messages -> 200 (app-…0001)" in log
        assert "emulatedAgent" not in log


def test_the_spec_examples_generate(tmp_path: Path) -> None:
    spec, typed, _apps, pyproject, schema_line = blocks("toml")
    for number, text in enumerate((schema_line + spec, "version = 1\n" + typed)):
        directory = tmp_path / str(number)
        directory.mkdir()
        (directory / "snippets.toml").write_text(text)
        done = subprocess.run(
            [sys.executable, "-m", "generator", "generate"], cwd=directory, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0 and "warning" not in done.stderr, done.stderr
    assert (tmp_path / "0" / "output" / "agent_three_fixed_variables.py").exists()
    assert "def _select(" in (tmp_path / "1" / "output" / "researcher.py").read_text()
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(pyproject)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "generate"], cwd=project, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert [p.name for p in (project / "output").iterdir()] == ["agent_single.py"]


def test_the_yaml_recipes_run(project: Project) -> None:
    pre_commit, github, gitlab = (yaml.safe_load(text) for text in blocks("yaml"))
    hooks = pre_commit["repos"][0]["hooks"]
    shipped = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    for hook in hooks:
        assert hook["language"] == "system" and hook["always_run"] and hook["pass_filenames"] is False
        assert hook["entry"] == shipped[hook["id"]]["entry"]
        project.run(shlex.split(hook["entry"]))
    steps = github["jobs"]["check"]["steps"]
    for step in steps:
        for words in commands(step.get("run", "")):
            for name in step.get("env", {}):  # a secret from the store: the emulated app's key
                project.env[name] = project.app.key
            project.run(words)
    for line in gitlab["snippets"]["script"]:
        for words in commands(line):
            project.run(words)


def test_the_python_api_example_runs(project: Project) -> None:
    (example,) = blocks("python")
    done = subprocess.run(
        [sys.executable, "-c", example], cwd=project.directory, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "agent_single.py" in done.stdout and (project.directory / "output" / "agent_single.py").exists()


def test_the_binding_line_is_what_generated_files_start_with() -> None:
    (binding,) = [text for lang, text in BLOCKS if lang == "" and text.startswith("# @generated")]
    assert (REPO / "output" / "agent_single.py").read_text().split("\n", 1)[0] == binding.strip()


def test_the_gitattributes_advice_is_what_this_repo_does() -> None:
    advice = next(text for lang, text in BLOCKS if lang == "" and "linguist-generated" in text)
    assert advice.strip() in (REPO / ".gitattributes").read_text().splitlines()


def test_the_development_tree_names_every_module() -> None:
    """Every module is named in its folder's paragraph of the tree (a subpackage's starts `  name/`)."""
    tree = next(text for lang, text in BLOCKS if lang == "" and text.startswith("generator/"))
    generator_part = tree.split("\ntemplates/", 1)[0]
    sections = {"": generator_part}
    for match in re.finditer(r"^  (\w+)/(.*?)(?=^  \S|\Z)", generator_part, re.MULTILINE | re.DOTALL):
        sections[match.group(1)] = match.group(2)
    top_level = re.sub(r"^  \w+/.*?(?=^  \S|\Z)", "", generator_part, flags=re.MULTILINE | re.DOTALL)
    sections[""] = top_level
    for module in sorted((REPO / "generator").rglob("*.py")):
        folder = module.parent.relative_to(REPO / "generator").as_posix().replace(".", "")
        if module.name == "__init__.py" and folder:
            assert folder in sections, f"README's development tree has no paragraph for generator/{folder}/"
            continue
        assert module.name in sections[folder], (
            f"README's development tree doesn't name generator/{folder}/{module.name}"
        )
    templates_part = tree.split("templates/", 1)[1].split("tests/", 1)[0]
    assert ".py " not in templates_part.replace(".py.jinja", "")  # no module listed under templates/
