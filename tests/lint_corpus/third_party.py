# lint-outputs: response_text
# lint-expect: DCN003 DCN003
import numpy as np
from pandas import DataFrame
import requests
import jinja2

def main(query: str) -> dict:
    return {"response_text": str(np.zeros(1))}
