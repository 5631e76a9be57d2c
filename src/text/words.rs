//! Text → word count: words as UAX #29 counts them, in one pass over the bytes.
//!
//! [`count_words`] runs over every article's visible text, 100 MB for a 10,000-article
//! archive, so it has two speeds: 64 bytes at a time while the text is ASCII and the
//! Arabic block (U+0600..U+06FF), the byte-by-byte [`Counter`] for anything else.

use std::ops::Range;

/// Words as UAX #29 word boundaries count them (`unicode_words`), which treat an Arabic
/// word with its attached clitics (`والتحالفات`) as one word, as a reader does.
///
/// Written by hand because `unicode-segmentation` took a fifth of the whole build's
/// time: this is one linear pass with fast paths for ASCII and Arabic. A word is a run
/// of letters, digits, combining marks, tatweel and joiners; `'`, `.`, `,` and their kin
/// join two word characters (`don't`, `U.S`, `2,000`) as UAX #29's MidLetter and MidNum
/// rules do. The tests check it against `unicode-segmentation` on real text.
pub fn count_words(text: &str) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of every x86-64 processor (the target's baseline).
        unsafe { blocks::count(text) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut counter = Counter::default();
        counter.run(text, 0..text.len());
        counter.count
    }
}

/// The byte-by-byte count, which can stop and resume at any byte of the text.
#[derive(Debug, Default)]
struct Counter {
    count: usize,
    /// 1 while a word is open: the last character (not counting the first byte of an
    /// Arabic-block character, which [`SKIP`] leaves out) is a word character or a
    /// [`Class::Mid`] character joining two.
    in_word: usize,
}

impl Counter {
    /// Counts the bytes `range` of `text`, carrying on from the bytes before it.
    fn run(&mut self, text: &str, range: Range<usize>) {
        let bytes = text.as_bytes();
        let table = byte_pair_classes();
        let mut prev = range.start.checked_sub(1).map_or(0, |i| bytes[i]);
        let Counter {
            mut count,
            mut in_word,
        } = *self;
        for i in range {
            let b = bytes[i];
            let class = table[(usize::from(prev) << 8) | usize::from(b)];
            prev = b;
            if class <= SKIP {
                // The common case, without branches: a word character starts a word unless
                // one is open; a skipped byte (the first of an Arabic letter) changes nothing.
                let word = usize::from(class == WORD);
                let skip = usize::from(class == SKIP);
                count += word & (in_word ^ 1);
                in_word = word | (skip & in_word);
                continue;
            }
            let (class, next) = if class == MID {
                (Class::Mid, i + 1)
            } else {
                // The first byte of a character outside ASCII and U+0600..U+06FF.
                let c = text[i..].chars().next().unwrap_or(' ');
                (classify(c), i + c.len_utf8())
            };
            match class {
                Class::Word => {
                    count += in_word ^ 1;
                    in_word = 1;
                }
                // Each ideograph or hiragana is a word of its own.
                Class::Ideograph | Class::IdeographWordChar => {
                    count += 1;
                    in_word = 0;
                }
                // Stays inside the word when a word character follows.
                Class::Mid
                    if in_word == 1 && text[next..].chars().next().is_some_and(is_word_char) => {}
                Class::Mid | Class::Other => in_word = 0,
            }
        }
        *self = Counter { count, in_word };
    }
}

/// What [`count_words`] needs to know of a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Word,
    /// Counted alone ([`is_ideograph`]); the second kind also joins a word across a
    /// [`Class::Mid`] character before it, as a word character does.
    Ideograph,
    IdeographWordChar,
    Mid,
    Other,
}

fn classify(c: char) -> Class {
    match (is_ideograph(c), is_word_char(c)) {
        (true, true) => Class::IdeographWordChar,
        (true, false) => Class::Ideograph,
        (false, true) => Class::Word,
        (false, false) if is_mid_word(c) => Class::Mid,
        (false, false) => Class::Other,
    }
}

// What a byte, after the byte before it, tells [`count_words`].
const OTHER: u8 = 0;
const WORD: u8 = 1;
/// The first byte of a character of U+0600..U+06FF (its second byte tells the class),
/// or a later byte of a character outside ASCII and that block.
const SKIP: u8 = 2;
const MID: u8 = 3;
/// The first byte of a character outside ASCII and U+0600..U+06FF.
const FOREIGN: u8 = 4;

/// The class of each byte given the byte before it: ASCII bytes by themselves, the
/// second byte of an Arabic-block character (after a lead byte D8..DB) by the character
/// the two make. Arabic text then takes one lookup per byte and no branch.
fn byte_pair_classes() -> &'static [u8; 65536] {
    static TABLE: std::sync::OnceLock<Box<[u8; 65536]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let of = |c: char| match classify(c) {
            Class::Word => WORD,
            Class::Mid => MID,
            Class::Other => OTHER,
            Class::Ideograph | Class::IdeographWordChar => FOREIGN,
        };
        let mut table = Box::new([OTHER; 65536]);
        for (i, class) in table.iter_mut().enumerate() {
            let (prev, b) = ((i >> 8) as u8, i as u8);
            *class = match b {
                0..=0x7F => of(char::from(b)),
                0x80..=0xBF if (0xD8..=0xDB).contains(&prev) => {
                    let cp = 0x600 + (u32::from(prev - 0xD8) << 6) + u32::from(b & 0x3F);
                    of(char::from_u32(cp).unwrap_or(' '))
                }
                0x80..=0xBF | 0xD8..=0xDB => SKIP,
                _ => FOREIGN,
            };
        }
        table
    })
}

