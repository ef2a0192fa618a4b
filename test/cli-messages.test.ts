// What the command line says, as a user meets it: `--help` and `-h` on every command (that command's
// usage, exit 0), `--version`, an unknown option or command (exit 2, with the usage of the command
// given), a flag's own mistake named as the flag's, and no control character from the user's text
// reaching the terminal raw.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cli } from './helpers/spec.js';

const root = new URL('..', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const COMMANDS = ['run', 'check', 'derive', 'grade', 'variants'] as const;
const usageLine = (command: string) => `usage:\n  exactprop ${command} SPEC`;

describe('--help', () => {
  for (const command of COMMANDS) {
    for (const flag of ['--help', '-h']) {
      it(`${command} ${flag} prints that command's usage to stdout and exits 0`, async () => {
        const r = await cli([command, flag]);
        expect(r.code).toBe(0);
        expect(r.err).toBe('');
        expect(r.out.startsWith(usageLine(command))).toBe(true);
        // Only that command's.
        for (const other of COMMANDS.filter((c) => c !== command)) expect(r.out).not.toContain(`exactprop ${other} `);
      });
    }
  }

  it('is found among other arguments, and asks for nothing else (no spec is read)', async () => {
    const r = await cli(['derive', 'missing.yaml', '--param', 'w1', '--help']);
    expect(r.code).toBe(0);
    expect(r.out.startsWith(usageLine('derive'))).toBe(true);
    expect(r.out).toContain('--max-derive-nodes');
  });

  it('after --, is a file name like any other', async () => {
    const r = await cli(['run', '--', '--help']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^exactprop: --help: cannot read the file/);
  });

  it('on its own, and as `help COMMAND`', async () => {
    const all = await cli(['--help']);
    expect(all.code).toBe(0);
    for (const command of COMMANDS) expect(all.out).toContain(`exactprop ${command} SPEC`);
    expect(all.out).toContain('exactprop --version');
    // No command at all is a mistake: the usage goes to stderr, with exit code 2.
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.out).toBe('');
    expect(none.err).toMatch(/^exactprop: give a command: run, check, derive, grade, variants \(or --help, --version\)\nusage:\n  exactprop run SPEC/);
    const one = await cli(['help', 'check']);
    expect(one.code).toBe(0);
    expect(one.out.startsWith(usageLine('check'))).toBe(true);
    expect(one.out).not.toContain('exactprop run ');
  });
});

describe('--version', () => {
  it('prints the package version and exits 0', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag]);
      expect(r).toEqual({ code: 0, out: `exactprop ${version}\n`, err: '' });
    }
  });

  for (const command of COMMANDS) {
    it(`${command} --version and ${command} -V print it too, and read no file`, async () => {
      for (const flag of ['--version', '-V']) {
        const r = await cli([command, 'missing.yaml', flag]);
        expect(r).toEqual({ code: 0, out: `exactprop ${version}\n`, err: '' });
      }
    });
  }

  it('after a command, --help wins over it, and after -- it is a file name', async () => {
    const both = await cli(['check', '--version', '--help']);
    expect(both.code).toBe(0);
    expect(both.out.startsWith(usageLine('check'))).toBe(true);
    const file = await cli(['derive', '--', '--version']);
    expect(file.code).toBe(2);
    expect(file.err).toMatch(/^exactprop: --version: cannot read the file/);
  });

  describe('in the bundled command', () => {
    beforeAll(() => {
      if (!existsSync(`${root}/dist/exactprop.cjs`)) execFileSync('node', ['scripts/build.mjs'], { cwd: root });
    });
    it('prints the version bundled from package.json', () => {
      const r = spawnSync('node', ['dist/exactprop.cjs', '--version'], { cwd: root, encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`exactprop ${version}\n`);
      const help = spawnSync('node', ['dist/exactprop.cjs', 'check', '-h'], { cwd: root, encoding: 'utf8' });
      expect(help.status).toBe(0);
      expect(help.stdout.startsWith(usageLine('check'))).toBe(true);
    });
  });
});

