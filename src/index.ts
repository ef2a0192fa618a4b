// exactprop as a library: read a spec, train it exactly, derive, check hand calculations, print a worked
// solution. The command line is made of these functions and nothing else of src/ (its commands only read
// flags, files and the terminal): plain values out (the JSON contract: values as decimal strings), and
// runStream writing a run's output to a sink as the run goes. This entry imports no Node built-in,
// so a browser bundler can use it; reading files sits in 'exactprop/node'. Importing it changes no
// global state but one: it provides the readers a spec may need (spec/readers.ts), so that reading is
// synchronous whatever the spec.
//
// Each part of the library is a module of its own (src/library/), so that what uses one part loads that
// part alone: the command line's `run` loads run.ts without checking, grading or variants, and a
// browser's bundle takes what it imports. This entry is all of them.
import './spec/all-readers.js';
export * from './library/run.js';
export * from './library/derive.js';
export * from './library/check.js';
export * from './library/grade.js';
export * from './library/variants.js';
export * from './library/vocabulary.js';
