# lint-outputs: response_text, conversation_id
# lint-expect: 
import json

import httpx


def main(api_key: str, query: str, conversation_id: str) -> dict:
    with httpx.Client(timeout=httpx.Timeout(12.0)) as client:
        answer = client.post("https://api.dify.ai/v1/chat-messages", json={"query": query}).json()
    return {"response_text": json.dumps(answer), "conversation_id": conversation_id}
