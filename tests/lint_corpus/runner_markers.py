# lint-outputs: response_text
# lint-expect: DCN007 DCN008
def main(query: str) -> dict:
    template = "Use {{inputs}} here"
    print("<<RESULT>>")
    return {"response_text": template}
