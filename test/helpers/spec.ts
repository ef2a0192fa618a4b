// Helpers for tests: build and run specs from YAML text, run the CLI in-process.
import { parseSpec } from '../../src/spec/validate.js';
import { run, type Trace } from '../../src/graph/run.js';
import { main } from '../../src/cli/main.js';
import { readFileSync } from 'node:fs';

export function runYaml(yaml: string, overrides: { precision?: number } = {}): Trace {
  return run(parseSpec(yaml, 'test.yaml', overrides));
}

export function example(name: string): string {
  return readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8');
}

/** The value of a step-level quantity, as a decimal string. */
export function at(trace: Trace, step: number, name: string): string {
  const v = trace.steps[step - 1]!.values.get(name);
  if (!v) throw new Error(`no ${name} at step ${step}`);
  return v.toString();
}

/** Runs the CLI in-process with the given files (path -> content); `io.errIsTTY` makes stderr a terminal. */
export async function cli(argv: string[], files: Record<string, string> = {}, io: { errIsTTY?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    readFile: (p) => {
      if (p in files) return files[p]!;
      return readFileSync(p, 'utf8');
    },
    ...io,
  });
  return { code, out, err };
}

/** A one-parameter spec with no inputs: minimise `loss` over x, as the framework docs' examples do. */
export function scalarSpec(loss: string, x: string, training: string, extra = ''): string {
  return `params: { x: ${x} }\ndata: [ {} ]\nloss: { sample: "${loss}", reduce: sum }\ntraining: ${training}\n${extra}`;
}

/** The located message (file:line: at path: why) of the input error `f` throws, whichever copy of the
 *  project's InputError it is (the registry tests run a copy of src/). */
export function located(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as { located(): string }).located();
  }
  throw new Error('expected an input error');
}
