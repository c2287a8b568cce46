# lint-outputs: response_text
# lint-expect: DCN013
result = {"cached": "yes"}

def main(query: str) -> dict:
    return {"response_text": result["cached"]}
