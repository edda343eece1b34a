// Placeholder until the OpenAPI document lands: the bundled document served at service-desc.
export async function loadOpenApi(): Promise<Record<string, unknown>> {
  return { openapi: '3.1.0', info: { title: 'halsync', version: '0.1.0' }, paths: {} };
}
