"""Every Video v1 operation of Twilio's Python SDK (twilio-python) against a base URL.

Run with the Debian interpreter that has the SDK: /usr/bin/python3 video_ops.py
Environment: VIDEO_BASE_URL (the emulator, or a proxy in front of it), EMULATOR_CONTROL_URL
(the emulator's /_emulator control API), TWILIO_ACCOUNT_SID, TWILIO_API_KEY, TWILIO_API_SECRET.
Prints one JSON line per operation and then `twilio-python: N/M operations passed`.
"""
import json
import os
import sys
import traceback
import urllib.request

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

TWILIO_VIDEO = "https://video.twilio.com"


class BaseUrlHttpClient(TwilioHttpClient):
    """Sends what the SDK addresses to https://video.twilio.com to another base URL instead."""

    def __init__(self, base_url, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_VIDEO + "/"):
            url = self.base_url + url[len(TWILIO_VIDEO):]
        elif not url.startswith(self.base_url + "/") and not url.startswith("http://127.0.0.1:"):
            raise RuntimeError("refusing to leave loopback: " + url)
        return super().request(method, url, *args, **kwargs)


BASE = os.environ["VIDEO_BASE_URL"]
CONTROL = os.environ["EMULATOR_CONTROL_URL"].rstrip("/")
client = Client(
    os.environ["TWILIO_API_KEY"],
    os.environ["TWILIO_API_SECRET"],
    account_sid=os.environ["TWILIO_ACCOUNT_SID"],
    http_client=BaseUrlHttpClient(BASE),
)
video = client.video.v1

results = []


