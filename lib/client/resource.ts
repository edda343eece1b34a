import type { HttpClient, RequestOptions, HttpResponse } from './http.js';
import { header } from './http.js';
import { HalDocument, type FollowParams } from './hal.js';
import { UnexpectedResponse, utf8 } from './errors.js';

/**
 * Navigation: a `Resource` is a URI the client may fetch; `follow` is a lazy step along a
 * link relation, so calls read like the protocol:
 *
 *   await client.root(url).follow('sync:collection', { name: 'items' }).follow('sync:transactions', { limit: 100 }).get()
 */
export class Resource {
  constructor(
    readonly client: HttpClient,
    readonly uri: string,
  ) {}

  /** GETs the resource as a HAL document. */
  async get(options: RequestOptions = {}): Promise<HalDocument> {
    return toDocument(await this.client.request('GET', this.uri, options));
  }

  /** Sends a method with a JSON body and returns the raw response (status, headers, body). */
  async send(method: string, json: unknown, options: RequestOptions = {}): Promise<HttpResponse> {
    return this.client.request(method, this.uri, { ...options, json });
  }

  follow(rel: string, params?: FollowParams): Follow {
    return new Follow(this.get().then((doc) => this.client.resource(doc.resolve(rel, params))));
  }

  /**
   * Every page of a paged resource, following HAL `next` links. Nothing is kept from one page
   * to the next (an endless chain must not grow memory); a page that links to itself is an
   * error, and a reader that can tell progress (a log's checkpoint) checks the rest.
   */
  async *pages(options: RequestOptions = {}): AsyncGenerator<HalDocument> {
    let uri: string | undefined = this.uri;
    while (uri) {
      const doc = toDocument(await this.client.request('GET', uri, options));
      yield doc;
      const next: string | undefined = doc.has('next') ? doc.resolve('next') : undefined;
      if (next === uri) throw new UnexpectedResponse(uri, 'the page links to itself as "next"');
      uri = next;
    }
  }
}

/** A resource still being found: thenable, and followable further without awaiting each step. */
export class Follow implements PromiseLike<Resource> {
  constructor(private readonly resource: Promise<Resource>) {}

  follow(rel: string, params?: FollowParams): Follow {
    return new Follow(this.resource.then((resource) => resource.follow(rel, params)));
  }

  async get(options?: RequestOptions): Promise<HalDocument> {
    return (await this.resource).get(options);
  }

  then<A = Resource, B = never>(
    onFulfilled?: ((value: Resource) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    return this.resource.then(onFulfilled, onRejected);
  }
}

export function toDocument(response: HttpResponse): HalDocument {
  const type = header(response.headers, 'content-type') ?? '';
  if (!/json/i.test(type)) throw new UnexpectedResponse(response.uri, `expected a HAL document, got ${type || 'no content type'}`);
  return HalDocument.parse(response.uri, utf8(response.body));
}
