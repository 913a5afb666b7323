// Authentication entry point. Foundation stage: every request acts as the hotline centre's operator
// unless an `X-Actor` header names another test actor. The security issue replaces this with sessions,
// tokens, roles and unit scoping.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor, AppContext } from '../server/context.ts';
import { forbidden } from '../shared/errors.ts';

export async function installAuth(app: FastifyInstance, _ctx: AppContext): Promise<void> {
  app.decorate('authenticate', async (req: FastifyRequest, roles?: Actor['role'][]): Promise<Actor> => {
    const actor: Actor = { id: 'operator', name: '话务员', role: 'operator' };
    const unit = req.headers['x-unit-id'];
    if (typeof unit === 'string' && unit) Object.assign(actor, { id: `unit:${unit}`, name: '承办单位', role: 'unit_staff', unitId: unit });
    if (roles && !roles.includes(actor.role) && actor.role !== 'admin') throw forbidden();
    return actor;
  });
}
