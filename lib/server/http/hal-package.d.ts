// The `hal` package (1.2.0) ships no types; only lib/server/http/hal.ts may import it.
declare module 'hal' {
  interface HalLinkObject {
    rel: string;
    href: string;
    [attribute: string]: unknown;
  }
  interface HalResourceObject {
    _links: Record<string, HalLinkObject | HalLinkObject[]>;
    link(rel: string, value: string | Record<string, unknown>): HalResourceObject;
    embed(rel: string, resources: HalResourceObject[], pluralize: boolean): HalResourceObject;
    toJSON(): Record<string, unknown>;
  }
  const hal: {
    Resource: new (properties: Record<string, unknown>, selfHref: string) => HalResourceObject;
    Link: new (rel: string, value: Record<string, unknown>) => HalLinkObject;
  };
  export default hal;
}
