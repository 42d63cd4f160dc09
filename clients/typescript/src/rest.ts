import createClient, { type Client, type Middleware } from "openapi-fetch";
import { errorOf } from "./errors.js";
import type { paths } from "./openapi.js";
import type { Session } from "./session.js";

export type RestClient = Client<paths>;

/** openapi-fetch over the generated types, signed in with the session's access token; a
 * call refused with `token_expired` is retried once after a refresh. */
export function restClient(baseUrl: string, session: Session, fetcher: typeof fetch): RestClient {
  const client = createClient<paths>({ baseUrl, fetch: (request: Request) => fetcher(request) });
  client.use(signedIn(session, fetcher));
  return client;
}

function signedIn(session: Session, fetcher: typeof fetch): Middleware {
  // A request's body can be read once: keep a copy to send again after a refresh.
  const copies = new WeakMap<Request, { copy: Request; token: string }>();
  return {
    onRequest({ request }) {
      const token = session.access;
      if (!token || request.headers.has("authorization")) return request;
      request.headers.set("authorization", `Bearer ${token}`);
      copies.set(request, { copy: request.clone(), token });
      return request;
    },
    async onResponse({ request, response }) {
      const sent = copies.get(request);
      if (response.status !== 401 || !sent) return response;
      if ((await errorOf(response)).code !== "token_expired") return response;
      await session.refreshAfter(sent.token);
      sent.copy.headers.set("authorization", `Bearer ${session.access}`);
      return fetcher(sent.copy);
    },
  };
}
