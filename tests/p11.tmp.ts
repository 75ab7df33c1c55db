import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { WorkerFaceAnalyzer } from '../src-main/proctoring/face-analyzer';
import { decodeImage } from '../src-main/proctoring/decode-image';
import { defaultPolicy as basePolicy, resolvePolicy } from '../src-main/proctoring/policy';
const defaultPolicy = process.env.POLICY ? resolvePolicy(JSON.parse(process.env.POLICY)) : basePolicy;
import { ProctoringSession } from '../src-main/proctoring/session';
import { noisyVariants, scenes } from './support/proctoring/scenes';
function threads(){ const out=new Map<string,{name:string,ms:number}>(); for (const tid of readdirSync('/proc/self/task')) { const st=readFileSync(`/proc/self/task/${tid}/stat`,'utf8'); const f=st.slice(st.lastIndexOf(')')+2).split(' '); out.set(tid,{name:st.slice(st.indexOf('(')+1,st.lastIndexOf(')')), ms:(Number(f[11])+Number(f[12]))*10}); } return out; }
function calib(){ const c0=process.cpuUsage(); let x=0; for (let i=0;i<50_000_000;i++) x=(x+i*7)%1_000_003; const c=process.cpuUsage(c0); return Math.round((c.user+c.system)/1000) + (x<0?1:0); }
const analyzer = await WorkerFaceAnalyzer.start();
const names = ['frontal','turnedAway','frontal','noFace','frontal','twoFaces'] as const;
const variants = await Promise.all(names.map(async (n) => Promise.all((await noisyVariants(await (scenes as any)[n](), 4)).map((png) => sharp(png).jpeg({ quality: 80 }).toBuffer()))));
const ref = (await analyzer.analyze(await decodeImage(variants[0]![0]!, {}), {gaze:false, embedding:true})).faces[0]!.embedding!;
let am:number[]=[];
const session = new ProctoringSession({ policy: defaultPolicy, analyzer, referenceEmbedding: ref, sink: () => {}, onObservation: (o:any)=>am.push(o.analysisMs) });
let n = 0;
const PACE = Number(process.env.PACE ?? 500);
async function round(paced:boolean, frames:number){ const t0=threads(); const c0=process.cpuUsage(); const start=performance.now(); for (let i=0;i<frames;i++){ if (paced) { const B=Number(process.env.BATCH ?? 1); const wait = start + Math.floor(i/B)*B*PACE - performance.now(); if (wait>0) await sleep(wait); } const k=n++; const f = await decodeImage(variants[Math.floor(k/20)%6]![k%4]!, {maxSide:Number(process.env.MAXSIDE ?? 640)}); session.submitFrame({...f, timestampMs: k*500}); await session.flush(); } const c=process.cpuUsage(c0); const t1=threads(); const per:Record<string,number>={}; for (const [tid,v] of t1){ const d=v.ms-(t0.get(tid)?.ms??0); if(d>0){ const k = tid===String(process.pid)?'main':v.name; per[k]=(per[k]??0)+d; } } return {cpu: Math.round((c.user+c.system)/1000*120/frames), per}; }
await round(false, 360);
for (const mode of (process.env.MODES ?? 'b2b,paced,b2b,paced').split(',')) { const cal=calib(); const r = await round(mode==='paced', 120); am.sort((a,b)=>a-b); const sum=am.reduce((a,b)=>a+b,0); console.log('analysisMs sum', sum.toFixed(0), 'median', am[am.length>>1]); am=[]; console.log(mode, 'cpu/120 frames', r.cpu, 'calib', cal, JSON.stringify(r.per)); }
await analyzer.close();
