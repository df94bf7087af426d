// A small fetch wrapper for the end-to-end suites.
export interface CallOptions {
  user?: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  contentType?: string;
}

export interface RecordBody {
  id: string;
  metadata: Record<string, unknown>;
  links: Record<string, string>;
  created: string;
  updated: string;
  revision: number;
}

export interface ErrorBody {
  status: number;
  message: string;
  errors?: { field: string; message: string; code?: string }[];
  [key: string]: unknown;
}

export interface Bucket {
  key: string | number;
  doc_count: number;
}

export interface SearchBody {
  hits: { hits: RecordBody[]; total: number };
  links: Record<string, string>;
  aggregations: Record<string, { buckets: Bucket[] }>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
  record: RecordBody;
  error: ErrorBody;
  search: SearchBody;
}

export function client(baseUrl: () => string) {
  return async function call(method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.user) headers.Authorization = `Bearer ${options.user}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['Content-Type'] ??= options.contentType ?? 'application/json';
    }
    const response = await fetch(`${baseUrl()}${path}`, { method, headers, body, redirect: 'manual' });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return {
      status: response.status,
      headers: response.headers,
      text,
      json,
      record: json as RecordBody,
      error: json as ErrorBody,
      search: json as SearchBody,
    };
  };
}
