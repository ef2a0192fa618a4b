import { readFileSync } from 'node:fs';
import { parseSpec, run, runStream, check, derive, checkReport } from '../src/index.ts';
const text = readFileSync('examples/hw7-q2.yaml','utf8');
for (let i=0;i<3;i++){
let t=performance.now();
const spec = parseSpec(text);
const t1=performance.now();
let out='';
runStream(spec,(s)=>out+=s,{format:'markdown'});
const t2=performance.now();
const r = check(spec, readFileSync('examples/hw7-q2.answers.yaml','utf8'));
const t3=performance.now();
console.log('parse',(t1-t).toFixed(1),'run md',(t2-t1).toFixed(1),'check',(t3-t2).toFixed(1), out.length);
}
const tr = run(parseSpec(text));
console.log(JSON.stringify(tr.steps[0]).slice(0,1500));
console.log(JSON.stringify(check(parseSpec(text), readFileSync('examples/hw7-q2.answers.yaml','utf8')).results.slice(0,3),null,1).slice(0,1500));
