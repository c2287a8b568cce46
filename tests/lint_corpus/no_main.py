# lint-outputs: response_text
# lint-expect: DCN002
def handler(query: str) -> dict:
    return {"response_text": query}
