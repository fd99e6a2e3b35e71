// The strict text-format parser the /metrics tests read scrapes with (test/support/prometheus.ts):
// it reads what the format allows, and refuses what it does not, so a scrape that parses is well formed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpositionError, parseExposition, valueOf } from '../support/prometheus.ts';

const HISTOGRAM = `# HELP h_seconds How long, with a \\\\ and a \\n in its help
# TYPE h_seconds histogram
h_seconds_bucket{le="0.5",route="/a"} 1
h_seconds_bucket{le="1",route="/a"} 2
h_seconds_bucket{le="+Inf",route="/a"} 3
h_seconds_sum{route="/a"} 4.25
h_seconds_count{route="/a"} 3
`;

describe('the exposition parser', () => {
  test('reads families, help, labels with escapes, special values, timestamps, comments and blank lines', () => {
    const scrape = parseExposition(
      `${HISTOGRAM}
# a comment
# HELP c_total Things
# TYPE c_total counter
c_total{path="C:\\\\x",quote="say \\"hi\\"",nl="a\\nb",} 7 1712345678000
c_total 2.5e3

# TYPE g gauge
g NaN
g{x="1"} -Inf
g{x="3"} Nan
`,
    );
    assert.deepEqual([...scrape.keys()], ['h_seconds', 'c_total', 'g']);
    assert.equal(scrape.get('h_seconds')!.help, 'How long, with a \\ and a \n in its help');
    assert.equal(scrape.get('h_seconds')!.type, 'histogram');
    assert.equal(valueOf(scrape, 'h_seconds_bucket', { le: '+Inf', route: '/a' }), 3);
    assert.equal(valueOf(scrape, 'c_total', { path: 'C:\\x', quote: 'say "hi"', nl: 'a\nb' }), 7);
    assert.equal(valueOf(scrape, 'c_total'), 2500);
    assert.ok(Number.isNaN(valueOf(scrape, 'g')));
    assert.equal(valueOf(scrape, 'g', { x: '1' }), Number.NEGATIVE_INFINITY);
    assert.ok(Number.isNaN(valueOf(scrape, 'g', { x: '3' })), "Go's ParseFloat, which the format names, takes NaN in any case");
    assert.equal(valueOf(scrape, 'g', { x: '2' }), 0, 'a series the scrape lacks reads as 0');
  });

  const refused: [string, string, RegExp][] = [
    ['no final line feed', '# TYPE a gauge\na 1', /end with a line feed/],
    ['a sample of no declared family', 'a 1\n', /no declared family/],
    ['an invalid metric name', '# TYPE 1a gauge\n', /invalid metric name/],
    ['an unknown type', '# TYPE a meter\n', /unknown type/],
    ['a second TYPE', '# TYPE a gauge\n# TYPE a gauge\n', /second # TYPE/],
    ['metadata after samples', '# TYPE a gauge\na 1\n# HELP a late\n', /after the family's samples/],
    ['a family split in two', '# TYPE a gauge\n# TYPE b gauge\nb 1\na 1\n', /away from the rest/],
    ['a value that is no number', '# TYPE a gauge\na one\n', /not a number/],
    ['a label value without quotes', '# TYPE a gauge\na{x=1} 1\n', /malformed label/],
    ['an unterminated label value', '# TYPE a gauge\na{x="1} 1\n', /unterminated|not a sample/],
    ['a bad escape', '# TYPE a gauge\na{x="\\t"} 1\n', /invalid escape/],
    ['a reserved label name', '# TYPE a gauge\na{__name__="b"} 1\n', /reserved/],
    ['a label given twice', '# TYPE a gauge\na{x="1",x="2"} 1\n', /given twice/],
    ['labels without a comma', '# TYPE a gauge\na{x="1"y="2"} 1\n', /separated by commas/],
    ['the same series twice', '# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n', /same series twice/],
    ['a negative counter', '# TYPE a_total counter\na_total -1\n', /counter below zero/],
    ['a bare histogram sample', '# TYPE h histogram\nh 1\n', /_bucket, _sum or _count/],
    ['a histogram without +Inf', HISTOGRAM.replace('h_seconds_bucket{le="+Inf",route="/a"} 3\n', ''), /\+Inf/],
    ['a +Inf bucket that is not the count', HISTOGRAM.replace('h_seconds_count{route="/a"} 3', 'h_seconds_count{route="/a"} 4'), /differs from _count/],
    ['buckets that go down', HISTOGRAM.replace('le="1",route="/a"} 2', 'le="1",route="/a"} 0'), /fewer than the one before/],
    ['buckets out of order', HISTOGRAM.replace('le="1",', 'le="0.25",'), /out of order/],
    ['a histogram without _sum', HISTOGRAM.replace('h_seconds_sum{route="/a"} 4.25\n', ''), /without _count or _sum/],
  ];
  for (const [what, text, problem] of refused) {
    test(`refuses ${what}`, () => {
      assert.throws(
        () => parseExposition(text),
        (error: unknown) => error instanceof ExpositionError && problem.test(error.message),
      );
    });
  }
});
