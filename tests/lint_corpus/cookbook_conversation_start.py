# lint-outputs: response_text, conversation_id
# lint-expect: DCN014
import httpx
import json

def main(api_key: str, query: str, user: str) -> dict:

    url = "https://api.dify.ai/v1/chat-messages"
    headers = {
        "Authorization": f"Bearer {api_key}",
        "Content-Type": "application/json",
        "Accept": "text/event-stream",
    }
    data = {
        "inputs": {}, # or `inputs` with `inputs: dict`
        "query": query,
        "response_mode": "streaming",
        "conversation_id": "",
        "user": user,
        "files": [],
    }

    full_response = ""
    conversation_id = ""
    metadata = ""

    with httpx.Client() as client:
        with client.stream("POST", url, json=data, headers=headers) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    try:
                        event_data = json.loads(line[6:])
                        # print(event_data)
                        if (
                            event_data["event"] == "agent_message"
                            or event_data["event"] == "message"
                        ):
                            full_response += event_data.get("answer", "")
                        elif event_data["event"] == "message_end":
                            conversation_id = event_data.get(
                                "conversation_id", "")
                            metadata = event_data
                    except json.JSONDecodeError:
                        pass
                    except KeyError:
                        pass

    return {
        "response_text": full_response,
        "conversation_id": conversation_id,
    }
