// Every test file starts with the optional readers provided (spec/readers.ts: the `yaml` package and
// csv-parse), as the library's entries provide them: tests import the library's modules one by one
// (src/spec/validate.ts, src/spec/yaml.ts...), which, like the command line's run, leave them out.
// The command line's own loading of them when a spec needs one is tested through the built CLI
// (test/cli-layers.test.ts).
import '../../src/spec/all-readers.js';
