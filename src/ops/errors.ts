// The one error type of the operations modules (backup, restore, check).

/** An expected failure whose message tells the operator what is wrong and what to do. */
export class OpsError extends Error {
  override name = "OpsError";
}
