/** Runner selection (runner.py): which deployment or nodepool serves a call; the
 * `runner_selector` JSON built as Clarifai's SDK builds it. No I/O. */

import { ArgumentError } from "./errors.js";
import type { Json } from "./json.js";

/** How to route a call: a deployment, or a nodepool of a compute cluster, owned by
 * `deploymentUserId` (default: the PAT's owner, looked up once per client). */
export interface RunnerOptions {
  deploymentId?: string;
  deploymentUserId?: string;
  computeClusterId?: string;
  nodepoolId?: string;
}

type Key = keyof RunnerOptions;
type Values = Record<Key, string | null>;

/** The environment variable of each setting (the names Clarifai's SDK and runners read). */
export const ENV: Readonly<Record<Key, string>> = {
  deploymentId: "CLARIFAI_DEPLOYMENT_ID",
  deploymentUserId: "CLARIFAI_DEPLOYMENT_USER_ID",
  computeClusterId: "CLARIFAI_COMPUTE_CLUSTER_ID",
  nodepoolId: "CLARIFAI_NODEPOOL_ID",
};
const KEYS = Object.keys(ENV) as Key[];
const TARGET: readonly Key[] = ["deploymentId", "computeClusterId", "nodepoolId"];

/** A validated selection; all null: no routing. */
export class RunnerSelector {
  readonly deploymentId: string | null;
  readonly deploymentUserId: string | null;
  readonly computeClusterId: string | null;
  readonly nodepoolId: string | null;

  constructor(values: Partial<Values> = {}) {
    this.deploymentId = values.deploymentId ?? null;
    this.deploymentUserId = values.deploymentUserId ?? null;
    this.computeClusterId = values.computeClusterId ?? null;
    this.nodepoolId = values.nodepoolId ?? null;
    if (this.deploymentId && (this.computeClusterId || this.nodepoolId)) {
      throw new ArgumentError(
        "runner selection: give deploymentId, or computeClusterId with nodepoolId, not both",
      );
    }
    if (Boolean(this.computeClusterId) !== Boolean(this.nodepoolId)) {
      const [given, missing] = this.computeClusterId
        ? ["computeClusterId", "nodepoolId"]
        : ["nodepoolId", "computeClusterId"];
      throw new ArgumentError(`runner selection: ${given} needs ${missing} too`);
    }
  }

  /** Does it route calls anywhere? */
  get active(): boolean {
    return Boolean(this.deploymentId || this.nodepoolId);
  }

  /** Does it route calls but lack the owner's id (to be looked up)? */
  get needsUser(): boolean {
    return this.active && !this.deploymentUserId;
  }

  /** The request's `runner_selector` (null: send none); `ownerId` stands in for a missing
   * `deploymentUserId`. */
  toJson(ownerId: string | null = null): Json | null {
    if (!this.active) return null;
    const userId = this.deploymentUserId || ownerId;
    if (!userId)
      throw new ArgumentError("runner selection: no deploymentUserId and no PAT owner id");
    if (this.deploymentId) return { deployment: { id: this.deploymentId, user_id: userId } };
    return {
      nodepool: {
        id: this.nodepoolId,
        compute_cluster: { id: this.computeClusterId, user_id: userId },
      },
    };
  }

  /** This selection overridden by explicit options (the rules of `resolveRunner`). */
  bind(options: RunnerOptions): RunnerSelector {
    return merge(given(options), this, "the client's runner selection");
  }
}

/** A setting's value (null when unset or empty); `where` names it in errors. */
function clean(value: unknown, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string")
    throw new ArgumentError(`runner selection: ${where} must be a string`);
  const text = value.trim();
  if (text && !/^[\x20-\x7e]*$/.test(text)) {
    throw new ArgumentError(`runner selection: ${where} has control or non-ASCII characters`);
  }
  return text || null;
}

function given(options: RunnerOptions): Values {
  const out = {} as Values;
  for (const key of KEYS) out[key] = clean(options[key], key);
  return out;
}

/** `explicit` over `base`: an explicit target replaces the base's whole target; an explicit
 * `deploymentUserId` replaces the base's. */
function merge(explicit: Values, base: Values, baseName: string): RunnerSelector {
  const explicitTarget = TARGET.some((k) => explicit[k]);
  const values = {} as Values;
  for (const k of TARGET) values[k] = explicitTarget ? explicit[k] : base[k];
  values.deploymentUserId = explicit.deploymentUserId || base.deploymentUserId;
  try {
    return new RunnerSelector(values);
  } catch (err) {
    if (explicitTarget || !(err instanceof ArgumentError)) throw err;
    throw new ArgumentError(`${err.message} (in ${baseName})`);
  }
}

/** The selection from explicit options over the environment (`ENV`). Empty strings are unset. */
export function resolveRunner(
  options: RunnerOptions = {},
  env: Record<string, string | undefined> = process.env,
): RunnerSelector {
  const fromEnv = {} as Values;
  for (const key of KEYS) fromEnv[key] = clean(env[ENV[key]], `$${ENV[key]}`);
  const names = KEYS.filter((k) => fromEnv[k])
    .map((k) => `$${ENV[k]}`)
    .join(", ");
  return merge(given(options), fromEnv, `the environment: ${names}`);
}
