import { BadInput } from './errors';

/** Node types that have global IDs. */
export type NodeType = 'User' | 'Community' | 'Member' | 'JoinRequest' | 'Invite' | 'ApiKey' | 'Post' | 'Comment' | 'Event' | 'Rsvp' | 'ChatMessage' | 'ContestEntry' | 'Poll' | 'PollOption';

/**
 * Opaque global ID: base64url of `Type:id`. Clients must treat it as a string only.
 */
export function toGlobalId(type: NodeType, id: number | string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

/** Decodes any global ID; null when it is not one of ours. */
export function parseGlobalId(globalId: string): { type: NodeType; id: number } | null {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const m = /^([A-Za-z]+):(\d{1,15})$/.exec(decoded);
  if (!m || Buffer.from(decoded, 'utf8').toString('base64url') !== globalId) return null;
  return { type: m[1] as NodeType, id: Number(m[2]) };
}

/**
 * Decodes a global ID that must be of `type`, or throws BAD_USER_INPUT naming `field`.
 */
export function fromGlobalId(type: NodeType, globalId: string, field = 'id'): number {
  const parsed = parseGlobalId(globalId);
  if (!parsed || parsed.type !== type) throw new BadInput(`Not a valid ${type} id`, field);
  return parsed.id;
}
