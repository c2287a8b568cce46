# lint-outputs: result
# lint-expect: DCN015 DCN015 DCN015 DCN015 DCN015 DCN015
import codecs
import datetime
import imp
import re
from datetime import datetime as moment


def main(text: str) -> dict:
    stamp = datetime.datetime.utcnow().isoformat() + moment.utcfromtimestamp(0).isoformat()
    codecs.open("/etc/hostname").close()
    parts = re.split(",", text, 2)
    fixed = re.sub("a", "b", text, 1) + re.sub("a", "b", text, count=1)
    return {"result": stamp + fixed + str(parts) + str(imp)}
