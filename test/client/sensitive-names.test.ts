// The recorder and the client's hooks share one rule for secret parameter
// names (core/sensitive-names.ts); a name one of them hides, the other hides too.
import { describe, expect, it } from "vitest";
import { redactUrl as hookUrl } from "../../src/core/hooks.js";
import { DEFAULT_SENSITIVE_NAMES, isSensitiveName } from "../../src/core/sensitive-names.js";
import { Redactor } from "../../src/contract/redact.js";

describe("sensitive names", () => {
  it.each(DEFAULT_SENSITIVE_NAMES.map((name) => [name]))("%s is hidden by the hooks and by the recorder", (name) => {
    const url = `https://video.twilio.com/v1/Rooms?PageSize=5&${encodeURIComponent(name)}=s3cr3t-value`;
    expect(hookUrl(url)).not.toContain("s3cr3t-value");
    expect(hookUrl(url)).toContain("PageSize=5");
    expect(new Redactor().text(url)).not.toContain("s3cr3t-value");
  });

  it("matches any case, reads - as _, and catches names containing secret or password", () => {
    expect(isSensitiveName("X_AMZ_SIGNATURE")).toBe(true);
    expect(isSensitiveName("Client-Secret")).toBe(true);
    expect(isSensitiveName("myPasswordHash")).toBe(true);
    expect(isSensitiveName("PageToken")).toBe(false);
    expect(isSensitiveName("RoomSid")).toBe(false);
    expect(hookUrl("https://video.twilio.com/v1/Rooms?PageToken=PT1&Page=1")).toBe(
      "https://video.twilio.com/v1/Rooms?PageToken=PT1&Page=1",
    );
  });
});
