import type { Db } from '../store/db.ts';

export async function listModels(db: Db) {
  const rows = await db.query(
    `SELECT version, kind, status, active, labels, docs, feedback, size_bytes, metrics, source, error, created_by, created_at, finished_at
       FROM tag_models ORDER BY version DESC LIMIT 100`,
  );
  return rows.map((r) => ({
    version: r.version, kind: r.kind, status: r.status, active: r.active, labels: r.labels, docs: r.docs, feedback: r.feedback,
    sizeBytes: r.size_bytes, metrics: r.metrics, source: r.source, error: r.error, createdBy: r.created_by, createdAt: r.created_at, finishedAt: r.finished_at,
  }));
}
