"""Twilio's Python SDK (twilio-python) against the emulator.

The SDK has no base-URL option, but it takes any HTTP client: this one sends what the
SDK addresses to https://video.twilio.com to the emulator instead.

    npx twilio-video-emulator --port 4010        # in another terminal
    VIDEO_BASE_URL=http://127.0.0.1:4010 python3 twilio_python.py

To validate and record the traffic, put the conformance proxy in front of the emulator and
set VIDEO_PROXY_URL: the SDK then goes through the proxy (page URLs in its answers point
back at it), while the emulator's control API is still reached at VIDEO_BASE_URL.

    npx twilio-video-conformance proxy --upstream http://127.0.0.1:4010 --port 4011 --out traffic.ndjson --strict
    VIDEO_BASE_URL=http://127.0.0.1:4010 VIDEO_PROXY_URL=http://127.0.0.1:4011 python3 twilio_python.py
"""
import json
import os
import urllib.request

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

TWILIO_VIDEO = "https://video.twilio.com"


class EmulatorHttpClient(TwilioHttpClient):
    def __init__(self, base_url, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_VIDEO + "/"):
            url = self.base_url + url[len(TWILIO_VIDEO):]
        return super().request(method, url, *args, **kwargs)


base_url = os.environ.get("VIDEO_BASE_URL", "http://127.0.0.1:4010")
# Where the SDK's requests go: the emulator, or a proxy in front of it.
api_url = os.environ.get("VIDEO_PROXY_URL") or base_url
# The control API is the emulator's own, so it is not proxied.
control_url = os.environ.get("EMULATOR_CONTROL_URL", base_url + "/_emulator")

# The emulator's default credentials (printed when it starts).
client = Client(
    os.environ.get("TWILIO_API_KEY", "SK00000000000000000000000000e0e0e0"),
    os.environ.get("TWILIO_API_SECRET", "emulator-api-key-secret"),
    account_sid=os.environ.get("TWILIO_ACCOUNT_SID", "AC00000000000000000000000000e0e0e0"),
    http_client=EmulatorHttpClient(api_url),
)


def join(room, identity):
    """What a client SDK does with an access token, through the emulator's control API."""
    request = urllib.request.Request(
        "%s/rooms/%s/participants" % (control_url, room), data=json.dumps({"identity": identity}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


room = client.video.v1.rooms.create(unique_name="standup", type="group")
join("standup", "alice")
connected = client.video.v1.rooms(room.sid).participants.list(status="connected")
room = client.video.v1.rooms(room.sid).update(status="completed")
print("room %s %s, participants: %s" % (room.unique_name, room.status, ", ".join(p.identity for p in connected)))
