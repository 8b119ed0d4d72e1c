import test from 'ava';
import { ProgressBar } from '../../lib/cli/progress.js';

class Tty {
  text = '';
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

test('small inputs draw nothing', (t) => {
  const out = new Tty();
  const bar = new ProgressBar(out as never, 1000);
  bar.update(10, 500);
  bar.done();
  t.is(out.text, '');
});

test('large inputs draw a bar with percent and MB, then clear the line', (t) => {
  const out = new Tty();
  const bar = new ProgressBar(out as never, 1000);
  bar.update(1 << 20, 4 << 20);
  t.regex(out.text, /^\r\[#{8}\.{22}\] 25\.0%\s+1\/4 MB/);
  bar.done();
  t.true(out.text.endsWith('\r\x1b[K'));
});

test('unknown totals (stdin) show bytes read once past the threshold', (t) => {
  const out = new Tty();
  const bar = new ProgressBar(out as never, 1000);
  bar.update(500, -1);
  t.is(out.text, '');
  bar.update(3 << 20, -1);
  t.regex(out.text, /3 MB read/);
});
