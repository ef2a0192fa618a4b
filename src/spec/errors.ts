// Input errors: what a user must fix. They carry where (file, key path, line) and are printed
// without a stack trace; the CLI exits with code 2 for them.
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'InputError';
  }
  /** `file:line: at key.path: message`, the way compilers locate errors. */
  located(): string {
    const where = this.line !== undefined ? `${this.file}:${this.line}` : this.file;
    return this.path ? `${where}: at ${this.path}: ${this.message}` : `${where}: ${this.message}`;
  }
}
