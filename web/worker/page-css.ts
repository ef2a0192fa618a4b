// The style of a downloaded HTML solution: a page of its own, read offline, printed on paper.
export const PAGE_CSS = `
body { margin: 0; background: #fff; color: #1a1a1a; font: 17px/1.5 Georgia, 'Times New Roman', serif; }
main { max-width: 70rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h2 { font-size: 1.7rem; } h3 { font-size: 1.35rem; border-top: 2px solid #ccc; padding-top: 0.6rem; }
h4 { font-size: 1.15rem; } h5 { font-size: 1rem; color: #444; }
.display { margin: 0.4rem 0 0.8rem 1rem; overflow-x: auto; overflow-y: hidden; }
.display .katex-display { margin: 0; text-align: left; }
.display .katex-display > .katex { text-align: left; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #bbb; padding: 0.2rem 0.7rem; text-align: right; }
th { background: #f2f2f2; }
@media print { .display { overflow: visible; } }
`;
