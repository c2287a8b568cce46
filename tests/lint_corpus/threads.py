# lint-outputs: response_text
# lint-expect: DCN004
import threading

def main(query: str) -> dict:
    worker = threading.Thread(target=print)
    worker.start()
    return {"response_text": query}
