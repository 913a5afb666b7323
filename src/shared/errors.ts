// Typed application errors with stable codes; mapped to HTTP once, in src/server/errors.ts.

export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  constructor(
    /** Stable machine-readable code, e.g. `validation_failed`, `illegal_transition`. */
    readonly code: string,
    message: string,
    readonly status: number,
    readonly fields?: FieldErrors,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const validationError = (fields: FieldErrors, message = '请求参数无效') =>
  new AppError('validation_failed', message, 400, fields);
export const notFound = (what: string) => new AppError('not_found', `${what}不存在`, 404);
export const conflict = (code: string, message: string) => new AppError(code, message, 409);
export const unprocessable = (code: string, message: string, fields?: FieldErrors) =>
  new AppError(code, message, 422, fields);
export const unauthorized = (message = '请先登录') => new AppError('unauthorized', message, 401);
export const forbidden = (message = '无权执行此操作') => new AppError('forbidden', message, 403);
/** The database or another dependency is briefly unavailable: safe to retry (with the same Idempotency-Key). */
export const unavailable = (message = '服务暂时不可用，请稍后重试') => new AppError('unavailable', message, 503);

/** The database is unreachable right now (503, retryable with the same Idempotency-Key). */
export const isDbUnavailable = (err: unknown): boolean => err instanceof AppError && err.code === 'db_unavailable';
