/**
 * Where things are (seed 003 "Addressing"): which node hosts an engine, and which nodes belong to a domain.
 * The router reads it for every remote send; adverts (net/advert) and domain membership (net/domain) write
 * it. Kept as a plain data class so tests and the simulator can fill it directly.
 */
import type { DomainId, EngineId, NodeId } from "../../core/engine/engine.ts";

/** What an EngineAdvert tells the router. */
export interface EngineLocation {
  readonly node: NodeId;
  readonly protocols: readonly string[];
}

/** The router's view of engine locations and domain members. */
export class Directory {
  private readonly engines = new Map<EngineId, EngineLocation>();
  private readonly domains = new Map<DomainId, () => readonly NodeId[]>();
  private resolver: ((domain: DomainId) => readonly NodeId[]) | undefined;

  setEngine(engine: EngineId, location: EngineLocation): void {
    this.engines.set(engine, location);
  }

  /**
   * Record that `engine` lives on `node` serving `protocols`, keeping the protocols already known for it
   * on that node (several local engines may share one id, e.g. a node's system engines).
   */
  addEngine(engine: EngineId, node: NodeId, protocols: readonly string[]): void {
    const cur = this.engines.get(engine);
    const merged =
      cur !== undefined && cur.node === node ? [...new Set([...cur.protocols, ...protocols])] : protocols;
    this.engines.set(engine, { node, protocols: merged });
  }

  engine(engine: EngineId): EngineLocation | undefined {
    return this.engines.get(engine);
  }

  /** True when some engine known to run on `node` accepts `protocol`. */
  nodeServes(node: NodeId, protocol: string): boolean {
    for (const loc of this.engines.values())
      if (loc.node === node && loc.protocols.includes(protocol)) return true;
    return false;
  }

  /** Register the live member list of a domain (a function, so it is always current). */
  setDomain(domain: DomainId, members: () => readonly NodeId[]): void {
    this.domains.set(domain, members);
  }

  removeDomain(domain: DomainId): void {
    this.domains.delete(domain);
  }

  /**
   * Answer `members` for every domain without its own `setDomain` entry (the domain engine knows which
   * domains exist; the router need not be told one by one).
   */
  setDomainResolver(resolve: (domain: DomainId) => readonly NodeId[]): void {
    this.resolver = resolve;
  }

  /** Current members of `domain` (may include this node), sorted; empty when unknown. */
  members(domain: DomainId): readonly NodeId[] {
    const f = this.domains.get(domain);
    if (f !== undefined) return f();
    return this.resolver?.(domain) ?? [];
  }
}