describe('a mistake on the command line', () => {
  it('an unknown option: exit 2, with the usage of that command only', async () => {
    const r = await cli(['run', 'examples/hw7-q2.yaml', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^exactprop: Unknown option '--bogus'/);
    expect(r.err).toContain(usageLine('run'));
    expect(r.err).not.toContain('exactprop check ');
    expect(r.err).not.toContain('exactprop derive ');
  });

  it('an unknown command, even one named like a property of every object', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const r = await cli([name, 'x.yaml']);
      expect(r.code, name).toBe(2);
      expect(r.err, name).toMatch(new RegExp(`^exactprop: unknown command '${name}'\\nusage:`));
    }
    const typo = await cli(['rum', 'x.yaml']);
    expect(typo.err).toMatch(/^exactprop: unknown command 'rum' \(did you mean 'run'\?\)/);
  });

  it('--precision out of range is the flag\'s problem, reported before the spec is read', async () => {
    for (const command of COMMANDS) {
      const args = command === 'check' ? ['examples/hw7-q2-sheet.yaml', 'examples/hw7-q2.answers.yaml'] : ['examples/hw7-q2.yaml'];
      for (const given of [['--precision', '5'], ['--precision=5000']]) {
        const r = await cli([command, ...args, ...given]);
        expect(r.code, `${command} ${given}`).toBe(2);
        expect(r.err.split('\n')[0]).toBe(`exactprop: --precision takes a whole number from 10 to 1000, got '${given.length === 2 ? '5' : '5000'}'`);
        expect(r.err).not.toContain('hw7-q2');
      }
    }
    // No spec is opened: a missing one is not what is reported.
    const r = await cli(['run', 'missing.yaml', '--precision', 'abc']);
    expect(r.err.split('\n')[0]).toBe("exactprop: --precision takes a whole number from 10 to 1000, got 'abc'");
  });
});

describe('user text in messages', () => {
  // ESC starting a "clear screen" sequence, and a right-to-left override that would reorder the line.
  const evil = 'spec\x1b[2J\u202eevil.yaml';

  it('has its control and bidi characters written out, in the file name and in a key', async () => {
    const r = await cli(['run', evil], { [evil]: 'params: { "w\x1b[31m": 1 }\ndata: [ {} ]\nloss: { sample: "x^2" }\ntraining: { optimizer: sgd, lr: 0.1, epochs: 1 }\n' });
    expect(r.code).toBe(2);
    expect(r.err.startsWith('exactprop: spec\\x1B[2J\\u202Eevil.yaml:1: at params.w\\x1B[31m: ')).toBe(true);
    expect(r.err).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/);
  });

  it('a file that cannot be read, an unknown option and an unknown command: written out too', async () => {
    const missing = await cli(['run', 'gone\x1b]0;title\x07\u2066.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^exactprop: gone\\x1B\]0;title\\x07\\u2066\.yaml: cannot read the file/);
    const option = await cli(['run', 'x.yaml', '--for\x1bmat']);
    expect(option.code).toBe(2);
    expect(option.err).toMatch(/^exactprop: Unknown option '--for\\x1Bmat'/);
    const command = await cli(['r\u202eun']);
    expect(command.err).toMatch(/^exactprop: unknown command 'r\\u202Eun'/);
    for (const r of [missing, option, command]) expect(r.err).not.toMatch(/[\x1b\x07\u202e\u2066]/);
  });

  it('is written out in what derive prints about the spec, too', async () => {
    const r = await cli(['derive', evil, '--param', 'w5'], { [evil]: readFileSync(new URL('../examples/hw7-q2.yaml', import.meta.url), 'utf8') });
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('exactprop derive: spec\\x1B[2J\\u202Eevil.yaml');
    expect(r.out).not.toMatch(/[\x1b\u202e]/);
  });
});

describe('names that are properties of every JavaScript object', () => {
  it('are names like any other: a param `constructor` and a neuron `toString` train and print numbers', async () => {
    const spec = `model:
  inputs: [x]
  neurons:
    toString: relu(x * constructor + b)
  outputs: [toString]
params: { constructor: 1, b: 0.5 }
data: [ { x: 2, y: 3 } ]
loss: { sample: (y - toString)^2, reduce: mean }
training: { optimizer: sgd, lr: 0.1, epochs: 1 }
`;
    const r = await cli(['run', 'proto.yaml'], { 'proto.yaml': spec });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('native code');
    expect(r.out).not.toContain('function');
    // toString = relu(2 * 1 + 0.5) = 2.5; dL/dconstructor = -2 * (3 - 2.5) * 2 = -2; dL/db = -1.
    expect(r.out).toContain('= relu(2 * 1 + 0.5)\n               = 2.5');
    expect(r.out).toContain('final values: constructor = 1.2, b = 0.6');
    const d = await cli(['derive', 'proto.yaml', '--at', '1,1'], { 'proto.yaml': spec });
    expect(d.code).toBe(0);
    expect(d.out).not.toContain('native code');
    expect(d.out).toContain('dL/dconstructor at step 1 = (-2) = -2');
  });
});
