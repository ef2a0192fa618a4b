// Every example spec (examples/*.yaml that says how to train; not the answers sheets kept beside them) and
// every PyTorch fixture spec (test/fixtures/torch/specs/*.yaml): the one list the tests that run "all specs"
// share, so that none of them misses a spec the others see.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readDataFile } from '../../src/cli/files.js';
import { parseSpec } from '../../src/spec/validate.js';
import type { Spec } from '../../src/spec/model.js';

type ReadOptions = NonNullable<Parameters<typeof parseSpec>[2]>;

export interface SpecFile {
  /** The file's name without `.yaml`: `hw7-q2`. */
  name: string;
  /** The file's name: `hw7-q2.yaml`. */
  file: string;
  /** Its path from the repository's root, with forward slashes: `examples/hw7-q2.yaml` (what the CLI is given). */
  relative: string;
  /** Its absolute path on this machine. */
  path: string;
  text: string;
  /** Serves a data file the spec names (`data: rows.csv`), from beside the spec, as the CLI does. */
  readDataFile: (relativePath: string, maxBytes: number) => string;
  /** The spec parsed from its own path, its data files read from beside it. */
  load: (options?: Omit<ReadOptions, 'readDataFile'>) => Spec;
}

const root = new URL('../../', import.meta.url);

/** A spec has a model; the other YAML files in examples/ (answers for `check`) do not. */
const isSpec = (text: string) => /^model:/m.test(text);

function specsIn(folder: string): SpecFile[] {
  const dir = new URL(`${folder}/`, root);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file): SpecFile => {
      const path = fileURLToPath(new URL(file, dir));
      const text = readFileSync(path, 'utf8');
      const readData = (relativePath: string, maxBytes: number) => readDataFile(path, relativePath, maxBytes);
      return {
        name: file.replace(/\.yaml$/, ''),
        file,
        relative: `${folder}/${file}`,
        path,
        text,
        readDataFile: readData,
        load: (options = {}) => parseSpec(text, path, { ...options, readDataFile: readData }),
      };
    })
    .filter((s) => isSpec(s.text));
}

/** The specs in examples/, by file name. */
export const exampleSpecs = (): SpecFile[] => specsIn('examples');
/** The specs in test/fixtures/torch/specs/, by file name (each has its torch.optim results in expected.json). */
export const fixtureSpecs = (): SpecFile[] => specsIn('test/fixtures/torch/specs');
/** Every example spec, then every fixture spec. */
export const allSpecs = (): SpecFile[] => [...exampleSpecs(), ...fixtureSpecs()];
