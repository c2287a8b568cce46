"""A loopback server that streams N agent_message events as fast as it can, framed like Dify.

POST /n/<events>/<chars>/v1/chat-messages streams <events> agent_message events of <chars>
characters each (ASCII and CJK mixed, a third CJK), each event in its own HTTP chunk as Dify sends them,
then message_end; POST /b/<events>/<chars>/v1/chat-messages sends the same bytes in 16 KiB
chunks, as a buffering proxy would. Run it in its own process: `python sse_server.py` prints
its port.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# 24 characters, 8 of them CJK: a third, as issue #20 specifies the answer. Every 7th start over a cycle of
# 24 visits each start once (7 and 24 share no factor), so the whole answer is a third CJK too.
# (Until 2026-12-03 this was 26 characters with 7 CJK, 27 %: a smaller UTF-8 size for the same str.)
PIECES = "Hi, 世界! 数据流 test 答案好 ok "


def piece(index: int, chars: int) -> str:
    start = (index * 7) % len(PIECES)
    return (PIECES * 3)[start : start + chars]


def answer_text(events: int, chars: int) -> str:
    return "".join(piece(i, chars) for i in range(events))


@lru_cache(maxsize=8)
def stream_chunks(events: int, chars: int, buffered: bool = False) -> tuple[bytes, ...]:
    common = {"conversation_id": "conv-1", "message_id": "msg-1", "task_id": "task-1", "created_at": 1700000000}
    chunks = []
    for i in range(events):
        payload = {"event": "agent_message", "answer": piece(i, chars), "id": "msg-1", **common}
        chunks.append(("data: " + json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n\n").encode())
    end = {"event": "message_end", "metadata": {"usage": {"total_tokens": 1}}, **common}
    chunks.append(("data: " + json.dumps(end, separators=(",", ":")) + "\n\n").encode())
    if buffered:
        whole = b"".join(chunks)
        chunks = [whole[i : i + 16384] for i in range(0, len(whole), 16384)]
    return tuple(f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in chunks) + (b"0\r\n\r\n",)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = self.path.split("/")
        events, chars = int(parts[2]), int(parts[3])
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in stream_chunks(events, chars, parts[1] == "b"):
            self.wfile.write(chunk)
        self.wfile.flush()


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients closing keep-alive connections are not news


if __name__ == "__main__":
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    sys.stdout.close()
    server.serve_forever()
