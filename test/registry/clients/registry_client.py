import requests
import json
from typing import Dict, Any, Optional

class MCPRegistryClient:
    def __init__(self, base_url: str, access_token: str):
        self.base_url = base_url
        self.headers = {
            "Authorization": f"Bearer {access_token}",
            "Content-Type": "application/json"
        }

    def list_servers(self, limit: int = 100, cursor: Optional[str] = None) -> Dict[str, Any]:
        """List all available MCP servers."""
        params = {"limit": limit}
        if cursor:
            params["cursor"] = cursor

        response = requests.get(
            f"{self.base_url}/v0.1/servers",
            headers=self.headers,
            params=params
        )
        response.raise_for_status()
        return response.json()

    def get_server_versions(self, server_name: str) -> Dict[str, Any]:
        """Get all versions for a specific server."""
        encoded_name = server_name.replace("/", "%2F")
        response = requests.get(
            f"{self.base_url}/v0.1/servers/{encoded_name}/versions",
            headers=self.headers
        )
        response.raise_for_status()
        return response.json()

    def get_server_details(self, server_name: str, version: str = "latest") -> Dict[str, Any]:
        """Get detailed information about a server version."""
        encoded_name = server_name.replace("/", "%2F")
        response = requests.get(
            f"{self.base_url}/v0.1/servers/{encoded_name}/versions/{version}",
            headers=self.headers
        )
        response.raise_for_status()
        return response.json()

# Usage example
def main():
    # Load token from file
    with open('/path/to/your/token-file.json', 'r') as f:
        token_data = json.load(f)

    access_token = token_data["tokens"]["access_token"]

    # Create client
    client = MCPRegistryClient("http://localhost", access_token)

    # List servers
    servers = client.list_servers(limit=10)
    print(f"Found {len(servers['servers'])} servers")

    # Get details for a specific server
    if servers["servers"]:
        server_name = servers["servers"][0]["name"]
        details = client.get_server_details(server_name)
        print(f"Server details: {json.dumps(details, indent=2)}")

if __name__ == "__main__":
    main()
