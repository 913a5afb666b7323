// Case API routes (placeholder until the cases domain lands).
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/context.ts';

export async function registerCaseRoutes(_app: FastifyInstance, _ctx: AppContext): Promise<void> {}
