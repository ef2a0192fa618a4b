// A class's answers, whatever they were written in: one sheet per student, each an answers text in the
// format `check` reads (YAML shaped like the JSON trace), with the student's id and where the sheet
// came from, so that a problem with it is located where the grader can fix it.
import { InputError } from '../spec/errors.js';

export interface Sheet {
  id: string;
  /** The answers text check grades. */
  text: string;
  /** Where a problem in it is shown: the student's file, or the class's CSV and the row's line. */
  file: string;
  line?: number;
  /** For a sheet made from a CSV row: the column's heading for each quantity path it holds, so that a
   *  problem with a value is shown at its cell. */
  columns?: Map<string, string>;
}

/** A sheet that could not be read: graded as its error, the rest of the class still is. */
export interface UnreadSheet {
  id: string;
  error: InputError;
}

export interface ClassAnswers {
  /** The CSV file or the folder. */
  source: string;
  sheets: Array<Sheet | UnreadSheet>;
  /** The quantities the class was asked for: a CSV's columns (their paths as check writes them); for a
   *  folder of files, undefined: the quantities any file answers. */
  asked?: string[];
}

export const isUnread = (s: Sheet | UnreadSheet): s is UnreadSheet => 'error' in s;

/** A folder's answers files (or any list of them): each student's id is the file's name without its
 *  folder and extension, which must be unique. */
export function classOfFiles(source: string, files: Array<{ file: string; text: string } | { file: string; error: InputError }>): ClassAnswers {
  const seen = new Map<string, string>();
  const sheets = files.map((f): Sheet | UnreadSheet => {
    const id = idOfFile(f.file);
    const before = seen.get(id);
    if (before !== undefined) throw new InputError(f.file, '', `two answers files are named '${id}' (also ${before}): a student's id is the file's name without its extension`);
    seen.set(id, f.file);
    return 'error' in f ? { id, error: f.error } : { id, text: f.text, file: f.file };
  });
  return { source, sheets };
}

export function idOfFile(file: string): string {
  const name = file.split(/[\\/]/).pop() ?? file;
  return name.replace(/\.(ya?ml|json)$/i, '');
}
