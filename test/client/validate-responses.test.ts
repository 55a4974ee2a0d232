import { describe, expect, it, vi } from "vitest";
import { TwilioResponseValidationError } from "../../src/index.js";
import { client, json, scriptedFetch } from "./helpers.js";

const SID = "CJ3e5a7c9e1f2b4d6a8c0e2f3a5b7d9c1e";
const settings = {
  account_sid: "AC0123456789abcdef0123456789abcdef",
  friendly_name: "archive",
  aws_credentials_sid: null,
  aws_s3_url: null,
  aws_storage_enabled: false,
  encryption_key_sid: null,
  encryption_enabled: false,
  url: "https://video.twilio.com/v1/CompositionSettings/Default",
};

describe("validateResponses", () => {
  it("off (default): a drifted response is returned as is", async () => {
    const { fetch } = scriptedFetch(json(200, { ...settings, encryption_enabled: "yes" }));
    await expect(client(fetch).compositionSettings.get()).resolves.toMatchObject({ encryption_enabled: "yes" });
  });

  it("throw: a response that breaks the spec is a TwilioResponseValidationError naming where", async () => {
    const { fetch } = scriptedFetch(json(200, { ...settings, encryption_enabled: "yes" }));
    const error = (await client(fetch, { validateResponses: "throw" })
      .compositionSettings.get()
      .catch((e: unknown) => e)) as TwilioResponseValidationError;
    expect(error).toBeInstanceOf(TwilioResponseValidationError);
    expect(error.operationId).toBe("FetchCompositionSettings");
    expect(error.problems.map((p) => p.where).join(" ")).toContain("encryption_enabled");
  });

  it("throw: a conforming response passes", async () => {
    const { fetch } = scriptedFetch(json(200, settings));
    await expect(client(fetch, { validateResponses: "throw" }).compositionSettings.get()).resolves.toEqual(settings);
  });

  it("warn: reports through onWarning and still returns the data", async () => {
    const onWarning = vi.fn();
    const { fetch } = scriptedFetch(json(200, { ...settings, url: undefined }));
    const result = await client(fetch, { validateResponses: "warn", onWarning }).compositionSettings.get();
    expect(result.friendly_name).toBe("archive");
    expect(onWarning).toHaveBeenCalledOnce();
    expect(onWarning.mock.calls[0]![0]).toMatch(/FetchCompositionSettings.*url/);
  });

  it("throw: checks 204 deletes too (no body expected)", async () => {
    const { fetch } = scriptedFetch(new Response(null, { status: 204 }));
    await expect(client(fetch, { validateResponses: "throw" }).compositions.delete(SID)).resolves.toBeUndefined();
  });
});

describe("validateResponses with a validator passed in (bundled apps)", () => {
  it("uses the given validator instead of loading the contract module", async () => {
    const validateResponse = vi.fn(() => ({
      problems: [{ where: "response.body/friendly_name", message: "custom check failed" }],
    }));
    const { fetch } = scriptedFetch(json(200, settings));
    const error = await client(fetch, { validateResponses: "throw", validator: { validateResponse } })
      .compositionSettings.get()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioResponseValidationError);
    expect(validateResponse).toHaveBeenCalledWith("FetchCompositionSettings", 200, settings, "application/json");
  });

  it("works with the contract module's own validator", async () => {
    const { defaultContractValidator } = await import("../../src/contract/index.js");
    const { fetch } = scriptedFetch(json(200, { ...settings, aws_s3_url: "not a url" }));
    await expect(
      client(fetch, { validateResponses: "throw", validator: defaultContractValidator() }).compositionSettings.get(),
    ).rejects.toThrow(/aws_s3_url/);
  });
});

describe('validateResponses: "warn"', () => {
  const drifted = { ...settings, encryption_enabled: "yes" };

  it('reports before the call returns, with the same message "throw" would carry', async () => {
    const { defaultContractValidator } = await import("../../src/contract/index.js");
    const validator = defaultContractValidator();
    const onWarning = vi.fn();
    const warned = client(scriptedFetch(json(200, drifted)).fetch, { validateResponses: "warn", validator, onWarning });
    await expect(warned.compositionSettings.get()).resolves.toMatchObject({ encryption_enabled: "yes" });
    expect(onWarning).toHaveBeenCalledOnce();
    const thrown = (await client(scriptedFetch(json(200, drifted)).fetch, { validateResponses: "throw", validator })
      .compositionSettings.get()
      .catch((e: unknown) => e)) as TwilioResponseValidationError;
    expect(thrown).toBeInstanceOf(TwilioResponseValidationError);
    expect(onWarning.mock.calls[0]![0]).toBe(thrown.message);
    expect(thrown.message).toMatch(/encryption_enabled/);
  });

  it("judges what the API sent: the check is done before the caller can change the result", async () => {
    const validateResponse = vi.fn((_op: string, _status: number, body: unknown) => ({
      problems:
        (body as { encryption_enabled?: unknown }).encryption_enabled === "yes"
          ? [{ where: "response.body/encryption_enabled", message: "wrong type" }]
          : [],
    }));
    const onWarning = vi.fn();
    const video = client(scriptedFetch(json(200, settings), json(200, drifted)).fetch, {
      validateResponses: "warn",
      validator: { validateResponse },
      onWarning,
    });
    const good = (await video.compositionSettings.get()) as unknown as Record<string, unknown>;
    good.encryption_enabled = "yes";
    const bad = (await video.compositionSettings.get()) as unknown as Record<string, unknown>;
    bad.encryption_enabled = false;
    expect(validateResponse).toHaveBeenCalledTimes(2);
    expect(onWarning).toHaveBeenCalledOnce();
    expect(onWarning.mock.calls[0]![0]).toMatch(/encryption_enabled/);
  });

  it("checks every response under a flood of concurrent calls", async () => {
    const validateResponse = vi.fn(() => ({
      problems: [{ where: "response.body/encryption_enabled", message: "wrong type" }],
    }));
    const onWarning = vi.fn();
    const video = client(scriptedFetch(json(200, drifted)).fetch, {
      validateResponses: "warn",
      validator: { validateResponse },
      onWarning,
    });
    await Promise.all(Array.from({ length: 200 }, () => video.compositionSettings.get()));
    expect(validateResponse).toHaveBeenCalledTimes(200);
    expect(onWarning).toHaveBeenCalledTimes(200);
    expect(onWarning.mock.calls.every((c) => /FetchCompositionSettings.*encryption_enabled/.test(String(c[0])))).toBe(
      true,
    );
  });

  it("a throwing onWarning or validator fails neither the call nor later checks", async () => {
    let calls = 0;
    const validateResponse = vi.fn(() => {
      if (++calls === 1) throw new Error("validator bug");
      return { problems: [{ where: "response.body", message: "bad" }] };
    });
    const seen: string[] = [];
    const onWarning = (message: string) => {
      seen.push(message);
      if (seen.length === 2) throw new Error("sink down");
    };
    const video = client(scriptedFetch(json(200, settings)).fetch, {
      validateResponses: "warn",
      validator: { validateResponse },
      onWarning,
    });
    for (let i = 0; i < 3; i++)
      await expect(video.compositionSettings.get()).resolves.toMatchObject({ friendly_name: "archive" });
    expect(validateResponse).toHaveBeenCalledTimes(3);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatch(/response check failed: validator bug/);
    expect(seen.slice(1).every((m) => /FetchCompositionSettings/.test(m))).toBe(true);
  });
});
