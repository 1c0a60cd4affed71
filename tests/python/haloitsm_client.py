"""Runs the `haloitsm-python` package (the version pinned in requirements.txt) against a running
halo-connect sandbox, unchanged: it takes the Halo address itself, so it is given the `base_url`
that `halo-connect handoff --for haloitsm-python` says to type.

Usage: haloitsm_client.py BASE_URL CLIENT_ID, with the Client Secret on stdin. Prints one line per
call and exits non-zero on the first wrong answer.
"""

import sys
from importlib.metadata import version

from halo import HaloClient

BASE, CLIENT_ID = sys.argv[1], sys.argv[2]
SECRET = sys.stdin.readline().strip()


def check(name, ok, detail=""):
    print(f"{'ok' if ok else 'FAIL'} {name} {detail}".rstrip(), flush=True)
    if not ok:
        sys.exit(1)


print(f"haloitsm-python {version('haloitsm-python')}")
client = HaloClient(base_url=BASE, client_id=CLIENT_ID, client_secret=SECRET)
token = client.auth.get_token()
check("token", token.startswith("eyJ") and token.count(".") == 2, "JWT-shaped")
tickets = client.tickets.list()
check("tickets.list()", len(tickets) > 0, str(len(tickets)))
clients = client.clients.list()
check("clients.list()", len(clients) == 12, str(len(clients)))
check("clients.get(3)", client.clients.get(3).name == "Sandbox Client 3")
