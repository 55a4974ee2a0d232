/**
 * Response bodies shaped like Twilio's: a Room as the API returns it (every
 * field, absolute URLs, links; about 1.1 KB) and list pages of rooms with
 * `meta` and absolute `next_page_url`s carrying a `PageToken`.
 */
export const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
export const AUTH_TOKEN = "0123456789abcdef0123456789abcdef";
export const API_KEY_SID = "SK0123456789abcdef0123456789abcdef";
export const API_KEY_SECRET = "bench-secret-bench-secret-bench-s";
export const ROOM_SID = "RM5a1f9e3c7d2b4a6e8f0c1d2e3f4a5b6c";
export const PAGE_SIZE = 100;

export function roomSid(i: number): string {
  return `RM${i.toString(16).padStart(32, "0")}`;
}

export function room(origin: string, sid: string, i = 0): Record<string, unknown> {
  const url = `${origin}/v1/Rooms/${sid}`;
  return {
    sid,
    status: i % 7 === 0 ? "in-progress" : "completed",
    date_created: "2026-11-24T20:00:00Z",
    date_updated: "2026-11-24T20:31:07Z",
    account_sid: ACCOUNT_SID,
    enable_turn: true,
    unique_name: `daily-standup-${i}`,
    status_callback: "https://example.com/twilio/video/status-callback",
    status_callback_method: "POST",
    end_time: "2026-11-24T20:31:07Z",
    duration: 1867,
    type: "group",
    max_participants: 50,
    max_participant_duration: 14400,
    max_concurrent_published_tracks: 170,
    record_participants_on_connect: false,
    video_codecs: ["VP8", "H264"],
    media_region: "us1",
    audio_only: false,
    empty_room_timeout: 5,
    unused_room_timeout: 5,
    large_room: false,
    url,
    links: {
      participants: `${url}/Participants`,
      recordings: `${url}/Recordings`,
      recording_rules: `${url}/RecordingRules`,
      transcriptions: `${url}/Transcriptions`,
    },
  };
}

export function roomPage(origin: string, page: number, total: number): Record<string, unknown> {
  const start = page * PAGE_SIZE;
  const count = Math.max(0, Math.min(PAGE_SIZE, total - start));
  const rooms = Array.from({ length: count }, (_, k) => room(origin, roomSid(start + k), start + k));
  const pageUrl = (p: number) =>
    `${origin}/v1/Rooms?PageSize=${PAGE_SIZE}&Page=${p}${p > 0 ? `&PageToken=PA${roomSid(p * PAGE_SIZE - 1)}` : ""}`;
  return {
    rooms,
    meta: {
      page,
      page_size: PAGE_SIZE,
      first_page_url: pageUrl(0),
      previous_page_url: page > 0 ? pageUrl(page - 1) : null,
      url: pageUrl(page),
      next_page_url: start + count < total ? pageUrl(page + 1) : null,
      key: "rooms",
    },
  };
}