fn is_ideograph(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{309F}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3FFFF}')
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    match c {
        // Arabic letters, marks, tatweel and digits (not punctuation: ، ؛ ؟ are 060C, 061B, 061F).
        '\u{0610}'..='\u{061A}'
        | '\u{0620}'..='\u{0669}'
        | '\u{066B}'
        | '\u{066E}'..='\u{06D3}'
        | '\u{06D5}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06FC}'
        | '\u{06FF}' => true,
        // Joiners and other format characters do not break a word.
        '\u{200C}' | '\u{200D}' | '\u{00AD}' => true,
        _ => c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c),
    }
}

/// UAX #29 MidLetter, MidNum and MidNumLet characters.
fn is_mid_word(c: char) -> bool {
    matches!(
        c,
        '\'' | '.'
            | ','
            | ':'
            | ';'
            | '\u{00B7}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{2024}'
            | '\u{FE52}'
            | '\u{FF07}'
            | '\u{FF0E}'
            | '\u{066C}'
            | '\u{FE50}'
            | '\u{FE54}'
            | '\u{FF0C}'
            | '\u{FF1B}'
            | '\u{037E}'
            | '\u{0589}'
            | '\u{060C}'
            | '\u{060D}'
            | '\u{07F8}'
            | '\u{2044}'
            | '\u{FE10}'
            | '\u{FE13}'
            | '\u{FE14}'
            | '\u{05F4}'
            | '\u{2027}'
            | '\u{FE55}'
            | '\u{FF1A}'
    )
}

