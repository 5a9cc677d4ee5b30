// Docker Swarm's names, said once: the rule a service's name must pass, and the name `docker stack
// deploy` gives each member's service. The rule that refuses member names a stack cannot carry and
// the stack file's header (the longest stack name that fits) both read it here.

/**
 * Swarm's rule for a service's name, as its manager checks it (moby/swarmkit,
 * manager/controlapi/common.go: validateAnnotations with isValidDNSName): letters, digits, '-' and
 * '_', beginning and ending with a letter or digit, at most 63 characters (a DNS label's limit).
 */
const SERVICE_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
const SERVICE_NAME_MAX = 63;

/**
 * The service `docker stack deploy` makes of a member: its stack's name, '_', the member's
 * (docker/cli, cli/compose/convert: ScopeName). The stack's name is the operator's, checked by the
 * client for nothing but being blank; Swarm then judges the whole service name.
 */
export const serviceName = (stack: string, member: string) => `${stack}_${member}`;

/** Why Swarm refuses this service name, or nothing when it takes it. */
export function refusedService(service: string): string | undefined {
  if (!SERVICE_NAME.test(service)) return "Swarm's service names hold only letters, digits, '-' and '_', and begin and end with a letter or digit";
  if (service.length > SERVICE_NAME_MAX) return `Swarm's service names are at most ${SERVICE_NAME_MAX} characters`;
  return undefined;
}

/** The shortest stack name there is: one letter. A member name that does not fit beside it fits beside none. */
export const SHORTEST_STACK = 's';

/** The longest stack name beside which every one of these members' services still fits. */
export const longestStackName = (members: readonly string[]) => SERVICE_NAME_MAX - serviceName('', members.reduce((a, b) => (b.length > a.length ? b : a), '')).length;
