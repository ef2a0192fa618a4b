// `exactprop derive` within its budget: the expanded form (every neuron substituted into the loss) can
// double per neuron, so its size is counted before it is built and a spec over limits.deriveNodes is
// refused at once, with the limit named and how to raise it; a small spec derives as it always did.
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/spec.js';
import { exampleSpecs } from './helpers/specs.js';
import { derivatives, expand, expandedSize, printedSize } from '../src/graph/derive.js';
import { parseSpec } from '../src/spec/validate.js';
import { LimitError } from '../src/spec/limits.js';
import { run } from '../src/graph/run.js';
import { childrenOf } from '../src/symbolic/tree.js';
import type { Node } from '../src/symbolic/build.js';

/** A chain of `n` neurons: with `doubling`, each uses the one before twice (h_k = h_{k-1} * w_k + h_{k-1}). */
function chain(n: number, doubling: boolean): string {
  const neurons = Array.from({ length: n }, (_, i) => {
    const prev = i === 0 ? 'x' : `h${i}`;
    return `    h${i + 1}: ${doubling ? `${prev} * w${i + 1} + ${prev}` : `relu(${prev} * w${i + 1})`}`;
  });
  const params = Array.from({ length: n }, (_, i) => `w${i + 1}: 1`).join(', ');
  return `model:\n  inputs: [x]\n  neurons:\n${neurons.join('\n')}\nparams: { ${params} }\ndata: [ { x: 1, y: 2 } ]\n` +
    `loss: { sample: (y - h${n})^2, reduce: mean }\ntraining: { optimizer: sgd, lr: 0.1, epochs: 1 }\n`;
}

describe('derive on a spec whose expanded form is too large', () => {
  it('refuses 25 chained neurons at once (2^25 copies), naming the limit and the flag', async () => {
    const started = Date.now();
    const r = await cli(['derive', 'chain.yaml'], { 'chain.yaml': chain(25, true) });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe('exactprop: chain.yaml: the expanded form of the loss (every neuron substituted into it) would have 134,217,730 nodes: ' +
      'more than the limit of 200,000 nodes of the expanded derivative (raise it with --max-derive-nodes N or limits.derive_nodes in the spec)\n');
  });

  it('takes the limit from --max-derive-nodes, or from the spec\'s limits.derive_nodes (the flag wins)', async () => {
    const low = await cli(['derive', 'examples/hw7-q2.yaml', '--max-derive-nodes', '20']);
    expect(low.code).toBe(2);
    expect(low.err).toMatch(/^exactprop: examples\/hw7-q2\.yaml: the expanded form of the loss \(every neuron substituted into it\) would have 30 nodes: more than the limit of 20 nodes/);
    const spec = `${chain(3, false)}limits: { derive_nodes: 10 }\n`;
    const fromSpec = await cli(['derive', 's.yaml'], { 's.yaml': spec });
    expect(fromSpec.code).toBe(2);
    expect(fromSpec.err).toContain('more than the limit of 10 nodes of the expanded derivative');
    const raised = await cli(['derive', 's.yaml', '--max-derive-nodes', '1000'], { 's.yaml': spec });
    expect(raised.err).toBe('');
    expect(raised.code).toBe(0);
    const bad = await cli(['derive', 's.yaml', '--max-derive-nodes', 'many'], { 's.yaml': spec });
    expect(bad.code).toBe(2);
    expect(bad.err.split('\n')[0]).toBe("exactprop: --max-derive-nodes takes a whole number from 1 to 1000000000000, got 'many'");
  });

  it('counts the derivative too, which can outgrow what it differentiates', () => {
    // A chain of relus: the loss is linear in the chain's length, its derivative quadratic.
    const spec = parseSpec(chain(60, false), 'c.yaml');
    const loss = expandedSize(spec).nodes;
    expect(loss).toBeLessThan(1000);
    expect(() => derivatives(spec, 'w1', { maxNodes: 1000 })).toThrow(LimitError);
    expect(() => derivatives(spec, 'w1', { maxNodes: 1000 })).toThrow(/the expanded derivative dloss\/dw1 would have [\d,]+ nodes: more than the limit of 1,000 nodes/);
  });

  it('refuses an expansion nested too deep to write out, before building it', async () => {
    const r = await cli(['derive', 'deep.yaml', '--max-derive-nodes', '1000000000'], { 'deep.yaml': chain(300, false) });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^exactprop: deep\.yaml: the expanded form of the loss \(every neuron substituted into it\) would nest [\d,]+ levels deep, more than the 500 levels it can be written with/);
  });
});

