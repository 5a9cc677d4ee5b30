// ZooKeeper's own configuration syntax, shared by every image dialect.
import type { Member } from './model.js';

/**
 * A member's line in every member's zoo.cfg. ZooKeeper 3.4 knows only `host:peer:election`;
 * 3.5+ may append `;clientPort`, which 3.4.6 refuses to parse.
 */
export function serverLine(member: Member, style: '3.4' | '3.5'): readonly [string, string] {
  const address = `${member.host}:${member.ports.peer}:${member.ports.election}`;
  return [`server.${member.id}`, style === '3.4' ? address : `${address};${member.ports.client}`];
}
