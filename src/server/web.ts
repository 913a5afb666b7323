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
    app.setNotFoundHandler((req, reply) => {
      if (req.url.startsWith('/api/') || req.method !== 'GET') {
        return reply.status(404).send({ error: { code: 'not_found', message: `接口不存在: ${req.method} ${req.url.split('?')[0]}` } });
      }
      return reply.type('text/html; charset=utf-8').send(index);
    });
  } else {
    app.get('/', async (_req, reply) =>
      reply.type('text/html; charset=utf-8').send('<!doctype html><meta charset="utf-8"><title>民生 12345</title><h1>民生 12345 热线平台</h1><p>Web 界面尚未构建（npm run build:web）。API 文档见 <a href="/api/docs">/api/docs</a>。</p>'),
    );
  }
}
