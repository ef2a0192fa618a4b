// Reading Cloze NUMERICAL blanks back out of a Moodle question's text, for the variants tests.

export interface ClozeAnswer { fraction: number; value: string; tolerance: string; feedback: string }

/** Reads Cloze NUMERICAL blanks as Moodle's documentation gives the syntax: {weight:NUMERICAL:answers},
 *  answers separated by ~, each `=` (100%) or `%N%`, then value:tolerance, then #feedback; \ escapes
 *  } # ~ / " \ in feedback. Written here from the syntax, not from the code under test. */
export function readCloze(text: string): ClozeAnswer[][] {
  const blanks: ClozeAnswer[][] = [];
  let i = 0;
  while ((i = text.indexOf('{1:NUMERICAL:', i)) >= 0) {
    i += '{1:NUMERICAL:'.length;
    const answers: string[] = [''];
    for (; text[i] !== '}'; i++) {
      const last = answers.length - 1;
      if (text[i] === '\\') answers[last] = answers[last]! + text[i] + text[++i]!;
      else if (text[i] === '~') answers.push('');
      else answers[last] = answers[last]! + text[i]!;
    }
    blanks.push(answers.map((a) => {
      const m = /^(=|%(\d+)%)(-?[\d.]+):([\d.]+)(?:#(.*))?$/s.exec(a);
      if (!m) throw new Error(`not a NUMERICAL answer: ${a}`);
      return { fraction: m[1] === '=' ? 100 : Number(m[2]), value: m[3]!, tolerance: m[4]!, feedback: (m[5] ?? '').replace(/\\(.)/g, '$1') };
    }));
  }
  return blanks;
}
