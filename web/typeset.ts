// Typesetting the formulas the worker left as TeX placeholders (<span class="tex">): those in view at
// once, the others as they scroll near, each rendered once per distinct TeX (a re-render after an edit
// reuses every formula that did not change). Before printing, every formula is typeset.
import katex from 'katex';

const cache = new Map<string, string>();
/** Formulas kept typeset across renders; a long session drops the cache rather than grow without end. */
const CACHE_MAX = 20_000;

function typeset(el: HTMLElement): void {
  if (!el.classList.contains('tex')) return;
  const display = el.dataset.display === '1';
  const tex = el.textContent ?? '';
  const key = `${display ? 'D' : 'I'}${tex}`;
  let html = cache.get(key);
  if (html === undefined) {
    // throwOnError false: a formula KaTeX refuses shows its TeX in red instead of losing the page. The
    // allowance of macro expansions grows with the formula, as in the library's HTML printer.
    html = katex.renderToString(tex, { displayMode: display, throwOnError: false, strict: 'ignore', output: 'htmlAndMathml', maxExpand: Math.max(1000, tex.length) });
    if (cache.size > CACHE_MAX) cache.clear();
    cache.set(key, html);
  }
  el.innerHTML = html;
  el.classList.replace('tex', 'typeset');
  observer?.unobserve(el);
}

let observer: IntersectionObserver | undefined;

/** Typesets the placeholders of `root` in view now, and the rest when they come near the view. */
export function typesetIn(root: HTMLElement): void {
  observer?.disconnect();
  observer = new IntersectionObserver((entries) => {
    for (const e of entries) if (e.isIntersecting) typeset(e.target as HTMLElement);
  }, { rootMargin: '800px 0px' });
  const reach = window.innerHeight + 800;
  // Every position read before any formula is written: a write between reads would lay the page out
  // again for each formula.
  const all = [...root.querySelectorAll<HTMLElement>('.tex')];
  const near = all.map((el) => el.getBoundingClientRect().top < reach);
  all.forEach((el, i) => (near[i] ? typeset(el) : observer!.observe(el)));
}

export function typesetAll(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>('.tex')) typeset(el);
}
