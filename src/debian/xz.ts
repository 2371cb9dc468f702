/**
 * Streaming xz decoding through liblzma (the `lzma-native` bindings, prebuilt for the usual
 * platforms inside the package), driven synchronously and pulled chunk by chunk:
 *
 * - memory is liblzma's decoder state (about the stream's dictionary size: 8 MiB for
 *   `xz -6`, 64 MiB for `xz -9`) plus one input slice's output, freed with `lzma_end` as
 *   soon as the stream ends, fails or the consumer stops: nothing outlives the read. (The
 *   WebAssembly decoder used before kept its grown linear memory, 67 MiB after an `xz -9`
 *   index, for the life of the process.)
 * - synchronous calls rather than the binding's thread-pool mode: the dictionary is then
 *   allocated and freed on the main thread, so glibc reuses the same memory from one read
 *   to the next instead of keeping a copy in each worker thread's arena (in thread-pool
 *   mode RSS after gc rose from 75 to 107 MiB over six reads of an `xz -6` index; this way
 *   it stays at 74–80 MiB). The decoding itself costs the same CPU either way.
 * - the native module is imported on the first `.xz` read only.
 * - a memory limit (256 MiB unless raised): the header of a stream says how large a
 *   dictionary its decoder allocates, up to 4 GiB, so a crafted or hostile file could
 *   otherwise make one read take that much.
 */
import { LeanrecError } from '../errors.ts';

/**
 * Default of the decoder's memory limit: about four times what `xz -9`, the largest
 * preset, needs to decode (65 MiB for its 64 MiB dictionary).
 */
export const DEFAULT_XZ_MEMORY_LIMIT = 256 * 1024 * 1024;

/**
 * Text of the errors whose damage was found only after text it covers was handed out
 * (also used by the other decoders in input.ts).
 */
export const HANDED_OUT =
  'found by a check after the text it covers: the text before the damage was already ' +
  'handed out, so a non-atomic ingest may have stored damaged records; an atomic one, the ' +
  'CLI default, keeps nothing';

/**
 * Compressed bytes handed to liblzma per call. Each call returns all of its output at once,
 * so this bounds the output held at a time (≈ 50 KiB for Debian indexes, which compress
 * about 6:1) even when the caller passes the whole file as one chunk.
 */
const SLICE = 8 * 1024;

/** The part of `lzma-native`'s native `Stream` class used here (see its `index.js`). */
interface NativeStream {
  /** Starts an .xz decoder; `memlimit` null = no limit, `flags` are liblzma's. */
  streamDecoder_(memlimit: number | null, flags: number): void;
  /**
   * Feeds `chunk` (or `null` = end of input). With `async` false the output, an error and
   * the count of consumed chunks are all reported to `bufferHandler` before it returns.
   */
  code(chunk: Uint8Array | null, async: boolean): void;
  /** Frees liblzma's state (`lzma_end`); the stream is unusable afterwards. */
  resetUnderlying(): void;
  bufferHandler:
    | ((buf: Buffer | null | undefined, processed: unknown, err: Error | null | undefined) => void)
    | null;
}

interface LzmaNative {
  Stream: new () => NativeStream;
  /** liblzma's LZMA_MEMLIMIT_ERROR and LZMA_DATA_ERROR (corrupt data or a failed check). */
  MEMLIMIT_ERROR: number;
  DATA_ERROR: number;
  FILTER_LZMA2: unknown;
  /** liblzma's `lzma_raw_decoder_memusage`: what a decoder with these filters allocates. */
  rawDecoderMemusage(filters: { id: unknown; options: { dictSize: number } }[]): number | null;
  /** liblzma's LZMA_CONCATENATED: decode every stream of a file of concatenated streams. */
  CONCATENATED: number;
}

/** A variable, so that TypeScript does not look for the package's (absent) types. */
const LZMA_NATIVE = 'lzma-native';
let loaded: Promise<LzmaNative> | undefined;
/** Decoders created and not yet freed (for tests of early exits). */
let live = 0;

