import type { EmuRequest, Reply, Route } from '../http.js';
import type { FaultGate } from '../faults.js';
import { stableGuid } from '../util/rand.js';
import type { World } from '../world.js';
import { graphError, graphGate, isReply, odataPage } from './gate.js';

/**
 * Graph directory reads a report of admin activity needs: /v1.0/users, /v1.0/directoryRoles and
 * /v1.0/directoryRoles/{id}/members, built from the simulator's role spans at the emulator's current
 * time (so a role granted or removed in the simulated history shows up when the clock passes it).
 */
export function directoryRoutes(world: World, faults: FaultGate): Route[] {
  const roleId = (tenantId: string, templateId: string): string => stableGuid('directoryRole', tenantId, templateId);

  const users = (req: EmuRequest): Reply => {
    const call = graphGate(world, faults, req, ['User.Read.All', 'Directory.Read.All']);
    if (isReply(call)) return call;
    const list = world.tenant(call.tenantId)!.users.map((u) => ({
      id: u.id,
      displayName: u.displayName,
      userPrincipalName: u.userPrincipalName,
      mail: u.kind === 'service' ? null : u.userPrincipalName,
      department: u.department,
      userType: u.kind === 'guest' ? 'Guest' : 'Member',
      accountEnabled: true,
    }));
    return odataPage(req, list, world.tuning.graphDirectoryPageSize, `${req.base}/v1.0/$metadata#users`);
  };

  const roles = (req: EmuRequest): Reply => {
    const call = graphGate(world, faults, req, ['RoleManagement.Read.Directory', 'Directory.Read.All']);
    if (isReply(call)) return call;
    const seen = new Map<string, string>();
    for (const s of world.sim.roles(call.tenantId)) if (s.from <= world.now()) seen.set(s.roleTemplateId, s.role);
    const list = [...seen].map(([templateId, name]) => ({
      id: roleId(call.tenantId, templateId),
      displayName: name,
      description: `${name} role`,
      roleTemplateId: templateId,
      deletedDateTime: null,
    }));
    return odataPage(req, list, world.tuning.graphDirectoryPageSize, `${req.base}/v1.0/$metadata#directoryRoles`);
  };

  const members = (req: EmuRequest): Reply => {
    const call = graphGate(world, faults, req, ['RoleManagement.Read.Directory', 'Directory.Read.All']);
    if (isReply(call)) return call;
    const key = req.params.id ?? req.params.templateId!;
    const now = world.now();
    const spans = world.sim
      .roles(call.tenantId)
      .filter((s) => roleId(call.tenantId, s.roleTemplateId) === key || s.roleTemplateId === key);
    if (!spans.length)
      return graphError(
        world,
        req,
        404,
        'Request_ResourceNotFound',
        `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
      );
    const holders = new Map<
      string,
      { '@odata.type': string; id: string; userPrincipalName: string; displayName: string }
    >();
    for (const s of spans) {
      if (s.from > now || (s.to !== null && now >= s.to)) continue;
      const u = world.tenant(call.tenantId)!.users.find((x) => x.id === s.userId);
      holders.set(s.userId, {
        '@odata.type': '#microsoft.graph.user',
        id: s.userId,
        userPrincipalName: s.userPrincipalName,
        displayName: u?.displayName ?? s.userPrincipalName,
      });
    }
    return odataPage(
      req,
      [...holders.values()],
      world.tuning.graphDirectoryPageSize,
      `${req.base}/v1.0/$metadata#directoryObjects`,
    );
  };

  const g = (path: string, handler: Route['handler']): Route => ({
    method: 'GET',
    pattern: new RegExp(`^/(?:v1\\.0|beta)/${path}/?$`),
    service: 'graph',
    handler,
  });
  return [
    g('users', users),
    g('directoryRoles', roles),
    g('directoryRoles/(?<id>[^/(]+)/members', members),
    g("directoryRoles\\(roleTemplateId='(?<templateId>[^']+)'\\)/members", members),
  ];
}
