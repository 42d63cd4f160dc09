// A TCP proxy between an SDK socket and the gateway that the tests cut, like a phone
// losing its network: the gateway and the SDK each see the connection die.
import net from "node:net";

const PORTS = { first: 27000, last: 27099 }; // this helper's range (below 32768)

export class Proxy {
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private refusing = false;
  private cutOnNextSend = false;

  private constructor(
    private readonly server: net.Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<Proxy> {
    const { hostname, port } = new URL(target);
    for (let candidate = PORTS.first; candidate <= PORTS.last; candidate++) {
      const server = net.createServer();
      const listening = await new Promise<boolean>((resolve) => {
        server.once("error", () => resolve(false));
        server.listen(candidate, "127.0.0.1", () => resolve(true));
      });
      if (!listening) continue;
      const proxy = new Proxy(server, `http://127.0.0.1:${candidate}`);
      server.on("connection", (client) => proxy.join(client, hostname, Number(port)));
      return proxy;
    }
    throw new Error("no free port in 27000-27099");
  }

  /** Drop every connection at once. */
  cut(): void {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Drop every connection and refuse new ones until `up()`. */
  down(): void {
    this.refusing = true;
    this.cut();
  }

  up(): void {
    this.refusing = false;
  }

  /** The next bytes a client sends reach the gateway, but the connection is then cut on the
   * client's side: whatever the gateway answers (an ack) is lost. */
  cutAfterNextSend(): void {
    this.cutOnNextSend = true;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private join(client: net.Socket, host: string, port: number): void {
    if (this.refusing) return void client.destroy();
    const upstream = net.connect(port, host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    let lingering = false; // cut on the client's side only: the gateway's answers go nowhere
    client.on("data", (chunk) => {
      upstream.write(chunk);
      if (!this.cutOnNextSend) return;
      this.cutOnNextSend = false;
      lingering = true;
      this.pairs.delete(pair);
      client.destroy();
      setTimeout(() => upstream.destroy(), 1000); // long enough for the gateway to store it
    });
    upstream.on("data", (chunk) => lingering || client.write(chunk));
    const drop = () => {
      if (lingering) return;
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    for (const socket of [client, upstream]) {
      socket.on("close", drop);
      socket.on("error", drop);
    }
  }
}
