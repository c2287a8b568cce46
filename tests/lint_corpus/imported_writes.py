# lint-outputs: response_text
# lint-expect: DCN004 DCN004 DCN005 DCN005 DCN005 DCN005 DCN005
from os import makedirs, system
from shutil import rmtree as wipe
import os as operating_system


def main(query: str) -> dict:
    makedirs("/tmp/out")
    wipe("/tmp/out")
    system("true")
    operating_system.remove("/tmp/x")
    return {"response_text": query}
