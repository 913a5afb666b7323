// OpenAPI 3.1 document built from the routes' own zod schemas.
import { z } from 'zod';

interface Operation {
  method: string;
  url: string;
  summary: string;
  tag: string;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  status?: number;
}

const operations: Operation[] = [];
const seen = new Set<string>();

export function registerOperation(op: Operation): void {
  const key = `${op.method} ${op.url}`;
  if (seen.has(key)) return; // several app instances (tests) register the same routes
  seen.add(key);
  operations.push(op);
}

const toJson = (s: z.ZodType) => {
  try {
    return z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, any>;
  } catch {
    return {};
  }
};

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const p = op.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', op.params], ['query', op.query]] as const) {
      if (!schema) continue;
      const js = toJson(schema);
      for (const [name, prop] of Object.entries<any>(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop, description: prop.description });
      }
    }
    for (const m of p.match(/\{([A-Za-z_]+)\}/g) ?? []) {
      const name = m.slice(1, -1);
      if (!parameters.some((x: any) => x.name === name)) parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
    (paths[p] ??= {})[op.method.toLowerCase()] = {
      summary: op.summary,
      tags: [op.tag],
      parameters,
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: toJson(op.body) } } } } : {}),
      responses: {
        [String(op.status ?? 200)]: { description: '成功' },
        '400': { description: '参数错误', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        default: { description: '错误', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: '民生 Minsheng 12345 热线平台 API', version: '0.1.0', description: '市民诉求受理、标签、转办、预警与统计分析接口' },
    paths,
    components: {
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, fields: { type: 'object', additionalProperties: { type: 'string' } } },
            },
          },
        },
      },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'ms_session' } },
    },
  };
}

export const openApiHtml = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>民生 API 文档</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2rem;max-width:1100px}code{background:#f3f3f3;padding:1px 4px}
.op{border:1px solid #ddd;border-radius:6px;margin:.5rem 0;padding:.5rem 1rem}.m{font-weight:bold;display:inline-block;width:5em}
pre{background:#fafafa;padding:.5rem;overflow:auto;max-height:300px}</style></head><body>
<h1>民生 Minsheng API</h1><p>机器可读文档：<a href="/api/openapi.json">/api/openapi.json</a></p><div id="ops">加载中…</div>
<script>fetch('/api/openapi.json').then(r=>r.json()).then(d=>{const el=document.getElementById('ops');el.innerHTML='';
for(const [p,ms] of Object.entries(d.paths)){for(const [m,op] of Object.entries(ms)){const div=document.createElement('details');div.className='op';
div.innerHTML='<summary><span class="m">'+m.toUpperCase()+'</span><code></code> — <span></span></summary><pre></pre>';
div.querySelector('code').textContent=p;div.querySelector('span:last-child').textContent=op.summary+' ['+op.tags.join(',')+']';
div.querySelector('pre').textContent=JSON.stringify({parameters:op.parameters,requestBody:op.requestBody},null,2);el.appendChild(div);}}});</script>
</body></html>`;
