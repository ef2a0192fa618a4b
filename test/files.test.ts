// Reading files safely (cli/files.ts, and the data path rules of spec/validate.ts): through the CLI's
// main() with the process's own file reader and real files in a temporary folder. Each refusal is exit
// code 2 with a message that says what is wrong, never a stack trace, and never the content of a file
// the user did not name as data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { processIo, type Io } from '../src/cli/io.js';
import { readTextFile } from '../src/cli/files.js';
import { LimitError } from '../src/spec/limits.js';
import { example } from './helpers/spec.js';
import { replaced } from './helpers/replaced.js';

const posix = process.platform !== 'win32';
let root: string; // holds `spec/` (the spec's folder) and files outside it
let specDir: string;
const SECRET = 'API_KEY=s3cr3t-value';
const CSV = 'i1,i2,y\n3,2,8\n15,12,20\n';
const hw7 = example('hw7-q2.yaml');
const withData = (data: string, extra = '') => replaced(hw7, /data:\n(  - .*\n)+/, `data: ${data}\n`) + extra;

async function exactprop(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), readFile: processIo.readFile, readDataFile: processIo.readDataFile!, errIsTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

/** Runs a spec that names `data` and expects it refused with `message`. */
async function refusedData(data: string, message: string | RegExp, extra = ''): Promise<string> {
  const spec = join(specDir, 'spec.yaml');
  writeFileSync(spec, withData(data, extra));
  const r = await exactprop('run', spec);
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(r.err).not.toContain('s3cr3t');
  if (typeof message === 'string') expect(r.err).toContain(message);
  else expect(r.err).toMatch(message);
  return r.err;
}

async function refusedSpec(path: string, message: string | RegExp): Promise<string> {
  const r = await exactprop('run', path);
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(r.err).not.toMatch(/\n\s+at /);
  if (typeof message === 'string') expect(r.err).toContain(message);
  else expect(r.err).toMatch(message);
  return r.err;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'exactprop-files-'));
  specDir = join(root, 'spec');
  mkdirSync(join(specDir, 'data'), { recursive: true });
  writeFileSync(join(root, 'secret.csv'), `${SECRET},y\n1,2\n`);
  mkdirSync(join(root, 'elsewhere'));
  writeFileSync(join(root, 'elsewhere', 'rows.csv'), `${SECRET},y\n1,2\n`);
  writeFileSync(join(specDir, 'data', 'rows.csv'), CSV);
  writeFileSync(join(specDir, 'rows.csv'), CSV);
  if (posix) {
    symlinkSync(join(root, 'secret.csv'), join(specDir, 'link.csv'));
    symlinkSync(join(root, 'elsewhere'), join(specDir, 'linked-folder'));
    symlinkSync(join(specDir, 'data', 'rows.csv'), join(specDir, 'inner-link.csv'));
    execFileSync('mkfifo', [join(specDir, 'pipe.csv')]);
    execFileSync('mkfifo', [join(root, 'pipe.yaml')]);
  }
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('a data file is read from inside the spec folder only', () => {
  it('reads a CSV beside the spec, in a subfolder, and through a link that stays inside', async () => {
    for (const data of ['rows.csv', 'data/rows.csv', './data/../data/rows.csv', ...(posix ? ['inner-link.csv'] : [])]) {
      const spec = join(specDir, 'spec.yaml');
      writeFileSync(spec, withData(data));
      const r = await exactprop('run', spec, '--format', 'json');
      expect(r.err, data).toBe('');
      expect(r.code, data).toBe(0);
      expect(JSON.parse(r.out).steps[0].loss.total, data).toBe('89.525');
    }
  });

  it('refuses .. that leaves the folder, absolute paths, drive letters and backslashes before reading', async () => {
    await refusedData('../secret.csv', "at data: '../secret.csv': the path leaves the spec's folder ('..')");
    await refusedData('data/../../secret.csv', "the path leaves the spec's folder");
    await refusedData('../../../../../../../etc/passwd', "the path leaves the spec's folder");
    await refusedData(join(root, 'secret.csv'), "the path is absolute; give it relative to the spec's folder");
    await refusedData('/etc/passwd', 'the path is absolute');
    await refusedData('C:/Windows/win.ini', 'the path starts with a drive letter');
    await refusedData('"data\\\\..\\\\..\\\\secret.csv"', "the path contains a backslash; write folders with '/'");
    await refusedData('"rows\\0.csv"', "'rows\\x00.csv': the path contains a control character");
    await refusedData('data/..', "the path names the spec's folder, not a file");
  });

  it.skipIf(!posix)('refuses a symbolic link, or a linked folder, that leads outside', async () => {
    await refusedData('link.csv', "at data: 'link.csv': the path leads, through a symbolic link, outside the spec's folder");
    await refusedData('linked-folder/rows.csv', 'through a symbolic link, outside');
  });

  it.skipIf(!posix)('refuses a FIFO and a folder, without blocking', async () => {
    await refusedData('pipe.csv', "'pipe.csv': cannot read it: it is a named pipe (FIFO), not a regular file");
    await refusedData('data', "'data': cannot read it: it is a folder, not a regular file");
  });

  it('refuses a missing file by name', async () => {
    await refusedData('nothing.csv', "'nothing.csv': cannot read the file: it does not exist (ENOENT)");
  });

  it('holds a data file to the byte limit before reading it, and says how to raise it', async () => {
    await refusedData(
      'rows.csv',
      "'rows.csv': the file has 23 bytes: more than the limit of 20 bytes of a CSV data file (raise it with --max-data-bytes N or limits.data_bytes in the spec)",
      'limits: { data_bytes: 20 }\n',
    );
  });

  it('quotes a bad header of the named file with its control characters escaped', async () => {
    writeFileSync(join(specDir, 'bad-header.csv'), 'i1,i2,y\x1b]0;owned\x07\n3,2,8\n');
    const err = await refusedData('bad-header.csv', "bad-header.csv: column 'y\\x1B]0;owned\\x07' is not a name");
    expect(err).not.toContain('\x1b');
    writeFileSync(join(specDir, 'proto.csv'), 'i1,i2,__proto__\n3,2,8\n');
    await refusedData('proto.csv', "'__proto__' cannot be a name; choose another");
  });

  it('names a UTF-16 data file as such', async () => {
    writeFileSync(join(specDir, 'wide.csv'), Buffer.from(`\ufeff${CSV}`, 'utf16le'));
    await refusedData('wide.csv', "'wide.csv': the file is UTF-16 encoded; save it as UTF-8");
  });
});

