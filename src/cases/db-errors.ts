// Database constraint violations that are the caller's fault, turned into 400s naming the field.
import { validationError, type AppError } from '../shared/errors.ts';

const FK_FIELDS: Record<string, [string, string]> = {
  cases_channel_fkey: ['channel', '渠道不存在'],
  cases_category_code_fkey: ['categoryCode', '分类不存在'],
  cases_unit_id_fkey: ['unitId', '承办单位不存在'],
  cases_district_code_fkey: ['districtCode', '区县代码不存在'],
  cases_street_code_fkey: ['streetCode', '街道代码不存在'],
  cases_community_code_fkey: ['communityCode', '社区代码不存在'],
  cases_compound_id_fkey: ['compoundId', '小区不存在'],
  cases_repeat_of_fkey: ['repeatOf', '原工单不存在'],
};

interface PgError {
  code?: string;
  constraint?: string;
  constraint_name?: string;
  detail?: string;
  message?: string;
}

export function constraintOf(err: unknown): string | undefined {
  const e = err as PgError;
  return e?.constraint_name ?? e?.constraint ?? /constraint "([^"]+)"/.exec(e?.message ?? '')?.[1];
}

export const isUniqueViolation = (err: unknown, constraint?: string) =>
  (err as PgError)?.code === '23505' && (!constraint || constraintOf(err) === constraint);

/** A 400 for a foreign-key violation on cases, or undefined when the error is something else. */
export function mapCaseConstraintError(err: unknown): AppError | undefined {
  const e = err as PgError;
  if (e?.code !== '23503') return undefined;
  const hit = FK_FIELDS[constraintOf(err) ?? ''];
  return hit ? validationError({ [hit[0]]: hit[1] }) : undefined;
}
