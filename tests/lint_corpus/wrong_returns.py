# lint-outputs: response_text, status
# lint-expect: DCN010 DCN011 DCN011
def helper():
    return 1

def main(query: str) -> dict:
    if not query:
        return dict(response_text="", status="empty")
    if query == "x":
        return {"response_text": query, "status": "ok", "debug": True}
    return {"response_text": query}
