# Drives MCPRegistryClient (registry_client.py, copied verbatim from registry-v0.1-api.md)
# against a running server: argv = token file (the document's format), base URL.
# Prints what each method returned, as one JSON object, for the test to check.
import json
import os
import sys

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registry_client import MCPRegistryClient  # noqa: E402

token_file, base_url = sys.argv[1], sys.argv[2]
with open(token_file, "r") as f:
    token_data = json.load(f)
client = MCPRegistryClient(base_url, token_data["tokens"]["access_token"])

pages = []
cursor = None
while True:
    page = client.list_servers(limit=2, cursor=cursor)
    pages.append(page)
    cursor = page.get("metadata", {}).get("nextCursor")
    if not cursor:
        break

first = pages[0]["servers"][0]["server"]
out = {
    "pages": pages,
    "first_page_default_limit": client.list_servers(),
    "versions": client.get_server_versions(first["name"]),
    "latest": client.get_server_details(first["name"]),
    "exact": client.get_server_details(first["name"], first["version"]),
}
try:
    client.get_server_details("io.mcpgateway/nowhere")
    out["missing"] = "no error"
except requests.HTTPError as e:
    out["missing"] = e.response.status_code
print(json.dumps(out))
