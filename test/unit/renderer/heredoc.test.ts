import { describe, expect, it } from 'vitest';
import { HeredocInput, openedHeredocs } from '../../../src/renderer/lib/heredoc';
import { MAX_CONSOLE_INPUT } from '../../../src/shared/api';

describe('openedHeredocs', () => {
  it('finds each delimiter form, with quotes removed', () => {
    const plain = { word: 'EOF', stripTabs: false };
    expect(openedHeredocs('cat > /etc/xen/vm1.hvm <<EOF')).toEqual([plain]);
    expect(openedHeredocs("cat > /etc/xen/vm1.hvm <<'EOF'")).toEqual([plain]);
    expect(openedHeredocs('cat > /etc/xen/vm1.hvm <<"EOF"')).toEqual([plain]);
    expect(openedHeredocs('cat <<\\EOF')).toEqual([plain]);
    expect(openedHeredocs('cat <<E"O"F')).toEqual([plain]);
    expect(openedHeredocs('cat << EOF > f')).toEqual([plain]);
    expect(openedHeredocs('cat<<EOF;echo done')).toEqual([plain]);
    expect(openedHeredocs('cat <<-EOF')).toEqual([{ word: 'EOF', stripTabs: true }]);
    expect(openedHeredocs("cat <<-'END OF' > f")).toEqual([{ word: 'END OF', stripTabs: true }]);
    expect(openedHeredocs('cat <<"a\\"b"')).toEqual([{ word: 'a"b', stripTabs: false }]);
    expect(openedHeredocs("cat <<''")).toEqual([{ word: '', stripTabs: false }]);
  });

  it('finds several in order', () => {
    expect(openedHeredocs('cat <<A && cat <<-B')).toEqual([
      { word: 'A', stripTabs: false },
      { word: 'B', stripTabs: true },
    ]);
  });

  it('ignores << in quotes, escaped, in a comment, a here-string and a << without a word', () => {
    for (const line of [
      "echo '<<EOF'",
      'echo "cat <<EOF"',
      'echo a\\<<EOF', // \< is a literal <, then a plain < redirect
      'echo hi # cat <<EOF',
      'echo hi;#<<EOF',
      'cat <<<EOF',
      'cat <<',
      'cat << > f',
      'xl list',
    ]) {
      expect(openedHeredocs(line), line).toEqual([]);
    }
    // `#` inside a word is not a comment.
    expect(openedHeredocs('echo a#b <<EOF')).toEqual([{ word: 'EOF', stripTabs: false }]);
  });

  it('opens nothing on a line with an unclosed quote (the host reports the syntax error)', () => {
    expect(openedHeredocs("cat <<'EOF")).toEqual([]);
    expect(openedHeredocs('cat <<EOF "unclosed')).toEqual([]);
  });
});

describe('HeredocInput', () => {
  it('reads up to the delimiter line and joins the lines with \\n', () => {
    const input = HeredocInput.open('cat > /etc/xen/a.hvm <<EOF')!;
    expect(input.add('name = "a"')).toBe(false);
    expect(input.add('EOF ')).toBe(false); // not the delimiter: trailing blank
    expect(input.add('\tEOF')).toBe(false); // tabs are stripped only for <<-
    expect(input.add('EOF')).toBe(true);
    expect(input.text).toBe('cat > /etc/xen/a.hvm <<EOF\nname = "a"\nEOF \n\tEOF\nEOF');
  });

  it('<<- ends on the delimiter after leading tabs', () => {
    const input = HeredocInput.open('cat <<-EOF')!;
    expect(input.add('\tbody')).toBe(false);
    expect(input.add('\t\tEOF')).toBe(true);
    expect(input.text).toBe('cat <<-EOF\n\tbody\n\t\tEOF');
  });

  it('reads the bodies of several here-documents one after another', () => {
    const input = HeredocInput.open('cat <<A <<B')!;
    expect(input.add('B')).toBe(false); // B ends nothing while A's body is read
    expect(input.add('A')).toBe(false);
    expect(input.add('B')).toBe(true);
  });

  it('is null for a line that opens none', () => {
    expect(HeredocInput.open("echo '<<EOF'")).toBeNull();
  });

  it('past MAX_CONSOLE_INPUT stops keeping text but still reads to the delimiter', () => {
    const input = HeredocInput.open('cat <<EOF')!;
    const big = 'x'.repeat(MAX_CONSOLE_INPUT / 2);
    expect(input.add(big)).toBe(false);
    expect(input.tooLong).toBe(false);
    expect(input.add(big)).toBe(false);
    expect(input.tooLong).toBe(true);
    expect(input.add('more')).toBe(false);
    expect(input.add('EOF')).toBe(true);
    expect(input.text.length).toBeLessThanOrEqual(MAX_CONSOLE_INPUT);
  });
});
