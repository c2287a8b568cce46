"""The security promises of the surfaces that read what other programs wrote: the key goes only
where the user sent it, is never printed, and a spec's apps never lead `sync` outside the project."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.dify_exports import aged, current_document, exported

from generator.cli import cli
from generator.emulator.loopback import LoopbackServer, QuietHandler
from generator.spec.load import load_spec

REPO = Path(__file__).resolve().parent.parent
KEY = "app-AbCdEfGh0123456789TrUsT"


def invoke(*args: object, key: str | None = KEY, monkeypatch: pytest.MonkeyPatch):
    if key is None:
        monkeypatch.delenv("DIFY_APP_API_KEY", raising=False)
    else:
        monkeypatch.setenv("DIFY_APP_API_KEY", key)
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="dify-codenode", catch_exceptions=False)


class _Redirecting(QuietHandler):
    """/cross/v1/X -> the same path on another origin (`target`); /same/v1/X -> /v1/X here; /v1/X answers."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        owner = self.server.owner  # type: ignore[attr-defined]
        owner.seen.append((self.path, self.headers.get("Authorization", "")))
        if self.path.startswith("/cross/"):
            self._answer(302, b"", {"Location": owner.target + self.path[len("/cross") :]})
        elif self.path.startswith("/same/"):
            self._answer(301, b"", {"Location": self.path[len("/same") :]})
        elif self.path == "/v1/info":
            self._answer(200, json.dumps({"name": "n", "mode": "chat"}).encode(), {"Content-Type": "application/json"})
        else:
            self._answer(200, json.dumps({"user_input_form": []}).encode(), {"Content-Type": "application/json"})

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def redirecting(dify):
    server = LoopbackServer(_Redirecting)
    server.seen = []
    server.target = dify.url.replace("127.0.0.1", "localhost")  # another origin: the emulator, by another name
    with server:
        yield server


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "snippets.toml").write_text('version = 1\n\n[[snippets]]\nname = "first"\ntemplate = "single"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_redirect_to_another_origin_is_refused_and_gets_no_key(project: Path, dify, redirecting, monkeypatch) -> None:
    before = (project / "snippets.toml").read_bytes()
    result = invoke(
        "add", "other", "--template", "single", "--base-url", redirecting.url + "/cross/v1", monkeypatch=monkeypatch
    )
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
    assert (
        "redirected to another origin" in result.stderr
        and "localhost" in result.stderr
        and "127.0.0.1" in result.stderr
    )
    assert [hit for hit in dify.hits if KEY in hit[1]] == [], "the key went to the other host"
    assert KEY not in result.stderr + result.stdout and (project / "snippets.toml").read_bytes() == before


def test_a_same_origin_redirect_is_followed(project: Path, redirecting, monkeypatch) -> None:
    result = invoke(
        "add",
        "moved",
        "--template",
        "single",
        "--app",
        "chat",
        "--base-url",
        redirecting.url + "/same/v1",
        monkeypatch=monkeypatch,
    )
    assert result.exit_code == 0, result.stderr
    assert ("/v1/info", f"Bearer {KEY}") in redirecting.seen and 'name = "moved"' in (
        project / "snippets.toml"
    ).read_text()


@pytest.mark.parametrize(
    "spec_text,key",
    [
        ('version = 1\n\n[[snippets]]\nname = "a"\ntemplate = "single"\n{key} = 1\n', KEY),  # pasted as a TOML key
        ("version = 1\n\n[{key}]\n", KEY),  # as a table name
        ('version = 1\n\n[[snippets]]\nname = "a"\ntemplate = "variables"\ninputs = {{ "{key}" = "x" }}\n', KEY),
        (
            'version = 1\n\n[[snippets]]\nname = "a"\ntemplate = "single"\napp = "workflow"\nworkflow_outputs = {{ '
            '"{key}" = "string" }}\n',
            KEY,
        ),
    ],
)
def test_a_key_pasted_into_a_spec_is_never_echoed(project: Path, monkeypatch, spec_text: str, key: str) -> None:
    (project / "snippets.toml").write_text(spec_text.format(key=key))
    result = invoke("generate", key=None, monkeypatch=monkeypatch)
    assert result.exit_code == 2 and key not in result.stderr and key[4:-4] not in result.stderr, result.stderr
    assert "app-…" in result.stderr


def test_a_key_with_a_newline_is_never_echoed(project: Path, dify, monkeypatch) -> None:
    key = "app-AbCdEfGh0123\n456789TrUsT"
    result = invoke(
        "add",
        "x",
        "--template",
        "single",
        "--app",
        "chat",
        "--base-url",
        dify.base_url,
        key=key,
        monkeypatch=monkeypatch,
    )
    assert result.exit_code == 2, result.stderr
    for part in key.split("\n"):
        assert part[4:] not in result.stderr, result.stderr


def test_render_refuses_a_key_as_an_input_name_without_echoing_it(monkeypatch) -> None:
    result = invoke("render", "variables", "--input", f"{KEY}=x", key=None, monkeypatch=monkeypatch)
    assert result.exit_code == 2 and KEY not in result.stderr and KEY[4:-4] not in result.stderr, result.stderr


def _app(path: Path) -> Path:
    spec = load_spec(REPO / "snippets.toml")
    snippet = next(s for s in spec.snippets if s.name == "agent_single")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(exported(aged(current_document(snippet), "0.6.0")), encoding="utf-8")
    return path


@pytest.mark.parametrize("pattern", ["../outside/*.yml", "{outside}/*.yml", "linked/*.yml"])
def test_a_specs_apps_never_lead_sync_outside_the_project(tmp_path: Path, monkeypatch, pattern: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    outside = _app(tmp_path / "outside" / "app.yml")
    (project / "linked").symlink_to(tmp_path / "outside")
    pattern = pattern.format(outside=(tmp_path / "outside").as_posix())
    (project / "snippets.toml").write_text(f"apps = [{json.dumps(pattern)}]\n" + (REPO / "snippets.toml").read_text())
    monkeypatch.chdir(project)
    before = outside.read_bytes()
    result = invoke("sync", key=None, monkeypatch=monkeypatch)
    assert result.exit_code == 2 and "outside the spec's folder" in result.stderr, result.stderr
    assert outside.read_bytes() == before
    given = invoke("sync", outside, key=None, monkeypatch=monkeypatch)  # on the command line: the user's own choice
    assert given.exit_code == 0 and outside.read_bytes() != before


def test_a_specs_apps_resolve_beside_it_with_spec(tmp_path: Path, monkeypatch) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "snippets.toml").write_text('apps = ["apps/*.yml"]\n' + (REPO / "snippets.toml").read_text())
    beside = _app(sub / "apps" / "a.yml")
    decoy = _app(tmp_path / "apps" / "a.yml")
    monkeypatch.chdir(tmp_path)
    decoy_before = decoy.read_bytes()
    result = invoke("sync", "--spec", "sub/snippets.toml", key=None, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.stderr
    assert decoy.read_bytes() == decoy_before and "_TIME_BUDGET_SECONDS = 1 +" not in beside.read_text()


class _RawServer:
    """Answers every connection on 127.0.0.1 with the same bytes, then closes it."""

    def __init__(self, reply: bytes) -> None:
        import socket
        import threading

        self.reply = reply
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/v1"

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    connection.recv(65536)
                    connection.sendall(self.reply)
                except OSError:
                    pass

    def __enter__(self) -> _RawServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()
        self.listener.close()


HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


@pytest.mark.parametrize(
    "reply",
    [
        b"SSH-2.0-OpenSSH_9.6\r\n",  # a port that speaks SSH
        b"\x00\x01garbage\r\n\r\n",  # no status line at all
        HEADERS + b"".join(b"X-%d: y\r\n" % n for n in range(150)) + b"\r\n{}",  # too many headers
        HEADERS + b"X-Long: " + b"y" * 70_000 + b"\r\n\r\n{}",  # a 70 KB header line
        HEADERS + b'Transfer-Encoding: chunked\r\n\r\n10\r\n{"name": "x"',  # a cut chunked body
        HEADERS + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",  # a malformed chunk size
    ],
    ids=["ssh", "garbage", "headers", "long-header", "cut-chunk", "bad-chunk"],
)
@pytest.mark.parametrize("command", ["add", "check"])
def test_whatever_the_server_sends_is_one_line(project: Path, monkeypatch, reply: bytes, command: str) -> None:
    with _RawServer(reply) as server:
        if command == "add":
            result = invoke(
                "add",
                "x",
                "--template",
                "single",
                "--app",
                "chat",
                "--base-url",
                server.base_url,
                monkeypatch=monkeypatch,
            )
        else:
            (project / "snippets.toml").write_text(
                'version = 1\n\n[[snippets]]\nname = "a"\ntemplate = "single"\napp = "chat"\nbase_url = '
                f'"{server.base_url}"\nverify_key_env = "DIFY_APP_API_KEY"\n'
            )
            result = invoke("check", "--against-apps", monkeypatch=monkeypatch)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr.startswith("dify-codenode: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and KEY not in result.stderr


def test_long_names_sharing_a_prefix_all_get_a_parameter_and_valid_names_stay() -> None:
    from generator.callee.form import parameter_for
    from generator.spec.names import parameter_problem

    taken: set[str] = set()
    keys = [f"customer_reference_number_ab{n:02d}" for n in range(40)]  # 30 characters, 28 shared
    params = []
    for key in keys:
        params.append(parameter_for(key, taken))
        taken.add(params[-1])
    assert params == keys, "valid names are kept as they are"
    long_taken: set[str] = set()
    for n in range(40):  # not valid as they are (a space): each gets its own name within 30 characters
        param = parameter_for(f"customer reference number ab{n:02d} x", long_taken)
        assert parameter_problem(param) is None and param not in long_taken and len(param) <= 30
        long_taken.add(param)


def test_sync_never_overwrites_an_app_saved_while_it_worked(tmp_path: Path, monkeypatch) -> None:
    from generator.exports import plan as app_files

    app = _app(tmp_path / "app.yml")
    newer = app.read_text(encoding="utf-8") + "# saved by someone else meanwhile\n"
    real_plan = app_files.plan_apps

    def plan_then_someone_saves(spec, paths):  # noqa: ANN001, ANN202
        plans = real_plan(spec, paths)
        app.write_text(newer, encoding="utf-8")
        return plans

    monkeypatch.setattr(app_files, "plan_apps", plan_then_someone_saves)
    result = invoke("sync", "--spec", REPO / "snippets.toml", app, key=None, monkeypatch=monkeypatch)
    assert result.exit_code == 2 and "changed while sync was reading it" in result.stderr, result.stderr
    assert app.read_text(encoding="utf-8") == newer and list(tmp_path.glob(".dify-codenode-*")) == []


def _git(cwd: Path, *args: str) -> None:
    import subprocess

    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True, capture_output=True
    )


@pytest.mark.skipif(__import__("shutil").which("git") is None, reason="needs git")
def test_the_check_hook_fails_a_commit_without_its_generated_file(tmp_path: Path, monkeypatch) -> None:
    """#19.15: `check --staged` (the check hook's entry) fails while a generated file is not staged
    as generated, whatever the working tree holds, and passes once it is."""
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "snippets.toml"
    spec.write_text('version = 1\n\n[[snippets]]\nname = "a"\ntemplate = "single"\n')
    _git(tmp_path, "init", "-q")
    assert invoke("generate", monkeypatch=monkeypatch).exit_code == 0
    _git(tmp_path, "add", ".")
    assert invoke("check", "--staged", monkeypatch=monkeypatch).exit_code == 0

    spec.write_text(spec.read_text() + '\n[[snippets]]\nname = "b"\ntemplate = "single"\napp = "chat"\n')
    assert invoke("generate", monkeypatch=monkeypatch).exit_code == 0
    _git(tmp_path, "add", "snippets.toml")  # the new snippet, not its file
    assert invoke("check", monkeypatch=monkeypatch).exit_code == 0  # the working tree is up to date
    result = invoke("check", "--staged", monkeypatch=monkeypatch)
    assert result.exit_code == 1 and "not staged as generated: output/b.py; git add it" in result.stderr
    assert "output/a.py" not in result.stderr

    _git(tmp_path, "add", "output")
    assert invoke("check", "--staged", monkeypatch=monkeypatch).exit_code == 0

    good = (tmp_path / "output" / "a.py").read_text()
    (tmp_path / "output" / "a.py").write_text(good + "# hand edit\n")
    _git(tmp_path, "add", "output/a.py")
    (tmp_path / "output" / "a.py").write_text(good)  # the tree is right again, the index is not
    result = invoke("check", "--staged", monkeypatch=monkeypatch)
    assert result.exit_code == 1 and "not staged as generated: output/a.py" in result.stderr


def test_check_staged_outside_git_is_one_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    (tmp_path / "snippets.toml").write_text('version = 1\n\n[[snippets]]\nname = "a"\ntemplate = "single"\n')
    assert invoke("generate", monkeypatch=monkeypatch).exit_code == 0
    result = invoke("check", "--staged", monkeypatch=monkeypatch)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "--staged needs a git repository" in result.stderr and "Traceback" not in result.stderr


# --- #19.8: `add` edits a spec in its own style --------------------------------------------------

ENTRY = {
    "name": "b",
    "template": "variables",
    "app": "chat",
    "inputs": {"topic": "topic", "lang": {"param": "language", "type": "select", "options": ["en", "de"]}},
}


def _added(path: Path) -> bytes:
    from generator.spec.edit import add_snippet

    add_snippet(path, ENTRY)
    spec = load_spec(path)
    assert [s.name for s in spec.snippets][-1] == "b" and spec.snippets[-1].inputs[1].options == ("en", "de")
    return path.read_bytes()


def test_add_keeps_crlf_line_ends_and_the_byte_order_mark(tmp_path: Path) -> None:
    spec = tmp_path / "snippets.toml"
    before = '\ufeff# ours\r\nversion = 1\r\n\r\n[[snippets]]\r\nname = "a"\r\ntemplate = "single"\r\n'.encode()
    spec.write_bytes(before)
    after = _added(spec)
    assert after.startswith(before), "the spec's own text is kept byte for byte"
    assert after.startswith("\ufeff".encode()) and after.count(b"\n") == after.count(b"\r\n") > before.count(b"\n")


def test_add_appends_to_an_inline_array_of_snippets_in_its_style(tmp_path: Path) -> None:
    spec = tmp_path / "snippets.toml"
    spec.write_text('version = 1\nsnippets = [{ name = "a", template = "single" }]\n')
    after = _added(spec).decode()
    assert "[[snippets]]" not in after and after.startswith('version = 1\nsnippets = [{ name = "a"')


@pytest.mark.parametrize(
    "pyproject,says",
    [
        ("[tool]\ndify-codenode = 3\n", "tool.dify-codenode is not a table"),
        ('tool = "x"\n', "tool is not a table"),
        ("version = 1\nsnippets = [1, 2]\n", "snippets is not an array of tables"),
    ],
)
def test_add_refuses_a_spec_it_cannot_extend_in_one_line(tmp_path: Path, pyproject: str, says: str) -> None:
    from generator.errors import UserError
    from generator.spec.edit import add_snippet

    path = tmp_path / ("snippets.toml" if pyproject.startswith("version") else "pyproject.toml")
    path.write_text(pyproject)
    with pytest.raises(UserError) as refused:
        add_snippet(path, ENTRY)
    assert says in str(refused.value) and "\n" not in str(refused.value)
    assert path.read_text() == pyproject


# --- #19.11: globs that loop end; links stay links -------------------------------------------------


def test_a_recursive_pattern_through_links_back_up_ends(tmp_path: Path) -> None:
    from generator.exports.plan import app_paths
    from generator.spec.model import Spec

    for name in ("apps/a.yml", "apps/team/b.yml", "apps/team/deep/c.yml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    for link, target in (("apps/team/up", ".."), ("apps/team/deep/top", "../.."), ("apps/team/self", ".")):
        (tmp_path / link).symlink_to(target)  # glob.glob's ** followed these until paths grew too long
    spec = Spec(source="snippets.toml", snippets=(), apps=("apps/**/*.yml",), home=tmp_path)
    found = [path.relative_to(tmp_path).as_posix() for path in app_paths(spec, ())]
    assert found == ["apps/a.yml", "apps/team/b.yml", "apps/team/deep/c.yml"]


def test_a_symlinked_app_keeps_its_link(tmp_path: Path, monkeypatch) -> None:
    real = _app(tmp_path / "exports" / "support-bot.yml")
    (tmp_path / "apps").mkdir()
    link = tmp_path / "apps" / "bot.yml"
    link.symlink_to("../exports/support-bot.yml")
    (tmp_path / "snippets.toml").write_text('apps = ["apps/*.yml"]\n' + (REPO / "snippets.toml").read_text())
    monkeypatch.chdir(tmp_path)
    before = real.read_text()
    result = invoke("sync", key=None, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and real.read_text() != before  # the target was written, the link stays


def test_add_into_a_symlinked_spec_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "specs" / "ours.toml"
    real.parent.mkdir()
    real.write_text('version = 1\n\n[[snippets]]\nname = "a"\ntemplate = "single"\n')
    link = tmp_path / "snippets.toml"
    link.symlink_to("specs/ours.toml")
    _added(link)
    assert link.is_symlink() and 'name = "b"' in real.read_text()


# --- #19.17: flags ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,says",
    [
        (["render", "single", "--route", "http-node", "--dsl", "--request-builder"], "--request-builder and --dsl"),
        (["check", "--apps", "--against-apps"], "--apps and --against-apps check different things"),
        (["check", "--staged", "--against-apps"], "--against-apps and --staged check different things"),
    ],
)
def test_conflicting_flags_are_refused_in_one_line(tmp_path: Path, monkeypatch, args: list[str], says: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(*args, monkeypatch=monkeypatch)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and says in result.stderr, result.stderr
    assert result.stdout == "" and list(tmp_path.iterdir()) == []


def test_run_reads_an_input_from_a_file_exactly(tmp_path: Path, monkeypatch) -> None:
    """The HTTP-node parse node needs the body's trailing blank lines, which `$(cat body)` strips."""
    monkeypatch.chdir(tmp_path)
    parse = invoke("render", "single", "--route", "http-node", monkeypatch=monkeypatch)
    (tmp_path / "parse.py").write_text(parse.stdout)
    events = [
        {"event": "agent_message", "task_id": "t", "message_id": "m", "conversation_id": "c", "answer": "Hi @ you"},
        {"event": "message_end", "task_id": "t", "message_id": "m", "conversation_id": "c", "metadata": {}},
    ]
    (tmp_path / "body.txt").write_text("".join(f"data: {json.dumps(e)}\n\n" for e in events))
    (tmp_path / "status.json").write_text("200")
    result = invoke(
        "run",
        "parse.py",
        "--input",
        "body=@body.txt",
        "--input-json",
        "status_code=@status.json",
        monkeypatch=monkeypatch,
    )
    assert result.exit_code == 0 and json.loads(result.stdout) == {"response_text": "Hi @ you"}, result.stderr
    stripped = invoke(
        "run",
        "parse.py",
        "--input",
        "body=" + (tmp_path / "body.txt").read_text().rstrip("\n"),
        "--input-json",
        "status_code=200",
        monkeypatch=monkeypatch,
    )
    assert stripped.exit_code == 1  # what the shell's $(cat body.txt) gives: the last event is cut
    missing = invoke("run", "parse.py", "--input", "body=@nope.txt", monkeypatch=monkeypatch)
    assert missing.exit_code == 2 and "nope.txt: no such file" in missing.stderr


def test_run_takes_a_value_starting_with_at_as_at_at(tmp_path: Path) -> None:
    from generator.cli import _input_value

    assert _input_value("@@handle", "--input") == "@handle" and _input_value("plain", "--input") == "plain"


# --- #19.18: messages ------------------------------------------------------------------------------


def test_a_yaml_error_reads_file_line_column(tmp_path: Path, monkeypatch) -> None:
    app = tmp_path / "app.yml"
    app.write_text("app:\n  name: x\nworkflow: [\n")
    result = invoke("check", "--spec", REPO / "snippets.toml", "--apps", app, monkeypatch=monkeypatch)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"dify-codenode: error: {app.as_posix()}:4:1: expected the node content")


@pytest.mark.parametrize("command", ["run", "lint"])
def test_run_and_lint_say_they_take_the_python_file(command: str, monkeypatch) -> None:
    result = invoke(command, REPO / "output" / "agent_single.yml", monkeypatch=monkeypatch)
    assert result.exit_code == 2 and "is an exported app (YAML); pass the Code node's Python file" in result.stderr


def test_messages_count_and_article_right(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "snippets.toml").write_text('version = 1\n\n[[snippets]]\nname = "a"\ntemplate = "single"\n')
    assert invoke("generate", monkeypatch=monkeypatch).exit_code == 0
    checked = invoke("check", monkeypatch=monkeypatch)
    assert "output/ is up to date (1 file)" in checked.stderr
    (tmp_path / "snippets.toml").write_text(
        'version = 1\n\n[[snippets]]\nname = "a"\ntemplate = "conversation"\napp = "agent"\ndynamic = 2.5\n'
    )
    refused = invoke("check", monkeypatch=monkeypatch)
    assert "must be a whole number, not a decimal number" in refused.stderr, refused.stderr
    (tmp_path / "snippets.toml").write_text(
        'version = 1\n\n[[snippets]]\nname = "a"\ntemplate = "conversation"\napp = "completion"\n'
    )
    assert "a completion app has no conversations" in invoke("check", monkeypatch=monkeypatch).stderr


# --- #19.5: every network call ends within its bound ------------------------------------------------


def test_an_answer_trickled_a_byte_a_second_ends_at_the_bound() -> None:
    """The clock is the test's: each read of one byte takes a second, however busy the machine is."""
    from generator.callee import api
    from generator.errors import UserError

    now = [0.0]

    class Trickle:
        reads = 0

        def read1(self, size: int) -> bytes:
            self.reads += 1
            now[0] += 1.0  # the byte arrives a second later
            return b"{"

    trickle = Trickle()
    with pytest.raises(UserError) as refused:
        api._read_within(trickle, "http://dify/v1/info", clock=lambda: now[0])
    assert f"the answer took over {api.TOTAL_SECONDS:g} s" in str(refused.value)
    assert trickle.reads == api.TOTAL_SECONDS + 1  # it gave up at the bound, not after 64 KB (113 s before)


class _HeaderTrickle:
    """A server on 127.0.0.1 (over TLS with a context) that sends its status line and headers a byte
    every 50 ms: each wait for a byte is short, the whole head takes 10 s. `finished` says whether
    it got to send all of it (the client stayed that long)."""

    HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + b"X-Pad: " + b"a" * 130 + b"\r\n"

    def __init__(self, tls: ssl.SSLContext | None) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.tls = tls
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.listener.getsockname()[1]}/v1"
        self.finished = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        connection, _ = self.listener.accept()
        try:
            if self.tls:
                connection = self.tls.wrap_socket(connection, server_side=True)
            connection.recv(65536)  # the request
            for byte in self.HEAD:
                connection.sendall(bytes([byte]))
                time.sleep(0.05)
            connection.sendall(b"Content-Length: 2\r\n\r\n{}")
            self.finished = True
        except OSError:
            pass  # the client hung up: what the test wants
        finally:
            connection.close()
            self.listener.close()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_headers_trickled_a_byte_at_a_time_end_at_the_total_bound(scheme: str, monkeypatch) -> None:
    """#19.5: http.client bounds each wait, not the head; the request's deadline ends the connection."""
    from support.tls import ca_file, server_context

    from generator.callee import api
    from generator.errors import UserError

    monkeypatch.setattr(api, "TOTAL_SECONDS", 0.5)  # the head takes 10 s: only a total bound stops it
    monkeypatch.setenv("SSL_CERT_FILE", ca_file())  # urllib's default context, trusting the test CA
    server = _HeaderTrickle(server_context() if scheme == "https" else None)
    with pytest.raises(UserError) as refused:
        api.describe_app(server.url, "app-trickledHead0001")
    server.thread.join(timeout=30)
    assert str(refused.value) == f"{server.url}/info: the answer took over 0.5 s; check the base URL and your network"
    assert not server.finished  # the client gave up long before the head was sent


def test_render_takes_a_typed_input_as_json(monkeypatch) -> None:
    """#19.17: every option has a flag, typed inputs too: KEY={...} is the spec's inline table."""
    import generator

    table = {"param": "language", "type": "select", "options": ["en", "de"], "required": False}
    result = invoke(
        "render", "variables", "--app", "workflow", "--input", "lang=" + json.dumps(table), monkeypatch=monkeypatch
    )
    assert result.exit_code == 0, result.stderr
    from_spec = generator.render(
        {"name": "variables", "template": "variables", "app": "workflow", "inputs": {"lang": table}}
    )
    assert result.stdout.split("\ndef main(", 1)[1] == from_spec.split("\ndef main(", 1)[1]
    assert '_select("language", language, ("en", "de"))' in result.stdout
    bad = invoke("render", "variables", "--input", "lang={bad", monkeypatch=monkeypatch)
    assert bad.exit_code == 2 and "must be a JSON object" in bad.stderr and bad.stderr.count("\n") == 1


# --- #19.16: self-hosted set-up -------------------------------------------------------------------


def test_add_takes_both_addresses_and_run_reaches_the_api_as_the_host_does(project: Path, dify, monkeypatch) -> None:
    """Self-hosted: the sandbox calls http://api:5001/v1, this machine the emulator. `add` reads the
    app at --base-url and writes it as verify_base_url, the sandbox's address as base_url; `run`
    then tries the generated node from here without --base-url."""
    from support.code_node import sandbox_python
    from support.snippets import add_app

    callee = add_app(dify, "agent", answer="Self-hosted ✓")
    added = invoke(
        "add", "helper", "--template", "single", "--base-url", dify.base_url,
        "--sandbox-base-url", "http://api:5001/v1", key=callee.key, monkeypatch=monkeypatch,
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    spec = (project / "snippets.toml").read_text()
    assert 'base_url = "http://api:5001/v1"' in spec and f'verify_base_url = "{dify.base_url}"' in spec
    assert f"verify_base_url = {dify.base_url} (where add read the app" in added.stderr
    assert invoke("generate", monkeypatch=monkeypatch).exit_code == 0
    assert "http://api:5001/v1" in (project / "output" / "helper.py").read_text()
    ran = invoke(
        "run", "output/helper.py", "--input", f"api_key={callee.key}", "--input", "query=hi",
        "--input", "user=me", "--python", sandbox_python(), monkeypatch=monkeypatch,
    )  # fmt: skip
    assert ran.exit_code == 0 and "Self-hosted ✓" in ran.stdout, ran.stderr
    assert f"note: calls {dify.base_url}, the spec's verify_base_url for snippet helper" in ran.stderr
    assert invoke("check", "--against-apps", key=callee.key, monkeypatch=monkeypatch).exit_code == 0


def test_add_with_a_loopback_base_url_says_what_the_sandbox_sees(project: Path, dify, monkeypatch) -> None:
    from support.snippets import add_app

    callee = add_app(dify, "chat")
    local = dify.base_url.replace("127.0.0.1", "localhost")
    added = invoke("add", "h", "--template", "single", "--base-url", local, key=callee.key, monkeypatch=monkeypatch)
    assert added.exit_code == 0, added.stderr
    assert "that host is the sandbox itself; run add again with --sandbox-base-url" in added.stderr
    assert "verify_base_url" not in (project / "snippets.toml").read_text()
