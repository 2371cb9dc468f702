/** The schema and records the consumer programs share (see ./check.sh). */
import { type Infer, schema, t } from 'leanrec';

/** Compiles only when `A` and `B` are the same type (no `any` on either side). */
export type Equal<A, B> =
  (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
export function expectType<A, B>(_proof: Equal<A, B>): void {}

export const Book = schema({
  key: ['isbn'],
  hot: {
    isbn: t.string(),
    year: t.u16().indexed(),
    lang: t.enum(['en', 'de', 'fr']),
    pages: t.u32().optional(),
  },
  cold: {
    text: { title: t.string(), blurb: t.string().optional() },
    meta: { tags: t.list(t.string()), extra: t.json<{ shelf: number }>() },
  },
});
export type Book = Infer<typeof Book>;

export const books: Book[] = [
  { isbn: '1', year: 1999, lang: 'en', title: 'One', tags: ['a'], extra: { shelf: 1 } },
  { isbn: '2', year: 2004, lang: 'de', pages: 120, title: 'Zwei', tags: [], extra: { shelf: 2 } },
  {
    isbn: '3',
    year: 2004,
    lang: 'fr',
    title: 'Trois',
    blurb: 'b',
    tags: ['c'],
    extra: { shelf: 3 },
  },
];
