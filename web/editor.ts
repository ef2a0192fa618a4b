// The spec editor: CodeMirror 6 with YAML, the library's diagnostics shown where it located them, and
// completion from its vocabulary (completion.ts). Tab is left to move the focus (CodeMirror's default),
// so the page can be used from the keyboard alone; Ctrl-Space opens the completions.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, lintKeymap, setDiagnostics } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import type { SpecVocabulary } from '../src/index.js';
import { contextAt, suggestions } from './completion.js';
import { locate } from './locate.js';
import type { Problem } from './protocol.js';

export interface SpecEditor {
  view: EditorView;
  text(): string;
  setText(text: string): void;
  /** Shows the library's problem with the spec at its place, or clears it. */
  showProblem(problem: Problem | undefined): void;
}

export function createEditor(parent: HTMLElement, doc: string, onChange: () => void, vocabulary: () => SpecVocabulary | undefined): SpecEditor {
  const complete = (context: CompletionContext): CompletionResult | null => {
    const v = vocabulary();
    if (!v) return null;
    const text = context.state.doc.toString();
    const at = contextAt(text, context.pos);
    // Unasked, the list opens once a word is begun (not at every space of an expression); Ctrl-Space
    // opens it anywhere.
    if (!at.word && !context.explicit) return null;
    const options = suggestions(v, text, at).map((s) => ({
      label: s.label,
      type: s.type,
      ...(s.detail ? { detail: s.detail } : {}),
      ...(s.info ? { info: s.info } : {}),
      ...(s.apply ? { apply: s.apply } : {}),
    }));
    return options.length ? { from: at.from, options, validFor: /^[\w$]*$/ } : null;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        yaml(),
        EditorView.lineWrapping,
        autocompletion({ override: [complete] }),
        lintGutter(),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
        EditorView.contentAttributes.of({ 'aria-label': 'Spec (YAML)', 'aria-describedby': 'problem' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange();
        }),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    showProblem(problem) {
      if (!problem || problem.source !== 'spec') {
        view.dispatch(setDiagnostics(view.state, []));
        return;
      }
      const span = locate(view.state.doc.toString(), problem);
      const to = Math.min(span.to, view.state.doc.length);
      view.dispatch(setDiagnostics(view.state, [{ from: Math.min(span.from, to), to, severity: 'error', message: problem.message, source: problem.path || undefined }]));
    },
  };
}
