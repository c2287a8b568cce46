# lint-outputs: response_text
# lint-expect: DCN005 DCN005 DCN005
import os
from pathlib import Path

def main(query: str) -> dict:
    with open("/tmp/log.txt", "a") as handle:
        handle.write(query)
    Path("/tmp/x").write_text(query)
    os.makedirs("/tmp/y", exist_ok=True)
    with open("/etc/hosts") as handle:
        hosts = handle.read()
    return {"response_text": hosts}
