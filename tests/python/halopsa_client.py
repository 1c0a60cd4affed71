"""Runs the `halopsa` PyPI client (the version pinned in requirements.txt) against a running
halo-connect sandbox, unchanged: only its host is redirected.

The package builds https://<tenant>.halopsa.com itself and takes no address, so every requests
session it opens gets a transport adapter that sends https://sandbox.halopsa.com/... to the sandbox's
loopback address. Usage: halopsa_client.py BASE_URL CLIENT_ID, with the Client Secret on stdin.
Prints one line per call and exits non-zero on the first wrong answer.
"""

import sys
from importlib.metadata import version

import requests
from requests.adapters import HTTPAdapter

BASE, CLIENT_ID = sys.argv[1], sys.argv[2]
SECRET = sys.stdin.readline().strip()
TENANT = "sandbox"
HALO_HOST = f"https://{TENANT}.halopsa.com"


class Loopback(HTTPAdapter):
    """Sends the package's requests for its Halo host to the sandbox."""

    def send(self, request, **kwargs):
        request.url = BASE + request.url[len(HALO_HOST):]
        return super().send(request, **kwargs)


_session_init = requests.Session.__init__


def _init(self, *args, **kwargs):
    _session_init(self, *args, **kwargs)
    self.mount(HALO_HOST + "/", Loopback())


requests.Session.__init__ = _init

from HaloPSA import Halo  # noqa: E402  (imported after the session is redirected)

calls = 0


def check(name, ok, detail=""):
    global calls
    calls += 1
    print(f"{'ok' if ok else 'FAIL'} {name} {detail}".rstrip(), flush=True)
    if not ok:
        sys.exit(1)


def ids(rows):
    return [r["id"] for r in rows]


print(f"halopsa {version('halopsa')}")
halo = Halo(tenant=TENANT, clientid=CLIENT_ID, secret=SECRET)
token = halo._mh.token
check("token", token.startswith("eyJ") and token.count(".") == 2, "JWT-shaped")

first = halo.Clients.search(count=5)
check("Clients.search(count=5)", len(first["clients"]) == 5 and first["record_count"] == 5)
page = halo.Clients.search(pageinate=True, page_size=5, page_no=2)
check(
    "Clients.search(page 2)",
    ids(page["clients"]) == [6, 7, 8, 9, 10] and page["record_count"] == 12,
    str(ids(page["clients"])),
)
check("Clients.get_all()", len(halo.Clients.get_all()) == 12)
check("Clients.get(3)", halo.Clients.get(3)["name"] == "Sandbox Client 3")
sites = halo.Sites.search(client_id=2)
check("Sites.search(client_id=2)", [s["client_id"] for s in sites["sites"]] == [2])
check("Sites.get(1)", halo.Sites.get(1)["id"] == 1)
check("Users.get_all()", len(halo.Users.get_all()) == 12)
check("Users.get(4)", halo.Users.get(4)["emailaddress"] == "user4@sandbox.example")
agents = halo.Agents.search()
check("Agents.search()", 12 in ids(agents), str(ids(agents)))
check("Agents.get(12)", halo.Agents.get(12)["name"] == "API Sandbox")
check("Status.search()", len(halo.Status.search()) > 0)
tickets = halo.Tickets.search(count=3)
check("Tickets.search(count=3)", len(tickets["tickets"]) == 3)
check("Tickets.get(2)", halo.Tickets.get(2)["summary"] == "Sandbox ticket 2")
check("Assets.search()", len(halo.Assets.search()["assets"]) > 0)
check("Items.search()", len(halo.Items.search()["items"]) > 0)
check("Invoices.search()", len(halo.Invoices.search()["invoices"]) > 0)
check("RecurringInvoices.get_all()", len(halo.RecurringInvoices.get_all()) > 0)
check("Contracts.search()", len(halo.Contracts.search()["contracts"]) > 0)
check("Suppliers.search()", len(halo.Suppliers.search()["suppliers"]) > 0)
check("Teams.search()", len(halo.Teams.search()) > 0)
check("KnowledgeBase.search()", len(halo.KnowledgeBase.search()["articles"]) > 0)
check("Quotes.search()", len(halo.Quotes.search()["quotes"]) > 0)
check("Projects.search()", len(halo.Projects.search()["tickets"]) > 0)
check("Opportunities.search()", len(halo.Opportunities.search()["tickets"]) > 0)
check("Reports.search()", len(halo.Reports.search()["reports"]) > 0)
check("Appointments.search()", len(halo.Appointments.search()["appointments"]) > 0)
check("SoftwareLicences.search()", len(halo.SoftwareLicences.search()["licences"]) > 0)
check("SalesOrder.search()", len(halo.SalesOrder.search()["salesorders"]) > 0)
try:
    halo.Clients.get(999)
    check("Clients.get(999) is refused", False)
except Exception as e:  # the package raises a bare Exception on 404
    check("Clients.get(999) is refused", "404" in str(e))

print(f"{calls} calls passed")
