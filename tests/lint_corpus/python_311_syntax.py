# lint-outputs: response_text
# lint-expect: DCN001
def main(query: str) -> dict:
    try:
        pass
    except* ValueError:
        pass
    return {"response_text": query}
