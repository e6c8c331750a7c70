/**
 * The kit's Chinese search (platform/search-text.ts) without a database: index terms, how a query
 * is read into words (segmenter, vocabulary, synonyms), and highlights.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vocabularyData from '../db/reference/search-vocabulary.json' with { type: 'json' };
import { documentNumberKey, highlightAll, parseSearch, searchVocabulary, snippet, termsOf, tsvectorOf } from '../platform/search-text.ts';

const vocabulary = searchVocabulary(vocabularyData);
const parse = (text: string) => parseSearch(text, vocabulary);

describe('Chinese search terms', () => {
  it('indexes overlapping character pairs, the last character of each run, and whole Latin words', () => {
    expect([...termsOf('惠企政策，5G 网络')].sort()).toEqual(['5g', '企政', '惠企', '政策', '策', '络', '网络'].sort());
  });

  it('keeps only letters and digits in a term, so no text can break out of a literal', () => {
    expect(tsvectorOf("it's a\\b")).toBe("'it' 's' 'a' 'b'");
    fc.assert(
      fc.property(
        fc.string(),
        (text) =>
          !tsvectorOf(text)
            .split(' ')
            .some((lexeme) => lexeme && !/^'(?:[^']|'')*'$/.test(lexeme)),
      ),
    );
  });
});

describe('a query read as words', () => {
  it('cuts a phrase typed without spaces into words, each of which must occur (改造补助 is 改造 and 补助, not 造补)', () => {
    const query = parse('改造补助')!;
    expect(query.required).toEqual(['改造', '补助']);
    expect(query.tsquery).not.toContain('造补');
    expect(query.tsquery.startsWith("'改造' & (")).toBe(true);
  });

  it('lets a word find its synonyms from the vocabulary, both ways', () => {
    for (const [word, synonym] of [
      ['补贴', '补助'],
      ['补助', '奖补'],
      ['小微企业', '中小企业'],
      ['中小企业', '小微企业'],
    ]) {
      expect(parse(`${word}政策`)!.words, word).toContain(synonym);
    }
    // A word finds its own groups' words, not the words of another group one of them is in.
    expect(parse('补助')!.words).not.toContain('奖励');
  });

  it('keeps a vocabulary word whole where the segmenter cuts it into characters', () => {
    expect(parse('技改补贴')!.required).toEqual(['技改', '补贴']);
    expect(parse('小微企业融资')!.required).toEqual(['小微企业', '融资']);
  });

  it('finds a character the segmenter left alone beside one of its neighbours in the query', () => {
    // 新/厂/区/用/电: 新厂区 and 用电 need not stand together in the document.
    const query = parse('新厂区用电')!;
    expect(query.tsquery).toContain("'新厂'");
    expect(query.tsquery).toContain("'用电'");
    expect(query.tsquery).not.toMatch(/^'区用'|& '区用' &/);
  });

  it('requires neither question words nor optional ones, unless the query has nothing else', () => {
    expect(parse('研发投入补助怎么申请')!.required).toEqual(['研发', '投入', '补助']);
    expect(parse('青岛市跨境电商政策')!.required).toEqual(['跨境电商']);
    expect(parse('政策')!.required).toEqual(['政策']);
    expect(parse('怎么')!.required).toEqual(['怎么']);
  });

  it('turns one character or a Latin word into a prefix, and refuses a query of punctuation', () => {
    expect(parse('税 AI')?.tsquery).toBe("'税':* & 'ai':*");
    expect(parse('《》 ，')).toBeNull();
  });

  it('writes nothing but quoted lexemes, prefixes and operators, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."改造补助补贴税的和（）'\\ &|!:*ab1 ".split('')), maxLength: 30 }), (text) => {
        const query = parse(text);
        return query === null || /^[X&|() ]+$/.test(query.tsquery.replace(/'(?:[^']|'')*'(?::\*)?/g, 'X'));
      }),
    );
  });
});

describe('a query that is a document number (文号)', () => {
  it('is read as one, whatever brackets its year is written in, with 号 added where left off', () => {
    for (const [text, number] of [
      ['青基准〔2020〕1205号', '青基准〔2020〕1205号'],
      ['青政发〔2024〕5号', '青政发〔2024〕5号'],
      [' 青政发[2024]5号 ', '青政发〔2024〕5号'],
      ['青政发［2024］5号', '青政发〔2024〕5号'],
      ['青政发（2024）5', '青政发〔2024〕5号'],
      ['国办发明电【2022】16号', '国办发明电〔2022〕16号'],
    ]) {
      expect(parse(text!)!.documentNumber, text).toBe(number);
    }
  });

  it('is not read as one when the query has anything else, or no year', () => {
    for (const text of ['企业', '青政发〔2024〕5号 补贴', '青政发5号', '2024年5号', '〔2024〕5号'])
      expect(parse(text)!.documentNumber, text).toBeNull();
  });

  it('keeps its digits as exact terms, not prefixes (1205 is not 12053)', () => {
    const query = parse('青基准〔2020〕1205号')!;
    expect(query.tsquery).toContain("'1205'");
    expect(query.tsquery).not.toContain("'1205':*");
    expect(documentNumberKey('青人社规［2026］7号（样例）')).toBe('青人社规〔2026〕7号〔样例〕');
  });
});

describe('highlights', () => {
  it('highlights exact occurrences, and the pairs when the word itself is not there', () => {
    const query = parse('研发费用')!;
    expect(highlightAll('企业研发费用加计扣除', query).highlights).toEqual([{ start: 2, end: 6 }]);
    expect(highlightAll('研发投入与费用', query).highlights).toEqual([
      { start: 0, end: 2 },
      { start: 5, end: 7 },
    ]);
  });

  it('highlights a character the segmenter left alone only where it stands beside its neighbour', () => {
    expect(highlightAll('新厂区的临时用电，区里说用不了', parse('新厂区用电')!).html).toBe(
      '<mark>新厂区</mark>的临时<mark>用电</mark>，区里说用不了',
    );
  });

  it('highlights the synonym a document holds', () => {
    const found = highlightAll('智能化改造设备投资补助', parse('改造补贴')!);
    expect(found.html).toBe('智能化<mark>改造</mark>设备投资<mark>补助</mark>');
  });

  it('cuts a snippet around the first match, marks the cuts, and escapes HTML', () => {
    const text = `${'前'.repeat(100)}<研发费用>${'后'.repeat(100)}`;
    const found = snippet(text, parse('研发费用')!, 40)!;
    expect(found.text.startsWith('…') && found.text.endsWith('…')).toBe(true);
    const [range] = found.highlights;
    expect(found.text.slice(range!.start, range!.end)).toBe('研发费用');
    expect(found.html).toContain('&lt;<mark>研发费用</mark>&gt;');
    expect(snippet('无关内容', parse('研发')!)).toBeNull();
  });
});
