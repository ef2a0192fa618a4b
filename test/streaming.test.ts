// Every output format is written as the run goes (issue 10, "memory stays bounded for every output
// format"): the streamed output is byte for byte what the whole-trace printers write, the run keeps no
// more than its latest steps, a reader that closes the pipe ends the run at once, a non-blocking pipe
// loses nothing, and user text cannot turn into markup or terminal commands in any format.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, example } from './helpers/spec.js';
import { parseSpec } from '../src/spec/validate.js';
import { run, type Trace } from '../src/graph/run.js';
import { solution, streamed, type SolutionWriter } from '../src/render/solution.js';
import { solutionText, textWriter } from '../src/render/text.js';
import { documentWriter, solutionDocument } from '../src/render/solution-doc.js';
import { markdown, markdownSink } from '../src/render/markdown.js';
import { latex, latexSink } from '../src/render/latex.js';
import { html, htmlSink } from '../src/render/html.js';
import { escapeHtml, escapeLatex, escapeMarkdown, terminalSafe } from '../src/text/escape.js';
import type { Block } from '../src/render/document.js';
import { replaced } from './helpers/replaced.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'exactprop-streaming-'));

/** hw7 trained for `epochs` epochs (one step each), written beside the test's other files. */
function hw7For(epochs: number): string {
  const path = join(scratch, `hw7-${epochs}.yaml`);
  writeFileSync(path, replaced(example('hw7-q2.yaml'), /epochs: 2\n/, `epochs: ${epochs}\n`));
  return path;
}

describe('streamed output is what the whole-trace printers write', () => {
  it('hw7 and the XOR example: Markdown and HTML as committed, text and LaTeX as printed whole', async () => {
    for (const name of ['hw7-q2', 'xor-sigmoid-sgd']) {
      const path = `examples/${name}.yaml`;
      const md = await cli(['run', path, '--format', 'markdown']);
      expect(md.code).toBe(0);
      expect(md.out === example(`solutions/${name}.md`), `${name}: Markdown differs from examples/solutions/${name}.md`).toBe(true);

      const whole = solution(run(parseSpec(example(`${name}.yaml`), path)));
      const text = await cli(['run', path]);
      expect(text.out === solutionText(whole, { digits: 12 }), `${name}: text differs`).toBe(true);
      const tex = await cli(['run', path, '--format', 'latex', '--digits', '8']);
      expect(tex.out === latex(solutionDocument(whole, { digits: 8 })), `${name}: LaTeX differs`).toBe(true);
    }
    const page = await cli(['run', 'examples/hw7-q2.yaml', '--format', 'html']);
    expect(page.out === example('hw7-q2.html'), 'HTML differs from examples/hw7-q2.html').toBe(true);
  }, 60_000);

  it('a selection of steps prints the same as a held trace filtered, and names the run\'s real last step', async () => {
    const path = hw7For(5);
    const whole = run(parseSpec(replaced(example('hw7-q2.yaml'), /epochs: 2\n/, 'epochs: 5\n'), path));
    const keep = (s: { step: number }) => s.step === 2 || s.step === 5;
    const md = await cli(['run', path, '--format', 'markdown', '--steps', '2,last']);
    expect(md.out === markdown(solutionDocument(solution(whole, keep), { digits: 12 })), 'Markdown of --steps 2,last differs').toBe(true);
    const txt = await cli(['run', path, '--steps', '2,last']);
    expect(txt.out === solutionText(solution(whole, keep), { digits: 12 }), 'text of --steps 2,last differs').toBe(true);
    // Step 5 is the last and is shown: never "not shown above", and never a count of kept steps.
    const three = await cli(['run', path, '--format', 'markdown', '--steps', '1,3,last']);
    expect(three.out).toContain('The params before the first step and after the last (step 5):');
    const notLast = await cli(['run', path, '--format', 'markdown', '--steps', '1-3']);
    expect(notLast.out).toContain('(step 5, not shown above)');
  }, 60_000);
});

