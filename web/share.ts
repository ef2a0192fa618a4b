// A share link carries the spec (and the worksheet's answers, if asked) in the URL fragment, which never
// leaves the browser: `#v1:` then the JSON { spec, answers? } compressed with raw DEFLATE and written in
// base64url. The version lets a later format change read old links. Compression is the platform's own
// CompressionStream (every current browser and Node 18+ have it), so the page needs no library for it.

export const SHARE_VERSION = 'v1';
/** Links longer than this are cut by some mail and chat programs and refused by some servers' logs. */
export const LONG_LINK = 8000;

export interface Shared {
  spec: string;
  answers?: string;
}

export async function encodeShare(shared: Shared): Promise<string> {
  const json = JSON.stringify(shared.answers ? { spec: shared.spec, answers: shared.answers } : { spec: shared.spec });
  const bytes = await through(new TextEncoder().encode(json), new CompressionStream('deflate-raw'));
  return `${SHARE_VERSION}:${base64url(bytes)}`;
}

/** The shared spec of a fragment (without its '#'), or a message saying why it cannot be read. */
export async function decodeShare(fragment: string): Promise<Shared | { problem: string }> {
  const m = /^v(\d+):([A-Za-z0-9_-]*)$/.exec(fragment);
  if (!m) return { problem: 'this link does not hold a spec (it should start #v1:)' };
  if (`v${m[1]}` !== SHARE_VERSION) return { problem: `this link was made by a newer version of the playground (format v${m[1]}); this page reads ${SHARE_VERSION}` };
  try {
    const bytes = await through(fromBase64url(m[2]!), new DecompressionStream('deflate-raw'));
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
    if (!value || typeof value !== 'object' || typeof (value as Shared).spec !== 'string') throw new Error('no spec');
    const { spec, answers } = value as Shared;
    return typeof answers === 'string' ? { spec, answers } : { spec };
  } catch {
    return { problem: 'this link is damaged (it may have been cut short): its spec cannot be read' };
  }
}

async function through(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
