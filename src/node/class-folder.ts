// A class as a folder of answers files, one per student (YAML or JSON, the format `check` reads), the
// file's name its student's id. Only the folder's own regular files ending in .yaml, .yml or .json are
// read, in the order of their names, each as any answers file is (bounded, UTF-8, no device or pipe);
// one that cannot be read is graded as its error. The count is bounded before any is read. The spec and
// the points scheme may sit in the same folder: the files named in `skip` are not a student's.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError, LimitError, type Limits } from '../library/run.js';
import { classOfFiles, type ClassAnswers } from '../library/grade.js';
import { limitsOf } from '../limits/limits.js';
import { cannotRead, readInputFile, type FileReader } from './files.js';

export const ANSWERS_FILE = /\.(ya?ml|json)$/i;

export function readClassFolder(folder: string, options: { limits?: Partial<Limits>; files?: FileReader; skip?: string[] } = {}): ClassAnswers {
  const skip = new Set((options.skip ?? []).map((p) => resolve(p)));
  let names: string[];
  try {
    names = readdirSync(folder, { withFileTypes: true }).filter((e) => !e.isDirectory() && ANSWERS_FILE.test(e.name) && !skip.has(resolve(folder, e.name))).map((e) => e.name);
  } catch (e) {
    throw new InputError(folder, '', cannotRead(e));
  }
  // By code point, the same on every machine (a locale's collation is not).
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) throw new InputError(folder, '', 'the folder holds no answers file (.yaml, .yml or .json), one per student');
  const most = limitsOf(options.limits).students;
  if (names.length > most) throw new LimitError('students', folder, '', `the folder holds ${names.length.toLocaleString('en-US')} answers files`, most);
  const files = names.map((name) => {
    const file = join(folder, name);
    try {
      return { file, text: readInputFile(file, { ...(options.files ? { files: options.files } : {}), ...(options.limits ? { limits: options.limits } : {}) }) };
    } catch (e) {
      if (e instanceof InputError) return { file, error: e };
      throw e;
    }
  });
  return classOfFiles(folder, files);
}
