/** A refusal from the gateway (its `error.code`), or the SDK's own: `signed_out` when the
 * tokens can no longer be refreshed, `closed` for a send cut short by `socket.close()`. */
export class FrontdeskError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "FrontdeskError";
  }
}

/** The `{"error": {"code", "message"}}` body every refusal has, or a stand-in. */
export async function errorOf(response: Response): Promise<FrontdeskError> {
  try {
    const body = (await response.clone().json()) as { error?: { code?: string; message?: string } };
    if (body.error?.code) return new FrontdeskError(body.error.code, body.error.message ?? "", response.status);
  } catch {
    // not JSON: a proxy's page, say
  }
  return new FrontdeskError("http_" + response.status, response.statusText, response.status);
}
