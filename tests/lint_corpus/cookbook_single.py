# lint-outputs: response_text
# lint-expect: DCN001
"""
def main(api_key: str, query: str, user: str) -> dict:
    import httpx
    import json

    url = "https://api.dify.ai/v1/chat-messages"
    headers = {
        "Authorization": f"Bearer {api_key}",
        "Content-Type": "application/json",
        "Accept": "text/event-stream"
    }
    data = {
        "inputs": {},
        "query": query,
        "response_mode": "streaming",
        "conversation_id": "",
        "user": f"workflow-{user}",
        "files": []
    }

    full_response = ""
    conversation_id = ""
    usage = {}

    with httpx.Client() as client:
        with client.stream("POST", url, json=data, headers=headers) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    try:
                        event_data = json.loads(line[6:])
                        # print(event_data)
                        if event_data['event'] == 'agent_message':
                            full_response += event_data.get('answer', '')
                        elif event_data['event'] == 'message_end':
                            conversation_id = event_data.get('conversation_id', '')
                            usage = event_data.get('metadata', {}).get('usage', {})
                    except json.JSONDecodeError:
                        pass
                    except KeyError:
                        pass

    return {
        "response_text": full_response,
    }
