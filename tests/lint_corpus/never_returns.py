# lint-outputs: response_text
# lint-expect: DCN012
def main(query: str) -> dict:
    def inner():
        return {"response_text": query}

    inner()
