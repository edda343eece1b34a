// Placeholder until the HAL browser lands: the HTML page served for Accept: text/html.
export function browserPage(): string {
  return '<!doctype html><title>halsync</title><p>HAL browser not built yet.</p>';
}