describe('a long run keeps one step in memory, in every format', () => {
  // A one-param run of 3,000 steps; writing every step of every format would take the test minutes
  // (typesetting, KaTeX), so each format writes a spread of steps while the run goes through all
  // (HTML enough of them to pass the megabyte it holds back before its head).
  const yaml = `model:\n  inputs: [x]\n  neurons:\n    yhat: relu(w*x + b)\nparams: { w: 0.5, b: 0.1 }\ndata: [ { x: 1, y: 2 } ]\n` +
    `loss: { sample: (y - yhat)^2 }\ntraining: { optimizer: sgd, lr: 0.01, momentum: 0.9, epochs: 3000 }\n`;
  const writers: Record<string, [(write: (t: string) => void) => SolutionWriter, number]> = {
    text: [(w) => textWriter(w, { digits: 12 }), 25],
    markdown: [(w) => documentWriter(markdownSink(w), { digits: 12 }), 50],
    latex: [(w) => documentWriter(latexSink(w), { digits: 12 }), 50],
    html: [(w) => documentWriter(htmlSink(w), { digits: 12 }), 100],
  };
  for (const [format, [make, every]] of Object.entries(writers)) {
    it(format, () => {
      const spec = parseSpec(yaml, 'long.yaml');
      let written = 0;
      let most = 0;
      let writtenAtHalf = -1;
      const stream = streamed(make((t) => (written += t.length)), (step) => step % every === 1 || step === 3000);
      const trace: Trace = run(spec, {
        ...stream,
        onStepDone: (s, t) => {
          stream.onStepDone!(s, t);
          most = Math.max(most, t.steps.length);
          if (s.step === 1500) writtenAtHalf = written;
        },
      });
      stream.end(trace);
      expect(trace.steps.map((s) => s.step)).toEqual([3000]);
      expect(most).toBeLessThanOrEqual(2);
      // Written as it went: half the run had written a good part of the output.
      expect(writtenAtHalf).toBeGreaterThan(written * 0.3);
      expect(written).toBeGreaterThan(0);
    }, 30_000);
  }

  it('HTML holds back at most a megabyte before its head, and embeds a font first used later where it is used', () => {
    let out = '';
    const sink = htmlSink((t) => (out += t));
    sink.begin('a long page');
    const filler: Block[] = Array.from({ length: 2000 }, (_, i) => ({ kind: 'paragraph', content: [`paragraph ${i} `.repeat(60)] }));
    sink.blocks(filler);
    expect(out.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(out.includes('KaTeX_Caligraphic;')).toBe(false);
    const headless = out.length;
    sink.blocks([{ kind: 'math', groups: [[{ lhs: '\\mathcal{L}', rel: '=', rhs: '1' }]] }]);
    sink.end();
    const late = out.slice(headless);
    expect(late.indexOf('<style>@font-face{font-display:block;font-family:KaTeX_Caligraphic')).toBeGreaterThanOrEqual(0);
    expect(late.indexOf('KaTeX_Caligraphic')).toBeLessThan(late.indexOf('<div class="display">'));
    expect(out.endsWith('</main>\n</body>\n</html>\n')).toBe(true);
    // The same blocks held whole: the font goes in the head, and nothing else differs in the body.
    const whole = html({ title: 'a long page', blocks: [...filler, { kind: 'math', groups: [[{ lhs: '\\mathcal{L}', rel: '=', rhs: '1' }]] }] });
    expect(whole.indexOf('KaTeX_Caligraphic')).toBeLessThan(whole.indexOf('<main>'));
    const body = (page: string) => page.slice(page.indexOf('<main>')).replace(/\n<style>[^]*?<\/style>/g, '');
    expect(body(out) === body(whole)).toBe(true);
  });
});

describe('the built command and its standard output', () => {
  beforeAll(() => {
    if (!existsSync(`${root}/dist/exactprop.cjs`)) execFileSync('node', ['scripts/build.mjs'], { cwd: root });
  });

  /** Runs the CLI with its stdout read by `reader`; resolves with the exit code, stderr and the time taken. */
  function runPiped(args: string[], reader: (out: NodeJS.ReadableStream, stop: () => void) => void, wrapper: string[] = []) {
    return new Promise<{ code: number | null; err: string; ms: number }>((resolve) => {
      const started = Date.now();
      const child = spawn(process.execPath, [...wrapper, 'dist/exactprop.cjs', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      reader(child.stdout, () => child.stdout.destroy());
      child.on('close', (code) => resolve({ code, err, ms: Date.now() - started }));
    });
  }

  it('a reader that closes after one line ends a 10,000-step run at once, quietly, with exit code 0', async () => {
    // Computing and printing all of it takes minutes; the reader leaves after the first line.
    const path = hw7For(10_000);
    for (const format of ['text', 'html']) {
      const r = await runPiped(['run', path, '--format', format], (out, stop) => {
        let seen = '';
        out.on('data', (d) => {
          seen += d;
          if (seen.includes('\n')) stop();
        });
      });
      expect({ format, code: r.code, err: r.err }).toEqual({ format, code: 0, err: '' });
      expect(r.ms).toBeLessThan(15_000);
    }
  }, 60_000);

  it('a pipe made non-blocking by another process loses nothing (EAGAIN is waited out)', async () => {
    const path = hw7For(40);
    const expected = (await cli(['run', path])).out;
    // The wrapper shares its stdout with the CLI, then makes that pipe non-blocking, as a sibling
    // process in a pipeline may; the reader is slow, so the pipe fills and writes are refused.
    const wrapper = join(scratch, 'nonblocking.mjs');
    writeFileSync(wrapper, [
      "import { spawn } from 'node:child_process';",
      "import net from 'node:net';",
      "const child = spawn(process.execPath, process.argv.slice(2), { stdio: 'inherit' });",
      'new net.Socket({ fd: 1, readable: false, writable: true });',
      'child.on(\'exit\', (code) => process.exit(code ?? 99));',
    ].join('\n'));
    const chunks: Buffer[] = [];
    const r = await runPiped(['run', path], (out) => {
      out.on('data', (d: Buffer) => {
        chunks.push(d);
        out.pause();
        setTimeout(() => out.resume(), 60);
      });
    }, [wrapper]);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    const got = Buffer.concat(chunks).toString('utf8');
    expect(got.length).toBe(expected.length);
    expect(got === expected).toBe(true);
  }, 60_000);
});

describe('user text is inert in every format', () => {
  const hostileTitle = '$\\int$ *b* <i>x</i> [a](http://x) \\input{/etc/passwd} 50% #1 ~ & _ ^ {} \u001b[31mRED\u202eevil!';
  const spec = `params: { x: 3 }\ndata: [ {} ]\nloss: { sample: "(x - 1)^2", reduce: sum }\ntraining:\n  optimizer:\n` +
    `    title: ${JSON.stringify(hostileTitle)}\n    hyperparameters: { lr: 0.1 }\n    update:\n      - p: p - lr*g\n  epochs: 1\n`;
  const files = { 'opt.yaml': spec };

  it('the escaping functions', () => {
    expect(terminalSafe('a\u001b[2Jb\u202ec\u2066d\u0085e\r\tf\ng')).toBe('a\\x1B[2Jb\\u202Ec\\u2066d\\x85e\\x0D\tf\ng');
    expect(escapeMarkdown('$x$ *y* [z](w) <b> `c` a|b #h ~s~ &amp; ![i]')).toBe('\\$x\\$ \\*y\\* \\[z\\](w) &lt;b&gt; \\`c\\` a\\|b \\#h \\~s\\~ \\&amp; \\!\\[i\\]');
    expect(escapeLatex('\\input{x} $ & # ^ _ % ~')).toBe('\\textbackslash{}input\\{x\\} \\$ \\& \\# \\textasciicircum{} \\_ \\% \\textasciitilde{}');
    expect(escapeHtml('<script>"&"</script>\u202e')).toBe('&lt;script&gt;&quot;&amp;&quot;&lt;/script&gt;\\u202E');
  });

  it('Markdown: no live math, emphasis, link or tag from a custom optimizer\'s title', async () => {
    const r = await cli(['run', 'opt.yaml', '--format', 'markdown'], files);
    expect(r.code).toBe(0);
    expect(r.out).toContain('### \\$\\\\int\\$ \\*b\\* &lt;i&gt;x&lt;/i&gt; \\[a\\](http://x) \\\\input{/etc/passwd} 50% \\#1 \\~ \\& \\_ ^ {} \\\\x1B\\[31mRED\\\\u202Eevil\\! update, $t = 1$');
    expect(r.out).not.toMatch(/[\u001b\u202e]|<i>/);
  });

  it('LaTeX: no command, group or math mode from it', async () => {
    const r = await cli(['run', 'opt.yaml', '--format', 'latex'], files);
    expect(r.code).toBe(0);
    expect(r.out).toContain('\\subsubsection*{\\$\\textbackslash{}int\\$ *b* $<$i$>$x$<$/i$>$ [a](http://x) \\textbackslash{}input\\{/etc/passwd\\} 50\\% \\#1 \\textasciitilde{} \\& \\_ \\textasciicircum{} \\{\\} \\textbackslash{}x1B[31mRED\\textbackslash{}u202Eevil! update, $t = 1$}');
    expect(r.out).not.toContain('\\input{');
  });

  it('HTML: no tag, and no control or bidi character', async () => {
    const r = await cli(['run', 'opt.yaml', '--format', 'html'], files);
    expect(r.code).toBe(0);
    expect(r.out).toContain('<h3>$\\int$ *b* &lt;i&gt;x&lt;/i&gt; [a](http://x) \\input{/etc/passwd} 50% #1 ~ &amp; _ ^ {} \\x1B[31mRED\\u202Eevil! update, ');
    expect(r.out).not.toMatch(/[\u001b\u202e]|<i>x/);
  });

  it('text and JSON: control and bidi characters written out, not obeyed', async () => {
    const text = await cli(['run', 'opt.yaml'], files);
    expect(text.code).toBe(0);
    expect(text.out).toContain('\\x1B[31mRED\\u202Eevil! update (t = 1)');
    expect(text.out).not.toMatch(/[\u001b\u202e]/);
    const json = await cli(['run', 'opt.yaml', '--format', 'json'], files);
    expect(json.out).not.toMatch(/[\u001b\u202e]/);
    expect(JSON.parse(json.out).optimizer.title).toBe(hostileTitle);
  });
});
