# lint-outputs: response_text
# lint-expect: DCN006 DCN006 DCN006
import logging
import sys
import warnings

def main(query: str) -> dict:
    warnings.warn("careful")
    print("debug", file=sys.stderr)
    print("fine on stdout")
    return {"response_text": query}
