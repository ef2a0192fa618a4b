// A copy of src/ in a temporary folder that resolves the project's packages, for the tests that show
// "adding X is one entry in one file": they edit that one file of the copy, then import the copy.
import { cpSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/** The folder of a fresh copy of src/ (remove it when done). */
export function copyOfSource(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `exactprop-${label}-`));
  cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
  // The copy resolves its packages (mathjs, zod, decimal.js) as the project does.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  return dir;
}
