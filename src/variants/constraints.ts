// The constraints every variant must meet (`variants.constraints`), checked on its run: kinks decided
// with a margin (or never met exactly), values friendly by hand, bounded magnitudes, the loss going
// down, and conditions over the quantities. Each is a named check that says why a draw failed, so that
// a variant that cannot be made names the constraint that stands in the way.
import { ExactDecimal } from '../numeric/context.js';
import { InputError } from '../spec/errors.js';
import type { RawVariants } from '../spec/schema.js';
import { lineOf, type ReadDocument } from '../spec/yaml.js';
import { ConditionError, parseCondition, type Condition } from './conditions.js';
import { kinkDistances, matching, normalPath, patternMatcher, type Quantities } from './quantities.js';

type D = InstanceType<typeof ExactDecimal>;
const exact = (v: { toString(): string }): D => new ExactDecimal(v.toString());

/** One constraint: its name (for a report of what failed) and its test on a variant's quantities,
 *  which gives why it fails, or undefined when it holds. */
export interface Constraint {
  name: string;
  fails: (q: Quantities) => string | undefined;
}

export interface ConstraintContext {
  doc: ReadDocument;
  /** Whether the batch is full (epochN names step N). */
  full: boolean;
  /** The working precision: a value with fewer significant digits did not need rounding. */
  precision: number;
  /** The asked patterns: the quantities friendly values are about unless `of` says otherwise. */
  ask: string[];
  /** The base spec's quantities: paths in conditions and patterns are checked against them. */
  base: Quantities;
}

/** The constraints of a `variants:` section, every pattern and condition checked against the base run
 *  (an unknown path is an input error at its line, before any variant is drawn). */
export function constraintsOf(section: RawVariants, c: ConstraintContext): Constraint[] {
  const out: Constraint[] = [];
  const spec = section.constraints ?? {};
  const fail = (path: string, message: string): never => {
    throw new InputError(c.doc.file, path, message, lineOf(c.doc, path));
  };
  const patterns = (list: string[] | undefined, path: string, fallback: string[]) => {
    const ps = list ?? fallback;
    ps.forEach((p, i) => {
      const test = patternMatcher(p, c.full);
      if (!c.base.list.some((x) => test(x.path))) fail(list ? `${path}[${i + 1}]` : path, `'${p}' names no quantity of the training (paths as answers files write them: ${c.full ? 'epoch1' : 'step1'}.sample1.h1, ${c.full ? 'epoch1' : 'step1'}.params.w1, final.loss.total)`);
    });
    return ps;
  };

  if (spec.kinks !== undefined) {
    const margin = spec.kinks === 'none' ? undefined : exact(spec.kinks.margin);
    if (margin && margin.lt(0)) fail('variants.constraints.kinks.margin', 'a margin is 0 or more');
    out.push({
      name: spec.kinks === 'none' ? 'kinks: none' : `kinks: margin ${spec.kinks.margin}`,
      fails: (q) => {
        for (const k of kinkDistances(q)) {
          const d = exact(k.distance);
          if (margin ? d.lt(margin) : d.isZero()) return `${k.path}: ${k.call} is ${d.toString()} from its corner`;
        }
        return undefined;
      },
    });
  }

  const friendly = spec.friendly;
  if (friendly) {
    const of = patterns(friendly.of, 'variants.constraints.friendly.of', c.ask);
    if (!friendly.of && !c.ask.length) fail('variants.constraints.friendly', 'say which quantities must be friendly (of: [...]) or which are asked');
    const digits = friendly.digits !== undefined ? Number(friendly.digits) : undefined;
    const decimals = friendly.decimals !== undefined ? Number(friendly.decimals) : undefined;
    out.push({
      name: `friendly${digits !== undefined ? ` digits ${digits}` : ''}${decimals !== undefined ? ` decimals ${decimals}` : ''}${friendly.terminating ? ' terminating' : ''}`,
      fails: (q) => {
        for (const x of matching(q, of, c.full)) {
          const v = exact(x.value);
          if (v.isZero()) continue;
          // Read at the working precision: a value that needed rounding fills it.
          if (friendly.terminating && v.sd() >= c.precision) return `${x.path} = ${v.toString()} is not a terminating decimal`;
          if (digits !== undefined && v.sd() > digits) return `${x.path} = ${v.toString()} has more than ${digits} significant digits`;
          if (decimals !== undefined && v.decimalPlaces() > decimals) return `${x.path} = ${v.toString()} has more than ${decimals} decimal places`;
        }
        return undefined;
      },
    });
  }

  if (spec.bounded) {
    const max = exact(spec.bounded.max_abs);
    const of = spec.bounded.of ? patterns(spec.bounded.of, 'variants.constraints.bounded.of', []) : ['**'];
    const all = !spec.bounded.of;
    out.push({
      name: `bounded by ${spec.bounded.max_abs}`,
      fails: (q) => {
        for (const x of all ? q.list : matching(q, of, c.full)) {
          if (exact(x.value).abs().gt(max)) return `${x.path} = ${x.value.toString()} is larger than ${spec.bounded!.max_abs}`;
        }
        return undefined;
      },
    });
  }

  if (spec.loss_decreasing) {
    out.push({
      name: 'loss decreasing',
      fails: (q) => {
        const losses = q.list.filter((x) => /^(?:(?:epoch|step)\d+|final)\.loss\.total$/.test(x.path));
        for (let i = 1; i < losses.length; i++) {
          if (!exact(losses[i]!.value).lt(exact(losses[i - 1]!.value))) return `${losses[i]!.path} = ${losses[i]!.value.toString()} is not below ${losses[i - 1]!.path} = ${losses[i - 1]!.value.toString()}`;
        }
        return undefined;
      },
    });
  }

  (spec.conditions ?? []).forEach((text, i) => {
    const at = `variants.constraints.conditions[${i + 1}]`;
    let condition: Condition;
    try {
      condition = parseCondition(text, (p) => normalPath(p, c.full));
    } catch (e) {
      if (e instanceof ConditionError) fail(at, `in the condition '${text}': ${e.message}`);
      throw e;
    }
    for (const p of condition!.paths) if (!c.base.byPath.has(p)) fail(at, `'${p}' is no quantity of the training (paths as answers files write them: ${c.full ? 'epoch1' : 'step1'}.loss.total, final.sample1.yhat)`);
    out.push({
      name: `condition ${text}`,
      fails: (q) => {
        try {
          return condition.holds((p) => exact(q.byPath.get(p)!.value)) ? undefined : `${text} is false`;
        } catch (e) {
          if (e instanceof ConditionError) return `${text}: ${e.message}`;
          throw e;
        }
      },
    });
  });
  return out;
}