/** How many xz decoders hold liblzma state right now: 0 whenever no .xz read is under way. */
export function liveXzDecoders(): number {
  return live;
}

/** Imports `lzma-native` once, on the first .xz read (a CommonJS package: its exports arrive as `default`). */
function loadLzma(): Promise<LzmaNative> {
  loaded ??= import(LZMA_NATIVE).then((ns: { default?: LzmaNative } & LzmaNative) => {
    const mod = ns.default ?? ns;
    if (typeof mod.Stream?.prototype.code !== 'function') {
      throw new Error('lzma-native has no Stream.code: unsupported version');
    }
    return mod;
  });
  // Not cached when it failed, so that a later read tries again.
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

/**
 * Decodes the xz data of `input` (one or more concatenated .xz streams). Reads the next
 * input chunk only when the consumer asks for more output, and frees the decoder when the
 * stream ends, fails, or the consumer stops early.
 *
 * `memoryLimit` bounds what liblzma may allocate (bytes, `Infinity` for no limit); a
 * stream whose header asks for more fails before anything is allocated.
 *
 * @throws LeanrecError `E_ARGUMENT` when `lzma-native` cannot be loaded (no build for this
 *   platform); `E_LIMIT` (naming the file, the limit and the memory needed) when the
 *   stream needs more than `memoryLimit`; `E_PARSE` (`truncated or corrupt xz input:
 *   <file>`, liblzma's error as `cause`) for truncated, corrupt or trailing garbage data;
 *   errors of `input` itself pass through unchanged.
 */
export async function* xzDecode(
  input: AsyncIterable<Uint8Array>,
  file: string,
  memoryLimit: number = DEFAULT_XZ_MEMORY_LIMIT,
): AsyncGenerator<Uint8Array, void, undefined> {
  let lzma: LzmaNative;
  try {
    lzma = await loadLzma();
  } catch (err) {
    throw new LeanrecError(
      'E_ARGUMENT',
      `${file} is xz-compressed, but lzma-native cannot be loaded: ${(err as Error)?.message ?? err}`,
      { file, cause: err },
    );
  }
  const stream = new lzma.Stream();
  live++;
  let out: Buffer[] = [];
  let failure: Error | undefined;
  // The stream header and the first block header, for the dictionary size in an E_LIMIT.
  const head = new Uint8Array(12 + 1024);
  let headLength = 0;
  let ended = false;
  stream.bufferHandler = (buf, _processed, err) => {
    if (err) failure = err;
    else if (buf === null) ended = true;
    else if (buf !== undefined && buf.length > 0) out.push(buf);
  };
  const failed = (err: Error): LeanrecError => {
    const code = (err as { code?: unknown }).code;
    if (code === lzma.MEMLIMIT_ERROR) {
      // The stream's `lzma_memusage` (the need) cannot be asked for here: the binding
      // holds its lock while it reports the error, and frees the decoder right after. It
      // is the decoder memory of the block's dictionary, known when that block is the
      // first (the usual case: one stream, one dictionary); else only "more" is known.
      const dict = xzDictionarySize(head.subarray(0, headLength));
      let raw: number | null = null;
      try {
        if (dict !== undefined)
          raw = lzma.rawDecoderMemusage([{ id: lzma.FILTER_LZMA2, options: { dictSize: dict } }]);
      } catch {
        // A dictionary size liblzma rejects: the need stays unknown.
      }
      const limit = `the limit of ${mib(memoryLimit)} (${memoryLimit} bytes)`;
      const need =
        raw !== null && raw > memoryLimit
          ? `${mib(raw)} of memory to decode, more than ${limit}`
          : `more memory to decode than ${limit}`;
      return new LeanrecError(
        'E_LIMIT',
        `xz input needs ${need}; raise xzMemoryLimit to read it: ${file}`,
        { file, cause: err },
      );
    }
    // liblzma checks a block's CRC or SHA-256 after decoding it, and damaged LZMA2 data
    // decodes to wrong text before it is noticed, if at all before the check.
    const after = code === lzma.DATA_ERROR ? ` (${HANDED_OUT})` : '';
    return new LeanrecError('E_PARSE', `truncated or corrupt xz input: ${file}${after}`, {
      file,
      cause: err,
    });
  };
  // One synchronous decoder call: yields what it produced (the data before a corrupt spot
  // too, as the other decoders do), then throws if liblzma failed.
  async function* step(chunk: Uint8Array | null): AsyncGenerator<Uint8Array, void, undefined> {
    stream.code(chunk, false);
    const produced = out;
    out = [];
    yield* produced;
    if (failure !== undefined) throw failed(failure);
  }
  try {
    // null = no limit: a number is passed through N-API's int64 conversion, which makes
    // Infinity 0.
    stream.streamDecoder_(Number.isFinite(memoryLimit) ? memoryLimit : null, lzma.CONCATENATED);
    for await (const chunk of input) {
      if (headLength < head.length) {
        const part = chunk.subarray(0, head.length - headLength);
        head.set(part, headLength);
        headLength += part.length;
      }
      for (let at = 0; at < chunk.length; at += SLICE) {
        // liblzma copies the input, so a view is enough.
        yield* step(chunk.subarray(at, at + SLICE));
        if (ended) break;
      }
      // liblzma has seen the end of the last stream and would refuse more; with
      // CONCATENATED that happens only at LZMA_FINISH, so this is just a guard.
      if (ended) break;
    }
    if (!ended) yield* step(null);
    if (!ended) {
      throw new LeanrecError('E_PARSE', `truncated or corrupt xz input: ${file}`, { file });
    }
  } finally {
    stream.bufferHandler = null;
    stream.resetUnderlying();
    live--;
    out = [];
  }
}

/** `n` bytes in MiB rounded up (as `xz --list` shows them), one decimal below 10 MiB. */
function mib(n: number): string {
  const m = n / (1024 * 1024);
  return `${m < 10 ? Math.ceil(m * 10) / 10 : Math.ceil(m)} MiB`;
}

/** Reads a multibyte integer of the .xz format at `at`: [value, next offset], or undefined. */
function vli(b: Uint8Array, at: number): [number, number] | undefined {
  let value = 0;
  for (let i = 0; i < 9 && at + i < b.length; i++) {
    const byte = b[at + i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return [value, at + i + 1];
  }
  return undefined;
}

/**
 * The LZMA2 dictionary size of the first block of the .xz data starting with `head` (which
 * needs the 12-byte stream header and the block header, at most 1,024 more bytes): the
 * decoder's main allocation. `undefined` when `head` is not such data or the stream has no
 * block.
 */
export function xzDictionarySize(head: Uint8Array): number | undefined {
  if (head.length < 13 || head[0] !== 0xfd || head[1] !== 0x37) return undefined;
  const size = head[12]!;
  if (size === 0) return undefined; // an index: no block
  const end = 12 + (size + 1) * 4;
  if (head.length < end) return undefined;
  const flags = head[13]!;
  let at = 14;
  for (let skip = (flags & 0x40 ? 1 : 0) + (flags & 0x80 ? 1 : 0); skip > 0; skip--) {
    const v = vli(head, at);
    if (v === undefined) return undefined;
    at = v[1];
  }
  for (let f = (flags & 3) + 1; f > 0 && at < end; f--) {
    const id = vli(head, at);
    const propsSize = id && vli(head, id[1]);
    if (id === undefined || propsSize === undefined) return undefined;
    at = propsSize[1];
    if (id[0] === 0x21 && propsSize[0] === 1) {
      // LZMA2's one property byte: 2 or 3 times a power of two, or 4 GiB - 1 at 40.
      const bits = head[at]! & 0x3f;
      if (bits > 40) return undefined;
      return bits === 40 ? 0xffffffff : (2 | (bits & 1)) * 2 ** (Math.floor(bits / 2) + 11);
    }
    at += propsSize[0];
  }
  return undefined;
}
