# lint-outputs: response_text
# lint-expect: DCN001
# ast.parse accepts this; compile() (and so Dify's sandbox) refuses it.
def main(query: str, __debug__: str) -> dict:
    return {"response_text": query}
