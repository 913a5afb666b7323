// Maps every error to the one response shape: {"error": {"code", "message", "fields"?}}.
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../shared/errors.ts';
import { dbUnavailable, isConnectionError } from '../store/postgres-db.ts';

/** Seconds a client waits before retrying a 503 (a database restart takes a few). */
export const RETRY_AFTER_S = 1;

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    if (!(err instanceof AppError) && isConnectionError(err)) err = dbUnavailable(err); // a driver error that bypassed the store
    if (err instanceof AppError) {
      if (err.status === 503) {
        req.log.warn({ err: err.cause ?? err }, err.code);
        reply.header('retry-after', String(RETRY_AFTER_S));
      }
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) } });
    }
    const fe = err as FastifyError;
    if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && /JSON/i.test(fe.message))) {
      return reply.status(400).send({ error: { code: 'malformed_json', message: '请求体不是有效的 JSON' } });
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: { code: 'body_too_large', message: '请求体过大' } });
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({ error: { code: 'unsupported_media_type', message: '不支持的内容类型，请使用 application/json' } });
    }
    if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return reply.status(400).send({ error: { code: 'malformed_json', message: '请求体为空' } });
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send({ error: { code: 'bad_request', message: fe.message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: '服务器内部错误' } });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: `接口不存在: ${req.method} ${req.url.split('?')[0]}` } });
  });
}
