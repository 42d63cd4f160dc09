import { errorOf, FrontdeskError } from "./errors.js";

export interface Tokens {
  access: string;
  refresh: string;
}

/** The signed-in account's tokens, shared by the REST client and every socket. */
export class Session {
  private current: Tokens | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly fetcher: typeof fetch,
    tokens: Tokens | undefined,
    private readonly onTokens: ((tokens: Tokens) => void) | undefined,
  ) {
    this.current = tokens;
  }

  get tokens(): Tokens | undefined {
    return this.current;
  }

  get access(): string | undefined {
    return this.current?.access;
  }

  set(tokens: Tokens): void {
    this.current = tokens;
    this.onTokens?.(tokens);
  }

  /** New tokens for an access token the gateway turned down as expired. A refresh token
   * works once (each refresh rotates it), so callers that fail together share one refresh,
   * and one that failed on an older token than the current one just uses the current one. */
  async refreshAfter(rejected: string | undefined): Promise<void> {
    if (this.current && this.current.access !== rejected) return;
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<void> {
    if (!this.current?.refresh) throw new FrontdeskError("signed_out", "No refresh token: sign in.");
    const response = await this.fetcher(`${this.baseUrl}/v1/auth/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: this.current.refresh }),
    });
    if (!response.ok) {
      const refused = await errorOf(response);
      if (response.status === 401 || response.status === 403) {
        throw new FrontdeskError("signed_out", `Sign in again (${refused.code}).`, response.status);
      }
      throw refused;
    }
    const body = (await response.json()) as { access_token: string; refresh_token: string };
    this.set({ access: body.access_token, refresh: body.refresh_token });
  }
}
