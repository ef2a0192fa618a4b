// The command line reads files as the library's Node entry does (src/node/files.ts holds the rules).
export { cannotRead, decodeText, readDataFile, readTextFile } from '../node/files.js';
