/**
 * The connector interface's version, `major.minor`. A connector declares the version it was
 * written against (`interfaceVersion`); Relink runs it when the majors match and the
 * connector's minor is not newer than Relink's. A minor adds only optional things (1.1:
 * `AccountData.loginExpiresAt`), so a connector written for 1.0 runs on any 1.x; a major
 * changes what a connector must do, and Relink refuses a connector of another major.
 */
export const CONNECTOR_INTERFACE_VERSION = '1.1';

const VERSION = /^(\d{1,4})\.(\d{1,4})$/;

/** Why a connector declaring `declared` cannot run on this interface, or undefined when it can. */
export function incompatibility(declared: unknown, host: string = CONNECTOR_INTERFACE_VERSION): string | undefined {
  const theirs = typeof declared === 'string' ? VERSION.exec(declared) : null;
  if (!theirs) return `declares no interface version (interfaceVersion must be "major.minor", e.g. "${host}"; got ${JSON.stringify(declared)})`;
  const ours = VERSION.exec(host)!;
  if (theirs[1] !== ours[1])
    return `implements connector interface ${declared}, and this Relink runs ${ours[1]}.x (${host}): use a connector built for ${ours[1]}.x`;
  if (Number(theirs[2]) > Number(ours[2])) return `implements connector interface ${declared}, newer than this Relink's ${host}: upgrade Relink`;
  return undefined;
}
