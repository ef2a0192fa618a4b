// The values a class's files compute from their students' values, shared between those files.
import type { Dec } from '../numeric/context.js';

/**
 * Hash-consed results. A node computed from a student's values is a pure function of the node (its
 * formula, with the derivative branches the student's activations decide) and of its inputs: written
 * texts, the graph's own values, or results of the same kind. Each distinct computation gets a number,
 * and students of one class share most of theirs. Bounded: a class that fills it starts it afresh.
 */
export class SharedResults {
  private ids = new Map<string, number>();
  values: Dec[] = [];
  kinks: boolean[] = [];
  static readonly LIMIT = 1_000_000;

  find(key: string): number | undefined {
    return this.ids.get(key);
  }

  /** Between files only: a file's keys refer to numbers of this table. */
  trim(): void {
    if (this.values.length < SharedResults.LIMIT) return;
    this.ids = new Map();
    this.values = [];
    this.kinks = [];
  }

  add(key: string, value: Dec, kink: boolean): number {
    const id = this.values.length;
    this.ids.set(key, id);
    this.values.push(value);
    this.kinks.push(kink);
    return id;
  }
}
