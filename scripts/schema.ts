// Writes schema/exactprop.schema.json from the validator (npm run schema). A test checks that the
// committed file is what this writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { specJsonSchema } from '../src/spec/json-schema.js';

mkdirSync('schema', { recursive: true });
writeFileSync('schema/exactprop.schema.json', JSON.stringify(specJsonSchema(), null, 2) + '\n');