describe('derive within the budget', () => {
  it('prints a small spec exactly as before', async () => {
    const r = await cli(['derive', 'examples/hw7-q2.yaml', '--param', 'w5']);
    expect(r.code).toBe(0);
    expect(r.out).toContain([
      '== dL/dw5 ==',
      'chain rule',
      '  dL/dw5 = sum over the samples of dL/dloss * dloss/dyhat * dyhat/dw5 + dpenalty/dw5',
      '  where',
      '    dL/dloss = 1 / n',
      '    dloss/dyhat = -(2 * (y - yhat))',
      '    dyhat/dw5 = heaviside(h1 * w5 + h2 * w6 + b) * h1',
      '    dpenalty/dw5 = 2 * lambda * w5',
      "expanded: one sample's loss with the neurons substituted, differentiated as a whole",
      '  loss = (y - relu(relu(i1 * w1 + i2 * w2 + b1) * w5 + relu(i1 * w3 + i2 * w4 + b2) * w6 + b)) ^ 2',
      '  dloss/dw5 = -(2 * (y - relu(relu(i1 * w1 + i2 * w2 + b1) * w5 + relu(i1 * w3 + i2 * w4 + b2) * w6 + b)) * heaviside(relu(i1 * w1 + i2 * w2 + b1) * w5 + relu(i1 * w3 + i2 * w4 + b2) * w6 + b) * relu(i1 * w1 + i2 * w2 + b1))',
      '  dL/dw5 = sum over the samples of dL/dloss * dloss/dw5 + dpenalty/dw5',
    ].join('\n'));
  });

  it('derives a chain of 10 doubling neurons (a few thousand nodes) within the default limit', async () => {
    const r = await cli(['derive', 'chain.yaml', '--param', 'w10'], { 'chain.yaml': chain(10, true) });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('== dL/dw10 ==');
    expect(r.out).toContain('  dloss/dw10 = -(2 * (y - (');
  });

  it('counts the expanded loss exactly as it is then built, for every example', () => {
    for (const { file, text } of exampleSpecs()) {
      const spec = parseSpec(text, file);
      expect(expandedSize(spec).nodes, file).toBe(printedSize(expand(spec)));
    }
  });
});

// Each equation of a run (a neuron, its adjoint, a gradient share) is held to limits.equationNodes,
// counted as a printer meets its nodes: a subtree the equation shares by reference counts at every
// place it occurs. Derivatives share subtrees heavily, so the count is made once per distinct node.
describe('an equation over limits.equation_nodes is refused before the run', () => {
  /** Nodes of `tree` as a printer meets them: every occurrence, shared or not. */
  function occurrences(tree: Node): number {
    let count = 0;
    const stack = [tree];
    while (stack.length > 0) {
      const n = stack.pop()!;
      count++;
      stack.push(...childrenOf(n));
    }
    return count;
  }

  it('at the largest equation\'s count exactly: one node fewer is refused, naming it', () => {
    // A product of eight factors that each depend on w: its adjoints repeat each other's subtrees.
    const text = `model:\n  inputs: [x]\n  neurons:\n    h: (w*x + 1) * (w*x + 2) * (w*x + 3) * (w*x + 4) * (w*x + 5) * (w*x + 6) * (w*x + 7) * (w*x + 8)\n` +
      `params: { w: 0.5 }\ndata: [ { x: 1, y: 2 } ]\nloss: { sample: (y - h)^2, reduce: mean }\ntraining: { optimizer: sgd, lr: 0.01, epochs: 1 }\n`;
    const largest = Math.max(...run(parseSpec(text, 'p.yaml')).sampleEquations.map((e) => occurrences(e.formula)));
    expect(largest).toBeGreaterThan(100);
    const at = (limit: number) => () => run(parseSpec(text.replace('model:', `limits: { equation_nodes: ${limit} }\nmodel:`), 'p.yaml'));
    expect(at(largest)).not.toThrow();
    expect(at(largest - 1)).toThrow(LimitError);
    expect(at(largest - 1)).toThrow(/^the equation .+: more than the limit of [\d,]+ nodes of one equation/);
  });
});
