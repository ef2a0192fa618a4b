// The floor for the dense benchmarks: a straight-line decimal.js loop doing the same arithmetic as the
// engine (forward pass, MSE, backpropagation, Adam) with no graph, no symbols and no trace. The engine
// is measured against this.
import Decimal from 'decimal.js';

export interface FloorNet {
  sizes: number[];
  activations: string[];
  /** W[l][j][i] and b[l][j] as text. */
  W: string[][][];
  b: string[][];
  x: string[][];
  y: string[][];
  steps: number;
  lr: string;
}

export function floorTrain(net: FloorNet, precision: number, exp: (x: Decimal) => Decimal = (x) => x.exp()): Decimal[][][] {
  const D = Decimal.clone({ precision, rounding: Decimal.ROUND_HALF_EVEN });
  const zero = new D(0), one = new D(1), two = new D(2);
  const W = net.W.map((l) => l.map((r) => r.map((v) => new D(v))));
  const b = net.b.map((l) => l.map((v) => new D(v)));
  const X = net.x.map((r) => r.map((v) => new D(v)));
  const Y = net.y.map((r) => r.map((v) => new D(v)));
  const L = W.length;
  // decimal.js's own functions, as a straight-line program would call them: tanh is decimal.js's tanh,
  // sigmoid is 1 / (1 + exp(-z)) on its exp.
  const act = (a: string, z: Decimal): Decimal =>
    a === 'relu' ? (z.gt(0) ? z : zero) : a === 'tanh' ? z.tanh() : a === 'sigmoid' ? one.div(one.plus(exp(z.neg()))) : z;
  const actPrime = (a: string, z: Decimal, h: Decimal): Decimal =>
    a === 'relu' ? (z.gt(0) ? one : zero) : a === 'tanh' ? one.minus(h.times(h)) : a === 'sigmoid' ? h.times(one.minus(h)) : one;
  const beta1 = new D('0.9'), beta2 = new D('0.999'), eps = new D('1e-8'), lr = new D(net.lr);
  const mW = W.map((l) => l.map((r) => r.map(() => zero))), vW = W.map((l) => l.map((r) => r.map(() => zero)));
  const mb = b.map((l) => l.map(() => zero)), vb = b.map((l) => l.map(() => zero));
  const n = new D(X.length);
  const K = new D(net.sizes[net.sizes.length - 1]!);
  for (let t = 1; t <= net.steps; t++) {
    const gW = W.map((l) => l.map((r) => r.map(() => zero)));
    const gb = b.map((l) => l.map(() => zero));
    for (let s = 0; s < X.length; s++) {
      const hs: Decimal[][] = [X[s]!];
      const zs: Decimal[][] = [];
      for (let l = 0; l < L; l++) {
        const z = W[l]!.map((row, j) => row.reduce((acc, w, i) => acc.plus(w.times(hs[l]![i]!)), b[l]![j]!));
        zs.push(z);
        hs.push(z.map((zj) => act(net.activations[l]!, zj)));
      }
      let delta = hs[L]!.map((o, k) => o.minus(Y[s]![k]!).times(two).div(K).div(n)); // dL/do
      for (let l = L - 1; l >= 0; l--) {
        const dz = delta.map((d, j) => d.times(actPrime(net.activations[l]!, zs[l]![j]!, hs[l + 1]![j]!)));
        dz.forEach((d, j) => {
          gb[l]![j] = gb[l]![j]!.plus(d);
          hs[l]!.forEach((h, i) => { gW[l]![j]![i] = gW[l]![j]![i]!.plus(d.times(h)); });
        });
        if (l > 0) delta = hs[l]!.map((_, i) => dz.reduce((acc, d, j) => acc.plus(d.times(W[l]![j]![i]!)), zero));
      }
    }
    const c1 = one.minus(beta1.pow(t)), c2 = one.minus(beta2.pow(t));
    const adam = (p: Decimal, g: Decimal, m: Decimal, v: Decimal): [Decimal, Decimal, Decimal] => {
      const m2 = beta1.times(m).plus(one.minus(beta1).times(g));
      const v2 = beta2.times(v).plus(one.minus(beta2).times(g.times(g)));
      return [p.minus(lr.times(m2.div(c1)).div(v2.div(c2).sqrt().plus(eps))), m2, v2];
    };
    for (let l = 0; l < L; l++) {
      W[l]!.forEach((row, j) => row.forEach((w, i) => { [W[l]![j]![i], mW[l]![j]![i], vW[l]![j]![i]] = adam(w, gW[l]![j]![i]!, mW[l]![j]![i]!, vW[l]![j]![i]!); }));
      b[l]!.forEach((bj, j) => { [b[l]![j], mb[l]![j], vb[l]![j]] = adam(bj, gb[l]![j]!, mb[l]![j]!, vb[l]![j]!); });
    }
  }
  return [W.map((l) => l.flat()), b];
}
