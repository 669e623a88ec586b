import { expect } from 'chai';
import { checkUan } from '../../src/activities/rules';
import { sanitizeRichText } from '../../src/activities/sanitize';

describe('Activity rules (pure)', () => {
  it('when a UAN is checked, then its shape, audience letter and live/home-study letter must agree with the designation', () => {
    expect(checkUan('JA0006235-9999-25-076-L01-P', 'P', 'course')).to.equal(null);
    expect(checkUan('0129-0000-24-001-H08-T', 'T', 'enduring')).to.equal(null);
    expect(checkUan('0129-0000-24-001-B08-T', 'T', 'other'), 'B (blended) is accepted though unconfirmed').to.equal(null);
    expect(checkUan('0129-0000-24-001-H08-P', 'T', 'enduring')).to.match(/ends in P/);
    expect(checkUan('0129-0000-24-001-H08-P', 'P', 'rss')).to.match(/expected L/);
    expect(checkUan('JA123-9999-25-076-L01-P', 'P', 'course')).to.match(/Enter the UAN/);
    expect(checkUan('0129-1234-24-001-H08-P', 'P', 'enduring'), 'sponsorship is 0000 or 9999').to.match(/Enter the UAN/);
  });

  it('when rich text is sanitised, then structure stays and scripts, handlers, styles and frames go', () => {
    const out = sanitizeRichText('<h1 style="color:red">T</h1><p>a <em>b</em></p><script>x</script><a href="javascript:x" onclick="y">l</a><iframe src="https://e"></iframe>');
    expect(out).to.equal('<h2>T</h2><p>a <em>b</em></p><a rel="noopener noreferrer" target="_blank">l</a>');
  });
});
