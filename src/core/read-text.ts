/**
 * Reads a byte stream to its end as UTF-8 text, never holding more than
 * `maxBytes`: one byte past it, the stream is cancelled and `tooLarge()` is
 * thrown. Used for response bodies (the fetch exchange) and request bodies
 * (the callback handler), so neither can be made to buffer an unbounded body.
 */
const decoder = new TextDecoder();

export async function readText(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<string> {
  let first: Uint8Array | undefined;
  let more: Uint8Array[] | undefined;
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    if (first === undefined) first = value;
    else {
      more ??= [first];
      more.push(value);
    }
  }
  if (first === undefined) return "";
  // One chunk (the usual small answer) is decoded as it is; more are joined first.
  if (more === undefined) return decoder.decode(first);
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of more) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decoder.decode(all);
}