def op(name, fn):
    try:
        value = fn()
        results.append(True)
        print(json.dumps({"op": name, "ok": True}), flush=True)
        return value
    except Exception as error:  # noqa: BLE001 - every failure is reported, the run goes on
        results.append(False)
        print(json.dumps({"op": name, "ok": False, "error": repr(error), "trace": traceback.format_exc(limit=3)}), flush=True)
        return None


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def control(path, body=None):
    request = urllib.request.Request(CONTROL + path, data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def walk(first_page):
    """All items of a list, page by page; checks it really took more than one page."""
    items, pages, page = [], 0, first_page
    while page is not None:
        pages += 1
        items.extend(list(page))
        page = page.next_page()
    check(pages >= 2, "expected at least 2 pages, got %d" % pages)
    return items


def media(path):
    """A media subresource through the SDK's own request path: a redirect to the storage host."""
    response = client.request("GET", TWILIO_VIDEO + path)
    check(response.status_code == 302, "status %d" % response.status_code)
    # requests' CaseInsensitiveDict
    location = response.headers["Location"] if response.headers else None
    check(location and location.startswith("http"), "no Location")
    with urllib.request.urlopen(location) as download:
        check(len(download.read()) > 0, "empty media")


# Settings
op("composition settings fetch", lambda: check(video.composition_settings().fetch().account_sid == os.environ["TWILIO_ACCOUNT_SID"], "account"))
op("composition settings create", lambda: check(video.composition_settings().create(friendly_name="archive", encryption_enabled=False).friendly_name == "archive", "name"))
op("recording settings fetch", lambda: check(video.recording_settings().fetch().account_sid == os.environ["TWILIO_ACCOUNT_SID"], "account"))
op("recording settings create", lambda: check(video.recording_settings().create(friendly_name="rec").friendly_name == "rec", "name"))

# Composition hooks
hooks = [op("composition hook create", lambda i=i: video.composition_hooks.create(
    friendly_name="hook-%d" % i, audio_sources=["*"], video_layout={"grid": {"video_sources": ["*"]}}, format="mp4")) for i in range(3)]
hook = hooks[0]
op("composition hooks list (pages of 1)", lambda: check(
    {h.sid for h in walk(video.composition_hooks.page(page_size=1))} >= {h.sid for h in hooks}, "hooks"))
op("composition hook fetch", lambda: check(video.composition_hooks(hook.sid).fetch().video_layout == {"grid": {"video_sources": ["*"]}}, "layout"))
op("composition hook update", lambda: check(video.composition_hooks(hook.sid).update(friendly_name="hook-0b", enabled=False).enabled is False, "enabled"))

# Rooms
room = op("room create", lambda: video.rooms.create(unique_name="sdk-room", type="group", record_participants_on_connect=True))
others = [op("room create", lambda i=i: video.rooms.create(unique_name="sdk-room-%d" % i)) for i in range(2)]
op("rooms list (pages of 1)", lambda: check(
    {r.sid for r in walk(video.rooms.page(status="in-progress", page_size=1))} >= {room.sid} | {r.sid for r in others}, "rooms"))
op("room fetch", lambda: check(video.rooms(room.sid).fetch().unique_name == "sdk-room", "name"))
op("room fetch by unique name", lambda: check(video.rooms("sdk-room").fetch().sid == room.sid, "sid"))
check(room.record_participants_on_connect is True, "record_participants_on_connect")

# Participants and tracks join through the control API (the client SDKs do it in real life).
alice = control("/rooms/sdk-room/participants", {"identity": "alice"})
bob = control("/rooms/sdk-room/participants", {"identity": "bob"})
mic = control("/rooms/sdk-room/participants/alice/tracks", {"kind": "audio", "name": "alice-mic"})
control("/rooms/sdk-room/participants/bob/tracks", {"kind": "video", "name": "bob-cam"})
control("/clock/advance", {"seconds": 30})

participants = video.rooms(room.sid).participants
op("participants list (pages of 1)", lambda: check(
    sorted(p.identity for p in walk(participants.page(status="connected", page_size=1))) == ["alice", "bob"], "identities"))
op("participant fetch", lambda: check(participants(alice["sid"]).fetch().identity == "alice", "identity"))
op("published tracks list", lambda: check([t.name for t in participants(alice["sid"]).published_tracks.list()] == ["alice-mic"], "tracks"))
op("published track fetch", lambda: check(participants(alice["sid"]).published_tracks(mic["sid"]).fetch().kind == "audio", "kind"))
op("subscribed tracks list", lambda: check(mic["sid"] in [t.sid for t in participants(bob["sid"]).subscribed_tracks.list()], "subscribed"))
op("subscribed track fetch", lambda: check(participants(bob["sid"]).subscribed_tracks(mic["sid"]).fetch().publisher_sid == alice["sid"], "publisher"))
op("subscribe rules fetch", lambda: check(participants(bob["sid"]).subscribe_rules.fetch().rules[0]["type"] == "include", "rules"))
op("subscribe rules update", lambda: check(
    participants(bob["sid"]).subscribe_rules.update(rules=[{"type": "exclude", "all": True}]).rules[0]["type"] == "exclude", "rules"))
op("subscribed tracks after exclude", lambda: check(participants(bob["sid"]).subscribed_tracks.list() == [], "unsubscribed"))
recording_rules = video.rooms(room.sid).recording_rules
op("recording rules fetch", lambda: check(recording_rules.fetch().rules[0]["type"] == "include", "rules"))
op("recording rules update", lambda: check(
    recording_rules.update(rules=[{"type": "include", "all": True}]).rules == [{"type": "include", "all": True}], "rules"))
op("participant update (disconnect)", lambda: check(participants(bob["sid"]).update(status="disconnected").status == "disconnected", "status"))
op("participant update (disconnect)", lambda: check(participants(alice["sid"]).update(status="disconnected").status == "disconnected", "status"))

op("room update (complete)", lambda: check(video.rooms(room.sid).update(status="completed").status == "completed", "status"))
for other in others:
    op("room update (complete)", lambda other=other: check(video.rooms(other.sid).update(status="completed").status == "completed", "status"))
control("/clock/advance", {"seconds": 120})

# Recordings, room-scoped and account-wide
room_recordings = video.rooms(room.sid).recordings
recs = op("room recordings list (pages of 1)", lambda: walk(room_recordings.page(page_size=1))) or []
audio = next((r for r in recs if r.type == "audio"), None)
cam = next((r for r in recs if r.type == "video"), None)
op("room recording fetch", lambda: check(room_recordings(audio.sid).fetch().status == "completed", "status"))
op("recordings list (pages of 1)", lambda: check(
    {r.sid for r in walk(video.recordings.page(grouping_sid=[room.sid], page_size=1))} == {r.sid for r in recs}, "recordings"))
op("recording fetch", lambda: check(video.recordings(audio.sid).fetch().grouping_sids["room_sid"] == room.sid, "grouping"))
op("recording media", lambda: media("/v1/Recordings/%s/Media" % audio.sid))
op("room recording media", lambda: media("/v1/Rooms/%s/Recordings/%s/Media" % (room.sid, audio.sid)))

# Compositions
compositions = [op("composition create", lambda: video.compositions.create(
    room_sid=room.sid, audio_sources=["*"], video_layout={"grid": {"video_sources": ["*"]}}, format="mp4")) for _ in range(2)]
composition = compositions[0]
control("/clock/advance", {"seconds": 600})
op("composition fetch", lambda: check(video.compositions(composition.sid).fetch().status == "completed", "status"))
# The two hooks still enabled when the room ended composed it too.
op("compositions list (pages of 1)", lambda: check(
    (lambda listed: listed >= {c.sid for c in compositions} and len(listed) == 4)(
        {c.sid for c in walk(video.compositions.page(room_sid=room.sid, page_size=1))}), "compositions"))
op("composition media", lambda: media("/v1/Compositions/%s/Media" % composition.sid))
op("composition delete", lambda: check(video.compositions(composition.sid).delete() is True, "deleted"))

op("room recording delete", lambda: check(room_recordings(cam.sid).delete() is True, "deleted"))
op("recording delete", lambda: check(video.recordings(audio.sid).delete() is True, "deleted"))
op("recording fetch (deleted)", lambda: check(video.recordings(audio.sid).fetch().status == "deleted", "status"))
op("composition hook delete", lambda: check(video.composition_hooks(hook.sid).delete() is True, "deleted"))

passed = sum(results)
print("twilio-python: %d/%d operations passed" % (passed, len(results)), flush=True)
sys.exit(0 if passed == len(results) else 1)
