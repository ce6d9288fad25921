// A node:test reporter that writes one JSON line per finished test (name, file, pass/fail, error),
// so that the .NET test that runs this suite can show each Node test as its own result.
export default async function* jsonLines(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') {
      continue;
    }
    const { name, nesting, file, details } = event.data;
    // Only top-level tests: a file's own wrapper has no name of its own worth reporting.
    if (nesting !== 0 || details?.type === 'suite') {
      continue;
    }
    const error = details?.error;
    yield JSON.stringify({
      name,
      file: file ? file.split('/').pop() : undefined,
      passed: event.type === 'test:pass',
      error: error ? String(error.cause?.stack ?? error.cause ?? error.stack ?? error) : undefined,
    }) + '\n';
  }
}
