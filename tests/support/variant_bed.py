"""One generated variant under test: its files, runs of it against the Dify emulator (traced), and judgements of them.

A run goes the way the variant's route goes in Dify: on the code route the Code node calls the
emulator itself; on the HTTP-node route the request-body node runs, its body is POSTed to the
emulator as Dify's HTTP Request node would (buffered whole), and the parse node reads it.
Every run records which lines of the generated files ran, for the coverage check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from test_http_route import buffered

from generator.emulator.apps import App
from generator.emulator.forms import Variable
from generator.emulator.server import CONVERSATION_PREFIX, DifyEmulator
from generator.rendering.pipeline import snippet_files
from generator.rendering.variant import Variant, variant_of
from support.code_node import NodeRun, declared_outputs, run_code_node
from support.input_samples import sample_value
from support.option_space import options_of, snippet
from support.snippets import add_app, parameters
from support.tls import trusting_env

# Options held fixed for every variant: a short budget keeps timeouts cheap, a small limit keeps
# oversize answers cheap; both are data, not choices, so they change no code path.
FIXED = {"time_budget": 3.0, "max_answer_chars": 1000}
MODES = {"agent": "agent", "chat": "chat", "chatflow": "chatflow", "completion": "completion", "workflow": "workflow"}
ANSWER = 'Hello 世界! «quotes» "and" \\backslashes\\ \n {{inputs}} <<RESULT>>'
# Values of every Dify type, for a workflow's typed outputs.
SAMPLES = {
    "string": "text ✓",
    "number": 2.5,
    "boolean": True,
    "object": {"k": "v"},
    "array[string]": ["a", "b"],
    "array[number]": [1, 2.5],
    "array[object]": [{"a": 1}],
    "array[boolean]": [True, False],
}
EMPTIES = {"string": "", "number": 0, "boolean": False, "object": {}}


@dataclass
class VariantBed:
    """`bed = VariantBed(dify, row)`; scenarios call bed.app(), bed.run(), bed.succeeds(), bed.fails()."""

    dify: DifyEmulator
    row: dict
    lines: dict[str, set[int]] = field(default_factory=lambda: {"code": set(), "builder": set()})
    runs: int = 0

    def __post_init__(self) -> None:
        self.options = {**options_of(self.row), **FIXED}
        self.snippet = snippet(**self.options)
        self.variant: Variant = variant_of(self.snippet)
        files = snippet_files([self.snippet], "the option space")
        self.code = files[f"{self.snippet.name}.py"]
        self.builder = files.get(f"{self.snippet.name}_request.py")
        self.outputs = declared_outputs(self.code)
        self.typed = dict(self.snippet.workflow_outputs)
        # Parsed once here: scenarios run in threads, and CPython 3.11's ast.parse isn't thread-safe.
        self.parameters = parameters(self.builder or self.code)

    @property
    def route(self) -> str:
        return self.snippet.route

    @property
    def https(self) -> bool:
        return self.variant.https

    def input_value(self, entry) -> object:  # entry: generator.spec.load.Input
        """The value a run gives the parameter of a spec input: valid for its type."""
        return sample_value(entry)

    def form(self) -> list[Variable] | None:
        """A form for the called app that checks what the variant sends (typed variants only)."""
        if not self.variant.input_checks:
            return None
        form = [
            Variable(
                entry.key,
                entry.type or "text-input",
                required=entry.required,
                options=list(entry.options),
                max_length=entry.max_length or None,
            )
            for entry in self.snippet.inputs
        ]
        if self.snippet.query_input:
            form.append(Variable(self.snippet.query_input, "paragraph"))
        return form

    def app(self, mode: str | None = None, **fields: object) -> App:
        """A callee of the variant's app kind (or `mode`) in the emulator."""
        if self.typed and "outputs" not in fields:
            fields["outputs"] = {name: SAMPLES[kind] for name, kind in self.typed.items()}
        if "form" not in fields and "required_inputs" not in fields:
            fields["form"] = self.form()
        fields.setdefault("answer", ANSWER)
        return add_app(self.dify, mode or MODES[self.snippet.app], **fields)

    def run(
        self,
        app: App,
        *,
        key: str | None = None,
        conversation_id: str = "",
        user: str = "user-1",
        base: str | None = None,
        env: dict[str, str] | None = None,
        trust: bool = True,
        cut_at: int | None = None,
        path: str | None = None,
        inputs: dict | None = None,
        time_budget: float | None = None,
    ) -> NodeRun:
        """Run the variant once as Dify would, against `app` (or the API at `base`, code route);
        `inputs` replace the parameters' usual values."""
        self.runs += 1
        values = {name: f"value of {name}" for name in self.parameters}
        values.update({entry.param: self.input_value(entry) for entry in self.snippet.inputs})
        base_values = {
            "query": "What is up?",
            "user": user,
            "api_key": key if key is not None else app.key,
            "files": [],
        }
        values.update({name: value for name, value in base_values.items() if name in values or name == "api_key"})
        values.update(inputs or {})
        if "conversation_id" in values:
            values["conversation_id"] = conversation_id
        if self.route == "http-node":
            return self._run_http_route(app, values, cut_at, path)
        code = self.code.replace(
            self.snippet.base_url, base or (self.dify.tls_base_url if self.https else self.dify.base_url)
        )
        if time_budget is not None:  # the same code with another budget (FIXED's is short)
            code = code.replace(
                f"_TIME_BUDGET_SECONDS = {FIXED['time_budget']}\n", f"_TIME_BUDGET_SECONDS = {time_budget}\n"
            )
            assert f"_TIME_BUDGET_SECONDS = {time_budget}\n" in code
        run_env = dict(trusting_env() if self.https and trust else {}, **(env or {}))
        run = run_code_node(code, values, self.outputs, env=run_env, timeout=15, trace_lines=True)
        self.lines["code"] |= run.lines
        return run

    def _run_http_route(self, app: App, values: dict, cut_at: int | None, path: str | None) -> NodeRun:
        built = run_code_node(
            self.builder, {k: v for k, v in values.items() if k != "api_key"}, {"body": "string"}, trace_lines=True
        )
        self.lines["builder"] |= built.lines
        if not built.ok:  # the request-body node failed (a typed input refused): the route stops there
            return built
        route = path or self.variant.endpoint
        status, text = buffered(self.dify, values["api_key"], route, json.loads(built.outputs["body"]))
        if cut_at is not None:  # HTTP_REQUEST_NODE_MAX_TEXT_SIZE cuts the text the node keeps
            text = text.encode("utf-8")[:cut_at].decode("utf-8", "ignore")
        inputs = {"body": text, "status_code": status}
        if self.variant.conversation:
            inputs["conversation_id"] = values["conversation_id"]
        run = run_code_node(self.code, inputs, self.outputs, trace_lines=True)
        self.lines["code"] |= run.lines
        return run

    # --- judgements -------------------------------------------------------------------------

    def succeeds(self, run: NodeRun, answer: str | None = ANSWER, status: str = "succeeded") -> dict:
        """The run worked: every declared output present and right for a successful call (a
        timeout's partial answer has no usage and maybe no ids yet)."""
        assert "Traceback" not in run.stderr, f"{self.row}: {run.stderr[-2000:]}"
        assert run.ok, f"{self.row}: {run.error}"
        outputs = run.outputs
        if "response_text" in outputs and answer is not None:
            assert outputs["response_text"] == answer, (outputs["response_text"][:200], answer[:200])
        if "error" in outputs:
            assert outputs["error"] == ""
        if "status" in outputs and status is not None:
            assert outputs["status"] == status
        if status == "timeout":
            return outputs
        if "conversation_id" in outputs:
            assert outputs["conversation_id"].startswith(CONVERSATION_PREFIX)
        if "message_id" in outputs:
            assert outputs["message_id"].startswith("msg-")
        if "usage" in outputs:
            assert isinstance(outputs["usage"], dict) and outputs["usage"]
        return outputs

    def fails(self, run: NodeRun, fragment: str, conversation_id: str = "") -> str:
        """The call failed with one line holding `fragment`, by the variant's error strategy."""
        assert "Traceback" not in run.stderr, f"{self.row}: {run.stderr[-2000:]}"
        if self.snippet.errors == "raise":
            assert not run.ok, f"{self.row}: expected a failure with {fragment!r}, got {run.outputs}"
            assert run.error.count("\n") == 1 and run.error.endswith("\n"), run.error
            message = run.error.rstrip("\n")
        else:
            assert run.ok, f"{self.row}: {run.error}"
            message = run.outputs["error"]
            assert message and "\n" not in message
            for name, kind in self.outputs.items():
                if name == "status":
                    assert run.outputs[name] == "failed"
                elif name == "conversation_id":
                    assert run.outputs[name] == conversation_id
                elif name != "error":
                    assert run.outputs[name] == EMPTIES.get(kind, []), (name, run.outputs[name])
        assert fragment in message, f"{self.row}: {fragment!r} not in {message!r}"
        return message

    def uncovered(self, which: str = "code") -> dict[int, str]:
        """Statements of a generated file that no run executed: {line: text}."""
        from coverage.parser import PythonParser

        source = self.code if which == "code" else self.builder
        parser = PythonParser(text=source)
        parser.parse_source()
        ran = parser.first_lines(self.lines[which])
        text = source.splitlines()
        functions = [
            (n, line[4:].split("(")[0]) for n, line in enumerate(text, 1) if line.startswith(("def ", "    def "))
        ]
        return {
            line: f"{text[line - 1].strip()}  (in "
            f"{max((f for f in functions if f[0] <= line), default=(0, 'module'))[1]})"
            for line in sorted(parser.statements - ran)
        }

    def statement_count(self, which: str = "code") -> int:
        from coverage.parser import PythonParser

        parser = PythonParser(text=self.code if which == "code" else self.builder)
        parser.parse_source()
        return len(parser.statements)