describe('a spec or answers file is a regular file of bounded UTF-8 text', () => {
  it('refuses a folder', async () => {
    await refusedSpec(specDir, /spec: cannot read it: it is a folder, not a regular file\n$/);
  });

  it.skipIf(!posix)('refuses a FIFO at once (opening it does not wait for a writer)', async () => {
    await refusedSpec(join(root, 'pipe.yaml'), 'pipe.yaml: cannot read it: it is a named pipe (FIFO), not a regular file');
  });

  it.skipIf(!existsSync('/dev/zero'))('refuses /dev/zero and other devices instead of reading them forever', async () => {
    await refusedSpec('/dev/zero', '/dev/zero: cannot read it: it is a device (like /dev/stdin or /dev/zero), not a regular file');
    await refusedSpec('/dev/null', 'it is a device');
  });

  it.skipIf(!existsSync('/proc/self/status'))('holds a file that reports size 0 (/proc) to the cap while reading', () => {
    expect(() => readTextFile('/proc/self/status', 10)).toThrow(LimitError);
    expect(() => readTextFile('/proc/self/status', 10)).toThrow('the file has more than 10 bytes: more than the limit of 10 bytes');
  });

  it('refuses a file over the byte limit before reading it, and says how to raise it', async () => {
    const big = join(root, 'big.yaml');
    writeFileSync(big, Buffer.alloc(6_000_000, 0x20));
    await refusedSpec(big, 'big.yaml: the file has 6,000,000 bytes: more than the limit of 5,000,000 bytes of a spec or answers file (raise it with --max-input-bytes N)');
  });

  it('names UTF-16 and UTF-32 files, with or without a byte-order mark', async () => {
    const cases: Array<[string, Buffer, string]> = [
      ['le-bom.yaml', Buffer.from(`\ufeff${hw7}`, 'utf16le'), 'UTF-16'],
      ['le.yaml', Buffer.from(hw7, 'utf16le'), 'UTF-16'],
      ['be.yaml', Buffer.from(hw7, 'utf16le').swap16(), 'UTF-16'],
      ['be-bom.yaml', Buffer.from(`\ufeff${hw7}`, 'utf16le').swap16(), 'UTF-16'],
      ['utf32.yaml', utf32le(hw7), 'UTF-32'],
      ['utf32-bom.yaml', utf32le(`\ufeff${hw7}`), 'UTF-32'],
    ];
    for (const [name, bytes, encoding] of cases) {
      writeFileSync(join(root, name), bytes);
      await refusedSpec(join(root, name), `${name}: the file is ${encoding} encoded; save it as UTF-8`);
    }
  });

  it('names a binary file without quoting it, and text in another encoding', async () => {
    writeFileSync(join(root, 'binary.yaml'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x53, 0x45, 0x43, 0x52, 0x45, 0x54, 0xff, 0x10]));
    const err = await refusedSpec(join(root, 'binary.yaml'), 'binary.yaml: the file is binary (a NUL byte at byte 8), not text');
    expect(err).not.toContain('SECRET');
    writeFileSync(join(root, 'latin1.yaml'), Buffer.from('precision: 50 # \xe9t\xe9\n', 'latin1'));
    await refusedSpec(join(root, 'latin1.yaml'), 'latin1.yaml: the file is not UTF-8 text (it is binary, or text in another encoding: save it as UTF-8)');
  });

  it('accepts a UTF-8 byte-order mark', async () => {
    const spec = join(root, 'bom.yaml');
    writeFileSync(spec, `\ufeff${hw7}`);
    const r = await exactprop('run', spec, '--format', 'json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('reads answers files the same way', async () => {
    const spec = join(root, 'hw7.yaml');
    writeFileSync(spec, hw7);
    const r = await exactprop('check', spec, specDir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('spec: cannot read it: it is a folder, not a regular file');
  });
});

function utf32le(text: string): Buffer {
  const out = Buffer.alloc(text.length * 4);
  for (let i = 0; i < text.length; i++) out.writeUInt32LE(text.charCodeAt(i), i * 4);
  return out;
}
