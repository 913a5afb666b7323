import { benchTrending } from './_warning-trending.ts';
const r = benchTrending({ quick: true, rises: 8, nulls: 8, log: (...a) => console.error(...a) });
console.log(JSON.stringify(r, null, 1));
