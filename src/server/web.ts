// Serves the built web app (web/dist) with client-side routing; a plain page if it is not built yet.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

export async function installWeb(app: FastifyInstance): Promise<void> {
  if (fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
    await app.register(fastifyStatic, { root: WEB_DIST, wildcard: false });
    const index = fs.readFileSync(path.join(WEB_DIST, 'index.html'));
    // Client-side routes (/cases/12, /screen …) get index.html; unknown /api paths keep the JSON 404.
    // A catch-all GET route, because the error mapper already owns the not-found handler.
    app.get('/*', async (req, reply) => {
      if (req.url.startsWith('/api/') || /^\/assets\//.test(req.url)) {
        return reply.status(404).send({ error: { code: 'not_found', message: `接口不存在: ${req.method} ${req.url.split('?')[0]}` } });
      }
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
    });
  } else {
    app.get('/', async (_req, reply) =>
      reply.type('text/html; charset=utf-8').send('<!doctype html><meta charset="utf-8"><title>民生 12345</title><h1>民生 12345 热线平台</h1><p>Web 界面尚未构建（npm run build:web）。API 文档见 <a href="/api/docs">/api/docs</a>。</p>'),
    );
  }
}