/// The count 64 bytes at a time. For each block, SSE2 compares (part of every x86-64)
/// turn the bytes into bit masks: which bytes end a word character, which are the first
/// byte of an Arabic-block character, which end a joining character (`.`, `,`, `'`, ،,
/// ٬ ...), and which belong to a character outside ASCII and that block. A word starts
/// where a word character follows a character that is not one, which shifts and ANDs of
/// the masks find for all 64 bytes at once; a joining character between two word
/// characters counts as one. A block holding any other character (or whose next two
/// bytes do) is counted by [`Counter`] instead, so the result is the same to the byte.
#[cfg(target_arch = "x86_64")]
mod blocks {
    use super::Counter;
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_sub_epi8,
    };

    /// One bit for each byte of a block (bit k for byte k).
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub(super) struct Masks {
        /// The last byte of a word character.
        pub word: u64,
        /// The first byte of a character of U+0600..U+06FF.
        pub lead: u64,
        /// The last byte of a character that joins two word characters.
        pub mid: u64,
        /// A byte of any other character outside ASCII.
        pub foreign: u64,
    }

    #[target_feature(enable = "sse2")]
    pub(super) fn count(text: &str) -> usize {
        let bytes = text.as_bytes();
        let blocks = bytes.len().div_ceil(64);
        let masks_of = |k: usize| -> Masks {
            if k >= blocks {
                return Masks::default();
            }
            // The block with the byte before it; past the ends, zeros (not word bytes).
            match bytes.get((64 * k).wrapping_sub(1)..64 * k + 64) {
                Some(window) if k > 0 => classify(window.try_into().expect("65 bytes")),
                _ => {
                    let mut window = [0u8; 65];
                    let from = (64 * k).saturating_sub(1);
                    let to = bytes.len().min(64 * k + 64);
                    let at = if k == 0 { 1 } else { 0 };
                    window[at..at + to - from].copy_from_slice(&bytes[from..to]);
                    classify(&window)
                }
            }
        };
        let mut counter = Counter::default();
        // The block before as the count saw it: word characters (with joining ones) and
        // first bytes.
        let (mut before_word, mut before_lead) = (0u64, 0u64);
        let mut this = masks_of(0);
        for k in 0..blocks {
            let next = masks_of(k + 1);
            if this.foreign != 0 || next.foreign & 0b11 != 0 {
                counter.run(text, 64 * k..bytes.len().min(64 * k + 64));
                before_word = (counter.in_word as u64) << 63;
                before_lead = 0;
            } else {
                let (word, lead) = (this.word, this.lead);
                // Is the character before each byte's character a word character? The
                // one just before, or the one before a first byte.
                let after_word = |w: u64, before_w: u64| {
                    ((w << 1) | (before_w >> 63))
                        | (((lead << 1) | (before_lead >> 63)) & ((w << 2) | (before_w >> 62)))
                };
                let prev_word = after_word(word, before_word);
                let next_word = ((word >> 1) | (next.word << 63))
                    | (((lead >> 1) | (next.lead << 63)) & ((word >> 2) | (next.word << 62)));
                let joined = this.mid & prev_word & next_word;
                let open = word | joined;
                counter.count += (word & !after_word(open, before_word)).count_ones() as usize;
                counter.in_word = (((open >> 63) | ((lead >> 63) & (open >> 62))) & 1) as usize;
                before_word = open;
                before_lead = lead;
            }
            this = next;
        }
        counter.count
    }

    /// The masks of `window[1..]`, `window[0]` being the byte before it.
    #[target_feature(enable = "sse2")]
    pub(super) fn classify(window: &[u8; 65]) -> Masks {
        let mut m = Masks::default();
        for k in 0..4 {
            let (word, lead, mid, foreign) = classify16(&window[16 * k..16 * k + 17]);
            m.word |= word << (16 * k);
            m.lead |= lead << (16 * k);
            m.mid |= mid << (16 * k);
            m.foreign |= foreign << (16 * k);
        }
        m
    }

    /// The masks of `bytes[1..17]`, `bytes[0]` being the byte before them.
    #[target_feature(enable = "sse2")]
    fn classify16(bytes: &[u8]) -> (u64, u64, u64, u64) {
        let b = load(&bytes[1..17]);
        let p = load(&bytes[0..16]);
        let lead = within(b, 0xD8, 0xDB);
        // The second byte of an Arabic-block character: 80..BF after D8..DB.
        let arabic = and(
            eq(_mm_and_si128(b, splat(0xC0)), 0x80),
            within(p, 0xD8, 0xDB),
        );
        let ascii_word = or(
            or(
                within(b, b'0', b'9'),
                within(_mm_or_si128(b, splat(0x20)), b'a', b'z'),
            ),
            eq(b, b'_'),
        );
        // By code point: after D8, U+0600..U+063F; after D9, U+0640..; DA; DB.
        let (d8, d9, da, db) = (eq(p, 0xD8), eq(p, 0xD9), eq(p, 0xDA), eq(p, 0xDB));
        // U+0610..U+061A and U+0620..U+063F.
        let word_d8 = or(within(b, 0x90, 0x9A), within(b, 0xA0, 0xBF));
        // U+0640..U+0669, U+066B, U+066E..U+067F.
        let word_d9 = or(
            or(within(b, 0x80, 0xA9), eq(b, 0xAB)),
            within(b, 0xAE, 0xBF),
        );
        // All of U+06C0..U+06FF but U+06D4, U+06DD, U+06DE, U+06E9, U+06FD, U+06FE.
        let not_word_db = or(
            or(or(eq(b, 0x94), eq(b, 0x9D)), or(eq(b, 0x9E), eq(b, 0xA9))),
            or(eq(b, 0xBD), eq(b, 0xBE)),
        );
        let arabic_word = and(
            arabic,
            or(
                or(and(d8, word_d8), and(d9, word_d9)),
                or(da, _mm_andnot_si128(not_word_db, db)),
            ),
        );
        let ascii_mid = or(
            or(or(eq(b, b'\''), eq(b, b'.')), or(eq(b, b','), eq(b, b':'))),
            eq(b, b';'),
        );
        // U+060C, U+060D, U+066C.
        let arabic_mid = and(
            arabic,
            or(and(d8, or(eq(b, 0x8C), eq(b, 0x8D))), and(d9, eq(b, 0xAC))),
        );
        let high = bits(b);
        let known = bits(or(lead, arabic));
        (
            bits(or(ascii_word, arabic_word)),
            bits(lead),
            bits(or(ascii_mid, arabic_mid)),
            high & !known,
        )
    }

    #[target_feature(enable = "sse2")]
    fn load(bytes: &[u8]) -> __m128i {
        assert!(bytes.len() >= 16);
        // SAFETY: the slice holds the 16 bytes read, and the load needs no alignment.
        unsafe { _mm_loadu_si128(bytes.as_ptr().cast()) }
    }

    #[target_feature(enable = "sse2")]
    fn splat(x: u8) -> __m128i {
        _mm_set1_epi8(x as i8)
    }

    #[target_feature(enable = "sse2")]
    fn eq(v: __m128i, x: u8) -> __m128i {
        _mm_cmpeq_epi8(v, splat(x))
    }

    /// Bytes in `lo..=hi`: `v - lo`, unsigned, is at most `hi - lo`.
    #[target_feature(enable = "sse2")]
    fn within(v: __m128i, lo: u8, hi: u8) -> __m128i {
        let t = _mm_sub_epi8(v, splat(lo));
        _mm_cmpeq_epi8(_mm_min_epu8(t, splat(hi - lo)), t)
    }

    #[target_feature(enable = "sse2")]
    fn and(a: __m128i, b: __m128i) -> __m128i {
        _mm_and_si128(a, b)
    }

    #[target_feature(enable = "sse2")]
    fn or(a: __m128i, b: __m128i) -> __m128i {
        _mm_or_si128(a, b)
    }

    #[target_feature(enable = "sse2")]
    fn bits(v: __m128i) -> u64 {
        u64::from(_mm_movemask_epi8(v) as u16)
    }
}

#[cfg(test)]
mod tests;
